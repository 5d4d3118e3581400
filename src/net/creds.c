/* The credential chain (which source applies) and the per-source cache with
 * refresh-before-expiry.  The sources themselves live in creds_<name>.c. */
#include "net/creds.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "net/creds_int.h"
#include "net/endpoint.h"
#include "net/region.h"
#include "util/json.h"
#include "util/log.h"

#define ADVISORY_REFRESH_S 900   /* botocore _DEFAULT_ADVISORY_REFRESH_TIMEOUT */
#define MANDATORY_REFRESH_S 600  /* botocore _DEFAULT_MANDATORY_REFRESH_TIMEOUT */
/* Credentials fetched less than this long ago are not fetched again while
 * they are valid, even inside a refresh window: a source that hands out
 * short-lived credentials must not be called by every request. */
#define MIN_REFETCH_S 5
/* A laptop has no instance metadata: after one failed attempt, say so at
 * once for a minute instead of making every worker wait for the timeout. */
#define IMDS_UNREACHABLE_S 60

time_t md_creds_now(const struct md_creds_provider *p)
{
    if (p && p->opts.now)
        return p->opts.now(p->opts.now_ctx);
    return time(NULL);
}

bool md_creds_copy(char *dst, size_t n, const char *src)
{
    size_t l = src ? strlen(src) : 0;
    if (l >= n) {
        dst[0] = '\0';
        return false;
    }
    memcpy(dst, src ? src : "", l + 1);
    return true;
}

void md_creds_http_opts(const struct md_creds_provider *p, struct md_http_opts *o)
{
    md_http_opts_init(o);
    o->insecure = p->opts.insecure;
    o->debug = p->opts.debug;
    o->connect_timeout_ms = 5000;
    o->timeout_ms = 30000;
    o->max_body = 1 << 20;
    if (p->ca_bundle[0])
        o->ca_bundle = p->ca_bundle;
}

/* ---- time ------------------------------------------------------------- */

static int digits(const char **p, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)**p))
            return -1;
        v = v * 10 + (**p - '0');
        (*p)++;
    }
    return v;
}

time_t md_creds_parse_time(const char *s)
{
    if (!s)
        return -1;
    while (isspace((unsigned char)*s))
        s++;
    const char *p = s;
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    int y = digits(&p, 4);
    if (y < 1970 || *p++ != '-')
        return -1;
    int mo = digits(&p, 2);
    if (mo < 1 || mo > 12 || *p++ != '-')
        return -1;
    int d = digits(&p, 2);
    if (d < 1 || d > 31 || (*p != 'T' && *p != 't' && *p != ' '))
        return -1;
    p++;
    int h = digits(&p, 2);
    if (h < 0 || h > 23 || *p++ != ':')
        return -1;
    int mi = digits(&p, 2);
    if (mi < 0 || mi > 59)
        return -1;
    int sec = 0;
    if (*p == ':') {
        p++;
        sec = digits(&p, 2);
        if (sec < 0 || sec > 60)
            return -1;
        if (*p == '.' || *p == ',') {
            p++;
            if (!isdigit((unsigned char)*p))
                return -1;
            while (isdigit((unsigned char)*p))
                p++;
        }
    }
    long off = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1;
        p++;
        int oh = digits(&p, 2);
        if (oh < 0 || oh > 23)
            return -1;
        if (*p == ':')
            p++;
        int om = digits(&p, 2);
        if (om < 0 || om > 59)
            return -1;
        off = sign * (oh * 3600L + om * 60L);
    } else if (!strncasecmp(p, "UTC", 3) || !strncasecmp(p, "GMT", 3)) {
        p += 3;
    }
    while (isspace((unsigned char)*p))
        p++;
    if (*p)
        return -1;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    time_t t = timegm(&tm);
    if (t == (time_t)-1)
        return -1;
    t -= off;
    /* 0 means "never expires" in md_aws_creds: the epoch itself (a broken
     * helper printing 1970-01-01) must read as long expired instead. */
    return t > 0 ? t : 1;
}

/* ---- the cache -------------------------------------------------------- */

