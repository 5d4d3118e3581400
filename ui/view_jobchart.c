/* `m` on a training job: its metrics.  From CloudWatch (namespace
 * /aws/sagemaker/TrainingJobs: the algorithm's metrics from its
 * MetricDefinitions and the instance's CPU/GPU/memory/disk), read on a
 * worker; in the demo (which has no CloudWatch) from the MLflow run the job
 * logged to (its per-epoch histories).  One sparkline per metric with its
 * last value and range; the selected one (j/k) is drawn large below with
 * the shared chart widget (ui/chart.h).
 * Refreshed while the job runs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/workspace.h"
#include "aws/client.h"
#include "aws/cwmetrics.h"
#include "ui/app.h"
#include "ui/chart.h"
#include "ui/pipelines.h"
#include "util/json.h"

struct chart_view {
    char job[256];
    cJSON *obj;                       /* the cached training job */
    struct md_series_set set;
    bool loading, loaded, from_mlflow;
    char source[200];
    char err[400];
    int sel, scroll;
    double last_fetch;
};

static struct chart_view *P(struct md_view *v)
{
    return v->priv;
}

struct fetch_job {
    const struct md_workspace *ws;
    bool demo;
    char job[256];
    bool have_obj;            /* start/end come from the cached job */
    double start, end;
    struct md_series_set set;
    bool from_mlflow;
    char run_id[64];
};

static void fetch_job_free(void *arg)
{
    struct fetch_job *j = arg;
    if (!j)
        return;
    md_series_set_free(&j->set);
    free(j);
}

/* ---- MLflow histories (the demo, or a job CloudWatch has nothing for) ---- */

static int first_run(void *ctx, const struct md_cache_row *row)
{
    snprintf(ctx, 64, "%s", row->id);
    return 1;
}

static int add_history(void *ctx, const struct md_cache_row *row)
{
    struct md_series_set *set = ctx;
    cJSON *o = cJSON_Parse(row->json);
    const cJSON *pts = cJSON_GetObjectItemCaseSensitive(o, "metrics");
    int n = cJSON_GetArraySize(pts);
    if (n <= 0) {
        cJSON_Delete(o);
        return 0;
    }
    struct md_series *nv = realloc(set->v, (set->n + 1) * sizeof *nv);
    if (!nv) {
        cJSON_Delete(o);
        return 1;
    }
    set->v = nv;
    struct md_series *s = &set->v[set->n];
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", md_json_str(cJSON_GetArrayItem(pts, 0), "$.key", "?"));
    s->t = calloc((size_t)n, sizeof *s->t);
    s->v = calloc((size_t)n, sizeof *s->v);
    if (!s->t || !s->v) {
        free(s->t);
        free(s->v);
        cJSON_Delete(o);
        return 1;
    }
    const cJSON *p;
    cJSON_ArrayForEach(p, pts) {
        const cJSON *val = cJSON_GetObjectItemCaseSensitive(p, "value");
        /* MLflow writes NaN as the string "NaN": keep it a NaN. */
        double y = cJSON_IsNumber(val) ? val->valuedouble : NAN;
        s->t[s->n] = md_json_num(p, "$.step", (double)s->n);
        s->v[s->n] = y;
        s->n++;
    }
    s->cap = s->n;
    set->n++;
    cJSON_Delete(o);
    return 0;
}

static md_status from_mlflow(struct md_worker *w, struct fetch_job *j, struct md_err *err)
{
    struct md_cache *c = md_worker_cache(w);
    const struct md_scope *sc = md_worker_scope(w);
    const char *paths[1] = {"$.data.tags[?key=sagemaker.training_job].value"};
    struct md_cache_query q = {.kind = "runs", .filter_paths = paths, .nfilter_paths = 1,
                               .filter_text = j->job, .limit = 1};
    md_status st = md_cache_query(c, sc, &q, first_run, j->run_id, err);
    if (st != MD_OK || !j->run_id[0])
        return st;
    struct md_cache_query hq = {.kind = "metric-histories", .parent = j->run_id,
                                .sort_path = "$.metrics[0].key"};
    st = md_cache_query(c, sc, &hq, add_history, &j->set, err);
    j->from_mlflow = j->set.n > 0;
    return st;
}

