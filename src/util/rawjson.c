#include "util/rawjson.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

#define MAX_DEPTH 500

/* Copying an element minified: the output is the input without the
 * whitespace between tokens, so the scanner copies whole runs of source
 * text, from pending to where whitespace starts, instead of token by
 * token. */
struct scan {
    const char *p, *end;
    struct md_buf *out;     /* NULL: validate only */
    const char *pending;    /* with out: source text not yet copied */
    int depth;
    bool nomem;
};

static bool flush(struct scan *s)
{
    if (s->out && s->p > s->pending) {
        if (md_buf_append(s->out, s->pending, (size_t)(s->p - s->pending)) < 0) {
            s->nomem = true;
            return false;
        }
    }
    s->pending = s->p;
    return true;
}

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void ws(struct scan *s)
{
    if (s->p >= s->end || !is_ws(*s->p))
        return;
    if (s->out)
        flush(s);   /* a failure shows in nomem */
    while (s->p < s->end && is_ws(*s->p))
        s->p++;
    s->pending = s->p;
}

static bool hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* The code unit of "\uXXXX" at p (end - p >= 6 checked by the caller), or
 * -1 when the four are not hex digits. */
static long unit(const char *p)
{
    if (!hex(p[2]) || !hex(p[3]) || !hex(p[4]) || !hex(p[5]))
        return -1;
    char h[5] = {p[2], p[3], p[4], p[5], '\0'};
    return strtol(h, NULL, 16);
}

/* The bytes that end a plain run inside a string: the quote, the
 * backslash, and raw control characters (not JSON). */
static const unsigned char string_stop[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,     /* '"' */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,     /* '\\' */
};

/* A string token; *escaped says whether it held a backslash. */
static bool string(struct scan *s, bool *escaped)
{
    if (s->p >= s->end || *s->p != '"')
        return false;
    const char *p = s->p + 1, *end = s->end;
    if (escaped)
        *escaped = false;
    for (;;) {
        while (p < end && !string_stop[(unsigned char)*p])
            p++;
        if (p >= end)
            return false;
        unsigned char c = (unsigned char)*p;
        if (c == '"')
            break;
        if (c < 0x20)
            return false;   /* raw control characters are not JSON */
        if (escaped)        /* c == '\\' */
            *escaped = true;
        if (end - p < 2)
            return false;
        char e = p[1];
        if (e == 'u') {
            /* A surrogate must come as a pair: cJSON refuses a lone one
             * (SQLite takes it), and the cache's rows are read by both. */
            long u = end - p >= 6 ? unit(p) : -1;
            if (u < 0 || (u >= 0xDC00 && u <= 0xDFFF))
                return false;
            if (u >= 0xD800 && u <= 0xDBFF) {
                long lo = end - p >= 12 && p[6] == '\\' && p[7] == 'u' ? unit(p + 6) : -1;
                if (lo < 0xDC00 || lo > 0xDFFF)
                    return false;
                p += 6;
            }
            p += 6;
        } else if (e && strchr("\"\\/bfnrt", e)) {
            p += 2;
        } else {
            return false;
        }
    }
    s->p = p + 1;
    return true;
}

static bool digits(struct scan *s)
{
    const char *d = s->p;
    while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
        s->p++;
    return s->p > d;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool number(struct scan *s)
{
    if (s->p < s->end && *s->p == '-')
        s->p++;
    if (s->p < s->end && *s->p == '0')
        s->p++;
    else if (!(s->p < s->end && *s->p >= '1' && *s->p <= '9') || !digits(s))
        return false;
    if (s->p < s->end && *s->p == '.') {
        s->p++;
        if (!digits(s))
            return false;
    }
    if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
        s->p++;
        if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
            s->p++;
        if (!digits(s))
            return false;
    }
    return true;
}

static bool literal(struct scan *s, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0)
        return false;
    s->p += n;
    return true;
}

static bool value(struct scan *s);

/* Object or array: open, members separated by commas, close. */
static bool container(struct scan *s, char close)
{
    if (++s->depth > MAX_DEPTH)
        return false;
    s->p++;
    ws(s);
    if (s->p < s->end && *s->p == close) {
        s->p++;
        s->depth--;
        return true;
    }
    for (;;) {
        if (close == '}') {
            if (!string(s, NULL))
                return false;
            ws(s);
            if (s->p >= s->end || *s->p != ':')
                return false;
            s->p++;
            ws(s);
        }
        if (!value(s))
            return false;
        ws(s);
        if (s->p >= s->end)
            return false;
        if (*s->p == ',') {
            s->p++;
            ws(s);
            continue;
        }
        if (*s->p != close)
            return false;
        s->p++;
        s->depth--;
        return true;
    }
}

