/* Runs tables (and model-version tables) of the experiments pane: the
 * generic table underneath (view_table.c draws, sorts, filters, windows
 * the cache), with
 *   - chosen metric and param columns (`c` opens a picker over the keys of
 *     the cached runs; the choice is kept per experiment in cache meta
 *     "ui.runs.columns.<experiment id>");
 *   - marks (Space) for `m` (metric chart) and `x` (compare);
 *   - `F`: an MLflow search expression, checked here (a bad one is an
 *     error and nothing is sent), then sent through the MLflow provider's
 *     runs "search" action (the file store evaluates it itself); under
 *     --demo it is evaluated over the cached runs with the same grammar.
 *     The table then shows the matching runs in the server's order (sort
 *     and `/` work on them locally); Esc goes back to the whole listing;
 *   - paging: near the end of the listing the next page is asked for
 *     (runs "next-page", or the search's next page token);
 *   - `L` follows a run to the SageMaker training job (tag
 *     sagemaker.training_job) or pipeline execution
 *     (sagemaker.pipeline_execution_arn) that made it; on a model version,
 *     to its source run. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app/workspace.h"
#include "mlflow/filter.h"
#include "ui/experiments.h"
#include "util/json.h"

#define MAX_EXTRA 24
#define MAX_KEYS 256
#define MAX_MARKS 16
#define PAGE_SIZE 1000

struct picker_item {
    char *key;
    bool param;
    bool on;
};

struct runs_priv {
    const struct md_view_class *base;
    bool versions;                       /* a model-versions table */
    struct md_kind kind;                 /* the runs kind + chosen columns */
    struct md_column *cols;
    size_t nbase;
    char *extra_key[MAX_EXTRA];
    bool extra_param[MAX_EXTRA];
    size_t nextra;
    char *strs[MAX_EXTRA * 2];           /* titles and paths we own */
    size_t nstrs;
    char *marks[MAX_MARKS];
    size_t nmarks;
    /* picker */
    bool picking;
    struct picker_item *items;
    size_t nitems, pick_sel, pick_top;
    /* server search */
    bool searching;                      /* showing search results */
    char search[512];
    char **ids;
    size_t nids, idcap;
    char next_token[512];
    unsigned long search_job, page_job;
    bool page_more_checked;
};

static const struct md_view_class runs_class;
static const struct md_view_class versions_class;

static struct runs_priv *P(struct md_view *v)
{
    return v->priv;
}

static const char *exp_id(struct md_view *v)
{
    return v->parent && v->parent[0] ? v->parent : "all";
}

void md_app_track_job(struct md_app *app, struct md_view *v, unsigned long job)
{
    if (!job || app->ncalls == (int)(sizeof app->calls / sizeof app->calls[0]))
        return;
    app->calls[app->ncalls++] = (struct md_app_call){job, v->group, NULL};
}

/* ---- columns -------------------------------------------------------------- */

static char *own(struct runs_priv *p, char *s)
{
    if (s && p->nstrs < sizeof p->strs / sizeof *p->strs)
        p->strs[p->nstrs++] = s;
    return s;
}

static void free_columns(struct runs_priv *p)
{
    for (size_t i = 0; i < p->nstrs; i++)
        free(p->strs[i]);
    p->nstrs = 0;
    free(p->cols);
    p->cols = NULL;
}

static char *kv_path(const char *list, const char *key)
{
    size_t n = strlen(list) + strlen(key) + 32;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "$.data.%s[?key=%s].value", list, key);
    return s;
}

/* Rebuilds the kind's columns: the runs kind's, then the chosen ones. */
static void build_columns(struct md_app *app, struct md_view *v)
{
    (void)app;
    struct runs_priv *p = P(v);
    const struct md_kind *base = md_kind_find("runs");
    free_columns(p);
    p->kind = *base;
    p->nbase = base->ncolumns;
    p->cols = calloc(base->ncolumns + p->nextra, sizeof *p->cols);
    if (!p->cols) {
        p->kind.columns = base->columns;
        v->kind = &p->kind;
        return;
    }
    memcpy(p->cols, base->columns, base->ncolumns * sizeof *p->cols);
    size_t n = base->ncolumns;
    for (size_t i = 0; i < p->nextra; i++) {
        char *path = own(p, kv_path(p->extra_param[i] ? "params" : "metrics", p->extra_key[i]));
        if (!path)
            continue;
        /* Already a column of the kind: show that one. */
        bool dup = false;
        for (size_t j = 0; j < base->ncolumns; j++)
            if (!strcmp(base->columns[j].path, path)) {
                p->cols[j].hidden = false;
                dup = true;
            }
        if (dup)
            continue;
        int w = (int)strlen(p->extra_key[i]);
        p->cols[n] = (struct md_column){
            .title = p->extra_key[i], .path = path,
            .fmt = p->extra_param[i] ? MD_FMT_TEXT : MD_FMT_FLOAT,
            .width = w < 8 ? 8 : w > 16 ? 16 : w};
        n++;
    }
    p->kind.columns = p->cols;
    p->kind.ncolumns = n;
    v->kind = &p->kind;
    if (v->sort_col >= (int)n)
        v->sort_col = base->sort_column;
    if (v->filter_col >= (int)n)
        v->filter_col = -1;
    v->need_rows = v->need_count = true;
}

