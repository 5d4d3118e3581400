/* The sync layer: a queue of jobs served by a few worker threads.  Each
 * worker owns its own cache connection (and its own CURL handle, see
 * md_worker).  Workers never draw: they write rows to the cache and report
 * each finished job through a pipe that the UI loop polls with stdin. */
#ifndef MD_SYNC_H
#define MD_SYNC_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "cache/cache.h"
#include "util/err.h"

enum md_job_type { MD_JOB_REFRESH, MD_JOB_ACTION, MD_JOB_CALL };

struct md_worker;   /* what a provider gets: the worker's cache, scope, cancel flag */

struct md_cache *md_worker_cache(struct md_worker *w);
const struct md_scope *md_worker_scope(struct md_worker *w);
bool md_worker_cancelled(struct md_worker *w);
void *md_worker_curl(struct md_worker *w);    /* lazily created CURL *, owned by the worker */

/* A provider turns a request into cache rows: demo files, AWS, MLflow, a
 * local mlruns folder.  One provider set is attached to a md_sync. */
struct md_provider {
    const char *name;
    bool (*handles)(const struct md_provider *p, const char *kind);
    md_status (*refresh)(const struct md_provider *p, struct md_worker *w, const char *kind,
                         const char *parent, struct md_err *err);
    /* params/result are JSON; *result (may be NULL) is freed by the caller. */
    md_status (*action)(const struct md_provider *p, struct md_worker *w, const char *kind,
                        const char *id, const char *action, const cJSON *params,
                        cJSON **result, struct md_err *err);
    void *state;
};

typedef md_status (*md_job_fn)(struct md_worker *w, void *arg, struct md_err *err);

struct md_job {
    enum md_job_type type;
    const char *kind;
    const char *parent;       /* REFRESH */
    const char *id;           /* ACTION */
    const char *action;       /* ACTION */
    const cJSON *params;      /* ACTION: copied on submit */
    md_job_fn fn;             /* CALL: arbitrary work (inference...) */
    void *arg;                /* CALL: owned by the caller until the event arrives */
    unsigned group;           /* jobs of one view; md_sync_cancel_group cancels them */
};

/* What the UI reads back after the pipe wakes it. */
struct md_sync_event {
    unsigned long job_id;
    enum md_job_type type;
    char kind[64];
    char id[512];
    char action[64];
    unsigned group;
    md_status status;
    struct md_err err;
    cJSON *result;            /* ACTION result; owned by the event, freed by md_sync_event_free */
    void *arg;                /* CALL: the arg given */
};

struct md_sync;

struct md_sync_config {
    int workers;                          /* default 3 */
    const char *cache_path;               /* each worker opens its own connection */
    struct md_scope scope;
    const struct md_provider *const *providers;   /* NULL-terminated, tried in order */
};

md_status md_sync_start(const struct md_sync_config *cfg, struct md_sync **out, struct md_err *err);
/* Stops workers after their current job; pending jobs are dropped. */
void md_sync_stop(struct md_sync *s);
int md_sync_fd(const struct md_sync *s);      /* poll for POLLIN */
/* Queues a job; returns its id (> 0) or 0 on failure. Duplicate REFRESH of
 * the same (kind, parent) while one is queued is coalesced. */
unsigned long md_sync_submit(struct md_sync *s, const struct md_job *job);
/* Reads one finished job; returns false when none is ready (non-blocking). */
bool md_sync_next_event(struct md_sync *s, struct md_sync_event *ev);
void md_sync_event_free(struct md_sync_event *ev);
void md_sync_cancel_group(struct md_sync *s, unsigned group);
int md_sync_pending(const struct md_sync *s);

#endif