static bool value(struct scan *s)
{
    if (s->p >= s->end)
        return false;
    switch (*s->p) {
    case '{': return container(s, '}');
    case '[': return container(s, ']');
    case '"': return string(s, NULL);
    case 't': return literal(s, "true");
    case 'f': return literal(s, "false");
    case 'n': return literal(s, "null");
    default: return number(s);
    }
}

/* The elements of the array at s->p, each copied minified into out->text. */
static bool elements(struct scan *s, struct md_rawjson_items *out, struct md_buf *text)
{
    size_t cap = 0;
    s->p++;     /* '[' */
    ws(s);
    if (s->p < s->end && *s->p == ']') {
        s->p++;
        return true;
    }
    s->depth++;
    for (;;) {
        if (out->n == cap) {
            size_t nc = cap ? cap * 2 : 128;
            size_t *v = realloc(out->off, nc * sizeof *v);
            if (!v) {
                s->nomem = true;
                return false;
            }
            out->off = v;
            cap = nc;
        }
        out->off[out->n] = text->len;
        s->out = text;
        s->pending = s->p;
        bool ok = value(s) && !s->nomem && flush(s);
        if (ok && md_buf_append(text, "", 1) < 0) { /* each element NUL-terminated */
            s->nomem = true;
            ok = false;
        }
        s->out = NULL;
        if (!ok)
            return false;
        out->n++;
        ws(s);
        if (s->p < s->end && *s->p == ',') {
            s->p++;
            ws(s);
            continue;
        }
        if (s->p >= s->end || *s->p != ']')
            return false;
        s->p++;
        s->depth--;
        return true;
    }
}

#define MAX_KEYS 8

/* Walks the top-level object of json[0..len), checking all of it.  The
 * first member named keys[j] gives its value's text in vals[j] / lens[j]
 * (NULL / 0 when absent); keys[0]'s is also cut into items when out is
 * given and it is an array.  0 keys[0] found (or nkeys > 1), 1 keys[0]
 * absent, -1 not strict JSON (or an escaped key, or out of memory). */
static int walk(const char *json, size_t len, const char *const *keys, size_t nkeys,
                struct md_rawjson_items *out, struct md_buf *text, const char **vals,
                size_t *lens, bool *is_array)
{
    struct scan s = {json, json + len, NULL, NULL, 0, false};
    size_t klen[MAX_KEYS];
    if (nkeys == 0 || nkeys > MAX_KEYS)
        return -1;
    for (size_t j = 0; j < nkeys; j++) {
        klen[j] = strlen(keys[j]);
        vals[j] = NULL;
        lens[j] = 0;
    }
    ws(&s);
    if (s.p >= s.end || *s.p != '{')
        return -1;
    s.p++;
    s.depth = 1;
    ws(&s);
    if (s.p < s.end && *s.p == '}') {
        s.p++;
    } else {
        for (;;) {
            const char *kstart = s.p + 1;
            bool escaped;
            if (!string(&s, &escaped) || escaped)
                return -1;  /* an escaped key could be one we want */
            size_t kn = (size_t)(s.p - kstart - 1);
            bool match[MAX_KEYS], any = false;
            for (size_t j = 0; j < nkeys; j++) {
                match[j] = !vals[j] && kn == klen[j] && memcmp(kstart, keys[j], kn) == 0;
                any = any || match[j];
            }
            ws(&s);
            if (s.p >= s.end || *s.p != ':')
                return -1;
            s.p++;
            ws(&s);
            const char *vstart = s.p;
            if (match[0] && out && s.p < s.end && *s.p == '[') {
                *is_array = true;
                if (!elements(&s, out, text))
                    return -1;
            } else if (!value(&s)) {
                return -1;
            }
            for (size_t j = 0; any && j < nkeys; j++)
                if (match[j]) {
                    vals[j] = vstart;
                    lens[j] = (size_t)(s.p - vstart);
                }
            ws(&s);
            if (s.p < s.end && *s.p == ',') {
                s.p++;
                ws(&s);
                continue;
            }
            if (s.p >= s.end || *s.p != '}')
                return -1;
            s.p++;
            break;
        }
    }
    ws(&s);
    if (s.p != s.end)
        return -1;  /* trailing bytes */
    return vals[0] || nkeys > 1 ? 0 : 1;
}

