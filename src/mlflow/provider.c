#include "mlflow/provider.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache.h"
#include "cache/run_count.h"
#include "kind/kind.h"
#include "mlflow/client.h"
#include "util/json.h"

#define RUNS_PAGE 1000
#define MAX_WORKERS 64

struct client_slot {
    struct md_worker *worker;
    struct md_mlflow *client;
};

struct state {
    struct md_settings settings;
    md_mfa_prompt_fn mfa_prompt;
    void *mfa_ctx;
    pthread_mutex_t lock;
    struct client_slot slots[MAX_WORKERS];
    size_t nslots;
};

static const char *const kinds[] = {"experiments", "runs", "metric-histories",
                                    "registered-models", "model-versions", NULL};

bool md_mlflow_provider_handles(const char *kind)
{
    const struct md_kind *k = kind ? md_kind_find(kind) : NULL;
    for (size_t i = 0; k && kinds[i]; i++)
        if (!strcmp(k->name, kinds[i]))
            return true;
    return false;
}

static bool prov_handles(const struct md_provider *p, const char *kind)
{
    (void)p;
    return md_mlflow_provider_handles(kind);
}

/* This worker's client (opened on first use, kept for the provider's life). */
static md_status client_for(const struct md_provider *p, struct md_worker *w,
                            struct md_mlflow **out, struct md_err *err)
{
    struct state *st = p->state;
    *out = NULL;
    pthread_mutex_lock(&st->lock);
    for (size_t i = 0; i < st->nslots; i++)
        if (st->slots[i].worker == w)
            *out = st->slots[i].client;
    pthread_mutex_unlock(&st->lock);
    if (!*out) {
        md_status s = md_mlflow_open_mfa(NULL, &st->settings, st->mfa_prompt, st->mfa_ctx, out,
                                         err);
        if (s != MD_OK)
            return s;
        pthread_mutex_lock(&st->lock);
        if (st->nslots < MAX_WORKERS) {
            st->slots[st->nslots++] = (struct client_slot){w, *out};
        } else {
            pthread_mutex_unlock(&st->lock);
            md_mlflow_close(*out);
            *out = NULL;
            return md_err_set(err, MD_ERR_INTERNAL, "too many workers for the MLflow provider");
        }
        pthread_mutex_unlock(&st->lock);
    }
    md_mlflow_set_curl(*out, md_worker_curl(w));
    md_mlflow_set_cancel(*out, md_worker_cancelled_cb, w);
    return MD_OK;
}

/* ---- writing rows ---------------------------------------------------------- */

struct rows {
    struct md_cache_row *v;
    char **ids;             /* owned */
    char **json;            /* owned */
    size_t n, cap;
};

static void rows_free(struct rows *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->ids[i]);
        free(r->json[i]);
    }
    free(r->v);
    free(r->ids);
    free(r->json);
    memset(r, 0, sizeof *r);
}

