/* The sync layer with a provider defined here (the layer's own seam):
 * jobs run on the workers, events come through the pipe with the right ids
 * and statuses, refreshes coalesce, groups cancel, provider errors become
 * events, and stop with pending jobs frees everything. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../tap.h"
#include "cache/cache.h"
#include "cache/cache_internal.h"
#include "kind/kind.h"
#include "sync/sync.h"

static char db[300];
static const struct md_scope scope = {"test", "local-1"};

/* ---- a gate that holds CALL jobs until opened ---------------------------- */

static pthread_mutex_t gate_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cv = PTHREAD_COND_INITIALIZER;
static bool gate_open;
static int gate_inside;

static void gate_reset(void)
{
    pthread_mutex_lock(&gate_mu);
    gate_open = false;
    gate_inside = 0;
    pthread_mutex_unlock(&gate_mu);
}

static void gate_release(void)
{
    pthread_mutex_lock(&gate_mu);
    gate_open = true;
    pthread_cond_broadcast(&gate_cv);
    pthread_mutex_unlock(&gate_mu);
}

/* Waits until n jobs are inside the gate (or 10 s). */
static bool gate_wait_inside(int n)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 10;
    pthread_mutex_lock(&gate_mu);
    int rc = 0;
    while (gate_inside < n && rc == 0)
        rc = pthread_cond_timedwait(&gate_cv, &gate_mu, &until);
    bool ok = gate_inside >= n;
    pthread_mutex_unlock(&gate_mu);
    return ok;
}

/* CALL job: waits at the gate, polling the cancel flag as a provider should. */
static md_status gate_fn(struct md_worker *w, void *arg, struct md_err *err)
{
    (void)arg;
    pthread_mutex_lock(&gate_mu);
    gate_inside++;
    pthread_cond_broadcast(&gate_cv);
    while (!gate_open && !md_worker_cancelled(w)) {
        struct timespec t;
        clock_gettime(CLOCK_REALTIME, &t);
        t.tv_nsec += 5 * 1000000;
        if (t.tv_nsec >= 1000000000) {
            t.tv_sec++;
            t.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&gate_cv, &gate_mu, &t);
    }
    pthread_mutex_unlock(&gate_mu);
    if (md_worker_cancelled(w))
        return md_err_set(err, MD_ERR_CANCELLED, "gate job cancelled");
    return MD_OK;
}

/* ---- the test provider ---------------------------------------------------- */

static atomic_int refresh_calls;

static bool widgets_handles(const struct md_provider *p, const char *kind)
{
    (void)p;
    return strcmp(kind, "widgets") == 0 || strcmp(kind, "broken") == 0 ||
           strcmp(kind, "silent") == 0 || strcmp(kind, "either") == 0;
}

/* Writes three rows for (kind, parent) through the worker's own cache. */
static md_status widgets_refresh(const struct md_provider *p, struct md_worker *w,
                                 const char *kind, const char *parent, struct md_err *err)
{
    (void)p;
    atomic_fetch_add(&refresh_calls, 1);
    if (strcmp(kind, "broken") == 0) {
        md_err_set(err, MD_ERR_SERVICE, "listing broken things: rate exceeded");
        snprintf(err->svc_code, sizeof err->svc_code, "ThrottlingException");
        snprintf(err->request_id, sizeof err->request_id, "req-123");
        err->http_status = 400;
        return MD_ERR_SERVICE;
    }
    if (strcmp(kind, "silent") == 0)
        return MD_ERR_NET;   /* forgot the message on purpose */
    if (strcmp(kind, "either") == 0)
        return md_err_set(err, MD_ERR_UNSUPPORTED, "not mine after all");
    struct md_cache_row rows[3];
    char ids[3][64], json[3][128];
    for (int i = 0; i < 3; i++) {
        snprintf(ids[i], sizeof ids[i], "%s-w%d", parent ? parent : "top", i);
        snprintf(json[i], sizeof json[i], "{\"Name\":\"%s\",\"N\":%d}", ids[i], i);
        rows[i] = (struct md_cache_row){kind, ids[i], parent ? parent : "", json[i], 0};
    }
    return md_cache_upsert_rows(md_worker_cache(w), md_worker_scope(w), rows, 3, err);
}

