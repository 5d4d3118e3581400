#include "mlflow/client.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aws/proto.h"
#include "config.h"
#include "local/mlruns.h"
#include "mlflow/filter.h"
#include "net/awsconfig.h"
#include "net/creds.h"
#include "net/endpoint.h"
#include "net/http.h"
#include "net/region.h"
#include "net/sigv4.h"
#include "net/url.h"
#include "util/buf.h"
#include "util/json.h"

struct md_mlflow {
    enum md_mlflow_backend backend;
    char base[1024];            /* REST base URL, no trailing '/' */
    char describe[1400];
    void *curl;
    bool (*cancelled)(void *ctx);
    void *cancel_ctx;
    bool insecure, debug;
    char ca_bundle[1024];
    char auth[1024];            /* Authorization value, "" for none */
    int max_retries;
    double backoff_s;
    long timeout_ms;
    unsigned long sent;
    /* SageMaker */
    char arn[512];
    char region[64];
    struct md_awsconfig *awscfg;
    struct md_creds_provider *creds;
    md_mfa_prompt_fn mfa_prompt;
    void *mfa_ctx;
    /* file store */
    struct md_mlruns *store;
    cJSON *runs_cache;          /* runs of the last file-store search, for its next pages */
    char runs_cache_key[1024];
};

/* ---- small helpers ------------------------------------------------------------ */

static bool env_true(const char *name)
{
    const char *v = getenv(name);
    return v && (!strcasecmp(v, "true") || !strcmp(v, "1") || !strcasecmp(v, "yes"));
}

static long env_long(const char *name, long def)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return def;
    char *end;
    long n = strtol(v, &end, 10);
    return *end || n < 0 ? def : n;
}

static double env_double(const char *name, double def)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return def;
    char *end;
    double d = strtod(v, &end);
    return *end || d < 0 || !isfinite(d) ? def : d;
}

static char *b64(const unsigned char *in, size_t n)
{
    char *out = malloc(4 * ((n + 2) / 3) + 1);
    if (out)
        EVP_EncodeBlock((unsigned char *)out, in, (int)n);
    return out;
}

void md_mlflow_auth_header(char *out, size_t n)
{
    const char *user = getenv("MLFLOW_TRACKING_USERNAME");
    const char *pass = getenv("MLFLOW_TRACKING_PASSWORD");
    const char *token = getenv("MLFLOW_TRACKING_TOKEN");
    out[0] = '\0';
    if (user && *user && pass && *pass) {
        /* MLflow's client: Basic when both are set, even with a token. */
        size_t len = strlen(user) + 1 + strlen(pass);
        char *up = malloc(len + 1);
        if (!up)
            return;
        snprintf(up, len + 1, "%s:%s", user, pass);
        char *enc = b64((const unsigned char *)up, len);
        if (enc)
            snprintf(out, n, "Basic %s", enc);
        free(enc);
        free(up);
    } else if (token && *token) {
        snprintf(out, n, "Bearer %s", token);
    }
}

char *md_mlflow_page_token(long offset)
{
    char json[64];
    int n = snprintf(json, sizeof json, "{\"offset\": %ld}", offset);
    return b64((const unsigned char *)json, (size_t)n);
}

bool md_mlflow_page_offset(const char *token, long *offset)
{
    *offset = 0;
    if (!token || !*token)
        return true;
    size_t n = strlen(token);
    if (n % 4 != 0 || n > 512)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)token[i]) && token[i] != '+' && token[i] != '/' &&
            !(token[i] == '=' && i >= n - 2))
            return false;
    unsigned char buf[400];
    int len = EVP_DecodeBlock(buf, (const unsigned char *)token, (int)n);
    if (len < 0)
        return false;
    len -= (token[n - 1] == '=') + (token[n - 2] == '=');
    cJSON *j = cJSON_ParseWithLength((const char *)buf, (size_t)len);
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(j, "offset");
    bool ok = cJSON_IsNumber(o) && o->valuedouble >= 0 && o->valuedouble < 1e12 &&
              o->valuedouble == floor(o->valuedouble);
    if (ok)
        *offset = (long)o->valuedouble;
    cJSON_Delete(j);
    return ok;
}

enum md_mlflow_backend md_mlflow_backend(const struct md_mlflow *m)
{
    return m->backend;
}

const char *md_mlflow_describe(const struct md_mlflow *m)
{
    return m->describe;
}

const char *md_mlflow_base_url(const struct md_mlflow *m)
{
    return m->base;
}

void md_mlflow_set_curl(struct md_mlflow *m, void *curl)
{
    m->curl = curl;
}

void md_mlflow_set_cancel(struct md_mlflow *m, bool (*cancelled)(void *ctx), void *ctx)
{
    m->cancelled = cancelled;
    m->cancel_ctx = ctx;
}

unsigned long md_mlflow_requests_sent(const struct md_mlflow *m)
{
    return m->sent;
}

/* ---- opening ------------------------------------------------------------------ */

/* arn:PARTITION:sagemaker:REGION:ACCOUNT:mlflow-tracking-server/NAME */
static bool parse_arn(const char *arn, char *region, size_t rn, char *name, size_t nn)
{
    const char *p[6];
    const char *s = arn;
    for (int i = 0; i < 5; i++) {
        p[i] = s;
        s = strchr(s, ':');
        if (!s)
            return false;
        s++;
    }
    p[5] = s;
    if (strncmp(p[0], "arn:", 4) || strncmp(p[2], "sagemaker:", 10))
        return false;
    size_t rl = (size_t)(p[4] - p[3] - 1);
    if (rl == 0 || rl >= rn)
        return false;
    memcpy(region, p[3], rl);
    region[rl] = '\0';
    const char *kind = "mlflow-tracking-server/";
    if (strncmp(p[5], kind, strlen(kind)))
        return false;
    const char *nm = p[5] + strlen(kind);
    if (!*nm || strlen(nm) >= nn || strchr(nm, '/'))
        return false;
    snprintf(name, nn, "%s", nm);
    return md_region_valid(region);
}

