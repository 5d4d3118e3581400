#include "net/retry.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "net/awsconfig.h"
#include "net/ratelimit.h"
#include "net/xml.h"
#include "util/log.h"
#include "util/rand.h"

/* ---- configuration ---- */

static void set_mode(struct md_retry_cfg *c, const char *m, const char *where, bool *attempts_set,
                     struct md_err *warn)
{
    if (!strcasecmp(m, "standard"))
        c->mode = MD_RETRY_STANDARD;
    else if (!strcasecmp(m, "adaptive"))
        c->mode = MD_RETRY_ADAPTIVE;
    else if (!strcasecmp(m, "legacy")) {
        c->mode = MD_RETRY_LEGACY;
        if (!*attempts_set)
            c->max_attempts = 5;
    } else if (warn)
        md_err_set(warn, MD_ERR_INVALID,
                   "%s=%.40s is not standard, adaptive or legacy: using standard", where, m);
}

static void set_attempts(struct md_retry_cfg *c, const char *a, const char *where,
                         bool *attempts_set, struct md_err *warn)
{
    char *end;
    errno = 0;
    long v = strtol(a, &end, 10);
    if (errno || end == a || *end || v < 1 || v > 100) {
        if (warn)
            md_err_set(warn, MD_ERR_INVALID, "%s=%.40s is not a number from 1 to 100: using %d",
                       where, a, c->max_attempts);
        return;
    }
    c->max_attempts = (int)v;
    *attempts_set = true;
}

md_status md_retry_cfg_resolve(struct md_retry_cfg *c, const struct md_awsconfig *cfg,
                               const char *profile, struct md_err *warn)
{
    c->mode = MD_RETRY_STANDARD;
    c->max_attempts = 3;
    c->base_ms = 1000;
    c->max_backoff_ms = 20000;
    if (warn)
        md_err_clear(warn);
    /* Attempts first, so that "legacy" only changes the default. */
    bool attempts_set = false;
    const char *pm = cfg && profile ? md_awsconfig_get(cfg, profile, "retry_mode", NULL) : NULL;
    const char *pa = cfg && profile ? md_awsconfig_get(cfg, profile, "max_attempts", NULL) : NULL;
    const char *em = getenv("AWS_RETRY_MODE");
    const char *ea = getenv("AWS_MAX_ATTEMPTS");
    if (ea && *ea)
        set_attempts(c, ea, "AWS_MAX_ATTEMPTS", &attempts_set, warn);
    if (!attempts_set && pa && *pa)
        set_attempts(c, pa, "max_attempts", &attempts_set, warn);
    if (em && *em)
        set_mode(c, em, "AWS_RETRY_MODE", &attempts_set, warn);
    else if (pm && *pm)
        set_mode(c, pm, "retry_mode", &attempts_set, warn);
    return MD_OK;
}

md_status md_retry_cfg_from_env(struct md_retry_cfg *c, struct md_err *warn)
{
    return md_retry_cfg_resolve(c, NULL, NULL, warn);
}

/* ---- classification (botocore retries/standard.py) ---- */

bool md_retry_is_throttle(const char *code)
{
    static const char *const codes[] = {
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException",
        "TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded",
        "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
        "EC2ThrottledException", NULL,
    };
    if (!code || !*code)
        return false;
    for (int i = 0; codes[i]; i++)
        if (!strcmp(code, codes[i]))
            return true;
    return false;
}

static bool is_transient_code(const char *code)
{
    return code && (!strcmp(code, "RequestTimeout") || !strcmp(code, "RequestTimeoutException") ||
                    !strcmp(code, "PriorRequestNotComplete"));
}

bool md_retry_is_retryable(md_status transport, int status, const char *code)
{
    if (transport == MD_ERR_NET)
        return true;
    if (transport != MD_OK)
        return false;
    if (status == 500 || status == 502 || status == 503 || status == 504)
        return true;
    if (status == 429)
        return true;
    return md_retry_is_throttle(code) || is_transient_code(code);
}

bool md_retry_is_clock_skew(int status, const char *code, const char *message)
{
    static const char *const codes[] = {
        "RequestTimeTooSkewed", "RequestExpired", "RequestInTheFuture", "InvalidSignatureException",
        "SignatureDoesNotMatch", "AuthFailure", NULL,
    };
    if (!code)
        return false;
    for (int i = 0; codes[i]; i++)
        if (!strcmp(code, codes[i]))
            return true;
    return false;
}

