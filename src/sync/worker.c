/* A worker thread: takes jobs from the queue, runs them through the
 * providers (or the job's own function) with its own cache connection and
 * CURL handle, and posts one event per job.  Never draws. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync/sync_internal.h"
#include "util/log.h"

struct md_cache *md_worker_cache(struct md_worker *w)
{
    return w->cache;
}

const struct md_scope *md_worker_scope(struct md_worker *w)
{
    return &w->sync->scope;
}

bool md_worker_cancelled(struct md_worker *w)
{
    if (atomic_load(&w->sync->stop_flag))
        return true;
    /* w->job is only written by this same thread (under the lock), so
     * reading it here needs no lock; the flag itself is atomic. */
    return w->job && atomic_load(&w->job->cancelled);
}

bool md_worker_cancelled_cb(void *worker)
{
    return md_worker_cancelled(worker);
}

void *md_worker_curl(struct md_worker *w)
{
    if (!w->curl)
        w->curl = curl_easy_init();
    return w->curl;
}

static bool provider_handles(const struct md_provider *p, const char *kind)
{
    return !p->handles || p->handles(p, kind);
}

/* Providers are asked in order; one that answers MD_ERR_UNSUPPORTED
 * passes the job to the next (a local mlruns folder vs a tracking server). */
static md_status run_providers(struct md_worker *w, const struct md_job_item *it, cJSON **result,
                               struct md_err *err)
{
    const struct md_provider *const *ps = w->sync->providers;
    bool asked = false;
    md_status st = MD_ERR_UNSUPPORTED;
    for (size_t i = 0; ps && ps[i]; i++) {
        const struct md_provider *p = ps[i];
        if (!provider_handles(p, it->kind))
            continue;
        if (it->type == MD_JOB_REFRESH && !p->refresh)
            continue;
        if (it->type == MD_JOB_ACTION && !p->action)
            continue;
        asked = true;
        md_err_clear(err);
        if (it->type == MD_JOB_REFRESH) {
            st = p->refresh(p, w, it->kind, it->parent && it->parent[0] ? it->parent : NULL, err);
        } else {
            cJSON *res = NULL;
            st = p->action(p, w, it->kind, it->target, it->action, it->params, &res, err);
            if (st == MD_OK)
                *result = res;
            else
                cJSON_Delete(res);
        }
        if (st != MD_ERR_UNSUPPORTED)
            return st;
    }
    if (!asked) {
        if (it->type == MD_JOB_REFRESH)
            return md_err_set(err, MD_ERR_UNSUPPORTED, "no provider can list %s", it->kind);
        return md_err_set(err, MD_ERR_UNSUPPORTED, "no provider can run %s on %s", it->action,
                          it->kind);
    }
    return st;
}

static md_status run_job(struct md_worker *w, struct md_job_item *it, cJSON **result,
                         struct md_err *err)
{
    if (atomic_load(&it->cancelled))
        return md_err_set(err, MD_ERR_CANCELLED, "cancelled");
    if (it->type == MD_JOB_CALL)
        return it->fn(w, it->arg, err);
    return run_providers(w, it, result, err);
}

void *md_worker_main(void *arg)
{
    struct md_worker *w = arg;
    struct md_sync *s = w->sync;
    for (;;) {
        pthread_mutex_lock(&s->mu);
        while (!s->stopping && !s->head)
            pthread_cond_wait(&s->work, &s->mu);
        if (s->stopping) {
            pthread_mutex_unlock(&s->mu);
            break;
        }
        struct md_job_item *it = md_queue_pop(s);
        w->job = it;
        s->running++;
        pthread_mutex_unlock(&s->mu);

        struct md_err err;
        md_err_clear(&err);
        cJSON *result = NULL;
        md_status st = run_job(w, it, &result, &err);
        if (md_cache_in_transaction(w->cache)) {
            /* A provider returned with its transaction open: left so, it
             * would hold the write lock and stall every other writer. */
            md_log(MD_LOG_WARN, "job on %s left a cache transaction open; rolled back",
                   it->kind ? it->kind : "?");
            while (md_cache_in_transaction(w->cache))
                md_cache_rollback(w->cache);
        }
        if (st == MD_OK) {
            md_err_clear(&err);
        } else {
            /* A provider that forgot the message still yields a readable line. */
            if (!err.msg[0])
                snprintf(err.msg, sizeof err.msg, "%s %s failed: %s",
                         it->type == MD_JOB_REFRESH ? "refresh of" : "job on",
                         it->kind ? it->kind : "?", md_status_name(st));
            if (atomic_load(&it->cancelled) && st != MD_ERR_CANCELLED) {
                char old[sizeof err.msg];
                snprintf(old, sizeof old, "%s", err.msg);
                snprintf(err.msg, sizeof err.msg, "cancelled (%s)", old);
                st = MD_ERR_CANCELLED;
            }
        }
        if (it->arg_internal && it->arg_free) {
            it->arg_free(it->arg);
            it->arg = NULL;
        }
        struct md_sync_event ev;
        md_event_from_job(&ev, it, st, &err, result);

        pthread_mutex_lock(&s->mu);
        w->job = NULL;
        s->running--;
        if (it->silent)
            cJSON_Delete(ev.result);
        else
            md_event_post(s, &ev, it->arg_internal ? NULL : it->arg_free);
        pthread_mutex_unlock(&s->mu);
        md_job_item_free(it);
    }
    if (w->curl)
        curl_easy_cleanup(w->curl);
    w->curl = NULL;
    return NULL;
}
