/* SageMaker commands: ls of the SageMaker kinds, describe, the execution
 * and job actions, and pipeline upsert.  Each refreshes the cache through
 * the SageMaker provider and prints from the cache, so the CLI prints what
 * the screen shows.  Every mutating call asks first (or takes --yes) and
 * goes through md_action_run: read-only gate and audit log. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "action/action.h"
#include "app/action_job.h"
#include "app/workspace.h"
#include "local/demo.h"
#include "aws/client.h"
#include "aws/pipeline_params.h"
#include "aws/sagemaker.h"
#include "cli/cli.h"
#include "cli/ls.h"
#include "kind/kind.h"
#include "net/http.h"
#include "util/json.h"

/* What one SageMaker command works with: the workspace (under --demo the
 * demo cache, which needs no refresh and refuses every action). */
struct sm_cli {
    struct md_cli *cli;
    struct md_workspace ws;
    struct md_cache *cache;
    struct md_scope scope;
    struct md_sm_ctx x;
    void *curl;
};

static md_status sm_open_cache(struct md_sm_ctx *x, struct md_err *err);

/* later_cache: a listing, whose refresh opens the cache (sm_open_cache)
 * once its first request went out. */
static md_status sm_open_flags(struct md_cli *cli, struct sm_cli *s, bool later_cache,
                               struct md_err *err)
{
    memset(s, 0, sizeof *s);
    s->cli = cli;
    unsigned flags = cli->settings->demo ? 0 : MD_WS_NEED_AWS;
    if (later_cache)
        flags |= MD_WS_LATER_CACHE;
    md_status st = md_workspace_open(cli->settings, flags, &s->ws, err);
    if (st != MD_OK)
        return st;
    if (s->ws.warning[0])
        fprintf(cli->err, "mldeck: %s\n", s->ws.warning);
    s->cache = s->ws.cache;
    s->scope = s->ws.scope;
    /* One handle for the whole command: its connection is kept between
     * pages and describes, as a worker keeps its own. */
    s->curl = md_http_handle_new();
    s->x = (struct md_sm_ctx){s->ws.aws, cli->settings, s->cache, &s->scope, s->curl, NULL, NULL};
    s->x.open_cache = sm_open_cache;
    s->x.open_cache_ctx = s;
    return MD_OK;
}

static md_status sm_open(struct md_cli *cli, struct sm_cli *s, struct md_err *err)
{
    return sm_open_flags(cli, s, false, err);
}

static md_status sm_open_cache(struct md_sm_ctx *x, struct md_err *err)
{
    struct sm_cli *s = x->open_cache_ctx;
    if (s->cache)
        return MD_OK;
    md_status st = md_workspace_open_cache(&s->ws, err);
    if (st != MD_OK)
        return st;
    const char *w = md_cache_warning(s->ws.cache);
    if (w && *w)
        fprintf(s->cli->err, "mldeck: %s\n", w);
    s->cache = x->cache = s->ws.cache;
    return MD_OK;
}

static void sm_close(struct sm_cli *s)
{
    md_http_handle_free(s->curl);
    s->curl = NULL;
    md_workspace_close(&s->ws);
}

static int sm_fail(struct sm_cli *s, struct md_cli *cli, const struct md_err *err)
{
    int rc = md_cli_fail(cli, err);
    sm_close(s);
    return rc;
}

/* ---- ls ------------------------------------------------------------------ */

struct ls_opts {
    const char *pipeline, *execution, *schedule, *status;
    enum md_ls_format fmt;
    bool cached, full;
};

struct status_filter {
    struct md_ls_out *out;
    const struct md_kind *k;
    const char *status;
};

/* Writes a cached row, keeping only the asked status (case-insensitive). */
static int status_filter_fn(void *ctx, const struct md_cache_row *row)
{
    struct status_filter *f = ctx;
    if (!f->status || !f->k->status_path) {
        md_ls_out_json_text(f->out, row->json);
        return 0;
    }
    cJSON *j = cJSON_Parse(row->json);
    if (!j)
        return 0;
    const char *st = f->k->status_path ? md_json_str(j, f->k->status_path, "") : "";
    if (!f->status || strcasecmp(st, f->status) == 0)
        md_ls_out_row(f->out, j);
    cJSON_Delete(j);
    return 0;
}