long md_retry_backoff_ms(const struct md_retry_cfg *c, int retry, double rnd)
{
    if (retry < 1)
        retry = 1;
    double base = (double)(c->base_ms > 0 ? c->base_ms : 1000);
    double cap = (double)(c->max_backoff_ms > 0 ? c->max_backoff_ms : 20000);
    double d = base;
    for (int i = 1; i < retry && d < cap * 2; i++)
        d *= 2;
    if (c->mode != MD_RETRY_LEGACY && d > cap)
        d = cap;
    if (rnd < 0)
        rnd = 0;
    if (rnd >= 1)
        rnd = 0.999999;
    return (long)(rnd * d);
}

/* ---- retry quota (shared token bucket of 500) ---- */

static pthread_mutex_t quota_mu = PTHREAD_MUTEX_INITIALIZER;
static int quota = 500;

static bool quota_take(int cost)
{
    bool ok = false;
    pthread_mutex_lock(&quota_mu);
    if (quota >= cost) {
        quota -= cost;
        ok = true;
    }
    pthread_mutex_unlock(&quota_mu);
    return ok;
}

static void quota_give(int n)
{
    pthread_mutex_lock(&quota_mu);
    quota += n;
    if (quota > 500)
        quota = 500;
    pthread_mutex_unlock(&quota_mu);
}

/* ---- error parsing ---- */

static void copy(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
}

static const char *first_json_string(const cJSON *o, const char *a, const char *b)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, a);
    if (!cJSON_IsString(v) && b)
        v = cJSON_GetObjectItemCaseSensitive(o, b);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

md_status md_aws_error_parse(const struct md_http_response *resp, struct md_err *err)
{
    struct md_err tmp;
    if (!err)
        err = &tmp;
    md_err_clear(err);
    err->http_status = resp->status;
    char code[sizeof err->svc_code] = "";
    char message[400] = "";
    char reqid[sizeof err->request_id] = "";

    const char *rid = md_headers_get(&resp->headers, "x-amzn-RequestId");
    if (!rid)
        rid = md_headers_get(&resp->headers, "x-amz-request-id");
    copy(reqid, sizeof reqid, rid);

    const char *body = resp->body.data;
    size_t blen = resp->body.len;
    size_t i = 0;
    while (i < blen && isspace((unsigned char)body[i]))
        i++;
    if (i < blen && body[i] == '{') {
        cJSON *j = cJSON_ParseWithLength(body, blen);
        if (cJSON_IsObject(j)) {
            const char *t = first_json_string(j, "__type", "code");
            if (!t)
                t = first_json_string(j, "Code", NULL);
            if (t) {
                const char *h = strrchr(t, '#');
                copy(code, sizeof code, h ? h + 1 : t);
                /* some services append ":http://internal..." */
                char *colon = strchr(code, ':');
                if (colon)
                    *colon = '\0';
            }
            const char *m = first_json_string(j, "message", "Message");
            if (!m)
                m = first_json_string(j, "errorMessage", NULL);
            copy(message, sizeof message, m);
        }
        cJSON_Delete(j);
    } else if (i < blen && body[i] == '<') {
        struct md_xml *x = NULL;
        if (md_xml_parse(body, blen, &x, NULL) == MD_OK) {
            /* <ErrorResponse><Error> (query), <Error> (S3), <Response><Errors><Error> (EC2) */
            const struct md_xml *e = !strcmp(x->name, "Error") ? x : md_xml_find(x, "Error");
            if (!e)
                e = md_xml_find(x, "Errors/Error");
            if (e) {
                copy(code, sizeof code, md_xml_text(e, "Code"));
                copy(message, sizeof message, md_xml_text(e, "Message"));
            }
            const char *r = md_xml_text(x, "RequestId");
            if (!r)
                r = md_xml_text(x, "RequestID");
            if (!r && e)
                r = md_xml_text(e, "RequestId");
            if (r && !reqid[0])
                copy(reqid, sizeof reqid, r);
        }
        md_xml_free(x);
    }
    /* awsQueryCompatible services say the query code in a header. */
    const char *qe = md_headers_get(&resp->headers, "x-amzn-query-error");
    if (qe && *qe) {
        copy(code, sizeof code, qe);
        char *semi = strchr(code, ';');
        if (semi)
            *semi = '\0';
    }
    if (!code[0]) {
        const char *et = md_headers_get(&resp->headers, "x-amzn-ErrorType");
        if (et) {
            const char *h = strrchr(et, '#');
            copy(code, sizeof code, h ? h + 1 : et);
            char *colon = strchr(code, ':');
            if (colon)
                *colon = '\0';
        }
    }
    if (!code[0] && blen == 0)
        snprintf(code, sizeof code, "%d", resp->status);   /* HEAD, or a bare status */

    md_status st;
    if (resp->status == 401 || resp->status == 403 || !strcmp(code, "UnrecognizedClientException") ||
        !strcmp(code, "InvalidClientTokenId") || !strcmp(code, "ExpiredToken") ||
        !strcmp(code, "ExpiredTokenException") || !strcmp(code, "InvalidAccessKeyId") ||
        !strcmp(code, "InvalidToken"))
        st = MD_ERR_AUTH;
    else if (resp->status == 404 || strstr(code, "NotFound") || !strncmp(code, "NoSuch", 6))
        st = MD_ERR_NOTFOUND;
    else if (code[0] && !(isdigit((unsigned char)code[0])))
        st = MD_ERR_SERVICE;
    else
        st = MD_ERR_HTTP;

    err->code = st;
    copy(err->svc_code, sizeof err->svc_code, code);
    copy(err->request_id, sizeof err->request_id, reqid);
    if (message[0])
        snprintf(err->msg, sizeof err->msg, "%s", message);
    else if (code[0] && !isdigit((unsigned char)code[0]))
        snprintf(err->msg, sizeof err->msg, "%s", code);
    else
        snprintf(err->msg, sizeof err->msg, "HTTP %d", resp->status);
    return st;
}