static md_status node_fetch(struct md_cred_node *n, struct md_aws_creds *out, struct md_err *err)
{
    memset(out, 0, sizeof *out);
    switch (n->kind) {
    case MD_CK_STATIC:
        return md_err_set(err, MD_ERR_INTERNAL, "static credentials are never fetched");
    case MD_CK_ENV: {
        const char *ak = getenv("AWS_ACCESS_KEY_ID"), *sk = getenv("AWS_SECRET_ACCESS_KEY");
        if (!ak || !*ak)
            return md_err_set(err, MD_ERR_AUTH, "AWS_ACCESS_KEY_ID is not set");
        if (!sk || !*sk)
            return md_err_set(err, MD_ERR_AUTH,
                              "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
        const char *tok = getenv("AWS_SECURITY_TOKEN");
        if (!tok || !*tok)
            tok = getenv("AWS_SESSION_TOKEN");
        if (!md_creds_copy(out->access_key_id, sizeof out->access_key_id, ak) ||
            !md_creds_copy(out->secret_access_key, sizeof out->secret_access_key, sk) ||
            !md_creds_copy(out->session_token, sizeof out->session_token, tok && *tok ? tok : ""))
            return md_err_set(err, MD_ERR_AUTH, "AWS credential environment variable too long");
        const char *exp = getenv("AWS_CREDENTIAL_EXPIRATION");
        if (exp && *exp) {
            out->expiration = md_creds_parse_time(exp);
            if (out->expiration == (time_t)-1)
                return md_err_set(err, MD_ERR_AUTH, "AWS_CREDENTIAL_EXPIRATION is not an ISO 8601 "
                                  "time");
        }
        return MD_OK;
    }
    case MD_CK_ASSUME_ROLE:
        return md_creds_fetch_assume_role(n, out, err);
    case MD_CK_WEB_IDENTITY:
        return md_creds_fetch_web_identity(n, out, err);
    case MD_CK_SSO:
        return md_creds_fetch_sso(n, out, err);
    case MD_CK_PROCESS:
        return md_creds_fetch_process(n, out, err);
    case MD_CK_CONTAINER:
        return md_creds_fetch_container(n, out, err);
    case MD_CK_IMDS:
        return md_creds_fetch_imds(n, out, err);
    }
    return md_err_set(err, MD_ERR_INTERNAL, "unknown credential source");
}

static void windows(const struct md_creds_provider *p, long *adv, long *mand)
{
    *adv = p->opts.advisory_refresh_s > 0 ? p->opts.advisory_refresh_s : ADVISORY_REFRESH_S;
    *mand = p->opts.mandatory_refresh_s > 0 ? p->opts.mandatory_refresh_s : MANDATORY_REFRESH_S;
    if (*mand > *adv)
        *mand = *adv;
}

/* Runs one fetch with the lock released; the caller set n->refreshing. */
static md_status refresh_unlocked(struct md_cred_node *n, struct md_aws_creds *fresh,
                                  struct md_err *err)
{
    pthread_mutex_unlock(&n->mu);
    md_status st = node_fetch(n, fresh, err);
    if (st == MD_OK && fresh->expiration) {
        time_t now = md_creds_now(n->prov);
        if (fresh->expiration <= now)
            st = md_err_set(err, MD_ERR_AUTH, "%s returned credentials that have already expired",
                            n->method);
    }
    if (st != MD_OK)
        md_aws_creds_wipe(fresh);
    pthread_mutex_lock(&n->mu);
    n->refreshing = false;
    n->fetches++;
    if (st == MD_OK) {
        n->cur = *fresh;
        n->have = true;
        n->generation++;
        n->fetched_at = md_creds_now(n->prov);
        size_t l = strlen(n->cur.access_key_id);
        /* Only the source, the key's last 4 characters and the expiry. */
        md_log(MD_LOG_INFO, "credentials: %s (%s) key ...%s, expires in %llds", n->method,
               n->detail, l >= 4 ? n->cur.access_key_id + l - 4 : "",
               n->cur.expiration ? (long long)(n->cur.expiration - n->fetched_at) : -1LL);
        n->unreachable_at = 0;
    } else {
        md_log(MD_LOG_WARN, "credentials: %s (%s) failed: %s", n->method, n->detail,
               err ? err->msg : "");
        if (n->kind == MD_CK_IMDS && err && strstr(err->msg, "not reachable")) {
            n->unreachable_at = md_creds_now(n->prov);
            n->unreachable = *err;
        }
    }
    md_aws_creds_wipe(fresh);
    pthread_cond_broadcast(&n->cv);
    return st;
}

md_status md_cred_node_get(struct md_cred_node *n, struct md_aws_creds *out, struct md_err *err)
{
    long adv, mand;
    windows(n->prov, &adv, &mand);
    struct md_aws_creds fresh;
    pthread_mutex_lock(&n->mu);
    unsigned seen = n->generation;
    bool waited = false;
    for (;;) {
        time_t now = md_creds_now(n->prov);
        /* A caller that waited for someone else's refresh takes its result
         * while it is still valid, even inside the mandatory window:
         * otherwise every waiter would refresh again in turn. */
        if (waited && n->have && n->generation != seen &&
            (!n->cur.expiration || now < n->cur.expiration)) {
            *out = n->cur;
            pthread_mutex_unlock(&n->mu);
            return MD_OK;
        }
        bool expires = n->have && n->cur.expiration != 0;
        if (n->have && (!expires || now < n->cur.expiration - adv)) {
            *out = n->cur;
            pthread_mutex_unlock(&n->mu);
            return MD_OK;
        }
        if (n->have && now < n->cur.expiration && now - n->fetched_at < MIN_REFETCH_S) {
            *out = n->cur;
            pthread_mutex_unlock(&n->mu);
            return MD_OK;
        }
        if (n->have && now < n->cur.expiration - mand) {
            /* Advisory window: one caller refreshes, the others carry on
             * with the current credentials; a failure is not fatal yet. */
            if (!n->refreshing) {
                n->refreshing = true;
                struct md_err ignored;
                refresh_unlocked(n, &fresh, &ignored);
            }
            *out = n->cur;
            pthread_mutex_unlock(&n->mu);
            return MD_OK;
        }
        if (n->refreshing) {
            pthread_cond_wait(&n->cv, &n->mu);
            waited = true;
            continue;
        }
        if (!n->have && n->unreachable_at && now - n->unreachable_at < IMDS_UNREACHABLE_S &&
            now >= n->unreachable_at) {
            if (err)
                *err = n->unreachable;
            pthread_mutex_unlock(&n->mu);
            return n->unreachable.code;
        }
        n->refreshing = true;
        md_status st = refresh_unlocked(n, &fresh, err);
        if (st == MD_OK)
            *out = n->cur;
        pthread_mutex_unlock(&n->mu);
        return st;
    }
}

md_status md_creds_get(void *provider, struct md_aws_creds *out, struct md_err *err)
{
    struct md_creds_provider *p = provider;
    memset(out, 0, sizeof *out);
    if (!p)
        return md_err_set(err, MD_ERR_AUTH, "no credential provider");
    if (!p->top)
        return md_err_set(err, MD_ERR_AUTH,
                          "no AWS credentials found for profile %s: set AWS_ACCESS_KEY_ID/"
                          "AWS_SECRET_ACCESS_KEY, add keys, a role, SSO or credential_process to "
                          "the profile (aws configure), or run on EC2/ECS with a role",
                          p->profile);
    md_status st = md_cred_node_get(p->top, out, err);
    if (st != MD_OK && err && p->top->kind == MD_CK_IMDS && strstr(err->msg, "not reachable")) {
        /* IMDS is only the last resort: on a laptop this means "nothing
         * configured", so say that first. */
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err->msg);
        md_err_set(err, MD_ERR_AUTH,
                   "no AWS credentials found for profile %s (and %.300s); configure keys, a role, "
                   "SSO or credential_process, or set AWS_EC2_METADATA_DISABLED=true",
                   p->profile, why);
        return MD_ERR_AUTH;
    }
    if (st != MD_OK && err && err->code != MD_ERR_CANCELLED && err->code != MD_ERR_NOMEM) {
        /* Whatever went wrong, the caller sees a credentials problem. */
        if (err->code != MD_ERR_AUTH && err->code != MD_ERR_NET)
            err->code = MD_ERR_AUTH;
        st = err->code;
    }
    return st;
}