static md_status open_sagemaker(struct md_mlflow *m, const char *arn,
                                const struct md_settings *s, struct md_err *err)
{
    char name[256];
    if (!parse_arn(arn, m->region, sizeof m->region, name, sizeof name))
        return md_err_set(err, MD_ERR_INVALID,
                          "'%s' is not a SageMaker MLflow tracking server ARN "
                          "(arn:aws:sagemaker:REGION:ACCOUNT:mlflow-tracking-server/NAME)", arn);
    snprintf(m->arn, sizeof m->arn, "%s", arn);
    md_status st = md_awsconfig_load(&m->awscfg, err);
    if (st != MD_OK)
        return st;
    struct md_profile_choice prof;
    md_profile_choose(s, &prof);
    struct md_creds_opts co = {0};
    co.insecure = m->insecure;
    co.debug = m->debug;
    co.mfa_prompt = m->mfa_prompt;
    co.mfa_ctx = m->mfa_ctx;
    st = md_creds_provider_new(s, m->awscfg, &co, &m->creds, err);
    if (st != MD_OK)
        return st;

    /* An explicit sagemaker-mlflow endpoint wins over the Describe answer. */
    const char *custom = getenv("SAGEMAKER_MLFLOW_CUSTOM_ENDPOINT");
    if (!custom || !*custom)
        custom = getenv("AWS_ENDPOINT_URL_SAGEMAKER_MLFLOW");
    if (custom && *custom) {
        snprintf(m->base, sizeof m->base, "%s", custom);
    } else {
        struct md_endpoint ep;
        st = md_endpoint_resolve("sagemaker", m->region, s ? s->endpoint_url : NULL, m->awscfg,
                                 prof.name, &ep, err);
        if (st != MD_OK)
            return st;
        struct md_http_opts ho;
        md_http_opts_init(&ho);
        ho.insecure = m->insecure;
        ho.debug = m->debug;
        struct md_aws_client c = {0};
        c.curl = m->curl;
        c.service = ep.signing_name[0] ? ep.signing_name : "sagemaker";
        c.region = ep.signing_region[0] ? ep.signing_region : m->region;
        c.endpoint = ep.url;
        c.get_creds = md_creds_get;
        c.creds_ctx = m->creds;
        c.http = &ho;
        cJSON *in = cJSON_CreateObject(), *out = NULL;
        cJSON_AddStringToObject(in, "TrackingServerName", name);
        st = md_aws_json_call(&c, "SageMaker", "DescribeMlflowTrackingServer", "1.1", in, &out,
                              err);
        m->sent += (unsigned long)c.last.attempts;
        cJSON_Delete(in);
        if (st != MD_OK)
            return md_err_wrap(err, "DescribeMlflowTrackingServer %s", name);
        const char *url = md_json_str(out, "$.TrackingServerUrl", NULL);
        if (!url || !*url) {
            const char *status = md_json_str(out, "$.TrackingServerStatus", "?");
            cJSON_Delete(out);
            return md_err_set(err, MD_ERR_SERVICE,
                              "tracking server %s has no URL yet (status %s)", name, status);
        }
        snprintf(m->base, sizeof m->base, "%s", url);
        cJSON_Delete(out);
    }
    size_t n = strlen(m->base);
    while (n && m->base[n - 1] == '/')
        m->base[--n] = '\0';
    snprintf(m->describe, sizeof m->describe, "SageMaker tracking server %s (%s)", name, m->base);
    return MD_OK;
}

md_status md_mlflow_open(const char *uri, const struct md_settings *settings,
                         struct md_mlflow **out, struct md_err *err)
{
    return md_mlflow_open_mfa(uri, settings, NULL, NULL, out, err);
}

md_status md_mlflow_open_mfa(const char *uri, const struct md_settings *settings,
                             md_mfa_prompt_fn mfa_prompt, void *mfa_ctx,
                             struct md_mlflow **out, struct md_err *err)
{
    *out = NULL;
    if (!uri || !*uri)
        uri = settings ? settings->mlflow_uri : "";
    if (!uri || !*uri)
        return md_err_set(err, MD_ERR_INVALID,
                          "no MLflow tracking URI: set MLFLOW_TRACKING_URI or pass --mlflow URI "
                          "(http(s)://..., a SageMaker tracking-server ARN or an mlruns folder)");
    struct md_mlflow *m = calloc(1, sizeof *m);
    if (!m)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    m->mfa_prompt = mfa_prompt;
    m->mfa_ctx = mfa_ctx;
    m->insecure = (settings && settings->insecure) || env_true("MLFLOW_TRACKING_INSECURE_TLS");
    m->debug = settings && settings->debug;
    const char *ca = getenv("MLFLOW_TRACKING_SERVER_CERT_PATH");
    snprintf(m->ca_bundle, sizeof m->ca_bundle, "%s", ca ? ca : "");
    m->max_retries = (int)env_long("MLFLOW_HTTP_REQUEST_MAX_RETRIES", 5);
    if (m->max_retries > 20)
        m->max_retries = 20;
    m->backoff_s = env_double("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", 2);
    m->timeout_ms = env_long("MLFLOW_HTTP_REQUEST_TIMEOUT", 120) * 1000;

    md_status st;
    if (!strncmp(uri, "http://", 7) || !strncmp(uri, "https://", 8)) {
        m->backend = MD_MLFLOW_REST;
        snprintf(m->base, sizeof m->base, "%s", uri);
        size_t n = strlen(m->base);
        while (n && m->base[n - 1] == '/')
            m->base[--n] = '\0';
        snprintf(m->describe, sizeof m->describe, "%s", m->base);
        md_mlflow_auth_header(m->auth, sizeof m->auth);
        st = MD_OK;
    } else if (!strncmp(uri, "arn:", 4)) {
        m->backend = MD_MLFLOW_SAGEMAKER;
        st = open_sagemaker(m, uri, settings, err);
    } else if (md_mlruns_is_local_uri(uri)) {
        m->backend = MD_MLFLOW_FILE;
        st = md_mlruns_open(uri, &m->store, err);
        if (st == MD_OK)
            snprintf(m->describe, sizeof m->describe, "file store %s", md_mlruns_root(m->store));
    } else {
        st = md_err_set(err, MD_ERR_UNSUPPORTED,
                        "unsupported MLflow tracking URI '%s' (use http(s)://..., a SageMaker "
                        "tracking-server ARN, file:///path or a path to an mlruns folder)", uri);
    }
    if (st != MD_OK) {
        md_mlflow_close(m);
        return st;
    }
    *out = m;
    return MD_OK;
}

void md_mlflow_close(struct md_mlflow *m)
{
    if (!m)
        return;
    if (m->creds)
        md_creds_provider_free(m->creds);
    if (m->awscfg)
        md_awsconfig_free(m->awscfg);
    if (m->store)
        md_mlruns_close(m->store);
    cJSON_Delete(m->runs_cache);
    memset(m->auth, 0, sizeof m->auth);
    free(m);
}

/* ---- REST --------------------------------------------------------------------- */

static void add_param(struct md_buf *q, const char *name, const char *value)
{
    if (!value)
        return;
    if (q->len)
        md_buf_puts(q, "&");
    md_uri_encode(q, name, strlen(name), false);
    md_buf_puts(q, "=");
    md_uri_encode(q, value, strlen(value), false);
}