static md_status rows_add(struct rows *r, const struct md_kind *k, const cJSON *obj,
                          const char *parent, struct md_err *err)
{
    char id[1024];
    if (!md_kind_row_id(k, obj, parent, id, sizeof id))
        return MD_OK;   /* an object without its id (an empty history) is not a row */
    if (r->n == r->cap) {
        size_t nc = r->cap ? r->cap * 2 : 64;
        struct md_cache_row *v = realloc(r->v, nc * sizeof *v);
        char **ids = v ? realloc(r->ids, nc * sizeof *ids) : NULL;
        char **js = ids ? realloc(r->json, nc * sizeof *js) : NULL;
        if (v)
            r->v = v;
        if (ids)
            r->ids = ids;
        if (js)
            r->json = js;
        if (!v || !ids || !js)
            return md_err_set(err, MD_ERR_NOMEM, "out of memory");
        r->cap = nc;
    }
    r->ids[r->n] = strdup(id);
    r->json[r->n] = cJSON_PrintUnformatted(obj);
    if (!r->ids[r->n] || !r->json[r->n]) {
        free(r->ids[r->n]);
        free(r->json[r->n]);
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    r->v[r->n] = (struct md_cache_row){k->name, r->ids[r->n], parent ? parent : "",
                                       r->json[r->n], 0};
    r->n++;
    return MD_OK;
}

static md_status rows_write(struct md_worker *w, struct rows *r, struct md_err *err)
{
    if (r->n == 0)
        return MD_OK;
    return md_cache_upsert_rows(md_worker_cache(w), md_worker_scope(w), r->v, r->n, err);
}

static md_status rows_prune(struct md_worker *w, const char *kind, const char *parent,
                            struct rows *r, struct md_err *err)
{
    return md_cache_prune(md_worker_cache(w), md_worker_scope(w), kind, parent ? parent : "",
                          (const char *const *)r->ids, r->n, err);
}

/* ---- refreshes -------------------------------------------------------------- */

typedef md_status (*search_fn)(struct md_mlflow *m, const struct md_mlflow_search *q,
                               cJSON **page, struct md_err *err);

/* Every page of a search into rows. */
static md_status all_pages(struct md_worker *w, struct md_mlflow *m, search_fn fn,
                           struct md_mlflow_search *q, const char *field,
                           const struct md_kind *k, const char *parent, struct rows *r,
                           struct md_err *err)
{
    char *token = NULL;
    md_status st = MD_OK;
    for (;;) {
        if (md_worker_cancelled(w)) {
            st = md_err_set(err, MD_ERR_CANCELLED, "cancelled");
            break;
        }
        q->page_token = token;
        cJSON *page;
        st = fn(m, q, &page, err);
        if (st != MD_OK)
            break;
        const cJSON *it;
        cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(page, field)) {
            if ((st = rows_add(r, k, it, parent, err)) != MD_OK)
                break;
        }
        const char *next = md_json_str(page, "$.next_page_token", NULL);
        char *nt = st == MD_OK && next && *next && (!token || strcmp(next, token)) ? strdup(next)
                                                                                  : NULL;
        free(token);
        token = nt;
        cJSON_Delete(page);
        if (!token)
            break;
    }
    free(token);
    return st;
}

static void meta_key(char *out, size_t n, const char *exp)
{
    snprintf(out, n, "mlflow.runs.next.%s", exp);
}

static md_status runs_page(struct md_worker *w, struct md_mlflow *m, const struct md_kind *k,
                           const char *exp, const char *token, bool prune_if_complete,
                           long *added, char **next_out, struct md_err *err);

/* The experiments' run counts (cache/run_count.h): recounted from the
 * cached runs; experiments whose runs were never listed get their first
 * page now (a few per refresh), so the count is there before they are
 * opened and opening them is instant. */
#define RUN_COUNT_PREFETCH 16

struct id_list {
    char **v;
    size_t n, cap;
    bool nomem;
};

static int collect_id(void *ctx, const struct md_cache_row *row)
{
    struct id_list *l = ctx;
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 16;
        char **v = realloc(l->v, nc * sizeof *v);
        if (!v) {
            l->nomem = true;
            return 1;
        }
        l->v = v;
        l->cap = nc;
    }
    if (!(l->v[l->n] = strdup(row->id))) {
        l->nomem = true;
        return 1;
    }
    l->n++;
    return 0;
}

static void id_list_free(struct id_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
}

static md_status note_run_counts(struct md_worker *w, struct md_mlflow *m, struct md_err *err)
{
    struct md_cache *c = md_worker_cache(w);
    const struct md_scope *s = md_worker_scope(w);
    const char *stage[] = {"$.lifecycle_stage"};
    struct md_cache_query q = {.kind = "experiments", .filter_paths = stage,
                               .nfilter_paths = 1, .filter_text = "active",
                               .sort_path = "$.last_update_time", .sort_desc = true};
    struct id_list ids = {0};
    md_status st = md_cache_query(c, s, &q, collect_id, &ids, err);
    if (st == MD_OK && ids.nomem)
        st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
    int prefetched = 0;
    for (size_t i = 0; st == MD_OK && i < ids.n; i++) {
        if (md_worker_cancelled(w)) {
            st = md_err_set(err, MD_ERR_CANCELLED, "cancelled");
            break;
        }
        char key[300], *token = NULL;
        meta_key(key, sizeof key, ids.v[i]);
        struct md_err e;
        if (md_cache_meta_get(c, s, key, &token, &e) == MD_OK) {
            st = md_cache_run_count_update(c, s, ids.v[i], token && *token, err);
        } else if (prefetched < RUN_COUNT_PREFETCH) {
            long added;
            prefetched++;
            st = runs_page(w, m, md_kind_find("runs"), ids.v[i], NULL, true, &added, NULL, err);
        }
        free(token);
    }
    id_list_free(&ids);
    return st;
}

