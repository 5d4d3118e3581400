#include "cache/last_exec.h"

#include <math.h>
#include <string.h>

#include "cache/rewrite.h"
#include "util/json.h"

/* The first of two members that obj has as a string / number (util/json.h
 * paths: a member name is one). */
static const char *str_of(const cJSON *obj, const char *a, const char *b)
{
    const char *v = md_json_str(obj, a, NULL);
    return v || !b ? v : md_json_str(obj, b, NULL);
}

static const cJSON *num_of(const cJSON *obj, const char *a, const char *b)
{
    const cJSON *v = md_json_get(obj, a);
    if (!cJSON_IsNumber(v) && b)
        v = md_json_get(obj, b);
    return cJSON_IsNumber(v) ? v : NULL;
}

/* pipeline's own member, made when absent; NULL: out of memory. */
static cJSON *own_member(cJSON *pipeline)
{
    cJSON *own = cJSON_GetObjectItemCaseSensitive(pipeline, "mldeck");
    if (cJSON_IsObject(own))
        return own;
    cJSON_DeleteItemFromObjectCaseSensitive(pipeline, "mldeck");
    return cJSON_AddObjectToObject(pipeline, "mldeck");
}

static bool put(cJSON *o, const char *name, cJSON *v)
{
    if (!v)
        return false;
    cJSON_DeleteItemFromObjectCaseSensitive(o, name);
    if (!cJSON_AddItemToObject(o, name, v)) {
        cJSON_Delete(v);
        return false;
    }
    return true;
}

/* last_execution_for: the pipeline's LastExecutionTime now, or none. */
static bool mark_for(cJSON *own, const cJSON *pipeline)
{
    const cJSON *t = num_of(pipeline, "LastExecutionTime", NULL);
    if (!t) {
        cJSON_DeleteItemFromObjectCaseSensitive(own, "last_execution_for");
        return true;
    }
    return put(own, "last_execution_for", cJSON_CreateNumber(t->valuedouble));
}

md_status md_last_exec_set(cJSON *pipeline, const cJSON *execution, struct md_err *err)
{
    cJSON *last = cJSON_CreateObject();
    const char *status = str_of(execution, "PipelineExecutionStatus", NULL);
    const char *arn = str_of(execution, "PipelineExecutionArn", NULL);
    const char *name = str_of(execution, "PipelineExecutionDisplayName", NULL);
    const char *failure = str_of(execution, "PipelineExecutionFailureReason", "FailureReason");
    const cJSON *started = num_of(execution, "StartTime", "CreationTime");
    bool ok = last != NULL;
    if (ok && status)
        ok = cJSON_AddStringToObject(last, "status", status) != NULL;
    if (ok && arn)
        ok = cJSON_AddStringToObject(last, "arn", arn) != NULL;
    if (ok && name)
        ok = cJSON_AddStringToObject(last, "name", name) != NULL;
    if (ok && started)
        ok = cJSON_AddNumberToObject(last, "started", started->valuedouble) != NULL;
    if (ok && failure)
        ok = cJSON_AddStringToObject(last, "failure", failure) != NULL;
    cJSON *own = ok ? own_member(pipeline) : NULL;
    if (!own || !put(own, "last_execution", last) || !mark_for(own, pipeline)) {
        if (!own)
            cJSON_Delete(last);
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    return MD_OK;
}

md_status md_last_exec_carry(cJSON *to, const cJSON *from, struct md_err *err)
{
    const cJSON *src = cJSON_GetObjectItemCaseSensitive(from, "mldeck");
    if (!cJSON_IsObject(src))
        return MD_OK;
    cJSON *copy = cJSON_Duplicate(src, 1);
    cJSON_DeleteItemFromObjectCaseSensitive(to, "mldeck");
    if (!copy || !cJSON_AddItemToObject(to, "mldeck", copy)) {
        cJSON_Delete(copy);
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    return MD_OK;
}

bool md_last_exec_settled(const cJSON *pipeline)
{
    const cJSON *own = cJSON_GetObjectItemCaseSensitive(pipeline, "mldeck");
    const cJSON *last = cJSON_GetObjectItemCaseSensitive(own, "last_execution");
    const cJSON *was = num_of(own, "last_execution_for", NULL);
    const cJSON *now = num_of(pipeline, "LastExecutionTime", NULL);
    const char *status = str_of(last, "status", NULL);
    /* Not ==: the member is written back through cJSON, which prints a
     * number to 15 significant digits when that reads back within an ulp
     * or so, and the next listing brings the service's exact text.  Two
     * executions are further apart than a millisecond. */
    if (!was || !now || fabs(was->valuedouble - now->valuedouble) >= 1e-3 || !status)
        return false;
    return !strcmp(status, "Succeeded") || !strcmp(status, "Failed") ||
           !strcmp(status, "Stopped");
}

/* ---- from the cache (the demo) ------------------------------------------- */

static int take_newest(void *ctx, const struct md_cache_row *row)
{
    *(cJSON **)ctx = cJSON_Parse(row->json);
    return 1;
}

struct where {
    struct md_cache *c;
    const struct md_scope *s;
};

/* Sets the member of the pipeline name from its newest cached execution,
 * if it has one. */
static md_status from_cached(const struct where *w, const char *name, cJSON *pipeline,
                             bool *changed, struct md_err *err)
{
    struct md_cache_query q = {.kind = "pipeline-executions", .parent = name,
                               .sort_path = "$.CreationTime", .sort_desc = true, .limit = 1};
    cJSON *newest = NULL;
    md_status st = md_cache_query(w->c, w->s, &q, take_newest, &newest, err);
    if (st == MD_OK && newest) {
        st = md_last_exec_set(pipeline, newest, err);
        *changed = st == MD_OK;
    }
    cJSON_Delete(newest);
    return st;
}

static md_status each_from_cached(void *ctx, const struct md_cache_row *row, cJSON *pipeline,
                                  bool *changed, struct md_err *err)
{
    return from_cached(ctx, row->id, pipeline, changed, err);
}

md_status md_cache_last_exec_update(struct md_cache *c, const struct md_scope *s,
                                    const char *name, struct md_err *err)
{
    struct where w = {c, s};
    return md_cache_rewrite_one(c, s, "pipelines", name, each_from_cached, &w, err);
}

md_status md_cache_last_exec_update_all(struct md_cache *c, const struct md_scope *s,
                                        struct md_err *err)
{
    struct where w = {c, s};
    return md_cache_rewrite_kind(c, s, "pipelines", each_from_cached, &w, err);
}