/* Text of an HTML/plain error body, tags stripped, on one line. */
static void text_of(const struct md_buf *body, char *out, size_t n)
{
    size_t k = 0;
    bool tag = false, space = false;
    /* Flask error pages: the <title> repeats the <h1>; start after it. */
    const char *s = body->data ? body->data : "";
    const char *t = strstr(s, "</title>");
    if (t)
        s = t + 8;
    for (; *s && k + 1 < n; s++) {
        if (*s == '<') {
            tag = true;
            continue;
        }
        if (*s == '>' && tag) {
            tag = false;
            space = k > 0;
            continue;
        }
        if (tag)
            continue;
        if (isspace((unsigned char)*s) || (unsigned char)*s < 0x20) {
            space = k > 0;
            continue;
        }
        if (space && k + 2 < n) {
            out[k++] = ' ';
            space = false;
        }
        out[k++] = *s;
    }
    out[k] = '\0';
}

static md_status rest_error(struct md_mlflow *m, const char *url,
                            const struct md_http_response *resp, struct md_err *err)
{
    int status = resp->status;
    md_status code;
    cJSON *j = resp->body.len ? cJSON_ParseWithLength(resp->body.data, resp->body.len) : NULL;
    const char *ec = md_json_str(j, "$.error_code", NULL);
    const char *msg = md_json_str(j, "$.message", NULL);
    if (!msg)
        msg = md_json_str(j, "$.Message", NULL);
    if (ec) {
        if (!strcmp(ec, "RESOURCE_DOES_NOT_EXIST"))
            code = MD_ERR_NOTFOUND;
        else if (!strcmp(ec, "INVALID_PARAMETER_VALUE") || !strcmp(ec, "BAD_REQUEST") ||
                 !strcmp(ec, "MALFORMED_REQUEST") || !strcmp(ec, "INVALID_STATE"))
            code = MD_ERR_INVALID;
        else if (!strcmp(ec, "UNAUTHENTICATED") || !strcmp(ec, "PERMISSION_DENIED") ||
                 status == 401 || status == 403)
            code = MD_ERR_AUTH;
        else
            code = MD_ERR_SERVICE;
        md_err_set(err, code, "%s", msg ? msg : ec);
        snprintf(err->svc_code, sizeof err->svc_code, "%s", ec);
    } else if (m->backend == MD_MLFLOW_SAGEMAKER && j && cJSON_IsObject(j)) {
        /* The AWS front of a SageMaker-managed server answers AWS-style. */
        code = md_aws_error_parse(resp, err);
    } else {
        char text[300];
        text_of(&resp->body, text, sizeof text);
        if (status == 401 || status == 403) {
            code = md_err_set(err, MD_ERR_AUTH, "HTTP %d from %s: %s%s", status, m->base,
                              text[0] ? text : "refused",
                              status == 401 ? " (set MLFLOW_TRACKING_TOKEN or "
                                              "MLFLOW_TRACKING_USERNAME/PASSWORD)" : "");
        } else if (status == 404 || status == 405) {
            code = md_err_set(err, MD_ERR_HTTP,
                              "HTTP %d from %s: not an MLflow REST endpoint (is the tracking URI "
                              "right?)", status, url);
        } else {
            code = md_err_set(err, MD_ERR_HTTP, "HTTP %d from %s%s%s", status, m->base,
                              text[0] ? ": " : "", text);
        }
    }
    err->http_status = status;
    cJSON_Delete(j);
    return code;
}

static bool retryable(md_status st, int status)
{
    return st == MD_ERR_NET || status == 429 || status == 500 || status == 502 ||
           status == 503 || status == 504;
}

static bool sleep_cancellable(struct md_mlflow *m, double seconds)
{
    while (seconds > 0) {
        if (m->cancelled && m->cancelled(m->cancel_ctx))
            return false;
        double step = seconds < 0.1 ? seconds : 0.1;
        struct timespec ts = {(time_t)step, (long)((step - (double)(time_t)step) * 1e9)};
        nanosleep(&ts, NULL);
        seconds -= step;
    }
    return true;
}

/* Signs the request (SageMaker) or adds the Authorization header. */
static md_status authorize(struct md_mlflow *m, struct md_http_request *req, struct md_err *err)
{
    if (m->backend != MD_MLFLOW_SAGEMAKER) {
        if (m->auth[0])
            md_headers_add(&req->headers, "Authorization", m->auth);
        return MD_OK;
    }
    md_headers_add(&req->headers, "x-mlflow-sm-tracking-server-arn", m->arn);
    struct md_aws_creds creds;
    md_status st = md_creds_get(m->creds, &creds, err);
    if (st == MD_OK) {
        struct md_sigv4_params sp = {0};
        sp.service = "sagemaker-mlflow";
        sp.region = m->region;
        sp.creds = &creds;
        sp.content_sha256_header = true;
        st = md_sigv4_sign(req, &sp, NULL, err);
    }
    md_aws_creds_wipe(&creds);
    return st;
}

static void http_opts_of(const struct md_mlflow *m, struct md_http_opts *ho)
{
    md_http_opts_init(ho);
    ho->insecure = m->insecure;
    ho->ca_bundle = m->ca_bundle[0] ? m->ca_bundle : NULL;
    ho->timeout_ms = m->timeout_ms;
    ho->debug = m->debug;
    ho->cancelled = m->cancelled;
    ho->cancel_ctx = m->cancel_ctx;
}

/* One REST call with retries.  endpoint: "runs/search"; query: encoded or
 * NULL; body: JSON for POST.  *out: the reply object (caller frees). */