static md_status widgets_action(const struct md_provider *p, struct md_worker *w, const char *kind,
                                const char *id, const char *action, const cJSON *params,
                                cJSON **result, struct md_err *err)
{
    (void)p;
    (void)w;
    if (strcmp(action, "explode") == 0)
        return md_err_set(err, MD_ERR_INVALID, "%s %s cannot explode", kind, id);
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "did", action);
    cJSON_AddStringToObject(r, "on", id);
    const cJSON *reason = cJSON_GetObjectItemCaseSensitive(params, "reason");
    cJSON_AddStringToObject(r, "reason", cJSON_IsString(reason) ? reason->valuestring : "");
    *result = r;
    return MD_OK;
}

static const struct md_provider widgets = {
    .name = "widgets",
    .handles = widgets_handles,
    .refresh = widgets_refresh,
    .action = widgets_action,
};

/* Second in line: takes what the first declines. */
static md_status backup_refresh(const struct md_provider *p, struct md_worker *w, const char *kind,
                                const char *parent, struct md_err *err)
{
    (void)p;
    (void)parent;
    struct md_cache_row r = {kind, "from-backup", "", "{\"by\":\"backup\"}", 0};
    return md_cache_upsert(md_worker_cache(w), md_worker_scope(w), &r, err);
}

static bool backup_handles(const struct md_provider *p, const char *kind)
{
    (void)p;
    return strcmp(kind, "either") == 0;
}

static const struct md_provider backup = {
    .name = "backup",
    .handles = backup_handles,
    .refresh = backup_refresh,
};

static const struct md_provider *const providers[] = {&widgets, &backup, NULL};

/* ---- helpers ---------------------------------------------------------- */

#define MAXEV 64

struct evset {
    struct md_sync_event ev[MAXEV];
    int n;
};

/* Polls the pipe like the UI does until n events arrived (or 10 s). */
static int wait_events(struct md_sync *s, struct evset *es, int n)
{
    es->n = 0;
    for (int loops = 0; es->n < n && loops < 1000; loops++) {
        struct pollfd pfd = {.fd = md_sync_fd(s), .events = POLLIN};
        if (poll(&pfd, 1, 10) <= 0)
            continue;
        struct md_sync_event ev;
        while (md_sync_next_event(s, &ev)) {
            if (es->n < MAXEV)
                es->ev[es->n++] = ev;
            else
                md_sync_event_free(&ev);
        }
    }
    return es->n;
}

static void evset_free(struct evset *es)
{
    for (int i = 0; i < es->n; i++)
        md_sync_event_free(&es->ev[i]);
    es->n = 0;
}

static const struct md_sync_event *find_ev(const struct evset *es, unsigned long id)
{
    for (int i = 0; i < es->n; i++)
        if (es->ev[i].job_id == id)
            return &es->ev[i];
    return NULL;
}

static int count_ev(const struct evset *es, unsigned long id)
{
    int k = 0;
    for (int i = 0; i < es->n; i++)
        k += es->ev[i].job_id == id;
    return k;
}

static bool pipe_readable(struct md_sync *s)
{
    struct pollfd pfd = {.fd = md_sync_fd(s), .events = POLLIN};
    return poll(&pfd, 1, 0) > 0;
}

static struct md_sync *start(int workers)
{
    struct md_sync_config cfg = {.workers = workers, .cache_path = db, .scope = scope,
                                 .providers = providers, .no_kind_indexes = true};
    struct md_sync *s = NULL;
    struct md_err err;
    if (md_sync_start(&cfg, &s, &err) != MD_OK) {
        tap_diag("md_sync_start: %s", err.msg);
        return NULL;
    }
    return s;
}

static unsigned long submit_refresh(struct md_sync *s, const char *kind, const char *parent,
                                    unsigned group)
{
    struct md_job j = {.type = MD_JOB_REFRESH, .kind = kind, .parent = parent, .group = group};
    return md_sync_submit(s, &j);
}

static unsigned long submit_gate(struct md_sync *s, unsigned group)
{
    struct md_job j = {.type = MD_JOB_CALL, .kind = "gate", .fn = gate_fn, .group = group};
    return md_sync_submit(s, &j);
}

/* ---- tests ------------------------------------------------------------ */

