/* The training job form (`n` on the training jobs, `:train`): the fields
 * of a standalone YOLO11 training job (src/aws/train_request.h, the same
 * rules as `mldeck train`), prefilled from the selected job — operators
 * mostly launch a variant of a previous job — and checked as they are
 * typed; then the confirmation screen with the exact CreateTrainingJob
 * request, focus on Cancel.  Create runs it on a worker through
 * md_action_run (read-only gate, the call, the audit line) and caches the
 * new job, so it shows in the list at once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "action/action.h"
#include "app/action_job.h"
#include "app/workspace.h"
#include "aws/client.h"
#include "aws/sagemaker.h"
#include "aws/train_request.h"
#include "local/demo.h"
#include "ui/app.h"
#include "ui/describe_job.h"
#include "ui/form.h"
#include "util/json.h"

enum stage { ST_LOADING, ST_FORM, ST_CONFIRM };

/* Left/Right in the instance type: the GPU types YOLO11 trains on. */
static const char *const instance_types[] = {
    "ml.g5.xlarge", "ml.g5.2xlarge", "ml.g5.4xlarge", "ml.g5.12xlarge", "ml.g6.xlarge",
    "ml.g6.2xlarge", "ml.g6e.xlarge", "ml.g4dn.xlarge", "ml.p3.2xlarge", "ml.p4d.24xlarge",
};
static const char *const yes_no[] = {"no", "yes"};

static const char *const hints[MD_TF_COUNT] = {
    [MD_TF_NAME] = "1-63 letters, digits and hyphens; new in this account and region",
    [MD_TF_IMAGE] = "the training image: ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO:TAG",
    [MD_TF_ROLE] = "the SageMaker execution role: arn:aws:iam::ACCOUNT:role/NAME",
    [MD_TF_INSTANCE_TYPE] = "Left/Right: common GPU types (any ml.FAMILY.SIZE can be typed)",
    [MD_TF_INSTANCE_COUNT] = "instances (1-100); more than one needs a distributed training script",
    [MD_TF_VOLUME] = "EBS volume per instance for the data and checkpoints, GB (1-16384)",
    [MD_TF_EPOCHS] = "hyperparameter epochs: passes over the train channel",
    [MD_TF_IMGSZ] = "hyperparameter imgsz: training image size, a multiple of 32",
    [MD_TF_BATCH] = "hyperparameter batch: images per batch, -1 = auto, 0.0-1.0 = GPU memory share",
    [MD_TF_MODEL] = "hyperparameter model: the weights to start from (yolo11n.pt ... yolo11x.pt)",
    [MD_TF_HP_MORE] = "more hyperparameters: name=value separated by spaces, sent as typed",
    [MD_TF_TRAIN] = "input channel train: s3://bucket/prefix of the training images",
    [MD_TF_VAL] = "input channel val (optional): s3://bucket/prefix of the validation images",
    [MD_TF_CHANNELS_MORE] = "more input channels: name=s3://bucket/prefix separated by spaces",
    [MD_TF_OUTPUT] = "where SageMaker writes model.tar.gz: s3://bucket/prefix",
    [MD_TF_MAX_RUNTIME] = "the job is stopped after this many seconds of training (at most 28 days)",
    [MD_TF_SPOT] = "Left/Right: managed spot training (cheaper, may be interrupted; needs a checkpoint)",
    [MD_TF_CHECKPOINT] = "s3://bucket/prefix for checkpoints (needed with spot: a job resumes from it)",
    [MD_TF_MAX_WAIT] = "spot: seconds to wait for capacity plus training (empty = 2 x max runtime)",
};

struct train_view {
    enum stage stage;
    struct md_train_spec spec;
    struct md_form_field fields[MD_TF_COUNT];
    struct md_form form;
    char cloned[256];           /* the job the values came from, "" when none */
    cJSON *request;             /* on the confirm screen */
    struct md_form_confirm confirm;
};

static void fill_fields(struct train_view *d);

static struct train_view *P(struct md_view *v)
{
    return v->priv;
}

