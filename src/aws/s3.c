#include "aws/s3.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/region.h"
#include "net/url.h"
#include "util/log.h"
#include "util/buf.h"

void md_s3_list_free(struct md_s3_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->objects[i].key);
    free(l->objects);
    for (size_t i = 0; i < l->nprefixes; i++)
        free(l->prefixes[i]);
    free(l->prefixes);
    free(l->next_token);
    memset(l, 0, sizeof *l);
}

bool md_s3_bucket_dns_ok(const char *bucket, bool https)
{
    size_t n = strlen(bucket);
    if (n < 3 || n > 63)
        return false;
    if (!islower((unsigned char)bucket[0]) && !isdigit((unsigned char)bucket[0]))
        return false;
    if (bucket[n - 1] == '-' || bucket[n - 1] == '.')
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)bucket[i];
        if (!(islower(ch) || isdigit(ch) || ch == '-' || ch == '.'))
            return false;
        if (ch == '.' && (https || bucket[i + 1] == '.'))
            return false;   /* dots break the TLS wildcard certificate */
    }
    return true;
}

/* Base URL for a bucket (no trailing slash): virtual-hosted or path-style. */
static char *bucket_base(const struct md_aws_client *c, const char *bucket)
{
    struct md_url u;
    struct md_buf b = MD_BUF_INIT;
    const char *ep = c->endpoint ? c->endpoint : "";
    size_t el = strlen(ep);
    while (el && ep[el - 1] == '/')
        el--;
    bool https = strncmp(ep, "https:", 6) == 0;
    bool virtual_host = !c->s3_path_style && md_s3_bucket_dns_ok(bucket, https) &&
                        md_url_parse(ep, &u, NULL) == MD_OK;
    if (virtual_host) {
        /* An IP address or localhost cannot take a bucket label: path-style. */
        bool ip = u.host[0] == '[' || !strcmp(u.host, "localhost");
        if (!ip) {
            ip = true;
            for (const char *h = u.host; *h; h++)
                if (!isdigit((unsigned char)*h) && *h != '.')
                    ip = false;
        }
        if (ip) {
            md_url_free(&u);
            virtual_host = false;
        }
    }
    int rc = 0;
    if (virtual_host) {
        const char *hostpos = strstr(ep, "://") + 3;
        rc |= md_buf_append(&b, ep, (size_t)(hostpos - ep));
        rc |= md_buf_printf(&b, "%s.", bucket);
        rc |= md_buf_append(&b, hostpos, (size_t)(ep + el - hostpos));
        md_url_free(&u);
    } else {
        rc |= md_buf_append(&b, ep, el);
        rc |= md_buf_puts(&b, "/");
        rc |= md_uri_encode(&b, bucket, strlen(bucket), false);
    }
    if (rc) {
        md_buf_free(&b);
        return NULL;
    }
    return md_buf_steal(&b);
}

char *md_s3_object_url(const struct md_aws_client *c, const char *bucket, const char *key)
{
    char *base = bucket_base(c, bucket);
    if (!base)
        return NULL;
    struct md_buf b = MD_BUF_INIT;
    int rc = md_buf_puts(&b, base);
    rc |= md_buf_puts(&b, "/");
    rc |= md_uri_encode(&b, key, strlen(key), true);
    free(base);
    if (rc) {
        md_buf_free(&b);
        return NULL;
    }
    return md_buf_steal(&b);
}

/* encoding-type=url replies: form-style ('+' is a space). */
static char *url_decode_plus(const char *s)
{
    struct md_buf b = MD_BUF_INIT;
    size_t n = strlen(s);
    char *tmp = strdup(s);
    if (!tmp)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (tmp[i] == '+')
            tmp[i] = ' ';
    if (md_uri_decode(&b, tmp, n) < 0 || md_buf_reserve(&b, 0) < 0) {
        free(tmp);
        md_buf_free(&b);
        return NULL;
    }
    free(tmp);
    return md_buf_steal(&b);
}