static void clear_extra(struct runs_priv *p)
{
    for (size_t i = 0; i < p->nextra; i++)
        free(p->extra_key[i]);
    p->nextra = 0;
}

static void add_extra(struct runs_priv *p, const char *key, bool param)
{
    if (p->nextra == MAX_EXTRA)
        return;
    p->extra_key[p->nextra] = strdup(key);
    if (p->extra_key[p->nextra])
        p->extra_param[p->nextra++] = param;
}

static void meta_key(struct md_view *v, char *out, size_t n)
{
    snprintf(out, n, "ui.runs.columns.%s", exp_id(v));
}

/* The saved choice: ["metrics:train/box_loss", "params:lr0", ...]. */
static void load_choice(struct md_app *app, struct md_view *v)
{
    struct runs_priv *p = P(v);
    char key[600], *val = NULL;
    struct md_err err;
    meta_key(v, key, sizeof key);
    clear_extra(p);
    if (md_cache_meta_get(app->cache, &app->scope, key, &val, &err) == MD_OK && val) {
        cJSON *a = cJSON_Parse(val);
        const cJSON *e;
        cJSON_ArrayForEach(e, a) {
            if (!cJSON_IsString(e))
                continue;
            const char *s = e->valuestring;
            if (!strncmp(s, "metrics:", 8))
                add_extra(p, s + 8, false);
            else if (!strncmp(s, "params:", 7))
                add_extra(p, s + 7, true);
        }
        cJSON_Delete(a);
    }
    free(val);
    build_columns(app, v);
}

static void save_choice(struct md_app *app, struct md_view *v)
{
    struct runs_priv *p = P(v);
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < p->nextra; i++) {
        char s[600];
        snprintf(s, sizeof s, "%s:%s", p->extra_param[i] ? "params" : "metrics", p->extra_key[i]);
        cJSON_AddItemToArray(a, cJSON_CreateString(s));
    }
    char *txt = cJSON_PrintUnformatted(a);
    cJSON_Delete(a);
    char key[600];
    struct md_err err;
    meta_key(v, key, sizeof key);
    if (txt && md_cache_meta_set(app->cache, &app->scope, key, txt, &err) != MD_OK)
        md_app_msg(app, MD_MSG_ERROR, "could not keep the column choice: %s", err.msg);
    free(txt);
}

/* ---- the column picker ---------------------------------------------------- */

static void free_items(struct runs_priv *p)
{
    for (size_t i = 0; i < p->nitems; i++)
        free(p->items[i].key);
    free(p->items);
    p->items = NULL;
    p->nitems = 0;
}

static bool has_item(struct runs_priv *p, const char *key, bool param)
{
    for (size_t i = 0; i < p->nitems; i++)
        if (p->items[i].param == param && !strcmp(p->items[i].key, key))
            return true;
    return false;
}

static void add_item(struct runs_priv *p, const char *key, bool param)
{
    if (p->nitems == MAX_KEYS || has_item(p, key, param))
        return;
    char *k = strdup(key);
    if (!k)
        return;
    bool on = false;
    for (size_t i = 0; i < p->nextra; i++)
        on |= p->extra_param[i] == param && !strcmp(p->extra_key[i], key);
    p->items[p->nitems++] = (struct picker_item){k, param, on};
}

struct keys_ctx {
    struct runs_priv *p;
};

static void collect_keys(struct runs_priv *p, const cJSON *run)
{
    static const char *const lists[2] = {"$.data.metrics", "$.data.params"};
    for (int l = 0; l < 2; l++) {
        const cJSON *e;
        cJSON_ArrayForEach(e, md_json_get(run, lists[l])) {
            const char *k = md_json_str(e, "$.key", NULL);
            if (k)
                add_item(p, k, l == 1);
        }
    }
}

static int collect_row(void *ctx, const struct md_cache_row *row)
{
    struct keys_ctx *kc = ctx;
    cJSON *o = cJSON_Parse(row->json);
    if (o)
        collect_keys(kc->p, o);
    cJSON_Delete(o);
    return kc->p->nitems >= MAX_KEYS;
}

