#include "cache/run_count.h"
#include "cache/rewrite.h"

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

struct recount {
    struct md_cache *c;
    const struct md_scope *s;
    bool more;
};

static md_status recount(void *ctx, const struct md_cache_row *row, cJSON *exp, bool *changed,
                         struct md_err *err)
{
    const struct recount *r = ctx;
    *changed = true;
    return md_cache_run_count_set(r->c, r->s, exp, r->more, err);
}

/* Both write the experiment back with its fetch time unchanged (the
 * header's age is about the API's data). */
md_status md_cache_run_count_update(struct md_cache *c, const struct md_scope *s,
                                    const char *exp_id, bool more, struct md_err *err)
{
    struct recount r = {c, s, more};
    return md_cache_rewrite_one(c, s, "experiments", exp_id, recount, &r, err);
}

md_status md_cache_run_count_update_all(struct md_cache *c, const struct md_scope *s,
                                        struct md_err *err)
{
    struct recount r = {c, s, false};
    return md_cache_rewrite_kind(c, s, "experiments", recount, &r, err);
}