static md_status rest_call(struct md_mlflow *m, const char *method, const char *endpoint,
                           const char *query, const cJSON *body, cJSON **out, struct md_err *err)
{
    *out = NULL;
    struct md_buf url = MD_BUF_INIT;
    md_buf_printf(&url, "%s/api/2.0/mlflow/%s%s%s", m->base, endpoint,
                  query && *query ? "?" : "", query && *query ? query : "");
    char *payload = body ? cJSON_PrintUnformatted(body) : NULL;
    if (!url.data || (body && !payload)) {
        md_buf_free(&url);
        free(payload);
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    struct md_http_opts ho;
    http_opts_of(m, &ho);
    struct md_http_response resp = {0};
    md_status st = MD_OK;
    for (int attempt = 0;; attempt++) {
        struct md_http_request req;
        if (md_http_request_init(&req, method, url.data) < 0) {
            st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
            break;
        }
        md_headers_add(&req.headers, "Accept", "application/json");
        md_headers_add(&req.headers, "User-Agent", "mldeck/" PACKAGE_VERSION);
        if (payload) {
            md_headers_add(&req.headers, "Content-Type", "application/json");
            md_http_request_set_body(&req, payload, strlen(payload));
        }
        st = authorize(m, &req, err);
        if (st != MD_OK) {
            md_http_request_free(&req);
            break;
        }
        m->sent++;
        st = md_http_perform(m->curl, &req, &ho, &resp, err);
        md_http_request_free(&req);
        if (st == MD_ERR_CANCELLED)
            break;
        int status = st == MD_OK ? resp.status : 0;
        if (st == MD_OK && status >= 200 && status < 300)
            break;
        if (attempt < m->max_retries && retryable(st, status)) {
            double delay = m->backoff_s * pow(2, attempt);
            if (delay > 120)
                delay = 120;
            if (!sleep_cancellable(m, delay)) {
                st = md_err_set(err, MD_ERR_CANCELLED, "cancelled");
                break;
            }
            continue;
        }
        if (st == MD_OK) {
            st = rest_error(m, url.data, &resp, err);
        } else if (strstr(err->msg, "certificate") && strlen(err->msg) + 80 < sizeof err->msg) {
            strcat(err->msg, " (MLFLOW_TRACKING_SERVER_CERT_PATH names a CA bundle; "
                             "MLFLOW_TRACKING_INSECURE_TLS=true skips the check)");
        }
        break;
    }
    if (st == MD_OK) {
        if (resp.body.len == 0) {
            *out = cJSON_CreateObject();
        } else {
            *out = cJSON_ParseWithLength(resp.body.data, resp.body.len);
            if (!cJSON_IsObject(*out)) {
                cJSON_Delete(*out);
                *out = NULL;
                st = md_err_set(err, MD_ERR_PARSE, "%s %s: the reply is not a JSON object",
                                method, url.data);
            }
        }
    }
    md_http_response_free(&resp);
    md_buf_free(&url);
    free(payload);
    return st;
}

/* ---- local validation ------------------------------------------------------------ */

static md_status check_search(const struct md_mlflow_search *q, enum md_mlf_target t,
                              struct md_mlf_filter *f, struct md_mlf_order_by *o,
                              struct md_err *err)
{
    memset(f, 0, sizeof *f);
    memset(o, 0, sizeof *o);
    md_status st = md_mlf_filter_parse(q ? q->filter : NULL, t, f, err);
    if (st == MD_OK && q)
        st = md_mlf_order_parse(q->order_by, q->norder, t, o, err);
    if (st == MD_OK && q && q->view_type && strcmp(q->view_type, MD_MLFLOW_ACTIVE_ONLY) &&
        strcmp(q->view_type, MD_MLFLOW_DELETED_ONLY) && strcmp(q->view_type, MD_MLFLOW_ALL))
        st = md_err_set(err, MD_ERR_INVALID, "view type '%s' is not ACTIVE_ONLY, DELETED_ONLY "
                        "or ALL", q->view_type);
    if (st == MD_OK && q && (q->max_results < 0 || q->max_results > 50000))
        st = md_err_set(err, MD_ERR_INVALID, "max_results %d is not in 1..50000", q->max_results);
    if (st != MD_OK) {
        md_mlf_filter_free(f);
        md_mlf_order_free(o);
    }
    return st;
}

static int max_results_of(const struct md_mlflow_search *q)
{
    return q && q->max_results > 0 ? q->max_results : 1000;
}

static const char *view_of(const struct md_mlflow_search *q)
{
    return q && q->view_type ? q->view_type : MD_MLFLOW_ACTIVE_ONLY;
}

static bool view_ok(const char *view, const char *stage)
{
    if (!strcmp(view, MD_MLFLOW_ALL))
        return true;
    bool deleted = stage && !strcmp(stage, "deleted");
    return !strcmp(view, MD_MLFLOW_DELETED_ONLY) ? deleted : !deleted;
}

static void add_order(cJSON *body, const struct md_mlflow_search *q)
{
    if (!q || q->norder == 0)
        return;
    cJSON *a = cJSON_AddArrayToObject(body, "order_by");
    for (size_t i = 0; i < q->norder; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(q->order_by[i]));
}

/* Builds the paged reply {"<field>": page items (copies), "next_page_token"}. */
static md_status local_page(const cJSON **items, size_t n, const char *field,
                            const struct md_mlflow_search *q, cJSON **page, struct md_err *err)
{
    long off;
    if (!md_mlflow_page_offset(q ? q->page_token : NULL, &off))
        return md_err_set(err, MD_ERR_INVALID, "Invalid page token '%s'", q->page_token);
    long max = max_results_of(q);
    cJSON *out = cJSON_CreateObject();
    cJSON *arr = cJSON_CreateArray();
    for (long i = off; i < (long)n && i < off + max; i++) {
        cJSON *c = cJSON_Duplicate(items[i], true);
        if (!strcmp(field, "model_versions"))
            cJSON_DeleteItemFromObjectCaseSensitive(c, "aliases");
        cJSON_AddItemToArray(arr, c);
    }
    if (cJSON_GetArraySize(arr) > 0)
        cJSON_AddItemToObject(out, field, arr);
    else
        cJSON_Delete(arr);
    if (off + max < (long)n) {
        char *tok = md_mlflow_page_token(off + max);
        cJSON_AddStringToObject(out, "next_page_token", tok ? tok : "");
        free(tok);
    }
    *page = out;
    return MD_OK;
}

/* ---- experiments ---------------------------------------------------------------- */

md_status md_mlflow_search_experiments(struct md_mlflow *m, const struct md_mlflow_search *q,
                                       cJSON **page, struct md_err *err)
{
    *page = NULL;
    struct md_mlf_filter f;
    struct md_mlf_order_by o;
    md_status st = check_search(q, MD_MLF_EXPERIMENTS, &f, &o, err);
    if (st != MD_OK)
        return st;
    if (m->backend != MD_MLFLOW_FILE) {
        cJSON *body = cJSON_CreateObject();
        cJSON_AddNumberToObject(body, "max_results", max_results_of(q));
        cJSON_AddStringToObject(body, "view_type", view_of(q));
        if (q && q->filter && *q->filter)
            cJSON_AddStringToObject(body, "filter", q->filter);
        add_order(body, q);
        if (q && q->page_token && *q->page_token)
            cJSON_AddStringToObject(body, "page_token", q->page_token);
        st = rest_call(m, "POST", "experiments/search", NULL, body, page, err);
        cJSON_Delete(body);
    } else {
        cJSON *all;
        st = md_mlruns_experiments(m->store, strcmp(view_of(q), MD_MLFLOW_ACTIVE_ONLY) != 0,
                                   &all, err);
        if (st == MD_OK) {
            size_t n = (size_t)cJSON_GetArraySize(all), k = 0;
            const cJSON **sel = calloc(n + 1, sizeof *sel);
            const cJSON *e;
            cJSON_ArrayForEach(e, all) {
                if (sel && view_ok(view_of(q), md_json_str(e, "$.lifecycle_stage", "")) &&
                    md_mlf_match_experiment(&f, e))
                    sel[k++] = e;
            }
            if (!sel) {
                st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
            } else {
                md_mlf_sort_experiments(&o, sel, k);
                st = local_page(sel, k, "experiments", q, page, err);
            }
            free(sel);
            cJSON_Delete(all);
        }
    }
    md_mlf_filter_free(&f);
    md_mlf_order_free(&o);
    return st;
}

static md_status detach(cJSON *resp, const char *field, cJSON **out, struct md_err *err)
{
    *out = cJSON_DetachItemFromObjectCaseSensitive(resp, field);
    cJSON_Delete(resp);
    if (!*out)
        return md_err_set(err, MD_ERR_PARSE, "the reply has no \"%s\"", field);
    return MD_OK;
}

md_status md_mlflow_get_experiment(struct md_mlflow *m, const char *id, cJSON **exp,
                                   struct md_err *err)
{
    *exp = NULL;
    if (!id || !*id)
        return md_err_set(err, MD_ERR_INVALID, "no experiment id");
    if (m->backend == MD_MLFLOW_FILE)
        return md_mlruns_experiment(m->store, id, exp, err);
    struct md_buf q = MD_BUF_INIT;
    add_param(&q, "experiment_id", id);
    cJSON *resp;
    md_status st = rest_call(m, "GET", "experiments/get", q.data, NULL, &resp, err);
    md_buf_free(&q);
    return st != MD_OK ? st : detach(resp, "experiment", exp, err);
}

md_status md_mlflow_get_experiment_by_name(struct md_mlflow *m, const char *name, cJSON **exp,
                                           struct md_err *err)
{
    *exp = NULL;
    if (!name || !*name)
        return md_err_set(err, MD_ERR_INVALID, "no experiment name");
    if (m->backend == MD_MLFLOW_FILE) {
        cJSON *all;
        md_status st = md_mlruns_experiments(m->store, true, &all, err);
        if (st != MD_OK)
            return st;
        const cJSON *e, *found = NULL;
        cJSON_ArrayForEach(e, all) {
            if (!strcmp(md_json_str(e, "$.name", ""), name) &&
                (!found || !strcmp(md_json_str(found, "$.lifecycle_stage", ""), "deleted")))
                found = e;
        }
        if (found)
            *exp = cJSON_Duplicate(found, true);
        cJSON_Delete(all);
        return found ? MD_OK
                     : md_err_set(err, MD_ERR_NOTFOUND, "Could not find experiment with name '%s'",
                                  name);
    }
    struct md_buf q = MD_BUF_INIT;
    add_param(&q, "experiment_name", name);
    cJSON *resp;
    md_status st = rest_call(m, "GET", "experiments/get-by-name", q.data, NULL, &resp, err);
    md_buf_free(&q);
    return st != MD_OK ? st : detach(resp, "experiment", exp, err);
}

md_status md_mlflow_find_experiment(struct md_mlflow *m, const char *name_or_id, cJSON **exp,
                                    struct md_err *err)
{
    bool digits = name_or_id && *name_or_id;
    for (const char *p = name_or_id; digits && *p; p++)
        digits = isdigit((unsigned char)*p);
    if (digits) {
        md_status st = md_mlflow_get_experiment(m, name_or_id, exp, err);
        if (st != MD_ERR_NOTFOUND)
            return st;
    }
    md_status st = md_mlflow_get_experiment_by_name(m, name_or_id, exp, err);
    if (st == MD_ERR_NOTFOUND)
        md_err_set(err, MD_ERR_NOTFOUND, "no experiment with id or name '%s'", name_or_id);
    return st;
}

/* ---- runs -------------------------------------------------------------------------- */

static md_status file_runs(struct md_mlflow *m, const struct md_mlflow_search *q,
                           cJSON **all, struct md_err *err)
{
    /* Next pages of the same search reuse the runs read for the first one,
     * so paging is consistent and a big store is read once. */
    char key[1024] = "";
    size_t k = 0;
    for (size_t i = 0; i < q->nexperiments; i++)
        k += (size_t)snprintf(key + (k < sizeof key ? k : sizeof key),
                              k < sizeof key ? sizeof key - k : 0, "%s,", q->experiment_ids[i]);
    if (q->page_token && *q->page_token && m->runs_cache && !strcmp(key, m->runs_cache_key)) {
        *all = m->runs_cache;
        return MD_OK;
    }
    cJSON_Delete(m->runs_cache);
    m->runs_cache = NULL;
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < q->nexperiments; i++) {
        cJSON *runs;
        md_status st = md_mlruns_runs(m->store, q->experiment_ids[i], &runs, err);
        if (st == MD_ERR_NOTFOUND) {   /* the server ignores unknown ids */
            md_err_clear(err);
            continue;
        }
        if (st != MD_OK) {
            cJSON_Delete(arr);
            return st;
        }
        cJSON *r;
        while ((r = cJSON_DetachItemFromArray(runs, 0)))
            cJSON_AddItemToArray(arr, r);
        cJSON_Delete(runs);
    }
    m->runs_cache = arr;
    snprintf(m->runs_cache_key, sizeof m->runs_cache_key, "%s", key);
    *all = arr;
    return MD_OK;
}

