/* The DAG of one pipeline execution: the definition's steps as boxes and
 * arrows (top-down layers), each box coloured by its step's status with a
 * glyph (so it reads without colour too), and the selected step's details
 * beside the graph (below it on narrow terminals).  The definition comes
 * from DescribePipelineDefinitionForExecution on a worker and is kept in
 * the cache's meta table (an execution's definition never changes); the
 * demo derives it from the demo executions' steps.  The steps are the
 * pipeline-steps rows, refreshed while the execution runs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/workspace.h"
#include "aws/client.h"
#include "aws/sagemaker.h"
#include "ui/app.h"
#include "ui/dag.h"
#include "ui/pipelines.h"
#include "util/json.h"

#define DEF_META_PREFIX "pipeline-def:"
#define PARAMS_META_PREFIX "pipeline-params:"

struct dag_view {
    char *arn, *label;
    char pipeline[256];
    cJSON *exec;              /* the cached execution (DescribePipelineExecution) */
    cJSON *steps;             /* the execution's steps (array) */
    struct md_dag g;
    bool have_graph, loading, derived;
    char def_err[400];
    char why[400];            /* derived: why the definition itself is missing */
    char params[1024];        /* the execution's parameters, one line */
    int sel;                  /* real node index */
    int box_w, laid_w;
    long scroll;
    double last_refresh;
};

static struct dag_view *P(struct md_view *v)
{
    return v->priv;
}

/* ---- the definition, on a worker ----------------------------------------- */

struct def_job {
    const struct md_workspace *ws;
    char arn[1024];
    char pipeline[256];
    bool demo;
    char *text;               /* out: the definition JSON */
    bool derived;
    char why[400];            /* derived because the definition could not be read */
    char params[1024];        /* "Epochs=3  ImageSize=640" (ListPipelineParametersForExecution) */
};

static void def_job_free(void *arg)
{
    struct def_job *j = arg;
    if (!j)
        return;
    free(j->text);
    free(j);
}

struct row_list {
    cJSON *arr;
};

static int collect_row(void *ctx, const struct md_cache_row *row)
{
    struct row_list *l = ctx;
    cJSON *o = cJSON_Parse(row->json);
    if (o)
        cJSON_AddItemToArray(l->arr, o);
    return 0;
}

static int by_start(const void *a, const void *b)
{
    double x = md_json_num(*(const cJSON *const *)a, "$.StartTime", INFINITY);
    double y = md_json_num(*(const cJSON *const *)b, "$.StartTime", INFINITY);
    return x < y ? -1 : x > y;
}

static const char *meta_type(const cJSON *step)
{
    static const struct { const char *key, *type; } types[] = {
        {"TrainingJob", "Training"}, {"ProcessingJob", "Processing"},
        {"TransformJob", "Transform"}, {"TuningJob", "Tuning"}, {"Model", "Model"},
        {"RegisterModel", "RegisterModel"}, {"Condition", "Condition"}, {"Fail", "Fail"},
        {"Lambda", "Lambda"}, {"Callback", "Callback"}, {"QualityCheck", "QualityCheck"},
        {"ClarifyCheck", "ClarifyCheck"}, {"EMR", "EMR"}, {"AutoMLJob", "AutoML"},
    };
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(step, "Metadata");
    const cJSON *first = m ? m->child : NULL;
    for (size_t i = 0; first && i < sizeof types / sizeof types[0]; i++)
        if (cJSON_GetObjectItemCaseSensitive(m, types[i].key))
            return types[i].type;
    return first && first->string ? first->string : "Step";
}

/* The demo has no definitions: the graph is what its executions did — each
 * step follows the one that ran before it, and a Condition's next step is
 * its If branch (Outcome True) or its Else branch. */
