#include "local/mlruns_yaml.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

struct line {
    const char *s;      /* content after the indentation */
    size_t len;         /* without the line break and trailing spaces */
    int indent;
    bool blank;         /* empty or a comment */
};

struct yp {
    struct line *l;
    size_t n;
    size_t i;
    const char *name;
    struct md_err *err;
    int depth;
};

__attribute__((format(printf, 3, 4)))
static md_status fail(struct yp *p, size_t line, const char *fmt, ...)
{
    char msg[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return md_err_set(p->err, MD_ERR_PARSE, "%s line %zu: %s", p->name, line + 1, msg);
}

static bool is_int(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        i++;
    if (i == n)
        return false;
    for (; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

static bool is_float(const char *s, size_t n)
{
    size_t i = 0;
    bool digits = false, dot = false;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        i++;
    for (; i < n && (isdigit((unsigned char)s[i]) || s[i] == '.'); i++) {
        if (s[i] == '.') {
            if (dot)
                return false;
            dot = true;
        } else {
            digits = true;
        }
    }
    if (!digits)
        return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '-' || s[i] == '+'))
            i++;
        if (i == n || !isdigit((unsigned char)s[i]))
            return false;
        while (i < n && isdigit((unsigned char)s[i]))
            i++;
    }
    return i == n && dot;
}

static bool word_in(const char *s, size_t n, const char *const *words)
{
    for (; *words; words++)
        if (strlen(*words) == n && memcmp(s, *words, n) == 0)
            return true;
    return false;
}

/* A plain scalar's type, as YAML 1.1's resolver (PyYAML) gives it. */
static cJSON *plain_scalar(const char *s, size_t n)
{
    static const char *const nulls[] = {"null", "Null", "NULL", "~", NULL};
    static const char *const trues[] = {"true", "True", "TRUE", "yes", "Yes", "YES", "on",
                                        "On", "ON", NULL};
    static const char *const falses[] = {"false", "False", "FALSE", "no", "No", "NO", "off",
                                         "Off", "OFF", NULL};
    if (n == 0 || word_in(s, n, nulls))
        return cJSON_CreateNull();
    if (word_in(s, n, trues))
        return cJSON_CreateTrue();
    if (word_in(s, n, falses))
        return cJSON_CreateFalse();
    char tmp[64];
    if ((is_int(s, n) || is_float(s, n)) && n < sizeof tmp) {
        memcpy(tmp, s, n);
        tmp[n] = '\0';
        errno = 0;
        double d = strtod(tmp, NULL);
        bool exact = !is_int(s, n) || (d < 9007199254740992.0 && d > -9007199254740992.0);
        if (errno == 0 && exact)
            return cJSON_CreateNumber(d);
    }
    char *str = strndup(s, n);
    if (!str)
        return NULL;
    cJSON *j = cJSON_CreateString(str);
    free(str);
    return j;
}

static int put_utf8(struct md_buf *b, unsigned long cp)
{
    char u[4];
    size_t k;
    if (cp < 0x80) {
        u[0] = (char)cp;
        k = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        k = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        k = 3;
    } else {
        u[0] = (char)(0xF0 | ((cp >> 18) & 0x07));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        k = 4;
    }
    return md_buf_append(b, u, k);
}

/* A quoted scalar starting at p->l[p->i].s + off, possibly over several
 * lines (folded: a line break is a space, an empty line a newline). */