void md_creds_provider_info(struct md_creds_provider *p, struct md_creds_info *out)
{
    memset(out, 0, sizeof *out);
    if (!p || !p->top) {
        snprintf(out->method, sizeof out->method, "none");
        snprintf(out->detail, sizeof out->detail, "no credentials found");
        return;
    }
    struct md_cred_node *n = p->top;
    snprintf(out->method, sizeof out->method, "%s", n->method);
    snprintf(out->detail, sizeof out->detail, "%s", n->detail);
    pthread_mutex_lock(&n->mu);
    if (n->have) {
        out->fetched = true;
        out->expiration = n->cur.expiration;
        size_t l = strlen(n->cur.access_key_id);
        /* As `aws configure list` shows it: only the last four characters. */
        snprintf(out->access_key, sizeof out->access_key, "****************%s",
                 l >= 4 ? n->cur.access_key_id + l - 4 : "");
    }
    out->fetches = n->fetches;
    pthread_mutex_unlock(&n->mu);
}

/* ---- building the chain ----------------------------------------------- */

static char *dupz(const char *s)
{
    return s ? strdup(s) : NULL;
}

static struct md_cred_node *node_new(struct md_creds_provider *p, enum md_cred_kind kind,
                                     const char *method, const char *profile)
{
    struct md_cred_node *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->kind = kind;
    n->prov = p;
    snprintf(n->method, sizeof n->method, "%s", method);
    snprintf(n->profile, sizeof n->profile, "%s", profile ? profile : "");
    pthread_mutex_init(&n->mu, NULL);
    pthread_cond_init(&n->cv, NULL);
    n->next_alloc = p->all;
    p->all = n;
    return n;
}

