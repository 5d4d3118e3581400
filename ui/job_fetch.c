/* Describes one job on a worker through its provider (ui/describe_job.h):
 * the describe view and the training job form ask for it when the cache
 * holds only a job's list summary. */
#include <stdio.h>
#include <stdlib.h>

#include "app/workspace.h"
#include "sync/sync.h"
#include "ui/describe_job.h"

struct md_job_fetch *md_job_fetch_new(const struct md_workspace *ws, const struct md_kind *k,
                                      const char *id)
{
    struct md_job_fetch *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    j->ws = ws;
    j->kind = k;
    snprintf(j->id, sizeof j->id, "%s", id ? id : "");
    return j;
}

void md_job_fetch_free(void *arg)
{
    struct md_job_fetch *j = arg;
    if (j)
        cJSON_Delete(j->obj);
    free(j);
}

md_status md_job_fetch_run(struct md_worker *w, void *arg, struct md_err *err)
{
    struct md_job_fetch *j = arg;
    const struct md_provider *p = j->ws ? md_workspace_provider(j->ws, j->kind->name) : NULL;
    if (!p || !p->action)
        return md_err_set(err, MD_ERR_UNSUPPORTED, "nothing configured can describe %s",
                          j->kind->title);
    return p->action(p, w, j->kind->name, j->id, "describe", NULL, &j->obj, err);
}
