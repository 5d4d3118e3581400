/* The sync layer: a queue of jobs served by a few worker threads.  Each
 * worker owns its own cache connection (and its own CURL handle, see
 * md_worker).  Workers never draw: they write rows to the cache and report
 * each finished job through a pipe that the UI loop polls with stdin.
 *
 * Every job accepted by md_sync_submit produces exactly one event (done,
 * failed, or cancelled), unless md_sync_stop drops it first.  The pipe
 * carries one byte per event; after poll() reports POLLIN, call
 * md_sync_next_event until it returns false.
 *
 * Additions since the first contract (all source-compatible):
 * md_job.arg_free, md_sync_event.parent, md_sync_config.no_kind_indexes,
 * md_sync_submit_index. */
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
/* The same behind a void * (worker = the md_worker): the cancel callback a
 * client (AWS, MLflow, S3 fetch) polls during long work on this worker. */
bool md_worker_cancelled_cb(void *worker);
void *md_worker_curl(struct md_worker *w);    /* lazily created CURL *, owned by the worker */

/* A provider turns a request into cache rows: demo files, AWS, MLflow, a
 * local mlruns folder.  One provider set is attached to a md_sync.
 * Providers are tried in order: the first whose handles() is true (NULL
 * handles = every kind) and that has the callback runs the job; if it
 * returns MD_ERR_UNSUPPORTED the next one is asked.  A refresh gets parent
 * NULL for a top-level kind.  Long work polls md_worker_cancelled() and
 * returns MD_ERR_CANCELLED.  Callbacks run on worker threads: they may use
 * only md_worker_cache(w) for the cache (never the UI's connection). */
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
    void (*arg_free)(void *arg);  /* CALL, optional: frees arg when md_sync_stop drops
                                   * the job or its unread event; never called otherwise */
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
    void *arg;                /* CALL: the arg given (ownership back to the caller) */
    char parent[512];         /* REFRESH: the parent refreshed, "" for a top-level kind */
};

struct md_sync;

struct md_sync_config {
    int workers;                          /* default 3 */
    const char *cache_path;               /* each worker opens its own connection */
    struct md_scope scope;
    const struct md_provider *const *providers;   /* NULL-terminated, tried in order */
    bool no_kind_indexes;     /* skip indexing every kind's columns at start (tests) */
};

/* Opens one cache connection per worker (errors are reported here), then
 * starts the workers.  Unless cfg->no_kind_indexes, the first jobs index
 * each kind's default sort column (kind/kind.h sort_column) with
 * md_cache_index_paths; they are silent (no event) but count in
 * md_sync_pending.
 * cfg->providers must outlive the md_sync. */
md_status md_sync_start(const struct md_sync_config *cfg, struct md_sync **out, struct md_err *err);
/* Sets every running job's cancel flag, drops queued jobs and unread
 * events, and joins the workers after their current job. */
void md_sync_stop(struct md_sync *s);
int md_sync_fd(const struct md_sync *s);      /* poll for POLLIN */
/* Queues a job (strings and params are copied); returns its id (> 0) or 0
 * on failure.  A REFRESH of a (kind, parent) that is already queued (not
 * yet running) is coalesced: the queued job's id is returned, the job takes
 * the newer group, and one event answers both. */
unsigned long md_sync_submit(struct md_sync *s, const struct md_job *job);
/* Reads one finished job; returns false when none is ready (non-blocking). */
bool md_sync_next_event(struct md_sync *s, struct md_sync_event *ev);
void md_sync_event_free(struct md_sync_event *ev);
/* Queued jobs of the group are removed and answered at once with
 * MD_ERR_CANCELLED events; running ones get their cancel flag set. */
void md_sync_cancel_group(struct md_sync *s, unsigned group);
/* Jobs queued or running. */
int md_sync_pending(const struct md_sync *s);

/* Queues md_cache_index_paths(kind, paths) on a worker (building indexes
 * over existing rows takes a moment; the UI should not wait for it).  Its
 * event is a CALL with kind set and arg NULL.  Returns the job id or 0.
 * The UI calls it when the operator sorts by a column other than the
 * kind's default: that first sort runs without an index (a sort inside
 * SQLite, ~0.2 s at 100,000 rows), the following ones use it.  Asking
 * again for an existing index is cheap. */
unsigned long md_sync_submit_index(struct md_sync *s, const char *kind, const char *const *paths,
                                   size_t n, unsigned group);

#endif
