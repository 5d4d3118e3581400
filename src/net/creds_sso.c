/* SSO: the token `aws sso login` cached, then the portal's
 * GetRoleCredentials (botocore SSOProvider / SSOTokenLoader). */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/creds_int.h"
#include "net/retry.h"
#include "util/json.h"

bool md_sso_cache_path(const char *key, char *out, size_t n)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (!EVP_Digest(key, strlen(key), md, &mdlen, EVP_sha1(), NULL))
        return false;
    char hex[2 * EVP_MAX_MD_SIZE + 1];
    for (unsigned i = 0; i < mdlen; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    char dir[1024];
    if (!md_expand_path("~/.aws/sso/cache", dir, sizeof dir))
        return false;
    int w = snprintf(out, n, "%s/%s.json", dir, hex);
    return w > 0 && (size_t)w < n;
}

static md_status login_hint(struct md_cred_node *n, struct md_err *err, const char *what)
{
    return md_err_set(err, MD_ERR_AUTH, "%s: run aws sso login --profile %s", what, n->profile);
}

/* Reads the cached access token into tok (n bytes). */
static md_status load_token(struct md_cred_node *n, char *tok, size_t tn, struct md_err *err)
{
    const char *key = n->sso_session ? n->sso_session : n->sso_start_url;
    char path[1200];
    if (!md_sso_cache_path(key, path, sizeof path))
        return md_err_set(err, MD_ERR_AUTH, "cannot name the SSO token cache file");
    struct md_err jerr;
    cJSON *j = md_json_load_file(path, &jerr);
    if (!j) {
        char what[1400];
        snprintf(what, sizeof what, "no usable SSO token for %s%s in %s",
                 n->sso_session ? "sso-session " : "", key, path);
        return login_hint(n, err, what);
    }
    const char *access = md_json_str(j, "$.accessToken", NULL);
    const char *exp = md_json_str(j, "$.expiresAt", NULL);
    md_status st = MD_OK;
    if (!access || !*access || !exp) {
        st = login_hint(n, err, "the cached SSO token has no accessToken or expiresAt");
    } else {
        time_t t = md_creds_parse_time(exp);
        if (t == (time_t)-1)
            st = login_hint(n, err, "the cached SSO token has a malformed expiresAt");
        else if (t <= md_creds_now(n->prov))
            st = login_hint(n, err, "the SSO session has expired");
        else if (!md_creds_copy(tok, tn, access))
            st = md_err_set(err, MD_ERR_AUTH, "the cached SSO token is too long");
    }
    cJSON *a = cJSON_GetObjectItemCaseSensitive(j, "accessToken");
    if (cJSON_IsString(a) && a->valuestring)
        memset(a->valuestring, 0, strlen(a->valuestring));
    cJSON_Delete(j);
    return st;
}

md_status md_creds_fetch_sso(struct md_cred_node *n, struct md_aws_creds *out, struct md_err *err)
{
    char token[8192];
    md_status st = load_token(n, token, sizeof token, err);
    if (st != MD_OK)
        return st;
    struct md_buf url = MD_BUF_INIT;
    md_buf_printf(&url, "%s/federation/credentials?", n->sso_url);
    md_form_append(&url, "role_name", n->sso_role_name);
    md_buf_puts(&url, "&");
    md_form_append(&url, "account_id", n->sso_account_id);
    struct md_http_request req;
    struct md_http_response resp = {0};
    if (!url.data || md_http_request_init(&req, "GET", url.data) < 0) {
        md_buf_free(&url);
        memset(token, 0, sizeof token);
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    md_buf_free(&url);
    req.secret_body = true;
    md_headers_add(&req.headers, "x-amz-sso_bearer_token", token);
    memset(token, 0, sizeof token);
    struct md_http_opts o;
    md_creds_http_opts(n->prov, &o);
    /* The debug trace does not know x-amz-sso_bearer_token as a secret
     * header (util/log.c): keep this one request out of it. */
    o.debug = false;
    o.trace = NULL;
    st = md_http_perform(NULL, &req, &o, &resp, err);
    md_http_request_free(&req);
    if (st == MD_OK && (resp.status < 200 || resp.status > 299)) {
        md_aws_error_parse(&resp, err);
        if (resp.status == 401 || resp.status == 403 ||
            !strcmp(err->svc_code, "UnauthorizedException"))
            st = login_hint(n, err, "the SSO session is expired or invalid");
        else
            st = md_err_wrap(err, "SSO GetRoleCredentials for role %s in account %s",
                             n->sso_role_name, n->sso_account_id);
    } else if (st == MD_OK) {
        struct md_err perr;
        cJSON *j = md_json_parse(resp.body.data ? resp.body.data : "", resp.body.len, &perr);
        const char *ak = md_json_str(j, "$.roleCredentials.accessKeyId", NULL);
        const char *sk = md_json_str(j, "$.roleCredentials.secretAccessKey", NULL);
        const char *tok = md_json_str(j, "$.roleCredentials.sessionToken", NULL);
        double exp = md_json_num(j, "$.roleCredentials.expiration", -1);
        if (!ak || !sk || !*ak || !*sk)
            st = md_err_set(err, MD_ERR_AUTH, "SSO GetRoleCredentials: no roleCredentials in the "
                            "reply");
        else if (!md_creds_copy(out->access_key_id, sizeof out->access_key_id, ak) ||
                 !md_creds_copy(out->secret_access_key, sizeof out->secret_access_key, sk) ||
                 !md_creds_copy(out->session_token, sizeof out->session_token, tok ? tok : ""))
            st = md_err_set(err, MD_ERR_AUTH, "SSO GetRoleCredentials: a value is too long");
        else if (exp > 0)
            out->expiration = (time_t)(exp / 1000);   /* epoch milliseconds */
        cJSON_Delete(j);
    } else {
        md_err_wrap(err, "SSO portal %s", n->sso_url);
    }
    if (resp.body.data)
        memset(resp.body.data, 0, resp.body.cap);
    md_http_response_free(&resp);
    return st;
}