static int item_cmp(const void *a, const void *b)
{
    const struct picker_item *x = a, *y = b;
    if (x->param != y->param)
        return x->param - y->param;
    return strcmp(x->key, y->key);
}

static void open_picker(struct md_app *app, struct md_view *v)
{
    struct runs_priv *p = P(v);
    free_items(p);
    p->items = calloc(MAX_KEYS, sizeof *p->items);
    if (!p->items)
        return;
    /* the runs in view first, then up to 200 cached ones */
    for (long i = 0; i < v->win_n; i++)
        if (v->win[i].obj)
            collect_keys(p, v->win[i].obj);
    struct md_cache_query q = {.kind = "runs", .parent = v->parent, .limit = 200};
    struct keys_ctx kc = {p};
    struct md_err err;
    md_cache_query(app->cache, &app->scope, &q, collect_row, &kc, &err);
    if (!p->nitems) {
        md_app_msg(app, MD_MSG_INFO, "no metric or param keys in the cached runs (r refreshes)");
        free_items(p);
        return;
    }
    qsort(p->items, p->nitems, sizeof *p->items, item_cmp);
    p->picking = true;
    p->pick_sel = p->pick_top = 0;
    md_app_msg(app, MD_MSG_INFO, "columns: Space/Enter toggles, c or Esc applies");
}

static void close_picker(struct md_app *app, struct md_view *v)
{
    struct runs_priv *p = P(v);
    clear_extra(p);
    for (size_t i = 0; i < p->nitems; i++)
        if (p->items[i].on)
            add_extra(p, p->items[i].key, p->items[i].param);
    p->picking = false;
    free_items(p);
    build_columns(app, v);
    save_choice(app, v);
    md_app_msg(app, MD_MSG_INFO, "%zu chosen column%s (kept for this experiment)", p->nextra,
               p->nextra == 1 ? "" : "s");
}

static void draw_picker(struct md_app *app, struct md_view *v, struct md_rect r)
{
    struct runs_priv *p = P(v);
    int w = r.w < 60 ? r.w : 60, h = r.h;
    int x = r.x + r.w - w;
    attr_t d = md_attr(MD_ROLE_DIALOG);
    for (int i = 0; i < h; i++)
        md_fill(r.y + i, x, w, d);
    md_box(&app->term, r.y, x, h, w, d);
    md_put(r.y, x + 2, w - 4, " Columns: Space toggles, c/Esc applies ", md_attr(MD_ROLE_TITLE), false);
    long rows = h - 2;
    if (rows < 1)
        return;
    if ((long)p->pick_sel < (long)p->pick_top)
        p->pick_top = p->pick_sel;
    if ((long)p->pick_sel >= (long)p->pick_top + rows)
        p->pick_top = p->pick_sel - (size_t)rows + 1;
    for (long i = 0; i < rows && p->pick_top + (size_t)i < p->nitems; i++) {
        size_t k = p->pick_top + (size_t)i;
        char line[400];
        snprintf(line, sizeof line, "[%s] %-7s %s", p->items[k].on ? "x" : " ",
                 p->items[k].param ? "param" : "metric", p->items[k].key);
        md_put(r.y + 1 + (int)i, x + 1, w - 2, line,
               k == p->pick_sel ? md_attr(MD_ROLE_SELECTED) : d, true);
    }
}

static bool picker_action(struct md_app *app, struct md_view *v, enum md_act act)
{
    struct runs_priv *p = P(v);
    switch (act) {
    case MD_ACT_DOWN: if (p->pick_sel + 1 < p->nitems) p->pick_sel++; break;
    case MD_ACT_UP: if (p->pick_sel > 0) p->pick_sel--; break;
    case MD_ACT_PAGE_DOWN: p->pick_sel = p->pick_sel + 10 < p->nitems ? p->pick_sel + 10 : p->nitems - 1; break;
    case MD_ACT_PAGE_UP: p->pick_sel = p->pick_sel > 10 ? p->pick_sel - 10 : 0; break;
    case MD_ACT_TOP: p->pick_sel = 0; break;
    case MD_ACT_BOTTOM: p->pick_sel = p->nitems - 1; break;
    case MD_ACT_SELECT:
    case MD_ACT_OPEN: p->items[p->pick_sel].on = !p->items[p->pick_sel].on; break;
    case MD_ACT_COLUMNS:
    case MD_ACT_BACK: close_picker(app, v); break;
    case MD_ACT_QUIT: return false;
    default: break;
    }
    return true;
}

/* ---- marks ---------------------------------------------------------------- */