static void node_free(struct md_cred_node *n)
{
    free(n->role_arn);
    free(n->external_id);
    free(n->session_name);
    free(n->mfa_serial);
    free(n->token_file);
    free(n->sso_start_url);
    free(n->sso_region);
    free(n->sso_account_id);
    free(n->sso_role_name);
    free(n->sso_session);
    free(n->sso_url);
    free(n->process);
    free(n->sts_url);
    free(n->sts_region);
    md_aws_creds_wipe(&n->cur);
    pthread_mutex_destroy(&n->mu);
    pthread_cond_destroy(&n->cv);
    free(n);
}

void md_creds_provider_free(struct md_creds_provider *p)
{
    if (!p)
        return;
    for (struct md_cred_node *n = p->all, *next; n; n = next) {
        next = n->next_alloc;
        node_free(n);
    }
    free(p);
}

/* Everything the builder needs while walking profiles. */
struct build {
    struct md_creds_provider *p;
    const struct md_settings *s;
    const struct md_awsconfig *cfg;
    const char *visited[16];
    int nvisited;
    struct md_err *err;
};

static const char *file_of(const struct md_awsconfig *cfg, enum md_awscfg_file f)
{
    return f == MD_AWSCFG_CONFIG ? cfg->config_path : cfg->credentials_path;
}

static const char *pget(struct build *b, const char *profile, const char *key)
{
    return md_awsconfig_get(b->cfg, profile, key, NULL);
}

static md_status nomem(struct build *b)
{
    return md_err_set(b->err, MD_ERR_NOMEM, "out of memory");
}

/* Static keys from one file, or NULL when that file has none for profile. */
static md_status static_from(struct build *b, const char *profile, enum md_awscfg_file which,
                             struct md_cred_node **out)
{
    *out = NULL;
    const char *ak = md_awsconfig_get_in(b->cfg, which, profile, "aws_access_key_id");
    if (!ak)
        return MD_OK;
    const char *sk = md_awsconfig_get_in(b->cfg, which, profile, "aws_secret_access_key");
    if (!sk)
        return md_err_set(b->err, MD_ERR_AUTH,
                          "profile %s in %s has aws_access_key_id but no aws_secret_access_key",
                          profile, file_of(b->cfg, which));
    /* The legacy name is looked at first, as botocore does. */
    const char *tok = md_awsconfig_get_in(b->cfg, which, profile, "aws_security_token");
    if (!tok)
        tok = md_awsconfig_get_in(b->cfg, which, profile, "aws_session_token");
    struct md_cred_node *n =
        node_new(b->p, MD_CK_STATIC,
                 which == MD_AWSCFG_CONFIG ? "config-file" : "shared-credentials-file", profile);
    if (!n)
        return nomem(b);
    snprintf(n->detail, sizeof n->detail, "profile %s in %s", profile, file_of(b->cfg, which));
    if (!md_creds_copy(n->cur.access_key_id, sizeof n->cur.access_key_id, ak) ||
        !md_creds_copy(n->cur.secret_access_key, sizeof n->cur.secret_access_key, sk) ||
        !md_creds_copy(n->cur.session_token, sizeof n->cur.session_token, tok ? tok : ""))
        return md_err_set(b->err, MD_ERR_AUTH, "profile %s: a credential value is too long",
                          profile);
    n->have = true;
    *out = n;
    return MD_OK;
}

static md_status sts_endpoint(struct build *b, struct md_cred_node *n)
{
    /* The STS client for credentials uses the session's region and the
     * configured endpoints, never --endpoint-url (that is for the command's
     * own client).  Without a region, the global endpoint. */
    struct md_region r;
    struct md_err ignore;
    const char *region = "us-east-1";
    bool global = true;
    if (md_region_resolve_local(b->s, b->cfg, b->p->profile, &r, &ignore) == MD_OK) {
        region = r.name;
        global = false;
    }
    struct md_endpoint ep;
    md_status st = md_endpoint_resolve("sts", region, NULL, b->cfg, b->p->profile, &ep, b->err);
    if (st != MD_OK)
        return st;
    if (global && !ep.custom)
        snprintf(ep.url, sizeof ep.url, "https://sts.amazonaws.com");
    n->sts_url = strdup(ep.url);
    n->sts_region = strdup(region);
    return n->sts_url && n->sts_region ? MD_OK : nomem(b);
}