static md_status fetch(struct md_worker *w, void *arg, struct md_err *err)
{
    struct fetch_job *j = arg;
    if (j->demo || !j->ws->aws)
        return from_mlflow(w, j, err);
    if (!j->have_obj) {
        /* Not cached yet (a step's ARN): its times and its name as created. */
        cJSON *obj = NULL;
        struct md_err e;
        if (md_job_describe(w, j->ws, "training-jobs", j->job, &obj, &e) == MD_OK) {
            const struct md_kind *k = md_kind_find("training-jobs");
            double t;
            snprintf(j->job, sizeof j->job, "%s", md_json_str(obj, "$.TrainingJobName", j->job));
            if (k && md_kind_time(k, obj, "$.CreationTime", &t))
                j->start = t - 60;
            if (k && md_kind_time(k, obj, "$.TrainingEndTime", &t))
                j->end = t + 120;
        }
        cJSON_Delete(obj);
    }
    struct md_aws_client c;
    struct md_endpoint ep;
    struct md_http_opts http;
    md_status st = md_workspace_aws_client(j->ws, w, "monitoring", "job metrics", &c, &ep, &http,
                                           err);
    /* About a hundred points over the job's life (periods are minutes). */
    int period = (int)ceil((j->end - j->start) / 100.0 / 60.0) * 60;
    if (period < 60)
        period = 60;
    if (st == MD_OK)
        st = md_cw_training_metrics(&c, j->job, j->start, j->end, period, &j->set, err);
    if (st == MD_OK && j->set.n == 0)
        st = from_mlflow(w, j, err);
    return st;
}

static void request_fetch(struct md_app *app, struct md_view *v)
{
    struct chart_view *d = P(v);
    struct fetch_job *j = calloc(1, sizeof *j);
    if (!j)
        return;
    j->ws = app->ws;
    j->demo = app->settings->demo;
    snprintf(j->job, sizeof j->job, "%s", d->job);
    const struct md_kind *k = md_kind_find("training-jobs");
    double t;
    j->have_obj = d->obj != NULL;
    j->start = k && md_kind_time(k, d->obj, "$.CreationTime", &t) ? t - 60 : (double)time(NULL) - 86400;
    j->end = k && md_kind_time(k, d->obj, "$.TrainingEndTime", &t) ? t + 120 : (double)time(NULL);
    d->last_fetch = md_now_ms();
    d->loading = md_app_submit_call(app, v, fetch, j, fetch_job_free) != 0;
    if (!d->loading && !d->loaded)
        snprintf(d->err, sizeof d->err, "could not read the metrics (%s)",
                 app->sync ? "queue full" : "no provider configured");
}

static void load_job(struct md_app *app, struct chart_view *d)
{
    char *json = NULL;
    struct md_err err;
    if (md_cache_get(app->cache, &app->scope, "training-jobs", d->job, &json, NULL, &err) == MD_OK) {
        cJSON_Delete(d->obj);
        d->obj = cJSON_Parse(json);
        free(json);
    }
}

static void chart_event(struct md_app *app, struct md_view *v, struct md_sync_event *ev)
{
    struct chart_view *d = P(v);
    struct fetch_job *j = ev->arg;
    d->loading = false;
    if (ev->status == MD_OK && j) {
        if (!d->obj) {
            snprintf(d->job, sizeof d->job, "%s", j->job);
            load_job(app, d);
        }
        md_series_set_free(&d->set);
        d->set = j->set;
        j->set = (struct md_series_set){0};
        d->loaded = true;
        d->from_mlflow = j->from_mlflow;
        if (j->from_mlflow)
            snprintf(d->source, sizeof d->source, "MLflow run %s (per epoch)", j->run_id);
        else
            snprintf(d->source, sizeof d->source, "CloudWatch %s", MD_CW_TRAINING_NAMESPACE);
        d->err[0] = '\0';
        if (d->sel >= (int)d->set.n)
            d->sel = 0;
    } else if (ev->status != MD_ERR_CANCELLED) {
        char line[600];
        snprintf(d->err, sizeof d->err, "metrics: %s", md_err_line(&ev->err, line, sizeof line));
    }
}

