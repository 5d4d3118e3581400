/* MLflow on the command line: `mldeck ls experiments|runs|registered-models|
 * model-versions` (listers called by cmd_ls.c) and `mldeck metrics RUN_ID
 * KEY`.  Every backend (tracking server, SageMaker-managed server, mlruns
 * folder) goes through mlflow/client.h, so --json prints MLflow's own
 * objects alike.  Filters and order-by clauses are checked before anything
 * is sent. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/ls.h"
#include "mlflow/client.h"
#include "mlflow/filter.h"
#include "util/json.h"

#define MAX_LIST 64     /* repeatable flags */

struct opts {
    enum md_ls_format fmt;
    const char *filter;
    const char *order[MAX_LIST];
    size_t norder;
    const char *experiments[MAX_LIST];
    size_t nexperiments;
    const char *params[MAX_LIST];
    size_t nparams;
    const char *metrics[MAX_LIST];
    size_t nmetrics;
    const char *model;
    bool all_experiments;
    const char *view;
    long max;               /* 0 = everything */
    int page_size;
};

__attribute__((format(printf, 3, 4)))
static int usage_err(struct md_cli *cli, const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(cli->err, "mldeck %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(cli->err, fmt, ap);
    va_end(ap);
    fprintf(cli->err, " (see mldeck %s --help)\n", cmd);
    return MD_EXIT_USAGE;
}

static bool parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

/* Parses the flags `allowed` (a space-separated list) lists. */
static int parse_opts(struct md_cli *cli, const char *cmd, const char *allowed, int argc,
                      char **argv, struct opts *o, const char *help)
{
    memset(o, 0, sizeof *o);
    o->view = MD_MLFLOW_ACTIVE_ONLY;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        char flag[64];
        const char *val = NULL;
        const char *eq = strchr(a, '=');
        if (!strncmp(a, "--", 2) && eq && (size_t)(eq - a) < sizeof flag) {
            memcpy(flag, a, (size_t)(eq - a));
            flag[eq - a] = '\0';
            val = eq + 1;
        } else {
            snprintf(flag, sizeof flag, "%s", a);
        }
        if (!strcmp(flag, "--help") || !strcmp(flag, "-h")) {
            fprintf(cli->out, "%s", help);
            return -1;
        }
        char padded[80];
        snprintf(padded, sizeof padded, " %s ", flag);
        char allowed_padded[512];
        snprintf(allowed_padded, sizeof allowed_padded, " %s ", allowed);
        if (strncmp(flag, "--", 2) || !strstr(allowed_padded, padded))
            return usage_err(cli, cmd, "unknown argument '%s'", a);
        if (md_ls_format_flag(flag, &o->fmt))
            continue;
        bool needs = strcmp(flag, "--all") && strcmp(flag, "--deleted") &&
                     strcmp(flag, "--all-experiments");
        if (needs && !val) {
            if (i + 1 >= argc)
                return usage_err(cli, cmd, "%s needs a value", flag);
            val = argv[++i];
        }
        if (!strcmp(flag, "--filter")) {
            o->filter = val;
        } else if (!strcmp(flag, "--order-by")) {
            if (o->norder == MAX_LIST)
                return usage_err(cli, cmd, "too many %s", flag);
            o->order[o->norder++] = val;
        } else if (!strcmp(flag, "--experiment")) {
            if (o->nexperiments == MAX_LIST)
                return usage_err(cli, cmd, "too many %s", flag);
            o->experiments[o->nexperiments++] = val;
        } else if (!strcmp(flag, "--param")) {
            if (o->nparams == MAX_LIST)
                return usage_err(cli, cmd, "too many %s", flag);
            o->params[o->nparams++] = val;
        } else if (!strcmp(flag, "--metric")) {
            if (o->nmetrics == MAX_LIST)
                return usage_err(cli, cmd, "too many %s", flag);
            o->metrics[o->nmetrics++] = val;
        } else if (!strcmp(flag, "--model")) {
            o->model = val;
        } else if (!strcmp(flag, "--all-experiments")) {
            o->all_experiments = true;
        } else if (!strcmp(flag, "--all")) {
            o->view = MD_MLFLOW_ALL;
        } else if (!strcmp(flag, "--deleted")) {
            o->view = MD_MLFLOW_DELETED_ONLY;
        } else if (!strcmp(flag, "--max")) {
            if (!parse_long(val, 1, 100000000, &o->max))
                return usage_err(cli, cmd, "--max takes a positive number, not '%s'", val);
        } else if (!strcmp(flag, "--page-size")) {
            long n;
            if (!parse_long(val, 1, 50000, &n))
                return usage_err(cli, cmd, "--page-size takes 1..50000, not '%s'", val);
            o->page_size = (int)n;
        }
    }
    return 0;
}

