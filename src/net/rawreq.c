#include "net/rawreq.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"

#define MAX_FIELDS 200
#define MAX_HEADER_BYTES (256 * 1024)

static bool is_token_char(unsigned char c)
{
    return c > 0x20 && c < 0x7f && !strchr("\"(),/:;<=>?@[\\]{}", c);
}

static bool dropped(const char *name)
{
    static const char *const names[] = {
        "connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade", "expect",
        "proxy-authorization", "proxy-authenticate", "proxy-connection", NULL,
    };
    for (int i = 0; names[i]; i++)
        if (!strcasecmp(name, names[i]))
            return true;
    return false;
}

/* Next line [p, end-of-line) without its CR LF; *next = start of the next
 * line or NULL at the end of input. */
static size_t next_line(const char *p, const char *end, const char **next)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *le = nl ? nl : end;
    *next = nl ? nl + 1 : NULL;
    size_t len = (size_t)(le - p);
    if (len && p[len - 1] == '\r')
        len--;
    return len;
}

struct field {
    struct md_buf name, value;
};

md_status md_rawreq_parse(const char *data, size_t n, const char *scheme,
                          struct md_http_request *req, struct md_err *err)
{
    memset(req, 0, sizeof *req);
    if (!data)
        data = "";
    const char *p = data, *end = data + n, *next;
    /* Tolerate blank lines before the request line (RFC 9112 2.2). */
    size_t len;
    int lineno = 1;
    for (;;) {
        if (p >= end)
            return md_err_set(err, MD_ERR_PARSE, "raw request: empty input");
        len = next_line(p, end, &next);
        if (len)
            break;
        if (!next)
            return md_err_set(err, MD_ERR_PARSE, "raw request: empty input");
        p = next;
        lineno++;
    }
    /* Request line: METHOD SP target SP HTTP/1.x */
    char method[16], version[16];
    const char *sp1 = memchr(p, ' ', len);
    const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(p + len - sp1 - 1)) : NULL;
    if (!sp1 || !sp2 || sp1 == p || (size_t)(sp1 - p) >= sizeof method || sp2 == sp1 + 1)
        return md_err_set(err, MD_ERR_PARSE, "raw request line %d: expected 'METHOD TARGET HTTP/1.1'",
                          lineno);
    memcpy(method, p, (size_t)(sp1 - p));
    method[sp1 - p] = '\0';
    for (char *c = method; *c; c++)
        if (!is_token_char((unsigned char)*c))
            return md_err_set(err, MD_ERR_PARSE, "raw request line %d: bad method", lineno);
    size_t vlen = (size_t)(p + len - sp2 - 1);
    if (vlen >= sizeof version)
        return md_err_set(err, MD_ERR_PARSE, "raw request line %d: bad HTTP version", lineno);
    memcpy(version, sp2 + 1, vlen);
    version[vlen] = '\0';
    if (strcmp(version, "HTTP/1.1") != 0 && strcmp(version, "HTTP/1.0") != 0)
        return md_err_set(err, MD_ERR_PARSE, "raw request line %d: only HTTP/1.1 is supported, not '%s'",
                          lineno, version);
    size_t tlen = (size_t)(sp2 - sp1 - 1);
    char *target = strndup(sp1 + 1, tlen);
    if (!target)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < tlen; i++) {
        unsigned char c = (unsigned char)target[i];
        if (c <= 0x20 || c == 0x7f) {
            free(target);
            return md_err_set(err, MD_ERR_PARSE, "raw request line %d: control character or space in the target",
                              lineno);
        }
    }

    /* Header fields. */
    struct field *f = calloc(MAX_FIELDS, sizeof *f);
    if (!f) {
        free(target);
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    size_t nf = 0;
    md_status st = MD_OK;
    bool ended = false;
    p = next;
    while (p && st == MD_OK) {
        lineno++;
        if ((size_t)(p - data) > MAX_HEADER_BYTES) {
            st = md_err_set(err, MD_ERR_PARSE, "raw request: header section larger than %d bytes",
                            MAX_HEADER_BYTES);
            break;
        }
        len = next_line(p, end, &next);
        if (len == 0) {
            ended = true;
            p = next;
            break;
        }
        if (p[0] == ' ' || p[0] == '\t') {
            if (!nf) {
                st = md_err_set(err, MD_ERR_PARSE, "raw request line %d: continuation line before any header",
                                lineno);
                break;
            }
            size_t s = 0;
            while (s < len && (p[s] == ' ' || p[s] == '\t'))
                s++;
            if (md_buf_puts(&f[nf - 1].value, " ") < 0 ||
                md_buf_append(&f[nf - 1].value, p + s, len - s) < 0)
                st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
            p = next;
            continue;
        }
        const char *colon = memchr(p, ':', len);
        if (!colon || colon == p) {
            st = md_err_set(err, MD_ERR_PARSE, "raw request line %d: expected 'Name: value'", lineno);
            break;
        }
        for (const char *c = p; c < colon; c++)
            if (!is_token_char((unsigned char)*c)) {
                st = md_err_set(err, MD_ERR_PARSE, "raw request line %d: bad character in a header name",
                                lineno);
                break;
            }
        if (st != MD_OK)
            break;
        if (nf == MAX_FIELDS) {
            st = md_err_set(err, MD_ERR_PARSE, "raw request: more than %d header fields", MAX_FIELDS);
            break;
        }
        const char *v = colon + 1;
        while (v < p + len && (*v == ' ' || *v == '\t'))
            v++;
        if (md_buf_append(&f[nf].name, p, (size_t)(colon - p)) < 0 ||
            md_buf_append(&f[nf].value, v, (size_t)(p + len - v)) < 0 ||
            md_buf_reserve(&f[nf].value, 0) < 0) {
            st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
            nf++;
            break;
        }
        nf++;
        p = next;
    }
    if (st == MD_OK && !ended && p == NULL) {
        /* Input ended right after the headers without the blank line:
         * accept (no body), as curl --data would leave it. */
        ended = true;
    }

    const char *host = NULL;
    const char *clen = NULL;
    for (size_t i = 0; i < nf && st == MD_OK; i++) {
        for (size_t k = 0; k < f[i].value.len; k++) {
            unsigned char c = (unsigned char)f[i].value.data[k];
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                st = md_err_set(err, MD_ERR_PARSE, "raw request: control character in header %s",
                                f[i].name.data);
                break;
            }
        }
        if (st != MD_OK)
            break;
        if (!strcasecmp(f[i].name.data, "Transfer-Encoding")) {
            st = md_err_set(err, MD_ERR_UNSUPPORTED, "raw request: Transfer-Encoding bodies are not supported; "
                                                     "give the body as is");
        } else if (!strcasecmp(f[i].name.data, "Host")) {
            if (host) {
                st = md_err_set(err, MD_ERR_PARSE, "raw request: more than one Host header");
            }
            host = f[i].value.data;
        } else if (!strcasecmp(f[i].name.data, "Content-Length")) {
            clen = f[i].value.data;
        }
    }

    struct md_buf url = MD_BUF_INIT;
    if (st == MD_OK) {
        bool absolute = strstr(target, "://") != NULL && target[0] != '/';
        if (absolute) {
            md_buf_puts(&url, target);
        } else if (target[0] != '/') {
            st = md_err_set(err, MD_ERR_PARSE, "raw request: the target must be /path or an absolute URL");
        } else if (!host || !*host) {
            st = md_err_set(err, MD_ERR_PARSE, "raw request: no Host header for an origin-form target");
        } else {
            for (const char *c = host; *c; c++)
                if (*c == '/' || *c == ' ' || *c == '@' || *c == '?' || *c == '#') {
                    st = md_err_set(err, MD_ERR_PARSE, "raw request: bad Host header");
                    break;
                }
            if (st == MD_OK && md_buf_printf(&url, "%s://%s%s", scheme ? scheme : "https", host,
                                             target) < 0)
                st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
        }
    }
    if (st == MD_OK && md_http_request_init(req, method, url.data ? url.data : "") < 0)
        st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < nf && st == MD_OK; i++) {
        if (dropped(f[i].name.data))
            continue;
        if (md_headers_add(&req->headers, f[i].name.data, f[i].value.data ? f[i].value.data : "") < 0)
            st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    if (st == MD_OK && ended && p) {
        size_t blen = (size_t)(end - p);
        if (clen) {
            char *e;
            unsigned long long want = strtoull(clen, &e, 10);
            if (!*clen || *e || want > blen) {
                st = md_err_set(err, MD_ERR_PARSE,
                                "raw request: Content-Length %s but the body has %zu bytes", clen, blen);
            } else {
                blen = (size_t)want;
            }
        }
        if (st == MD_OK && md_http_request_set_body(req, p, blen) < 0)
            st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
    } else if (st == MD_OK && clen && strcmp(clen, "0") != 0) {
        st = md_err_set(err, MD_ERR_PARSE, "raw request: Content-Length %s but no body", clen);
    }

    for (size_t i = 0; i < MAX_FIELDS; i++) {
        md_buf_free(&f[i].name);
        md_buf_free(&f[i].value);
    }
    free(f);
    free(target);
    md_buf_free(&url);
    if (st != MD_OK)
        md_http_request_free(req);
    return st;
}
