/* Splitting a wire URL and the percent-encoding rules SigV4 and the AWS
 * protocols use (unreserved = A-Z a-z 0-9 - _ . ~, space is %20). */
#ifndef MD_NET_URL_H
#define MD_NET_URL_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"
#include "util/err.h"

struct md_url {
    char scheme[16];        /* lower case: "http", "https" */
    char host[256];         /* lower case; IPv6 keeps its brackets */
    int port;               /* -1 when the URL has none */
    char *path;             /* raw, as on the request line; "" if none (owned) */
    char *query;            /* raw, without '?'; NULL if none (owned) */
};

/* Parses scheme://[userinfo@]host[:port][/path][?query][#fragment].
 * Free with md_url_free. */
md_status md_url_parse(const char *url, struct md_url *u, struct md_err *err);
void md_url_free(struct md_url *u);
/* host, plus ":port" when the port is not the scheme's default. */
void md_url_host_header(const struct md_url *u, char *out, size_t n);

/* Appends s percent-encoded: unreserved bytes kept, '/' kept if keep_slash,
 * everything else %XX (upper-case hex).  -1 = no memory. */
int md_uri_encode(struct md_buf *b, const char *s, size_t n, bool keep_slash);
/* Appends s with %XX escapes decoded ('+' stays '+'); a malformed escape is
 * copied as is.  -1 = no memory. */
int md_uri_decode(struct md_buf *b, const char *s, size_t n);
/* Form encoding for application/x-www-form-urlencoded bodies of the query
 * protocol: the same as md_uri_encode without keep_slash. */
#define md_form_encode(b, s, n) md_uri_encode((b), (s), (n), false)

#endif