md_status md_mlflow_search_runs(struct md_mlflow *m, const struct md_mlflow_search *q,
                                cJSON **page, struct md_err *err)
{
    *page = NULL;
    struct md_mlf_filter f;
    struct md_mlf_order_by o;
    md_status st = check_search(q, MD_MLF_RUNS, &f, &o, err);
    if (st != MD_OK)
        return st;
    if (!q || q->nexperiments == 0) {
        md_mlf_filter_free(&f);
        md_mlf_order_free(&o);
        return md_err_set(err, MD_ERR_INVALID, "runs/search needs at least one experiment id");
    }
    if (m->backend != MD_MLFLOW_FILE) {
        cJSON *body = cJSON_CreateObject();
        cJSON *ids = cJSON_AddArrayToObject(body, "experiment_ids");
        for (size_t i = 0; i < q->nexperiments; i++)
            cJSON_AddItemToArray(ids, cJSON_CreateString(q->experiment_ids[i]));
        if (q->filter && *q->filter)
            cJSON_AddStringToObject(body, "filter", q->filter);
        cJSON_AddStringToObject(body, "run_view_type", view_of(q));
        cJSON_AddNumberToObject(body, "max_results", max_results_of(q));
        add_order(body, q);
        if (q->page_token && *q->page_token)
            cJSON_AddStringToObject(body, "page_token", q->page_token);
        st = rest_call(m, "POST", "runs/search", NULL, body, page, err);
        cJSON_Delete(body);
    } else {
        cJSON *all;
        st = file_runs(m, q, &all, err);
        if (st == MD_OK) {
            size_t n = (size_t)cJSON_GetArraySize(all), k = 0;
            const cJSON **sel = calloc(n + 1, sizeof *sel);
            const cJSON *r;
            cJSON_ArrayForEach(r, all) {
                if (sel && view_ok(view_of(q), md_json_str(r, "$.info.lifecycle_stage", "")) &&
                    md_mlf_match_run(&f, r))
                    sel[k++] = r;
            }
            if (!sel) {
                st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
            } else {
                md_mlf_sort_runs(&o, sel, k);
                st = local_page(sel, k, "runs", q, page, err);
            }
            free(sel);
        }
    }
    md_mlf_filter_free(&f);
    md_mlf_order_free(&o);
    return st;
}