static md_status quoted(struct yp *p, size_t off, bool is_key, cJSON **out, size_t *after)
{
    struct md_buf b = MD_BUF_INIT;
    size_t li = p->i, start = li;
    const struct line *L = &p->l[li];
    char q = L->s[off];
    size_t k = off + 1;
    bool pending_space = false;
    for (;;) {
        if (k >= L->len) {
            /* the string continues on the next line */
            li++;
            if (li >= p->n) {
                md_buf_free(&b);
                return fail(p, start, "unterminated %s-quoted string",
                            q == '\'' ? "single" : "double");
            }
            L = &p->l[li];
            k = 0;
            if (L->len == 0) {
                if (md_buf_puts(&b, "\n") < 0)
                    goto nomem;
                pending_space = false;
                continue;
            }
            pending_space = b.len > 0 && b.data[b.len - 1] != '\n';
            continue;
        }
        if (pending_space) {
            if (md_buf_puts(&b, " ") < 0)
                goto nomem;
            pending_space = false;
        }
        char c = L->s[k];
        if (c == q) {
            if (q == '\'' && k + 1 < L->len && L->s[k + 1] == '\'') {
                if (md_buf_puts(&b, "'") < 0)
                    goto nomem;
                k += 2;
                continue;
            }
            k++;
            break;
        }
        if (q == '"' && c == '\\') {
            if (k + 1 >= L->len) {  /* escaped line break: join without a space */
                li++;
                if (li >= p->n)
                    break;
                L = &p->l[li];
                k = 0;
                continue;
            }
            char e = L->s[k + 1];
            k += 2;
            const char *rep = NULL;
            switch (e) {
            case 'n': rep = "\n"; break;
            case 't': rep = "\t"; break;
            case 'r': rep = "\r"; break;
            case '0': rep = ""; break;
            case '\\': rep = "\\"; break;
            case '"': rep = "\""; break;
            case '/': rep = "/"; break;
            case ' ': rep = " "; break;
            case 'x': case 'u': case 'U': {
                size_t nd = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                if (k + nd > L->len) {
                    md_buf_free(&b);
                    return fail(p, li, "short \\%c escape", e);
                }
                unsigned long cp = 0;
                for (size_t d = 0; d < nd; d++) {
                    char h = L->s[k + d];
                    if (!isxdigit((unsigned char)h)) {
                        md_buf_free(&b);
                        return fail(p, li, "bad hex digit in \\%c escape", e);
                    }
                    cp = cp * 16 + (unsigned long)(isdigit((unsigned char)h) ? h - '0'
                                                   : (tolower((unsigned char)h) - 'a' + 10));
                }
                k += nd;
                if (cp > 0x10FFFF) {
                    md_buf_free(&b);
                    return fail(p, li, "code point out of range");
                }
                if (put_utf8(&b, cp) < 0)
                    goto nomem;
                continue;
            }
            default:
                md_buf_free(&b);
                return fail(p, li, "unknown escape \\%c", e);
            }
            if (md_buf_puts(&b, rep) < 0)
                goto nomem;
            continue;
        }
        if (md_buf_append(&b, &c, 1) < 0)
            goto nomem;
        k++;
    }
    /* Only a comment may follow the closing quote (a key's ':' aside). */
    while (k < L->len && L->s[k] == ' ')
        k++;
    if (!is_key && k < L->len && L->s[k] != '#') {
        md_buf_free(&b);
        return fail(p, li, "text after the closing quote");
    }
    *out = cJSON_CreateString(b.data ? b.data : "");
    md_buf_free(&b);
    *after = li + 1;
    return *out ? MD_OK : md_err_set(p->err, MD_ERR_NOMEM, "out of memory");
nomem:
    md_buf_free(&b);
    return md_err_set(p->err, MD_ERR_NOMEM, "out of memory");
}

static size_t next_content(const struct yp *p, size_t i)
{
    while (i < p->n && p->l[i].blank)
        i++;
    return i;
}

