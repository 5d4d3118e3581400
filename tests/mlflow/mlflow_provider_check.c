/* Test helper for tests/mlflow/test_provider.py: drives the MLflow provider
 * through real sync workers and a real cache, then prints what it saw as
 * one JSON object (the Python side also checks the server's request log).
 *
 *   mlflow_provider_check URI CACHE_FILE EXPERIMENT_NAME [RUN_ID [KEY]]
 *
 * Steps: refresh experiments; refresh runs of EXPERIMENT_NAME (first page)
 * then "next-page" until the listing is complete; refresh metric-histories
 * of the first run twice (the second must come from the cache when the run
 * is finished); "fetch" one key twice; refresh registered models and the
 * versions of the first one; a "search" with a bad filter. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache/cache.h"
#include "mlflow/provider.h"
#include "sync/sync.h"
#include "util/json.h"
#include "util/settings.h"

static struct md_sync *S;

/* Waits for the event of job id; returns its status (result moved to *res). */
static md_status wait_job(unsigned long id, cJSON **res, char *msg, size_t n)
{
    for (;;) {
        struct md_sync_event ev;
        while (md_sync_next_event(S, &ev)) {
            if (ev.job_id == id) {
                md_status st = ev.status;
                if (msg)
                    snprintf(msg, n, "%s", ev.err.msg);
                if (res) {
                    *res = ev.result;
                    ev.result = NULL;
                }
                md_sync_event_free(&ev);
                return st;
            }
            md_sync_event_free(&ev);
        }
        struct pollfd pfd = {md_sync_fd(S), POLLIN, 0};
        poll(&pfd, 1, 1000);
    }
}

static md_status refresh(const char *kind, const char *parent, char *msg, size_t n)
{
    struct md_job j = {.type = MD_JOB_REFRESH, .kind = kind, .parent = parent};
    return wait_job(md_sync_submit(S, &j), NULL, msg, n);
}

static md_status action(const char *kind, const char *id, const char *name, const char *params,
                        cJSON **res, char *msg, size_t n)
{
    cJSON *p = params ? cJSON_Parse(params) : NULL;
    struct md_job j = {.type = MD_JOB_ACTION, .kind = kind, .id = id, .action = name,
                       .params = p};
    unsigned long jid = md_sync_submit(S, &j);
    cJSON_Delete(p);
    return wait_job(jid, res, msg, n);
}

static long count(struct md_cache *c, const struct md_scope *sc, const char *kind,
                  const char *parent)
{
    struct md_cache_query q = {.kind = kind, .parent = parent};
    long n = -1;
    struct md_err err;
    md_cache_count(c, sc, &q, &n, &err);
    return n;
}

struct first {
    char id[256];
    char name[256];
};

static int first_row(void *ctx, const struct md_cache_row *row)
{
    struct first *f = ctx;
    cJSON *j = cJSON_Parse(row->json);
    snprintf(f->id, sizeof f->id, "%s", row->id);
    snprintf(f->name, sizeof f->name, "%s", md_json_str(j, "$.name", ""));
    cJSON_Delete(j);
    return 1;
}

struct by_name {
    const char *want;
    char id[256];
};

