#include "net/url.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c == '.' || c == '~';
}

int md_uri_encode(struct md_buf *b, const char *s, size_t n, bool keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    if (md_buf_reserve(b, n * 3) < 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (unreserved(c) || (keep_slash && c == '/')) {
            b->data[b->len++] = (char)c;
        } else {
            b->data[b->len++] = '%';
            b->data[b->len++] = hex[c >> 4];
            b->data[b->len++] = hex[c & 15];
        }
    }
    b->data[b->len] = '\0';
    return 0;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int md_uri_decode(struct md_buf *b, const char *s, size_t n)
{
    if (md_buf_reserve(b, n) < 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (s[i] == '%' && i + 2 < n &&
            (hi = hexval((unsigned char)s[i + 1])) >= 0 &&
            (lo = hexval((unsigned char)s[i + 2])) >= 0) {
            b->data[b->len++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            b->data[b->len++] = s[i];
        }
    }
    b->data[b->len] = '\0';
    return 0;
}

void md_url_free(struct md_url *u)
{
    free(u->path);
    free(u->query);
    u->path = u->query = NULL;
}

md_status md_url_parse(const char *url, struct md_url *u, struct md_err *err)
{
    memset(u, 0, sizeof *u);
    u->port = -1;
    const char *p = strstr(url, "://");
    if (!p || p == url || (size_t)(p - url) >= sizeof u->scheme)
        return md_err_set(err, MD_ERR_INVALID, "not an absolute URL: %.200s", url);
    for (size_t i = 0; url + i < p; i++) {
        if (!isalpha((unsigned char)url[i]))
            return md_err_set(err, MD_ERR_INVALID, "bad URL scheme: %.200s", url);
        u->scheme[i] = (char)tolower((unsigned char)url[i]);
    }
    const char *auth = p + 3;
    size_t alen = strcspn(auth, "/?#");
    const char *rest = auth + alen;
    /* Drop userinfo (the last '@' of the authority). */
    const char *at = NULL;
    for (const char *q = auth; q < rest; q++)
        if (*q == '@')
            at = q;
    const char *h = at ? at + 1 : auth;
    const char *hend = rest;
    const char *colon = NULL;
    if (*h == '[') {
        const char *rb = memchr(h, ']', (size_t)(rest - h));
        if (!rb)
            return md_err_set(err, MD_ERR_INVALID, "bad IPv6 host in URL: %.200s", url);
        if (rb + 1 < rest && rb[1] == ':')
            colon = rb + 1;
        else if (rb + 1 != rest)
            return md_err_set(err, MD_ERR_INVALID, "bad host in URL: %.200s", url);
        hend = colon ? colon : rest;
    } else {
        colon = memchr(h, ':', (size_t)(rest - h));
        if (colon)
            hend = colon;
    }
    size_t hl = (size_t)(hend - h);
    if (hl == 0 || hl >= sizeof u->host)
        return md_err_set(err, MD_ERR_INVALID, "missing or too long host in URL: %.200s", url);
    for (size_t i = 0; i < hl; i++)
        u->host[i] = (char)tolower((unsigned char)h[i]);
    if (colon && colon + 1 < rest) {
        long port = 0;
        for (const char *q = colon + 1; q < rest; q++) {
            if (!isdigit((unsigned char)*q) || port > 65535)
                return md_err_set(err, MD_ERR_INVALID, "bad port in URL: %.200s", url);
            port = port * 10 + (*q - '0');
        }
        if (port < 1 || port > 65535)
            return md_err_set(err, MD_ERR_INVALID, "bad port in URL: %.200s", url);
        u->port = (int)port;
    }
    size_t plen = strcspn(rest, "?#");
    u->path = strndup(rest, plen);
    if (!u->path)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    if (rest[plen] == '?') {
        const char *q = rest + plen + 1;
        u->query = strndup(q, strcspn(q, "#"));
        if (!u->query) {
            md_url_free(u);
            return md_err_set(err, MD_ERR_NOMEM, "out of memory");
        }
    }
    return MD_OK;
}

void md_url_host_header(const struct md_url *u, char *out, size_t n)
{
    int def = !strcmp(u->scheme, "https") ? 443 : !strcmp(u->scheme, "http") ? 80 : -1;
    if (u->port >= 0 && u->port != def)
        snprintf(out, n, "%s:%d", u->host, u->port);
    else
        snprintf(out, n, "%s", u->host);
}