/* Plain scalar on line i from off, folding more-indented continuation lines. */
static md_status plain(struct yp *p, size_t off, int parent_indent, cJSON **out, size_t *after)
{
    const struct line *L = &p->l[p->i];
    const char *s = L->s + off;
    size_t n = L->len - off;
    /* " #" starts a comment in a plain scalar */
    for (size_t k = 0; k + 1 < n; k++)
        if (s[k] == ' ' && s[k + 1] == '#') {
            n = k;
            break;
        }
    while (n && s[n - 1] == ' ')
        n--;
    size_t j = p->i + 1;
    size_t nx = next_content(p, j);
    if (nx < p->n && p->l[nx].indent > parent_indent) {
        struct md_buf b = MD_BUF_INIT;
        if (md_buf_append(&b, s, n) < 0)
            goto nomem;
        while (j < p->n && (p->l[j].blank || p->l[j].indent > parent_indent)) {
            if (p->l[j].len == 0 || p->l[j].blank) {
                if (next_content(p, j) >= p->n || p->l[next_content(p, j)].indent <= parent_indent)
                    break;
                if (md_buf_puts(&b, "\n") < 0)
                    goto nomem;
            } else {
                const struct line *C = &p->l[j];
                for (size_t c = 0; c < C->len; c++)
                    if (C->s[c] == ':' && (c + 1 == C->len || C->s[c + 1] == ' ')) {
                        md_buf_free(&b);
                        return fail(p, j, "unexpected indentation");
                    }
                if (b.len && b.data[b.len - 1] != '\n' && md_buf_puts(&b, " ") < 0)
                    goto nomem;
                if (md_buf_append(&b, p->l[j].s, p->l[j].len) < 0)
                    goto nomem;
            }
            j++;
        }
        *out = cJSON_CreateString(b.data ? b.data : "");
        md_buf_free(&b);
        *after = j;
        return *out ? MD_OK : md_err_set(p->err, MD_ERR_NOMEM, "out of memory");
    nomem:
        md_buf_free(&b);
        return md_err_set(p->err, MD_ERR_NOMEM, "out of memory");
    }
    *out = plain_scalar(s, n);
    *after = p->i + 1;
    return *out ? MD_OK : md_err_set(p->err, MD_ERR_NOMEM, "out of memory");
}

/* | or > block scalar: the more-indented lines after line p->i. */
static md_status block(struct yp *p, char style, int parent_indent, cJSON **out, size_t *after)
{
    struct md_buf b = MD_BUF_INIT;
    size_t j = p->i + 1;
    int ind = -1;
    while (j < p->n) {
        const struct line *L = &p->l[j];
        if (L->len == 0) {
            if (md_buf_puts(&b, "\n") < 0)
                goto nomem;
            j++;
            continue;
        }
        if (L->indent <= parent_indent)
            break;
        if (ind < 0)
            ind = L->indent;
        if (b.len && b.data[b.len - 1] != '\n')
            if (md_buf_puts(&b, style == '|' ? "\n" : " ") < 0)
                goto nomem;
        for (int extra = L->indent - ind; extra > 0; extra--)
            if (md_buf_puts(&b, " ") < 0)
                goto nomem;
        if (md_buf_append(&b, L->s, L->len) < 0)
            goto nomem;
        j++;
    }
    if (md_buf_puts(&b, "\n") < 0)
        goto nomem;
    *out = cJSON_CreateString(b.data);
    md_buf_free(&b);
    *after = j;
    return *out ? MD_OK : md_err_set(p->err, MD_ERR_NOMEM, "out of memory");
nomem:
    md_buf_free(&b);
    return md_err_set(p->err, MD_ERR_NOMEM, "out of memory");
}

static md_status mapping(struct yp *p, int indent, cJSON *obj);
static md_status sequence(struct yp *p, int indent, cJSON *arr);