static int mark_index(struct runs_priv *p, const char *id)
{
    for (size_t i = 0; i < p->nmarks; i++)
        if (!strcmp(p->marks[i], id))
            return (int)i;
    return -1;
}

static void toggle_mark(struct md_app *app, struct md_view *v)
{
    struct runs_priv *p = P(v);
    const struct md_row *r = md_table_selected(v);
    if (!r)
        return;
    int i = mark_index(p, r->id);
    if (i >= 0) {
        free(p->marks[i]);
        p->marks[i] = p->marks[--p->nmarks];
    } else if (p->nmarks == MAX_MARKS) {
        md_app_msg(app, MD_MSG_ERROR, "at most %d marked runs", MAX_MARKS);
        return;
    } else {
        p->marks[p->nmarks] = strdup(r->id);
        if (p->marks[p->nmarks])
            p->nmarks++;
    }
    md_app_msg(app, MD_MSG_INFO, "%zu run%s marked (m charts, x compares)", p->nmarks,
               p->nmarks == 1 ? "" : "s");
    v->sel++;
}

/* The marked runs (or the current one) as parsed objects; the caller
 * frees each with cJSON_Delete.  Returns the count. */
static size_t marked_runs(struct md_app *app, struct md_view *v, cJSON **out, size_t max)
{
    struct runs_priv *p = P(v);
    size_t n = 0;
    for (size_t i = 0; i < p->nmarks && n < max; i++) {
        char *json = NULL;
        struct md_err err;
        if (md_cache_get(app->cache, &app->scope, "runs", p->marks[i], &json, NULL, &err) == MD_OK) {
            cJSON *o = cJSON_Parse(json);
            if (o)
                out[n++] = o;
        }
        free(json);
    }
    if (!n) {
        const struct md_row *r = md_table_selected(v);
        if (r && r->obj && (out[0] = cJSON_Duplicate(r->obj, true)))
            n = 1;
    }
    return n;
}

/* ---- search results --------------------------------------------------------- */

static void free_ids(struct runs_priv *p)
{
    for (size_t i = 0; i < p->nids; i++)
        free(p->ids[i]);
    p->nids = 0;
}

static void add_id(struct runs_priv *p, const char *id)
{
    for (size_t i = 0; i < p->nids; i++)
        if (!strcmp(p->ids[i], id))
            return;
    if (p->nids == p->idcap) {
        size_t cap = p->idcap ? p->idcap * 2 : 256;
        char **n = realloc(p->ids, cap * sizeof *n);
        if (!n)
            return;
        p->ids = n;
        p->idcap = cap;
    }
    if ((p->ids[p->nids] = strdup(id)))
        p->nids++;
}

static void clear_window(struct md_view *v)
{
    for (long i = 0; i < v->win_n; i++) {
        free(v->win[i].id);
        cJSON_Delete(v->win[i].obj);
    }
    v->win_n = 0;
}

static int sort_col_for;
static bool sort_desc_for;
static const struct md_kind *sort_kind;

static int cmp_rows(const void *a, const void *b)
{
    const struct md_row *x = a, *y = b;
    const char *path = sort_kind->columns[sort_col_for].path;
    const cJSON *vx = x->obj ? md_json_get(x->obj, path) : NULL;
    const cJSON *vy = y->obj ? md_json_get(y->obj, path) : NULL;
    int c;
    if (!vx || !vy) {
        c = !vx - !vy;   /* missing values last, either direction */
        return c;
    }
    if (cJSON_IsNumber(vx) && cJSON_IsNumber(vy))
        c = vx->valuedouble < vy->valuedouble ? -1 : vx->valuedouble > vy->valuedouble;
    else if (cJSON_IsString(vx) && cJSON_IsString(vy)) {
        char *ex, *ey;
        double dx = strtod(vx->valuestring, &ex), dy = strtod(vy->valuestring, &ey);
        if (!*ex && !*ey && ex != vx->valuestring && ey != vy->valuestring)
            c = dx < dy ? -1 : dx > dy;
        else
            c = strcmp(vx->valuestring, vy->valuestring);
    } else
        c = cJSON_IsNumber(vx) ? -1 : 1;
    return sort_desc_for ? -c : c;
}

static bool row_matches(const struct md_kind *k, const cJSON *obj, const char *needle, int col)
{
    if (!needle[0])
        return true;
    time_t now = time(NULL);
    for (size_t i = 0; i < k->ncolumns; i++) {
        if (col >= 0 ? (int)i != col : k->columns[i].hidden)
            continue;
        char cell[512];
        md_kind_format(k, &k->columns[i], obj, now, cell, sizeof cell, NULL);
        const cJSON *raw = md_json_get(obj, k->columns[i].path);
        if (strcasestr(cell, needle) || (cJSON_IsString(raw) && strcasestr(raw->valuestring, needle)))
            return true;
    }
    return false;
}