static md_status web_identity(struct build *b, const char *profile, bool use_env,
                              struct md_cred_node **out)
{
    *out = NULL;
    const char *file = NULL, *arn = NULL, *name = NULL, *v;
    bool from_env = false;
    if (use_env && (v = getenv("AWS_WEB_IDENTITY_TOKEN_FILE"))) {
        file = v;
        from_env = true;
    } else {
        file = pget(b, profile, "web_identity_token_file");
    }
    if (!file || !*file)
        return MD_OK;
    arn = use_env && (v = getenv("AWS_ROLE_ARN")) ? v : pget(b, profile, "role_arn");
    name = use_env && (v = getenv("AWS_ROLE_SESSION_NAME")) ? v
                                                            : pget(b, profile, "role_session_name");
    if (!arn || !*arn)
        return md_err_set(b->err, MD_ERR_AUTH,
                          "web identity is configured (%s) but no role ARN is: set AWS_ROLE_ARN "
                          "or role_arn in profile %s",
                          from_env ? "AWS_WEB_IDENTITY_TOKEN_FILE" : "web_identity_token_file",
                          profile);
    struct md_cred_node *n = node_new(b->p, MD_CK_WEB_IDENTITY, "assume-role-with-web-identity",
                                      profile);
    if (!n)
        return nomem(b);
    char path[1024];
    if (!md_expand_path(file, path, sizeof path))
        return md_err_set(b->err, MD_ERR_INVALID, "web identity token file path too long");
    n->token_file = strdup(path);
    n->role_arn = strdup(arn);
    n->session_name = dupz(name);
    if (!n->token_file || !n->role_arn || (name && !n->session_name))
        return nomem(b);
    snprintf(n->detail, sizeof n->detail, "role %s with the token in %s (%s)", arn, path,
             from_env ? "environment" : "profile");
    *out = n;
    return sts_endpoint(b, n);
}

static const char *const sso_vars[] = {"sso_start_url", "sso_region", "sso_role_name",
                                       "sso_account_id"};

static md_status sso(struct build *b, const char *profile, struct md_cred_node **out)
{
    *out = NULL;
    bool any = false;
    for (size_t i = 0; i < 4; i++)
        any |= pget(b, profile, sso_vars[i]) != NULL;
    if (!any)
        return MD_OK;
    const char *session = pget(b, profile, "sso_session");
    const char *vals[4];
    char missing[160] = "";
    for (size_t i = 0; i < 4; i++) {
        vals[i] = pget(b, profile, sso_vars[i]);
        if (session) {
            if (!md_awsconfig_prefixed_section(b->cfg, "sso-session", session))
                return md_err_set(b->err, MD_ERR_AUTH,
                                  "profile %s: the sso-session %s does not exist in %s", profile,
                                  session, b->cfg->config_path);
            const char *sv = md_awsconfig_sso_session_get(b->cfg, session, sso_vars[i]);
            if (sv && vals[i] && strcmp(sv, vals[i]) != 0)
                return md_err_set(b->err, MD_ERR_AUTH,
                                  "profile %s: %s differs from the one in [sso-session %s]",
                                  profile, sso_vars[i], session);
            if (sv)
                vals[i] = sv;
        }
        if (!vals[i]) {
            size_t l = strlen(missing);
            snprintf(missing + l, sizeof missing - l, "%s%s", l ? ", " : "", sso_vars[i]);
        }
    }
    if (missing[0])
        return md_err_set(b->err, MD_ERR_AUTH,
                          "profile %s is configured to use SSO but is missing: %s", profile,
                          missing);
    struct md_cred_node *n = node_new(b->p, MD_CK_SSO, "sso", profile);
    if (!n)
        return nomem(b);
    n->sso_start_url = strdup(vals[0]);
    n->sso_region = strdup(vals[1]);
    n->sso_role_name = strdup(vals[2]);
    n->sso_account_id = strdup(vals[3]);
    n->sso_session = dupz(session);
    if (!n->sso_start_url || !n->sso_region || !n->sso_role_name || !n->sso_account_id ||
        (session && !n->sso_session))
        return nomem(b);
    if (!md_region_valid(vals[1]))
        return md_err_set(b->err, MD_ERR_AUTH, "profile %s: invalid sso_region '%s'", profile,
                          vals[1]);
    struct md_endpoint ep;
    md_status st = md_endpoint_resolve("sso", vals[1], NULL, b->cfg, b->p->profile, &ep, b->err);
    if (st != MD_OK)
        return st;
    n->sso_url = strdup(ep.url);
    if (!n->sso_url)
        return nomem(b);
    snprintf(n->detail, sizeof n->detail, "role %s in account %s via %s%s", vals[2], vals[3],
             session ? "sso-session " : "", session ? session : vals[0]);
    *out = n;
    return MD_OK;
}

static md_status process(struct build *b, const char *profile, struct md_cred_node **out)
{
    *out = NULL;
    enum md_awscfg_file from;
    const char *cmd = md_awsconfig_get(b->cfg, profile, "credential_process", &from);
    if (!cmd)
        return MD_OK;
    struct md_cred_node *n = node_new(b->p, MD_CK_PROCESS, "custom-process", profile);
    if (!n || !(n->process = strdup(cmd)))
        return nomem(b);
    snprintf(n->detail, sizeof n->detail, "credential_process of profile %s in %s", profile,
             file_of(b->cfg, from));
    *out = n;
    return MD_OK;
}