static void test_refresh_jobs(void)
{
    struct md_sync *s = start(3);
    TAP_OK(s != NULL, "start 3 workers");
    if (!s)
        return;
    unsigned long ids[8];
    char parent[8][16];
    for (int i = 0; i < 8; i++) {
        snprintf(parent[i], sizeof parent[i], "p%d", i);
        ids[i] = submit_refresh(s, "widgets", parent[i], 1);
    }
    bool distinct = true;
    for (int i = 0; i < 8; i++)
        for (int k = 0; k < i; k++)
            distinct = distinct && ids[i] && ids[i] != ids[k];
    TAP_OK(distinct, "8 refreshes of different parents get 8 ids");
    struct evset es;
    TAP_EQ_INT(wait_events(s, &es, 8), 8, "8 events through the pipe");
    bool right = true;
    for (int i = 0; i < 8; i++) {
        const struct md_sync_event *ev = find_ev(&es, ids[i]);
        right = right && ev && ev->status == MD_OK && ev->type == MD_JOB_REFRESH &&
                strcmp(ev->kind, "widgets") == 0 && strcmp(ev->parent, parent[i]) == 0 &&
                ev->group == 1 && count_ev(&es, ids[i]) == 1;
    }
    TAP_OK(right, "each event carries its job's id, kind, parent, group and MD_OK");
    TAP_OK(!pipe_readable(s), "pipe drained once every event is read");
    TAP_EQ_INT(md_sync_pending(s), 0, "nothing pending");
    evset_free(&es);

    /* The rows the workers wrote are visible to another connection. */
    struct md_cache *c;
    struct md_err err;
    md_cache_open(db, &c, &err);
    struct md_cache_query q = {.kind = "widgets"};
    long n = 0;
    md_cache_count(c, &scope, &q, &n, &err);
    TAP_EQ_INT(n, 24, "workers wrote 3 rows per parent");
    q.parent = "p3";
    md_cache_count(c, &scope, &q, &n, &err);
    TAP_EQ_INT(n, 3, "rows carry their parent");

    /* A top-level refresh: parent NULL reaches the provider as NULL. */
    unsigned long top = submit_refresh(s, "widgets", NULL, 2);
    wait_events(s, &es, 1);
    TAP_OK(es.n == 1 && es.ev[0].job_id == top && es.ev[0].status == MD_OK &&
               es.ev[0].parent[0] == '\0', "top-level refresh");
    char *json = NULL;
    TAP_EQ_INT(md_cache_get(c, &scope, "widgets", "top-w1", &json, NULL, &err), MD_OK,
               "top-level rows written");
    free(json);
    evset_free(&es);
    md_cache_close(c);

    /* Three workers really run at once. */
    gate_reset();
    unsigned long g[3];
    for (int i = 0; i < 3; i++)
        g[i] = submit_gate(s, 3);
    TAP_OK(gate_wait_inside(3), "three jobs run concurrently on three workers");
    TAP_EQ_INT(md_sync_pending(s), 3, "three running");
    gate_release();
    wait_events(s, &es, 3);
    TAP_OK(find_ev(&es, g[0]) && find_ev(&es, g[1]) && find_ev(&es, g[2]), "gate jobs finished");
    evset_free(&es);
    md_sync_stop(s);
}