/* The window = the search results (from the cache), filtered by `/` and
 * sorted locally. */
static void load_results(struct md_app *app, struct md_view *v)
{
    struct runs_priv *p = P(v);
    clear_window(v);
    if ((long)p->nids > v->win_cap) {
        struct md_row *nw = realloc(v->win, p->nids * sizeof *nw);
        if (!nw)
            return;
        v->win = nw;
        v->win_cap = (long)p->nids;
    }
    for (size_t i = 0; i < p->nids; i++) {
        char *json = NULL;
        struct md_err err;
        if (md_cache_get(app->cache, &app->scope, "runs", p->ids[i], &json, NULL, &err) != MD_OK)
            continue;
        cJSON *o = cJSON_Parse(json);
        free(json);
        if (!o || !row_matches(v->kind, o, v->filter, v->filter_col)) {
            cJSON_Delete(o);
            continue;
        }
        v->win[v->win_n].id = strdup(p->ids[i]);
        v->win[v->win_n].obj = o;
        v->win_n++;
    }
    /* server order unless the operator sorts */
    if (v->sort_col >= 0 && v->sort_col < (int)v->kind->ncolumns && v->sort_col != v->kind->sort_column) {
        sort_col_for = v->sort_col;
        sort_desc_for = v->sort_desc;
        sort_kind = v->kind;
        qsort(v->win, (size_t)v->win_n, sizeof *v->win, cmp_rows);
    } else if (v->sort_col == v->kind->sort_column && v->sort_desc != v->kind->sort_desc) {
        for (long i = 0, j = v->win_n - 1; i < j; i++, j--) {
            struct md_row t = v->win[i];
            v->win[i] = v->win[j];
            v->win[j] = t;
        }
    }
    v->win_off = 0;
    v->count = v->win_n;
    v->count_deferred = false;
    v->need_rows = v->need_count = false;
}

static void prepare_results(struct md_app *app, struct md_view *v)
{
    if (P(v)->searching && (v->need_rows || v->need_count))
        load_results(app, v);
}

static void end_search(struct md_view *v)
{
    struct runs_priv *p = P(v);
    p->searching = false;
    p->search[0] = p->next_token[0] = '\0';
    free_ids(p);
    clear_window(v);
    v->sel = v->top = 0;
    v->need_rows = v->need_count = true;
}

static bool use_local_search(struct md_app *app)
{
    return app->settings->demo || !app->sync || !app->ws ||
           !md_workspace_provider(app->ws, "runs");
}

struct local_ctx {
    struct runs_priv *p;
    const struct md_mlf_filter *f;
};

static int local_match(void *ctx, const struct md_cache_row *row)
{
    struct local_ctx *lc = ctx;
    cJSON *o = cJSON_Parse(row->json);
    if (o && md_mlf_match_run(lc->f, o))
        add_id(lc->p, row->id);
    cJSON_Delete(o);
    return 0;
}

static int add_exp_id(void *ctx, const struct md_cache_row *row)
{
    cJSON *o = cJSON_Parse(row->json);
    if (o && strcmp(md_json_str(o, "$.lifecycle_stage", "active"), "deleted"))
        cJSON_AddItemToArray(ctx, cJSON_CreateString(row->id));
    cJSON_Delete(o);
    return 0;
}

static void submit_search(struct md_app *app, struct md_view *v, const char *page_token)
{
    struct runs_priv *p = P(v);
    cJSON *params = cJSON_CreateObject();
    cJSON *ids = cJSON_AddArrayToObject(params, "experiment_ids");
    if (v->parent && v->parent[0]) {
        cJSON_AddItemToArray(ids, cJSON_CreateString(v->parent));
    } else {
        /* runs of every experiment (:runs): the cached active experiments */
        struct md_cache_query q = {.kind = "experiments", .limit = 500};
        struct md_err err;
        md_cache_query(app->cache, &app->scope, &q, add_exp_id, ids, &err);
    }
    cJSON_AddStringToObject(params, "filter", p->search);
    cJSON_AddNumberToObject(params, "max_results", PAGE_SIZE);
    cJSON_AddStringToObject(params, "view_type", "ACTIVE_ONLY");
    if (page_token && page_token[0])
        cJSON_AddStringToObject(params, "page_token", page_token);
    struct md_job job = {.type = MD_JOB_ACTION, .kind = "runs", .id = exp_id(v),
                         .action = "search", .params = params, .group = v->group};
    unsigned long id = md_sync_submit(app->sync, &job);
    cJSON_Delete(params);
    if (!id) {
        md_app_msg(app, MD_MSG_ERROR, "could not queue the search");
        return;
    }
    md_app_track_job(app, v, id);
    if (page_token && page_token[0])
        p->page_job = id;
    else
        p->search_job = id;
}