md_status md_mlflow_get_run(struct md_mlflow *m, const char *run_id, cJSON **run,
                            struct md_err *err)
{
    *run = NULL;
    if (!run_id || !*run_id)
        return md_err_set(err, MD_ERR_INVALID, "no run id");
    if (m->backend == MD_MLFLOW_FILE)
        return md_mlruns_run(m->store, run_id, run, err);
    struct md_buf q = MD_BUF_INIT;
    add_param(&q, "run_id", run_id);
    cJSON *resp;
    md_status st = rest_call(m, "GET", "runs/get", q.data, NULL, &resp, err);
    md_buf_free(&q);
    return st != MD_OK ? st : detach(resp, "run", run, err);
}

md_status md_mlflow_metric_history(struct md_mlflow *m, const char *run_id, const char *key,
                                   cJSON **metrics, struct md_err *err)
{
    *metrics = NULL;
    if (!run_id || !*run_id || !key || !*key)
        return md_err_set(err, MD_ERR_INVALID, "a run id and a metric key are needed");
    if (m->backend == MD_MLFLOW_FILE)
        return md_mlruns_metric_history(m->store, run_id, key, metrics, err);
    cJSON *all = cJSON_CreateArray();
    char *token = NULL;
    md_status st = MD_OK;
    for (int pages = 0; pages < 100000; pages++) {
        struct md_buf q = MD_BUF_INIT;
        add_param(&q, "run_id", run_id);
        add_param(&q, "metric_key", key);
        add_param(&q, "max_results", "25000");
        add_param(&q, "page_token", token);
        cJSON *resp;
        st = rest_call(m, "GET", "metrics/get-history", q.data, NULL, &resp, err);
        md_buf_free(&q);
        if (st != MD_OK)
            break;
        cJSON *pts = cJSON_GetObjectItemCaseSensitive(resp, "metrics");
        cJSON *p;
        while (cJSON_IsArray(pts) && (p = cJSON_DetachItemFromArray(pts, 0)))
            cJSON_AddItemToArray(all, p);
        const char *next = md_json_str(resp, "$.next_page_token", NULL);
        /* A token equal to the last one would loop forever: stop. */
        bool more = next && *next && (!token || strcmp(next, token) != 0);
        free(token);
        token = more ? strdup(next) : NULL;
        cJSON_Delete(resp);
        if (!token)
            break;
    }
    free(token);
    if (st != MD_OK) {
        cJSON_Delete(all);
        return st;
    }
    *metrics = all;
    return MD_OK;
}

/* ---- registry and artifacts ------------------------------------------------------------ */

static md_status registry_search(struct md_mlflow *m, const struct md_mlflow_search *q,
                                 const char *endpoint, const char *field, int limit,
                                 cJSON **page, struct md_err *err)
{
    *page = NULL;
    struct md_mlf_filter f;
    struct md_mlf_order_by o;
    struct md_mlflow_search qq = q ? *q : (struct md_mlflow_search){0};
    qq.order_by = NULL;     /* registry order-by clauses use another grammar: passed through */
    qq.norder = 0;
    qq.max_results = 0;
    md_status st = check_search(&qq, MD_MLF_MODELS, &f, &o, err);
    if (st != MD_OK)
        return st;
    int max = q && q->max_results > 0 ? q->max_results : limit;
    if (max > limit)
        max = limit;
    if (m->backend != MD_MLFLOW_FILE) {
        struct md_buf b = MD_BUF_INIT;
        char num[32];
        snprintf(num, sizeof num, "%d", max);
        add_param(&b, "max_results", num);
        if (q && q->filter && *q->filter)
            add_param(&b, "filter", q->filter);
        for (size_t i = 0; q && i < q->norder; i++)
            add_param(&b, "order_by", q->order_by[i]);
        if (q && q->page_token && *q->page_token)
            add_param(&b, "page_token", q->page_token);
        st = rest_call(m, "GET", endpoint, b.data, NULL, page, err);
        md_buf_free(&b);
    } else {
        cJSON *all;
        st = !strcmp(field, "registered_models")
                 ? md_mlruns_registered_models(m->store, &all, err)
                 : md_mlruns_model_versions(m->store, NULL, &all, err);
        if (st == MD_OK) {
            size_t n = (size_t)cJSON_GetArraySize(all), k = 0;
            const cJSON **sel = calloc(n + 1, sizeof *sel);
            const cJSON *e;
            cJSON_ArrayForEach(e, all) {
                if (sel && md_mlf_match_experiment(&f, e))
                    sel[k++] = e;
            }
            struct md_mlflow_search pq = qq;
            pq.max_results = max;
            st = sel ? local_page(sel, k, field, &pq, page, err)
                     : md_err_set(err, MD_ERR_NOMEM, "out of memory");
            free(sel);
            cJSON_Delete(all);
        }
    }
    md_mlf_filter_free(&f);
    md_mlf_order_free(&o);
    return st;
}

md_status md_mlflow_search_registered_models(struct md_mlflow *m,
                                             const struct md_mlflow_search *q, cJSON **page,
                                             struct md_err *err)
{
    return registry_search(m, q, "registered-models/search", "registered_models", 1000, page,
                           err);
}

md_status md_mlflow_search_model_versions(struct md_mlflow *m, const struct md_mlflow_search *q,
                                          cJSON **page, struct md_err *err)
{
    return registry_search(m, q, "model-versions/search", "model_versions", 10000, page, err);
}

md_status md_mlflow_list_artifacts(struct md_mlflow *m, const char *run_id, const char *path,
                                   cJSON **resp, struct md_err *err)
{
    *resp = NULL;
    if (!run_id || !*run_id)
        return md_err_set(err, MD_ERR_INVALID, "no run id");
    if (m->backend == MD_MLFLOW_FILE)
        return md_mlruns_artifacts(m->store, run_id, path, resp, err);
    struct md_buf q = MD_BUF_INIT;
    add_param(&q, "run_id", run_id);
    if (path && *path)
        add_param(&q, "path", path);
    md_status st = rest_call(m, "GET", "artifacts/list", q.data, NULL, resp, err);
    md_buf_free(&q);
    return st;
}