static int open_client(struct md_cli *cli, struct md_mlflow **m)
{
    struct md_err err;
    if (md_mlflow_open_mfa(NULL, cli->settings, md_cli_mfa_prompt, NULL, m, &err) != MD_OK)
        return md_cli_fail(cli, &err);
    return 0;
}

/* Checks filter and order-by locally: a bad one is reported before any
 * request (experiment lookups included). */
static int check_expr(struct md_cli *cli, enum md_mlf_target t, const struct opts *o)
{
    struct md_mlf_filter f;
    struct md_mlf_order_by ob;
    struct md_err err;
    md_status st = md_mlf_filter_parse(o->filter, t, &f, &err);
    md_mlf_filter_free(&f);
    if (st == MD_OK && t != MD_MLF_MODELS) {
        st = md_mlf_order_parse(o->order, o->norder, t, &ob, &err);
        md_mlf_order_free(&ob);
    }
    if (st != MD_OK) {
        fprintf(cli->err, "mldeck: %s\n", err.msg);
        if (o->filter && strstr(err.msg, "filter column"))
            fprintf(cli->err, "  %s\n", o->filter);
        return md_cli_exit_code(st);
    }
    return 0;
}

/* Pages through a search until done or max rows; each item goes to out. */
typedef md_status (*search_fn)(struct md_mlflow *m, const struct md_mlflow_search *q,
                               cJSON **page, struct md_err *err);

static int page_all(struct md_cli *cli, struct md_mlflow *m, search_fn fn,
                    struct md_mlflow_search *q, const char *field, const struct opts *o,
                    struct md_ls_out *out)
{
    char *token = NULL;
    int rc = MD_EXIT_OK;
    for (;;) {
        q->page_token = token;
        if (o->max) {
            long left = o->max - md_ls_out_rows(out);
            if (left < q->max_results)
                q->max_results = (int)left;
        }
        cJSON *page;
        struct md_err err;
        md_status st = fn(m, q, &page, &err);
        if (st != MD_OK) {
            rc = md_cli_fail(cli, &err);
            break;
        }
        const cJSON *it;
        cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(page, field)) {
            if (md_ls_out_row(out, it) < 0) {
                fprintf(cli->err, "mldeck: out of memory\n");
                rc = MD_EXIT_ERROR;
                break;
            }
        }
        const char *next = md_json_str(page, "$.next_page_token", NULL);
        bool more = rc == MD_EXIT_OK && next && *next && (!token || strcmp(next, token)) &&
                    (!o->max || md_ls_out_rows(out) < o->max);
        free(token);
        token = more ? strdup(next) : NULL;
        cJSON_Delete(page);
        if (!token)
            break;
    }
    free(token);
    return rc;
}

/* Opens the client and writes every page of one search as kind k. */
static int list_all(struct md_cli *cli, const struct md_kind *k, search_fn fn,
                    struct md_mlflow_search *q, const char *field, const struct opts *o)
{
    struct md_mlflow *m;
    int rc;
    if ((rc = open_client(cli, &m)))
        return rc;
    struct md_ls_out *out = md_ls_out_begin(cli->out, k, o->fmt);
    rc = out ? page_all(cli, m, fn, q, field, o, out) : MD_EXIT_ERROR;
    if (rc == MD_EXIT_OK)
        md_ls_out_end(out);
    else
        md_ls_out_abort(out);
    md_mlflow_close(m);
    return rc;
}

/* ---- ls experiments ---------------------------------------------------------- */

static const char help_experiments[] =
    "usage: mldeck ls experiments [--all | --deleted] [--filter EXPR] [--order-by CLAUSE]...\n"
    "                             [--max N] [--json | --tsv]\n"
    "Lists the MLflow experiments of the tracking URI (--mlflow, MLFLOW_TRACKING_URI).\n"
    "  --all        include deleted experiments     --deleted  only deleted ones\n"
    "  --filter     MLflow search filter, e.g. \"name LIKE 'drone-%'\" or \"tags.team = 'cv'\"\n"
    "  --order-by   e.g. \"name ASC\", \"creation_time DESC\" (repeatable)\n"
    "  --json       MLflow Experiment objects     --tsv  tab-separated raw values\n";

