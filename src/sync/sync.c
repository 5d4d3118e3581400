/* Starting and stopping the workers, submitting and cancelling jobs. */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kind/kind.h"
#include "sync/sync_internal.h"

#define MD_SYNC_MAX_WORKERS 32

static void index_kinds(struct md_sync *s);

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void curl_init(void)
{
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void free_sync(struct md_sync *s)
{
    for (int i = 0; s->workers && i < s->nworkers; i++)
        md_cache_close(s->workers[i].cache);
    free(s->workers);
    md_event_free_all(s);
    if (s->pipe_r >= 0)
        close(s->pipe_r);
    if (s->pipe_w >= 0)
        close(s->pipe_w);
    free((char *)s->scope.profile);
    free((char *)s->scope.region);
    pthread_cond_destroy(&s->work);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

static void drop_jobs(struct md_job_item *list)
{
    while (list) {
        struct md_job_item *next = list->next;
        if (list->arg_free && list->arg)
            list->arg_free(list->arg);
        md_job_item_free(list);
        list = next;
    }
}

md_status md_sync_start(const struct md_sync_config *cfg, struct md_sync **out, struct md_err *err)
{
    *out = NULL;
    pthread_once(&curl_once, curl_init);
    if (curl_init_rc != CURLE_OK)
        return md_err_set(err, MD_ERR_NET, "curl_global_init: %s", curl_easy_strerror(curl_init_rc));
    struct md_sync *s = calloc(1, sizeof *s);
    if (!s)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->work, NULL);
    atomic_init(&s->stop_flag, false);
    s->pipe_r = s->pipe_w = -1;
    s->next_id = 1;
    s->providers = cfg->providers;
    s->nworkers = cfg->workers > 0 ? cfg->workers : 3;
    if (s->nworkers > MD_SYNC_MAX_WORKERS)
        s->nworkers = MD_SYNC_MAX_WORKERS;
    s->scope.profile = strdup(cfg->scope.profile ? cfg->scope.profile : "");
    s->scope.region = strdup(cfg->scope.region ? cfg->scope.region : "");
    s->workers = calloc((size_t)s->nworkers, sizeof *s->workers);
    if (!s->scope.profile || !s->scope.region || !s->workers) {
        free_sync(s);
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    int fds[2];
    if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) < 0) {
        md_err_set(err, MD_ERR_IO, "pipe: %s", strerror(errno));
        free_sync(s);
        return MD_ERR_IO;
    }
    s->pipe_r = fds[0];
    s->pipe_w = fds[1];
    /* Each worker's connection is opened here, in order, so that a cache
     * that cannot be opened is reported now rather than by every job. */
    for (int i = 0; i < s->nworkers; i++) {
        s->workers[i].sync = s;
        md_status st = md_cache_open(cfg->cache_path, &s->workers[i].cache, err);
        if (st != MD_OK) {
            md_err_wrap(err, "worker %d", i + 1);
            free_sync(s);
            return st;
        }
    }
    for (int i = 0; i < s->nworkers; i++) {
        int rc = pthread_create(&s->workers[i].thread, NULL, md_worker_main, &s->workers[i]);
        if (rc != 0) {
            md_err_set(err, MD_ERR_INTERNAL, "starting worker %d: %s", i + 1, strerror(rc));
            md_sync_stop(s);
            return MD_ERR_INTERNAL;
        }
        s->workers[i].started = true;
    }
    if (!cfg->no_kind_indexes)
        index_kinds(s);
    *out = s;
    return MD_OK;
}

void md_sync_stop(struct md_sync *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    s->stopping = true;
    atomic_store(&s->stop_flag, true);
    struct md_job_item *dropped = md_queue_take_all(s);
    pthread_cond_broadcast(&s->work);
    pthread_mutex_unlock(&s->mu);
    drop_jobs(dropped);
    /* A job deep in one long SQL statement (an index over 100,000 rows)
     * cannot poll md_worker_cancelled: interrupt the statement. */
    for (int i = 0; i < s->nworkers; i++)
        md_cache_interrupt(s->workers[i].cache);
    for (int i = 0; i < s->nworkers; i++)
        if (s->workers[i].started)
            pthread_join(s->workers[i].thread, NULL);
    free_sync(s);
}

unsigned long md_sync_submit(struct md_sync *s, const struct md_job *job)
{
    if (!s || !job)
        return 0;
    switch (job->type) {
    case MD_JOB_REFRESH:
        if (!job->kind || !job->kind[0])
            return 0;
        break;
    case MD_JOB_ACTION:
        if (!job->kind || !job->id || !job->action)
            return 0;
        break;
    case MD_JOB_CALL:
        if (!job->fn)
            return 0;
        break;
    default:
        return 0;
    }
    pthread_mutex_lock(&s->mu);
    unsigned long id = 0;
    if (s->stopping)
        goto out;
    if (job->type == MD_JOB_REFRESH) {
        struct md_job_item *same = md_queue_find_refresh(s, job->kind, job->parent);
        if (same) {
            /* The newest asker's view is the one still interested. */
            same->group = job->group;
            id = same->id;
            goto out;
        }
    }
    struct md_job_item *it = md_job_item_new(job);
    if (!it)
        goto out;
    it->id = id = s->next_id++;
    md_queue_push(s, it);
    pthread_cond_signal(&s->work);
out:
    pthread_mutex_unlock(&s->mu);
    return id;
}

