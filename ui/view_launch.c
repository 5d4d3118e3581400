/* The launch form of a pipeline (`s` on a pipeline): one field per
 * parameter of its definition (DescribePipeline -> PipelineDefinition ->
 * Parameters) with its type and default, checked as it is typed
 * (md_pipeline_param_check: the same rules as the CLI's -p), an optional
 * display name and description, then a confirmation screen that shows the
 * exact StartPipelineExecution request, ClientRequestToken included, with
 * the focus on Cancel.  OK runs it through the one action path
 * (md_app_run_action: read-only gate, provider, audit). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app/workspace.h"
#include "aws/client.h"
#include "aws/pipeline_params.h"
#include "ui/app.h"
#include "ui/form.h"
#include "ui/pipelines.h"
#include "util/json.h"

#define VALUE_MAX MD_FORM_VALUE_MAX

enum stage { ST_LOADING, ST_FORM, ST_CONFIRM, ST_ERROR };

static const char *const bool_choices[2] = {"true", "false"};

struct launch_view {
    char pipeline[256];
    enum stage stage;
    char err[600];
    struct md_pipeline_params params;
    struct md_form_field *fields;   /* params.n + 2 (display name, description) */
    int nfields;              /* params.n + 2; the Review button is index nfields */
    struct md_form form;      /* over fields (ui/form.h) */
    cJSON *request;           /* on the confirm screen: the parameters to send */
    char token[40];
    struct md_form_confirm confirm;
};

static struct launch_view *P(struct md_view *v)
{
    return v->priv;
}

/* ---- the definition, on a worker ------------------------------------------ */

struct def_job {
    const struct md_workspace *ws;
    char pipeline[256];
    char *text;
};

static void def_job_free(void *arg)
{
    struct def_job *j = arg;
    if (j)
        free(j->text);
    free(j);
}

static md_status fetch_definition(struct md_worker *w, void *arg, struct md_err *err)
{
    struct def_job *j = arg;
    struct md_aws_client c;
    struct md_endpoint ep;
    struct md_http_opts http;
    md_status st = md_workspace_aws_client(j->ws, w, "sagemaker", "starting an execution", &c,
                                           &ep, &http, err);
    if (st != MD_OK)
        return st;
    cJSON *in = cJSON_CreateObject(), *out = NULL;
    cJSON_AddStringToObject(in, "PipelineName", j->pipeline);
    st = md_aws_json_call(&c, "SageMaker", "DescribePipeline", "1.1", in, &out, err);
    cJSON_Delete(in);
    if (st == MD_OK) {
        const char *def = md_json_str(out, "$.PipelineDefinition", NULL);
        if (!def)
            st = md_err_set(err, MD_ERR_PARSE, "DescribePipeline: no PipelineDefinition");
        else if (!(j->text = strdup(def)))
            st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    cJSON_Delete(out);
    return st;
}

/* ---- fields ---------------------------------------------------------------- */

static bool is_param(const struct launch_view *d, int i)
{
    return i >= 0 && (size_t)i < d->params.n;
}

static void check_field(struct launch_view *d, int i)
{
    struct md_form_field *f = &d->fields[i];
    f->error[0] = f->note[0] = '\0';
    if (!is_param(d, i))
        return;
    const struct md_pipeline_param *p = &d->params.v[i];
    if (p->has_default && f->value[0] && strcmp(f->value, p->default_value) != 0)
        snprintf(f->note, sizeof f->note, "default %s", p->default_value);
    if (!f->value[0]) {
        if (!p->has_default)
            snprintf(f->error, sizeof f->error, "required (no default)");
        return;
    }
    char canon[VALUE_MAX];
    struct md_err err;
    if (md_pipeline_param_check(p, f->value, canon, sizeof canon, &err) != MD_OK)
        snprintf(f->error, sizeof f->error, "%s", err.msg);
}

static void set_definition(struct launch_view *d, const char *text)
{
    struct md_err err;
    if (md_pipeline_params_parse(text, &d->params, &err) != MD_OK) {
        d->stage = ST_ERROR;
        snprintf(d->err, sizeof d->err, "pipeline definition: %s", err.msg);
        return;
    }
    d->nfields = (int)d->params.n + 2;
    d->fields = calloc((size_t)d->nfields, sizeof *d->fields);
    if (!d->fields) {
        d->stage = ST_ERROR;
        snprintf(d->err, sizeof d->err, "out of memory");
        return;
    }
    for (size_t i = 0; i < d->params.n; i++) {
        const struct md_pipeline_param *p = &d->params.v[i];
        struct md_form_field *f = &d->fields[i];
        snprintf(f->label, sizeof f->label, "%s", p->name);
        snprintf(f->type, sizeof f->type, "%s", md_param_type_name(p->type));
        snprintf(f->value, VALUE_MAX, "%s", p->default_value);
        if (p->nenum) {
            f->choices = (const char *const *)p->enum_values;
            f->nchoices = p->nenum;
            size_t used = (size_t)snprintf(f->hint, sizeof f->hint, "one of:");
            for (size_t k = 0; k < p->nenum && used < sizeof f->hint; k++)
                used += (size_t)snprintf(f->hint + used, sizeof f->hint - used, " %s",
                                         p->enum_values[k]);
        } else if (p->type == MD_PARAM_BOOLEAN) {
            f->choices = bool_choices;
            f->nchoices = 2;
        }
        check_field(d, (int)i);
    }
    snprintf(d->fields[d->params.n].label, sizeof d->fields[0].label, "Display name (optional)");
    snprintf(d->fields[d->params.n + 1].label, sizeof d->fields[0].label, "Description (optional)");
    d->form = (struct md_form){.f = d->fields, .n = d->nfields, .button = "Review the request"};
    d->stage = ST_FORM;
}

/* The request parameters (PipelineName is the action's target): values
 * that differ from the default; the service applies the defaults of the
 * others, as for the CLI's -p. */
static cJSON *build_request(struct launch_view *d)
{
    cJSON *req = cJSON_CreateObject();
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < d->params.n; i++) {
        const struct md_pipeline_param *p = &d->params.v[i];
        const struct md_form_field *f = &d->fields[i];
        if (!f->value[0])
            continue;
        char canon[VALUE_MAX], dcanon[VALUE_MAX];
        struct md_err err;
        if (md_pipeline_param_check(p, f->value, canon, sizeof canon, &err) != MD_OK)
            continue;
        if (p->has_default &&
            md_pipeline_param_check(p, p->default_value, dcanon, sizeof dcanon, &err) == MD_OK &&
            !strcmp(canon, dcanon))
            continue;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "Name", p->name);
        cJSON_AddStringToObject(o, "Value", canon);
        cJSON_AddItemToArray(arr, o);
    }
    if (cJSON_GetArraySize(arr) > 0)
        cJSON_AddItemToObject(req, "PipelineParameters", arr);
    else
        cJSON_Delete(arr);
    const char *dn = d->fields[d->params.n].value, *ds = d->fields[d->params.n + 1].value;
    if (dn[0])
        cJSON_AddStringToObject(req, "PipelineExecutionDisplayName", dn);
    if (ds[0])
        cJSON_AddStringToObject(req, "PipelineExecutionDescription", ds);
    /* One token per confirmed request: a retry of this same request after a
     * dropped reply starts nothing new. */
    cJSON_AddStringToObject(req, "ClientRequestToken", d->token);
    return req;
}