int md_ls_experiments(struct md_cli *cli, const struct md_kind *k, int argc, char **argv)
{
    struct opts o;
    int rc = parse_opts(cli, "ls experiments",
                        "--all --deleted --filter --order-by --max --page-size --json --tsv",
                        argc, argv, &o, help_experiments);
    if (rc)
        return rc < 0 ? MD_EXIT_OK : rc;
    if ((rc = check_expr(cli, MD_MLF_EXPERIMENTS, &o)))
        return rc;
    struct md_mlflow_search q = {.filter = o.filter, .order_by = o.order, .norder = o.norder,
                                 .view_type = o.view,
                                 .max_results = o.page_size ? o.page_size : 1000};
    return list_all(cli, k, md_mlflow_search_experiments, &q, "experiments", &o);
}

/* ---- ls runs ------------------------------------------------------------------------ */

static const char help_runs[] =
    "usage: mldeck ls runs [--experiment NAME_OR_ID]... | --all-experiments\n"
    "                      [--filter EXPR] [--order-by CLAUSE]... [--all | --deleted]\n"
    "                      [--param KEY]... [--metric KEY]... [--max N] [--json | --tsv]\n"
    "Lists MLflow runs, paging through the server's results.\n"
    "  --experiment       by id or name (repeatable); default $MLFLOW_EXPERIMENT_ID or\n"
    "                     $MLFLOW_EXPERIMENT_NAME\n"
    "  --all-experiments  every active experiment\n"
    "  --filter           MLflow search filter, e.g.\n"
    "                     \"metrics.`metrics/mAP50B` > 0.5 and params.imgsz = '640'\"\n"
    "                     (keys with / or - in backticks); checked before sending\n"
    "  --order-by         e.g. \"metrics.`metrics/mAP50B` DESC\" (repeatable)\n"
    "  --all / --deleted  include / only deleted runs\n"
    "  --param, --metric  add a column for that param or latest metric value\n"
    "  --json             MLflow Run objects ({info, data, inputs})\n"
    "  --tsv              tab-separated raw values (epoch ms, NaN)\n";

static void free_ids(char **ids, size_t n);

/* *ids (caller frees with free_ids) is left NULL/0 on failure. */
static int resolve_experiments(struct md_cli *cli, struct md_mlflow *m, struct opts *o,
                               char ***ids, size_t *nids)
{
    struct md_err err;
    *ids = NULL;
    *nids = 0;
    if (o->all_experiments) {
        struct md_mlflow_search q = {.view_type = MD_MLFLOW_ACTIVE_ONLY, .max_results = 1000};
        char *token = NULL;
        for (;;) {
            q.page_token = token;
            cJSON *page;
            if (md_mlflow_search_experiments(m, &q, &page, &err) != MD_OK) {
                free(token);
                free_ids(*ids, *nids);
                *ids = NULL;
                *nids = 0;
                return md_cli_fail(cli, &err);
            }
            const cJSON *e;
            cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(page, "experiments")) {
                char **nv = realloc(*ids, (*nids + 1) * sizeof *nv);
                if (!nv)
                    break;
                *ids = nv;
                (*ids)[(*nids)++] = strdup(md_json_str(e, "$.experiment_id", ""));
            }
            const char *next = md_json_str(page, "$.next_page_token", NULL);
            char *nt = next && *next && (!token || strcmp(token, next)) ? strdup(next) : NULL;
            free(token);
            token = nt;
            cJSON_Delete(page);
            if (!token)
                break;
        }
        return 0;
    }
    const char *env_id = getenv("MLFLOW_EXPERIMENT_ID");
    const char *env_name = getenv("MLFLOW_EXPERIMENT_NAME");
    if (o->nexperiments == 0 && env_id && *env_id)
        o->experiments[o->nexperiments++] = env_id;
    else if (o->nexperiments == 0 && env_name && *env_name)
        o->experiments[o->nexperiments++] = env_name;
    if (o->nexperiments == 0) {
        fprintf(cli->err, "mldeck ls runs: which experiment? Give --experiment NAME_OR_ID or "
                          "--all-experiments (see mldeck ls experiments)\n");
        return MD_EXIT_USAGE;
    }
    *ids = calloc(o->nexperiments, sizeof **ids);
    for (size_t i = 0; *ids && i < o->nexperiments; i++) {
        cJSON *e;
        if (md_mlflow_find_experiment(m, o->experiments[i], &e, &err) != MD_OK) {
            free_ids(*ids, *nids);
            *ids = NULL;
            *nids = 0;
            return md_cli_fail(cli, &err);
        }
        (*ids)[(*nids)++] = strdup(md_json_str(e, "$.experiment_id", ""));
        cJSON_Delete(e);
    }
    return 0;
}

static void free_ids(char **ids, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
}

