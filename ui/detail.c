/* Which special view a key opens for a row of a kind: the detail views
 * that hang off the generic table (DESIGN.md: "special detail views hang
 * off a kind").  `d` on an execution opens its DAG, `l` tails a job's logs,
 * `m` charts a training job's metrics, `L` follows the lineage (step ->
 * job -> MLflow run), `s` on a pipeline opens the launch form.  Other
 * panes add their kinds here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "local/demo.h"
#include "ui/app.h"
#include "ui/pipelines.h"
#include "util/json.h"

const char *md_arn_tail(const char *arn)
{
    const char *s = arn ? strrchr(arn, '/') : NULL;
    return s ? s + 1 : arn ? arn : "";
}

static bool is_kind(const struct md_view *v, const char *name)
{
    return v && v->kind && !strcmp(v->kind->name, name);
}

/* Pushes kind's table (every parent) filtered by spec ("name:x"). */
static void open_filtered(struct md_app *app, const char *kind, const char *spec)
{
    const struct md_kind *k = md_kind_find(kind);
    if (!k)
        return;
    struct md_view *nv = md_table_new(app, k, NULL, NULL);
    if (!nv) {
        md_app_msg(app, MD_MSG_ERROR, "out of memory");
        return;
    }
    md_table_set_filter(app, nv, spec);
    md_app_push(app, nv);
}

bool md_open_job_arn(struct md_app *app, const char *arn)
{
    const char *kind = NULL;
    if (arn && strstr(arn, ":training-job/"))
        kind = "training-jobs";
    else if (arn && strstr(arn, ":processing-job/"))
        kind = "processing-jobs";
    if (!kind)
        return false;
    char spec[600];
    snprintf(spec, sizeof spec, "name:%s", md_arn_tail(arn));
    open_filtered(app, kind, spec);
    return true;
}

static long count_runs(struct md_app *app, const char *path, const char *value)
{
    const char *paths[1] = {path};
    struct md_cache_query q = {.kind = "runs", .filter_paths = paths, .nfilter_paths = 1,
                               .filter_text = value};
    long n = 0;
    struct md_err err;
    if (md_cache_count(app->cache, &app->scope, &q, &n, &err) != MD_OK)
        return 0;
    return n;
}

void md_open_job_run(struct md_app *app, const char *job, const cJSON *obj)
{
    const char *run_id = md_json_str(obj, "$.MlflowDetails.MlflowRunId", "");
    const char *run_name = md_json_str(obj, "$.MlflowConfig.MlflowRunName", "");
    char spec[600];
    if (run_id[0] && count_runs(app, "$.info.run_id", run_id) > 0) {
        snprintf(spec, sizeof spec, "run id:%s", run_id);
    } else if (count_runs(app, "$.data.tags[?key=sagemaker.training_job].value", job) > 0) {
        snprintf(spec, sizeof spec, "training job:%s", job);
    } else if (run_name[0] && count_runs(app, "$.info.run_name", run_name) > 0) {
        snprintf(spec, sizeof spec, "name:%s", run_name);
    } else {
        if (run_id[0])
            md_app_msg(app, MD_MSG_ERROR,
                       "%s logged to MLflow run %s, which is not cached (open :runs and r)", job,
                       run_id);
        else
            md_app_msg(app, MD_MSG_ERROR,
                       "%s names no MLflow run (no MlflowDetails, no cached run tagged "
                       "sagemaker.training_job)", job);
        return;
    }
    open_filtered(app, "runs", spec);
}

bool md_detail_open(struct md_app *app, struct md_view *v, enum md_act act)
{
    const struct md_row *r = md_table_selected(v);
    if (!r || !r->obj)
        return false;
    char label[256];
    md_row_label(v->kind, r, label, sizeof label);
    switch (act) {
    case MD_ACT_DESCRIBE:
        if (!is_kind(v, "pipeline-executions"))
            return false;
        md_app_push(app, md_dag_new(app, r->id, label));
        return true;
    case MD_ACT_LOGS:
        if (is_kind(v, "training-jobs") || is_kind(v, "processing-jobs")) {
            md_app_push(app, md_logs_new(app, v->kind, label));
            return true;
        }
        if (is_kind(v, "pipeline-steps")) {
            const char *arn = md_json_str(r->obj, "$.Metadata.TrainingJob.Arn", NULL);
            const struct md_kind *k = md_kind_find("training-jobs");
            if (!arn) {
                arn = md_json_str(r->obj, "$.Metadata.ProcessingJob.Arn", NULL);
                k = md_kind_find("processing-jobs");
            }
            if (!arn)
                return false;
            md_app_push(app, md_logs_new(app, k, md_arn_tail(arn)));
            return true;
        }
        return false;
    case MD_ACT_CHART:
        if (is_kind(v, "training-jobs")) {
            md_app_push(app, md_jobchart_new(app, label));
            return true;
        }
        if (is_kind(v, "pipeline-steps")) {
            const char *arn = md_json_str(r->obj, "$.Metadata.TrainingJob.Arn", NULL);
            if (!arn)
                return false;
            md_app_push(app, md_jobchart_new(app, md_arn_tail(arn)));
            return true;
        }
        return false;
    case MD_ACT_LINK:
        if (is_kind(v, "pipeline-steps")) {
            const char *arn = md_json_str(r->obj, "$.Metadata.TrainingJob.Arn", NULL);
            if (!arn)
                arn = md_json_str(r->obj, "$.Metadata.ProcessingJob.Arn", NULL);
            if (!arn || !md_open_job_arn(app, arn))
                md_app_msg(app, MD_MSG_INFO, "step %s has no training or processing job", label);
            return true;
        }
        if (is_kind(v, "training-jobs")) {
            md_open_job_run(app, label, r->obj);
            return true;
        }
        return false;
    default:
        return false;
    }
}

bool md_detail_action(struct md_app *app, const struct md_kind *k, const struct md_action *a,
                      const char *id, const char *label)
{
    /* `n` on a training job: the form, prefilled from that job. */
    if (!strcmp(k->name, "training-jobs") && !strcmp(a->name, "create-training-job"))
        return md_train_form_open(app, id);
    if (strcmp(k->name, "pipelines") != 0 || strcmp(a->name, "start-execution") != 0)
        return false;
    /* Refused before the form is even filled in. */
    if (app->settings->demo) {
        struct md_err err;
        md_demo_refuse(k->name, a->name, &err);
        md_app_msg(app, MD_MSG_ERROR, "%s", err.msg);
        return true;
    }
    md_app_push(app, md_launch_new(app, id));
    return true;
}