static md_status derive(struct md_worker *w, struct def_job *j, struct md_err *err)
{
    struct md_cache *c = md_worker_cache(w);
    const struct md_scope *sc = md_worker_scope(w);
    struct row_list execs = {cJSON_CreateArray()};
    struct md_cache_query q = {.kind = "pipeline-executions", .parent = j->pipeline,
                               .sort_path = "$.CreationTime", .sort_desc = true, .limit = 80};
    md_status st = md_cache_query(c, sc, &q, collect_row, &execs, err);
    cJSON *info = cJSON_CreateObject();   /* name -> {type, pos, n, deps{}, if{}, else{}} */
    cJSON *order = cJSON_CreateArray();
    const cJSON *e;
    cJSON_ArrayForEach(e, execs.arr) {
        if (st != MD_OK || md_worker_cancelled(w))
            break;
        struct row_list steps = {cJSON_CreateArray()};
        struct md_cache_query sq = {.kind = "pipeline-steps",
                                    .parent = md_json_str(e, "$.PipelineExecutionArn", "")};
        st = md_cache_query(c, sc, &sq, collect_row, &steps, err);
        int n = cJSON_GetArraySize(steps.arr);
        cJSON **v = calloc((size_t)n + 1, sizeof *v);
        int k = 0;
        cJSON *s;
        cJSON_ArrayForEach(s, steps.arr) if (v) v[k++] = s;
        if (v)
            qsort(v, (size_t)k, sizeof *v, by_start);
        for (int i = 0; v && i < k; i++) {
            const char *name = md_json_str(v[i], "$.StepName", NULL);
            if (!name)
                continue;
            cJSON *ni = cJSON_GetObjectItemCaseSensitive(info, name);
            if (!ni) {
                ni = cJSON_AddObjectToObject(info, name);
                cJSON_AddStringToObject(ni, "type", meta_type(v[i]));
                cJSON_AddNumberToObject(ni, "pos", 0);
                cJSON_AddNumberToObject(ni, "n", 0);
                cJSON_AddObjectToObject(ni, "deps");
                cJSON_AddObjectToObject(ni, "if");
                cJSON_AddObjectToObject(ni, "else");
                cJSON_AddItemToArray(order, cJSON_CreateString(name));
            }
            cJSON *pos = cJSON_GetObjectItemCaseSensitive(ni, "pos");
            cJSON *cnt = cJSON_GetObjectItemCaseSensitive(ni, "n");
            cJSON_SetNumberValue(pos, pos->valuedouble + i);
            cJSON_SetNumberValue(cnt, cnt->valuedouble + 1);
            if (i == 0)
                continue;
            const char *prev = md_json_str(v[i - 1], "$.StepName", "");
            const char *outcome = md_json_str(v[i - 1], "$.Metadata.Condition.Outcome", NULL);
            cJSON *pi = cJSON_GetObjectItemCaseSensitive(info, prev);
            if (outcome && pi) {
                cJSON *set = cJSON_GetObjectItemCaseSensitive(pi, !strcmp(outcome, "True") ? "if" : "else");
                if (!cJSON_GetObjectItemCaseSensitive(set, name))
                    cJSON_AddTrueToObject(set, name);
            } else {
                cJSON *deps = cJSON_GetObjectItemCaseSensitive(ni, "deps");
                if (!cJSON_GetObjectItemCaseSensitive(deps, prev))
                    cJSON_AddTrueToObject(deps, prev);
            }
        }
        free(v);
        cJSON_Delete(steps.arr);
    }
    if (st == MD_OK && cJSON_GetArraySize(order) == 0)
        st = md_err_set(err, MD_ERR_NOTFOUND, "no cached steps of pipeline %s to draw it from",
                        j->pipeline);
    if (st == MD_OK) {
        /* Steps in their mean position; branch members nest in their condition. */
        int n = cJSON_GetArraySize(order);
        const char **names = calloc((size_t)n + 1, sizeof *names);
        double *mean = calloc((size_t)n + 1, sizeof *mean);
        for (int i = 0; names && mean && i < n; i++) {
            names[i] = cJSON_GetArrayItem(order, i)->valuestring;
            const cJSON *ni = cJSON_GetObjectItemCaseSensitive(info, names[i]);
            mean[i] = md_json_num(ni, "$.pos", 0) / fmax(1, md_json_num(ni, "$.n", 1));
        }
        for (int i = 1; names && mean && i < n; i++)
            for (int k = i; k > 0 && mean[k] < mean[k - 1]; k--) {
                double t = mean[k]; mean[k] = mean[k - 1]; mean[k - 1] = t;
                const char *s = names[k]; names[k] = names[k - 1]; names[k - 1] = s;
            }
        cJSON *def = cJSON_CreateObject();
        cJSON_AddStringToObject(def, "Version", "2020-12-01");
        cJSON *steps = cJSON_AddArrayToObject(def, "Steps");
        cJSON *all = cJSON_CreateObject();
        for (int i = 0; names && mean && i < n; i++) {
            const cJSON *ni = cJSON_GetObjectItemCaseSensitive(info, names[i]);
            cJSON *s = cJSON_CreateObject();
            cJSON_AddStringToObject(s, "Name", names[i]);
            cJSON_AddStringToObject(s, "Type", md_json_str(ni, "$.type", "Step"));
            const cJSON *d = cJSON_GetObjectItemCaseSensitive(ni, "deps");
            if (d && d->child) {
                cJSON *dep = cJSON_AddArrayToObject(s, "DependsOn");
                for (const cJSON *x = d->child; x; x = x->next)
                    cJSON_AddItemToArray(dep, cJSON_CreateString(x->string));
            }
            cJSON_AddItemToObject(all, names[i], s);
        }
        /* Nest each branch member under its condition (once). */
        cJSON *nested = cJSON_CreateObject();
        for (int i = 0; names && mean && i < n; i++) {
            const cJSON *ni = cJSON_GetObjectItemCaseSensitive(info, names[i]);
            const char *br[2] = {"if", "else"}, *key[2] = {"IfSteps", "ElseSteps"};
            for (int b = 0; b < 2; b++) {
                const cJSON *set = cJSON_GetObjectItemCaseSensitive(ni, br[b]);
                if (!set || !set->child)
                    continue;
                cJSON *me = cJSON_GetObjectItemCaseSensitive(all, names[i]);
                cJSON *args = cJSON_GetObjectItemCaseSensitive(me, "Arguments");
                if (!args)
                    args = cJSON_AddObjectToObject(me, "Arguments");
                cJSON *arr = cJSON_AddArrayToObject(args, key[b]);
                for (const cJSON *x = set->child; x; x = x->next) {
                    if (cJSON_GetObjectItemCaseSensitive(nested, x->string))
                        continue;
                    cJSON *child = cJSON_GetObjectItemCaseSensitive(all, x->string);
                    if (!child)
                        continue;
                    cJSON_AddItemToArray(arr, cJSON_Duplicate(child, 1));
                    cJSON_AddTrueToObject(nested, x->string);
                }
            }
        }
        for (int i = 0; names && mean && i < n; i++)
            if (!cJSON_GetObjectItemCaseSensitive(nested, names[i]))
                cJSON_AddItemToArray(steps,
                                     cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(all, names[i]), 1));
        j->text = cJSON_PrintUnformatted(def);
        j->derived = true;
        cJSON_Delete(def);
        cJSON_Delete(all);
        cJSON_Delete(nested);
        free(names);
        free(mean);
        if (!j->text)
            st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    cJSON_Delete(info);
    cJSON_Delete(order);
    cJSON_Delete(execs.arr);
    return st;
}

