/* The metric chart of one or more MLflow runs (`m` in a runs table): pick
 * a metric key (the union of the runs' logged metrics), each run's history
 * is read from the cache on a worker (kind metric-histories, id
 * "<run id>/<key>") and, when it is not there, fetched through the MLflow
 * provider's metric-histories "fetch" action first (then cached in SQLite,
 * fetched once).  Runs still RUNNING are fetched again every
 * refresh_seconds.  Keys: x cycles step / wall time / relative time, s/S
 * smoothing, L log y, o outliers, + - h l 0 zoom and pan, p PNG. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "data/plot_png.h"
#include "mlflow/series.h"
#include "ui/chart.h"
#include "ui/experiments.h"
#include "util/json.h"
#include "util/xdg.h"

#define MAX_RUNS 16
#define MAX_KEYS 256

struct crun {
    char *id, *name;
    bool running;
    struct md_series s;
    bool loaded;              /* s holds the history */
    bool missing;             /* not cached and could not be fetched */
    double *x;                /* x for the current axis */
    char err[200];
    unsigned long load_job, fetch_job;
    bool fetched;             /* fetched at least once this session */
};

struct chart_priv {
    struct crun runs[MAX_RUNS];
    size_t n;
    char key[256];
    char *keys[MAX_KEYS];
    size_t nkeys, ksel, ktop;
    bool picking;
    struct md_chart_opts o;
    enum md_series_axis axis;
    double live_at;           /* md_now_ms of the last live fetch */
    bool live_refused;
    double draw_ms;           /* last chart draw (for MLDECK_BENCH) */
};

static struct chart_priv *CP(struct md_view *v)
{
    return v->priv;
}

struct load_arg {
    char id[800];
    bool found;
    struct md_series s;
};

static void load_arg_free(void *p)
{
    struct load_arg *a = p;
    if (a)
        md_series_free(&a->s);
    free(a);
}

static md_status load_fn(struct md_worker *w, void *arg, struct md_err *err)
{
    struct load_arg *a = arg;
    char *json = NULL;
    md_status st = md_cache_get(md_worker_cache(w), md_worker_scope(w), "metric-histories", a->id,
                                &json, NULL, err);
    if (st == MD_ERR_NOTFOUND) {
        a->found = false;
        return MD_OK;
    }
    if (st != MD_OK)
        return st;
    cJSON *o = cJSON_Parse(json);
    free(json);
    if (!o)
        return md_err_set(err, MD_ERR_PARSE, "cached history of %s is not JSON", a->id);
    st = md_series_from_json(o, &a->s, err);
    cJSON_Delete(o);
    a->found = st == MD_OK;
    return st;
}

static void hist_id(struct chart_priv *p, size_t i, char *out, size_t n)
{
    snprintf(out, n, "%s/%s", p->runs[i].id, p->key);
}

static void submit_load(struct md_app *app, struct md_view *v, size_t i)
{
    struct chart_priv *p = CP(v);
    struct load_arg *a = calloc(1, sizeof *a);
    if (!a)
        return;
    hist_id(p, i, a->id, sizeof a->id);
    p->runs[i].load_job = md_app_submit_call(app, v, load_fn, a, load_arg_free);
    if (!p->runs[i].load_job)
        snprintf(p->runs[i].err, sizeof p->runs[i].err, "could not queue the load");
}

static void submit_fetch(struct md_app *app, struct md_view *v, size_t i, bool force)
{
    struct chart_priv *p = CP(v);
    if (!app->sync || p->runs[i].fetch_job)
        return;
    char id[800];
    hist_id(p, i, id, sizeof id);
    cJSON *params = force ? cJSON_CreateObject() : NULL;
    if (params)
        cJSON_AddBoolToObject(params, "force", true);
    struct md_job job = {.type = MD_JOB_ACTION, .kind = "metric-histories", .id = id,
                         .action = "fetch", .params = params, .group = v->group};
    p->runs[i].fetch_job = md_sync_submit(app->sync, &job);
    cJSON_Delete(params);
    md_app_track_job(app, v, p->runs[i].fetch_job);
}

