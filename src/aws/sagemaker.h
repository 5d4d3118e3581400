/* The SageMaker provider: lists and describes pipelines, executions, steps,
 * training/processing/labeling jobs, monitoring schedules and executions,
 * endpoints and MLflow tracking servers into the cache, and runs their
 * actions (start/stop/retry...).
 *
 * Sync is incremental: lists are read newest first and paging stops at the
 * first page whose objects are all cached and finished; a cached running
 * object older than that page is then listed again through the list call's
 * creation-time window around it; finished objects are never described
 * again; running ones are described on every refresh.
 * The cached object is the API output named in src/kind/kinds.c. */
#ifndef MD_AWS_SAGEMAKER_H
#define MD_AWS_SAGEMAKER_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "net/awsenv.h"
#include "util/settings.h"
#include "cache/cache.h"
#include "sync/sync.h"

/* Where one refresh or action runs: the worker's (or the CLI's) cache
 * connection and CURL handle. */
struct md_sm_ctx {
    const struct md_aws_env *env;
    const struct md_settings *settings;
    struct md_cache *cache;
    const struct md_scope *scope;
    void *curl;
    bool (*cancelled)(void *ctx);
    void *cancel_ctx;
    /* A listing for the CLI: objects are stored (and printed) as the list
     * call returns them; only kinds whose cached object is the describe
     * output (describe_always: pipeline executions) are described.  Then
     * the next page is read ahead while one is stored. */
    bool list_only;
    /* The CLI opens its cache late: with cache NULL, a refresh sends its
     * first request, then calls open_cache (which sets cache) while the
     * reply is on its way. */
    md_status (*open_cache)(struct md_sm_ctx *x, struct md_err *err);
    void *open_cache_ctx;
};

struct md_sm_stats {
    int pages;          /* list pages read */
    int listed;         /* objects seen in those pages */
    int described;      /* Describe* calls made */
    int written;        /* rows upserted */
    bool complete;      /* the whole list was read (prune happened) */
};

bool md_sm_handles(const char *kind);

/* Refreshes kind under parent (the parent row's id: pipeline name,
 * execution ARN, schedule name; NULL for top-level kinds).  full = ignore
 * the incremental shortcut and read every page.  stats may be NULL. */
md_status md_sm_refresh(struct md_sm_ctx *x, const char *kind, const char *parent, bool full,
                        struct md_sm_stats *stats, struct md_err *err);

/* What md_sm_list hands back: the stored objects' JSON texts (malloc'd). */
struct md_sm_listed {
    char **json;
    size_t n, cap;
};

/* The CLI's listing: md_sm_refresh with list_only set, its pages stored in
 * one cache transaction.  When the cache held none of these objects before
 * and the listing is complete, *listed receives them in the order a cache
 * query with the kind's default sort would return (listed->json NULL when
 * that cannot be vouched for: then read the cache).  Free with
 * md_sm_listed_free, in every case. */
md_status md_sm_list(struct md_sm_ctx *x, const char *kind, const char *parent, bool full,
                     struct md_sm_listed *listed, struct md_err *err);
void md_sm_listed_free(struct md_sm_listed *listed);

/* Runs action on the object id of kind.  Actions: describe (re-reads one
 * object), start-execution (params: PipelineParameters [{Name, Value}],
 * PipelineExecutionDisplayName, PipelineExecutionDescription,
 * ClientRequestToken — generated when absent), stop-execution,
 * retry-execution, stop-training-job, stop-processing-job,
 * stop-labeling-job, stop-monitoring-schedule, start-monitoring-schedule.
 * *result (may be NULL) receives the API reply; request_id (80 bytes)
 * the request id.  Goes through no gate: callers use md_action_run. */
md_status md_sm_action(struct md_sm_ctx *x, const char *kind, const char *id,
                       const char *action, const cJSON *params, cJSON **result,
                       char *request_id, struct md_err *err);

/* The md_provider for the sync layer.  st is caller-owned storage that
 * must outlive the provider. */
struct md_sm_provider_state {
    const struct md_aws_env *env;
    const struct md_settings *settings;
};
void md_sm_provider_init(struct md_provider *p, struct md_sm_provider_state *st);

#endif