/* ---- model registry lookups and artifact downloads (model sources) -------------------- */

static md_status file_version(struct md_mlflow *m, const char *name, const char *version,
                              const char *alias, cJSON **mv, struct md_err *err)
{
    cJSON *all;
    md_status st = md_mlruns_model_versions(m->store, name, &all, err);
    if (st != MD_OK)
        return st;
    const cJSON *v, *found = NULL;
    cJSON_ArrayForEach(v, all) {
        if (version && !strcmp(md_json_str(v, "$.version", ""), version))
            found = v;
        const cJSON *a, *aliases = cJSON_GetObjectItemCaseSensitive(v, "aliases");
        cJSON_ArrayForEach(a, aliases) {
            if (alias && cJSON_IsString(a) && !strcmp(a->valuestring, alias))
                found = v;
        }
    }
    if (found)
        *mv = cJSON_Duplicate(found, true);
    cJSON_Delete(all);
    if (found)
        return MD_OK;
    if (alias)
        return md_err_set(err, MD_ERR_NOTFOUND, "Registered model alias %s not found.", alias);
    return md_err_set(err, MD_ERR_NOTFOUND, "Model Version (name=%s, version=%s) not found", name,
                      version);
}

md_status md_mlflow_get_model_version(struct md_mlflow *m, const char *name, const char *version,
                                      cJSON **mv, struct md_err *err)
{
    *mv = NULL;
    if (!name || !*name || !version || !*version)
        return md_err_set(err, MD_ERR_INVALID, "a model name and a version are needed");
    if (m->backend == MD_MLFLOW_FILE)
        return file_version(m, name, version, NULL, mv, err);
    struct md_buf q = MD_BUF_INIT;
    add_param(&q, "name", name);
    add_param(&q, "version", version);
    cJSON *resp;
    md_status st = rest_call(m, "GET", "model-versions/get", q.data, NULL, &resp, err);
    md_buf_free(&q);
    return st != MD_OK ? st : detach(resp, "model_version", mv, err);
}

md_status md_mlflow_get_model_version_by_alias(struct md_mlflow *m, const char *name,
                                               const char *alias, cJSON **mv, struct md_err *err)
{
    *mv = NULL;
    if (!name || !*name || !alias || !*alias)
        return md_err_set(err, MD_ERR_INVALID, "a model name and an alias are needed");
    if (m->backend == MD_MLFLOW_FILE)
        return file_version(m, name, NULL, alias, mv, err);
    struct md_buf q = MD_BUF_INIT;
    add_param(&q, "name", name);
    add_param(&q, "alias", alias);
    cJSON *resp;
    md_status st = rest_call(m, "GET", "registered-models/alias", q.data, NULL, &resp, err);
    md_buf_free(&q);
    return st != MD_OK ? st : detach(resp, "model_version", mv, err);
}

md_status md_mlflow_get_download_uri(struct md_mlflow *m, const char *name, const char *version,
                                     char **uri, struct md_err *err)
{
    *uri = NULL;
    if (!name || !*name || !version || !*version)
        return md_err_set(err, MD_ERR_INVALID, "a model name and a version are needed");
    cJSON *resp = NULL;
    md_status st;
    const char *u;
    if (m->backend == MD_MLFLOW_FILE) {
        /* A file store's versions keep their source: that is the download URI. */
        st = file_version(m, name, version, NULL, &resp, err);
        u = md_json_str(resp, "$.source", NULL);
    } else {
        struct md_buf q = MD_BUF_INIT;
        add_param(&q, "name", name);
        add_param(&q, "version", version);
        st = rest_call(m, "GET", "model-versions/get-download-uri", q.data, NULL, &resp, err);
        md_buf_free(&q);
        u = md_json_str(resp, "$.artifact_uri", NULL);
    }
    if (st == MD_OK && (!u || !*u))
        st = md_err_set(err, MD_ERR_PARSE, "model %s version %s has no download URI", name,
                        version);
    if (st == MD_OK && !(*uri = strdup(u)))
        st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
    cJSON_Delete(resp);
    return st;
}

md_status md_mlflow_run_artifact_root(struct md_mlflow *m, const char *run_id, char **uri,
                                      struct md_err *err)
{
    *uri = NULL;
    cJSON *run;
    md_status st = md_mlflow_get_run(m, run_id, &run, err);
    if (st != MD_OK)
        return st;
    const char *u = md_json_str(run, "$.info.artifact_uri", NULL);
    if (m->backend == MD_MLFLOW_FILE) {
        /* A file store may have been written on another machine: its
         * artifact_uri is only used when it exists here, else the run's own
         * artifacts folder is. */
        const char *p = u && !strncmp(u, "file://", 7) ? u + 7 : u;
        struct md_buf b = MD_BUF_INIT;
        FILE *probe = p && *p == '/' ? fopen(p, "r") : NULL;
        if (probe) {
            fclose(probe);
            md_buf_puts(&b, p);
        } else {
            md_buf_printf(&b, "%s/%s/%s/artifacts", md_mlruns_root(m->store),
                          md_json_str(run, "$.info.experiment_id", "0"), run_id);
        }
        *uri = b.data ? strdup(b.data) : NULL;
        md_buf_free(&b);
    } else if (u && *u) {
        *uri = strdup(u);
    } else {
        cJSON_Delete(run);
        return md_err_set(err, MD_ERR_PARSE, "run %s has no artifact_uri", run_id);
    }
    cJSON_Delete(run);
    return *uri ? MD_OK : md_err_set(err, MD_ERR_NOMEM, "out of memory");
}

static md_status need_server(const struct md_mlflow *m, struct md_err *err)
{
    if (m->backend == MD_MLFLOW_FILE)
        return md_err_set(err, MD_ERR_UNSUPPORTED,
                          "mlflow-artifacts:/ locations are served by an MLflow tracking server; "
                          "the tracking URI is a file store (%s)", m->describe);
    return MD_OK;
}

static void artifact_url(const struct md_mlflow *m, struct md_buf *url, const char *path,
                         bool download)
{
    while (*path == '/')
        path++;
    md_buf_printf(url, "%s/api/2.0/mlflow-artifacts/artifacts", m->base);
    if (download) {
        md_buf_puts(url, "/");
        md_uri_encode(url, path, strlen(path), true);
    } else {
        md_buf_puts(url, "?path=");
        md_uri_encode(url, path, strlen(path), false);
    }
}

/* GET url with the client's auth and retries; a 2xx body goes to sink
 * (restart is called before each new attempt), else *resp keeps the error
 * reply.  The non-2xx status is turned into an error here. */