/* Every field again: the spot and max wait rules read other fields. */
static void check_all(struct train_view *d)
{
    for (int i = 0; i < MD_TF_COUNT; i++)
        snprintf(d->spec.v[i], MD_TRAIN_VALUE_MAX, "%s", d->fields[i].value);
    for (int i = 0; i < MD_TF_COUNT; i++) {
        struct md_err err;
        md_err_clear(&err);
        d->fields[i].error[0] = '\0';
        if (md_train_check_field(&d->spec, (enum md_train_field)i, &err) != MD_OK)
            snprintf(d->fields[i].error, sizeof d->fields[i].error, "%s", err.msg);
    }
}

/* ---- sending, on a worker ----------------------------------------------------- */

struct create_ctx {
    struct md_aws_client *cl;
    char *account;
};

static md_status call_create(void *ctx, const struct md_action_req *req, cJSON **result,
                             char *request_id, struct md_err *err)
{
    struct create_ctx *c = ctx;
    md_status st = md_train_create(c->cl, req->params, result, err);
    snprintf(request_id, 80, "%s", c->cl->last.request_id[0] ? c->cl->last.request_id
                                                             : err->request_id);
    if (st == MD_OK && *result)
        md_arn_account(md_json_str(*result, "$.TrainingJobArn", NULL), c->account, 32);
    return st;
}

/* An md_job_fn over an md_action_job (so the loop reports it like every
 * action): the one action path with CreateTrainingJob as the call, then
 * the new job described into the cache. */
static md_status create_job_run(struct md_worker *w, void *arg, struct md_err *err)
{
    struct md_action_job *j = arg;
    struct md_aws_client cl;
    struct md_endpoint ep;
    struct md_http_opts http;
    md_status st = md_workspace_aws_client(j->ws, w, "sagemaker", "creating a training job", &cl,
                                           &ep, &http, err);
    if (st != MD_OK)
        return st;
    char account[32] = "";
    struct md_action_scope scope = {j->ws->scope.profile, account, j->ws->scope.region};
    struct md_action_req req = {j->kind, j->action, j->id, j->params};
    struct create_ctx c = {&cl, account};
    st = md_action_run(j->ws->settings, &scope, &req, call_create, &c, &j->result, err);
    if (st == MD_OK) {
        struct md_sm_ctx x = {j->ws->aws, j->ws->settings, md_worker_cache(w), md_worker_scope(w),
                              md_worker_curl(w), md_worker_cancelled_cb, w};
        struct md_err e2;
        char rid[80];
        /* The list shows it at once; a failure here only delays that. */
        md_sm_action(&x, "training-jobs", j->id, "describe", NULL, NULL, rid, &e2);
    }
    return st;
}

static void send_request(struct md_app *app, struct md_view *v)
{
    struct train_view *d = P(v);
    const struct md_kind *k = md_kind_find("training-jobs");
    const struct md_action *a = k ? md_kind_action_by_name(k, "create-training-job") : NULL;
    if (!a)
        return;
    char name[64];
    snprintf(name, sizeof name, "%s", md_json_str(d->request, "$.TrainingJobName", ""));
    struct md_action_req req = {k, a, name, d->request};
    struct md_err err;
    md_err_clear(&err);
    if (md_action_gate(app->settings, &req, &err) != MD_OK) {
        md_app_msg(app, MD_MSG_ERROR, "%s", err.msg);
        return;
    }
    if (!app->sync) {
        md_app_msg(app, MD_MSG_ERROR, "%s: no provider can run it (not configured: %s)", a->label,
                   app->not_configured[0] ? app->not_configured : "all");
        return;
    }
    struct md_action_job *aj = md_action_job_new(app->ws, k, a, name, d->request);
    struct md_job job;
    if (aj) {
        md_action_job_submit_args(aj, 0, &job);
        job.fn = create_job_run;
    }
    if (!aj || !md_sync_submit(app->sync, &job)) {
        md_action_job_free(aj);
        md_app_msg(app, MD_MSG_ERROR, "%s: could not queue the job", a->label);
        return;
    }
    md_app_msg(app, MD_MSG_INFO, "%s %s: sent...", a->label, name);
    /* Back to the training jobs, where the new one appears. */
    md_app_pop(app);
    struct md_view *top = md_app_top(app);
    if (!(top && top->kind == k && top->cls->ctx == MD_CTX_LIST))
        md_app_push(app, md_table_new(app, k, NULL, NULL));
    else if (top->filter[0])
        md_table_set_filter(app, top, "");   /* a filter (the cloned job's) would hide it */
}

