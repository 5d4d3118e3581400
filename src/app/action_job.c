#include "app/action_job.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "action/action.h"
#include "util/json.h"

void md_arn_account(const char *s, char *out, size_t n)
{
    out[0] = '\0';
    if (!s || strncmp(s, "arn:", 4) != 0)
        return;
    const char *p = s;
    for (int i = 0; i < 4 && p; i++)
        p = strchr(p + 1, ':');
    const char *e = p ? strchr(p + 1, ':') : NULL;
    if (e)
        snprintf(out, n, "%.*s", (int)(e - p - 1), p + 1);
}

struct md_action_job *md_action_job_new(const struct md_workspace *ws, const struct md_kind *k,
                                        const struct md_action *a, const char *id,
                                        const cJSON *params)
{
    struct md_action_job *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    *j = (struct md_action_job){ws, k, a, strdup(id ? id : ""), NULL, NULL};
    if (params)
        j->params = cJSON_Duplicate(params, 1);
    if (!j->id || (params && !j->params)) {
        md_action_job_free(j);
        return NULL;
    }
    return j;
}

void md_action_job_free(void *arg)
{
    struct md_action_job *j = arg;
    if (!j)
        return;
    free(j->id);
    cJSON_Delete(j->params);
    cJSON_Delete(j->result);
    free(j);
}

struct call_ctx {
    const struct md_provider *p;
    struct md_worker *w;
    char *account;
};

/* Providers return the API's reply; like botocore, the request id rides in
 * its ResponseMetadata. */
static md_status call_provider(void *ctx, const struct md_action_req *req, cJSON **result,
                               char *request_id, struct md_err *err)
{
    struct call_ctx *c = ctx;
    md_status st = c->p->action(c->p, c->w, req->kind->name, req->target, req->action->name,
                                req->params, result, err);
    if (*result) {
        snprintf(request_id, 80, "%s", md_json_str(*result, "$.ResponseMetadata.RequestId", ""));
        if (!c->account[0]) {
            const cJSON *it = (*result)->child;
            for (; it && !c->account[0]; it = it->next)
                if (cJSON_IsString(it))
                    md_arn_account(it->valuestring, c->account, 32);
        }
    }
    return st;
}

md_status md_action_job_run(struct md_worker *w, void *arg, struct md_err *err)
{
    struct md_action_job *j = arg;
    const struct md_provider *p = md_workspace_provider(j->ws, j->kind->name);
    if (!p || !p->action)
        return md_err_set(err, MD_ERR_UNSUPPORTED, "%s: nothing configured can act on %s",
                          j->action->label, j->kind->title);
    char account[32];
    md_arn_account(j->id, account, sizeof account);
    struct md_action_scope scope = {j->ws->scope.profile, account, j->ws->scope.region};
    struct md_action_req req = {j->kind, j->action, j->id, j->params};
    struct call_ctx c = {p, w, account};
    return md_action_run(j->ws->settings, &scope, &req, call_provider, &c, &j->result, err);
}

void md_action_job_submit_args(struct md_action_job *job, unsigned group, struct md_job *out)
{
    *out = (struct md_job){
        .type = MD_JOB_CALL,
        .kind = job->kind->name,
        .id = job->id,
        .action = job->action->name,
        .fn = md_action_job_run,
        .arg = job,
        .arg_free = md_action_job_free,
        .group = group,
    };
}