static md_status refresh_experiments(struct md_worker *w, struct md_mlflow *m,
                                     const struct md_kind *k, struct md_err *err)
{
    struct rows r = {0};
    struct md_mlflow_search q = {.view_type = MD_MLFLOW_ALL, .max_results = 1000};
    md_status st = all_pages(w, m, md_mlflow_search_experiments, &q, "experiments", k, NULL, &r,
                             err);
    if (st == MD_OK)
        st = rows_write(w, &r, err);
    if (st == MD_OK)
        st = rows_prune(w, k->name, NULL, &r, err);
    rows_free(&r);
    if (st == MD_OK)
        st = note_run_counts(w, m, err);
    return st;
}

/* One page of runs of experiment exp after token (NULL = the first). */
static md_status runs_page(struct md_worker *w, struct md_mlflow *m, const struct md_kind *k,
                           const char *exp, const char *token, bool prune_if_complete,
                           long *added, char **next_out, struct md_err *err)
{
    const char *ids[1] = {exp};
    struct md_mlflow_search q = {.view_type = MD_MLFLOW_ALL, .max_results = RUNS_PAGE,
                                 .page_token = token, .experiment_ids = ids, .nexperiments = 1};
    cJSON *page;
    md_status st = md_mlflow_search_runs(m, &q, &page, err);
    if (st != MD_OK)
        return st;
    struct rows r = {0};
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(page, "runs")) {
        if ((st = rows_add(&r, k, it, exp, err)) != MD_OK)
            break;
    }
    const char *next = md_json_str(page, "$.next_page_token", "");
    if (st == MD_OK)
        st = rows_write(w, &r, err);
    char key[300];
    meta_key(key, sizeof key, exp);
    if (st == MD_OK)
        st = md_cache_meta_set(md_worker_cache(w), md_worker_scope(w), key, next, err);
    if (st == MD_OK && prune_if_complete && !*next)
        st = rows_prune(w, k->name, exp, &r, err);
    if (st == MD_OK)
        st = md_cache_run_count_update(md_worker_cache(w), md_worker_scope(w), exp, *next != '\0',
                                       err);
    *added = (long)r.n;
    if (next_out)
        *next_out = *next ? strdup(next) : NULL;
    rows_free(&r);
    cJSON_Delete(page);
    return st;
}

static bool run_finished(struct md_worker *w, const char *run_id)
{
    char *json = NULL;
    long long at;
    struct md_err e;
    if (md_cache_get(md_worker_cache(w), md_worker_scope(w), "runs", run_id, &json, &at, &e) !=
        MD_OK)
        return false;
    cJSON *run = cJSON_Parse(json);
    free(json);
    const char *status = md_json_str(run, "$.info.status", "RUNNING");
    bool done = strcmp(status, "RUNNING") != 0 && strcmp(status, "SCHEDULED") != 0;
    cJSON_Delete(run);
    return done;
}

/* One metric history into the cache; *cached = true when it was there and
 * the run is finished (nothing fetched). */
static md_status fetch_history(struct md_worker *w, struct md_mlflow *m, const char *run_id,
                               const char *key, bool force, bool points_wanted, long *points,
                               bool *cached, struct md_err *err)
{
    const struct md_kind *k = md_kind_find("metric-histories");
    char id[1024];
    snprintf(id, sizeof id, "%s/%s", run_id, key);
    *cached = false;
    *points = 0;
    if (!force && run_finished(w, run_id)) {
        char *json = NULL;
        long long at;
        struct md_err e;
        if (md_cache_get(md_worker_cache(w), md_worker_scope(w), k->name, id, &json, &at, &e) ==
            MD_OK) {
            if (points_wanted) {
                cJSON *h = cJSON_Parse(json);
                *points = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(h, "metrics"));
                cJSON_Delete(h);
            }
            free(json);
            *cached = true;
            return MD_OK;
        }
    }
    cJSON *pts;
    md_status st = md_mlflow_metric_history(m, run_id, key, &pts, err);
    if (st != MD_OK)
        return st;
    *points = cJSON_GetArraySize(pts);
    if (*points == 0) {
        cJSON_Delete(pts);
        return MD_OK;
    }
    cJSON *obj = cJSON_CreateObject();
    cJSON_AddItemToObject(obj, "metrics", pts);
    struct rows r = {0};
    st = rows_add(&r, k, obj, run_id, err);
    if (st == MD_OK)
        st = rows_write(w, &r, err);
    rows_free(&r);
    cJSON_Delete(obj);
    return st;
}