/* ---- drawing and keys ------------------------------------------------------------ */

static void train_draw(struct md_app *app, struct md_view *v, struct md_rect r)
{
    struct train_view *d = P(v);
    struct md_rect in = {r.y + 1, r.x + 1, r.h - 1, r.w - 2};
    if (d->stage == ST_LOADING) {
        char buf[400];
        snprintf(buf, sizeof buf, "Reading %s (DescribeTrainingJob) for its settings...",
                 d->cloned);
        md_put(in.y, in.x, in.w, buf, md_attr(MD_ROLE_MUTED), false);
        return;
    }
    if (d->stage == ST_CONFIRM) {
        char title[200];
        snprintf(title, sizeof title, "Confirm: Create training job %s",
                 md_json_str(d->request, "$.TrainingJobName", ""));
        d->confirm.title = title;
        d->confirm.intro = "This request will be sent (SageMaker CreateTrainingJob):";
        d->confirm.footer = "This starts a billed job in the account and is written to the "
                            "audit log.";
        d->confirm.ok_label = "Create";
        d->confirm.request = d->request;
        md_form_confirm_draw(app, &d->confirm, in);
        d->confirm.title = NULL;
        return;
    }
    int y = in.y;
    char buf[400];
    if (d->cloned[0])
        snprintf(buf, sizeof buf, "New training job (settings of %s)", d->cloned);
    else
        snprintf(buf, sizeof buf, "New training job");
    md_put(y++, in.x, in.w, buf, md_attr(MD_ROLE_TITLE), false);
    md_put(y++, in.x, in.w,
           "Tab/Up/Down move  Left/Right pick (instance, spot)  Enter next  Esc cancels",
           md_attr(MD_ROLE_MUTED), false);
    y++;
    md_form_draw(app, &d->form, (struct md_rect){y, in.x, in.h - (y - in.y), in.w});
}

static bool train_key(struct md_app *app, struct md_view *v, int key)
{
    struct train_view *d = P(v);
    if (key == 27) {
        if (d->stage == ST_CONFIRM) {
            d->stage = ST_FORM;
            cJSON_Delete(d->request);
            d->request = NULL;
            md_app_msg(app, MD_MSG_INFO, "back to the form");
            return true;
        }
        md_app_msg(app, MD_MSG_INFO, "Create training job cancelled");
        md_app_pop(app);
        return true;
    }
    if (d->stage == ST_LOADING)
        return key != 'q' && key != ':' && key != '?';
    if (d->stage == ST_CONFIRM) {
        if (!md_form_confirm_key(&d->confirm, key))
            return true;
        if (d->confirm.ok_focused) {
            send_request(app, v);   /* pops this view */
            return true;
        }
        d->stage = ST_FORM;
        cJSON_Delete(d->request);
        d->request = NULL;
        md_app_msg(app, MD_MSG_INFO, "Create training job cancelled (the form keeps your values)");
        return true;
    }
    switch (md_form_key(&d->form, key)) {
    case MD_FORM_EDITED:
        check_all(d);
        break;
    case MD_FORM_SUBMIT: {
        check_all(d);
        enum md_train_field bad = MD_TF_NAME;
        struct md_err err;
        md_err_clear(&err);
        cJSON_Delete(d->request);
        d->request = NULL;
        if (md_train_request(&d->spec, &d->request, &bad, &err) != MD_OK) {
            d->form.cur = (int)bad;
            md_app_msg(app, MD_MSG_ERROR, "fix %s first: %s", md_train_field_label(bad), err.msg);
            break;
        }
        d->confirm = (struct md_form_confirm){.ok_focused = false};
        d->stage = ST_CONFIRM;
        break;
    }
    default:
        break;
    }
    return true;
}

static bool train_action(struct md_app *app, struct md_view *v, enum md_act act,
                         const struct md_binding *b)
{
    return false;
}

static void train_crumb(struct md_app *app, struct md_view *v, char *out, size_t n)
{
    snprintf(out, n, "new training job");
}

static void train_free(struct md_view *v)
{
    struct train_view *d = P(v);
    if (!d)
        return;
    md_train_spec_free(&d->spec);
    cJSON_Delete(d->request);
    free(d);
}

