/* The MLflow provider for the sync layer: writes MLflow objects into the
 * cache, exactly as the API returns them (see the kinds' `source` in
 * src/kind/kinds.c), for whichever backend the tracking URI names.
 *
 * refresh(kind, parent):
 *   experiments        (parent NULL)  every experiment, deleted ones too
 *                                     (lifecycle_stage tells); complete
 *                                     listing, so vanished ones are pruned
 *   runs               (parent = experiment id)  the first page (1000 runs,
 *                                     newest first, deleted too); the next
 *                                     page token is kept in cache meta
 *                                     "mlflow.runs.next.<experiment id>"
 *                                     ("" when the listing is complete, and
 *                                     only then are vanished runs pruned)
 *   metric-histories   (parent = run id)  every metric key of the run;
 *                                     a key already cached for a run that
 *                                     is no longer RUNNING is not fetched
 *                                     again (histories never change then)
 *   registered-models  (parent NULL)  every model
 *   model-versions     (parent = model name)  the versions, each with its
 *                                     "aliases" as model-versions/get has them
 *
 * actions (md_sync ACTION jobs):
 *   runs  "next-page"  id = experiment id: fetches the page after the one
 *                      recorded in meta, appends it.  result
 *                      {"added": N, "next_page_token": "..."|absent}
 *   runs  "search"     params {"experiment_ids": [...], "filter": "...",
 *                      "order_by": [...], "view_type": "...",
 *                      "max_results": N, "page_token": "..."}: the server's
 *                      (or the file store's) runs/search; rows are upserted
 *                      and result is {"run_ids": [...in order...],
 *                      "next_page_token": ...}.  A bad filter fails before
 *                      anything is sent (MD_ERR_INVALID, message with column).
 *   metric-histories "fetch"  id = "<run id>/<key>": one history (skipped
 *                      when cached and the run is finished, unless params
 *                      {"force": true}); result {"points": N, "cached": bool}
 *
 * Each worker thread gets its own md_mlflow client (and uses the worker's
 * CURL handle and cancel flag). */
#ifndef MD_MLFLOW_PROVIDER_H
#define MD_MLFLOW_PROVIDER_H

#include "net/creds.h"
#include "sync/sync.h"
#include "util/settings.h"

/* settings is copied.  The provider is freed with md_mlflow_provider_free
 * after md_sync_stop. */
md_status md_mlflow_provider_new(const struct md_settings *settings, struct md_provider **out,
                                 struct md_err *err);
void md_mlflow_provider_free(struct md_provider *p);
/* Who asks for an MFA code when a SageMaker tracking server's AWS profile
 * needs one (before the first refresh; the workers' clients keep it). */
void md_mlflow_provider_set_mfa(struct md_provider *p, md_mfa_prompt_fn fn, void *ctx);

/* True for the kinds this provider serves. */
bool md_mlflow_provider_handles(const char *kind);

#endif