static md_status container(struct build *b, struct md_cred_node **out)
{
    *out = NULL;
    const char *rel = getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    const char *full = getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    if (!(rel && *rel) && !(full && *full))
        return MD_OK;
    struct md_cred_node *n = node_new(b->p, MD_CK_CONTAINER, "container-role", b->p->profile);
    if (!n)
        return nomem(b);
    snprintf(n->detail, sizeof n->detail, "container credentials (%s)",
             rel && *rel ? "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"
                         : "AWS_CONTAINER_CREDENTIALS_FULL_URI");
    *out = n;
    return MD_OK;
}

static md_status imds(struct build *b, struct md_cred_node **out)
{
    *out = NULL;
    if (md_imds_disabled())
        return MD_OK;
    struct md_cred_node *n = node_new(b->p, MD_CK_IMDS, "iam-role", b->p->profile);
    if (!n)
        return nomem(b);
    snprintf(n->detail, sizeof n->detail, "EC2 instance metadata at %s", b->p->imds_endpoint);
    *out = n;
    return MD_OK;
}

static md_status assume_role(struct build *b, const char *profile, struct md_cred_node **out);

static bool has_role(struct build *b, const char *profile)
{
    return pget(b, profile, "role_arn") && !pget(b, profile, "web_identity_token_file");
}

static bool has_static(struct build *b, const char *profile)
{
    return pget(b, profile, "aws_access_key_id") || pget(b, profile, "aws_secret_access_key");
}

/* The profile chain botocore runs for a source_profile: web identity (from
 * the profile only), SSO, credentials file, credential_process, config
 * file. */
static md_status profile_chain(struct build *b, const char *profile, struct md_cred_node **out)
{
    md_status st;
    if ((st = web_identity(b, profile, false, out)) != MD_OK || *out)
        return st;
    if ((st = sso(b, profile, out)) != MD_OK || *out)
        return st;
    if ((st = static_from(b, profile, MD_AWSCFG_CREDENTIALS, out)) != MD_OK || *out)
        return st;
    if ((st = process(b, profile, out)) != MD_OK || *out)
        return st;
    return static_from(b, profile, MD_AWSCFG_CONFIG, out);
}

static bool visited(struct build *b, const char *profile)
{
    for (int i = 0; i < b->nvisited; i++)
        if (!strcmp(b->visited[i], profile))
            return true;
    return false;
}

static md_status source_from_profile(struct build *b, const char *profile,
                                     struct md_cred_node **out)
{
    if (has_static(b, profile) || !has_role(b, profile)) {
        md_status st = profile_chain(b, profile, out);
        if (st == MD_OK && !*out)
            st = md_err_set(b->err, MD_ERR_AUTH, "the source profile %s has no credentials",
                            profile);
        return st;
    }
    return assume_role(b, profile, out);
}

static md_status assume_role(struct build *b, const char *profile, struct md_cred_node **out)
{
    *out = NULL;
    const char *arn = pget(b, profile, "role_arn");
    const char *src = pget(b, profile, "source_profile");
    const char *csrc = pget(b, profile, "credential_source");
    if (src && csrc)
        return md_err_set(b->err, MD_ERR_AUTH,
                          "profile %s has both source_profile and credential_source", profile);
    if (!src && !csrc)
        return md_err_set(b->err, MD_ERR_AUTH,
                          "profile %s has role_arn but neither source_profile nor "
                          "credential_source",
                          profile);
    struct md_cred_node *n = node_new(b->p, MD_CK_ASSUME_ROLE, "assume-role", profile);
    if (!n)
        return nomem(b);
    n->role_arn = strdup(arn);
    n->external_id = dupz(pget(b, profile, "external_id"));
    n->session_name = dupz(pget(b, profile, "role_session_name"));
    n->mfa_serial = dupz(pget(b, profile, "mfa_serial"));
    if (!n->role_arn)
        return nomem(b);
    const char *dur = pget(b, profile, "duration_seconds");
    if (dur) {
        /* botocore ignores a value that is not an integer. */
        char *end;
        long v = strtol(dur, &end, 10);
        if (end != dur && !*end)
            n->duration_seconds = v;
    }
    md_status st = sts_endpoint(b, n);
    if (st != MD_OK)
        return st;
    if (csrc) {
        if (!strcmp(csrc, "Environment")) {
            n->source = node_new(b->p, MD_CK_ENV, "env", profile);
            if (n->source)
                snprintf(n->source->detail, sizeof n->source->detail, "environment variables");
        } else if (!strcmp(csrc, "Ec2InstanceMetadata")) {
            n->source = node_new(b->p, MD_CK_IMDS, "iam-role", profile);
            if (n->source)
                snprintf(n->source->detail, sizeof n->source->detail,
                         "EC2 instance metadata at %s", b->p->imds_endpoint);
        } else if (!strcmp(csrc, "EcsContainer")) {
            n->source = node_new(b->p, MD_CK_CONTAINER, "container-role", profile);
            if (n->source)
                snprintf(n->source->detail, sizeof n->source->detail, "container credentials");
        } else {
            return md_err_set(b->err, MD_ERR_AUTH,
                              "profile %s: credential_source %s is not one of Environment, "
                              "Ec2InstanceMetadata, EcsContainer",
                              profile, csrc);
        }
        if (!n->source)
            return nomem(b);
        snprintf(n->detail, sizeof n->detail, "role %s from credential_source %s", arn, csrc);
        *out = n;
        return MD_OK;
    }
    if (!md_awsconfig_has_profile(b->cfg, src))
        return md_err_set(b->err, MD_ERR_AUTH,
                          "the source_profile %s of profile %s does not exist", src, profile);
    if (visited(b, src) && (strcmp(src, profile) != 0 || !has_static(b, src)))
        return md_err_set(b->err, MD_ERR_AUTH,
                          "source_profile loop: profile %s leads back to %s", profile, src);
    if (b->nvisited >= (int)(sizeof b->visited / sizeof b->visited[0]))
        return md_err_set(b->err, MD_ERR_AUTH, "source_profile chain too long at %s", profile);
    b->visited[b->nvisited++] = src;
    snprintf(n->detail, sizeof n->detail, "role %s via source_profile %s", arn, src);
    *out = n;
    return source_from_profile(b, src, &n->source);
}