/* The value after "key:" (or "- ") at column off of line p->i. */
static md_status value(struct yp *p, size_t off, int indent, cJSON **out)
{
    const struct line *L = &p->l[p->i];
    while (off < L->len && L->s[off] == ' ')
        off++;
    size_t rest = L->len - off;
    const char *v = L->s + off;
    size_t after = p->i + 1;
    md_status st = MD_OK;
    if (rest == 0 || v[0] == '#') {
        size_t nx = next_content(p, p->i + 1);
        if (nx < p->n && p->l[nx].s[0] == '-' &&
            (p->l[nx].len == 1 || p->l[nx].s[1] == ' ') &&
            p->l[nx].indent >= indent) {
            *out = cJSON_CreateArray();
            if (!*out)
                return md_err_set(p->err, MD_ERR_NOMEM, "out of memory");
            p->i = nx;
            return sequence(p, p->l[nx].indent, *out);
        }
        if (nx < p->n && p->l[nx].indent > indent) {
            *out = cJSON_CreateObject();
            if (!*out)
                return md_err_set(p->err, MD_ERR_NOMEM, "out of memory");
            p->i = nx;
            return mapping(p, p->l[nx].indent, *out);
        }
        *out = cJSON_CreateNull();
    } else if (rest >= 2 && v[0] == '[' && v[1] == ']' && (rest == 2 || v[2] == ' ')) {
        *out = cJSON_CreateArray();
    } else if (rest >= 2 && v[0] == '{' && v[1] == '}' && (rest == 2 || v[2] == ' ')) {
        *out = cJSON_CreateObject();
    } else if (v[0] == '\'' || v[0] == '"') {
        st = quoted(p, off, false, out, &after);
    } else if ((v[0] == '|' || v[0] == '>') &&
               (rest == 1 || v[1] == '-' || v[1] == '+' || v[1] == ' ')) {
        st = block(p, v[0], indent, out, &after);
    } else if (strchr("[{&*!%@`", v[0])) {
        return fail(p, p->i, "unsupported YAML ('%c' starts a flow collection, anchor, alias "
                             "or tag)", v[0]);
    } else {
        st = plain(p, off, indent, out, &after);
    }
    if (st != MD_OK)
        return st;
    if (!*out)
        return md_err_set(p->err, MD_ERR_NOMEM, "out of memory");
    p->i = after;
    return MD_OK;
}

static md_status sequence(struct yp *p, int indent, cJSON *arr)
{
    if (++p->depth > 32)
        return fail(p, p->i, "nested too deeply");
    for (;;) {
        p->i = next_content(p, p->i);
        if (p->i >= p->n)
            break;
        const struct line *L = &p->l[p->i];
        if (L->indent < indent)
            break;
        if (L->indent > indent)
            return fail(p, p->i, "unexpected indentation");
        if (L->s[0] != '-' || (L->len > 1 && L->s[1] != ' '))
            break;
        cJSON *item = NULL;
        md_status st = value(p, 1, indent, &item);
        if (st != MD_OK) {
            cJSON_Delete(item);
            return st;
        }
        cJSON_AddItemToArray(arr, item);
    }
    p->depth--;
    return MD_OK;
}

