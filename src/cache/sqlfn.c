/* SQL side of util/json.h paths.
 *
 * Plain paths ($.a.b[0]) go to SQLite's own json_extract.  Paths with the
 * [?key=value] extension (MLflow params/metrics/tags, AWS Tags) go to
 * md_json(json, path), which runs md_json_get over a cJSON tree.  Sorting
 * or filtering by several such columns evaluates md_json several times on
 * the same row, so each connection keeps the last parsed document. */
#include <stdlib.h>
#include <string.h>

#include "cache/cache_internal.h"
#include "util/json.h"

struct md_json_memo {
    char *text;
    int len;
    cJSON *doc;          /* NULL when text was not valid JSON */
};

static void memo_free(void *p)
{
    struct md_json_memo *m = p;
    if (!m)
        return;
    cJSON_Delete(m->doc);
    free(m->text);
    free(m);
}

static const cJSON *memo_parse(struct md_json_memo *m, const char *text, int len)
{
    if (m->text && m->len == len && memcmp(m->text, text, (size_t)len) == 0)
        return m->doc;
    cJSON_Delete(m->doc);
    free(m->text);
    m->doc = NULL;
    m->len = 0;
    m->text = malloc((size_t)len + 1);
    if (!m->text)
        return NULL;
    memcpy(m->text, text, (size_t)len);
    m->text[len] = '\0';
    m->len = len;
    m->doc = cJSON_ParseWithLength(m->text, (size_t)len);
    return m->doc;
}

/* Same result types as json_extract: text, integer or real, 1/0 for
 * booleans, NULL for null or missing, JSON text for arrays and objects. */
static void fn_md_json(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *text = (const char *)sqlite3_value_text(argv[0]);
    int len = sqlite3_value_bytes(argv[0]);
    const char *path = (const char *)sqlite3_value_text(argv[1]);
    if (!text || !path) {
        sqlite3_result_null(ctx);
        return;
    }
    const cJSON *doc = memo_parse(sqlite3_user_data(ctx), text, len);
    const cJSON *v = md_json_get(doc, path);
    if (!v || cJSON_IsNull(v)) {
        sqlite3_result_null(ctx);
    } else if (cJSON_IsString(v)) {
        sqlite3_result_text(ctx, v->valuestring, -1, SQLITE_TRANSIENT);
    } else if (cJSON_IsBool(v)) {
        sqlite3_result_int(ctx, cJSON_IsTrue(v) ? 1 : 0);
    } else if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (d >= -9.007199254740992e15 && d <= 9.007199254740992e15 && d == (double)(long long)d)
            sqlite3_result_int64(ctx, (sqlite3_int64)d);
        else
            sqlite3_result_double(ctx, d);
    } else {
        char *s = cJSON_PrintUnformatted(v);
        if (s)
            sqlite3_result_text(ctx, s, -1, free);
        else
            sqlite3_result_error_nomem(ctx);
    }
}

static unsigned char ascii_lower(unsigned char ch)
{
    return ch >= 'A' && ch <= 'Z' ? (unsigned char)(ch + 32) : ch;
}

/* Case-insensitive (ASCII) substring search in linear time: the next
 * occurrence of either case of the needle's first byte is kept for each
 * case, so a frequent letter never makes memchr rescan. */
bool md_cache_icontains(const char *h, size_t hn, const char *n, size_t nn)
{
    if (nn == 0)
        return true;
    if (hn < nn)
        return false;
    unsigned char lo = ascii_lower((unsigned char)n[0]);
    unsigned char up = lo >= 'a' && lo <= 'z' ? (unsigned char)(lo - 32) : lo;
    const char *end = h + (hn - nn) + 1;   /* last possible start + 1 */
    const char *a = NULL, *b = NULL, *p = h;
    while (p < end) {
        if (!a || a < p)
            a = memchr(p, lo, (size_t)(end - p));
        if (up != lo && (!b || b < p))
            b = memchr(p, up, (size_t)(end - p));
        const char *q = up == lo ? a : (!a ? b : !b ? a : a < b ? a : b);
        if (!q)
            return false;
        size_t k = 1;
        while (k < nn && ascii_lower((unsigned char)q[k]) == ascii_lower((unsigned char)n[k]))
            k++;
        if (k == nn)
            return true;
        p = q + 1;
    }
    return false;
}

/* md_icontains(value, needle): the filter test on one column value
 * (numbers are matched in their SQL text form; NULL never matches). */