/* ---- drawing ------------------------------------------------------------------ */

static void range_of(const struct md_series *s, double *lo, double *hi)
{
    *lo = INFINITY;
    *hi = -INFINITY;
    for (size_t i = 0; i < s->n; i++)
        if (isfinite(s->v[i])) {
            if (s->v[i] < *lo)
                *lo = s->v[i];
            if (s->v[i] > *hi)
                *hi = s->v[i];
        }
}

/* Mean of the finite values in column c of w (NAN when none). */
static double column_value(const struct md_series *s, int c, int w)
{
    size_t a = s->n * (size_t)c / (size_t)w, b = s->n * (size_t)(c + 1) / (size_t)w;
    if (b <= a)
        b = a + 1;
    double sum = 0;
    int k = 0;
    for (size_t i = a; i < b && i < s->n; i++)
        if (isfinite(s->v[i])) {
            sum += s->v[i];
            k++;
        }
    return k ? sum / k : NAN;
}

static void sparkline(struct md_app *app, int y, int x, int w, const struct md_series *s,
                      attr_t a)
{
    static const char *const u8[8] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
    static const char asc[] = "_.-:=+*#";
    double lo, hi;
    range_of(s, &lo, &hi);
    int cols = s->n < (size_t)w ? (int)s->n : w;
    for (int c = 0; c < cols; c++) {
        double v = column_value(s, c, cols);
        if (!isfinite(v)) {
            md_put(y, x + c, 1, app->term.utf8 ? "·" : "?", md_attr(MD_ROLE_FAIL), false);
            continue;
        }
        int lvl = hi > lo ? (int)((v - lo) / (hi - lo) * 7.999) : 3;
        if (app->term.utf8) {
            md_put(y, x + c, 1, u8[lvl], a, false);
        } else {
            char ch[2] = {asc[lvl], 0};
            md_put(y, x + c, 1, ch, a, false);
        }
    }
}

/* The selected series as an area of block columns, h rows tall. */
static void big_chart(struct md_app *app, struct md_rect r, const struct md_series *s)
{
    static const char *const u8[8] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
    double lo, hi;
    range_of(s, &lo, &hi);
    if (r.h < 3 || r.w < 20 || !isfinite(lo))
        return;
    char lab[64];
    int lw = 10;
    int cw = r.w - lw - 1;
    int cols = cw;   /* stretched: few epochs still fill the width */
    int h = r.h - 1;
    snprintf(lab, sizeof lab, "%.4g", hi);
    md_put(r.y, r.x, lw, lab, md_attr(MD_ROLE_MUTED), false);
    snprintf(lab, sizeof lab, "%.4g", lo);
    md_put(r.y + h - 1, r.x, lw, lab, md_attr(MD_ROLE_MUTED), false);
    attr_t a = md_attr(MD_ROLE_INFO);
    for (int c = 0; c < cols; c++) {
        double v = column_value(s, c, cols);
        int x = r.x + lw + 1 + c;
        if (!isfinite(v)) {
            md_put(r.y, x, 1, app->term.utf8 ? "·" : "?", md_attr(MD_ROLE_FAIL), false);
            continue;
        }
        double frac = hi > lo ? (v - lo) / (hi - lo) : 0.5;
        int eighths = (int)(frac * (h * 8 - 1)) + 1;
        for (int row = 0; row < h; row++) {
            int left = eighths - row * 8;
            if (left <= 0)
                break;
            int y = r.y + h - 1 - row;
            if (app->term.utf8)
                md_put(y, x, 1, u8[left >= 8 ? 7 : left - 1], a, false);
            else
                md_put(y, x, 1, left >= 8 ? "#" : left >= 4 ? "+" : ".", a, false);
        }
    }
    snprintf(lab, sizeof lab, "%zu points", s->n);
    md_put(r.y + h, r.x + lw + 1, cw, lab, md_attr(MD_ROLE_MUTED), false);
}

