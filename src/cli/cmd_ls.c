/* mldeck ls KIND: finds the kind (name or alias, src/kind) and hands the
 * rest of the line to that kind's lister.  A new backend adds one line to
 * the table below. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "app/workspace.h"
#include "cli/ls.h"
#include "util/buf.h"
#include "util/json.h"

static const struct {
    const char *kind;       /* canonical kind name (kinds.c) */
    md_ls_fn fn;
} listers[] = {
    {"experiments", md_ls_experiments},
    {"runs", md_ls_runs},
    {"registered-models", md_ls_registered_models},
    {"model-versions", md_ls_model_versions},
    {"pipelines", md_cli_ls_sagemaker},
    {"pipeline-executions", md_cli_ls_sagemaker},
    {"pipeline-steps", md_cli_ls_sagemaker},
    {"training-jobs", md_cli_ls_sagemaker},
    {"processing-jobs", md_cli_ls_sagemaker},
    {"labeling-jobs", md_cli_ls_sagemaker},
    {"monitoring-schedules", md_cli_ls_sagemaker},
    {"monitoring-executions", md_cli_ls_sagemaker},
    {"endpoints", md_cli_ls_sagemaker},
    {"tracking-servers", md_cli_ls_sagemaker},
};

static void ls_usage(FILE *f)
{
    fprintf(f, "usage: mldeck ls KIND [OPTIONS] [--json|--tsv]\n\nKinds with a lister:\n");
    for (size_t i = 0; i < sizeof listers / sizeof listers[0]; i++) {
        const struct md_kind *k = md_kind_find(listers[i].kind);
        fprintf(f, "  %-20s %s\n", listers[i].kind, k && k->summary ? k->summary : "");
    }
    fprintf(f, "\nmldeck ls KIND --help shows the options of one kind.\n");
}

/* Under --demo every kind is listed from the demo workspace's cache: the
 * listers' parent flags name the parent row (an experiment by id or name,
 * a pipeline, an execution, a schedule, a model). */
struct demo_ls {
    struct md_ls_out *out;
    const char *name;           /* experiments matched by name */
    char *found;
    bool deleted;               /* --all: MLflow's deleted experiments and runs too */
    const struct md_kind *k;
    const char *status;         /* --status: keep this status only (any case) */
};

static int demo_row(void *ctx, const struct md_cache_row *row)
{
    struct demo_ls *d = ctx;
    if (!d->deleted && strstr(row->json, "\"deleted\"")) {
        cJSON *j = cJSON_Parse(row->json);
        bool gone = !strcmp(md_json_str(j, "$.lifecycle_stage", ""), "deleted") ||
                    !strcmp(md_json_str(j, "$.info.lifecycle_stage", ""), "deleted");
        cJSON_Delete(j);
        if (gone)
            return 0;
    }
    if (d->status && d->k->status_path) {
        cJSON *j = cJSON_Parse(row->json);
        bool keep = !strcasecmp(md_json_str(j, d->k->status_path, ""), d->status);
        cJSON_Delete(j);
        if (!keep)
            return 0;
    }
    md_ls_out_json_text(d->out, row->json);
    return 0;
}

static int demo_find(void *ctx, const struct md_cache_row *row)
{
    struct demo_ls *d = ctx;
    cJSON *j = cJSON_Parse(row->json);
    const char *name = md_json_str(j, "$.name", "");
    if (!d->found && (!strcmp(name, d->name) || !strcmp(row->id, d->name)))
        d->found = strdup(row->id);
    cJSON_Delete(j);
    return d->found != NULL;
}