static md_status refresh_histories(struct md_worker *w, struct md_mlflow *m, const char *run_id,
                                   struct md_err *err)
{
    if (!run_id || !*run_id)
        return md_err_set(err, MD_ERR_INVALID, "metric-histories need a run id");
    cJSON *run;
    md_status st = md_mlflow_get_run(m, run_id, &run, err);
    if (st != MD_OK)
        return st;
    /* the run row too, so "finished" is known for the next time */
    struct rows r = {0};
    const char *exp = md_json_str(run, "$.info.experiment_id", "");
    st = rows_add(&r, md_kind_find("runs"), run, exp, err);
    if (st == MD_OK)
        st = rows_write(w, &r, err);
    rows_free(&r);
    const cJSON *met;
    cJSON_ArrayForEach(met, md_json_get(run, "$.data.metrics")) {
        if (st != MD_OK)
            break;
        if (md_worker_cancelled(w)) {
            st = md_err_set(err, MD_ERR_CANCELLED, "cancelled");
            break;
        }
        long n;
        bool cached;
        const char *key = md_json_str(met, "$.key", NULL);
        if (key)
            st = fetch_history(w, m, run_id, key, false, false, &n, &cached, err);
    }
    cJSON_Delete(run);
    return st;
}

static md_status refresh_models(struct md_worker *w, struct md_mlflow *m, const struct md_kind *k,
                                struct md_err *err)
{
    struct rows r = {0};
    struct md_mlflow_search q = {.max_results = 1000};
    md_status st = all_pages(w, m, md_mlflow_search_registered_models, &q, "registered_models",
                             k, NULL, &r, err);
    if (st == MD_OK)
        st = rows_write(w, &r, err);
    if (st == MD_OK)
        st = rows_prune(w, k->name, NULL, &r, err);
    rows_free(&r);
    return st;
}

static md_status refresh_versions(struct md_worker *w, struct md_mlflow *m,
                                  const struct md_kind *k, const char *model, struct md_err *err)
{
    if (!model || !*model)
        return md_err_set(err, MD_ERR_INVALID, "model-versions need a model name");
    if (strchr(model, '\''))
        return md_err_set(err, MD_ERR_INVALID, "model name %s has a quote", model);
    /* the model's aliases, to give each version its "aliases" as get does */
    char filter[1200];
    snprintf(filter, sizeof filter, "name = '%s'", model);
    struct md_mlflow_search mq = {.filter = filter, .max_results = 10};
    cJSON *mpage;
    md_status st = md_mlflow_search_registered_models(m, &mq, &mpage, err);
    if (st != MD_OK)
        return st;
    const cJSON *aliases = md_json_get(mpage, "$.registered_models[0].aliases");
    cJSON *page;
    struct md_mlflow_search q = {.filter = filter, .max_results = 10000};
    struct rows r = {0};
    char *token = NULL;
    for (;;) {
        q.page_token = token;
        st = md_mlflow_search_model_versions(m, &q, &page, err);
        if (st != MD_OK)
            break;
        cJSON *it;
        cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(page, "model_versions")) {
            cJSON_DeleteItemFromObjectCaseSensitive(it, "aliases");
            cJSON *al = cJSON_CreateArray();
            const cJSON *a;
            cJSON_ArrayForEach(a, aliases) {
                if (!strcmp(md_json_str(a, "$.version", ""), md_json_str(it, "$.version", "?")))
                    cJSON_AddItemToArray(al, cJSON_CreateString(md_json_str(a, "$.alias", "")));
            }
            if (cJSON_GetArraySize(al) > 0)
                cJSON_AddItemToObject(it, "aliases", al);
            else
                cJSON_Delete(al);
            if ((st = rows_add(&r, k, it, model, err)) != MD_OK)
                break;
        }
        const char *next = md_json_str(page, "$.next_page_token", NULL);
        char *nt = st == MD_OK && next && *next && (!token || strcmp(token, next)) ? strdup(next)
                                                                                  : NULL;
        free(token);
        token = nt;
        cJSON_Delete(page);
        if (!token)
            break;
    }
    free(token);
    cJSON_Delete(mpage);
    if (st == MD_OK)
        st = rows_write(w, &r, err);
    if (st == MD_OK)
        st = rows_prune(w, k->name, model, &r, err);
    rows_free(&r);
    return st;
}

