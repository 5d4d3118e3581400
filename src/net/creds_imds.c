/* EC2 instance metadata, IMDSv2: PUT a session token (TTL header), then the
 * role name, then its credentials (botocore IMDSFetcher /
 * InstanceMetadataFetcher).  Short timeouts so a laptop without IMDS does
 * not hang. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/creds_int.h"
#include "net/region.h"

#define TOKEN_TTL "21600"

struct imds {
    const char *endpoint;
    long timeout_s;
    int attempts;
    bool v1_disabled;
    bool insecure, debug;
};

static void imds_opts(const struct imds *m, struct md_http_opts *o)
{
    md_http_opts_init(o);
    o->connect_timeout_ms = m->timeout_s * 1000;
    o->timeout_ms = m->timeout_s * 1000 + 1000;
    o->debug = m->debug;
    o->max_body = 1 << 20;
}

/* One request with the configured number of attempts on connection
 * failures and 5xx.  resp is filled on MD_OK. */
static md_status imds_request(const struct imds *m, const char *method, const char *path,
                              const char *token, struct md_http_response *resp,
                              struct md_err *err)
{
    char url[512];
    snprintf(url, sizeof url, "%s%s", m->endpoint, path);
    struct md_http_request req;
    if (md_http_request_init(&req, method, url) < 0)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    req.secret_body = true;
    if (!strcmp(method, "PUT"))
        md_headers_add(&req.headers, "x-aws-ec2-metadata-token-ttl-seconds", TOKEN_TTL);
    if (token && *token)
        md_headers_add(&req.headers, "x-aws-ec2-metadata-token", token);
    struct md_http_opts o;
    imds_opts(m, &o);
    md_status st = MD_ERR_NET;
    for (int i = 0; i < m->attempts; i++) {
        md_http_response_reset(resp);
        st = md_http_perform(NULL, &req, &o, resp, err);
        if (st == MD_OK && resp->status < 500)
            break;
        if (st == MD_ERR_CANCELLED)
            break;
    }
    md_http_request_free(&req);
    if (st == MD_OK && resp->status >= 500)
        st = md_err_set(err, MD_ERR_HTTP, "instance metadata %s answered HTTP %d", path,
                        resp->status);
    return st;
}

/* The session token, or "" when the service does not do IMDSv2 and v1 is
 * allowed. */
static md_status imds_token(const struct imds *m, char *tok, size_t n, struct md_err *err)
{
    tok[0] = '\0';
    struct md_http_response resp = {0};
    md_status st = imds_request(m, "PUT", "/latest/api/token", NULL, &resp, err);
    if (st != MD_OK) {
        md_http_response_free(&resp);
        return md_err_wrap(err, "EC2 instance metadata at %s not reachable", m->endpoint);
    }
    if (resp.status == 200 && resp.body.len > 0 && resp.body.len < n) {
        memcpy(tok, resp.body.data, resp.body.len);
        tok[resp.body.len] = '\0';
    } else if (resp.status == 400) {
        st = md_err_set(err, MD_ERR_AUTH, "instance metadata refused the token request (HTTP 400)");
    } else if (m->v1_disabled) {
        st = md_err_set(err, MD_ERR_AUTH,
                        "instance metadata gave no IMDSv2 token (HTTP %d) and IMDSv1 is disabled",
                        resp.status);
    }
    if (resp.body.data)
        memset(resp.body.data, 0, resp.body.cap);
    md_http_response_free(&resp);
    return st;
}

static void imds_from_provider(const struct md_creds_provider *p, struct imds *m)
{
    m->endpoint = p->imds_endpoint;
    m->timeout_s = p->imds_timeout_s > 0 ? p->imds_timeout_s : 1;
    m->attempts = p->imds_attempts > 0 ? p->imds_attempts : 1;
    m->v1_disabled = p->imds_v1_disabled;
    m->insecure = p->opts.insecure;
    m->debug = p->opts.debug;
}