static bool job_running(const struct chart_view *d)
{
    return md_status_tone(md_json_str(d->obj, "$.TrainingJobStatus", "")) == MD_TONE_RUNNING;
}

static void chart_draw(struct md_app *app, struct md_view *v, struct md_rect r)
{
    struct chart_view *d = P(v);
    double every = app->settings->refresh_seconds > 0 ? app->settings->refresh_seconds : 15;
    if (!d->loading && job_running(d) && md_now_ms() - d->last_fetch > every * 1000.0)
        request_fetch(app, v);
    char buf[600];
    struct md_rect in = {r.y, r.x + 1, r.h, r.w - 2};
    snprintf(buf, sizeof buf, "Metrics of %s  %s%s", d->job,
             d->loaded ? d->source : d->loading ? "loading..." : "",
             job_running(d) ? "  (live)" : "");
    md_put(in.y, in.x, in.w, buf, md_attr(MD_ROLE_TITLE), true);
    int y = in.y + 1;
    if (d->err[0])
        md_put(y++, in.x, in.w, d->err, md_attr(MD_ROLE_ERROR), false);
    /* The job's own final metrics (FinalMetricDataList), always there once it ends. */
    const cJSON *fm = cJSON_GetObjectItemCaseSensitive(d->obj, "FinalMetricDataList");
    if (cJSON_GetArraySize(fm) > 0) {
        size_t used = (size_t)snprintf(buf, sizeof buf, "Final:");
        const cJSON *m;
        cJSON_ArrayForEach(m, fm) {
            if (used >= sizeof buf)
                break;
            used += (size_t)snprintf(buf + used, sizeof buf - used, "  %s=%.4g",
                                     md_json_str(m, "$.MetricName", "?"),
                                     md_json_num(m, "$.Value", NAN));
        }
        md_put(y++, in.x, in.w, buf, md_attr(MD_ROLE_NORMAL), false);
    }
    if (d->loaded && d->set.n == 0) {
        md_put(y + 1, in.x, in.w,
               app->settings->demo
                   ? "No metric history: the demo has none for this job (no MLflow run names it)."
                   : "No metric datapoints for this job in CloudWatch (yet).",
               md_attr(MD_ROLE_MUTED), false);
        return;
    }
    if (d->set.n == 0)
        return;
    int bottom = in.y + in.h - 1;
    int list_h = (int)d->set.n;
    int room = bottom - y;
    int big_h = room >= list_h + 8 ? room - list_h - 1 : room >= 14 ? room / 2 : 0;
    if (big_h > 12)
        big_h = 12;
    int lh = room - (big_h ? big_h + 1 : 0);
    if (lh < 1)
        lh = 1;
    if (d->sel < d->scroll)
        d->scroll = d->sel;
    if (d->sel >= d->scroll + lh)
        d->scroll = d->sel - lh + 1;
    int name_w = in.w >= 70 ? 24 : 16, val_w = 22;
    int sw = in.w - name_w - val_w - 3;
    int list_end = y + lh;
    for (int i = d->scroll; i < (int)d->set.n && y < list_end && y < bottom; i++, y++) {
        const struct md_series *s = &d->set.v[i];
        bool sel = i == d->sel;
        md_put(y, in.x, name_w, s->name, sel ? md_attr(MD_ROLE_SELECTED) : md_attr(MD_ROLE_NORMAL),
               true);
        if (sw > 4)
            sparkline(app, y, in.x + name_w + 1, sw, s,
                      s->instance ? md_attr(MD_ROLE_MUTED) : md_attr(MD_ROLE_INFO));
        double lo, hi;
        range_of(s, &lo, &hi);
        double last = s->n ? s->v[s->n - 1] : NAN;
        if (isnan(last))
            snprintf(buf, sizeof buf, "NaN  [%.3g..%.3g]", lo, hi);
        else if (isfinite(lo))
            snprintf(buf, sizeof buf, "%.4g [%.3g..%.3g]", last, lo, hi);
        else
            snprintf(buf, sizeof buf, "-");
        md_put(y, in.x + in.w - val_w, val_w, buf, md_attr(MD_ROLE_NORMAL), false);
    }
    if (big_h >= 3) {
        const struct md_series *s = &d->set.v[d->sel];
        snprintf(buf, sizeof buf, "%s (%s)", s->name, d->from_mlflow ? "x: epoch" : "x: time");
        /* The shared line-chart widget (braille, ASCII markers); the block
         * area is the fallback when it cannot draw (too small). */
        struct md_chart_series cs = {s->name, s->t, s->v, s->n};
        struct md_chart_opts o = {.xfmt = d->from_mlflow ? MD_CHART_X_NUMBER : MD_CHART_X_TIME};
        struct md_rect cr = {bottom - big_h, in.x, big_h + 1, in.w};
        if (s->n < 2 || !md_chart_draw(&app->term, cr, &cs, 1, &o, buf)) {
            md_fill(bottom - big_h, in.x, in.w, md_attr(MD_ROLE_NORMAL));
            md_put(bottom - big_h, in.x, in.w, buf, md_attr(MD_ROLE_TITLE), false);
            big_chart(app, (struct md_rect){bottom - big_h + 1, in.x, big_h, in.w}, s);
        }
    }
}