static void reset_runs(struct chart_priv *p)
{
    for (size_t i = 0; i < p->n; i++) {
        struct crun *r = &p->runs[i];
        md_series_free(&r->s);
        free(r->x);
        r->x = NULL;
        r->loaded = r->missing = r->fetched = false;
        r->err[0] = '\0';
        r->load_job = r->fetch_job = 0;
    }
}

static void set_key(struct md_app *app, struct md_view *v, const char *key)
{
    struct chart_priv *p = CP(v);
    reset_runs(p);
    snprintf(p->key, sizeof p->key, "%s", key);
    p->o.zoom = false;
    p->picking = false;
    for (size_t i = 0; i < p->n; i++)
        submit_load(app, v, i);
    p->live_at = md_now_ms();
}

static void compute_x(struct chart_priv *p, struct crun *r)
{
    free(r->x);
    r->x = malloc((r->s.n ? r->s.n : 1) * sizeof *r->x);
    if (!r->x)
        return;
    md_series_xs(&r->s, p->axis, r->x);
}

static void chart_event(struct md_app *app, struct md_view *v, struct md_sync_event *ev)
{
    struct chart_priv *p = CP(v);
    char line[700];
    for (size_t i = 0; i < p->n; i++) {
        struct crun *r = &p->runs[i];
        if (ev->job_id == r->load_job) {
            r->load_job = 0;
            struct load_arg *a = ev->arg;
            if (ev->status != MD_OK) {
                snprintf(r->err, sizeof r->err, "%s", md_err_line(&ev->err, line, sizeof line));
            } else if (a && a->found) {
                md_series_free(&r->s);
                r->s = a->s;
                memset(&a->s, 0, sizeof a->s);
                r->loaded = true;
                r->missing = false;
                r->err[0] = '\0';
                compute_x(p, r);
            } else if (!r->fetched) {
                submit_fetch(app, v, i, false);
                if (!r->fetch_job)
                    r->missing = true;
            } else {
                r->missing = true;
            }
            return;
        }
        if (ev->job_id == r->fetch_job) {
            r->fetch_job = 0;
            r->fetched = true;
            if (ev->status == MD_OK) {
                submit_load(app, v, i);
            } else if (ev->status != MD_ERR_CANCELLED) {
                if (ev->status == MD_ERR_DEMO)
                    p->live_refused = true;
                if (!r->loaded) {
                    r->missing = true;
                    snprintf(r->err, sizeof r->err, "%s",
                             ev->status == MD_ERR_DEMO ? "not in the demo cache"
                                                       : md_err_line(&ev->err, line, sizeof line));
                }
            }
            return;
        }
    }
}

/* Running runs are fetched again every refresh_seconds. */
static void live_refresh(struct md_app *app, struct md_view *v)
{
    struct chart_priv *p = CP(v);
    if (!p->key[0] || p->live_refused || !app->sync)
        return;
    double every = 1000.0 * (app->settings->refresh_seconds > 0 ? app->settings->refresh_seconds : 15);
    if (md_now_ms() - p->live_at < every)
        return;
    bool any = false;
    for (size_t i = 0; i < p->n; i++)
        if (p->runs[i].running && !p->runs[i].fetch_job && !p->runs[i].load_job) {
            submit_fetch(app, v, i, true);
            any = true;
        }
    if (any)
        p->live_at = md_now_ms();
}

/* ---- metric picker ---------------------------------------------------------- */

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_key(struct chart_priv *p, const char *k)
{
    for (size_t i = 0; i < p->nkeys; i++)
        if (!strcmp(p->keys[i], k))
            return;
    if (p->nkeys < MAX_KEYS && (p->keys[p->nkeys] = strdup(k)))
        p->nkeys++;
}

static void draw_picker(struct md_app *app, struct chart_priv *p, struct md_rect r)
{
    attr_t d = md_attr(MD_ROLE_NORMAL);
    md_put(r.y, r.x, r.w, "Pick a metric (j/k, Enter plots, Esc back):", md_attr(MD_ROLE_TITLE), true);
    long rows = r.h - 1;
    if (rows < 1)
        return;
    if (p->ksel < p->ktop)
        p->ktop = p->ksel;
    if ((long)p->ksel >= (long)p->ktop + rows)
        p->ktop = p->ksel - (size_t)rows + 1;
    for (long i = 0; i < rows; i++) {
        size_t k = p->ktop + (size_t)i;
        md_fill(r.y + 1 + (int)i, r.x, r.w, d);
        if (k >= p->nkeys)
            continue;
        char line[300];
        snprintf(line, sizeof line, "  %s", p->keys[k]);
        md_put(r.y + 1 + (int)i, r.x, r.w, line, k == p->ksel ? md_attr(MD_ROLE_SELECTED) : d, true);
    }
    (void)app;
}