/* ---- drawing ----------------------------------------------------------------- */

static void draw_form(struct md_app *app, struct launch_view *d, struct md_rect r)
{
    int y = r.y;
    char buf[1200];
    snprintf(buf, sizeof buf, "Start execution of %s", d->pipeline);
    md_put(y++, r.x, r.w, buf, md_attr(MD_ROLE_TITLE), false);
    md_put(y++, r.x, r.w,
           "Tab/Up/Down move  Left/Right pick (enum, boolean)  Enter next  Esc cancels",
           md_attr(MD_ROLE_MUTED), false);
    y++;
    md_form_draw(app, &d->form, (struct md_rect){y, r.x, r.h - (y - r.y), r.w});
}

static void draw_confirm(struct md_app *app, struct launch_view *d, struct md_rect r)
{
    char title[600];
    snprintf(title, sizeof title, "Confirm: Start execution of %s", d->pipeline);
    cJSON *full = cJSON_CreateObject();
    if (!full)
        return;
    /* PipelineName first, as the provider sends it. */
    cJSON_AddStringToObject(full, "PipelineName", d->pipeline);
    for (cJSON *it = d->request ? d->request->child : NULL; it; it = it->next)
        cJSON_AddItemToObject(full, it->string, cJSON_Duplicate(it, 1));
    d->confirm.title = title;
    d->confirm.intro = "This request will be sent (SageMaker StartPipelineExecution):";
    d->confirm.footer = "Parameters at their default are not sent (the pipeline applies them). "
                        "This changes the account and is written to the audit log.";
    d->confirm.ok_label = "Start";
    d->confirm.request = full;
    md_form_confirm_draw(app, &d->confirm, r);
    d->confirm.request = NULL;
    d->confirm.title = NULL;
    cJSON_Delete(full);
}

static void launch_draw(struct md_app *app, struct md_view *v, struct md_rect r)
{
    struct launch_view *d = P(v);
    struct md_rect in = {r.y + 1, r.x + 1, r.h - 1, r.w - 2};
    switch (d->stage) {
    case ST_LOADING:
        md_put(in.y, in.x, in.w, "Reading the pipeline definition (DescribePipeline)...",
               md_attr(MD_ROLE_MUTED), false);
        break;
    case ST_ERROR:
        md_put(in.y, in.x, in.w, d->err, md_attr(MD_ROLE_ERROR), false);
        md_put(in.y + 2, in.x, in.w, "Esc goes back.", md_attr(MD_ROLE_MUTED), false);
        break;
    case ST_FORM: draw_form(app, d, in); break;
    case ST_CONFIRM: draw_confirm(app, d, in); break;
    }
}

/* ---- keys ---------------------------------------------------------------------- */