/* The URL of bucket (+ key, + query) under c's addressing.  malloc'd. */
static char *build_url(const struct md_aws_client *c, const char *bucket, const char *key,
                       const char *query)
{
    if (key)
        return md_s3_object_url(c, bucket, key);
    char *base = bucket_base(c, bucket);
    if (!base)
        return NULL;
    struct md_buf b = MD_BUF_INIT;
    int rc = md_buf_printf(&b, "%s/%s%s", base, query ? "?" : "", query ? query : "");
    free(base);
    if (rc < 0) {
        md_buf_free(&b);
        return NULL;
    }
    return md_buf_steal(&b);
}

static md_status send_once(struct md_aws_client *c, const char *method, const char *url,
                           const char *range, const char *content_type, const void *body,
                           size_t n, bool unsigned_payload, struct md_http_response *resp,
                           struct md_err *err)
{
    struct md_http_request req;
    if (md_http_request_init(&req, method, url) < 0)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    int rc = 0;
    if (range)
        rc |= md_headers_add(&req.headers, "Range", range);
    if (content_type)
        rc |= md_headers_add(&req.headers, "Content-Type", content_type);
    if (body && n)
        rc |= md_http_request_set_body(&req, body, n);
    if (rc) {
        md_http_request_free(&req);
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    struct md_aws_target t = {
        .service = c->service ? c->service : "s3", .region = c->region, .creds = c->creds,
        .get_creds = c->get_creds, .creds_ctx = c->creds_ctx, .unsigned_payload = unsigned_payload,
    };
    md_status st = md_aws_send(c->curl, &req, &t, c->http, c->retry, resp, &c->last, err);
    md_http_request_free(&req);
    return st;
}

/* The bucket's region when S3 says the request went to the wrong one
 * (301 PermanentRedirect, 400 AuthorizationHeaderMalformed, HEAD's bare
 * 301/400): x-amz-bucket-region, else <Error><Region>.  "" if none. */
static void redirect_region(const struct md_http_response *resp, const struct md_err *err,
                            char *out, size_t n)
{
    out[0] = '\0';
    bool wrong = resp->status == 301 || resp->status == 307 ||
                 (resp->status == 400 && (!strcmp(err->svc_code, "AuthorizationHeaderMalformed") ||
                                          !strcmp(err->svc_code, "IllegalLocationConstraintException") ||
                                          !strcmp(err->svc_code, "400")));
    if (!wrong)
        return;
    const char *r = md_headers_get(&resp->headers, "x-amz-bucket-region");
    if (r && *r) {
        snprintf(out, n, "%s", r);
        return;
    }
    struct md_xml *x = NULL;
    if (resp->body.len && md_xml_parse(resp->body.data, resp->body.len, &x, NULL) == MD_OK) {
        const char *t = md_xml_text(x, "Region");
        if (t)
            snprintf(out, n, "%s", t);
    }
    md_xml_free(x);
}

/* Sends, and once follows S3's "the bucket is in region X": re-signs for
 * X and, when c uses the standard regional endpoint, moves to X's. */
static md_status do_request(struct md_aws_client *c, const char *method, const char *bucket,
                            const char *key, const char *query, const char *range,
                            const char *content_type, const void *body, size_t n,
                            bool unsigned_payload, struct md_http_response *resp,
                            struct md_err *err)
{
    char *url = build_url(c, bucket, key, query);
    if (!url)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    md_status st = send_once(c, method, url, range, content_type, body, n, unsigned_payload,
                             resp, err);
    free(url);
    if (st == MD_OK || st == MD_ERR_NET || st == MD_ERR_CANCELLED || resp->status == 0)
        return st;
    char region[64];
    redirect_region(resp, err, region, sizeof region);
    if (!region[0] || !c->region || !strcmp(region, c->region) || strpbrk(region, "/:@ "))
        return st;
    char std_old[300], endpoint[300];
    snprintf(std_old, sizeof std_old, "https://s3.%s.%s", c->region, md_region_dns_suffix(c->region));
    const char *ep = c->endpoint ? c->endpoint : "";
    size_t el = strlen(ep);
    while (el && ep[el - 1] == '/')
        el--;
    if ((strlen(std_old) == el && !strncmp(ep, std_old, el)) ||
        (el == 24 && !strncmp(ep, "https://s3.amazonaws.com", 24)))
        snprintf(endpoint, sizeof endpoint, "https://s3.%s.%s", region, md_region_dns_suffix(region));
    else
        snprintf(endpoint, sizeof endpoint, "%.*s", (int)el, ep);
    md_log(MD_LOG_INFO, "s3: bucket %s is in %s, not %s: re-signing for %s", bucket, region,
           c->region, region);
    struct md_aws_client moved = *c;
    moved.region = region;
    moved.endpoint = endpoint;
    url = build_url(&moved, bucket, key, query);
    if (!url)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    st = send_once(&moved, method, url, range, content_type, body, n, unsigned_payload, resp, err);
    free(url);
    c->last = moved.last;
    return st;
}

static int grow_objects(struct md_s3_list *l)
{
    if (l->n < l->cap)
        return 0;
    size_t cap = l->cap ? l->cap * 2 : 64;
    struct md_s3_object *v = realloc(l->objects, cap * sizeof *v);
    if (!v)
        return -1;
    l->objects = v;
    l->cap = cap;
    return 0;
}

static int add_prefix(struct md_s3_list *l, char *p)
{
    if (l->nprefixes == l->capprefixes) {
        size_t cap = l->capprefixes ? l->capprefixes * 2 : 16;
        char **v = realloc(l->prefixes, cap * sizeof *v);
        if (!v)
            return -1;
        l->prefixes = v;
        l->capprefixes = cap;
    }
    l->prefixes[l->nprefixes++] = p;
    return 0;
}

static void copy_text(char *dst, size_t n, const struct md_xml *x, const char *name)
{
    const char *t = md_xml_text(x, name);
    snprintf(dst, n, "%s", t ? t : "");
}

md_status md_s3_parse_list(const char *data, size_t n, struct md_s3_list *l, struct md_err *err)
{
    bool url_encoded = true;
    struct md_xml *root;
    md_status st = md_xml_parse(data, n, &root, err);
    if (st != MD_OK)
        return md_err_wrap(err, "ListObjectsV2 reply");
    /* Keys are encoded only when the reply says so (botocore checks the
     * same element): a server that ignores encoding-type sends them raw. */
    const char *enc = md_xml_text(root, "EncodingType");
    url_encoded = url_encoded && enc && !strcmp(enc, "url");
    if (strcmp(root->name, "ListBucketResult") != 0) {
        md_err_set(err, MD_ERR_PARSE, "ListObjectsV2 reply: <%.60s> instead of <ListBucketResult>",
                   root->name);
        md_xml_free(root);
        return MD_ERR_PARSE;
    }
    for (const struct md_xml *e = root->child; e; e = e->next) {
        if (!strcmp(e->name, "Contents")) {
            const char *key = md_xml_text(e, "Key");
            if (!key)
                continue;
            if (grow_objects(l) < 0)
                goto nomem;
            struct md_s3_object *o = &l->objects[l->n];
            memset(o, 0, sizeof *o);
            o->key = url_encoded ? url_decode_plus(key) : strdup(key);
            if (!o->key)
                goto nomem;
            const char *size = md_xml_text(e, "Size");
            o->size = size ? strtoll(size, NULL, 10) : 0;
            copy_text(o->etag, sizeof o->etag, e, "ETag");
            copy_text(o->last_modified, sizeof o->last_modified, e, "LastModified");
            copy_text(o->storage_class, sizeof o->storage_class, e, "StorageClass");
            l->n++;
        } else if (!strcmp(e->name, "CommonPrefixes")) {
            const char *p = md_xml_text(e, "Prefix");
            if (!p)
                continue;
            char *d = url_encoded ? url_decode_plus(p) : strdup(p);
            if (!d || add_prefix(l, d) < 0) {
                free(d);
                goto nomem;
            }
        }
    }
    const char *trunc = md_xml_text(root, "IsTruncated");
    l->truncated = trunc && !strcmp(trunc, "true");
    free(l->next_token);
    l->next_token = NULL;
    const char *next = md_xml_text(root, "NextContinuationToken");
    if (next && *next && !(l->next_token = strdup(next)))
        goto nomem;
    l->pages++;
    md_xml_free(root);
    return MD_OK;
nomem:
    md_xml_free(root);
    return md_err_set(err, MD_ERR_NOMEM, "out of memory");
}

md_status md_s3_list_page(struct md_aws_client *c, const char *bucket, const char *prefix,
                          const char *delimiter, const char *token, int max_keys,
                          struct md_s3_list *l, struct md_err *err)
{
    /* Query parameters in any order: the signer sorts them. */
    struct md_buf q = MD_BUF_INIT;
    int rc = md_buf_puts(&q, "list-type=2&encoding-type=url");
    if (prefix && *prefix) {
        rc |= md_buf_puts(&q, "&prefix=");
        rc |= md_uri_encode(&q, prefix, strlen(prefix), false);
    }
    if (delimiter && *delimiter) {
        rc |= md_buf_puts(&q, "&delimiter=");
        rc |= md_uri_encode(&q, delimiter, strlen(delimiter), false);
    }
    if (token && *token) {
        rc |= md_buf_puts(&q, "&continuation-token=");
        rc |= md_uri_encode(&q, token, strlen(token), false);
    }
    if (max_keys > 0)
        rc |= md_buf_printf(&q, "&max-keys=%d", max_keys);
    if (rc) {
        md_buf_free(&q);
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    struct md_http_response resp = {0};
    md_status st = do_request(c, "GET", bucket, NULL, q.data, NULL, NULL, NULL, 0, false, &resp,
                              err);
    md_buf_free(&q);
    if (st == MD_OK)
        st = md_s3_parse_list(resp.body.data, resp.body.len, l, err);
    else
        md_err_wrap(err, "listing s3://%s/%s", bucket, prefix ? prefix : "");
    md_http_response_free(&resp);
    return st;
}

md_status md_s3_list_all(struct md_aws_client *c, const char *bucket, const char *prefix,
                         const char *delimiter, int max_keys, int max_pages,
                         struct md_s3_list *l, struct md_err *err)
{
    char *token = NULL;
    for (;;) {
        md_status st = md_s3_list_page(c, bucket, prefix, delimiter, token, max_keys, l, err);
        free(token);
        token = NULL;
        if (st != MD_OK)
            return st;
        if (!l->truncated || !l->next_token)
            return MD_OK;
        if (max_pages > 0 && l->pages >= max_pages)
            return MD_OK;
        token = strdup(l->next_token);
        if (!token)
            return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
}

md_status md_s3_get_object(struct md_aws_client *c, const char *bucket, const char *key,
                           const char *range, struct md_http_response *resp, struct md_err *err)
{
    md_status st = do_request(c, "GET", bucket, key, NULL, range, NULL, NULL, 0, false, resp, err);
    if (st != MD_OK)
        md_err_wrap(err, "s3://%s/%s", bucket, key);
    return st;
}

md_status md_s3_head_object(struct md_aws_client *c, const char *bucket, const char *key,
                            struct md_http_response *resp, struct md_err *err)
{
    md_status st = do_request(c, "HEAD", bucket, key, NULL, NULL, NULL, NULL, 0, false, resp, err);
    if (st != MD_OK)
        md_err_wrap(err, "s3://%s/%s", bucket, key);
    return st;
}

md_status md_s3_put_object(struct md_aws_client *c, const char *bucket, const char *key,
                           const void *data, size_t n, const char *content_type,
                           bool unsigned_payload, struct md_http_response *resp,
                           struct md_err *err)
{
    md_status st = do_request(c, "PUT", bucket, key, NULL, NULL, content_type, data, n,
                              unsigned_payload, resp, err);
    if (st != MD_OK)
        md_err_wrap(err, "s3://%s/%s", bucket, key);
    return st;
}

md_status md_s3_presign_get(struct md_aws_client *c, const char *bucket, const char *key,
                            long expires, char **url, struct md_err *err)
{
    *url = NULL;
    struct md_aws_creds fresh;
    const struct md_aws_creds *creds = c->creds;
    memset(&fresh, 0, sizeof fresh);
    if (c->get_creds) {
        md_status st = c->get_creds(c->creds_ctx, &fresh, err);
        if (st != MD_OK)
            return st;
        creds = &fresh;
    }
    char *plain = md_s3_object_url(c, bucket, key);
    if (!plain) {
        md_aws_creds_wipe(&fresh);
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    struct md_sigv4_params p = {.service = c->service ? c->service : "s3", .region = c->region,
                                .creds = creds};
    md_status st = md_sigv4_presign("GET", plain, &p, expires, url, err);
    free(plain);
    md_aws_creds_wipe(&fresh);
    return st;
}