static md_status prov_refresh(const struct md_provider *p, struct md_worker *w, const char *kind,
                              const char *parent, struct md_err *err)
{
    const struct md_kind *k = md_kind_find(kind);
    if (!k || !md_mlflow_provider_handles(kind))
        return md_err_set(err, MD_ERR_UNSUPPORTED, "the MLflow provider does not list %s", kind);
    struct md_mlflow *m;
    md_status st = client_for(p, w, &m, err);
    if (st != MD_OK)
        return st;
    if (!strcmp(k->name, "experiments"))
        return refresh_experiments(w, m, k, err);
    if (!strcmp(k->name, "runs")) {
        if (!parent || !*parent)
            return md_err_set(err, MD_ERR_INVALID, "runs need an experiment id");
        long added;
        return runs_page(w, m, k, parent, NULL, true, &added, NULL, err);
    }
    if (!strcmp(k->name, "metric-histories"))
        return refresh_histories(w, m, parent, err);
    if (!strcmp(k->name, "registered-models"))
        return refresh_models(w, m, k, err);
    return refresh_versions(w, m, k, parent, err);
}

/* ---- actions ------------------------------------------------------------------ */

static md_status action_next_page(struct md_worker *w, struct md_mlflow *m, const char *exp,
                                  cJSON **result, struct md_err *err)
{
    char key[300];
    meta_key(key, sizeof key, exp ? exp : "");
    char *token = NULL;
    struct md_err e;
    md_cache_meta_get(md_worker_cache(w), md_worker_scope(w), key, &token, &e);
    cJSON *res = cJSON_CreateObject();
    if (!token || !*token) {
        /* nothing recorded: the first page, or nothing more */
        bool first = token == NULL;
        free(token);
        long added = 0;
        char *next = NULL;
        md_status st = first ? runs_page(w, m, md_kind_find("runs"), exp, NULL, true, &added,
                                         &next, err)
                             : MD_OK;
        if (st != MD_OK) {
            cJSON_Delete(res);
            return st;
        }
        cJSON_AddNumberToObject(res, "added", (double)added);
        if (next)
            cJSON_AddStringToObject(res, "next_page_token", next);
        free(next);
        *result = res;
        return MD_OK;
    }
    long added;
    char *next = NULL;
    md_status st = runs_page(w, m, md_kind_find("runs"), exp, token, false, &added, &next, err);
    free(token);
    if (st != MD_OK) {
        cJSON_Delete(res);
        return st;
    }
    cJSON_AddNumberToObject(res, "added", (double)added);
    if (next)
        cJSON_AddStringToObject(res, "next_page_token", next);
    free(next);
    *result = res;
    return MD_OK;
}

static md_status action_search(struct md_worker *w, struct md_mlflow *m, const cJSON *params,
                               cJSON **result, struct md_err *err)
{
    const cJSON *ids = cJSON_GetObjectItemCaseSensitive(params, "experiment_ids");
    const cJSON *order = cJSON_GetObjectItemCaseSensitive(params, "order_by");
    size_t nids = (size_t)cJSON_GetArraySize(ids), norder = (size_t)cJSON_GetArraySize(order);
    const char **idv = calloc(nids + 1, sizeof *idv), **ov = calloc(norder + 1, sizeof *ov);
    if (!idv || !ov) {
        free(idv);
        free(ov);
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    size_t ni = 0, no = 0;
    const cJSON *x;
    cJSON_ArrayForEach(x, ids) {
        if (cJSON_IsString(x))
            idv[ni++] = x->valuestring;
    }
    cJSON_ArrayForEach(x, order) {
        if (cJSON_IsString(x))
            ov[no++] = x->valuestring;
    }
    struct md_mlflow_search q = {
        .filter = md_json_str(params, "$.filter", NULL),
        .order_by = ov, .norder = no,
        .view_type = md_json_str(params, "$.view_type", NULL),
        .max_results = (int)md_json_num(params, "$.max_results", RUNS_PAGE),
        .page_token = md_json_str(params, "$.page_token", NULL),
        .experiment_ids = idv, .nexperiments = ni};
    cJSON *page;
    md_status st = md_mlflow_search_runs(m, &q, &page, err);
    free(idv);
    free(ov);
    if (st != MD_OK)
        return st;
    struct rows r = {0};
    cJSON *res = cJSON_CreateObject();
    cJSON *order_ids = cJSON_AddArrayToObject(res, "run_ids");
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(page, "runs")) {
        cJSON_AddItemToArray(order_ids, cJSON_CreateString(md_json_str(it, "$.info.run_id", "")));
        if ((st = rows_add(&r, md_kind_find("runs"), it,
                           md_json_str(it, "$.info.experiment_id", ""), err)) != MD_OK)
            break;
    }
    const char *next = md_json_str(page, "$.next_page_token", NULL);
    if (next && *next)
        cJSON_AddStringToObject(res, "next_page_token", next);
    if (st == MD_OK)
        st = rows_write(w, &r, err);
    rows_free(&r);
    cJSON_Delete(page);
    if (st != MD_OK) {
        cJSON_Delete(res);
        return st;
    }
    *result = res;
    return MD_OK;
}

