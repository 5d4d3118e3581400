/* The one HTTP path of mldeck (libcurl).  Every call to AWS, MLflow, IMDS or
 * a container-credentials endpoint goes through md_http_perform on a CURL
 * handle owned by the caller (a sync worker keeps one per thread so
 * connections are reused).  TLS verification is always on unless the
 * operator asked for --insecure.  Nothing here retries or signs: see
 * net/sigv4.h and net/awscall.h. */
#ifndef MD_NET_HTTP_H
#define MD_NET_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"
#include "util/err.h"

/* An ordered list of header fields; names keep their case, lookups ignore
 * it, repeated names are allowed (they stay in request order).  Every
 * string is owned by the list. */
struct md_http_header {
    char *name;
    char *value;
};

struct md_http_headers {
    struct md_http_header *v;
    size_t n, cap;
};

/* Appends a field (copies both strings).  0 ok, -1 out of memory. */
int md_headers_add(struct md_http_headers *h, const char *name, const char *value);
/* Removes every field called name, then appends one (copies). */
int md_headers_set(struct md_http_headers *h, const char *name, const char *value);
/* Removes every field called name (case-insensitive); returns how many. */
size_t md_headers_remove(struct md_http_headers *h, const char *name);
/* First value of name, or NULL.  The pointer lives until the list changes. */
const char *md_headers_get(const struct md_http_headers *h, const char *name);
void md_headers_free(struct md_http_headers *h);

/* A request.  Everything is owned by the request: md_http_request_free
 * releases it.  url is the full wire URL (already percent-encoded, as it
 * goes on the request line).  If no Host header is present, the signer adds
 * one; libcurl sends whatever Host is in headers. */
struct md_http_request {
    char method[16];            /* "GET", "POST", "PUT", "HEAD", "DELETE", ... */
    char *url;
    struct md_http_headers headers;
    struct md_buf body;         /* may be empty */
    /* The body (request and response) holds credentials (STS, IMDS,
     * container credentials, SSO): the debug trace prints its length only. */
    bool secret_body;
};

/* Sets method and url (copied); headers and body start empty.  -1 = no memory. */
int md_http_request_init(struct md_http_request *req, const char *method, const char *url);
int md_http_request_set_url(struct md_http_request *req, const char *url);
/* Replaces the body with a copy of n bytes. */
int md_http_request_set_body(struct md_http_request *req, const void *data, size_t n);
void md_http_request_free(struct md_http_request *req);

struct md_http_response {
    int status;                     /* 0 when no response arrived */
    struct md_http_headers headers; /* of the final response (after 100-continue) */
    struct md_buf body;
};

void md_http_response_reset(struct md_http_response *resp);   /* reusable afterwards */
void md_http_response_free(struct md_http_response *resp);

/* Receives one already-redacted trace line (no newline). */
typedef void (*md_http_trace_fn)(void *ctx, const char *line);

struct md_http_opts {
    long connect_timeout_ms;    /* 0 = 10000 */
    long timeout_ms;            /* total per attempt; 0 = 60000; <0 = none */
    bool insecure;              /* skip TLS verification (the operator's --insecure) */
    const char *ca_bundle;      /* PEM file; NULL = $AWS_CA_BUNDLE, else the system store */
    bool no_proxy;              /* ignore proxy variables (container credentials do) */
    /* Polled while the transfer runs (about every 100 ms) and between
     * retries; returning true aborts with MD_ERR_CANCELLED.  A worker passes
     * md_worker_cancelled. */
    bool (*cancelled)(void *ctx);
    void *cancel_ctx;
    /* Debug trace: request line, headers and response status/headers, with
     * Authorization, X-Amz-Security-Token, tokens and credential bodies
     * redacted.  If trace is NULL and debug is true the lines go to
     * md_log(MD_LOG_DEBUG). */
    bool debug;
    md_http_trace_fn trace;
    void *trace_ctx;
    size_t max_body;            /* response bodies larger than this fail; 0 = 256 MiB */
    /* Streaming downloads: when set, the body of a 2xx response is handed
     * to sink as it arrives instead of being kept in resp->body (max_body
     * does not apply); other statuses are buffered as usual so their error
     * body can be read.  sink returns false to abort (MD_ERR_IO). */
    bool (*sink)(void *ctx, const void *data, size_t n);
    void *sink_ctx;
};

/* Initialises defaults: zero everything, debug from nothing.  Convenience. */
void md_http_opts_init(struct md_http_opts *o);

/* Performs one request on a caller-owned CURL handle (a CURL *, passed as
 * void * so headers that include this one need not include curl; NULL =
 * a temporary handle).  The handle is reset before use, so a keep-alive
 * connection is reused.  Returns MD_OK as soon as any HTTP response
 * arrived (whatever its status: interpreting it is the caller's job) and
 * fills resp (reset first); MD_ERR_NET for connection, DNS, TLS, timeout
 * or reset (err->msg says which), MD_ERR_CANCELLED.  Never sends
 * "Expect: 100-continue". */
md_status md_http_perform(void *curl, const struct md_http_request *req,
                          const struct md_http_opts *opts, struct md_http_response *resp,
                          struct md_err *err);

/* The proxy mldeck uses for url, following the AWS CLI: HTTPS_PROXY or
 * https_proxy for https, http_proxy then HTTP_PROXY for http (libcurl alone
 * ignores uppercase HTTP_PROXY: mldeck honours it, like the CLI), ALL_PROXY,
 * and NO_PROXY/no_proxy.  Writes "" when no proxy applies. */
void md_http_proxy_for(const char *url, char *out, size_t n);

/* A handle for md_http_perform that keeps its connections between calls
 * (one per thread); NULL when out of memory.  Free with md_http_handle_free. */
void *md_http_handle_new(void);
void md_http_handle_free(void *curl);

/* Global libcurl initialisation; call once from main before threads
 * start (md_http_perform calls it lazily too, thread-safely). */
void md_http_global_init(void);

#endif
