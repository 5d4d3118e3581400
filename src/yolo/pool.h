/* A small fork-join thread pool for the executor.  mldeck runs OpenBLAS
 * single-threaded and spreads work itself (GEMM column tiles, channels,
 * rows), so the machine never has more busy threads than --threads. */
#ifndef MD_YOLO_POOL_H
#define MD_YOLO_POOL_H

#include <stddef.h>

struct md_pool;

/* fn(ctx, task, thread) is called once for each task in [0, n_tasks);
 * thread is in [0, md_pool_threads()) and indexes per-thread scratch. */
typedef void (*md_pool_fn)(void *ctx, size_t task, int thread);

/* Starts nthreads-1 workers (the caller is thread 0).  NULL on failure. */
struct md_pool *md_pool_new(int nthreads);
void md_pool_free(struct md_pool *p);
int md_pool_threads(const struct md_pool *p);
/* Runs all tasks and returns when they are done.  p may be NULL (serial). */
void md_pool_run(struct md_pool *p, size_t n_tasks, md_pool_fn fn, void *ctx);

#endif
