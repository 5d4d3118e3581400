#include "net/http.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "net/url.h"
#include "util/log.h"

/* ---- header lists ---- */

int md_headers_add(struct md_http_headers *h, const char *name, const char *value)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 8;
        struct md_http_header *v = realloc(h->v, cap * sizeof *v);
        if (!v)
            return -1;
        h->v = v;
        h->cap = cap;
    }
    char *n = strdup(name), *val = strdup(value ? value : "");
    if (!n || !val) {
        free(n);
        free(val);
        return -1;
    }
    h->v[h->n].name = n;
    h->v[h->n].value = val;
    h->n++;
    return 0;
}

size_t md_headers_remove(struct md_http_headers *h, const char *name)
{
    size_t out = 0, removed = 0;
    for (size_t i = 0; i < h->n; i++) {
        if (strcasecmp(h->v[i].name, name) == 0) {
            free(h->v[i].name);
            free(h->v[i].value);
            removed++;
        } else {
            h->v[out++] = h->v[i];
        }
    }
    h->n = out;
    return removed;
}

int md_headers_set(struct md_http_headers *h, const char *name, const char *value)
{
    md_headers_remove(h, name);
    return md_headers_add(h, name, value);
}

const char *md_headers_get(const struct md_http_headers *h, const char *name)
{
    for (size_t i = 0; i < h->n; i++)
        if (strcasecmp(h->v[i].name, name) == 0)
            return h->v[i].value;
    return NULL;
}

void md_headers_free(struct md_http_headers *h)
{
    for (size_t i = 0; i < h->n; i++) {
        free(h->v[i].name);
        free(h->v[i].value);
    }
    free(h->v);
    h->v = NULL;
    h->n = h->cap = 0;
}

/* ---- requests and responses ---- */

int md_http_request_init(struct md_http_request *req, const char *method, const char *url)
{
    memset(req, 0, sizeof *req);
    snprintf(req->method, sizeof req->method, "%s", method);
    return md_http_request_set_url(req, url);
}

int md_http_request_set_url(struct md_http_request *req, const char *url)
{
    char *u = strdup(url);
    if (!u)
        return -1;
    free(req->url);
    req->url = u;
    return 0;
}

int md_http_request_set_body(struct md_http_request *req, const void *data, size_t n)
{
    md_buf_reset(&req->body);
    if (md_buf_append(&req->body, data, n) < 0)
        return -1;
    return 0;
}

void md_http_request_free(struct md_http_request *req)
{
    free(req->url);
    req->url = NULL;
    md_headers_free(&req->headers);
    md_buf_free(&req->body);
}

void md_http_response_reset(struct md_http_response *resp)
{
    resp->status = 0;
    md_headers_free(&resp->headers);
    md_buf_reset(&resp->body);
}

void md_http_response_free(struct md_http_response *resp)
{
    md_http_response_reset(resp);
    md_buf_free(&resp->body);
}

void md_http_opts_init(struct md_http_opts *o)
{
    memset(o, 0, sizeof *o);
}

/* ---- proxies ---- */