void md_sync_cancel_group(struct md_sync *s, unsigned group)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    struct md_job_item *taken = md_queue_take_group(s, group);
    /* Queued jobs never run: each still gets its event, so that whoever
     * waits on the id (or owns a CALL's arg) hears back. */
    for (struct md_job_item *it = taken; it; it = it->next) {
        struct md_err err;
        md_err_set(&err, MD_ERR_CANCELLED, "cancelled before it ran");
        struct md_sync_event ev;
        md_event_from_job(&ev, it, MD_ERR_CANCELLED, &err, NULL);
        if (!it->silent)
            md_event_post(s, &ev, it->arg_internal ? NULL : it->arg_free);
        if (it->arg_internal && it->arg_free)
            it->arg_free(it->arg);
    }
    for (int i = 0; i < s->nworkers; i++) {
        struct md_job_item *run = s->workers[i].job;
        if (run && run->group == group)
            atomic_store(&run->cancelled, true);
    }
    pthread_mutex_unlock(&s->mu);
    while (taken) {
        struct md_job_item *next = taken->next;
        md_job_item_free(taken);
        taken = next;
    }
}

int md_sync_pending(const struct md_sync *cs)
{
    if (!cs)
        return 0;
    struct md_sync *s = (struct md_sync *)cs;   /* the lock is not part of the value */
    pthread_mutex_lock(&s->mu);
    int n = s->queued + s->running;
    pthread_mutex_unlock(&s->mu);
    return n;
}

/* ---- index job ---------------------------------------------------------- */

struct index_arg {
    char *kind;
    char **paths;
    size_t n;
};

static void index_arg_free(void *p)
{
    struct index_arg *a = p;
    if (!a)
        return;
    for (size_t i = 0; i < a->n; i++)
        free(a->paths[i]);
    free(a->paths);
    free(a->kind);
    free(a);
}

static md_status index_fn(struct md_worker *w, void *arg, struct md_err *err)
{
    struct index_arg *a = arg;
    return md_cache_index_paths(md_worker_cache(w), a->kind, (const char *const *)a->paths, a->n,
                                err);
}

static unsigned long submit_index(struct md_sync *s, const char *kind, const char *const *paths,
                                  size_t n, unsigned group, bool silent)
{
    if (!s || !kind)
        return 0;
    struct index_arg *a = calloc(1, sizeof *a);
    if (!a)
        return 0;
    a->kind = strdup(kind);
    a->paths = calloc(n ? n : 1, sizeof *a->paths);
    bool ok = a->kind && a->paths;
    for (size_t i = 0; ok && i < n; i++) {
        a->paths[i] = strdup(paths[i] ? paths[i] : "");
        ok = a->paths[i] != NULL;
        a->n = i + 1;
    }
    if (!ok) {
        index_arg_free(a);
        return 0;
    }
    struct md_job job = {.type = MD_JOB_CALL, .kind = kind, .fn = index_fn, .arg = a,
                         .arg_free = index_arg_free, .group = group};
    pthread_mutex_lock(&s->mu);
    unsigned long id = 0;
    struct md_job_item *it = s->stopping ? NULL : md_job_item_new(&job);
    if (it) {
        it->arg_internal = true;
        it->silent = silent;
        it->id = id = s->next_id++;
        md_queue_push(s, it);
        pthread_cond_signal(&s->work);
    }
    pthread_mutex_unlock(&s->mu);
    if (!id)
        index_arg_free(a);
    return id;
}

unsigned long md_sync_submit_index(struct md_sync *s, const char *kind, const char *const *paths,
                                   size_t n, unsigned group)
{
    return submit_index(s, kind, paths, n, group, false);
}

/* Each kind's default sort column gets its index, on the workers, before
 * the first refresh (IF NOT EXISTS: a no-op after the first start).  Not
 * every column: each index is partial (WHERE kind = 'x'), and SQLite tests
 * every partial index's condition on every insert of any kind.  Measured
 * on 20,000 inserts (CPU): no index 0.10 s, one per kind (17) 0.21 s, one
 * per column (138) 1.24 s.  Other columns are indexed when the UI first
 * sorts by them (md_sync_submit_index). */
static void index_kinds(struct md_sync *s)
{
    for (size_t i = 0; i < md_kind_count(); i++) {
        const struct md_kind *k = md_kind_at(i);
        if (k->ncolumns == 0 || k->sort_column < 0 || (size_t)k->sort_column >= k->ncolumns)
            continue;
        const char *path = k->columns[k->sort_column].path;
        if (path && path[0])
            submit_index(s, k->name, &path, 1, 0, true);
    }
}
