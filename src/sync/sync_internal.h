/* What the files of src/sync share.  One mutex guards the job queue, the
 * event queue and each worker's current job; a condition variable wakes
 * idle workers; one pipe byte per finished job wakes the UI. */
#ifndef MD_SYNC_INTERNAL_H
#define MD_SYNC_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "sync/sync.h"

/* A queued or running job: a private copy of what was submitted. */
struct md_job_item {
    unsigned long id;
    enum md_job_type type;
    char *kind, *parent, *target, *action;   /* NULL when not given */
    cJSON *params;
    md_job_fn fn;
    void *arg;
    void (*arg_free)(void *arg);
    bool arg_internal;         /* arg belongs to the sync layer (index jobs) */
    bool silent;               /* the layer's own housekeeping: posts no event */
    unsigned group;
    atomic_bool cancelled;
    struct md_job_item *next;
};

struct md_event_node {
    struct md_sync_event ev;
    void (*arg_free)(void *arg);
    struct md_event_node *next;
};

struct md_worker {
    struct md_sync *sync;
    pthread_t thread;
    bool started;
    struct md_cache *cache;
    void *curl;                         /* CURL *, created on first use */
    struct md_job_item *job;            /* running job, under sync->mu */
};

struct md_sync {
    pthread_mutex_t mu;
    pthread_cond_t work;
    bool stopping;
    atomic_bool stop_flag;              /* read by md_worker_cancelled without the lock */
    unsigned long next_id;
    struct md_job_item *head, *tail;    /* queue, FIFO */
    int queued, running;
    struct md_event_node *ev_head, *ev_tail;
    int pipe_r, pipe_w;
    struct md_scope scope;              /* strings owned */
    const struct md_provider *const *providers;
    struct md_worker *workers;
    int nworkers;
};

/* queue.c (caller holds s->mu) */
struct md_job_item *md_job_item_new(const struct md_job *job);
void md_job_item_free(struct md_job_item *it);
void md_queue_push(struct md_sync *s, struct md_job_item *it);
struct md_job_item *md_queue_pop(struct md_sync *s);
struct md_job_item *md_queue_find_refresh(struct md_sync *s, const char *kind, const char *parent);
/* Removes queued jobs of group; returns them as a list linked by next. */
struct md_job_item *md_queue_take_group(struct md_sync *s, unsigned group);
struct md_job_item *md_queue_take_all(struct md_sync *s);

/* events.c */
/* Fills an event from a finished (or cancelled) job. */
void md_event_from_job(struct md_sync_event *ev, const struct md_job_item *it, md_status st,
                       const struct md_err *err, cJSON *result);
/* Queues ev and writes the wake-up byte; caller holds s->mu. */
void md_event_post(struct md_sync *s, const struct md_sync_event *ev, void (*arg_free)(void *));
void md_event_free_all(struct md_sync *s);

/* worker.c */
void *md_worker_main(void *arg);

#endif