static void test_coalescing(void)
{
    struct md_sync *s = start(2);
    if (!s) {
        TAP_OK(0, "start");
        return;
    }
    gate_reset();
    unsigned long g1 = submit_gate(s, 0), g2 = submit_gate(s, 0);
    TAP_OK(gate_wait_inside(2), "both workers held at the gate");
    int before = atomic_load(&refresh_calls);
    unsigned long a = submit_refresh(s, "widgets", "px", 5);
    unsigned long b = submit_refresh(s, "widgets", "px", 6);
    unsigned long c = submit_refresh(s, "widgets", "py", 5);
    unsigned long d = submit_refresh(s, "widgets", "px", 6);
    TAP_OK(a && a == b && b == d, "same (kind, parent) while queued: same id (%lu %lu %lu)", a, b, d);
    TAP_OK(c && c != a, "another parent: its own job");
    TAP_EQ_INT(md_sync_pending(s), 4, "2 running + 2 queued");
    gate_release();
    struct evset es;
    wait_events(s, &es, 4);
    TAP_EQ_INT(es.n, 4, "four events (two gates, two refreshes)");
    TAP_EQ_INT(count_ev(&es, a), 1, "one event answers the coalesced refreshes");
    const struct md_sync_event *ev = find_ev(&es, a);
    TAP_OK(ev && ev->group == 6, "coalesced job carries the newest group");
    TAP_EQ_INT(atomic_load(&refresh_calls) - before, 2, "provider ran twice, not four times");
    TAP_OK(find_ev(&es, g1) && find_ev(&es, g2), "gate events");
    evset_free(&es);

    /* Not coalesced with a refresh that is already running. */
    gate_reset();
    submit_gate(s, 0);
    submit_gate(s, 0);
    gate_wait_inside(2);
    unsigned long e = submit_refresh(s, "widgets", "pz", 0);
    gate_release();
    wait_events(s, &es, 3);
    evset_free(&es);
    unsigned long f = submit_refresh(s, "widgets", "pz", 0);
    TAP_OK(f && f != e, "a finished refresh is not coalesced with a new one");
    wait_events(s, &es, 1);
    evset_free(&es);
    md_sync_stop(s);
}

static void test_cancellation(void)
{
    struct md_sync *s = start(2);
    if (!s) {
        TAP_OK(0, "start");
        return;
    }
    gate_reset();
    unsigned long r1 = submit_gate(s, 7), r2 = submit_gate(s, 7);
    TAP_OK(gate_wait_inside(2), "two group-7 jobs running");
    unsigned long q1 = submit_refresh(s, "widgets", "c1", 7);
    unsigned long q2 = submit_gate(s, 7);
    unsigned long other = submit_refresh(s, "widgets", "c2", 8);
    int before = atomic_load(&refresh_calls);
    md_sync_cancel_group(s, 7);
    struct evset es;
    wait_events(s, &es, 5);
    TAP_EQ_INT(es.n, 5, "every job answered once");
    const struct md_sync_event *e;
    e = find_ev(&es, q1);
    TAP_OK(e && e->status == MD_ERR_CANCELLED && e->err.code == MD_ERR_CANCELLED,
           "queued refresh of the group: cancelled event");
    e = find_ev(&es, q2);
    TAP_OK(e && e->status == MD_ERR_CANCELLED, "queued call of the group: cancelled event");
    e = find_ev(&es, r1);
    TAP_OK(e && e->status == MD_ERR_CANCELLED, "running job saw md_worker_cancelled");
    e = find_ev(&es, r2);
    TAP_OK(e && e->status == MD_ERR_CANCELLED && strstr(e->err.msg, "cancelled"),
           "second running job too: %s", e ? e->err.msg : "");
    e = find_ev(&es, other);
    TAP_OK(e && e->status == MD_OK, "another group's job still ran");
    TAP_EQ_INT(atomic_load(&refresh_calls) - before, 1, "the cancelled refresh never reached the provider");
    evset_free(&es);
    md_sync_cancel_group(s, 99);
    TAP_OK(!pipe_readable(s), "cancelling an empty group posts nothing");
    md_sync_stop(s);
}

