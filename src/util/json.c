#include "util/json.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

/* Copies one path segment name into out; returns pointer past it. */
static const char *seg_name(const char *p, char *out, size_t n)
{
    size_t k = 0;
    if (*p == '"') {
        p++;
        while (*p && *p != '"') {
            if (k + 1 < n)
                out[k++] = *p;
            p++;
        }
        if (*p == '"')
            p++;
    } else {
        while (*p && *p != '.' && *p != '[') {
            if (k + 1 < n)
                out[k++] = *p;
            p++;
        }
    }
    out[k] = '\0';
    return p;
}

static const cJSON *select_where(const cJSON *arr, const char *cond, size_t len)
{
    const char *eq = memchr(cond, '=', len);
    if (!eq || !cJSON_IsArray(arr))
        return NULL;
    char field[128], want[256];
    size_t fl = (size_t)(eq - cond), wl = len - fl - 1;
    if (fl >= sizeof field || wl >= sizeof want)
        return NULL;
    memcpy(field, cond, fl);
    field[fl] = '\0';
    memcpy(want, eq + 1, wl);
    want[wl] = '\0';
    const cJSON *el;
    cJSON_ArrayForEach(el, arr) {
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(el, field);
        if (cJSON_IsString(f) && strcmp(f->valuestring, want) == 0)
            return el;
    }
    return NULL;
}

const cJSON *md_json_get(const cJSON *root, const char *path)
{
    const cJSON *cur = root;
    const char *p = path;
    if (!cur || !p)
        return NULL;
    if (*p == '$')
        p++;
    char name[256];
    while (*p && cur) {
        if (*p == '.') {
            p = seg_name(p + 1, name, sizeof name);
            cur = cJSON_GetObjectItemCaseSensitive(cur, name);
        } else if (*p == '[') {
            const char *end = strchr(p, ']');
            if (!end)
                return NULL;
            if (p[1] == '?') {
                cur = select_where(cur, p + 2, (size_t)(end - p - 2));
            } else {
                char *stop;
                long idx = strtol(p + 1, &stop, 10);
                if (stop != end || idx < 0 || !cJSON_IsArray(cur))
                    return NULL;
                cur = cJSON_GetArrayItem(cur, (int)idx);
            }
            p = end + 1;
        } else {
            /* a bare first segment without "$." */
            p = seg_name(p, name, sizeof name);
            cur = cJSON_GetObjectItemCaseSensitive(cur, name);
        }
    }
    return cur;
}

const char *md_json_str(const cJSON *root, const char *path, const char *def)
{
    const cJSON *v = md_json_get(root, path);
    return cJSON_IsString(v) ? v->valuestring : def;
}

double md_json_num(const cJSON *root, const char *path, double def)
{
    const cJSON *v = md_json_get(root, path);
    if (cJSON_IsNumber(v))
        return v->valuedouble;
    if (cJSON_IsString(v) && v->valuestring[0]) {
        char *end;
        errno = 0;
        double d = strtod(v->valuestring, &end);
        if (*end == '\0' && errno == 0)
            return d;
    }
    return def;
}

bool md_json_path_is_sql(const char *path)
{
    return path && strstr(path, "[?") == NULL;
}

cJSON *md_json_parse(const char *data, size_t len, struct md_err *err)
{
    const char *end = NULL;
    cJSON *j = cJSON_ParseWithLengthOpts(data, len, &end, 0);
    if (!j) {
        size_t off = end && end >= data ? (size_t)(end - data) : 0;
        md_err_set(err, MD_ERR_PARSE, "malformed JSON near byte %zu", off);
    }
    return j;
}

cJSON *md_json_load_file(const char *path, struct md_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        md_err_set(err, MD_ERR_IO, "%s: %s", path, strerror(errno));
        return NULL;
    }
    struct md_buf b = MD_BUF_INIT;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (md_buf_append(&b, chunk, n) < 0) {
            fclose(f);
            md_buf_free(&b);
            md_err_set(err, MD_ERR_NOMEM, "%s: out of memory", path);
            return NULL;
        }
    }
    int rerr = ferror(f);
    fclose(f);
    if (rerr) {
        md_buf_free(&b);
        md_err_set(err, MD_ERR_IO, "%s: read error", path);
        return NULL;
    }
    cJSON *j = md_json_parse(b.data ? b.data : "", b.len, err);
    if (!j)
        md_err_wrap(err, "%s", path);
    md_buf_free(&b);
    return j;
}
