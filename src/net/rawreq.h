/* Parsing a raw HTTP/1.1 request (what `mldeck awscurl --request FILE`
 * reads): request line, header fields (obsolete folded continuation lines
 * allowed), blank line, body.  CRLF or bare LF line ends. */
#ifndef MD_NET_RAWREQ_H
#define MD_NET_RAWREQ_H

#include <stddef.h>

#include "net/http.h"
#include "util/err.h"

/* Fills req (initialised here; free with md_http_request_free).  The
 * request target may be absolute ("https://host/p?q") or origin-form
 * ("/p?q", then the Host header names the host and scheme is used:
 * "https" or "http").  Header fields are kept in order, a folded line
 * joined to its field with one space.  Connection-level fields that
 * libcurl frames itself or that must not be forwarded (Connection,
 * Keep-Alive, TE, Trailer, Transfer-Encoding, Upgrade, Expect,
 * Proxy-Authorization, Proxy-Authenticate) are dropped; Content-Length,
 * when present, must match the body and is kept.  A chunked body is
 * refused.  MD_ERR_PARSE with a message naming the line on bad input. */
md_status md_rawreq_parse(const char *data, size_t n, const char *scheme,
                          struct md_http_request *req, struct md_err *err);

#endif