static bool chart_action(struct md_app *app, struct md_view *v, enum md_act act,
                         const struct md_binding *b)
{
    struct chart_view *d = P(v);
    int n = (int)d->set.n;
    switch (act) {
    case MD_ACT_DOWN: if (d->sel + 1 < n) d->sel++; break;
    case MD_ACT_UP: if (d->sel > 0) d->sel--; break;
    case MD_ACT_TOP: d->sel = 0; break;
    case MD_ACT_BOTTOM: d->sel = n > 0 ? n - 1 : 0; break;
    case MD_ACT_COPY: md_app_copy(app, d->job); break;
    default: return false;
    }
    return true;
}

static bool chart_key(struct md_app *app, struct md_view *v, int key)
{
    if (key != 'r')
        return false;
    request_fetch(app, v);
    load_job(app, P(v));
    md_app_msg(app, MD_MSG_INFO, "reading the metrics again...");
    return true;
}

static void chart_changed(struct md_app *app, struct md_view *v, const char *kind)
{
    if (!kind || !strcmp(kind, "training-jobs"))
        load_job(app, P(v));
}

static void chart_crumb(struct md_app *app, struct md_view *v, char *out, size_t n)
{
    snprintf(out, n, "%s%smetrics", P(v)->job, app->term.g.sep);
}

static void chart_free(struct md_view *v)
{
    struct chart_view *d = P(v);
    if (!d)
        return;
    md_series_set_free(&d->set);
    cJSON_Delete(d->obj);
    free(d);
}

static const struct md_view_class chart_class = {
    .name = "job-metrics",
    .ctx = MD_CTX_DESCRIBE,
    .draw = chart_draw,
    .action = chart_action,
    .changed = chart_changed,
    .crumb = chart_crumb,
    .free = chart_free,
    .key = chart_key,
    .event = chart_event,
};

struct md_view *md_jobchart_new(struct md_app *app, const char *job)
{
    struct md_view *v = md_view_new(&chart_class, sizeof(struct chart_view));
    if (!v)
        return NULL;
    struct chart_view *d = v->priv;
    v->group = ++app->next_group;
    md_job_resolve_name(app, md_kind_find("training-jobs"), job, d->job, sizeof d->job);
    load_job(app, d);
    request_fetch(app, v);
    return v;
}