void md_creds_ca_bundle(const struct md_awsconfig *cfg, const char *profile, char *out, size_t n)
{
    /* botocore: AWS_CA_BUNDLE, then the profile's ca_bundle (expanded). */
    const char *v = getenv("AWS_CA_BUNDLE");
    if (!v || !*v)
        v = cfg ? md_awsconfig_get(cfg, profile, "ca_bundle", NULL) : NULL;
    if (!v || !*v || !md_expand_path(v, out, n))
        out[0] = '\0';
}

bool md_imds_disabled(void)
{
    return md_awscfg_is_true(getenv("AWS_EC2_METADATA_DISABLED"));
}

static void imds_settings(struct md_creds_provider *p, const struct md_awsconfig *cfg)
{
    const char *v = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    if (!v || !*v)
        v = md_awsconfig_get(cfg, p->profile, "ec2_metadata_service_endpoint", NULL);
    const char *mode = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
    if (!mode || !*mode)
        mode = md_awsconfig_get(cfg, p->profile, "ec2_metadata_service_endpoint_mode", NULL);
    if (v && *v)
        snprintf(p->imds_endpoint, sizeof p->imds_endpoint, "%s", v);
    else if (mode && !strcasecmp(mode, "IPv6"))
        snprintf(p->imds_endpoint, sizeof p->imds_endpoint, "http://[fd00:ec2::254]");
    else
        snprintf(p->imds_endpoint, sizeof p->imds_endpoint, "http://169.254.169.254");
    size_t l = strlen(p->imds_endpoint);
    while (l > 0 && p->imds_endpoint[l - 1] == '/')
        p->imds_endpoint[--l] = '\0';
    p->imds_timeout_s = 1;
    p->imds_attempts = 1;
    v = getenv("AWS_METADATA_SERVICE_TIMEOUT");
    if (!v || !*v)
        v = md_awsconfig_get(cfg, p->profile, "metadata_service_timeout", NULL);
    if (v && atol(v) > 0)
        p->imds_timeout_s = atol(v);
    v = getenv("AWS_METADATA_SERVICE_NUM_ATTEMPTS");
    if (!v || !*v)
        v = md_awsconfig_get(cfg, p->profile, "metadata_service_num_attempts", NULL);
    if (v && atoi(v) > 0)
        p->imds_attempts = atoi(v) > 10 ? 10 : atoi(v);
    v = getenv("AWS_EC2_METADATA_V1_DISABLED");
    if (!v || !*v)
        v = md_awsconfig_get(cfg, p->profile, "ec2_metadata_v1_disabled", NULL);
    p->imds_v1_disabled = md_awscfg_is_true(v);
}

md_status md_creds_provider_new(const struct md_settings *s, const struct md_awsconfig *cfg,
                                const struct md_creds_opts *o, struct md_creds_provider **out,
                                struct md_err *err)
{
    *out = NULL;
    struct md_creds_provider *p = calloc(1, sizeof *p);
    if (!p)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    if (o)
        p->opts = *o;
    struct md_profile_choice pc;
    md_profile_choose(s, &pc);
    snprintf(p->profile, sizeof p->profile, "%s", pc.name);
    p->profile_explicit = pc.explicit_flag;
    md_status st = md_profile_check(cfg, &pc, err);
    if (st != MD_OK) {
        md_creds_provider_free(p);
        return st;
    }
    imds_settings(p, cfg);
    md_creds_ca_bundle(cfg, p->profile, p->ca_bundle, sizeof p->ca_bundle);