static const char *env_nonempty(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

void md_http_proxy_for(const char *url, char *out, size_t n)
{
    out[0] = '\0';
    bool https = strncasecmp(url, "https:", 6) == 0;
    const char *p;
    if (https)
        p = env_nonempty("https_proxy") ? env_nonempty("https_proxy") : env_nonempty("HTTPS_PROXY");
    else
        p = env_nonempty("http_proxy") ? env_nonempty("http_proxy") : env_nonempty("HTTP_PROXY");
    if (!p)
        p = env_nonempty("all_proxy") ? env_nonempty("all_proxy") : env_nonempty("ALL_PROXY");
    if (!p)
        return;
    /* NO_PROXY: comma-separated hosts or domain suffixes, "*" = all. */
    const char *np = env_nonempty("no_proxy") ? env_nonempty("no_proxy") : env_nonempty("NO_PROXY");
    if (np) {
        struct md_url u;
        if (md_url_parse(url, &u, NULL) == MD_OK) {
            char host[256];
            snprintf(host, sizeof host, "%s", u.host);
            md_url_free(&u);
            if (host[0] == '[') {           /* compare IPv6 without brackets */
                memmove(host, host + 1, strlen(host));
                char *rb = strchr(host, ']');
                if (rb)
                    *rb = '\0';
            }
            size_t hl = strlen(host);
            const char *s = np;
            while (*s) {
                size_t len = strcspn(s, ", ");
                const char *e = s;
                size_t el = len;
                if (el && e[0] == '.') {
                    e++;
                    el--;
                }
                if ((len == 1 && s[0] == '*') ||
                    (el && hl >= el && strncasecmp(host + hl - el, e, el) == 0 &&
                     (hl == el || host[hl - el - 1] == '.'))) {
                    return;
                }
                s += len;
                while (*s == ',' || *s == ' ')
                    s++;
            }
        }
    }
    snprintf(out, n, "%s", p);
}

/* ---- perform ---- */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

void md_http_global_init(void)
{
    pthread_once(&curl_once, curl_init_once);
}

struct xfer {
    const struct md_http_opts *opts;
    struct md_http_response *resp;
    size_t max_body;
    bool too_big;
    bool secret_body;
    bool oom;
    bool sink_failed;
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
    struct xfer *x = ud;
    size_t n = size * nmemb;
    if (x->opts->sink && x->resp->status >= 200 && x->resp->status < 300) {
        if (!x->opts->sink(x->opts->sink_ctx, data, n)) {
            x->sink_failed = true;
            return 0;
        }
        return n;
    }
    if (x->resp->body.len + n > x->max_body) {
        x->too_big = true;
        return 0;
    }
    if (md_buf_append(&x->resp->body, data, n) < 0) {
        x->oom = true;
        return 0;
    }
    return n;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ud)
{
    struct xfer *x = ud;
    size_t n = size * nmemb;
    size_t len = n;
    while (len && (data[len - 1] == '\n' || data[len - 1] == '\r'))
        len--;
    if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
        /* A new response (after 100 Continue or an interim one): start over. */
        md_headers_free(&x->resp->headers);
        const char *sp = memchr(data, ' ', len);
        x->resp->status = sp ? atoi(sp + 1) : 0;
        return n;
    }
    if (len && (data[0] == ' ' || data[0] == '\t') && x->resp->headers.n) {
        /* obsolete line folding: append to the previous value */
        struct md_http_header *last = &x->resp->headers.v[x->resp->headers.n - 1];
        size_t ol = strlen(last->value);
        char *nv = realloc(last->value, ol + len + 1);
        if (!nv)
            return 0;
        nv[ol] = ' ';
        size_t skip = 0;
        while (skip < len && (data[skip] == ' ' || data[skip] == '\t'))
            skip++;
        memcpy(nv + ol + 1, data + skip, len - skip);
        nv[ol + 1 + len - skip] = '\0';
        last->value = nv;
        return n;
    }
    const char *colon = memchr(data, ':', len);
    if (!colon)
        return n;
    char name[256];
    size_t nl = (size_t)(colon - data);
    if (nl >= sizeof name)
        return n;
    memcpy(name, data, nl);
    name[nl] = '\0';
    const char *v = colon + 1;
    const char *end = data + len;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    char *val = strndup(v, (size_t)(end - v));
    if (!val || md_headers_add(&x->resp->headers, name, val) < 0) {
        free(val);
        x->oom = true;
        return 0;
    }
    free(val);
    return n;
}

static int on_progress(void *ud, curl_off_t dlt, curl_off_t dln, curl_off_t ult, curl_off_t uln)
{
    struct xfer *x = ud;
    if (x->opts && x->opts->cancelled && x->opts->cancelled(x->opts->cancel_ctx))
        return 1;
    return 0;
}

static void trace_line(const struct md_http_opts *o, const char *line)
{
    if (o->trace)
        o->trace(o->trace_ctx, line);
    else
        md_log(MD_LOG_DEBUG, "http %s", line);
}

/* Does a body look like it carries credentials or tokens? */
static bool looks_secret(const char *d, size_t n)
{
    static const char *const words[] = {"secret", "token", "password", "credential", NULL};
    for (int w = 0; words[w]; w++) {
        size_t wl = strlen(words[w]);
        for (size_t i = 0; i + wl <= n; i++)
            if (strncasecmp(d + i, words[w], wl) == 0)
                return true;
    }
    return false;
}

static void trace_body(const struct md_http_opts *o, const char *dir, const char *d, size_t n,
                       bool secret)
{
    char line[1200];
    if (secret || looks_secret(d, n)) {
        snprintf(line, sizeof line, "%s body: %zu bytes <redacted>", dir, n);
    } else {
        size_t show = n < 1024 ? n : 1024;
        char text[1100];
        size_t k = 0;
        for (size_t i = 0; i < show && k + 4 < sizeof text; i++) {
            unsigned char c = (unsigned char)d[i];
            text[k++] = (c >= 0x20 && c < 0x7f) ? (char)c : '.';
        }
        text[k] = '\0';
        snprintf(line, sizeof line, "%s body: %zu bytes%s %s", dir, n, show < n ? " (first 1024)" : "",
                 text);
    }
    trace_line(o, line);
}

/* A presigned URL on a request line carries the session token and the
 * signature in its query: blank their values in place. */