static md_status print_kind(struct sm_cli *s, const struct md_kind *k, const char *parent,
                            const struct ls_opts *o, struct md_err *err)
{
    const struct md_column *sort = k->ncolumns ? &k->columns[k->sort_column] : NULL;
    /* Indexed as the screen's workers index it, so that the query walks
     * the index instead of reading every row's JSON to sort it; made once
     * (IF NOT EXISTS), at about the cost of the one sort it replaces. */
    if (sort && sort->path && sort->path[0] && !s->ws.demo) {
        struct md_err ie;
        md_cache_index_paths(s->cache, k->name, &sort->path, 1, &ie);
    }
    struct md_cache_query q = {
        .kind = k->name, .parent = parent,
        .sort_path = sort ? sort->path : NULL, .sort_desc = k->sort_desc,
    };
    struct status_filter f = {md_ls_out_begin(s->cli->out, k, o->fmt), k, o->status};
    if (!f.out)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    md_status st = md_cache_query(s->cache, &s->scope, &q, status_filter_fn, &f, err);
    md_ls_out_end(f.out);
    return st;
}

/* What print_kind would print, from the objects just listed: md_sm_list
 * hands them over only when they are exactly the cache's rows in the
 * cache's order, so reading them back is not needed. */
static md_status print_listed(struct sm_cli *s, const struct md_kind *k,
                              const struct md_sm_listed *l, const struct ls_opts *o,
                              struct md_err *err)
{
    struct status_filter f = {md_ls_out_begin(s->cli->out, k, o->fmt), k, o->status};
    if (!f.out)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < l->n; i++) {
        struct md_cache_row row = {k->name, "", "", l->json[i], 0};
        status_filter_fn(&f, &row);
    }
    md_ls_out_end(f.out);
    return MD_OK;
}

static const char *ls_parent(const struct md_kind *k, const struct ls_opts *o)
{
    if (!strcmp(k->name, "pipeline-executions"))
        return o->pipeline;
    if (!strcmp(k->name, "pipeline-steps"))
        return o->execution;
    if (!strcmp(k->name, "monitoring-executions"))
        return o->schedule;
    return NULL;
}

/* Executions of every pipeline when no --pipeline is given: the parents
 * come from the (just refreshed) pipelines in the cache. */
struct parents { char **v; size_t n, cap; };

static int collect_parent(void *ctx, const struct md_cache_row *row)
{
    struct parents *p = ctx;
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 16;
        char **v = realloc(p->v, cap * sizeof *v);
        if (!v)
            return 1;
        p->v = v;
        p->cap = cap;
    }
    p->v[p->n++] = strdup(row->id);
    return 0;
}

