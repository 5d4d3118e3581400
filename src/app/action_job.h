/* An action run on a sync worker through the one action path
 * (md_action_run: read-only gate, the provider's call, the audit line).
 * The screen submits it as a CALL job; the event hands it back. */
#ifndef MD_APP_ACTION_JOB_H
#define MD_APP_ACTION_JOB_H

#include <cjson/cJSON.h>

#include "app/workspace.h"
#include "kind/kind.h"
#include "sync/sync.h"

struct md_action_job {
    const struct md_workspace *ws;
    const struct md_kind *kind;
    const struct md_action *action;
    char *id;
    cJSON *params;              /* owned; may be NULL */
    cJSON *result;              /* the provider's reply, set by the worker */
};

/* Copies id and params.  NULL when out of memory. */
struct md_action_job *md_action_job_new(const struct md_workspace *ws, const struct md_kind *k,
                                        const struct md_action *a, const char *id,
                                        const cJSON *params);
void md_action_job_free(void *job);             /* matches md_job.arg_free */
md_status md_action_job_run(struct md_worker *w, void *job, struct md_err *err); /* md_job_fn */

/* Fills a CALL md_job that runs job (kind/action/id set for the event). */
void md_action_job_submit_args(struct md_action_job *job, unsigned group, struct md_job *out);

/* The account of an ARN ("arn:aws:sagemaker:eu-west-1:123456789012:..."),
 * "" when s is not an ARN. */
void md_arn_account(const char *s, char *out, size_t n);

#endif