/* A JSON path for data.<list>[?key=K].value; keys with ']' cannot be addressed. */
static int add_kv_column(struct md_ls_out *out, const char *list, const char *key,
                         enum md_fmt fmt)
{
    if (strchr(key, ']'))
        return -1;
    char path[600];
    snprintf(path, sizeof path, "$.data.%s[?key=%s].value", list, key);
    return md_ls_out_add_column(out, key, path, fmt);
}

int md_ls_runs(struct md_cli *cli, const struct md_kind *k, int argc, char **argv)
{
    struct opts o;
    int rc = parse_opts(cli, "ls runs",
                        "--experiment --all-experiments --filter --order-by --all --deleted "
                        "--param --metric --max --page-size --json --tsv",
                        argc, argv, &o, help_runs);
    if (rc)
        return rc < 0 ? MD_EXIT_OK : rc;
    if (o.all_experiments && o.nexperiments)
        return usage_err(cli, "ls runs", "%s", "--experiment and --all-experiments exclude "
                                               "each other");
    if ((rc = check_expr(cli, MD_MLF_RUNS, &o)))
        return rc;
    struct md_mlflow *m;
    if ((rc = open_client(cli, &m)))
        return rc;
    char **ids;
    size_t nids;
    if ((rc = resolve_experiments(cli, m, &o, &ids, &nids))) {
        md_mlflow_close(m);
        return rc;
    }
    struct md_ls_out *out = md_ls_out_begin(cli->out, k, o.fmt);
    for (size_t i = 0; out && i < o.nparams; i++)
        if (add_kv_column(out, "params", o.params[i], MD_FMT_TEXT) < 0)
            fprintf(cli->err, "mldeck: cannot show param '%s'\n", o.params[i]);
    for (size_t i = 0; out && i < o.nmetrics; i++)
        if (add_kv_column(out, "metrics", o.metrics[i], MD_FMT_FLOAT) < 0)
            fprintf(cli->err, "mldeck: cannot show metric '%s'\n", o.metrics[i]);
    if (nids == 0) {
        rc = MD_EXIT_OK;    /* no experiment: nothing to list */
    } else if (out) {
        struct md_mlflow_search q = {.filter = o.filter, .order_by = o.order,
                                     .norder = o.norder, .view_type = o.view,
                                     .max_results = o.page_size ? o.page_size : 1000,
                                     .experiment_ids = (const char *const *)ids,
                                     .nexperiments = nids};
        rc = page_all(cli, m, md_mlflow_search_runs, &q, "runs", &o, out);
    } else {
        rc = MD_EXIT_ERROR;
    }
    if (rc == MD_EXIT_OK)
        md_ls_out_end(out);
    else
        md_ls_out_abort(out);
    free_ids(ids, nids);
    md_mlflow_close(m);
    return rc;
}

/* ---- registry -------------------------------------------------------------------------- */

static const char help_models[] =
    "usage: mldeck ls registered-models [--filter EXPR] [--max N] [--json | --tsv]\n"
    "Lists the MLflow model registry.  --filter e.g. \"name LIKE 'drone%'\".\n";

int md_ls_registered_models(struct md_cli *cli, const struct md_kind *k, int argc, char **argv)
{
    struct opts o;
    int rc = parse_opts(cli, "ls registered-models", "--filter --max --page-size --json --tsv",
                        argc, argv, &o, help_models);
    if (rc)
        return rc < 0 ? MD_EXIT_OK : rc;
    if ((rc = check_expr(cli, MD_MLF_MODELS, &o)))
        return rc;
    struct md_mlflow_search q = {.filter = o.filter,
                                 .max_results = o.page_size ? o.page_size : 1000};
    return list_all(cli, k, md_mlflow_search_registered_models, &q, "registered_models", &o);
}

static const char help_versions[] =
    "usage: mldeck ls model-versions [--model NAME | --filter EXPR] [--max N] [--json | --tsv]\n"
    "Lists model versions (of one registered model with --model).\n";

int md_ls_model_versions(struct md_cli *cli, const struct md_kind *k, int argc, char **argv)
{
    struct opts o;
    int rc = parse_opts(cli, "ls model-versions",
                        "--model --filter --max --page-size --json --tsv", argc, argv, &o,
                        help_versions);
    if (rc)
        return rc < 0 ? MD_EXIT_OK : rc;
    char filter[1024];
    if (o.model) {
        if (o.filter)
            return usage_err(cli, "ls model-versions", "%s", "--model and --filter exclude "
                                                            "each other");
        if (strchr(o.model, '\''))
            return usage_err(cli, "ls model-versions", "model name %s has a quote", o.model);
        snprintf(filter, sizeof filter, "name = '%s'", o.model);
        o.filter = filter;
    }
    if ((rc = check_expr(cli, MD_MLF_MODELS, &o)))
        return rc;
    struct md_mlflow_search q = {.filter = o.filter,
                                 .max_results = o.page_size ? o.page_size : 1000};
    return list_all(cli, k, md_mlflow_search_model_versions, &q, "model_versions", &o);
}