int md_cli_ls_sagemaker(struct md_cli *cli, const struct md_kind *k, int argc, char **argv)
{
    struct ls_opts o = {0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **dst = !strcmp(a, "--pipeline") ? &o.pipeline
                         : !strcmp(a, "--execution") ? &o.execution
                         : !strcmp(a, "--schedule") ? &o.schedule
                         : !strcmp(a, "--status") ? &o.status : NULL;
        if (dst) {
            if (++i >= argc) {
                fprintf(cli->err, "mldeck: %s needs a value\n", a);
                return MD_EXIT_USAGE;
            }
            *dst = argv[i];
        } else if (md_ls_format_flag(a, &o.fmt)) {
        } else if (!strcmp(a, "--cached")) {
            o.cached = true;
        } else if (!strcmp(a, "--full")) {
            o.full = true;
        } else {
            fprintf(cli->err, "mldeck: ls %s: unknown option '%s'\n", k->name, a);
            return MD_EXIT_USAGE;
        }
    }
    if (!strcmp(k->name, "pipeline-steps") && !o.execution) {
        fprintf(cli->err, "mldeck: ls steps needs --execution ARN\n");
        return MD_EXIT_USAGE;
    }
    if (!strcmp(k->name, "monitoring-executions") && !o.schedule) {
        fprintf(cli->err, "mldeck: ls monitoring-executions needs --schedule NAME\n");
        return MD_EXIT_USAGE;
    }
    struct sm_cli s;
    struct md_err err;
    if (sm_open_flags(cli, &s, !o.cached && !cli->settings->demo, &err) != MD_OK)
        return sm_fail(&s, cli, &err);
    const char *parent = ls_parent(k, &o);
    md_status st = MD_OK;
    s.x.list_only = true;   /* print the list call's objects: no describes */
    struct md_sm_listed listed = {0};
    if (!o.cached && !s.ws.demo) {
        if (!strcmp(k->name, "pipeline-executions") && !parent) {
            st = md_sm_refresh(&s.x, "pipelines", NULL, o.full, NULL, &err);
            struct parents ps = {0};
            struct md_cache_query q = {.kind = "pipelines"};
            if (st == MD_OK)
                st = md_cache_query(s.cache, &s.scope, &q, collect_parent, &ps, &err);
            for (size_t i = 0; i < ps.n; i++) {
                if (st == MD_OK)
                    st = md_sm_refresh(&s.x, k->name, ps.v[i], o.full, NULL, &err);
                free(ps.v[i]);
            }
            free(ps.v);
        } else {
            st = md_sm_list(&s.x, k->name, parent, o.full, &listed, &err);
        }
    }
    if (st == MD_OK && listed.json)
        st = print_listed(&s, k, &listed, &o, &err);
    else if (st == MD_OK && (st = sm_open_cache(&s.x, &err)) == MD_OK)
        st = print_kind(&s, k, parent, &o, &err);
    md_sm_listed_free(&listed);
    if (st != MD_OK)
        return sm_fail(&s, cli, &err);
    sm_close(&s);
    return MD_EXIT_OK;
}

/* ---- describe -------------------------------------------------------------- */

int md_cli_describe_sagemaker(struct md_cli *cli, const struct md_kind *k, const char *id,
                              bool cached)
{
    struct sm_cli s;
    struct md_err err;
    if (sm_open(cli, &s, &err) != MD_OK)
        return sm_fail(&s, cli, &err);
    cJSON *obj = NULL;
    md_status st = MD_OK;
    if (!cached && !s.ws.demo) {
        char rid[80];
        st = md_sm_action(&s.x, k->name, id, "describe", NULL, &obj, rid, &err);
    }
    if (st == MD_OK && !obj) {
        char *json = NULL;
        long long at;
        st = md_cache_get(s.cache, &s.scope, k->name, id, &json, &at, &err);
        if (st == MD_OK)
            obj = cJSON_Parse(json);
        free(json);
    }
    if (st != MD_OK)
        return sm_fail(&s, cli, &err);
    char *text = cJSON_Print(obj);
    fprintf(cli->out, "%s\n", text ? text : "{}");
    cJSON_free(text);
    cJSON_Delete(obj);
    sm_close(&s);
    return MD_EXIT_OK;
}

/* ---- actions --------------------------------------------------------------- */



struct sm_action_call {
    struct sm_cli *s;
    const char *action;
    char *account;          /* the audit scope's account, learnt from the reply's ARN */
};

static md_status run_sm_action(void *ctx, const struct md_action_req *req, cJSON **result,
                               char *request_id, struct md_err *err)
{
    struct sm_action_call *c = ctx;
    md_status st = md_sm_action(&c->s->x, req->kind->name, req->target, c->action, req->params,
                                result, request_id, err);
    if (st == MD_OK && !c->account[0] && result && *result)
        md_arn_account(md_json_str(*result, "$.PipelineExecutionArn", NULL), c->account, 32);
    return st;
}

/* Runs one action; `open` is a workspace the caller already opened (NULL:
 * open one here, only once the action is confirmed). */