static int ls_demo(struct md_cli *cli, const struct md_kind *k, int argc, char **argv)
{
    static const char *const parent_flags[] = {"--experiment", "--pipeline", "--execution",
                                               "--schedule", "--model", NULL};
    enum md_ls_format fmt = MD_LS_TABLE;
    const char *parent = NULL;
    bool deleted = false;
    const char *status = NULL;
    for (int i = 1; i < argc; i++) {
        bool pf = false;
        if (!strcmp(argv[i], "--status") && i + 1 < argc) {
            status = argv[++i];
            continue;
        }
        if (!strcmp(argv[i], "--all") || !strcmp(argv[i], "--deleted"))
            deleted = true;
        for (int f = 0; parent_flags[f]; f++)
            if (!strcmp(argv[i], parent_flags[f]) && i + 1 < argc) {
                parent = argv[++i];
                pf = true;
            }
        if (pf || md_ls_format_flag(argv[i], &fmt) || !strcmp(argv[i], "--all-experiments") ||
            !strcmp(argv[i], "--all") || !strcmp(argv[i], "--deleted") ||
            !strcmp(argv[i], "--cached"))
            continue;
        fprintf(cli->err, "mldeck ls %s: '%s' is not available with --demo\n", k->name, argv[i]);
        return MD_EXIT_USAGE;
    }
    struct md_workspace ws;
    struct md_err err;
    if (md_workspace_open(cli->settings, 0, &ws, &err) != MD_OK)
        return md_cli_fail(cli, &err);
    char *pid = NULL;
    if (parent && k->parent && !strcmp(k->parent, "experiments")) {
        struct demo_ls d = {NULL, parent, NULL, true, k, NULL};
        struct md_cache_query q = {.kind = "experiments"};
        md_cache_query(ws.cache, &ws.scope, &q, demo_find, &d, &err);
        pid = d.found;
    }
    const struct md_column *sort = k->ncolumns ? &k->columns[k->sort_column] : NULL;
    struct md_cache_query q = {.kind = k->name, .parent = pid ? pid : parent,
                               .sort_path = sort ? sort->path : NULL, .sort_desc = k->sort_desc};
    struct demo_ls d = {md_ls_out_begin(cli->out, k, fmt), NULL, NULL, deleted, k, status};
    md_status st = d.out ? md_cache_query(ws.cache, &ws.scope, &q, demo_row, &d, &err)
                         : md_err_set(&err, MD_ERR_NOMEM, "out of memory");
    if (d.out)
        md_ls_out_end(d.out);
    free(pid);
    md_workspace_close(&ws);
    return st == MD_OK ? MD_EXIT_OK : md_cli_fail(cli, &err);
}

int md_cmd_ls(struct md_cli *cli, int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        ls_usage(argc < 2 ? cli->err : cli->out);
        return argc < 2 ? MD_EXIT_USAGE : MD_EXIT_OK;
    }
    const struct md_kind *k = md_kind_find(argv[1]);
    if (!k) {
        fprintf(cli->err, "mldeck ls: unknown kind '%s'\n", argv[1]);
        ls_usage(cli->err);
        return MD_EXIT_USAGE;
    }
    if (cli->settings->demo)
        return ls_demo(cli, k, argc - 1, argv + 1);
    for (size_t i = 0; i < sizeof listers / sizeof listers[0]; i++)
        if (!strcmp(listers[i].kind, k->name))
            return listers[i].fn(cli, k, argc - 1, argv + 1);
    fprintf(cli->err, "mldeck ls: no command-line lister for '%s' yet\n", k->name);
    ls_usage(cli->err);
    return MD_EXIT_USAGE;
}

/* ---- the output writer ---------------------------------------------------------- */

struct ls_col {
    const char *title;
    const char *path;
    const char *path2;
    enum md_fmt fmt;
    struct md_column col;   /* for md_kind_format */
    char *own_title, *own_path;
};

struct md_ls_out {
    FILE *f;
    const struct md_kind *k;
    enum md_ls_format fmt;
    struct ls_col *cols;
    size_t ncols;
    long rows;
    bool started;
    time_t now;
    bool aborted;           /* a table prints nothing */
    char **cells;           /* table: rows * ncols strings */
    size_t ncells, capcells;
};

bool md_ls_format_flag(const char *arg, enum md_ls_format *fmt)
{
    if (!strcmp(arg, "--json"))
        *fmt = MD_LS_JSON;
    else if (!strcmp(arg, "--tsv"))
        *fmt = MD_LS_TSV;
    else
        return false;
    return true;
}