static void redact_query(char *line)
{
    static const char *const names[] = {"x-amz-security-token=", "x-amz-signature=",
                                        "x-amz-credential=", NULL};
    char *q = strchr(line, '?');
    while (q) {
        char *param = q + 1;
        for (int i = 0; names[i]; i++) {
            size_t nl = strlen(names[i]);
            if (strncasecmp(param, names[i], nl) == 0) {
                char *v = param + nl;
                size_t vl = strcspn(v, "& ");
                if (vl >= 3) {
                    memcpy(v, "***", 3);
                    memmove(v + 3, v + vl, strlen(v + vl) + 1);
                }
            }
        }
        q = strchr(param, '&');
    }
}

struct trace_ctx {
    const struct md_http_opts *opts;
    bool secret_body;
};

static int on_debug(CURL *h, curl_infotype type, char *data, size_t size, void *ud)
{
    struct trace_ctx *t = ud;
    const char *dir = NULL;
    switch (type) {
    case CURLINFO_TEXT:
        if (size > 2 && strncmp(data, "Trying", 6) != 0 && strncmp(data, "Connected", 9) != 0 &&
            strncmp(data, "Re-using", 8) != 0)
            return 0;
        dir = "*";
        break;
    case CURLINFO_HEADER_OUT: dir = ">"; break;
    case CURLINFO_HEADER_IN: dir = "<"; break;
    case CURLINFO_DATA_OUT:
        trace_body(t->opts, ">", data, size, t->secret_body);
        return 0;
    case CURLINFO_DATA_IN:
        trace_body(t->opts, "<", data, size, t->secret_body);
        return 0;
    default:
        return 0;
    }
    /* One line per header line, each redacted. */
    const char *p = data, *end = data + size;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        size_t len = (size_t)(le - p);
        if (len && p[len - 1] == '\r')
            len--;
        if (len) {
            char raw[2048], red[2100], line[2200];
            snprintf(raw, sizeof raw, "%.*s", (int)len, p);
            redact_query(raw);
            if (!strncasecmp(raw, "x-amz-sso_bearer_token:", 23))
                snprintf(red, sizeof red, "x-amz-sso_bearer_token: <redacted>");
            else
                md_log_redact_header(raw, red, sizeof red);
            snprintf(line, sizeof line, "%s %s", dir, red);
            trace_line(t->opts, line);
        }
        p = nl ? nl + 1 : end;
    }
    return 0;
}

md_status md_http_perform(void *curl, const struct md_http_request *req,
                          const struct md_http_opts *opts, struct md_http_response *resp,
                          struct md_err *err)
{
    static const struct md_http_opts defaults;
    if (!opts)
        opts = &defaults;
    md_http_global_init();
    md_http_response_reset(resp);
    if (opts->cancelled && opts->cancelled(opts->cancel_ctx))
        return md_err_set(err, MD_ERR_CANCELLED, "cancelled");
    if (!req->url || (strncasecmp(req->url, "http://", 7) != 0 &&
                      strncasecmp(req->url, "https://", 8) != 0))
        return md_err_set(err, MD_ERR_INVALID, "not an http(s) URL: %.200s",
                          req->url ? req->url : "(none)");

    CURL *h = curl;
    bool own = false;
    if (!h) {
        h = curl_easy_init();
        own = true;
        if (!h)
            return md_err_set(err, MD_ERR_NOMEM, "cannot create an HTTP handle");
    } else {
        curl_easy_reset(h);
    }

    struct xfer x = {opts, resp, opts->max_body ? opts->max_body : (size_t)256 << 20, false,
                     req->secret_body, false, false};
    struct trace_ctx tc = {opts, req->secret_body};
    struct curl_slist *hl = NULL;
    md_status st = MD_OK;
    char errbuf[CURL_ERROR_SIZE] = "";
    bool has_ct = false, has_accept = false, has_ua = false;

    for (size_t i = 0; i < req->headers.n; i++) {
        const struct md_http_header *f = &req->headers.v[i];
        if (!strcasecmp(f->name, "Expect"))
            continue;           /* never sent; see below */
        if (!strcasecmp(f->name, "Content-Type")) has_ct = true;
        if (!strcasecmp(f->name, "Accept")) has_accept = true;
        if (!strcasecmp(f->name, "User-Agent")) has_ua = true;
        size_t ll = strlen(f->name) + strlen(f->value) + 4;
        char *line = malloc(ll);
        if (!line) {
            st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
            goto out;
        }
        if (f->value[0])
            snprintf(line, ll, "%s: %s", f->name, f->value);
        else
            snprintf(line, ll, "%s;", f->name);     /* curl's syntax for an empty value */
        struct curl_slist *nl = curl_slist_append(hl, line);
        free(line);
        if (!nl) {
            st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
            goto out;
        }
        hl = nl;
    }
    /* libcurl would add Expect: 100-continue to big bodies, and a form
     * Content-Type and Accept of its own: none of them were signed. */
    hl = curl_slist_append(hl, "Expect:");
    if (!has_ct)
        hl = curl_slist_append(hl, "Content-Type:");
    if (!has_accept)
        hl = curl_slist_append(hl, "Accept:");
    if (!hl) {
        st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
        goto out;
    }