static int do_action(struct md_cli *cli, struct sm_cli *open, const char *kindname,
                     const char *actname, const char *target, cJSON *params, bool yes,
                     bool show_request)
{
    const struct md_kind *k = md_kind_find(kindname);
    const struct md_action *a = k ? md_kind_action_by_name(k, actname) : NULL;
    if (!a) {
        fprintf(cli->err, "mldeck: %s has no action %s\n", kindname, actname);
        cJSON_Delete(params);
        return MD_EXIT_USAGE;
    }
    struct md_action_req req = {k, a, target, params};
    struct md_err err;
    /* Refuse read-only before opening anything or asking anything. */
    if (md_action_gate(cli->settings, &req, &err) != MD_OK) {
        cJSON_Delete(params);
        return md_cli_fail(cli, &err);
    }
    if (show_request && params) {
        char *text = cJSON_Print(params);
        fprintf(cli->err, "%s %s\n%s\n", a->label, target, text ? text : "");
        cJSON_free(text);
    }
    if (cli->settings->demo) {
        md_demo_refuse(kindname, a->name, &err);
        cJSON_Delete(params);
        return md_cli_fail(cli, &err);
    }
    char q[1024];
    snprintf(q, sizeof q, "%s %s?", a->label, target);
    if (a->confirm && !yes && !md_cli_confirm(cli, q)) {
        cJSON_Delete(params);
        return MD_EXIT_REFUSED;
    }
    struct sm_cli own, *s = open ? open : &own;
    if (!open && sm_open(cli, &own, &err) != MD_OK) {
        cJSON_Delete(params);
        return sm_fail(&own, cli, &err);
    }
    char account[32];
    md_arn_account(target, account, sizeof account);
    struct md_action_scope scope = {s->scope.profile, account, s->scope.region};
    struct sm_action_call call = {s, actname, account};
    cJSON *result = NULL;
    md_status st = md_action_run(cli->settings, &scope, &req, run_sm_action, &call, &result, &err);
    cJSON_Delete(params);
    if (st != MD_OK) {
        cJSON_Delete(result);
        if (open)
            return md_cli_fail(cli, &err);
        return sm_fail(&own, cli, &err);
    }
    if (err.code != MD_OK) {
        char line[600];
        fprintf(cli->err, "mldeck: warning: %s\n", md_err_line(&err, line, sizeof line));
    }
    char *text = result ? cJSON_Print(result) : NULL;
    if (text)
        fprintf(cli->out, "%s\n", text);
    cJSON_free(text);
    cJSON_Delete(result);
    if (!open)
        sm_close(&own);
    return MD_EXIT_OK;
}

static int usage(struct md_cli *cli, const char *u)
{
    fprintf(cli->err, "usage: mldeck %s\n", u);
    return MD_EXIT_USAGE;
}

/* Reads the pipeline's definition and turns -p name=value into typed
 * PipelineParameters (clear errors before anything is sent). */
static md_status build_params(struct md_cli *cli, struct sm_cli *s, const char *pipeline,
                              char **assigns, size_t nassigns, cJSON **out, struct md_err *err)
{
    struct md_aws_client c;
    struct md_endpoint ep;
    struct md_http_opts http;
    md_status st = md_aws_client_init(&c, s->ws.aws, cli->settings, "sagemaker", s->curl, NULL,
                                      NULL, &ep, &http, err);
    cJSON *in = cJSON_CreateObject(), *desc = NULL;
    cJSON_AddStringToObject(in, "PipelineName", pipeline);
    if (st == MD_OK)
        st = md_aws_json_call(&c, "SageMaker", "DescribePipeline", "1.1", in, &desc, err);
    cJSON_Delete(in);
    struct md_pipeline_params pp = {0};
    if (st == MD_OK)
        st = md_pipeline_params_parse(md_json_str(desc, "$.PipelineDefinition", ""), &pp, err);
    if (st == MD_OK)
        st = md_pipeline_params_build(&pp, assigns, nassigns, out, err);
    md_pipeline_params_free(&pp);
    cJSON_Delete(desc);
    return st;
}

