/* The raw HTTP/1.1 request parser behind `mldeck awscurl --request`:
 * good requests (folding, LF or CRLF, absolute targets, bodies) and bad
 * ones, which must be refused with a message, never crash. */
#include <string.h>

#include "../tap.h"
#include "net/rawreq.h"

static md_status parse(const char *s, struct md_http_request *r, struct md_err *e)
{
    return md_rawreq_parse(s, strlen(s), "https", r, e);
}

int main(void)
{
    struct md_http_request r;
    struct md_err e;
    const char *ok1 = "\r\nPUT /b/k%20x?a=1 HTTP/1.1\r\nHost: bucket.s3.amazonaws.com\r\n"
                      "X-Amz-Meta-A: one\r\n\t two  \r\n  three\r\nConnection: close\r\n"
                      "Expect: 100-continue\r\nTransfer-Encoding: identity-not\r\n";
    TAP_OK(parse(ok1, &r, &e) == MD_ERR_UNSUPPORTED, "Transfer-Encoding refused: %s", e.msg);

    const char *ok2 = "PUT /b/k%20x?a=1 HTTP/1.1\r\nHost: bucket.s3.amazonaws.com\r\n"
                      "X-Amz-Meta-A: one\r\n\t two  \r\n  three\r\nConnection: close\r\n"
                      "Expect: 100-continue\r\nUser-Agent: ua\r\nContent-Length: 5\r\n\r\nhello, extra";
    TAP_OK(parse(ok2, &r, &e) == MD_OK, "folded request parses");
    TAP_EQ_STR(r.method, "PUT", "method");
    TAP_EQ_STR(r.url, "https://bucket.s3.amazonaws.com/b/k%20x?a=1", "URL from Host + target");
    TAP_EQ_STR(md_headers_get(&r.headers, "x-amz-meta-a"), "one two   three", "folded value joined");
    TAP_OK(!md_headers_get(&r.headers, "Connection") && !md_headers_get(&r.headers, "Expect"),
           "connection-level headers dropped");
    TAP_EQ_STR(md_headers_get(&r.headers, "User-Agent"), "ua", "User-Agent kept (sent, not signed)");
    TAP_OK(r.body.len == 5 && !memcmp(r.body.data, "hello", 5), "Content-Length bounds the body");
    md_http_request_free(&r);

    TAP_OK(md_rawreq_parse("GET /x HTTP/1.1\nHost: 127.0.0.1:8080\n\n", 38, "http", &r, &e) == MD_OK &&
               !strcmp(r.url, "http://127.0.0.1:8080/x") && r.body.len == 0,
           "bare LF line ends, scheme given");
    md_http_request_free(&r);
    TAP_OK(parse("GET https://h.example/p?q HTTP/1.1\r\n\r\n", &r, &e) == MD_OK &&
               !strcmp(r.url, "https://h.example/p?q"),
           "absolute-form target");
    md_http_request_free(&r);
    TAP_OK(parse("POST / HTTP/1.1\r\nHost: h\r\n\r\nbody without length", &r, &e) == MD_OK &&
               r.body.len == 19,
           "no Content-Length: the rest is the body");
    md_http_request_free(&r);

    static const char *bad[] = {
        "",
        "\r\n\r\n",
        "GET /\r\n\r\n",
        "GET / HTTP/2\r\nHost: h\r\n\r\n",
        "G(T / HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET / HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\r\n folded-first\r\nHost: h\r\n\r\n",
        "GET / HTTP/1.1\r\nHost h\r\n\r\n",
        "GET / HTTP/1.1\r\nBad Name: v\r\nHost: h\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nX: a\x01b\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nHost: g\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h/evil\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nshort",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\nx",
        "GET x HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET  / HTTP/1.1\r\nHost: h\r\n\r\n",
        NULL,
    };
    for (int i = 0; bad[i]; i++) {
        md_status st = parse(bad[i], &r, &e);
        TAP_OK(st == MD_ERR_PARSE, "bad request %d refused: %s", i, e.msg);
        if (st == MD_OK)
            md_http_request_free(&r);
    }
    return tap_done();
}