static md_status fetch_definition(struct md_worker *w, struct def_job *j, struct md_err *err);

/* Without the definition (no AWS, an error, an old execution) the graph is
 * still drawn from the cached steps of the pipeline's executions. */
static md_status def_fetch(struct md_worker *w, void *arg, struct md_err *err)
{
    struct def_job *j = arg;
    if (j->demo)
        return derive(w, j, err);
    md_status st = j->ws->aws ? fetch_definition(w, j, err)
                              : md_err_set(err, MD_ERR_UNSUPPORTED,
                                           "the execution's definition needs AWS, which is not "
                                           "configured");
    if (st == MD_OK || st == MD_ERR_CANCELLED || md_worker_cancelled(w))
        return st;
    struct md_err derr;
    if (j->ws->aws) {
        /* This execution's own steps first (the view's refresh may not have
         * landed yet). */
        struct md_sm_ctx x = {j->ws->aws, j->ws->settings, md_worker_cache(w), md_worker_scope(w),
                              md_worker_curl(w), md_worker_cancelled_cb, w};
        md_sm_refresh(&x, "pipeline-steps", j->arn, false, NULL, &derr);
    }
    if (derive(w, j, &derr) != MD_OK)
        return st;
    char line[600];
    snprintf(j->why, sizeof j->why, "%s", md_err_line(err, line, sizeof line));
    md_err_clear(err);
    return MD_OK;
}

/* The values the execution ran with, as one line; kept in the cache's
 * meta table like the definition (they never change).  Best effort. */
static void fetch_params(struct md_worker *w, struct def_job *j, struct md_aws_client *c)
{
    cJSON *in = cJSON_CreateObject(), *out = NULL;
    cJSON_AddStringToObject(in, "PipelineExecutionArn", j->arn);
    cJSON_AddNumberToObject(in, "MaxResults", 100);
    struct md_err err;
    if (md_aws_json_call(c, "SageMaker", "ListPipelineParametersForExecution", "1.1", in, &out,
                         &err) == MD_OK) {
        size_t used = 0;
        const cJSON *p;
        cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(out, "PipelineParameters")) {
            if (used >= sizeof j->params)
                break;
            used += (size_t)snprintf(j->params + used, sizeof j->params - used, "%s%s=%s",
                                     used ? "  " : "", md_json_str(p, "$.Name", "?"),
                                     md_json_str(p, "$.Value", ""));
        }
        char key[1100];
        snprintf(key, sizeof key, PARAMS_META_PREFIX "%s", j->arn);
        md_cache_meta_set(md_worker_cache(w), md_worker_scope(w), key, j->params, &err);
    }
    cJSON_Delete(in);
    cJSON_Delete(out);
}