/* ---- adaptive mode: one send-rate limiter for the process ---- */

static struct md_ratelimit limiter;
static pthread_once_t limiter_once = PTHREAD_ONCE_INIT;

static void limiter_init(void)
{
    md_ratelimit_init(&limiter, md_ratelimit_clock());
}

/* ---- the send loop ---- */

/* RFC 1123 date ("Thu, 26 Nov 2026 10:36:54 GMT"), locale-independent. */
static time_t parse_http_date(const char *s)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    const char *p = s ? strchr(s, ',') : NULL;
    if (!p)
        return -1;
    int day, year, hh, mm, ss;
    char mon[4];
    if (sscanf(p + 1, " %d %3s %d %d:%d:%d", &day, mon, &year, &hh, &mm, &ss) != 6)
        return -1;
    const char *m = strstr(months, mon);
    if (!m || strlen(mon) != 3 || (m - months) % 3)
        return -1;
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_mday = day;
    tm.tm_mon = (int)((m - months) / 3);
    tm.tm_year = year - 1900;
    tm.tm_hour = hh;
    tm.tm_min = mm;
    tm.tm_sec = ss;
    return timegm(&tm);
}

/* Sleeps ms, waking every 50 ms to check for cancellation.  false = cancelled. */
static bool sleep_ms(long ms, const struct md_http_opts *o)
{
    while (ms > 0) {
        if (o && o->cancelled && o->cancelled(o->cancel_ctx))
            return false;
        long step = ms < 50 ? ms : 50;
        struct timespec ts = {step / 1000, (step % 1000) * 1000000L};
        nanosleep(&ts, NULL);
        ms -= step;
    }
    return !(o && o->cancelled && o->cancelled(o->cancel_ctx));
}

md_status md_aws_send(void *curl, struct md_http_request *req, const struct md_aws_target *t,
                      const struct md_http_opts *opts, const struct md_retry_cfg *cfg,
                      struct md_http_response *resp, struct md_aws_call_info *info,
                      struct md_err *err)
{
    struct md_retry_cfg envcfg;
    if (!cfg) {
        md_retry_cfg_from_env(&envcfg, NULL);
        cfg = &envcfg;
    }
    struct md_aws_call_info local = {0};
    if (!info)
        info = &local;
    info->attempts = 0;
    info->slept_ms = 0;
    info->request_id[0] = '\0';
    int max = cfg->max_attempts < 1 ? 1 : cfg->max_attempts;

    char invocation[37];
    md_uuid4(invocation);
    if (md_headers_set(&req->headers, "amz-sdk-invocation-id", invocation) < 0)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");