/* ---- drawing -------------------------------------------------------------- */

static const char *axis_name(enum md_series_axis a)
{
    return a == MD_AXIS_WALL ? "wall time" : a == MD_AXIS_RELATIVE ? "relative time" : "step";
}

static size_t build_series(struct chart_priv *p, struct md_chart_series *s)
{
    size_t k = 0;
    for (size_t i = 0; i < p->n; i++) {
        struct crun *r = &p->runs[i];
        bool ok = r->loaded && r->x;
        s[k++] = (struct md_chart_series){r->name, ok ? r->x : NULL, ok ? r->s.value : NULL,
                                          ok ? r->s.n : 0};
    }
    return k;
}

static void chart_opts_now(struct chart_priv *p)
{
    p->o.xfmt = p->axis == MD_AXIS_WALL ? MD_CHART_X_TIME
                : p->axis == MD_AXIS_RELATIVE ? MD_CHART_X_DURATION : MD_CHART_X_NUMBER;
}

static void chart_draw(struct md_app *app, struct md_view *v, struct md_rect r)
{
    struct chart_priv *p = CP(v);
    for (int i = 0; i < r.h; i++)
        md_fill(r.y + i, r.x, r.w, md_attr(MD_ROLE_NORMAL));
    if (p->picking || !p->key[0]) {
        draw_picker(app, p, r);
        return;
    }
    live_refresh(app, v);
    size_t loading = 0, missing = 0, running = 0;
    const char *why = NULL;
    for (size_t i = 0; i < p->n; i++) {
        loading += p->runs[i].load_job || p->runs[i].fetch_job;
        missing += p->runs[i].missing;
        running += p->runs[i].running;
        if (p->runs[i].err[0] && !why)
            why = p->runs[i].err;
    }
    char head[600];
    int len = snprintf(head, sizeof head, "%s  x:%s  smooth:%.2f%s%s", p->key, axis_name(p->axis),
                       p->o.smooth, p->o.log_y ? "  log y" : "", p->o.ignore_outliers ? "  outliers:p5-p95" : "");
    if (p->o.zoom && len > 0 && (size_t)len < sizeof head)
        len += snprintf(head + len, sizeof head - (size_t)len, "  zoom");
    size_t npts = 0;
    for (size_t i = 0; i < p->n; i++)
        npts += p->runs[i].loaded ? p->runs[i].s.n : 0;
    if (len > 0 && (size_t)len < sizeof head)
        len += snprintf(head + len, sizeof head - (size_t)len, "  %zu pts", npts);
    if (running && len > 0 && (size_t)len < sizeof head)
        len += snprintf(head + len, sizeof head - (size_t)len, "  live (%zu running)", running);
    if (loading && len > 0 && (size_t)len < sizeof head)
        len += snprintf(head + len, sizeof head - (size_t)len, "  loading %zu...", loading);
    md_put(r.y, r.x, r.w, head, md_attr(MD_ROLE_TITLE), true);
    struct md_rect c = {r.y + 1, r.x, r.h - 1, r.w};
    if (missing && why) {
        char m[300];
        snprintf(m, sizeof m, "%zu run%s without this history: %s", missing, missing == 1 ? "" : "s", why);
        md_put(c.y, c.x, c.w, m, md_attr(MD_ROLE_WARN), true);
        c.y++;
        c.h--;
    }
    chart_opts_now(p);
    struct md_chart_series s[MAX_RUNS];
    size_t n = build_series(p, s);
    double t0 = md_now_ms();
    md_chart_draw(&app->term, c, s, n, &p->o, NULL);
    p->draw_ms = md_now_ms() - t0;
    size_t pts = 0;
    for (size_t i = 0; i < n; i++)
        pts += s[i].n;
    md_bench_log(app, "chart series=%zu points=%zu draw_ms=%.3f", n, pts, p->draw_ms);
}