static md_status raw_get(struct md_mlflow *m, const char *url,
                         bool (*sink)(void *, const void *, size_t), bool (*restart)(void *),
                         void *ctx, struct md_http_response *resp, struct md_err *err)
{
    struct md_http_opts ho;
    http_opts_of(m, &ho);
    ho.sink = sink;
    ho.sink_ctx = ctx;
    md_status st = MD_OK;
    for (int attempt = 0;; attempt++) {
        struct md_http_request req;
        if (restart && !restart(ctx))
            return md_err_set(err, MD_ERR_IO, "cannot rewrite the download file");
        if (md_http_request_init(&req, "GET", url) < 0)
            return md_err_set(err, MD_ERR_NOMEM, "out of memory");
        md_headers_add(&req.headers, "User-Agent", "mldeck/" PACKAGE_VERSION);
        st = authorize(m, &req, err);
        if (st == MD_OK) {
            m->sent++;
            st = md_http_perform(m->curl, &req, &ho, resp, err);
        }
        md_http_request_free(&req);
        if (st == MD_ERR_CANCELLED || st == MD_ERR_IO || st == MD_ERR_NOMEM || st == MD_ERR_AUTH)
            return st;
        int status = st == MD_OK ? resp->status : 0;
        if (st == MD_OK && status >= 200 && status < 300)
            return MD_OK;
        if (attempt < m->max_retries && retryable(st, status)) {
            double delay = m->backoff_s * pow(2, attempt);
            if (!sleep_cancellable(m, delay > 120 ? 120 : delay))
                return md_err_set(err, MD_ERR_CANCELLED, "cancelled");
            continue;
        }
        return st == MD_OK ? rest_error(m, url, resp, err) : st;
    }
}

md_status md_mlflow_list_proxied_artifacts(struct md_mlflow *m, const char *path, cJSON **resp,
                                           struct md_err *err)
{
    *resp = NULL;
    md_status st = need_server(m, err);
    if (st != MD_OK)
        return st;
    struct md_buf url = MD_BUF_INIT;
    artifact_url(m, &url, path ? path : "", false);
    struct md_http_response r = {0};
    st = raw_get(m, url.data, NULL, NULL, NULL, &r, err);
    if (st == MD_OK) {
        *resp = r.body.len ? cJSON_ParseWithLength(r.body.data, r.body.len) : cJSON_CreateObject();
        if (!cJSON_IsObject(*resp)) {
            cJSON_Delete(*resp);
            *resp = NULL;
            st = md_err_set(err, MD_ERR_PARSE, "GET %s: the reply is not a JSON object", url.data);
        }
    }
    md_http_response_free(&r);
    md_buf_free(&url);
    return st;
}

struct file_sink {
    FILE *f;
    unsigned long long n;
    unsigned long long limit;
    bool over;
    void (*progress)(void *ctx, unsigned long long bytes);
    void *progress_ctx;
};

static bool file_sink_write(void *ctx, const void *data, size_t n)
{
    struct file_sink *s = ctx;
    if (s->limit && s->n + n > s->limit) {
        s->over = true;
        return false;
    }
    if (fwrite(data, 1, n, s->f) != n)
        return false;
    s->n += n;
    if (s->progress)
        s->progress(s->progress_ctx, s->n);
    return true;
}

static bool file_sink_restart(void *ctx)
{
    struct file_sink *s = ctx;
    s->n = 0;
    s->over = false;
    return fflush(s->f) == 0 && ftruncate(fileno(s->f), 0) == 0 && fseek(s->f, 0, SEEK_SET) == 0;
}

/* GET url streamed into dest; what names the artifact in errors. */
static md_status download_to(struct md_mlflow *m, const char *url, const char *what,
                             const char *dest, const struct md_mlflow_download_opts *o,
                             unsigned long long *bytes, struct md_err *err)
{
    struct file_sink s = {0};
    if (o) {
        s.limit = o->max_bytes;
        s.progress = o->progress;
        s.progress_ctx = o->progress_ctx;
    }
    if (!(s.f = fopen(dest, "wb")))
        return md_err_set(err, MD_ERR_IO, "%s: %s", dest, strerror(errno));
    struct md_http_response r = {0};
    md_status st = raw_get(m, url, file_sink_write, file_sink_restart, &s, &r, err);
    if (st == MD_ERR_IO && s.over)
        md_err_set(err, MD_ERR_PARSE, "the download is larger than the %llu bytes announced",
                   s.limit);
    if (fclose(s.f) != 0 && st == MD_OK)
        st = md_err_set(err, MD_ERR_IO, "%s: %s", dest, strerror(errno));
    if (st != MD_OK) {
        unlink(dest);
        md_err_wrap(err, "%s", what);
    } else if (bytes) {
        *bytes = s.n;
    }
    md_http_response_free(&r);
    return st;
}

md_status md_mlflow_download_proxied_artifact(struct md_mlflow *m, const char *path,
                                              const char *dest,
                                              const struct md_mlflow_download_opts *o,
                                              unsigned long long *bytes, struct md_err *err)
{
    if (bytes)
        *bytes = 0;
    md_status st = need_server(m, err);
    if (st != MD_OK)
        return st;
    if (!path || !*path)
        return md_err_set(err, MD_ERR_INVALID, "no artifact path");
    struct md_buf url = MD_BUF_INIT, what = MD_BUF_INIT;
    artifact_url(m, &url, path, true);
    md_buf_printf(&what, "mlflow-artifacts:/%s", path[0] == '/' ? path + 1 : path);
    st = download_to(m, url.data, what.data, dest, o, bytes, err);
    md_buf_free(&url);
    md_buf_free(&what);
    return st;
}

md_status md_mlflow_download_run_artifact(struct md_mlflow *m, const char *run_id,
                                          const char *path, const char *dest,
                                          const struct md_mlflow_download_opts *o,
                                          unsigned long long *bytes, struct md_err *err)
{
    if (bytes)
        *bytes = 0;
    md_status st = need_server(m, err);
    if (st != MD_OK)
        return st;
    if (!run_id || !*run_id || !path || !*path)
        return md_err_set(err, MD_ERR_INVALID, "a run id and an artifact path are needed");
    struct md_buf url = MD_BUF_INIT, what = MD_BUF_INIT;
    md_buf_printf(&url, "%s/get-artifact?", m->base);
    struct md_buf q = MD_BUF_INIT;
    add_param(&q, "path", path);
    add_param(&q, "run_uuid", run_id);
    md_buf_puts(&url, q.data ? q.data : "");
    md_buf_printf(&what, "runs:/%s/%s", run_id, path);
    st = download_to(m, url.data, what.data, dest, o, bytes, err);
    md_buf_free(&q);
    md_buf_free(&url);
    md_buf_free(&what);
    return st;
}