int md_cmd_start_execution(struct md_cli *cli, int argc, char **argv)
{
    const char *u = "start-execution PIPELINE [-p NAME=VALUE]... [--display-name N] "
                    "[--description D] [--yes]";
    const char *pipeline = NULL, *display = NULL, *descr = NULL;
    bool yes = false;
    char **assigns = calloc((size_t)argc, sizeof *assigns);
    size_t nassigns = 0;
    if (!assigns)
        return MD_EXIT_ERROR;
    for (int i = 1; i < argc; i++) {
        if ((!strcmp(argv[i], "-p") || !strcmp(argv[i], "--parameter")) && i + 1 < argc)
            assigns[nassigns++] = argv[++i];
        else if (!strcmp(argv[i], "--display-name") && i + 1 < argc)
            display = argv[++i];
        else if (!strcmp(argv[i], "--description") && i + 1 < argc)
            descr = argv[++i];
        else if (!strcmp(argv[i], "--yes") || !strcmp(argv[i], "-y"))
            yes = true;
        else if (argv[i][0] != '-' && !pipeline)
            pipeline = argv[i];
        else {
            free(assigns);
            return usage(cli, u);
        }
    }
    if (!pipeline) {
        free(assigns);
        return usage(cli, u);
    }
    struct md_err err;
    /* The read-only gate comes first: no call at all, not even a describe. */
    const struct md_kind *k = md_kind_find("pipelines");
    struct md_action_req gate = {k, md_kind_action_by_name(k, "start-execution"), pipeline, NULL};
    if (gate.action && md_action_gate(cli->settings, &gate, &err) != MD_OK) {
        free(assigns);
        return md_cli_fail(cli, &err);
    }
    if (cli->settings->demo) {
        free(assigns);
        md_demo_refuse("pipelines", "start-execution", &err);
        return md_cli_fail(cli, &err);
    }
    cJSON *pp = NULL;
    /* One workspace for the definition read and the launch. */
    struct sm_cli s;
    md_status st = sm_open(cli, &s, &err);
    if (st == MD_OK)
        st = build_params(cli, &s, pipeline, assigns, nassigns, &pp, &err);
    free(assigns);
    if (st != MD_OK)
        return sm_fail(&s, cli, &err);
    cJSON *params = cJSON_CreateObject();
    if (cJSON_GetArraySize(pp) > 0)
        cJSON_AddItemToObject(params, "PipelineParameters", pp);
    else
        cJSON_Delete(pp);
    if (display)
        cJSON_AddStringToObject(params, "PipelineExecutionDisplayName", display);
    if (descr)
        cJSON_AddStringToObject(params, "PipelineExecutionDescription", descr);
    char tok[37];
    md_aws_idempotency_token(tok);
    cJSON_AddStringToObject(params, "ClientRequestToken", tok);
    int rc = do_action(cli, &s, "pipelines", "start-execution", pipeline, params, yes, true);
    sm_close(&s);
    return rc;
}

/* stop-execution, retry-execution, stop-training-job...: KIND-less verbs
 * whose target is one object. */
int md_cmd_sm_verb(struct md_cli *cli, int argc, char **argv)
{
    static const struct { const char *cmd, *kind, *action; } verbs[] = {
        {"stop-execution", "pipeline-executions", "stop-execution"},
        {"retry-execution", "pipeline-executions", "retry-execution"},
        {"stop-training-job", "training-jobs", "stop-training-job"},
        {"stop-processing-job", "processing-jobs", "stop-processing-job"},
        {"stop-labeling-job", "labeling-jobs", "stop-labeling-job"},
    };
    const char *target = NULL;
    bool yes = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--yes") || !strcmp(argv[i], "-y"))
            yes = true;
        else if (argv[i][0] != '-' && !target)
            target = argv[i];
        else
            target = NULL, i = argc;
    }
    for (size_t v = 0; v < sizeof verbs / sizeof verbs[0]; v++) {
        if (strcmp(argv[0], verbs[v].cmd) != 0)
            continue;
        if (!target) {
            fprintf(cli->err, "usage: mldeck %s %s [--yes]\n", verbs[v].cmd,
                    !strcmp(verbs[v].kind, "pipeline-executions") ? "EXECUTION_ARN" : "NAME");
            return MD_EXIT_USAGE;
        }
        return do_action(cli, NULL, verbs[v].kind, verbs[v].action, target, NULL, yes, false);
    }
    return MD_EXIT_USAGE;
}