struct md_ls_out *md_ls_out_begin(FILE *f, const struct md_kind *k, enum md_ls_format fmt)
{
    struct md_ls_out *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    o->f = f;
    o->k = k;
    o->fmt = fmt;
    o->now = time(NULL);
    for (size_t i = 0; i < k->ncolumns; i++) {
        if (k->columns[i].hidden || k->columns[i].derived)
            continue;
        struct ls_col *nc = realloc(o->cols, (o->ncols + 1) * sizeof *nc);
        if (!nc)
            break;
        o->cols = nc;
        struct ls_col *c = &o->cols[o->ncols++];
        memset(c, 0, sizeof *c);
        c->col = k->columns[i];
        c->title = c->col.title;
        c->path = c->col.path;
        c->path2 = c->col.path2;
        c->fmt = c->col.fmt;
    }
    return o;
}

int md_ls_out_add_column(struct md_ls_out *o, const char *title, const char *path,
                         enum md_fmt fmt)
{
    struct ls_col *nc = realloc(o->cols, (o->ncols + 1) * sizeof *nc);
    if (!nc)
        return -1;
    o->cols = nc;
    struct ls_col *c = &o->cols[o->ncols];
    memset(c, 0, sizeof *c);
    c->own_title = strdup(title);
    c->own_path = strdup(path);
    if (!c->own_title || !c->own_path) {
        free(c->own_title);
        free(c->own_path);
        return -1;
    }
    c->title = c->col.title = c->own_title;
    c->path = c->col.path = c->own_path;
    c->fmt = c->col.fmt = fmt;
    o->ncols++;
    return 0;
}

long md_ls_out_rows(const struct md_ls_out *o)
{
    return o->rows;
}

/* A raw value for TSV: numbers plainly (integers without a fraction),
 * spans as seconds, NaN as NaN, missing as "". */
static void raw_value(const struct md_ls_out *o, const struct ls_col *c, const cJSON *obj,
                      char *out, size_t n)
{
    out[0] = '\0';
    if (c->fmt == MD_FMT_SPAN) {
        double a, b;
        if (!md_kind_time(o->k, obj, c->path, &a))
            return;
        if (!c->path2 || !md_kind_time(o->k, obj, c->path2, &b))
            b = (double)o->now;
        snprintf(out, n, "%.0f", b - a);
        return;
    }
    const cJSON *v = md_column_value(&c->col, obj);
    if (cJSON_IsString(v)) {
        /* tabs and newlines would break the line structure */
        size_t k = 0;
        for (const char *s = v->valuestring; *s && k + 1 < n; s++)
            out[k++] = (*s == '\t' || *s == '\n' || *s == '\r') ? ' ' : *s;
        out[k] = '\0';
    } else if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (d == floor(d) && fabs(d) < 1e15)
            snprintf(out, n, "%.0f", d);
        else
            snprintf(out, n, "%.17g", d);
    } else if (cJSON_IsBool(v)) {
        snprintf(out, n, "%s", cJSON_IsTrue(v) ? "true" : "false");
    } else if (cJSON_IsArray(v) && c->fmt == MD_FMT_COUNT) {
        snprintf(out, n, "%d", cJSON_GetArraySize(v));
    }
}

static int keep_cell(struct md_ls_out *o, const char *s)
{
    if (o->ncells == o->capcells) {
        size_t nc = o->capcells ? o->capcells * 2 : 256;
        char **v = realloc(o->cells, nc * sizeof *v);
        if (!v)
            return -1;
        o->cells = v;
        o->capcells = nc;
    }
    if (!(o->cells[o->ncells] = strdup(s)))
        return -1;
    o->ncells++;
    return 0;
}

/* obj as --json prints it: without mldeck's own member ("mldeck": run
 * counts, last executions), which the service never sent. */
static char *print_api_json(const cJSON *obj)
{
    if (!cJSON_GetObjectItemCaseSensitive(obj, "mldeck"))
        return cJSON_PrintUnformatted(obj);
    cJSON *copy = cJSON_Duplicate(obj, 1);
    cJSON_DeleteItemFromObjectCaseSensitive(copy, "mldeck");
    char *s = copy ? cJSON_PrintUnformatted(copy) : NULL;
    cJSON_Delete(copy);
    return s;
}