static void test_errors_and_actions(void)
{
    struct md_sync *s = start(1);
    if (!s) {
        TAP_OK(0, "start");
        return;
    }
    unsigned long broken = submit_refresh(s, "broken", NULL, 0);
    unsigned long silent = submit_refresh(s, "silent", NULL, 0);
    unsigned long unknown = submit_refresh(s, "nobody-lists-this", NULL, 0);
    unsigned long either = submit_refresh(s, "either", NULL, 0);
    cJSON *params = cJSON_Parse("{\"reason\":\"operator asked\"}");
    struct md_job act = {.type = MD_JOB_ACTION, .kind = "widgets", .id = "w-1", .action = "stop",
                         .params = params};
    unsigned long stop = md_sync_submit(s, &act);
    cJSON_Delete(params);   /* the job holds its own copy */
    act.action = "explode";
    act.params = NULL;
    unsigned long boom = md_sync_submit(s, &act);
    act.kind = "nothing";
    act.action = "stop";
    unsigned long noact = md_sync_submit(s, &act);
    int argval = 42;
    struct md_job call = {.type = MD_JOB_CALL, .fn = gate_fn, .arg = &argval};
    gate_release();
    unsigned long callid = md_sync_submit(s, &call);

    struct evset es;
    TAP_EQ_INT(wait_events(s, &es, 8), 8, "eight events");
    const struct md_sync_event *e = find_ev(&es, broken);
    TAP_OK(e && e->status == MD_ERR_SERVICE && e->err.code == MD_ERR_SERVICE,
           "provider error status in the event");
    TAP_EQ_STR(e ? e->err.svc_code : "", "ThrottlingException", "service code kept");
    TAP_EQ_STR(e ? e->err.request_id : "", "req-123", "request id kept");
    TAP_EQ_INT(e ? e->err.http_status : 0, 400, "http status kept");
    TAP_OK(e && strstr(e->err.msg, "rate exceeded"), "message kept");
    e = find_ev(&es, silent);
    TAP_OK(e && e->status == MD_ERR_NET && e->err.msg[0], "an error without message still gets one: %s",
           e ? e->err.msg : "");
    e = find_ev(&es, unknown);
    TAP_OK(e && e->status == MD_ERR_UNSUPPORTED && strstr(e->err.msg, "nobody-lists-this"),
           "no provider for the kind: %s", e ? e->err.msg : "");
    e = find_ev(&es, either);
    TAP_OK(e && e->status == MD_OK, "first provider declined, second one served");
    e = find_ev(&es, stop);
    TAP_OK(e && e->status == MD_OK && e->type == MD_JOB_ACTION && !strcmp(e->id, "w-1") &&
               !strcmp(e->action, "stop"), "action event: id and action");
    char *res = e && e->result ? cJSON_PrintUnformatted(e->result) : NULL;
    TAP_EQ_STR(res, "{\"did\":\"stop\",\"on\":\"w-1\",\"reason\":\"operator asked\"}",
               "action result, params copied at submit");
    free(res);
    e = find_ev(&es, boom);
    TAP_OK(e && e->status == MD_ERR_INVALID && e->result == NULL, "failed action: status, no result");
    e = find_ev(&es, noact);
    TAP_OK(e && e->status == MD_ERR_UNSUPPORTED, "action nobody handles");
    e = find_ev(&es, callid);
    TAP_OK(e && e->status == MD_OK && e->type == MD_JOB_CALL && e->arg == &argval,
           "call job returns its arg");
    evset_free(&es);

    struct md_job bad = {.type = MD_JOB_REFRESH};
    TAP_EQ_INT(md_sync_submit(s, &bad), 0, "refresh without kind refused");
    struct md_job bad2 = {.type = MD_JOB_ACTION, .kind = "widgets"};
    TAP_EQ_INT(md_sync_submit(s, &bad2), 0, "action without id refused");
    struct md_job bad3 = {.type = MD_JOB_CALL};
    TAP_EQ_INT(md_sync_submit(s, &bad3), 0, "call without fn refused");
    md_sync_stop(s);
}

static void *curl_seen[2];

static md_status curl_fn(struct md_worker *w, void *arg, struct md_err *err)
{
    (void)err;
    (void)arg;
    curl_seen[0] = md_worker_curl(w);
    curl_seen[1] = md_worker_curl(w);
    return md_worker_scope(w) && !strcmp(md_worker_scope(w)->profile, "test") ? MD_OK
                                                                              : MD_ERR_INTERNAL;
}

/* A job that forgets to commit must not hold the write lock afterwards. */
static md_status leaky_fn(struct md_worker *w, void *arg, struct md_err *err)
{
    (void)arg;
    md_cache_begin(md_worker_cache(w), err);
    struct md_cache_row r = {"leaky", "half", "", "{}", 0};
    md_cache_upsert(md_worker_cache(w), md_worker_scope(w), &r, err);
    return MD_OK;
}