/* ---- PNG ------------------------------------------------------------------ */

void md_chart_png_path(const char *key, char *out, size_t n)
{
    char dir[1024], name[300];
    struct md_err err;
    if (md_xdg_dir(MD_XDG_STATE, dir, sizeof dir, &err) == MD_OK) {
        size_t l = strlen(dir);
        snprintf(dir + l, sizeof dir - l, "/charts");
        if (md_mkdir_p(dir, 0700) != 0)
            snprintf(dir, sizeof dir, ".");
    } else {
        snprintf(dir, sizeof dir, ".");
    }
    size_t k = 0;
    for (const char *s = key; *s && k + 1 < 120; s++)
        name[k++] = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
                            *s == '-' || *s == '.'
                        ? *s
                        : '_';
    name[k] = '\0';
    char ts[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(ts, sizeof ts, "%Y%m%d-%H%M%S", &tm);
    snprintf(out, n, "%s/%s-%s.png", dir, k ? name : "chart", ts);
}

static void write_png(struct md_app *app, struct md_view *v)
{
    struct chart_priv *p = CP(v);
    if (!p->key[0])
        return;
    char path[1500];
    md_chart_png_path(p->key, path, sizeof path);
    chart_opts_now(p);
    struct md_chart_series s[MAX_RUNS];
    size_t n = build_series(p, s);
    struct md_err err;
    double t0 = md_now_ms();
    if (md_plot_write_png(path, s, n, &p->o, p->key, p->key, 0, 0, &err) != MD_OK)
        md_app_msg(app, MD_MSG_ERROR, "PNG: %s", err.msg);
    else
        md_app_msg(app, MD_MSG_INFO, "chart written to %s", path);
    md_bench_log(app, "png ms=%.3f", md_now_ms() - t0);
}

/* ---- keys ----------------------------------------------------------------- */

static void rebuild_x(struct chart_priv *p)
{
    for (size_t i = 0; i < p->n; i++)
        if (p->runs[i].loaded)
            compute_x(p, &p->runs[i]);
}

static void zoom(struct chart_priv *p, double factor, double pan)
{
    struct md_chart_series s[MAX_RUNS];
    size_t n = build_series(p, s);
    struct md_chart_model m;
    struct md_err err;
    chart_opts_now(p);
    if (md_chart_model_build(s, n, &p->o, &m, &err) != MD_OK)
        return;
    if (factor != 1)
        md_chart_zoom(&p->o, &m, factor);
    else
        md_chart_pan(&p->o, &m, pan);
    md_chart_model_free(&m);
}

static bool chart_action(struct md_app *app, struct md_view *v, enum md_act act,
                         const struct md_binding *b)
{
    (void)b;
    struct chart_priv *p = CP(v);
    if (p->picking || !p->key[0]) {
        switch (act) {
        case MD_ACT_DOWN: if (p->ksel + 1 < p->nkeys) p->ksel++; return true;
        case MD_ACT_UP: if (p->ksel > 0) p->ksel--; return true;
        case MD_ACT_TOP: p->ksel = 0; return true;
        case MD_ACT_BOTTOM: if (p->nkeys) p->ksel = p->nkeys - 1; return true;
        case MD_ACT_OPEN:
            if (p->ksel < p->nkeys)
                set_key(app, v, p->keys[p->ksel]);
            return true;
        case MD_ACT_BACK:
            if (p->key[0]) {
                p->picking = false;
                return true;
            }
            return false;
        default: return act == MD_ACT_METRIC;
        }
    }
    switch (act) {
    case MD_ACT_METRIC: p->picking = true; return true;
    case MD_ACT_X_AXIS:
        p->axis = p->axis == MD_AXIS_STEP ? MD_AXIS_WALL : p->axis == MD_AXIS_WALL ? MD_AXIS_RELATIVE : MD_AXIS_STEP;
        p->o.zoom = false;
        rebuild_x(p);
        md_app_msg(app, MD_MSG_INFO, "x axis: %s", axis_name(p->axis));
        return true;
    case MD_ACT_SMOOTH_MORE:
    case MD_ACT_SMOOTH_LESS: {
        double s = p->o.smooth + (act == MD_ACT_SMOOTH_MORE ? 0.1 : -0.1);
        s = round(s * 10) / 10;
        if (s > 0.95)
            s = 0.99;
        if (p->o.smooth >= 0.99 && act == MD_ACT_SMOOTH_LESS)
            s = 0.9;
        p->o.smooth = s < 0 ? 0 : s;
        md_app_msg(app, MD_MSG_INFO, "smoothing (EMA) %.2f", p->o.smooth);
        return true;
    }
    case MD_ACT_LOG_Y: p->o.log_y = !p->o.log_y; return true;
    case MD_ACT_OUTLIERS: p->o.ignore_outliers = !p->o.ignore_outliers; return true;
    case MD_ACT_ZOOM_IN: zoom(p, 0.5, 0); return true;
    case MD_ACT_ZOOM_OUT: zoom(p, 2, 0); return true;
    case MD_ACT_PAN_LEFT: zoom(p, 1, -0.25); return true;
    case MD_ACT_PAN_RIGHT: zoom(p, 1, 0.25); return true;
    case MD_ACT_ZOOM_RESET: p->o.zoom = false; return true;
    case MD_ACT_PNG: write_png(app, v); return true;
    case MD_ACT_REFRESH:
        p->live_refused = false;
        for (size_t i = 0; i < p->n; i++)
            submit_fetch(app, v, i, true);
        md_app_msg(app, MD_MSG_INFO, "fetching the histories again...");
        return true;
    default: return false;
    }
}

static void chart_crumb(struct md_app *app, struct md_view *v, char *out, size_t n)
{
    (void)app;
    struct chart_priv *p = CP(v);
    if (p->n == 1)
        snprintf(out, n, "%s%schart", p->runs[0].name, app->term.g.sep);
    else
        snprintf(out, n, "%zu runs%schart", p->n, app->term.g.sep);
}

static void chart_free(struct md_view *v)
{
    struct chart_priv *p = CP(v);
    if (!p)
        return;
    reset_runs(p);
    for (size_t i = 0; i < p->n; i++) {
        free(p->runs[i].id);
        free(p->runs[i].name);
    }
    for (size_t i = 0; i < p->nkeys; i++)
        free(p->keys[i]);
    free(p);
    v->priv = NULL;
}

static void chart_changed(struct md_app *app, struct md_view *v, const char *kind)
{
    (void)app;
    (void)v;
    (void)kind;
}

static const struct md_view_class chart_class = {
    .name = "chart",
    .ctx = MD_CTX_CHART,
    .draw = chart_draw,
    .action = chart_action,
    .changed = chart_changed,
    .crumb = chart_crumb,
    .free = chart_free,
    .event = chart_event,
};

struct md_view *md_metric_chart_new(struct md_app *app, const cJSON *const *runs, size_t n,
                                    const char *key)
{
    struct md_view *v = md_view_new(&chart_class, sizeof(struct chart_priv));
    if (!v)
        return NULL;
    struct chart_priv *p = v->priv;
    v->group = ++app->next_group;
    v->match_line = -1;
    for (size_t i = 0; i < n && p->n < MAX_RUNS; i++) {
        const char *id = md_json_str(runs[i], "$.info.run_id", NULL);
        if (!id)
            continue;
        const char *name = md_json_str(runs[i], "$.info.run_name", id);
        struct crun *r = &p->runs[p->n++];
        r->id = strdup(id);
        r->name = strdup(name);
        r->running = !strcmp(md_json_str(runs[i], "$.info.status", ""), "RUNNING");
        const cJSON *e;
        cJSON_ArrayForEach(e, md_json_get(runs[i], "$.data.metrics")) {
            const char *k = md_json_str(e, "$.key", NULL);
            if (k)
                add_key(p, k);
        }
    }
    qsort(p->keys, p->nkeys, sizeof *p->keys, str_cmp);
    /* start on the metric operators look at first */
    for (size_t i = 0; i < p->nkeys; i++)
        if (!strcmp(p->keys[i], "metrics/mAP50-95B"))
            p->ksel = i;
    if (key && key[0])
        set_key(app, v, key);
    else
        p->picking = true;
    return v;
}