/* ---- metrics ------------------------------------------------------------------------------- */

static const char help_metrics[] =
    "usage: mldeck metrics RUN_ID KEY [--json | --tsv]\n"
    "Prints the whole history of one metric of a run (every page), e.g.\n"
    "  mldeck metrics 0d93fe22a2b54a379b84578a055d4bff metrics/mAP50B\n"
    "NaN values (a diverged run) print as NaN.  --json: MLflow Metric objects\n"
    "{key, value, timestamp, step}; --tsv: step, timestamp (epoch ms), value.\n";

static void fmt_ms(double ms, char *out, size_t n)
{
    time_t s = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&s, &tm);
    char d[40];
    strftime(d, sizeof d, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, n, "%s.%03dZ", d, (int)fmod(ms, 1000));
}

int md_cmd_metrics(struct md_cli *cli, int argc, char **argv)
{
    if (argc > 1 && md_kind_find(argv[1]) == md_kind_find("training-jobs"))
        return md_cli_training_metrics(cli, argc, argv);
    enum md_ls_format fmt = MD_LS_TABLE;
    const char *pos[2];
    int npos = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fprintf(cli->out, "%s", help_metrics);
            return MD_EXIT_OK;
        }
        if (md_ls_format_flag(argv[i], &fmt))
            continue;
        if (argv[i][0] == '-' && argv[i][1] == '-')
            return usage_err(cli, "metrics", "unknown argument '%s'", argv[i]);
        if (npos == 2)
            return usage_err(cli, "metrics", "unexpected argument '%s'", argv[i]);
        pos[npos++] = argv[i];
    }
    if (npos != 2) {
        fprintf(cli->err, "%s", help_metrics);
        return MD_EXIT_USAGE;
    }
    struct md_mlflow *m;
    int rc;
    if ((rc = open_client(cli, &m)))
        return rc;
    cJSON *pts;
    struct md_err err;
    if (md_mlflow_metric_history(m, pos[0], pos[1], &pts, &err) != MD_OK) {
        rc = md_cli_fail(cli, &err);
        md_mlflow_close(m);
        return rc;
    }
    const cJSON *p;
    if (fmt == MD_LS_JSON) {
        bool first = true;
        cJSON_ArrayForEach(p, pts) {
            char *s = cJSON_PrintUnformatted(p);
            fprintf(cli->out, "%s%s", first ? "[\n" : ",\n", s ? s : "null");
            free(s);
            first = false;
        }
        fprintf(cli->out, "%s", first ? "[]\n" : "\n]\n");
    } else {
        fprintf(cli->out, fmt == MD_LS_TSV ? "step\ttimestamp\tvalue\n"
                                           : "STEP    TIMESTAMP                 VALUE\n");
        cJSON_ArrayForEach(p, pts) {
            double step = md_json_num(p, "$.step", 0), ts = md_json_num(p, "$.timestamp", 0);
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(p, "value");
            char val[64];
            if (cJSON_IsNumber(v))
                snprintf(val, sizeof val, "%.17g", v->valuedouble);
            else
                snprintf(val, sizeof val, "%s", cJSON_IsString(v) ? v->valuestring : "");
            /* shortest text that reads back the same double */
            if (cJSON_IsNumber(v))
                for (int prec = 1; prec <= 17; prec++) {
                    snprintf(val, sizeof val, "%.*g", prec, v->valuedouble);
                    if (strtod(val, NULL) == v->valuedouble)
                        break;
                }
            if (fmt == MD_LS_TSV) {
                fprintf(cli->out, "%.0f\t%.0f\t%s\n", step, ts, val);
            } else {
                char t[48];
                fmt_ms(ts, t, sizeof t);
                fprintf(cli->out, "%-7.0f %-25s %s\n", step, t, val);
            }
        }
    }
    if (cJSON_GetArraySize(pts) == 0 && fmt == MD_LS_TABLE)
        fprintf(cli->err, "mldeck: run %s has no metric '%s'\n", pos[0], pos[1]);
    cJSON_Delete(pts);
    md_mlflow_close(m);
    return MD_EXIT_OK;
}
