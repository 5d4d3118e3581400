/* STS over the query protocol: AssumeRole (signed with the source
 * credentials), AssumeRoleWithWebIdentity (unsigned) and GetCallerIdentity. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/creds_int.h"
#include "net/endpoint.h"
#include "net/region.h"
#include "net/retry.h"
#include "net/xml.h"

int md_form_append(struct md_buf *b, const char *name, const char *value)
{
    static const char hex[] = "0123456789ABCDEF";
    const char *parts[2] = {name, value};
    for (int k = 0; k < 2; k++) {
        if (k == 1 && md_buf_puts(b, "=") < 0)
            return -1;
        for (const unsigned char *p = (const unsigned char *)parts[k]; *p; p++) {
            if (isalnum(*p) || *p == '-' || *p == '_' || *p == '.' || *p == '~') {
                if (md_buf_append(b, p, 1) < 0)
                    return -1;
            } else {
                char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
                if (md_buf_append(b, e, 3) < 0)
                    return -1;
            }
        }
    }
    return 0;
}

static int form_add(struct md_buf *b, const char *name, const char *value)
{
    if (b->len && md_buf_puts(b, "&") < 0)
        return -1;
    return md_form_append(b, name, value);
}

/* Sends an STS query call; on success *root is the parsed reply. */
static md_status sts_call(const char *url, const char *region, const struct md_aws_creds *creds,
                          const struct md_creds_provider *p, const struct md_buf *body,
                          struct md_xml **root, char *request_id, size_t rn, struct md_err *err)
{
    *root = NULL;
    struct md_buf u = MD_BUF_INIT;
    md_buf_printf(&u, "%s/", url);
    struct md_http_request req;
    if (!u.data || md_http_request_init(&req, "POST", u.data) < 0) {
        md_buf_free(&u);
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    md_buf_free(&u);
    req.secret_body = true;
    md_headers_add(&req.headers, "Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
    md_http_request_set_body(&req, body->data, body->len);
    struct md_aws_target t = {.service = "sts", .region = region, .creds = creds};
    struct md_http_opts o;
    md_creds_http_opts(p, &o);
    struct md_http_response resp = {0};
    md_status st = md_aws_send(NULL, &req, &t, &o, NULL, &resp, NULL, err);
    md_http_request_free(&req);
    if (st == MD_OK) {
        st = md_xml_parse(resp.body.data ? resp.body.data : "", resp.body.len, root, err);
        if (st != MD_OK)
            md_err_wrap(err, "STS reply");
    }
    if (request_id) {
        const char *rid = md_headers_get(&resp.headers, "x-amzn-RequestId");
        if (!rid && *root)
            rid = md_xml_text(*root, "ResponseMetadata/RequestId");
        snprintf(request_id, rn, "%s", rid ? rid : "");
    }
    if (resp.body.data)
        memset(resp.body.data, 0, resp.body.cap);
    md_http_response_free(&resp);
    return st;
}

static md_status creds_from_xml(const struct md_xml *root, const char *result,
                                struct md_aws_creds *out, struct md_err *err)
{
    char path[128];
    snprintf(path, sizeof path, "%s/Credentials", result);
    const struct md_xml *c = md_xml_find(root, path);
    const char *ak = md_xml_text(c, "AccessKeyId");
    const char *sk = md_xml_text(c, "SecretAccessKey");
    const char *tok = md_xml_text(c, "SessionToken");
    const char *exp = md_xml_text(c, "Expiration");
    if (!c || !ak || !sk || !*ak || !*sk)
        return md_err_set(err, MD_ERR_AUTH, "STS reply has no %s", path);
    if (!md_creds_copy(out->access_key_id, sizeof out->access_key_id, ak) ||
        !md_creds_copy(out->secret_access_key, sizeof out->secret_access_key, sk) ||
        !md_creds_copy(out->session_token, sizeof out->session_token, tok ? tok : ""))
        return md_err_set(err, MD_ERR_AUTH, "STS reply: a credential value is too long");
    if (exp) {
        out->expiration = md_creds_parse_time(exp);
        if (out->expiration == (time_t)-1)
            return md_err_set(err, MD_ERR_AUTH, "STS reply: malformed Expiration");
    }
    return MD_OK;
}

/* Blanks every text in the XML tree (it holds the secret) before it is
 * freed. */
static void xml_free_wiped(struct md_xml *x)
{
    for (; x; x = x->next) {
        if (x->text && *x->text)
            memset(x->text, 0, strlen(x->text));
        xml_free_wiped(x->child);
    }
}

static void session_name(const struct md_cred_node *n, char *out, size_t sz)
{
    if (n->session_name && *n->session_name)
        snprintf(out, sz, "%s", n->session_name);
    else
        snprintf(out, sz, "mldeck-session-%lld", (long long)md_creds_now(n->prov));
}

md_status md_creds_fetch_assume_role(struct md_cred_node *n, struct md_aws_creds *out,
                                     struct md_err *err)
{
    struct md_aws_creds src;
    md_status st = md_cred_node_get(n->source, &src, err);
    if (st != MD_OK)
        return md_err_wrap(err, "source credentials for role %s (%s)", n->role_arn,
                           n->source->method);
    char name[128], num[32], code[64] = "";
    session_name(n, name, sizeof name);
    if (n->mfa_serial) {
        if (!n->prov->opts.mfa_prompt) {
            md_aws_creds_wipe(&src);
            return md_err_set(err, MD_ERR_AUTH,
                              "profile %s needs an MFA code for %s but nothing can ask for it",
                              n->profile, n->mfa_serial);
        }
        st = n->prov->opts.mfa_prompt(n->prov->opts.mfa_ctx, n->profile, n->mfa_serial, code,
                                      sizeof code, err);
        if (st != MD_OK) {
            md_aws_creds_wipe(&src);
            return st;
        }
    }
    struct md_buf body = MD_BUF_INIT;
    int bad = form_add(&body, "Action", "AssumeRole");
    bad |= form_add(&body, "Version", "2011-06-15");
    bad |= form_add(&body, "RoleArn", n->role_arn);
    bad |= form_add(&body, "RoleSessionName", name);
    if (n->duration_seconds > 0) {
        snprintf(num, sizeof num, "%ld", n->duration_seconds);
        bad |= form_add(&body, "DurationSeconds", num);
    }
    if (n->external_id)
        bad |= form_add(&body, "ExternalId", n->external_id);
    if (n->mfa_serial) {
        bad |= form_add(&body, "SerialNumber", n->mfa_serial);
        bad |= form_add(&body, "TokenCode", code);
    }
    memset(code, 0, sizeof code);
    struct md_xml *root = NULL;
    if (bad)
        st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
    else
        st = sts_call(n->sts_url, n->sts_region, &src, n->prov, &body, &root, NULL, 0, err);
    md_aws_creds_wipe(&src);
    md_buf_free(&body);
    if (st == MD_OK)
        st = creds_from_xml(root, "AssumeRoleResult", out, err);
    if (st != MD_OK && err->code != MD_ERR_NOMEM)
        md_err_wrap(err, "AssumeRole %s", n->role_arn);
    xml_free_wiped(root);
    md_xml_free(root);
    return st;
}

md_status md_creds_fetch_web_identity(struct md_cred_node *n, struct md_aws_creds *out,
                                      struct md_err *err)
{
    /* The token file is read on every refresh: Kubernetes rotates it. */
    FILE *f = fopen(n->token_file, "rb");
    if (!f)
        return md_err_set(err, MD_ERR_AUTH, "web identity token file %s: cannot read it",
                          n->token_file);
    struct md_buf tok = MD_BUF_INIT;
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0 && tok.len < (1 << 20))
        md_buf_append(&tok, chunk, got);
    fclose(f);
    memset(chunk, 0, sizeof chunk);
    if (!tok.data || !tok.len) {
        md_buf_free(&tok);
        return md_err_set(err, MD_ERR_AUTH, "web identity token file %s is empty", n->token_file);
    }
    char name[128];
    session_name(n, name, sizeof name);
    struct md_buf body = MD_BUF_INIT;
    int bad = form_add(&body, "Action", "AssumeRoleWithWebIdentity");
    bad |= form_add(&body, "Version", "2011-06-15");
    bad |= form_add(&body, "RoleArn", n->role_arn);
    bad |= form_add(&body, "RoleSessionName", name);
    bad |= form_add(&body, "WebIdentityToken", tok.data);
    memset(tok.data, 0, tok.cap);
    md_buf_free(&tok);
    struct md_xml *root = NULL;
    md_status st;
    if (bad)
        st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
    else
        st = sts_call(n->sts_url, n->sts_region, NULL, n->prov, &body, &root, NULL, 0, err);
    if (body.data)
        memset(body.data, 0, body.cap);
    md_buf_free(&body);
    if (st == MD_OK)
        st = creds_from_xml(root, "AssumeRoleWithWebIdentityResult", out, err);
    if (st != MD_OK && err->code != MD_ERR_NOMEM)
        md_err_wrap(err, "AssumeRoleWithWebIdentity %s", n->role_arn);
    xml_free_wiped(root);
    md_xml_free(root);
    return st;
}

md_status md_sts_get_caller_identity(struct md_creds_provider *p, const struct md_settings *s,
                                     const struct md_awsconfig *cfg, const char *region,
                                     struct md_caller_identity *out, struct md_err *err)
{
    memset(out, 0, sizeof *out);
    struct md_endpoint ep;
    md_status st = md_endpoint_resolve("sts", region, s ? s->endpoint_url : NULL, cfg, p->profile,
                                       &ep, err);
    if (st != MD_OK)
        return st;
    struct md_aws_creds c;
    st = md_creds_get(p, &c, err);
    if (st != MD_OK)
        return st;
    struct md_buf body = MD_BUF_INIT;
    int bad = form_add(&body, "Action", "GetCallerIdentity");
    bad |= form_add(&body, "Version", "2011-06-15");
    struct md_xml *root = NULL;
    if (bad)
        st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
    else
        st = sts_call(ep.url, region, &c, p, &body, &root, out->request_id,
                      sizeof out->request_id, err);
    md_aws_creds_wipe(&c);
    md_buf_free(&body);
    if (st == MD_OK) {
        const struct md_xml *r = md_xml_find(root, "GetCallerIdentityResult");
        const char *acct = md_xml_text(r, "Account");
        const char *arn = md_xml_text(r, "Arn");
        const char *uid = md_xml_text(r, "UserId");
        if (!r || !acct || !arn)
            st = md_err_set(err, MD_ERR_PARSE, "STS GetCallerIdentity reply has no Account/Arn");
        else {
            snprintf(out->account, sizeof out->account, "%s", acct);
            snprintf(out->arn, sizeof out->arn, "%s", arn);
            snprintf(out->user_id, sizeof out->user_id, "%s", uid ? uid : "");
        }
    }
    md_xml_free(root);
    return st;
}
