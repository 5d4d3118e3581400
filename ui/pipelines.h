/* The pipelines pane's detail views (helper pipelines-ui): the DAG of an
 * execution, the launch form of a pipeline, a job's log tail and its
 * metric charts.  Reached through ui/detail.c. */
#ifndef MD_UI_PIPELINES_H
#define MD_UI_PIPELINES_H

#include "app/workspace.h"
#include "ui/app.h"

/* The step graph of the execution arn (label for the breadcrumb). */
struct md_view *md_dag_new(struct md_app *app, const char *exec_arn, const char *label);
/* The launch form of pipeline name (Parameters of its definition). */
struct md_view *md_launch_new(struct md_app *app, const char *pipeline);
/* tail -f of a training or processing job's CloudWatch Logs. */
struct md_view *md_logs_new(struct md_app *app, const struct md_kind *k, const char *job);
/* The training job's metrics as sparklines. */
struct md_view *md_jobchart_new(struct md_app *app, const char *job);

/* Opens the job behind an ARN (".../training-job/NAME"): the training- or
 * processing-jobs table filtered to it.  False when arn names no job. */
bool md_open_job_arn(struct md_app *app, const char *arn);
/* Opens the MLflow run a training job names (MlflowDetails, MlflowConfig,
 * or a cached run tagged sagemaker.training_job). */
void md_open_job_run(struct md_app *app, const char *job, const cJSON *obj);

/* The job's name as created (ARNs carry it in lower case), from the cache
 * when it holds the job (true); else name itself (false). */
bool md_job_resolve_name(struct md_app *app, const struct md_kind *k, const char *name, char *out,
                         size_t n);

/* On a worker: DescribeTrainingJob/DescribeProcessingJob of name (AWS
 * looks names up case-insensitively), cached as a side effect; *out is the
 * reply (caller frees). */
md_status md_job_describe(struct md_worker *w, const struct md_workspace *ws, const char *kind,
                          const char *name, cJSON **out, struct md_err *err);

/* The name after the last '/' of an ARN (the whole string when none). */
const char *md_arn_tail(const char *arn);

#endif
