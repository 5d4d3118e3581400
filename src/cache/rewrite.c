/* md_cache_rewrite_kind: mldeck's own members of cached objects (run
 * counts, pipelines' last executions) are set by reading every row of a
 * kind, changing some, and writing those back.  The rows are read into
 * memory first so that the callback may query the cache or call a
 * service, and the write lock is taken only for the writes at the end. */
#include <stdlib.h>
#include <string.h>

#include "cache/rewrite.h"

struct kept {
    char *id, *parent, *json;
    long long at;
};

struct kept_rows {
    struct kept *v;
    size_t n, cap;
    bool nomem;
};

static int keep_row(void *ctx, const struct md_cache_row *row)
{
    struct kept_rows *a = ctx;
    if (a->n == a->cap) {
        size_t nc = a->cap ? a->cap * 2 : 16;
        struct kept *v = realloc(a->v, nc * sizeof *v);
        if (!v) {
            a->nomem = true;
            return 1;
        }
        a->v = v;
        a->cap = nc;
    }
    struct kept *k = &a->v[a->n];
    k->id = strdup(row->id);
    k->parent = strdup(row->parent ? row->parent : "");
    k->json = strdup(row->json);
    k->at = row->fetched_at_ms;
    if (!k->id || !k->parent || !k->json) {
        free(k->id);
        free(k->parent);
        free(k->json);
        a->nomem = true;
        return 1;
    }
    a->n++;
    return 0;
}

/* Writes the changed rows (json non-NULL) in one transaction, or inside
 * the caller's. */
static md_status write_back(struct md_cache *c, const struct md_scope *s, const char *kind,
                            const struct kept_rows *a, char **json, struct md_err *err)
{
    size_t n = 0;
    for (size_t i = 0; i < a->n; i++)
        n += json[i] != NULL;
    if (!n)
        return MD_OK;
    struct md_cache_row *rows = calloc(n, sizeof *rows);
    if (!rows)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    n = 0;
    for (size_t i = 0; i < a->n; i++)
        if (json[i])
            rows[n++] = (struct md_cache_row){kind, a->v[i].id, a->v[i].parent, json[i],
                                              a->v[i].at};
    md_status st = md_cache_upsert_rows(c, s, rows, n, err);
    free(rows);
    return st;
}

md_status md_cache_rewrite_kind(struct md_cache *c, const struct md_scope *s, const char *kind,
                                md_cache_rewrite_fn fn, void *ctx, struct md_err *err)
{
    struct kept_rows a = {0};
    struct md_cache_query q = {.kind = kind};
    md_status st = md_cache_query(c, s, &q, keep_row, &a, err);
    if (st == MD_OK && a.nomem)
        st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
    char **json = st == MD_OK ? calloc(a.n ? a.n : 1, sizeof *json) : NULL;
    if (st == MD_OK && !json)
        st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
    /* A callback's error stops the pass, but what it changed before is
     * still written. */
    md_status fst = MD_OK;
    struct md_err ferr;
    md_err_clear(&ferr);
    for (size_t i = 0; st == MD_OK && fst == MD_OK && i < a.n; i++) {
        cJSON *obj = cJSON_Parse(a.v[i].json);
        if (!obj)
            continue;   /* not ours to repair: the next refresh replaces it */
        struct md_cache_row row = {kind, a.v[i].id, a.v[i].parent, a.v[i].json, a.v[i].at};
        bool changed = false;
        fst = fn(ctx, &row, obj, &changed, &ferr);
        if (changed && !(json[i] = cJSON_PrintUnformatted(obj)) && fst == MD_OK)
            fst = md_err_set(&ferr, MD_ERR_NOMEM, "out of memory");
        cJSON_Delete(obj);
    }
    if (st == MD_OK)
        st = write_back(c, s, kind, &a, json, err);
    if (st == MD_OK && fst != MD_OK) {
        st = fst;
        if (err)
            *err = ferr;
    }
    for (size_t i = 0; i < a.n; i++) {
        free(a.v[i].id);
        free(a.v[i].parent);
        free(a.v[i].json);
        if (json)
            cJSON_free(json[i]);
    }
    free(json);
    free(a.v);
    return st;
}

md_status md_cache_rewrite_one(struct md_cache *c, const struct md_scope *s, const char *kind,
                               const char *id, md_cache_rewrite_fn fn, void *ctx,
                               struct md_err *err)
{
    char *json = NULL;
    long long at = 0;
    struct md_err e;
    md_err_clear(&e);
    md_status st = md_cache_get(c, s, kind, id, &json, &at, &e);
    if (st == MD_ERR_NOTFOUND)
        return MD_OK;
    if (st != MD_OK) {
        if (err)
            *err = e;
        return st;
    }
    cJSON *obj = cJSON_Parse(json);
    struct md_cache_row row = {kind, id, "", json, at};
    bool changed = false;
    st = obj ? fn(ctx, &row, obj, &changed, err) : MD_OK;
    char *text = st == MD_OK && changed ? cJSON_PrintUnformatted(obj) : NULL;
    if (st == MD_OK && changed && !text)
        st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
    if (text) {
        row.json = text;
        st = md_cache_upsert(c, s, &row, err);
    }
    cJSON_free(text);
    cJSON_Delete(obj);
    free(json);
    return st;
}