    bool skew_fixed = false;
    int spent = 0;          /* quota taken by this call's retries */
    md_status st = MD_OK;
    for (int attempt = 1;; attempt++) {
        char hdr[64];
        snprintf(hdr, sizeof hdr, "attempt=%d; max=%d", attempt, max);
        if (md_headers_set(&req->headers, "amz-sdk-request", hdr) < 0)
            return md_err_set(err, MD_ERR_NOMEM, "out of memory");

        struct md_aws_creds fresh;
        const struct md_aws_creds *creds = t->creds;
        if (t->get_creds) {
            memset(&fresh, 0, sizeof fresh);
            st = t->get_creds(t->creds_ctx, &fresh, err);
            if (st != MD_OK) {
                md_aws_creds_wipe(&fresh);
                return st;
            }
            creds = &fresh;
        }
        if (creds) {
            struct md_sigv4_params sp = {
                .service = t->service, .region = t->region, .creds = creds, .now = 0,
                .unsigned_payload = t->unsigned_payload,
                .content_sha256_header = t->content_sha256_header,
            };
            st = md_sigv4_sign(req, &sp, NULL, err);
        }
        if (t->get_creds)
            md_aws_creds_wipe(&fresh);
        if (st != MD_OK)
            return st;

        bool adaptive = cfg->mode == MD_RETRY_ADAPTIVE;
        if (adaptive) {
            pthread_once(&limiter_once, limiter_init);
            double wait = md_ratelimit_acquire(&limiter, md_ratelimit_clock());
            if (wait > 0 && !sleep_ms((long)(wait * 1000.0 + 0.5), opts))
                return md_err_set(err, MD_ERR_CANCELLED, "cancelled");
            if (wait > 0)
                info->slept_ms += (long)(wait * 1000.0 + 0.5);
        }
        info->attempts = attempt;
        st = md_http_perform(curl, req, opts, resp, err);
        if (adaptive && st == MD_OK) {
            bool throttled = false;
            if (resp->status == 429) {
                throttled = true;
            } else if (resp->status >= 400) {
                struct md_err probe;
                md_aws_error_parse(resp, &probe);
                throttled = md_retry_is_throttle(probe.svc_code);
            }
            md_ratelimit_record(&limiter, md_ratelimit_clock(), throttled);
        }
        bool retryable;
        bool timeout = false;
        if (st == MD_OK && resp->status >= 200 && resp->status < 300) {
            const char *rid = md_headers_get(&resp->headers, "x-amzn-RequestId");
            if (!rid)
                rid = md_headers_get(&resp->headers, "x-amz-request-id");
            snprintf(info->request_id, sizeof info->request_id, "%s", rid ? rid : "");
            quota_give(spent ? spent : 1);
            return MD_OK;
        }
        if (st == MD_OK) {
            st = md_aws_error_parse(resp, err);
            /* Clock skew: the server's Date says how far off we are. */
            if (!skew_fixed && md_retry_is_clock_skew(resp->status, err->svc_code, err->msg)) {
                time_t server = parse_http_date(md_headers_get(&resp->headers, "Date"));
                time_t local_now = time(NULL);
                long off = md_sigv4_clock_offset();
                if (server > 0 && labs((long)(server - (local_now + off))) >= 240) {
                    md_sigv4_set_clock_offset((long)(server - local_now));
                    md_log(MD_LOG_WARN, "clock skew: local clock is %ld s off the server's; "
                                        "correcting", (long)(local_now - server));
                    skew_fixed = true;
                    if (attempt < max + 1)      /* a skew retry is free: one extra try */
                        continue;
                }
            }
            retryable = md_retry_is_retryable(MD_OK, resp->status, err->svc_code);
        } else if (st == MD_ERR_NET) {
            retryable = true;
            timeout = strstr(err->msg, "timed out") != NULL;
        } else {
            return st;
        }
        if (!retryable || attempt >= max)
            return st;
        int cost = timeout ? 10 : 5;
        if (!quota_take(cost)) {
            md_log(MD_LOG_WARN, "retry quota exhausted: not retrying %s", req->method);
            return st;
        }
        spent += cost;
        long delay = md_retry_backoff_ms(cfg, attempt, md_random01());
        md_log(MD_LOG_INFO, "retrying %s %s after %ld ms (attempt %d of %d): %s", req->method,
               err->svc_code[0] ? err->svc_code : "", delay, attempt + 1, max, err->msg);
        if (!sleep_ms(delay, opts))
            return md_err_set(err, MD_ERR_CANCELLED, "cancelled");
        info->slept_ms += delay;
    }
}