    curl_easy_setopt(h, CURLOPT_URL, req->url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    if (!has_ua)
        curl_easy_setopt(h, CURLOPT_USERAGENT, "mldeck/" PACKAGE_VERSION);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     opts->connect_timeout_ms > 0 ? opts->connect_timeout_ms : 10000L);
    if (opts->timeout_ms >= 0)
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, opts->timeout_ms > 0 ? opts->timeout_ms : 60000L);
    /* A stalled transfer (server hangs mid-body) ends too. */
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 60L);

    if (opts->insecure) {
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    } else {
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
        const char *ca = opts->ca_bundle ? opts->ca_bundle : getenv("AWS_CA_BUNDLE");
        if (ca && *ca)
            curl_easy_setopt(h, CURLOPT_CAINFO, ca);
    }

    char proxy[1024] = "";
    if (!opts->no_proxy)
        md_http_proxy_for(req->url, proxy, sizeof proxy);
    /* Always set: "" stops libcurl from reading the variables itself. */
    curl_easy_setopt(h, CURLOPT_PROXY, proxy);

    if (!strcmp(req->method, "HEAD")) {
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (!strcmp(req->method, "GET") && req->body.len == 0) {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body.data ? req->body.data : "");
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body.len);
        if (strcmp(req->method, "POST") != 0)
            curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
    }

    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &x);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, &x);
    if (opts->debug || opts->trace) {
        curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, on_debug);
        curl_easy_setopt(h, CURLOPT_DEBUGDATA, &tc);
        curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
    }

    CURLcode rc = curl_easy_perform(h);
    if (rc == CURLE_OK) {
        long code = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
        resp->status = (int)code;
    } else if (rc == CURLE_ABORTED_BY_CALLBACK) {
        st = md_err_set(err, MD_ERR_CANCELLED, "cancelled");
    } else if (x.too_big) {
        st = md_err_set(err, MD_ERR_NET, "response body larger than %zu bytes", x.max_body);
    } else if (x.sink_failed) {
        st = md_err_set(err, MD_ERR_IO, "could not store the downloaded data");
    } else if (x.oom) {
        st = md_err_set(err, MD_ERR_NOMEM, "out of memory reading the response");
    } else {
        const char *what = rc == CURLE_OPERATION_TIMEDOUT ? "timed out"
                           : rc == CURLE_COULDNT_CONNECT ? "connection refused or unreachable"
                           : rc == CURLE_COULDNT_RESOLVE_HOST ? "cannot resolve host"
                           : rc == CURLE_COULDNT_RESOLVE_PROXY ? "cannot resolve proxy"
                           : rc == CURLE_PEER_FAILED_VERIFICATION ? "TLS certificate not trusted"
                           : rc == CURLE_SSL_CACERT_BADFILE ? "cannot read the CA bundle"
                           : rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR ? "connection reset"
                           : rc == CURLE_GOT_NOTHING ? "server closed the connection without replying"
                           : curl_easy_strerror(rc);
        struct md_url u;
        char host[300] = "?";
        if (md_url_parse(req->url, &u, NULL) == MD_OK) {
            md_url_host_header(&u, host, sizeof host);
            md_url_free(&u);
        }
        st = md_err_set(err, MD_ERR_NET, "%s %s: %s%s%s", req->method, host, what,
                        errbuf[0] ? " — " : "", errbuf);
        if (rc == CURLE_PEER_FAILED_VERIFICATION)
            md_err_wrap(err, "TLS");
    }
    if (st == MD_OK && (opts->debug || opts->trace)) {
        char line[64];
        snprintf(line, sizeof line, "status %d, %zu bytes", resp->status, resp->body.len);
        trace_line(opts, line);
    } else if (st != MD_OK && (opts->debug || opts->trace)) {
        char line[700];
        snprintf(line, sizeof line, "failed: %s", err ? err->msg : md_status_name(st));
        trace_line(opts, line);
    }

out:
    if (h && !own) {
        /* Do not leave pointers to our stack in the caller's handle. */
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
    }
    curl_slist_free_all(hl);
    if (own)
        curl_easy_cleanup(h);
    return st;
}

void *md_http_handle_new(void)
{
    md_http_global_init();
    return curl_easy_init();
}

void md_http_handle_free(void *curl)
{
    if (curl)
        curl_easy_cleanup(curl);
}