static void start_search(struct md_app *app, struct md_view *v, const char *text)
{
    struct runs_priv *p = P(v);
    while (isspace((unsigned char)*text))
        text++;
    if (!*text) {
        if (p->searching) {
            end_search(v);
            md_app_msg(app, MD_MSG_INFO, "search cleared: every cached run");
        }
        return;
    }
    struct md_mlf_filter f;
    struct md_err err;
    md_err_clear(&err);
    if (md_mlf_filter_parse(text, MD_MLF_RUNS, &f, &err) != MD_OK) {
        md_app_msg(app, MD_MSG_ERROR, "search: %s (nothing sent)", err.msg);
        return;
    }
    snprintf(p->search, sizeof p->search, "%s", text);
    free_ids(p);
    p->next_token[0] = '\0';
    v->sel = v->top = 0;
    if (use_local_search(app)) {
        struct md_cache_query q = {.kind = "runs", .parent = v->parent, .sort_path = "$.info.start_time",
                                   .sort_desc = true};
        struct local_ctx lc = {p, &f};
        md_cache_query(app->cache, &app->scope, &q, local_match, &lc, &err);
        p->searching = true;
        v->need_rows = v->need_count = true;
        md_app_msg(app, MD_MSG_INFO, "%zu run%s match (evaluated over the cached runs)", p->nids,
                   p->nids == 1 ? "" : "s");
    } else {
        p->searching = true;
        v->need_rows = v->need_count = true;
        submit_search(app, v, NULL);
        md_app_msg(app, MD_MSG_INFO, "searching: %s", text);
    }
    md_mlf_filter_free(&f);
}

/* ---- prompt for F ------------------------------------------------------------ */

/* F's prompt (MD_PROMPT_MLFLOW) and `:search` land here. */
void md_runs_search_command(struct md_app *app, const char *text)
{
    struct md_view *v = md_app_top(app);
    if (!v || (v->cls != &runs_class)) {
        md_app_msg(app, MD_MSG_ERROR, "search: open a runs table first (:runs)");
        return;
    }
    start_search(app, v, text);
}

/* ---- paging --------------------------------------------------------------- */

static void maybe_next_page(struct md_app *app, struct md_view *v)
{
    struct runs_priv *p = P(v);
    if (!app->sync || p->page_job || p->search_job || v->count == 0)
        return;
    long near = v->page_h > 0 ? v->page_h * 2 : 40;
    if (v->sel < v->count - near)
        return;
    if (p->searching) {
        if (p->next_token[0] && !v->filter[0])
            submit_search(app, v, p->next_token);
        return;
    }
    if (!v->parent || !v->parent[0] || v->filter[0])
        return;
    char key[600], *tok = NULL;
    struct md_err err;
    snprintf(key, sizeof key, "mlflow.runs.next.%s", v->parent);
    if (md_cache_meta_get(app->cache, &app->scope, key, &tok, &err) == MD_OK && tok && tok[0]) {
        struct md_job job = {.type = MD_JOB_ACTION, .kind = "runs", .id = v->parent,
                             .action = "next-page", .group = v->group};
        p->page_job = md_sync_submit(app->sync, &job);
        md_app_track_job(app, v, p->page_job);
        if (p->page_job)
            md_app_msg(app, MD_MSG_INFO, "loading more runs...");
    }
    free(tok);
}

/* ---- jumps ---------------------------------------------------------------- */

static void open_filtered(struct md_app *app, const char *kind, const char *spec)
{
    const struct md_kind *k = md_kind_find(kind);
    if (!k)
        return;
    struct md_view *nv = md_table_new(app, k, NULL, NULL);
    if (!nv)
        return;
    md_table_set_filter(app, nv, spec);
    md_app_push(app, nv);
}

static void link_run(struct md_app *app, struct md_view *v)
{
    const struct md_row *r = md_table_selected(v);
    if (!r || !r->obj)
        return;
    const char *job = md_json_str(r->obj, "$.data.tags[?key=sagemaker.training_job].value", NULL);
    const char *pex = md_json_str(r->obj, "$.data.tags[?key=sagemaker.pipeline_execution_arn].value", NULL);
    char spec[1100];
    if (job && job[0]) {
        snprintf(spec, sizeof spec, "name:%s", job);
        open_filtered(app, "training-jobs", spec);
        md_app_msg(app, MD_MSG_INFO, "training job %s (tag sagemaker.training_job)%s", job,
                   pex ? "; Esc comes back" : "");
    } else if (pex && pex[0]) {
        snprintf(spec, sizeof spec, "arn:%s", pex);
        open_filtered(app, "pipeline-executions", spec);
    } else {
        char label[256];
        md_row_label(v->kind, r, label, sizeof label);
        md_app_msg(app, MD_MSG_INFO, "run %s has no sagemaker.training_job or pipeline execution tag", label);
    }
}