static void test_leaked_transaction(void)
{
    struct md_sync *s = start(1);
    if (!s) {
        TAP_OK(0, "start");
        return;
    }
    struct md_job j = {.type = MD_JOB_CALL, .fn = leaky_fn};
    md_sync_submit(s, &j);
    unsigned long after = submit_refresh(s, "widgets", "after-leak", 0);
    struct evset es;
    wait_events(s, &es, 2);
    const struct md_sync_event *e = find_ev(&es, after);
    TAP_OK(e && e->status == MD_OK, "the next job on that worker still writes");
    evset_free(&es);
    struct md_cache *c;
    struct md_err err;
    md_cache_open(db, &c, &err);
    char *json = NULL;
    TAP_EQ_INT(md_cache_get(c, &scope, "leaky", "half", &json, NULL, &err), MD_ERR_NOTFOUND,
               "the uncommitted row was rolled back");
    TAP_EQ_INT(md_cache_meta_set(c, &scope, "k", "v", &err), MD_OK,
               "another connection can write (no lock left behind)");
    md_cache_close(c);
    md_sync_stop(s);
}

static void test_index_and_curl(void)
{
    struct md_sync *s = start(1);
    if (!s) {
        TAP_OK(0, "start");
        return;
    }
    const char *paths[] = {"$.Name", "$.N"};
    unsigned long id = md_sync_submit_index(s, "widgets", paths, 2, 4);
    struct md_job call = {.type = MD_JOB_CALL, .fn = curl_fn};
    unsigned long cid = md_sync_submit(s, &call);
    struct evset es;
    wait_events(s, &es, 2);
    const struct md_sync_event *e = find_ev(&es, id);
    TAP_OK(e && e->status == MD_OK && e->type == MD_JOB_CALL && !strcmp(e->kind, "widgets") &&
               e->arg == NULL && e->group == 4, "index job event");
    e = find_ev(&es, cid);
    TAP_OK(e && e->status == MD_OK, "worker scope is the configured one");
    TAP_OK(curl_seen[0] && curl_seen[0] == curl_seen[1], "one CURL handle per worker, made lazily");
    evset_free(&es);
    md_sync_stop(s);

    struct md_cache *c;
    struct md_err err;
    md_cache_open(db, &c, &err);
    struct md_cache_query q = {.kind = "widgets", .parent = "p3", .sort_path = "$.Name", .limit = 5};
    char *plan = NULL;
    md_cache_query_plan(c, &scope, &q, &plan, &err);
    if (!TAP_OK(plan && strstr(plan, "resources_x") && !strstr(plan, "TEMP B-TREE"),
                "index built by the worker is used"))
        tap_diag("plan: %s", plan ? plan : err.msg);
    free(plan);
    md_cache_close(c);
}

static atomic_int freed_args;

static void count_free(void *arg)
{
    free(arg);
    atomic_fetch_add(&freed_args, 1);
}

static void test_stop_with_pending(void)
{
    struct md_sync *s = start(2);
    if (!s) {
        TAP_OK(0, "start");
        return;
    }
    gate_reset();
    submit_gate(s, 0);
    submit_gate(s, 0);
    gate_wait_inside(2);
    int accepted = 0;
    for (int i = 0; i < 20; i++) {
        struct md_job j = {.type = MD_JOB_CALL, .fn = gate_fn, .arg = malloc(16),
                           .arg_free = count_free};
        if (md_sync_submit(s, &j))
            accepted++;
        else
            free(j.arg);
    }
    submit_refresh(s, "widgets", "never", 0);
    const char *paths[] = {"$.N"};
    md_sync_submit_index(s, "widgets", paths, 1, 0);
    TAP_EQ_INT(md_sync_pending(s), 24, "2 running, 22 queued");
    atomic_store(&freed_args, 0);
    md_sync_stop(s);   /* the gate stays shut: running jobs must notice the stop */
    TAP_EQ_INT(atomic_load(&freed_args), accepted, "dropped jobs' args freed with arg_free");

    /* Stop right after start, and with unread events. */
    s = start(3);
    md_sync_stop(s);
    TAP_OK(1, "stop right after start");
    s = start(1);
    int *arg = malloc(sizeof *arg);
    struct md_job j = {.type = MD_JOB_CALL, .fn = curl_fn, .arg = arg, .arg_free = count_free};
    atomic_store(&freed_args, 0);
    md_sync_submit(s, &j);
    for (int i = 0; i < 500 && md_sync_pending(s) > 0; i++)
        usleep(10000);
    md_sync_stop(s);
    TAP_EQ_INT(atomic_load(&freed_args), 1, "an unread event's arg is freed at stop");
}