static md_status prov_action(const struct md_provider *p, struct md_worker *w, const char *kind,
                             const char *id, const char *action, const cJSON *params,
                             cJSON **result, struct md_err *err)
{
    if (result)
        *result = NULL;
    const struct md_kind *k = md_kind_find(kind);
    if (!k || !action)
        return md_err_set(err, MD_ERR_UNSUPPORTED, "no MLflow action %s", action ? action : "");
    struct md_mlflow *m;
    cJSON *res = NULL;
    md_status st;
    if (!strcmp(k->name, "runs") && !strcmp(action, "next-page")) {
        if ((st = client_for(p, w, &m, err)) == MD_OK)
            st = action_next_page(w, m, id, &res, err);
    } else if (!strcmp(k->name, "runs") && !strcmp(action, "search")) {
        if ((st = client_for(p, w, &m, err)) == MD_OK)
            st = action_search(w, m, params, &res, err);
    } else if (!strcmp(k->name, "metric-histories") && !strcmp(action, "fetch")) {
        const char *slash = id ? strchr(id, '/') : NULL;
        if (!slash || slash == id || !slash[1])
            return md_err_set(err, MD_ERR_INVALID, "fetch needs \"<run id>/<metric key>\"");
        char run_id[256];
        snprintf(run_id, sizeof run_id, "%.*s", (int)(slash - id), id);
        if ((st = client_for(p, w, &m, err)) == MD_OK) {
            long n;
            bool cached;
            bool force = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(params, "force"));
            st = fetch_history(w, m, run_id, slash + 1, force, true, &n, &cached, err);
            if (st == MD_OK) {
                res = cJSON_CreateObject();
                cJSON_AddNumberToObject(res, "points", (double)n);
                cJSON_AddBoolToObject(res, "cached", cached);
            }
        }
    } else {
        return md_err_set(err, MD_ERR_UNSUPPORTED, "no MLflow action %s on %s", action,
                          k->name);
    }
    if (result)
        *result = res;
    else
        cJSON_Delete(res);
    return st;
}

md_status md_mlflow_provider_new(const struct md_settings *settings, struct md_provider **out,
                                 struct md_err *err)
{
    *out = NULL;
    struct md_provider *p = calloc(1, sizeof *p);
    struct state *st = calloc(1, sizeof *st);
    if (!p || !st) {
        free(p);
        free(st);
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    st->settings = *settings;
    pthread_mutex_init(&st->lock, NULL);
    *p = (struct md_provider){"mlflow", prov_handles, prov_refresh, prov_action, st};
    *out = p;
    return MD_OK;
}

void md_mlflow_provider_set_mfa(struct md_provider *p, md_mfa_prompt_fn fn, void *ctx)
{
    struct state *st = p->state;
    st->mfa_prompt = fn;
    st->mfa_ctx = ctx;
}

void md_mlflow_provider_free(struct md_provider *p)
{
    if (!p)
        return;
    struct state *st = p->state;
    for (size_t i = 0; st && i < st->nslots; i++)
        md_mlflow_close(st->slots[i].client);
    if (st)
        pthread_mutex_destroy(&st->lock);
    free(st);
    free(p);
}