static void link_version(struct md_app *app, struct md_view *v)
{
    const struct md_row *r = md_table_selected(v);
    if (!r || !r->obj)
        return;
    const char *run = md_json_str(r->obj, "$.run_id", NULL);
    if (!run || !run[0]) {
        md_app_msg(app, MD_MSG_INFO, "this version has no source run");
        return;
    }
    char spec[600];
    snprintf(spec, sizeof spec, "run id:%s", run);
    open_filtered(app, "runs", spec);
}

/* ---- the class ------------------------------------------------------------ */

static void runs_draw(struct md_app *app, struct md_view *v, struct md_rect r)
{
    struct runs_priv *p = P(v);
    prepare_results(app, v);
    if (p->versions) {
        p->base->draw(app, v, r);
        return;
    }
    /* two cells on the left for the marks */
    struct md_rect t = {r.y, r.x + 2, r.h, r.w - 2};
    p->base->draw(app, v, t);
    for (int i = 0; i < r.h; i++)
        md_fill(r.y + i, r.x, 2, md_attr(i == 0 ? MD_ROLE_TITLE : MD_ROLE_NORMAL));
    long h = r.h - 1;
    for (long row = 0; row < h; row++) {
        long idx = v->top + row, wi = idx - v->win_off;
        if (idx >= v->count || wi < 0 || wi >= v->win_n)
            break;
        if (mark_index(p, v->win[wi].id) >= 0)
            md_put(r.y + 1 + (int)row, r.x, 2, app->term.utf8 ? "\xe2\x97\x8f" : "*",
                   md_attr(idx == v->sel ? MD_ROLE_SELECTED : MD_ROLE_RUNNING), true);
        else if (idx == v->sel)
            md_fill(r.y + 1 + (int)row, r.x, 2, md_attr(MD_ROLE_SELECTED));
    }
    if (p->picking)
        draw_picker(app, v, r);
    maybe_next_page(app, v);
}

static bool runs_action(struct md_app *app, struct md_view *v, enum md_act act,
                        const struct md_binding *b)
{
    struct runs_priv *p = P(v);
    if (p->picking)
        return picker_action(app, v, act);
    prepare_results(app, v);
    if (p->versions) {
        if (act == MD_ACT_LINK) {
            link_version(app, v);
            return true;
        }
        return p->base->action(app, v, act, b);
    }
    switch (act) {
    case MD_ACT_COLUMNS: open_picker(app, v); return true;
    case MD_ACT_SELECT: toggle_mark(app, v); return true;
    case MD_ACT_SERVER_FILTER: {
        md_prompt_open(app, MD_PROMPT_MLFLOW, p->search);
        return true;
    }
    case MD_ACT_CHART:
    case MD_ACT_COMPARE: {
        cJSON *runs[MAX_MARKS];
        size_t n = marked_runs(app, v, runs, MAX_MARKS);
        if (!n)
            return true;
        struct md_view *nv = act == MD_ACT_CHART
                                 ? md_metric_chart_new(app, (const cJSON *const *)runs, n, NULL)
                                 : md_compare_new(app, (const cJSON *const *)runs, n);
        for (size_t i = 0; i < n; i++)
            cJSON_Delete(runs[i]);
        md_app_push(app, nv);
        return true;
    }
    case MD_ACT_LINK: link_run(app, v); return true;
    case MD_ACT_BACK:
        if (!v->filter[0] && p->searching) {
            end_search(v);
            md_app_msg(app, MD_MSG_INFO, "search cleared: every cached run");
            return true;
        }
        break;
    case MD_ACT_REFRESH:
        if (p->searching && !use_local_search(app)) {
            submit_search(app, v, NULL);
            md_app_msg(app, MD_MSG_INFO, "searching again: %s", p->search);
            return true;
        }
        break;
    default: break;
    }
    return p->base->action(app, v, act, b);
}