static void test_kind_indexes(void)
{
    struct md_sync_config cfg = {.workers = 2, .cache_path = db, .scope = scope,
                                 .providers = providers};
    struct md_sync *s = NULL;
    struct md_err err;
    if (md_sync_start(&cfg, &s, &err) != MD_OK) {
        TAP_OK(0, "start with kind indexes: %s", err.msg);
        return;
    }
    TAP_OK(md_sync_pending(s) > 0, "index jobs queued at start (%d)", md_sync_pending(s));
    for (int i = 0; i < 1000 && md_sync_pending(s) > 0; i++)
        usleep(10000);
    TAP_EQ_INT(md_sync_pending(s), 0, "index jobs done");
    TAP_OK(!pipe_readable(s), "index jobs post no events");
    md_sync_stop(s);

    struct md_cache *c;
    md_cache_open(db, &c, &err);
    const struct md_kind *k = md_kind_at(md_kind_count() - 1);
    struct md_cache_query q = {.kind = k->name, .parent = "",
                               .sort_path = k->columns[k->sort_column].path, .limit = 5};
    char *plan = NULL;
    md_cache_query_plan(c, &scope, &q, &plan, &err);
    if (!TAP_OK(plan && strstr(plan, "resources_x") && !strstr(plan, "TEMP B-TREE"),
                "%s sorted by its default column %s uses its index", k->name,
                q.sort_path))
        tap_diag("plan: %s", plan ? plan : err.msg);
    free(plan);
    md_cache_close(c);
}

/* Stop while a worker builds an index over many rows: the statement is
 * interrupted (or finishes), stop returns, and the file stays sound. */
static void test_stop_during_index(void)
{
    struct md_cache *c;
    struct md_err err;
    if (md_cache_open(db, &c, &err) != MD_OK || md_cache_begin(c, &err) != MD_OK) {
        TAP_OK(0, "open and begin: %s", err.msg);
        return;
    }
    char id[32], json[160];
    for (int i = 0; i < 20000; i++) {
        snprintf(id, sizeof id, "big%d", i);
        snprintf(json, sizeof json, "{\"Name\":\"n%d\",\"Tags\":[{\"Key\":\"k\",\"Value\":\"v%d\"}]}",
                 (i * 7919) % 20000, i % 97);
        struct md_cache_row r = {"bigkind", id, "", json, 0};
        md_cache_upsert(c, &scope, &r, &err);
    }
    md_cache_commit(c, &err);
    struct md_sync *s = start(1);
    const char *paths[] = {"$.Tags[?Key=k].Value", "$.Name"};
    md_sync_submit_index(s, "bigkind", paths, 2, 0);
    usleep(20000);
    md_sync_stop(s);
    TAP_OK(1, "stop returned during an index build");
    long n = 0;
    struct md_cache_query q = {.kind = "bigkind", .sort_path = "$.Name", .limit = 3};
    TAP_EQ_INT(md_cache_count(c, &scope, &q, &n, &err), MD_OK, "cache still readable");
    TAP_EQ_INT(n, 20000, "all rows there");
    md_cache_close(c);
    TAP_EQ_INT(md_cache_open(db, &c, &err), MD_OK, "reopens");
    TAP_OK(md_cache_warning(c) == NULL, "not considered damaged");
    md_cache_close(c);
}

static void test_start_failure(void)
{
    struct md_sync_config cfg = {.workers = 2, .cache_path = "/proc/no/such/dir/cache.db",
                                 .scope = scope, .providers = providers};
    struct md_sync *s = (struct md_sync *)1;
    struct md_err err;
    md_status st = md_sync_start(&cfg, &s, &err);
    TAP_OK(st != MD_OK && s == NULL, "unopenable cache: start fails cleanly: %s", err.msg);
}

int main(void)
{
    char tmp[256];
    snprintf(tmp, sizeof tmp, "%s/md-sync-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(tmp)) {
        printf("Bail out! mkdtemp: %s\n", strerror(errno));
        return 1;
    }
    snprintf(db, sizeof db, "%s/cache.db", tmp);
    test_refresh_jobs();
    test_coalescing();
    test_cancellation();
    test_errors_and_actions();
    test_index_and_curl();
    test_leaked_transaction();
    test_stop_with_pending();
    test_kind_indexes();
    test_stop_during_index();
    test_start_failure();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd) != 0)
        tap_diag("could not remove %s", tmp);
    return tap_done();
}