int md_ls_out_row(struct md_ls_out *o, const cJSON *obj)
{
    char buf[1024];
    if (o->fmt == MD_LS_JSON) {
        char *s = print_api_json(obj);
        if (!s)
            return -1;
        fprintf(o->f, "%s%s", o->started ? ",\n" : "[\n", s);
        free(s);
    } else if (o->fmt == MD_LS_TSV) {
        if (!o->started)
            for (size_t i = 0; i < o->ncols; i++)
                fprintf(o->f, "%s%s", o->cols[i].title, i + 1 < o->ncols ? "\t" : "\n");
        for (size_t i = 0; i < o->ncols; i++) {
            raw_value(o, &o->cols[i], obj, buf, sizeof buf);
            fprintf(o->f, "%s%s", buf, i + 1 < o->ncols ? "\t" : "\n");
        }
    } else {
        for (size_t i = 0; i < o->ncols; i++) {
            md_kind_format(o->k, &o->cols[i].col, obj, o->now, buf, sizeof buf, NULL);
            if (keep_cell(o, buf) < 0)
                return -1;
        }
    }
    o->started = true;
    o->rows++;
    return 0;
}

int md_ls_out_json_text(struct md_ls_out *o, const char *json)
{
    if (o->fmt != MD_LS_JSON || strstr(json, "\"mldeck\"")) {
        cJSON *obj = cJSON_Parse(json);
        if (!obj)
            return -1;
        int r = md_ls_out_row(o, obj);
        cJSON_Delete(obj);
        return r;
    }
    /* The cache keeps the API's compact JSON: no need to parse and print it again. */
    fprintf(o->f, "%s%s", o->started ? ",\n" : "[\n", json);
    o->started = true;
    o->rows++;
    return 0;
}

/* Display width of UTF-8 text (one cell per code point: enough for names). */
static size_t width_of(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            w++;
    return w;
}

void md_ls_out_abort(struct md_ls_out *o)
{
    if (!o)
        return;
    o->aborted = true;
    md_ls_out_end(o);
}

void md_ls_out_end(struct md_ls_out *o)
{
    if (!o)
        return;
    if (o->fmt == MD_LS_JSON) {
        fprintf(o->f, "%s", o->started ? "\n]\n" : "[]\n");
    } else if (o->fmt == MD_LS_TABLE && o->ncols && !o->aborted) {
        size_t *w = calloc(o->ncols, sizeof *w);
        for (size_t i = 0; w && i < o->ncols; i++)
            w[i] = width_of(o->cols[i].title);
        for (size_t r = 0; w && r < o->ncells; r++) {
            size_t cw = width_of(o->cells[r]);
            if (cw > w[r % o->ncols])
                w[r % o->ncols] = cw;
        }
        for (size_t i = 0; w && i < o->ncols; i++) {
            /* upper-case titles, as kubectl / k9s print them */
            char t[128];
            size_t k = 0;
            for (const char *s = o->cols[i].title; *s && k + 1 < sizeof t; s++)
                t[k++] = (char)((*s >= 'a' && *s <= 'z') ? *s - 32 : *s);
            t[k] = '\0';
            fprintf(o->f, "%s%*s", t, i + 1 < o->ncols ? (int)(w[i] - width_of(t) + 2) : 0, "");
        }
        fprintf(o->f, "\n");
        for (size_t r = 0; w && r < o->ncells; r++) {
            size_t i = r % o->ncols;
            bool last = i + 1 == o->ncols;
            fprintf(o->f, "%s%*s", o->cells[r],
                    last ? 0 : (int)(w[i] - width_of(o->cells[r]) + 2), "");
            if (last)
                fprintf(o->f, "\n");
        }
        free(w);
    }
    fflush(o->f);
    for (size_t i = 0; i < o->ncells; i++)
        free(o->cells[i]);
    free(o->cells);
    for (size_t i = 0; i < o->ncols; i++) {
        free(o->cols[i].own_title);
        free(o->cols[i].own_path);
    }
    free(o->cols);
    free(o);
}