    struct build b = {.p = p, .s = s, .cfg = cfg, .err = err};
    b.visited[b.nvisited++] = p->profile;
    struct md_cred_node *n = NULL;
    const char *ak = getenv("AWS_ACCESS_KEY_ID");
    if (!pc.explicit_flag && ak && *ak) {
        const char *sk = getenv("AWS_SECRET_ACCESS_KEY");
        if (!sk || !*sk) {
            st = md_err_set(err, MD_ERR_AUTH,
                            "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
        } else if (!(n = node_new(p, MD_CK_ENV, "env", p->profile))) {
            st = nomem(&b);
        } else {
            snprintf(n->detail, sizeof n->detail, "environment variables%s",
                     getenv("AWS_CREDENTIAL_EXPIRATION") ? " (with AWS_CREDENTIAL_EXPIRATION)"
                                                         : "");
        }
    }
    if (st == MD_OK && !n && has_role(&b, p->profile))
        st = assume_role(&b, p->profile, &n);
    if (st == MD_OK && !n)
        st = web_identity(&b, p->profile, !pc.explicit_flag, &n);
    if (st == MD_OK && !n)
        st = sso(&b, p->profile, &n);
    if (st == MD_OK && !n)
        st = static_from(&b, p->profile, MD_AWSCFG_CREDENTIALS, &n);
    if (st == MD_OK && !n)
        st = process(&b, p->profile, &n);
    if (st == MD_OK && !n)
        st = static_from(&b, p->profile, MD_AWSCFG_CONFIG, &n);
    if (st == MD_OK && !n)
        st = container(&b, &n);
    if (st == MD_OK && !n)
        st = imds(&b, &n);
    if (st != MD_OK) {
        md_creds_provider_free(p);
        return st;
    }
    p->top = n;
    *out = p;
    return MD_OK;
}

/* ---- the JSON credential documents ------------------------------------ */

md_status md_creds_from_json(const char *body, size_t len, const char *token_key,
                             const char *what, bool need_version, struct md_aws_creds *out,
                             struct md_err *err)
{
    memset(out, 0, sizeof *out);
    struct md_err perr;
    cJSON *j = md_json_parse(body, len, &perr);
    if (!j || !cJSON_IsObject(j)) {
        cJSON_Delete(j);
        /* perr names a byte offset only: no secret in the message. */
        return md_err_set(err, MD_ERR_AUTH, "%s: the output is not a JSON object", what);
    }
    md_status st = MD_OK;
    if (need_version) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "Version");
        if (!v)
            st = md_err_set(err, MD_ERR_AUTH, "%s: the output has no \"Version\" (must be 1)", what);
        else if (!cJSON_IsNumber(v) || v->valuedouble != 1)
            st = md_err_set(err, MD_ERR_AUTH, "%s: unsupported Version (must be 1)", what);
    }
    const char *code = md_json_str(j, "$.Code", NULL);
    if (st == MD_OK && code && strcmp(code, "Success") != 0)
        st = md_err_set(err, MD_ERR_AUTH, "%s: Code is %.60s, not Success", what, code);
    const char *ak = md_json_str(j, "$.AccessKeyId", NULL);
    const char *sk = md_json_str(j, "$.SecretAccessKey", NULL);
    const char *tok = md_json_str(j, token_key, NULL);
    const char *exp = md_json_str(j, "$.Expiration", NULL);
    if (st == MD_OK && (!ak || !*ak))
        st = md_err_set(err, MD_ERR_AUTH, "%s: AccessKeyId missing", what);
    if (st == MD_OK && (!sk || !*sk))
        st = md_err_set(err, MD_ERR_AUTH, "%s: SecretAccessKey missing", what);
    if (st == MD_OK &&
        (!md_creds_copy(out->access_key_id, sizeof out->access_key_id, ak) ||
         !md_creds_copy(out->secret_access_key, sizeof out->secret_access_key, sk) ||
         !md_creds_copy(out->session_token, sizeof out->session_token, tok ? tok : "")))
        st = md_err_set(err, MD_ERR_AUTH, "%s: a credential value is too long", what);
    if (st == MD_OK && exp) {
        out->expiration = md_creds_parse_time(exp);
        if (out->expiration == (time_t)-1)
            st = md_err_set(err, MD_ERR_AUTH, "%s: Expiration '%.40s' is not an ISO 8601 time",
                            what, exp);
    }
    if (st != MD_OK)
        md_aws_creds_wipe(out);
    /* The tree holds the secret: blank it before freeing. */
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(j, "SecretAccessKey");
    if (cJSON_IsString(s) && s->valuestring)
        memset(s->valuestring, 0, strlen(s->valuestring));
    cJSON_Delete(j);
    return st;
}