static int exp_by_name(void *ctx, const struct md_cache_row *row)
{
    struct by_name *b = ctx;
    cJSON *j = cJSON_Parse(row->json);
    if (!strcmp(md_json_str(j, "$.name", ""), b->want))
        snprintf(b->id, sizeof b->id, "%s", row->id);
    cJSON_Delete(j);
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The experiment's own "mldeck" member (cache/run_count.h), or null. */
static void add_run_count(cJSON *out, const char *name, struct md_cache *c,
                          const struct md_scope *sc, const char *exp)
{
    char *json = NULL;
    long long at;
    struct md_err e;
    cJSON *exp_obj = md_cache_get(c, sc, "experiments", exp, &json, &at, &e) == MD_OK
                         ? cJSON_Parse(json) : NULL;
    cJSON *own = exp_obj ? cJSON_DetachItemFromObject(exp_obj, "mldeck") : NULL;
    cJSON_AddItemToObject(out, name, own ? own : cJSON_CreateNull());
    cJSON_Delete(exp_obj);
    free(json);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: mlflow_provider_check URI CACHE EXPERIMENT_NAME\n");
        return 2;
    }
    struct md_settings set;
    md_settings_defaults(&set);
    snprintf(set.mlflow_uri, sizeof set.mlflow_uri, "%s", argv[1]);
    struct md_err err;
    struct md_provider *prov;
    if (md_mlflow_provider_new(&set, &prov, &err) != MD_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    const struct md_provider *provs[] = {prov, NULL};
    struct md_sync_config cfg = {.workers = 2, .cache_path = argv[2],
                                 .scope = {"test", "us-east-1"}, .providers = provs};
    if (md_sync_start(&cfg, &S, &err) != MD_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    struct md_cache *c;
    if (md_cache_open(argv[2], &c, &err) != MD_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    const struct md_scope *sc = &cfg.scope;
    cJSON *out = cJSON_CreateObject();
    char msg[600];

    md_status st = refresh("experiments", NULL, msg, sizeof msg);
    cJSON_AddStringToObject(out, "experiments_status", md_status_name(st));
    cJSON_AddNumberToObject(out, "experiments", (double)count(c, sc, "experiments", NULL));

    struct by_name bn = {argv[3], ""};
    struct md_cache_query eq = {.kind = "experiments"};
    md_cache_query(c, sc, &eq, exp_by_name, &bn, &err);
    cJSON_AddStringToObject(out, "experiment_id", bn.id);
    add_run_count(out, "count_after_experiments", c, sc, bn.id);

    double t0 = now_s();
    st = refresh("runs", bn.id, msg, sizeof msg);
    cJSON_AddStringToObject(out, "runs_status", md_status_name(st));
    cJSON_AddNumberToObject(out, "runs_first_page", (double)count(c, sc, "runs", bn.id));
    int pages = 1;
    for (;;) {
        cJSON *res = NULL;
        st = action("runs", bn.id, "next-page", NULL, &res, msg, sizeof msg);
        const char *next = md_json_str(res, "$.next_page_token", NULL);
        bool more = st == MD_OK && next && md_json_num(res, "$.added", 0) > 0;
        if (st == MD_OK && md_json_num(res, "$.added", 0) > 0)
            pages++;
        cJSON_Delete(res);
        if (!more)
            break;
    }
    cJSON_AddNumberToObject(out, "runs_pages", pages);
    add_run_count(out, "count_after_paging", c, sc, bn.id);
    cJSON_AddNumberToObject(out, "runs", (double)count(c, sc, "runs", bn.id));
    cJSON_AddNumberToObject(out, "runs_seconds", now_s() - t0);

    /* the given run, else the oldest (finished in every seed the test uses) */
    struct first fr = {"", ""};
    struct md_cache_query rq = {.kind = "runs", .parent = bn.id,
                                .sort_path = "$.info.start_time", .sort_desc = false,
                                .limit = 1};
    if (argc > 4 && argv[4][0])
        snprintf(fr.id, sizeof fr.id, "%s", argv[4]);
    else
        md_cache_query(c, sc, &rq, first_row, &fr, &err);
    cJSON_AddStringToObject(out, "history_run", fr.id);
    t0 = now_s();
    st = refresh("metric-histories", fr.id, msg, sizeof msg);
    cJSON_AddNumberToObject(out, "histories_seconds", now_s() - t0);
    cJSON_AddStringToObject(out, "histories_status", md_status_name(st));
    cJSON_AddNumberToObject(out, "histories", (double)count(c, sc, "metric-histories", fr.id));
    t0 = now_s();
    st = refresh("metric-histories", fr.id, msg, sizeof msg);
    cJSON_AddNumberToObject(out, "histories_again_seconds", now_s() - t0);
    cJSON_AddStringToObject(out, "histories_again_status", md_status_name(st));

    char hid[600];
    snprintf(hid, sizeof hid, "%s/%s", fr.id, argc > 5 ? argv[5] : "metrics/mAP50B");
    cJSON *res = NULL;
    st = action("metric-histories", hid, "fetch", NULL, &res, msg, sizeof msg);
    cJSON_AddStringToObject(out, "fetch_status", md_status_name(st));
    cJSON_AddBoolToObject(out, "fetch_cached", cJSON_IsTrue(md_json_get(res, "$.cached")));
    cJSON_AddNumberToObject(out, "fetch_points", md_json_num(res, "$.points", -1));
    cJSON_Delete(res);
    res = NULL;
    st = action("metric-histories", hid, "fetch", "{\"force\": true}", &res, msg, sizeof msg);
    cJSON_AddBoolToObject(out, "force_cached", cJSON_IsTrue(md_json_get(res, "$.cached")));
    cJSON_Delete(res);

    char *hjson = NULL;
    long long at;
    if (md_cache_get(c, sc, "metric-histories", hid, &hjson, &at, &err) == MD_OK) {
        cJSON *h = cJSON_Parse(hjson);
        cJSON_AddItemToObject(out, "history", cJSON_DetachItemFromObject(h, "metrics"));
        cJSON_Delete(h);
        free(hjson);
    }

    st = refresh("registered-models", NULL, msg, sizeof msg);
    cJSON_AddStringToObject(out, "models_status", md_status_name(st));
    struct first fm = {"", ""};
    struct md_cache_query mq = {.kind = "registered-models", .limit = 1};
    md_cache_query(c, sc, &mq, first_row, &fm, &err);
    cJSON_AddNumberToObject(out, "models", (double)count(c, sc, "registered-models", NULL));
    if (fm.id[0]) {
        st = refresh("model-versions", fm.id, msg, sizeof msg);
        cJSON_AddStringToObject(out, "versions_status", md_status_name(st));
        cJSON_AddNumberToObject(out, "versions", (double)count(c, sc, "model-versions", fm.id));
        char vid[600];
        snprintf(vid, sizeof vid, "%s/1", fm.id);
        char *vjson = NULL;
        if (md_cache_get(c, sc, "model-versions", vid, &vjson, &at, &err) == MD_OK) {
            cJSON_AddItemToObject(out, "version1", cJSON_Parse(vjson));
            free(vjson);
        }
    }

    char params[1200];
    snprintf(params, sizeof params,
             "{\"experiment_ids\": [\"%s\"], \"filter\": \"metrics.metrics/mAP50B > 0.5\"}", bn.id);
    res = NULL;
    st = action("runs", bn.id, "search", params, &res, msg, sizeof msg);
    cJSON_AddStringToObject(out, "bad_search_status", md_status_name(st));
    cJSON_AddStringToObject(out, "bad_search_message", msg);
    cJSON_Delete(res);
    snprintf(params, sizeof params,
             "{\"experiment_ids\": [\"%s\"], \"filter\": \"attributes.status = 'RUNNING'\", "
             "\"max_results\": 5}", bn.id);
    res = NULL;
    st = action("runs", bn.id, "search", params, &res, msg, sizeof msg);
    cJSON_AddStringToObject(out, "search_status", md_status_name(st));
    cJSON_AddItemToObject(out, "search", res ? res : cJSON_CreateNull());

    md_sync_stop(S);
    md_mlflow_provider_free(prov);
    md_cache_close(c);
    char *s = cJSON_PrintUnformatted(out);
    puts(s);
    free(s);
    cJSON_Delete(out);
    return 0;
}
