/* SageMaker's ListPipelines says when each pipeline last ran, not how that
 * run went, and operators want both in the pipelines list.  mldeck keeps
 * the last execution in each cached pipeline, in a member of its own:
 *
 *   "mldeck": {"last_execution": {"status": "Failed", "arn": "...",
 *              "name": "...", "started": 1795000000.5, "failure": "..."},
 *              "last_execution_for": 1795000000.5}
 *
 * last_execution_for is the pipeline's LastExecutionTime when the member
 * was set: once the pipeline reports a later one, the member is out of
 * date.  The member is absent while mldeck has not seen an execution of
 * the pipeline.  The CLI's --json never prints it (src/cli/cmd_ls.c). */
#ifndef MD_CACHE_LAST_EXEC_H
#define MD_CACHE_LAST_EXEC_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "cache/cache.h"

/* Sets the member on pipeline (a PipelineSummary) from execution, read in
 * either shape SageMaker returns one: a PipelineExecutionSummary
 * (StartTime, PipelineExecutionFailureReason) or DescribePipelineExecution's
 * output (CreationTime, FailureReason). */
md_status md_last_exec_set(cJSON *pipeline, const cJSON *execution, struct md_err *err);

/* Copies the member from one parse of a pipeline to another (from: the
 * cached copy from before a listing replaced the row); none to copy is
 * MD_OK. */
md_status md_last_exec_carry(cJSON *to, const cJSON *from, struct md_err *err);

/* True when pipeline's member was set for its current LastExecutionTime and
 * that execution has finished (Succeeded, Failed, Stopped): asking the
 * service again would tell nothing new. */
bool md_last_exec_settled(const cJSON *pipeline);

/* Sets pipeline name's member from its newest cached execution (after a
 * listing of its executions), writing it back with its fetch time
 * unchanged; a pipeline not cached, or without cached executions, is left
 * alone. */
md_status md_cache_last_exec_update(struct md_cache *c, const struct md_scope *s,
                                    const char *name, struct md_err *err);

/* Sets every cached pipeline's member from the newest of its cached
 * executions (the demo, where every execution is cached), writing each
 * back with its fetch time unchanged. */
md_status md_cache_last_exec_update_all(struct md_cache *c, const struct md_scope *s,
                                        struct md_err *err);

#endif