static md_status mapping(struct yp *p, int indent, cJSON *obj)
{
    if (++p->depth > 32)
        return fail(p, p->i, "nested too deeply");
    for (;;) {
        p->i = next_content(p, p->i);
        if (p->i >= p->n)
            break;
        const struct line *L = &p->l[p->i];
        if (L->indent < indent)
            break;
        if (L->indent > indent)
            return fail(p, p->i, "unexpected indentation");
        if (L->s[0] == '-' && (L->len == 1 || L->s[1] == ' '))
            return fail(p, p->i, "a list item where a key was expected");
        /* the key: quoted or plain, then ':' */
        char *key = NULL;
        size_t k;
        if (L->s[0] == '\'' || L->s[0] == '"') {
            cJSON *kj = NULL;
            size_t after;
            size_t save = p->i;
            md_status st = quoted(p, 0, true, &kj, &after);
            if (st != MD_OK)
                return st;
            if (after != save + 1) {
                cJSON_Delete(kj);
                return fail(p, save, "multi-line key");
            }
            key = strdup(kj->valuestring);
            cJSON_Delete(kj);
            /* find the ':' after the closing quote */
            char q = L->s[0];
            k = 1;
            while (k < L->len && !(L->s[k] == q && (k + 1 >= L->len || L->s[k + 1] != q)))
                k += (L->s[k] == q || (q == '"' && L->s[k] == '\\')) ? 2 : 1;
            k++;
            while (k < L->len && L->s[k] == ' ')
                k++;
            if (k >= L->len || L->s[k] != ':') {
                free(key);
                return fail(p, p->i, "expected ':' after the key");
            }
        } else {
            for (k = 0; k < L->len; k++)
                if (L->s[k] == ':' && (k + 1 == L->len || L->s[k + 1] == ' '))
                    break;
            if (k == L->len)
                return fail(p, p->i, "expected 'key: value'");
            size_t kl = k;
            while (kl && L->s[kl - 1] == ' ')
                kl--;
            if (kl == 0)
                return fail(p, p->i, "empty key");
            key = strndup(L->s, kl);
        }
        if (!key)
            return md_err_set(p->err, MD_ERR_NOMEM, "out of memory");
        cJSON *v = NULL;
        md_status st = value(p, k + 1, indent, &v);
        if (st != MD_OK) {
            free(key);
            cJSON_Delete(v);
            return st;
        }
        cJSON_DeleteItemFromObjectCaseSensitive(obj, key);   /* last one wins */
        cJSON_AddItemToObject(obj, key, v);
        free(key);
    }
    p->depth--;
    return MD_OK;
}

md_status md_mlruns_yaml_parse(const char *data, size_t len, const char *name, cJSON **out,
                               struct md_err *err)
{
    *out = NULL;
    struct yp p = {0};
    p.name = name ? name : "yaml";
    p.err = err;
    /* split into lines */
    size_t cap = 16;
    p.l = malloc(cap * sizeof *p.l);
    if (!p.l)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    size_t pos = 0;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    md_status st = MD_OK;
    while (pos < len) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - data) : len;
        if (p.n == cap) {
            cap *= 2;
            struct line *nlp = realloc(p.l, cap * sizeof *nlp);
            if (!nlp) {
                free(p.l);
                return md_err_set(err, MD_ERR_NOMEM, "out of memory");
            }
            p.l = nlp;
        }
        struct line *L = &p.l[p.n];
        size_t a = pos, b = end;
        if (b > a && data[b - 1] == '\r')
            b--;
        int ind = 0;
        while (a < b && data[a] == ' ') {
            a++;
            ind++;
        }
        if (a < b && data[a] == '\t') {
            st = md_err_set(err, MD_ERR_PARSE, "%s line %zu: tab in indentation", p.name, p.n + 1);
            break;
        }
        while (b > a && (data[b - 1] == ' ' || data[b - 1] == '\t'))
            b--;
        if (memchr(data + a, '\0', b - a)) {
            st = md_err_set(err, MD_ERR_PARSE, "%s line %zu: NUL byte", p.name, p.n + 1);
            break;
        }
        L->s = data + a;
        L->len = b - a;
        L->indent = ind;
        L->blank = L->len == 0 || L->s[0] == '#' ||
                   (ind == 0 && ((L->len == 3 && !memcmp(L->s, "---", 3)) ||
                                 (L->len == 3 && !memcmp(L->s, "...", 3))));
        p.n++;
        pos = nl ? end + 1 : len;
    }
    cJSON *obj = NULL;
    if (st == MD_OK) {
        obj = cJSON_CreateObject();
        if (!obj)
            st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    if (st == MD_OK) {
        p.i = next_content(&p, 0);
        int ind = p.i < p.n ? p.l[p.i].indent : 0;
        st = mapping(&p, ind, obj);
        if (st == MD_OK) {
            p.i = next_content(&p, p.i);
            if (p.i < p.n)
                st = fail(&p, p.i, "unexpected indentation");
        }
    }
    free(p.l);
    if (st != MD_OK) {
        cJSON_Delete(obj);
        return st;
    }
    *out = obj;
    return MD_OK;
}