static md_status fetch_definition(struct md_worker *w, struct def_job *j, struct md_err *err)
{
    struct md_aws_client c;
    struct md_endpoint ep;
    struct md_http_opts http;
    md_status st = md_workspace_aws_client(j->ws, w, "sagemaker", "the DAG", &c, &ep, &http,
                                           err);
    if (st != MD_OK)
        return st;
    cJSON *in = cJSON_CreateObject(), *out = NULL;
    cJSON_AddStringToObject(in, "PipelineExecutionArn", j->arn);
    st = md_aws_json_call(&c, "SageMaker", "DescribePipelineDefinitionForExecution", "1.1", in,
                          &out, err);
    cJSON_Delete(in);
    if (!md_worker_cancelled(w))
        fetch_params(w, j, &c);
    if (st == MD_OK) {
        const char *def = md_json_str(out, "$.PipelineDefinition", NULL);
        if (!def)
            st = md_err_set(err, MD_ERR_PARSE, "DescribePipelineDefinitionForExecution: no "
                                               "PipelineDefinition in the reply");
        else if (!(j->text = strdup(def)))
            st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    cJSON_Delete(out);
    if (st == MD_OK) {
        char key[1100];
        snprintf(key, sizeof key, DEF_META_PREFIX "%s", j->arn);
        struct md_err e;
        md_cache_meta_set(md_worker_cache(w), md_worker_scope(w), key, j->text, &e);
    }
    return st;
}

/* ---- state from the cache ------------------------------------------------- */

static void set_definition(struct dag_view *d, const char *text, bool derived)
{
    md_dag_free(&d->g);
    struct md_err err;
    if (md_dag_parse(text, &d->g, &err) != MD_OK) {
        md_dag_free(&d->g);
        d->have_graph = false;
        snprintf(d->def_err, sizeof d->def_err, "%s", err.msg);
        return;
    }
    d->have_graph = true;
    md_dag_layout(&d->g, 20, 2);   /* layers first: the width depends on them */
    d->derived = derived;
    d->laid_w = 0;
    d->def_err[0] = '\0';
    if (d->sel >= d->g.nreal)
        d->sel = 0;
}

static void load_rows(struct md_app *app, struct dag_view *d)
{
    char *json = NULL;
    struct md_err err;
    if (md_cache_get(app->cache, &app->scope, "pipeline-executions", d->arn, &json, NULL, &err) ==
        MD_OK) {
        cJSON_Delete(d->exec);
        d->exec = cJSON_Parse(json);
        free(json);
    }
    struct row_list l = {cJSON_CreateArray()};
    struct md_cache_query q = {.kind = "pipeline-steps", .parent = d->arn};
    if (l.arr && md_cache_query(app->cache, &app->scope, &q, collect_row, &l, &err) == MD_OK) {
        cJSON_Delete(d->steps);
        d->steps = l.arr;
    } else {
        cJSON_Delete(l.arr);
    }
}

static const cJSON *step_of(const struct dag_view *d, const char *name)
{
    const cJSON *s;
    cJSON_ArrayForEach(s, d->steps)
        if (!strcmp(md_json_str(s, "$.StepName", ""), name))
            return s;
    return NULL;
}

static bool exec_running(const struct dag_view *d)
{
    const char *st = md_json_str(d->exec, "$.PipelineExecutionStatus", "");
    return md_status_tone(st) == MD_TONE_RUNNING;
}

static void request_refresh(struct md_app *app, struct md_view *v)
{
    struct dag_view *d = P(v);
    if (!app->sync)
        return;
    struct md_job job = {.type = MD_JOB_REFRESH, .kind = "pipeline-steps", .parent = d->arn,
                         .group = v->group};
    md_sync_submit(app->sync, &job);
    if (d->pipeline[0]) {
        struct md_job ej = {.type = MD_JOB_REFRESH, .kind = "pipeline-executions",
                            .parent = d->pipeline, .group = v->group};
        md_sync_submit(app->sync, &ej);
    }
    d->last_refresh = md_now_ms();
}

static void request_definition(struct md_app *app, struct md_view *v)
{
    struct dag_view *d = P(v);
    struct def_job *j = calloc(1, sizeof *j);
    if (!j)
        return;
    j->ws = app->ws;
    j->demo = app->settings->demo;
    snprintf(j->arn, sizeof j->arn, "%s", d->arn);
    snprintf(j->pipeline, sizeof j->pipeline, "%s", d->pipeline);
    d->loading = md_app_submit_call(app, v, def_fetch, j, def_job_free) != 0;
    if (!d->loading)
        snprintf(d->def_err, sizeof d->def_err, "could not fetch the definition (%s)",
                 app->sync ? "queue full" : "no provider configured");
}

/* ---- drawing -------------------------------------------------------------- */

enum { CN = 1, CS = 2, CE = 4, CW = 8 };

static const char *conn_glyph(bool utf8, int m)
{
    if (!utf8) {
        if (m == (CN | CS) || m == CN || m == CS)
            return "|";
        if (m == (CE | CW) || m == CE || m == CW)
            return "-";
        return "+";
    }
    switch (m) {
    case CN: case CS: case CN | CS: return "│";
    case CE: case CW: case CE | CW: return "─";
    case CN | CE: return "└";
    case CN | CW: return "┘";
    case CS | CE: return "┌";
    case CS | CW: return "┐";
    case CN | CS | CE: return "├";
    case CN | CS | CW: return "┤";
    case CN | CE | CW: return "┴";
    case CS | CE | CW: return "┬";
    default: return "┼";
    }
}

static const char *status_glyph(bool utf8, const char *status)
{
    static const struct { const char *s, *u, *a; } g[] = {
        {"Succeeded", "✓", "+"}, {"Failed", "✗", "x"}, {"Executing", "▶", ">"},
        {"Starting", "▷", ">"}, {"Stopping", "■", "="}, {"Stopped", "■", "="},
    };
    for (size_t i = 0; status && i < sizeof g / sizeof g[0]; i++)
        if (!strcmp(status, g[i].s))
            return utf8 ? g[i].u : g[i].a;
    return utf8 ? "·" : ".";
}

static double step_duration(const cJSON *s, time_t now)
{
    double a = md_json_num(s, "$.StartTime", -1), b = md_json_num(s, "$.EndTime", -1);
    if (a < 0)
        return -1;
    if (b < 0)
        b = (double)now;
    return b - a;
}

static int center(const struct md_dag_node *n)
{
    return n->x + n->w / 2;
}

static void draw_box(struct md_app *app, struct dag_view *d, int i, int y, int x, int top,
                     int bottom, time_t now)
{
    const struct md_dag_node *n = &d->g.nodes[i];
    bool utf8 = app->term.utf8;
    const struct md_glyphs *gl = &app->term.g;
    int w = n->w;
    if (n->dummy) {
        for (int r = 0; r < 3; r++)
            if (y + r >= top && y + r < bottom)
                md_put(y + r, x + n->x, 1, gl->vline, md_attr(MD_ROLE_MUTED), false);
        return;
    }
    const cJSON *s = step_of(d, n->name);
    const char *status = s ? md_json_str(s, "$.StepStatus", NULL) : NULL;
    enum md_role role = status ? md_tone_role(md_status_tone(status)) : MD_ROLE_MUTED;
    attr_t a = md_attr(role);
    bool sel = i == d->sel;
    bool in = false, out = false;
    enum md_dag_edge_kind kind = MD_DAG_DEP;
    for (int e = 0; e < d->g.nedges; e++) {
        if (d->g.edges[e].to == i) {
            in = true;
            if (d->g.edges[e].kind != MD_DAG_DEP)
                kind = d->g.edges[e].kind;
        }
        if (d->g.edges[e].from == i)
            out = true;
    }
    char line[512];
    int cx = w / 2;
    /* top border: arrow in, and the branch it is on */
    if (y >= top && y < bottom) {
        md_put(y, x + n->x, 1, gl->tl, a, false);
        for (int k = 1; k < w - 1; k++)
            md_put(y, x + n->x + k, 1, gl->hline, a, false);
        md_put(y, x + n->x + w - 1, 1, gl->tr, a, false);
        if (in)
            md_put(y, x + n->x + cx, 1, utf8 ? "▼" : "v", a | A_BOLD, false);
        if (kind != MD_DAG_DEP && w > 12)
            md_put(y, x + n->x + 1, cx - 1, kind == MD_DAG_IF ? " if " : " else ", a, false);
    }
    /* middle: glyph and name */
    if (y + 1 >= top && y + 1 < bottom) {
        md_put(y + 1, x + n->x, 1, gl->vline, a, false);
        snprintf(line, sizeof line, " %s %s", status_glyph(utf8, status), n->name);
        md_put(y + 1, x + n->x + 1, w - 2, line, sel ? md_attr(MD_ROLE_SELECTED) : a | A_BOLD, true);
        md_put(y + 1, x + n->x + w - 1, 1, gl->vline, a, false);
    }
    /* bottom: duration, arrow out */
    if (y + 2 >= top && y + 2 < bottom) {
        md_put(y + 2, x + n->x, 1, gl->bl, a, false);
        for (int k = 1; k < w - 1; k++)
            md_put(y + 2, x + n->x + k, 1, gl->hline, a, false);
        md_put(y + 2, x + n->x + w - 1, 1, gl->br, a, false);
        if (out)
            md_put(y + 2, x + n->x + cx, 1, utf8 ? "┬" : "+", a, false);
        double dur = s ? step_duration(s, now) : -1;
        if (dur >= 0) {
            char dd[32];
            md_fmt_duration(dur, dd, sizeof dd);
            snprintf(line, sizeof line, " %s ", dd);
            int lw = md_text_width(line);
            int lx = w - 2 - lw;
            if (lx > cx)
                md_put(y + 2, x + n->x + lx, lw, line, a, false);
            else if (1 + lw < cx)
                md_put(y + 2, x + n->x + 1, lw, line, a, false);
        }
    }
}

static void draw_graph(struct md_app *app, struct dag_view *d, struct md_rect r)
{
    time_t now = time(NULL);
    int total_h = d->g.nlayers * 4 - 1;
    int sel_y = d->g.nodes[d->sel].layer * 4;
    if (sel_y < d->scroll)
        d->scroll = sel_y;
    if (sel_y + 3 > d->scroll + r.h)
        d->scroll = sel_y + 3 - r.h;
    if (d->scroll > total_h - r.h)
        d->scroll = total_h - r.h;
    if (d->scroll < 0)
        d->scroll = 0;
    int x0 = r.x + (r.w > d->g.width ? (r.w - d->g.width) / 2 : 0);
    int top = r.y, bottom = r.y + r.h;
    for (int i = 0; i < d->g.n; i++) {
        int y = r.y + d->g.nodes[i].layer * 4 - (int)d->scroll;
        draw_box(app, d, i, y, x0, top, bottom, now);
    }
    /* connector rows */
    int *mask = calloc((size_t)d->g.width + 2, sizeof *mask);
    if (!mask)
        return;
    for (int l = 0; l + 1 < d->g.nlayers; l++) {
        int y = r.y + l * 4 + 3 - (int)d->scroll;
        if (y < top || y >= bottom)
            continue;
        memset(mask, 0, ((size_t)d->g.width + 2) * sizeof *mask);
        for (int e = 0; e < d->g.nedges; e++) {
            const struct md_dag_node *u = &d->g.nodes[d->g.edges[e].from];
            const struct md_dag_node *v = &d->g.nodes[d->g.edges[e].to];
            if (u->layer != l)
                continue;
            int a = center(u), b = center(v);
            if (a < 0 || b < 0 || a > d->g.width || b > d->g.width)
                continue;
            mask[a] |= CN;
            mask[b] |= CS;
            int lo = a < b ? a : b, hi = a < b ? b : a;
            for (int k = lo; k <= hi && lo != hi; k++)
                mask[k] |= (k > lo ? CW : 0) | (k < hi ? CE : 0);
        }
        for (int k = 0; k <= d->g.width; k++)
            if (mask[k] && x0 + k < r.x + r.w)
                md_put(y, x0 + k, 1, conn_glyph(app->term.utf8, mask[k]), md_attr(MD_ROLE_MUTED), false);
    }
    free(mask);
}

/* One "Label  value" line of the details; returns the next y. */
static int kv(int y, int x, int w, int bottom, const char *k, const char *val, attr_t a)
{
    if (y >= bottom || w < 12)
        return y;
    md_put(y, x, 9, k, md_attr(MD_ROLE_MUTED), false);
    /* Wrap long values (failure reasons) over the lines left. */
    const char *p = val;
    int vw = w - 9;
    do {
        size_t fit = *p ? md_text_fit(p, vw) : 0;
        char buf[1024];
        if (fit >= sizeof buf)
            fit = sizeof buf - 1;
        memcpy(buf, p, fit);
        buf[fit] = '\0';
        md_put(y++, x + 9, vw, buf, a, false);
        p += fit;
    } while (*p && y < bottom);
    return y;
}

static void draw_details(struct md_app *app, struct dag_view *d, struct md_rect r)
{
    int y = r.y, x = r.x, w = r.w, bottom = r.y + r.h;
    const struct md_dag_node *n = &d->g.nodes[d->sel];
    const cJSON *s = step_of(d, n->name);
    char buf[600], t[64];
    time_t now = time(NULL);
    snprintf(buf, sizeof buf, "%s", n->name);
    md_put(y++, x, w, buf, md_attr(MD_ROLE_TITLE), false);
    y = kv(y, x, w, bottom, "Type", n->type, md_attr(MD_ROLE_NORMAL));
    const char *status = s ? md_json_str(s, "$.StepStatus", "-") : "not started";
    snprintf(buf, sizeof buf, "%s %s", status_glyph(app->term.utf8, s ? status : NULL), status);
    int att = s ? (int)md_json_num(s, "$.AttemptCount", 0) : 0;
    if (att > 1)
        snprintf(buf + strlen(buf), sizeof buf - strlen(buf), " (attempt %d)", att);
    y = kv(y, x, w, bottom, "Status", buf,
           md_attr(s ? md_tone_role(md_status_tone(status)) : MD_ROLE_MUTED));
    if (!s)
        return;
    double a = md_json_num(s, "$.StartTime", -1), b = md_json_num(s, "$.EndTime", -1);
    if (a >= 0) {
        md_fmt_time(a, t, sizeof t);
        y = kv(y, x, w, bottom, "Started", t, md_attr(MD_ROLE_NORMAL));
    }
    if (b >= 0) {
        md_fmt_time(b, t, sizeof t);
        y = kv(y, x, w, bottom, "Ended", t, md_attr(MD_ROLE_NORMAL));
    }
    double dur = step_duration(s, now);
    if (dur >= 0) {
        md_fmt_duration(dur, t, sizeof t);
        snprintf(buf, sizeof buf, "%s%s", t, b < 0 ? " (running)" : "");
        y = kv(y, x, w, bottom, "Duration", buf, md_attr(MD_ROLE_NORMAL));
    }
    const char *job = md_json_str(s, "$.Metadata.TrainingJob.Arn", NULL);
    if (!job)
        job = md_json_str(s, "$.Metadata.ProcessingJob.Arn", NULL);
    if (job)
        y = kv(y, x, w, bottom, "Job", md_arn_tail(job), md_attr(MD_ROLE_INFO));
    const char *outcome = md_json_str(s, "$.Metadata.Condition.Outcome", NULL);
    if (outcome)
        y = kv(y, x, w, bottom, "Outcome", outcome, md_attr(MD_ROLE_NORMAL));
    const char *reg = md_json_str(s, "$.Metadata.RegisterModel.Arn", NULL);
    if (reg)
        y = kv(y, x, w, bottom, "Model", md_arn_tail(reg), md_attr(MD_ROLE_NORMAL));
    const char *cached = md_json_str(s, "$.CacheHitResult.SourcePipelineExecutionArn", NULL);
    if (cached)
        y = kv(y, x, w, bottom, "Cached", md_arn_tail(cached), md_attr(MD_ROLE_MUTED));
    const char *fail = md_json_str(s, "$.FailureReason", NULL);
    if (!fail)
        fail = md_json_str(s, "$.Metadata.Fail.ErrorMessage", NULL);
    if (fail)
        y = kv(y, x, w, bottom, "Failure", fail, md_attr(MD_ROLE_FAIL));
    if (job && y < bottom)
        md_put(y++, x, w, "Enter: job  l: logs  m: metrics", md_attr(MD_ROLE_MUTED), false);
}

static void draw_exec_line(struct md_app *app, struct dag_view *d, struct md_rect r)
{
    const char *status = md_json_str(d->exec, "$.PipelineExecutionStatus", "-");
    char buf[700], dur[32] = "-";
    double a = md_json_num(d->exec, "$.CreationTime", -1);
    double b = md_json_num(d->exec, "$.LastModifiedTime", -1);
    if (a >= 0) {
        if (md_status_tone(status) == MD_TONE_RUNNING || b < 0)
            b = (double)time(NULL);
        md_fmt_duration(b - a, dur, sizeof dur);
    }
    int x = md_put(r.y, r.x, r.w, "Execution ", md_attr(MD_ROLE_MUTED), false);
    x += md_put(r.y, r.x + x, r.w - x, status, md_attr(md_tone_role(md_status_tone(status))) | A_BOLD,
                false);
    snprintf(buf, sizeof buf, "  %s  %d steps%s%s", dur, d->have_graph ? d->g.nreal : 0,
             !d->derived ? "" : app->settings->demo ? "  (graph derived from the demo's executions)"
                                                    : "  (graph derived from cached steps)",
             exec_running(d) ? "  live" : "");
    md_put(r.y, r.x + x, r.w - x, buf, md_attr(MD_ROLE_NORMAL), false);
    int y = r.y + 1;
    if (d->params[0] && y < r.y + r.h) {
        int px = md_put(y, r.x, r.w, "Parameters ", md_attr(MD_ROLE_MUTED), false);
        md_put(y++, r.x + px, r.w - px, d->params, md_attr(MD_ROLE_NORMAL), false);
    }
    const char *fail = md_json_str(d->exec, "$.FailureReason", NULL);
    if (fail && y < r.y + r.h)
        md_put(y, r.x, r.w, fail, md_attr(MD_ROLE_FAIL), false);
}

static void dag_draw(struct md_app *app, struct md_view *v, struct md_rect r)
{
    struct dag_view *d = P(v);
    if (app->sync && exec_running(d) && !d->loading) {
        double every = app->settings->refresh_seconds > 0 ? app->settings->refresh_seconds : 15;
        if (every > 5)
            every = 5;
        if (md_now_ms() - d->last_refresh > every * 1000.0)
            request_refresh(app, v);
    }
    if (r.h < 4)
        return;
    bool fail_line = md_json_str(d->exec, "$.FailureReason", NULL) != NULL;
    int head = 1 + (fail_line ? 1 : 0) + (d->params[0] ? 1 : 0);
    draw_exec_line(app, d, (struct md_rect){r.y, r.x + 1, head, r.w - 2});
    struct md_rect body = {r.y + head + 1, r.x + 1, r.h - head - 2, r.w - 2};
    md_put(r.y + r.h - 1, r.x + 1, r.w - 2,
           "j/k step  Enter job  l logs  m metrics  d JSON  x stop  T retry  r refresh  Esc back",
           md_attr(MD_ROLE_MUTED), false);
    if (!d->have_graph) {
        const char *msg = d->def_err[0] ? d->def_err
                        : d->loading ? "Loading the pipeline definition..." : "No definition.";
        md_put(body.y, body.x, body.w, msg, md_attr(d->def_err[0] ? MD_ROLE_ERROR : MD_ROLE_MUTED),
               false);
        return;
    }
    /* Box width: the longest name, within what the terminal allows. */
    int longest = 0;
    for (int i = 0; i < d->g.nreal; i++) {
        int lw = md_text_width(d->g.nodes[i].name);
        if (lw > longest)
            longest = lw;
    }
    int maxw = 1;
    {
        int counts[MD_DAG_MAX_STEPS] = {0};
        for (int i = 0; i < d->g.n; i++)
            if (!d->g.nodes[i].dummy && d->g.nodes[i].layer < MD_DAG_MAX_STEPS &&
                ++counts[d->g.nodes[i].layer] > maxw)
                maxw = counts[d->g.nodes[i].layer];
    }
    /* Boxes wide enough for the names; the details keep 34 columns beside
     * the graph when the terminal has them, else they go below it. */
    int box = longest + 6;
    if (box > 28)
        box = 28;
    int need = maxw * box + 2 * (maxw - 1) + 2;
    bool beside = body.w - need - 2 >= 34;
    if (!beside && body.w >= 72) {
        int fit = (body.w - 36 - 2 - 2 * (maxw - 1)) / maxw;
        if (fit >= 14) {
            box = fit;
            beside = true;
        }
    }
    int graph_w = beside ? body.w - 36 : body.w;
    int fit = (graph_w - 2 - 2 * (maxw - 1)) / maxw;
    if (box > fit)
        box = fit;
    if (box < 8)
        box = 8;
    if (box != d->box_w || !d->laid_w) {
        d->box_w = box;
        md_dag_layout(&d->g, box, 2);
        d->laid_w = d->g.width;
    }
    if (beside) {
        int gw = d->g.width + 2 > graph_w ? graph_w : d->g.width + 2;
        draw_graph(app, d, (struct md_rect){body.y, body.x, body.h, gw});
        draw_details(app, d, (struct md_rect){body.y, body.x + gw + 2, body.h, body.w - gw - 2});
    } else {
        int dh = body.h >= 16 ? 7 : body.h / 3;
        draw_graph(app, d, (struct md_rect){body.y, body.x, body.h - dh - 1, body.w});
        draw_details(app, d, (struct md_rect){body.y + body.h - dh, body.x, dh, body.w});
    }
}

/* ---- keys ------------------------------------------------------------------ */

/* Steps in reading order: layer by layer, left to right. */
static int step_rank(const struct dag_view *d, int i)
{
    return d->g.nodes[i].layer * 1000 + d->g.nodes[i].order;
}

static void move_sel(struct dag_view *d, int dir)
{
    if (!d->have_graph || d->g.nreal == 0)
        return;
    int cur = step_rank(d, d->sel), best = -1;
    for (int i = 0; i < d->g.nreal; i++) {
        int r = step_rank(d, i);
        if (dir > 0 && r > cur && (best < 0 || r < step_rank(d, best)))
            best = i;
        if (dir < 0 && r < cur && (best < 0 || r > step_rank(d, best)))
            best = i;
    }
    if (best >= 0)
        d->sel = best;
}

static void edge_sel(struct dag_view *d, bool last)
{
    if (!d->have_graph)
        return;
    for (int i = 0; i < d->g.nreal; i++)
        if (last ? step_rank(d, i) > step_rank(d, d->sel) : step_rank(d, i) < step_rank(d, d->sel))
            d->sel = i;
}

static const char *sel_job(struct dag_view *d, const char **kind)
{
    if (!d->have_graph)
        return NULL;
    const cJSON *s = step_of(d, d->g.nodes[d->sel].name);
    const char *arn = md_json_str(s, "$.Metadata.TrainingJob.Arn", NULL);
    *kind = "training-jobs";
    if (!arn) {
        arn = md_json_str(s, "$.Metadata.ProcessingJob.Arn", NULL);
        *kind = "processing-jobs";
    }
    return arn;
}

static bool dag_action(struct md_app *app, struct md_view *v, enum md_act act,
                       const struct md_binding *b)
{
    struct dag_view *d = P(v);
    const char *kind = NULL, *arn = NULL;
    switch (act) {
    case MD_ACT_DOWN: move_sel(d, 1); break;
    case MD_ACT_UP: move_sel(d, -1); break;
    case MD_ACT_TOP: edge_sel(d, false); break;
    case MD_ACT_BOTTOM: edge_sel(d, true); break;
    case MD_ACT_PAGE_DOWN: for (int i = 0; i < 5; i++) move_sel(d, 1); break;
    case MD_ACT_PAGE_UP: for (int i = 0; i < 5; i++) move_sel(d, -1); break;
    case MD_ACT_OPEN:
    case MD_ACT_LINK:
        arn = sel_job(d, &kind);
        if (!arn || !md_open_job_arn(app, arn))
            md_app_msg(app, MD_MSG_INFO, "step %s has no training or processing job",
                       d->have_graph ? d->g.nodes[d->sel].name : "-");
        break;
    case MD_ACT_LOGS:
        arn = sel_job(d, &kind);
        if (arn)
            md_app_push(app, md_logs_new(app, md_kind_find(kind), md_arn_tail(arn)));
        else
            md_app_msg(app, MD_MSG_INFO, "this step has no job with logs");
        break;
    case MD_ACT_CHART:
        arn = sel_job(d, &kind);
        if (arn && !strcmp(kind, "training-jobs"))
            md_app_push(app, md_jobchart_new(app, md_arn_tail(arn)));
        else
            md_app_msg(app, MD_MSG_INFO, "this step has no training job to chart");
        break;
    case MD_ACT_DESCRIBE:
        md_app_push(app, md_describe_new(app, md_kind_find("pipeline-executions"), d->arn, d->label));
        break;
    case MD_ACT_COPY: md_app_copy(app, d->arn); break;
    case MD_ACT_REFRESH:
        request_refresh(app, v);
        if (!d->have_graph && !d->loading)
            request_definition(app, v);
        md_app_msg(app, MD_MSG_INFO, "refreshing the execution's steps...");
        break;
    default:
        return false;
    }
    return true;
}

/* Keys the table does not have: Left/Right within a layer, and the
 * execution's own actions (x stop, T retry) on the execution shown. */
static bool dag_key(struct md_app *app, struct md_view *v, int key)
{
    struct dag_view *d = P(v);
    if (key == KEY_LEFT || key == KEY_RIGHT) {
        if (!d->have_graph)
            return true;
        int want = d->g.nodes[d->sel].order + (key == KEY_RIGHT ? 1 : -1);
        for (int i = 0; i < d->g.nreal; i++)
            if (d->g.nodes[i].layer == d->g.nodes[d->sel].layer && d->g.nodes[i].order == want)
                d->sel = i;
        /* dummies sit between boxes: look one further */
        return true;
    }
    if (md_keymap_lookup(app->keys, MD_CTX_LIST, key))
        return false;
    const struct md_kind *k = md_kind_find("pipeline-executions");
    if (key == 'J') {   /* the raw JSON, as d (J where d is remapped) */
        md_app_push(app, md_describe_new(app, k, d->arn, d->label));
        return true;
    }
    const struct md_action *a = k ? md_kind_action_by_key(k, key) : NULL;
    if (!a)
        return false;
    md_app_start_action(app, k, a, d->arn, d->label);
    return true;
}

static void dag_event(struct md_app *app, struct md_view *v, struct md_sync_event *ev)
{
    struct dag_view *d = P(v);
    struct def_job *j = ev->arg;
    d->loading = false;
    if (ev->status == MD_OK && j && j->text) {
        set_definition(d, j->text, j->derived);
        snprintf(d->why, sizeof d->why, "%s", j->why);
        if (j->params[0])
            snprintf(d->params, sizeof d->params, "%s", j->params);
        if (j->why[0])
            md_app_msg(app, MD_MSG_ERROR, "definition unavailable (%s); graph derived from the "
                                          "cached steps", j->why);
    } else if (ev->status != MD_ERR_CANCELLED) {
        char line[600];
        snprintf(d->def_err, sizeof d->def_err, "pipeline definition: %s",
                 md_err_line(&ev->err, line, sizeof line));
    }
}

static void dag_changed(struct md_app *app, struct md_view *v, const char *kind)
{
    if (kind && strcmp(kind, "pipeline-steps") && strcmp(kind, "pipeline-executions"))
        return;
    load_rows(app, P(v));
}

static void dag_crumb(struct md_app *app, struct md_view *v, char *out, size_t n)
{
    snprintf(out, n, "%s%sdag", P(v)->label, app->term.g.sep);
}

static void dag_free(struct md_view *v)
{
    struct dag_view *d = P(v);
    if (!d)
        return;
    free(d->arn);
    free(d->label);
    cJSON_Delete(d->exec);
    cJSON_Delete(d->steps);
    md_dag_free(&d->g);
    free(d);
}

static const struct md_view_class dag_class = {
    .name = "dag",
    .ctx = MD_CTX_LIST,
    .draw = dag_draw,
    .action = dag_action,
    .changed = dag_changed,
    .crumb = dag_crumb,
    .free = dag_free,
    .key = dag_key,
    .event = dag_event,
};

struct md_view *md_dag_new(struct md_app *app, const char *exec_arn, const char *label)
{
    struct md_view *v = calloc(1, sizeof *v);
    struct dag_view *d = calloc(1, sizeof *d);
    if (!v || !d || !(d->arn = strdup(exec_arn)) || !(d->label = strdup(label ? label : exec_arn))) {
        if (d) {
            free(d->arn);
            free(d);
        }
        free(v);
        return NULL;
    }
    v->cls = &dag_class;
    v->priv = d;
    v->group = ++app->next_group;
    load_rows(app, d);
    /* ".../pipeline/NAME/execution/ID" */
    const char *p = strstr(exec_arn, ":pipeline/");
    if (p) {
        p += strlen(":pipeline/");
        const char *e = strchr(p, '/');
        snprintf(d->pipeline, sizeof d->pipeline, "%.*s", (int)(e ? e - p : (long)strlen(p)), p);
    }
    char key[1100], *def = NULL;
    struct md_err err;
    snprintf(key, sizeof key, DEF_META_PREFIX "%s", exec_arn);
    if (!app->settings->demo &&
        md_cache_meta_get(app->cache, &app->scope, key, &def, &err) == MD_OK && def) {
        set_definition(d, def, false);
        free(def);
        char *pv = NULL;
        snprintf(key, sizeof key, PARAMS_META_PREFIX "%s", exec_arn);
        if (md_cache_meta_get(app->cache, &app->scope, key, &pv, &err) == MD_OK && pv)
            snprintf(d->params, sizeof d->params, "%s", pv);
        free(pv);
    } else {
        request_definition(app, v);
    }
    request_refresh(app, v);
    return v;
}
