#include "cache/run_count.h"
#include "cache/rewrite.h"

#include <stdlib.h>
#include <string.h>

md_status md_cache_run_count_set(struct md_cache *c, const struct md_scope *s, cJSON *exp,
                                 bool more, struct md_err *err)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(exp, "experiment_id");
    if (!cJSON_IsString(id))
        return MD_OK;
    /* deleted runs are hidden in the runs view, so they do not count */
    static const char *const stage[] = {"$.info.lifecycle_stage"};
    struct md_cache_query q = {.kind = "runs", .parent = id->valuestring,
                               .filter_paths = stage, .nfilter_paths = 1,
                               .filter_text = "active"};
    long n = 0;
    md_status st = md_cache_count(c, s, &q, &n, err);
    if (st != MD_OK)
        return st;
    cJSON_DeleteItemFromObjectCaseSensitive(exp, "mldeck");
    cJSON *own = cJSON_AddObjectToObject(exp, "mldeck");
    if (!own || !cJSON_AddNumberToObject(own, "run_count", (double)n) ||
        (more && !cJSON_AddBoolToObject(own, "run_count_more", 1)))
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    return MD_OK;
}

/* Parses one cached experiment, sets its count, writes it back with its
 * fetch time unchanged (the header's age is about the API's data). */
static md_status rewrite(struct md_cache *c, const struct md_scope *s, const char *id,
                         const char *json, long long fetched_at_ms, bool more,
                         struct md_err *err)
{
    cJSON *exp = cJSON_Parse(json);
    if (!exp)
        return MD_OK;   /* not ours to repair: the next refresh replaces it */
    md_status st = md_cache_run_count_set(c, s, exp, more, err);
    char *text = st == MD_OK ? cJSON_PrintUnformatted(exp) : NULL;
    if (st == MD_OK && !text)
        st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
    if (st == MD_OK) {
        struct md_cache_row row = {"experiments", id, "", text, fetched_at_ms};
        st = md_cache_upsert(c, s, &row, err);
    }
    cJSON_free(text);
    cJSON_Delete(exp);
    return st;
}

md_status md_cache_run_count_update(struct md_cache *c, const struct md_scope *s,
                                    const char *exp_id, bool more, struct md_err *err)
{
    char *json = NULL;
    long long at = 0;
    struct md_err e;
    md_err_clear(&e);
    md_status st = md_cache_get(c, s, "experiments", exp_id, &json, &at, &e);
    if (st == MD_ERR_NOTFOUND)
        return MD_OK;
    if (st != MD_OK) {
        *err = e;
        return st;
    }
    st = rewrite(c, s, exp_id, json, at, more, err);
    free(json);
    return st;
}

struct where {
    struct md_cache *c;
    const struct md_scope *s;
};

static md_status recount(void *ctx, const struct md_cache_row *row, cJSON *exp, bool *changed,
                        struct md_err *err)
{
    const struct where *w = ctx;
    *changed = true;
    return md_cache_run_count_set(w->c, w->s, exp, false, err);
}

md_status md_cache_run_count_update_all(struct md_cache *c, const struct md_scope *s,
                                        struct md_err *err)
{
    struct where w = {c, s};
    return md_cache_rewrite_kind(c, s, "experiments", recount, &w, err);
}