int md_rawjson_member(const char *json, size_t len, const char *key, const char **val,
                      size_t *val_len)
{
    *val = NULL;
    *val_len = 0;
    if (!json || !key)
        return -1;
    bool is_array = false;
    int rc = walk(json, len, &key, 1, NULL, NULL, val, val_len, &is_array);
    if (rc != 0) {
        *val = NULL;
        *val_len = 0;
    }
    return rc;
}

int md_rawjson_members(const char *json, size_t len, const char *const *keys, size_t n,
                       const char **vals, size_t *lens)
{
    for (size_t j = 0; j < n; j++) {
        vals[j] = NULL;
        lens[j] = 0;
    }
    if (!json || !keys)
        return -1;
    for (size_t j = 0; j < n; j++)
        if (!keys[j])
            return -1;
    bool is_array = false;
    int rc = walk(json, len, keys, n, NULL, NULL, vals, lens, &is_array);
    if (rc < 0)
        for (size_t j = 0; j < n; j++) {
            vals[j] = NULL;
            lens[j] = 0;
        }
    return rc < 0 ? -1 : 0;
}

/* Steps back over whitespace from p (not below start). */
static const char *back_ws(const char *start, const char *p)
{
    while (p > start && is_ws(p[-1]))
        p--;
    return p;
}

int md_rawjson_tail_member(const char *json, size_t len, const char *key, const char **val,
                           size_t *val_len)
{
    *val = NULL;
    *val_len = 0;
    if (!json || !key)
        return 1;
    const char *p = back_ws(json, json + len);
    if (p == json || p[-1] != '}')
        return 1;
    p = back_ws(json, p - 1);
    if (p == json || p[-1] != '"')
        return 1;
    const char *vend = p--;
    /* the string's opening quote: no escape, no control character between */
    while (p > json && p[-1] != '"') {
        if (p[-1] == '\\' || (unsigned char)p[-1] < 0x20)
            return 1;
        p--;
    }
    if (p == json)
        return 1;
    const char *vstart = --p;
    p = back_ws(json, p);
    if (p == json || p[-1] != ':')
        return 1;
    p = back_ws(json, p - 1);
    size_t klen = strlen(key);
    if ((size_t)(p - json) < klen + 2 || p[-1] != '"' || p[-2 - (ptrdiff_t)klen] != '"' ||
        memcmp(p - 1 - klen, key, klen) != 0)
        return 1;
    p = back_ws(json, p - 2 - klen);
    if (p == json || (p[-1] != ',' && p[-1] != '{'))
        return 1;
    *val = vstart;
    *val_len = (size_t)(vend - vstart);
    return 0;
}

bool md_rawjson_valid(const char *json, size_t len)
{
    if (!json)
        return false;
    struct scan s = {json, json + len, NULL, NULL, 0, false};
    ws(&s);
    if (!value(&s))
        return false;
    ws(&s);
    return s.p == s.end;
}

int md_rawjson_array_items(const char *json, size_t len, const char *key,
                           struct md_rawjson_items *out)
{
    memset(out, 0, sizeof *out);
    if (!json || !key)
        return -1;
    struct md_buf text = MD_BUF_INIT;
    const char *val;
    size_t val_len;
    bool is_array = false;
    int rc = walk(json, len, &key, 1, out, &text, &val, &val_len, &is_array);
    if (rc < 0)
        goto bad;
    if (!is_array) {
        md_buf_free(&text);
        free(out->off);
        memset(out, 0, sizeof *out);
        return 1;
    }
    if (!text.data && md_buf_append(&text, "", 1) < 0)
        goto bad;
    out->text = md_buf_steal(&text);
    return 0;
bad:
    md_buf_free(&text);
    free(out->off);
    memset(out, 0, sizeof *out);
    return -1;
}

void md_rawjson_items_free(struct md_rawjson_items *items)
{
    if (!items)
        return;
    free(items->text);
    free(items->off);
    memset(items, 0, sizeof *items);
}