static void train_event(struct md_app *app, struct md_view *v, struct md_sync_event *ev)
{
    struct train_view *d = P(v);
    struct md_job_fetch *j = ev->arg;
    if (d->stage != ST_LOADING)
        return;
    if (ev->status == MD_OK && j && cJSON_IsObject(j->obj)) {
        md_train_spec_clone(&d->spec, j->obj);
        fill_fields(d);
    } else if (ev->status != MD_ERR_CANCELLED) {
        char line[600];
        md_app_msg(app, MD_MSG_ERROR, "describe %s: %s (the form has what the list had)",
                   d->cloned, md_err_line(&ev->err, line, sizeof line));
    }
    d->stage = ST_FORM;
}

static const struct md_view_class train_class = {
    .name = "train-form",
    .ctx = MD_CTX_DESCRIBE,
    .draw = train_draw,
    .action = train_action,
    .crumb = train_crumb,
    .free = train_free,
    .key = train_key,
    .event = train_event,
};

struct md_view *md_train_form_new(struct md_app *app, const char *template_id)
{
    struct md_view *v = md_view_new(&train_class, sizeof(struct train_view));
    if (!v)
        return NULL;
    struct train_view *d = v->priv;
    v->kind = NULL;
    v->group = ++app->next_group;
    d->stage = ST_FORM;
    md_train_spec_init(&d->spec, (double)time(NULL));
    char *json = NULL;
    long long fetched = 0;
    struct md_err err;
    bool need_describe = false;
    if (template_id && *template_id &&
        md_cache_get(app->cache, &app->scope, "training-jobs", template_id, &json, &fetched,
                     &err) == MD_OK) {
        cJSON *job = cJSON_Parse(json);
        if (cJSON_IsObject(job)) {
            /* A finished job may be cached as its list summary only. */
            need_describe = md_jobsum_is_summary(md_kind_find("training-jobs"), job);
            md_train_spec_clone(&d->spec, job);
            snprintf(d->cloned, sizeof d->cloned, "%s",
                     md_json_str(job, "$.TrainingJobName", template_id));
        }
        cJSON_Delete(job);
    }
    free(json);
    fill_fields(d);
    if (need_describe) {
        struct md_job_fetch *j = md_job_fetch_new(app->ws, md_kind_find("training-jobs"),
                                                  template_id);
        if (j && md_app_submit_call(app, v, md_job_fetch_run, j, md_job_fetch_free))
            d->stage = ST_LOADING;
    }
    return v;
}

/* The fields from d->spec, checked. */
static void fill_fields(struct train_view *d)
{
    for (int i = 0; i < MD_TF_COUNT; i++) {
        struct md_form_field *f = &d->fields[i];
        snprintf(f->label, sizeof f->label, "%s", md_train_field_label((enum md_train_field)i));
        snprintf(f->type, sizeof f->type, "%s", md_train_field_type((enum md_train_field)i));
        snprintf(f->value, sizeof f->value, "%s", d->spec.v[i]);
        snprintf(f->hint, sizeof f->hint, "%s", hints[i] ? hints[i] : "");
    }
    d->fields[MD_TF_INSTANCE_TYPE].choices = instance_types;
    d->fields[MD_TF_INSTANCE_TYPE].nchoices = sizeof instance_types / sizeof instance_types[0];
    d->fields[MD_TF_SPOT].choices = yes_no;
    d->fields[MD_TF_SPOT].nchoices = 2;
    d->form = (struct md_form){.f = d->fields, .n = MD_TF_COUNT, .button = "Review the request",
                               .name_w = 20, .type_w = 11, .value_max = 40};
    check_all(d);
}

bool md_train_form_open(struct md_app *app, const char *template_id)
{
    if (app->settings->demo) {
        struct md_err err;
        md_demo_refuse("training-jobs", "create-training-job", &err);
        md_app_msg(app, MD_MSG_ERROR, "%s", err.msg);
        return true;
    }
    struct md_view *v = md_train_form_new(app, template_id);
    if (!v) {
        md_app_msg(app, MD_MSG_ERROR, "out of memory");
        return true;
    }
    md_app_push(app, v);
    /* In place of the describe keys the status line would list. */
    md_app_msg(app, MD_MSG_INFO, "new training job: fill in, then Enter on [ Review the request ]; "
                                 "Esc cancels");
    return true;
}