md_status md_creds_fetch_imds(struct md_cred_node *n, struct md_aws_creds *out,
                              struct md_err *err)
{
    struct imds m;
    imds_from_provider(n->prov, &m);
    char token[512];
    md_status st = imds_token(&m, token, sizeof token, err);
    if (st != MD_OK)
        return st;
    struct md_http_response resp = {0};
    st = imds_request(&m, "GET", "/latest/meta-data/iam/security-credentials/", token, &resp, err);
    char role[256] = "";
    if (st == MD_OK && resp.status == 200 && resp.body.len) {
        size_t l = strcspn(resp.body.data, "\r\n");
        if (l > 0 && l < sizeof role) {
            memcpy(role, resp.body.data, l);
            role[l] = '\0';
        }
    }
    if (st == MD_OK && !role[0])
        st = md_err_set(err, MD_ERR_AUTH, "this EC2 instance has no IAM role (instance metadata "
                        "answered HTTP %d)", resp.status);
    md_http_response_free(&resp);
    if (st != MD_OK) {
        memset(token, 0, sizeof token);
        return st;
    }
    /* The role name goes into the path: refuse anything that would change it. */
    if (strchr(role, '/') || strchr(role, '?') || strchr(role, '#') || strstr(role, "..")) {
        memset(token, 0, sizeof token);
        return md_err_set(err, MD_ERR_AUTH, "instance metadata gave an odd role name");
    }
    char path[400];
    snprintf(path, sizeof path, "/latest/meta-data/iam/security-credentials/%s", role);
    struct md_http_response cr = {0};
    st = imds_request(&m, "GET", path, token, &cr, err);
    memset(token, 0, sizeof token);
    if (st == MD_OK && cr.status != 200)
        st = md_err_set(err, MD_ERR_AUTH, "instance metadata: credentials of role %s: HTTP %d",
                        role, cr.status);
    if (st == MD_OK)
        st = md_creds_from_json(cr.body.data ? cr.body.data : "", cr.body.len, "$.Token",
                                "instance metadata credentials", false, out, err);
    if (cr.body.data)
        memset(cr.body.data, 0, cr.body.cap);
    md_http_response_free(&cr);
    if (st == MD_OK && out->expiration) {
        /* Static stability (botocore _evaluate_expiration): credentials that
         * are stale or about to be are used a while longer rather than
         * failing every call while IMDS is unwell. */
        long adv = n->prov->opts.mandatory_refresh_s > 0 ? n->prov->opts.mandatory_refresh_s : 600;
        long jitter = adv / 5 + (long)(random() % (adv - adv / 5 + 1));
        time_t now = md_creds_now(n->prov);
        if (now >= out->expiration - (adv + jitter))
            out->expiration = now + adv + jitter;
    }
    return st;
}

md_status md_imds_region(void *curl, const struct md_awsconfig *cfg, const char *profile,
                         char *out, size_t n, struct md_err *err)
{
    (void)curl;
    out[0] = '\0';
    /* Same settings as the credential provider, without building one. */
    struct md_creds_provider p;
    memset(&p, 0, sizeof p);
    snprintf(p.profile, sizeof p.profile, "%s", profile ? profile : "default");
    const char *v = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    if ((!v || !*v) && cfg)
        v = md_awsconfig_get(cfg, p.profile, "ec2_metadata_service_endpoint", NULL);
    snprintf(p.imds_endpoint, sizeof p.imds_endpoint, "%s",
             v && *v ? v : "http://169.254.169.254");
    size_t l = strlen(p.imds_endpoint);
    while (l > 0 && p.imds_endpoint[l - 1] == '/')
        p.imds_endpoint[--l] = '\0';
    v = getenv("AWS_METADATA_SERVICE_TIMEOUT");
    p.imds_timeout_s = v && atol(v) > 0 ? atol(v) : 1;
    p.imds_attempts = 1;
    struct imds m;
    imds_from_provider(&p, &m);
    char token[512];
    md_status st = imds_token(&m, token, sizeof token, err);
    if (st != MD_OK)
        return st;
    struct md_http_response resp = {0};
    st = imds_request(&m, "GET", "/latest/meta-data/placement/region", token, &resp, err);
    memset(token, 0, sizeof token);
    if (st == MD_OK && resp.status == 200 && resp.body.len > 0 && resp.body.len < n) {
        memcpy(out, resp.body.data, resp.body.len);
        out[resp.body.len] = '\0';
        out[strcspn(out, "\r\n \t")] = '\0';
        if (!md_region_valid(out)) {
            out[0] = '\0';
            st = md_err_set(err, MD_ERR_PARSE, "instance metadata gave a malformed region");
        }
    } else if (st == MD_OK) {
        st = md_err_set(err, MD_ERR_NOTFOUND, "instance metadata has no region (HTTP %d)",
                        resp.status);
    }
    md_http_response_free(&resp);
    return st;
}
