#include "yolo/pool.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

/* One job at a time.  Completion is counted in finished tasks, not in
 * workers checking in, so the caller never waits for a worker that was
 * descheduled before it started: on a busy machine the caller simply runs
 * the tasks itself.  `seq` works like a seqlock: odd while the caller
 * rewrites the job, even once it is published.  A worker announces itself
 * in `active` before reading the job; the caller rewrites it only when no
 * worker is inside. */
struct md_pool {
    int n;                      /* threads including the caller */
    pthread_t *tids;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    md_pool_fn fn;
    void *ctx;
    size_t n_tasks;
    atomic_size_t next;         /* next task to claim */
    atomic_size_t done;         /* tasks finished */
    atomic_int active;          /* workers inside the current job */
    atomic_uint seq;            /* bumped for every job */
    atomic_int sleepers;
    atomic_int quit;
};

struct worker_arg {
    struct md_pool *p;
    int id;
};

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* A waiting thread pauses, and now and then offers its CPU: on a machine
 * with more runnable threads than cores, the thread it waits for (or the
 * caller it delays) may be queued on the same CPU, and pure spinning would
 * hold it off for a whole time slice. */
static inline void wait_a_bit(unsigned n)
{
    cpu_relax();
    if ((n & 63) == 63)
        sched_yield();
}

static void drain(struct md_pool *p, int id)
{
    size_t t, n = p->n_tasks;
    while ((t = atomic_fetch_add_explicit(&p->next, 1, memory_order_relaxed)) < n) {
        p->fn(p->ctx, t, id);
        atomic_fetch_add_explicit(&p->done, 1, memory_order_release);
    }
}

static int nothing_new(struct md_pool *p, unsigned seen)
{
    unsigned s = atomic_load(&p->seq);
    return s == seen || (s & 1);
}

static void *worker(void *arg)
{
    struct worker_arg *wa = arg;
    struct md_pool *p = wa->p;
    int id = wa->id;
    free(wa);
    unsigned seen = atomic_load(&p->seq) & ~1u;
    for (;;) {
        /* Spin briefly: jobs come back to back during a run; then sleep so an
         * idle model costs no CPU. */
        for (unsigned spins = 0; nothing_new(p, seen) && !atomic_load(&p->quit) && spins < 20000; spins++)
            wait_a_bit(spins);
        if (nothing_new(p, seen) && !atomic_load(&p->quit)) {
            pthread_mutex_lock(&p->mu);
            atomic_fetch_add(&p->sleepers, 1);
            while (nothing_new(p, seen) && !atomic_load(&p->quit))
                pthread_cond_wait(&p->cv, &p->mu);
            atomic_fetch_sub(&p->sleepers, 1);
            pthread_mutex_unlock(&p->mu);
        }
        if (atomic_load(&p->quit))
            return NULL;
        atomic_fetch_add(&p->active, 1);
        unsigned s = atomic_load(&p->seq);
        if (!(s & 1) && s != seen) {
            seen = s;
            drain(p, id);
        }
        atomic_fetch_sub(&p->active, 1);
    }
}

struct md_pool *md_pool_new(int nthreads)
{
    if (nthreads < 1)
        nthreads = 1;
    struct md_pool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->n = nthreads;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    atomic_init(&p->next, 0);
    atomic_init(&p->done, 0);
    atomic_init(&p->active, 0);
    atomic_init(&p->seq, 0);
    atomic_init(&p->sleepers, 0);
    atomic_init(&p->quit, 0);
    p->tids = calloc((size_t)nthreads, sizeof *p->tids);
    if (!p->tids) {
        free(p);
        return NULL;
    }
    for (int i = 1; i < nthreads; i++) {
        struct worker_arg *wa = malloc(sizeof *wa);
        if (!wa || (wa->p = p, wa->id = i, pthread_create(&p->tids[i], NULL, worker, wa))) {
            free(wa);
            p->n = i;
            break;
        }
    }
    return p;
}

void md_pool_free(struct md_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    atomic_store(&p->quit, 1);
    atomic_fetch_add(&p->seq, 2);
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    for (int i = 1; i < p->n; i++)
        pthread_join(p->tids[i], NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p->tids);
    free(p);
}

int md_pool_threads(const struct md_pool *p)
{
    return p ? p->n : 1;
}

void md_pool_run(struct md_pool *p, size_t n_tasks, md_pool_fn fn, void *ctx)
{
    if (!p || p->n == 1 || n_tasks <= 1) {
        for (size_t t = 0; t < n_tasks; t++)
            fn(ctx, t, 0);
        return;
    }
    atomic_fetch_add(&p->seq, 1);               /* odd: being rewritten */
    for (unsigned n = 0; atomic_load(&p->active) > 0; n++)  /* workers still leaving the last job */
        wait_a_bit(n);
    p->fn = fn;
    p->ctx = ctx;
    p->n_tasks = n_tasks;
    atomic_store_explicit(&p->next, 0, memory_order_relaxed);
    atomic_store_explicit(&p->done, 0, memory_order_relaxed);
    atomic_fetch_add(&p->seq, 1);               /* even: published */
    if (atomic_load(&p->sleepers) > 0) {
        pthread_mutex_lock(&p->mu);
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
    }
    drain(p, 0);
    for (unsigned n = 0; atomic_load_explicit(&p->done, memory_order_acquire) < n_tasks; n++)
        wait_a_bit(n);
}
