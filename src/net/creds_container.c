/* ECS task roles and EKS Pod Identity (botocore ContainerProvider,
 * ContainerMetadataFetcher). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "net/creds_int.h"

#define ECS_HOST "http://169.254.170.2"

/* FULL_URI over plain http must stay on the machine or the task's link-
 * local agent: loopback, 169.254.170.2 (ECS), 169.254.170.23 and
 * fd00:ec2::23 (EKS Pod Identity). */
static bool allowed_full_uri(const char *url)
{
    if (!strncasecmp(url, "https://", 8))
        return url[8] != '\0';
    if (strncasecmp(url, "http://", 7) != 0)
        return false;
    const char *h = url + 7;
    char host[256];
    size_t n;
    if (*h == '[') {
        const char *e = strchr(h, ']');
        if (!e)
            return false;
        n = (size_t)(e - h - 1);
        if (n >= sizeof host)
            return false;
        memcpy(host, h + 1, n);
    } else {
        n = strcspn(h, ":/?#");
        if (n >= sizeof host)
            return false;
        memcpy(host, h, n);
    }
    host[n] = '\0';
    if (strchr(host, '@'))
        return false;
    if (!strcasecmp(host, "localhost") || !strcmp(host, "::1") ||
        !strcmp(host, "169.254.170.2") || !strcmp(host, "169.254.170.23") ||
        !strcasecmp(host, "fd00:ec2::23"))
        return true;
    /* 127.0.0.0/8 written as a dotted quad. */
    int a, b, c, d;
    char tail;
    if (sscanf(host, "%d.%d.%d.%d%c", &a, &b, &c, &d, &tail) == 4 && a == 127 && b >= 0 &&
        b < 256 && c >= 0 && c < 256 && d >= 0 && d < 256)
        return true;
    return false;
}

/* The Authorization value: the token file (read on every fetch, since it
 * rotates) beats the variable.  Returns false with err set on a bad one. */
static bool auth_token(char *out, size_t n, struct md_err *err)
{
    out[0] = '\0';
    const char *file = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    if (file && *file) {
        FILE *f = fopen(file, "rb");
        if (!f) {
            md_err_set(err, MD_ERR_AUTH, "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE %s",
                       file);
            return false;
        }
        size_t got = fread(out, 1, n - 1, f);
        fclose(f);
        out[got] = '\0';
        /* A trailing newline from an editor or echo is not part of it. */
        while (got > 0 && (out[got - 1] == '\n' || out[got - 1] == '\r'))
            out[--got] = '\0';
    } else {
        const char *v = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
        if (v && *v && !md_creds_copy(out, n, v)) {
            md_err_set(err, MD_ERR_AUTH, "AWS_CONTAINER_AUTHORIZATION_TOKEN is too long");
            return false;
        }
    }
    if (strchr(out, '\r') || strchr(out, '\n')) {
        memset(out, 0, n);
        md_err_set(err, MD_ERR_AUTH, "the container authorization token contains a line break");
        return false;
    }
    return true;
}

md_status md_container_url(struct md_buf *url, struct md_err *err)
{
    const char *rel = getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    const char *full = getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    if (rel && *rel) {
        md_buf_printf(url, "%s%s%s", ECS_HOST, rel[0] == '/' ? "" : "/", rel);
    } else if (full && *full) {
        if (!allowed_full_uri(full))
            return md_err_set(err, MD_ERR_AUTH,
                              "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, or http to a "
                              "loopback address, 169.254.170.2, 169.254.170.23 or fd00:ec2::23");
        md_buf_puts(url, full);
    } else {
        return md_err_set(err, MD_ERR_AUTH,
                          "container credentials: neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI "
                          "nor _FULL_URI is set");
    }
    return url->data ? MD_OK : md_err_set(err, MD_ERR_NOMEM, "out of memory");
}

md_status md_creds_fetch_container(struct md_cred_node *n, struct md_aws_creds *out,
                                   struct md_err *err)
{
    struct md_buf url = MD_BUF_INIT;
    md_status ust = md_container_url(&url, err);
    if (ust != MD_OK) {
        md_buf_free(&url);
        return ust;
    }
    char token[8192];
    if (!auth_token(token, sizeof token, err)) {
        md_buf_free(&url);
        return MD_ERR_AUTH;
    }
    struct md_http_request req;
    if (!url.data || md_http_request_init(&req, "GET", url.data) < 0) {
        md_buf_free(&url);
        memset(token, 0, sizeof token);
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    req.secret_body = true;
    md_headers_add(&req.headers, "Accept", "application/json");
    if (token[0])
        md_headers_add(&req.headers, "Authorization", token);
    memset(token, 0, sizeof token);
    struct md_http_opts o;
    md_http_opts_init(&o);
    o.connect_timeout_ms = 2000;
    o.timeout_ms = 4000;
    o.no_proxy = true;
    o.debug = n->prov->opts.debug;
    o.max_body = 1 << 20;
    struct md_http_response resp = {0};
    md_status st = MD_ERR_NET;
    for (int attempt = 0; attempt < 3; attempt++) {
        md_http_response_reset(&resp);
        st = md_http_perform(NULL, &req, &o, &resp, err);
        if (st == MD_ERR_CANCELLED || (st == MD_OK && resp.status == 200))
            break;
        if (st == MD_OK && resp.status >= 400 && resp.status < 500)
            break;   /* refused: asking again will not help */
    }
    md_http_request_free(&req);
    if (st == MD_OK && resp.status != 200)
        st = md_err_set(err, MD_ERR_AUTH, "container credentials endpoint %s answered HTTP %d",
                        url.data, resp.status);
    else if (st == MD_OK)
        st = md_creds_from_json(resp.body.data ? resp.body.data : "", resp.body.len, "$.Token",
                                "container credentials", false, out, err);
    else
        md_err_wrap(err, "container credentials endpoint %s", url.data);
    md_buf_free(&url);
    if (resp.body.data)
        memset(resp.body.data, 0, resp.body.cap);
    md_http_response_free(&resp);
    return st;
}