/* Keys of the "runs" context come before the list's. */
static bool runs_key(struct md_app *app, struct md_view *v, int key)
{
    struct runs_priv *p = P(v);
    prepare_results(app, v);
    if (p->versions)
        return false;
    for (size_t i = 0; i < app->keys->n; i++) {
        const struct md_binding *b = &app->keys->b[i];
        if (b->ctx == MD_CTX_RUNS && b->key == key) {
            if (b->act == MD_ACT_NONE)
                return true;
            app->msg[0] = '\0';
            md_table_prepare(app, v);
            runs_action(app, v, b->act, b);
            return true;
        }
    }
    if (p->picking) {
        /* the picker is modal: list keys move in it, others are ignored */
        const struct md_binding *b = md_keymap_lookup(app->keys, MD_CTX_LIST, key);
        if (b && b->act != MD_ACT_QUIT && b->act != MD_ACT_HELP)
            picker_action(app, v, b->act);
        return !b || (b->act != MD_ACT_QUIT && b->act != MD_ACT_HELP);
    }
    return false;
}

static void runs_event(struct md_app *app, struct md_view *v, struct md_sync_event *ev)
{
    struct runs_priv *p = P(v);
    char line[700];
    bool is_page = ev->job_id == p->page_job, is_search = ev->job_id == p->search_job;
    if (is_page)
        p->page_job = 0;
    if (is_search)
        p->search_job = 0;
    if (!is_page && !is_search)
        return;
    if (ev->status == MD_ERR_CANCELLED)
        return;
    if (ev->status != MD_OK) {
        md_app_msg(app, MD_MSG_ERROR, "%s: %s", strcmp(ev->action, "search") ? "next page" : "search",
                   md_err_line(&ev->err, line, sizeof line));
        return;
    }
    if (!strcmp(ev->action, "search")) {
        if (!p->searching)
            return;
        const cJSON *e;
        size_t before = p->nids;
        cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(ev->result, "run_ids"))
            if (cJSON_IsString(e))
                add_id(p, e->valuestring);
        snprintf(p->next_token, sizeof p->next_token, "%s",
                 md_json_str(ev->result, "$.next_page_token", ""));
        v->need_rows = v->need_count = true;
        md_app_msg(app, MD_MSG_INFO, "%zu run%s match%s%s", p->nids, p->nids == 1 ? "" : "s",
                   before ? " (next page)" : "", p->next_token[0] ? "; more as you scroll" : "");
    } else {
        md_app_msg(app, MD_MSG_INFO, "%d more runs", (int)md_json_num(ev->result, "$.added", 0));
        if (p->base->changed)
            p->base->changed(app, v, "runs");
    }
}

static void runs_changed(struct md_app *app, struct md_view *v, const char *kind)
{
    struct runs_priv *p = P(v);
    p->base->changed(app, v, kind);
    (void)app;
}

static void runs_crumb(struct md_app *app, struct md_view *v, char *out, size_t n)
{
    struct runs_priv *p = P(v);
    p->base->crumb(app, v, out, n);
    size_t l = strlen(out);
    if (p->searching && l < n)
        snprintf(out + l, n - l, " [F: %s]", p->search);
    l = strlen(out);
    if (p->nmarks && l < n)
        snprintf(out + l, n - l, " (%zu marked)", p->nmarks);
}

static void runs_free(struct md_view *v)
{
    struct runs_priv *p = P(v);
    if (p) {
        const struct md_view_class *base = p->base;
        free_items(p);
        clear_extra(p);
        free_columns(p);
        for (size_t i = 0; i < p->nmarks; i++)
            free(p->marks[i]);
        free_ids(p);
        free(p->ids);
        free(p);
        v->priv = NULL;
        base->free(v);
    }
}

static const struct md_view_class runs_class = {
    .name = "runs",
    .ctx = MD_CTX_LIST,
    .draw = runs_draw,
    .action = runs_action,
    .changed = runs_changed,
    .crumb = runs_crumb,
    .free = runs_free,
    .key = runs_key,
    .event = runs_event,
};

static const struct md_view_class versions_class = {
    .name = "model-versions",
    .ctx = MD_CTX_LIST,
    .draw = runs_draw,
    .action = runs_action,
    .changed = runs_changed,
    .crumb = runs_crumb,
    .free = runs_free,
};

struct md_view *md_experiments_wrap(struct md_app *app, struct md_view *v)
{
    if (!v || !v->kind || v->priv)
        return v;
    bool runs = !strcmp(v->kind->name, "runs");
    bool versions = !strcmp(v->kind->name, "model-versions");
    if (!runs && !versions)
        return v;
    struct runs_priv *p = calloc(1, sizeof *p);
    if (!p)
        return v;
    p->base = v->cls;
    p->versions = versions;
    v->priv = p;
    v->cls = versions ? &versions_class : &runs_class;
    if (runs)
        load_choice(app, v);
    return v;
}