static void confirm_choose(struct md_app *app, struct md_view *v)
{
    struct launch_view *d = P(v);
    if (!d->confirm.ok_focused) {
        d->stage = ST_FORM;
        cJSON_Delete(d->request);
        d->request = NULL;
        md_app_msg(app, MD_MSG_INFO, "Start execution cancelled (the form keeps your values)");
        return;
    }
    const struct md_kind *k = md_kind_find("pipelines");
    const struct md_action *a = k ? md_kind_action_by_name(k, "start-execution") : NULL;
    if (!a)
        return;
    char pipeline[256];
    snprintf(pipeline, sizeof pipeline, "%s", d->pipeline);
    app->confirm_action = a;
    app->confirm_kind = k;
    snprintf(app->confirm_id, sizeof app->confirm_id, "%s", pipeline);
    snprintf(app->confirm_label, sizeof app->confirm_label, "%s", pipeline);
    app->confirm_params = d->request;
    d->request = NULL;
    md_app_run_action(app);
    app->confirm_action = NULL;
    /* Show where the new execution will appear. */
    md_app_pop(app);
    struct md_view *top = md_app_top(app);
    const struct md_kind *ek = md_kind_find("pipeline-executions");
    if (ek && !(top && top->kind == ek && top->parent && !strcmp(top->parent, pipeline)))
        md_app_push(app, md_table_new(app, ek, pipeline, pipeline));
}

static bool launch_key(struct md_app *app, struct md_view *v, int key)
{
    struct launch_view *d = P(v);
    if (key == 27) {
        if (d->stage == ST_CONFIRM) {
            d->stage = ST_FORM;
            cJSON_Delete(d->request);
            d->request = NULL;
            md_app_msg(app, MD_MSG_INFO, "back to the form");
            return true;
        }
        md_app_msg(app, MD_MSG_INFO, "Start execution cancelled");
        md_app_pop(app);
        return true;
    }
    if (d->stage == ST_CONFIRM) {
        if (md_form_confirm_key(&d->confirm, key))
            confirm_choose(app, v);
        return true;
    }
    if (d->stage != ST_FORM)
        return key != 'q' && key != ':' && key != '?';
    switch (md_form_key(&d->form, key)) {
    case MD_FORM_EDITED:
        check_field(d, d->form.cur);
        break;
    case MD_FORM_SUBMIT: {
        for (int i = 0; i < d->nfields; i++)
            check_field(d, i);
        int bad = md_form_first_error(&d->form);
        if (bad >= 0) {
            d->form.cur = bad;
            md_app_msg(app, MD_MSG_ERROR, "fix %s first: %s",
                       is_param(d, bad) ? d->params.v[bad].name : "this field",
                       d->fields[bad].error);
            break;
        }
        md_aws_idempotency_token(d->token);
        cJSON_Delete(d->request);
        d->request = build_request(d);
        d->confirm = (struct md_form_confirm){.ok_focused = false};
        d->stage = ST_CONFIRM;
        break;
    }
    default:
        break;
    }
    return true;
}

static bool launch_action(struct md_app *app, struct md_view *v, enum md_act act,
                          const struct md_binding *b)
{
    return false;
}

static void launch_event(struct md_app *app, struct md_view *v, struct md_sync_event *ev)
{
    struct launch_view *d = P(v);
    struct def_job *j = ev->arg;
    if (ev->status == MD_OK && j && j->text) {
        set_definition(d, j->text);
    } else if (ev->status != MD_ERR_CANCELLED) {
        char line[600];
        d->stage = ST_ERROR;
        snprintf(d->err, sizeof d->err, "%s", md_err_line(&ev->err, line, sizeof line));
    }
}

static void launch_crumb(struct md_app *app, struct md_view *v, char *out, size_t n)
{
    snprintf(out, n, "%s%sstart execution", P(v)->pipeline, app->term.g.sep);
}

static void launch_free(struct md_view *v)
{
    struct launch_view *d = P(v);
    if (!d)
        return;
    md_pipeline_params_free(&d->params);
    free(d->fields);
    cJSON_Delete(d->request);
    free(d);
}

static const struct md_view_class launch_class = {
    .name = "launch",
    .ctx = MD_CTX_DESCRIBE,
    .draw = launch_draw,
    .action = launch_action,
    .crumb = launch_crumb,
    .free = launch_free,
    .key = launch_key,
    .event = launch_event,
};

struct md_view *md_launch_new(struct md_app *app, const char *pipeline)
{
    struct md_view *v = md_view_new(&launch_class, sizeof(struct launch_view));
    if (!v)
        return NULL;
    struct launch_view *d = v->priv;
    v->group = ++app->next_group;
    snprintf(d->pipeline, sizeof d->pipeline, "%s", pipeline);
    struct def_job *j = calloc(1, sizeof *j);
    if (j) {
        j->ws = app->ws;
        snprintf(j->pipeline, sizeof j->pipeline, "%s", pipeline);
    }
    if (!j || !md_app_submit_call(app, v, fetch_definition, j, def_job_free)) {
        d->stage = ST_ERROR;
        snprintf(d->err, sizeof d->err, "could not read the pipeline definition (%s)",
                 app->sync ? "queue full" : "no provider configured");
    }
    return v;
}