static void fn_icontains(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
        sqlite3_result_int(ctx, 0);
        return;
    }
    const char *h = (const char *)sqlite3_value_text(argv[0]);
    size_t hn = (size_t)sqlite3_value_bytes(argv[0]);
    const char *n = (const char *)sqlite3_value_text(argv[1]);
    size_t nn = (size_t)sqlite3_value_bytes(argv[1]);
    sqlite3_result_int(ctx, h && n && md_cache_icontains(h, hn, n, nn));
}

/* md_json_may_contain(json, needle): 0 only when no value of the object
 * can contain needle, which lets a filter skip parsing most rows.  The raw
 * text holds every string value verbatim unless an escape (\u00e9, \/)
 * changed its spelling, so rows with a backslash always pass. */
static void fn_may_contain(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *h = (const char *)sqlite3_value_text(argv[0]);
    size_t hn = (size_t)sqlite3_value_bytes(argv[0]);
    const char *n = (const char *)sqlite3_value_text(argv[1]);
    size_t nn = (size_t)sqlite3_value_bytes(argv[1]);
    if (!h || !n) {
        sqlite3_result_int(ctx, 1);
        return;
    }
    sqlite3_result_int(ctx, memchr(h, '\\', hn) != NULL || md_cache_icontains(h, hn, n, nn));
}

int md_cache_register_functions(sqlite3 *db)
{
    const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
    int rc = sqlite3_create_function_v2(db, "md_icontains", 2, flags, NULL, fn_icontains, NULL,
                                        NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_create_function_v2(db, "md_json_may_contain", 2, flags, NULL, fn_may_contain,
                                        NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return rc;
    struct md_json_memo *m = calloc(1, sizeof *m);
    if (!m)
        return SQLITE_NOMEM;
    /* On failure sqlite3_create_function_v2 calls memo_free itself. */
    return sqlite3_create_function_v2(db, "md_json", 2, flags, m, fn_md_json, NULL, NULL,
                                      memo_free);
}

bool md_cache_path_valid(const char *path)
{
    if (!path || !path[0])
        return false;
    const char *p = path;
    if (*p == '$')
        p++;
    else if (*p != '.' && *p != '[')
        goto key;   /* a bare first key, as util/json.h allows */
    while (*p) {
        if (*p == '.') {
            p++;
        key:
            if (*p == '"') {
                const char *end = strchr(p + 1, '"');
                if (!end || end == p + 1)
                    return false;
                p = end + 1;
            } else {
                const char *start = p;
                while (*p && *p != '.' && *p != '[' && *p != ']' && *p != '"')
                    p++;
                if (p == start)
                    return false;
            }
        } else if (*p == '[') {
            const char *end = strchr(p, ']');
            if (!end)
                return false;
            const char *in = p + 1;
            if (*in == '?') {
                const char *eq = memchr(in, '=', (size_t)(end - in));
                if (!eq || eq == in + 1)
                    return false;
            } else {
                if (*in == '#') {   /* SQLite's [#] and [#-N] */
                    in++;
                    if (*in == '-')
                        in++;
                    else if (in != end)
                        return false;
                } else if (in == end) {
                    return false;
                }
                for (; in < end; in++)
                    if (*in < '0' || *in > '9')
                        return false;
            }
            p = end + 1;
        } else {
            return false;
        }
    }
    return true;
}

int md_cache_sql_quote(struct md_buf *b, const char *s)
{
    if (md_buf_puts(b, "'") < 0)
        return -1;
    for (const char *p = s; *p; p++) {
        if (md_buf_append(b, p, 1) < 0 || (*p == '\'' && md_buf_append(b, p, 1) < 0))
            return -1;
    }
    return md_buf_puts(b, "'");
}

int md_cache_path_expr(struct md_buf *b, const char *path)
{
    if (!md_json_path_is_sql(path)) {
        if (md_buf_puts(b, "md_json(json,") < 0 || md_cache_sql_quote(b, path) < 0)
            return -1;
        return md_buf_puts(b, ")");
    }
    /* util/json.h allows the leading "$" (and "$.") to be left out. */
    struct md_buf p = MD_BUF_INIT;
    int rc = 0;
    if (path[0] == '$')
        rc = md_buf_puts(&p, path);
    else if (path[0] == '[' || path[0] == '.')
        rc = md_buf_printf(&p, "$%s", path);
    else
        rc = md_buf_printf(&p, "$.%s", path);
    if (rc == 0)
        rc = md_buf_puts(b, "json_extract(json,");
    if (rc == 0)
        rc = md_cache_sql_quote(b, p.data);
    if (rc == 0)
        rc = md_buf_puts(b, ")");
    md_buf_free(&p);
    return rc;
}
