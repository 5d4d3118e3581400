/* tail -f of a training or processing job's CloudWatch Logs: every host's
 * stream (one per instance, "algo-1-..."), read forward on a worker every
 * two seconds.  The view keeps the last 50,000 lines in a ring, follows
 * new lines while it sits at the bottom and stays put when scrolled up.
 * t toggles timestamps, w wrapping, / n N search, G back to following.
 * The demo serves the lines of md_demo_job_logs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "app/workspace.h"
#include "aws/client.h"
#include "aws/logs.h"
#include "aws/sagemaker.h"
#include "local/demo.h"
#include "ui/app.h"
#include "ui/pipelines.h"
#include "util/json.h"

#define LOG_KEEP 50000
#define POLL_MS 2000.0

struct logline {
    char *text;
    long long ts;
    char host[40];
};

/* What a worker reads in one poll; the streams (and their tokens) travel
 * with it and come back to the view. */
struct poll_job {
    const struct md_workspace *ws;
    const char *kind;
    bool demo;
    bool resolved;            /* job holds the name as created */
    const char *group;
    char job[256];
    struct md_log_streams streams;
    struct logline *lines;
    size_t n, cap;
    size_t dropped;           /* lines beyond LOG_KEEP in this batch */
    size_t stream_start;      /* the stream being read starts at lines[stream_start] */
    bool more;                /* a stream was not drained: come back at once */
};

struct logs_view {
    const struct md_kind *kind;
    const char *group;
    char job[256];
    bool resolved;
    struct logline *ring;
    size_t head, n;           /* oldest at ring[head] */
    size_t total;             /* lines received */
    long top;                 /* first line shown when not following */
    bool follow, show_ts, hosts_many, static_source, polling, first_done;
    char hosts[4][40];
    int nhosts;
    struct md_log_streams streams;
    double last_poll;
    char err[400];
};

static struct logs_view *P(struct md_view *v)
{
    return v->priv;
}

static struct logline *line_at(struct logs_view *d, size_t i)
{
    return &d->ring[(d->head + i) % LOG_KEEP];
}

static void poll_job_free(void *arg)
{
    struct poll_job *j = arg;
    if (!j)
        return;
    for (size_t i = 0; i < j->n; i++)
        free(j->lines[i].text);
    free(j->lines);
    md_log_streams_free(&j->streams);
    free(j);
}

struct collect_ctx {
    struct poll_job *j;
    struct md_worker *w;
};

static int collect(void *ctx, const char *stream, long long ts, const char *msg)
{
    struct collect_ctx *c = ctx;
    struct poll_job *j = c->j;
    /* Keep each host's newest LOG_KEEP (a backlog of millions costs memory
     * once); the merge by time then keeps the newest overall. */
    if (j->n - j->stream_start >= 2 * LOG_KEEP) {
        size_t drop = j->n - j->stream_start - LOG_KEEP;
        for (size_t i = j->stream_start; i < j->stream_start + drop; i++)
            free(j->lines[i].text);
        memmove(j->lines + j->stream_start, j->lines + j->stream_start + drop,
                (j->n - j->stream_start - drop) * sizeof *j->lines);
        j->n -= drop;
        j->dropped += drop;
    }
    if (j->n == j->cap) {
        size_t cap = j->cap ? j->cap * 2 : 256;
        struct logline *nl = realloc(j->lines, cap * sizeof *nl);
        if (!nl)
            return 1;
        j->lines = nl;
        j->cap = cap;
    }
    struct logline *l = &j->lines[j->n];
    l->text = strdup(msg);
    if (!l->text)
        return 1;
    l->ts = ts;
    /* "algo-1-1732610000" -> "algo-1" */
    snprintf(l->host, sizeof l->host, "%s", stream);
    char *dash = strrchr(l->host, '-');
    if (dash && dash != l->host && strncmp(l->host, "algo-", 5) == 0 && strchr(l->host, '-') != dash)
        *dash = '\0';
    j->n++;
    return md_worker_cancelled(c->w);
}

static int by_ts(const void *a, const void *b)
{
    const struct logline *x = a, *y = b;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    return x < y ? -1 : x > y;
}

static md_status poll_fn(struct md_worker *w, void *arg, struct md_err *err)
{
    struct poll_job *j = arg;
    struct collect_ctx c = {j, w};
    if (j->demo)
        return md_demo_job_logs(md_worker_cache(w), md_worker_scope(w), j->group, j->job, collect,
                                &c, err);
    if (!j->ws->aws)
        return md_err_set(err, MD_ERR_UNSUPPORTED, "logs need AWS, which is not configured");
    if (!j->resolved) {
        /* Stream names start with the job's name as created; an ARN gave
         * it in lower case. */
        cJSON *obj = NULL;
        struct md_err e;
        if (md_job_describe(w, j->ws, j->kind, j->job, &obj, &e) == MD_OK) {
            const char *real = md_json_str(obj, !strcmp(j->kind, "processing-jobs")
                                                    ? "$.ProcessingJobName"
                                                    : "$.TrainingJobName", NULL);
            if (real)
                snprintf(j->job, sizeof j->job, "%s", real);
            j->resolved = true;
        }
        cJSON_Delete(obj);
    }
    struct md_aws_client cl;
    struct md_endpoint ep;
    struct md_http_opts http;
    md_status st = md_workspace_aws_client(j->ws, w, "logs", "logs", &cl, &ep, &http, err);
    if (st == MD_OK)
        st = md_logs_job_streams(&cl, j->group, j->job, &j->streams, err);
    for (size_t i = 0; st == MD_OK && i < j->streams.n && !md_worker_cancelled(w); i++) {
        /* Lines of one host arrive in order; hosts are merged by time below. */
        j->stream_start = j->n;
        st = md_logs_read(&cl, j->group, &j->streams.v[i], collect, &c, err);
        if (!j->streams.v[i].drained)
            j->more = true;
    }
    if (st == MD_OK && j->streams.n > 1 && j->n > 1)
        qsort(j->lines, j->n, sizeof *j->lines, by_ts);
    if (j->n > LOG_KEEP) {
        /* The view keeps LOG_KEEP: hand over no more than that. */
        size_t drop = j->n - LOG_KEEP;
        for (size_t i = 0; i < drop; i++)
            free(j->lines[i].text);
        memmove(j->lines, j->lines + drop, LOG_KEEP * sizeof *j->lines);
        j->n = LOG_KEEP;
        j->dropped += drop;
    }
    return st;
}

static void start_poll(struct md_app *app, struct md_view *v)
{
    struct logs_view *d = P(v);
    if (d->polling || (d->static_source && d->first_done))
        return;
    struct poll_job *j = calloc(1, sizeof *j);
    if (!j)
        return;
    j->ws = app->ws;
    j->kind = d->kind->name;
    j->resolved = d->resolved;
    j->demo = app->settings->demo;
    j->group = d->group;
    snprintf(j->job, sizeof j->job, "%s", d->job);
    j->streams = d->streams;           /* moved to the job */
    d->streams = (struct md_log_streams){0};
    d->last_poll = md_now_ms();
    d->polling = md_app_submit_call(app, v, poll_fn, j, poll_job_free) != 0;
    if (!d->polling)
        snprintf(d->err, sizeof d->err, "could not read the logs (%s)",
                 app->sync ? "queue full" : "no provider configured");
}

static void push_line(struct logs_view *d, struct logline *l)
{
    if (d->n == LOG_KEEP) {
        free(d->ring[d->head].text);
        d->ring[d->head] = *l;
        d->head = (d->head + 1) % LOG_KEEP;
        if (!d->follow && d->top > 0)
            d->top--;
    } else {
        d->ring[(d->head + d->n) % LOG_KEEP] = *l;
        d->n++;
    }
    d->total++;
    bool known = false;
    for (int i = 0; i < d->nhosts; i++)
        known |= !strcmp(d->hosts[i], l->host);
    if (!known && d->nhosts < 4)
        snprintf(d->hosts[d->nhosts++], sizeof d->hosts[0], "%s", l->host);
    d->hosts_many = d->nhosts > 1;
}

static void logs_event(struct md_app *app, struct md_view *v, struct md_sync_event *ev)
{
    struct logs_view *d = P(v);
    struct poll_job *j = ev->arg;
    d->polling = false;
    d->first_done = true;
    if (!j)
        return;
    if (j->resolved && !d->resolved) {
        d->resolved = true;
        snprintf(d->job, sizeof d->job, "%s", j->job);
    }
    d->streams = j->streams;           /* back to the view, with their tokens */
    j->streams = (struct md_log_streams){0};
    double t0 = md_now_ms();
    for (size_t i = 0; i < j->n; i++) {
        push_line(d, &j->lines[i]);
        j->lines[i].text = NULL;
    }
    md_bench_log(app, "logs batch lines=%zu dropped=%zu ms=%.3f", j->n, j->dropped,
                 md_now_ms() - t0);
    d->total += j->dropped;
    j->n = 0;
    if (ev->status != MD_OK && ev->status != MD_ERR_CANCELLED) {
        char line[600];
        snprintf(d->err, sizeof d->err, "%s", md_err_line(&ev->err, line, sizeof line));
    } else if (ev->status == MD_OK) {
        d->err[0] = '\0';
    }
    if (j->more && ev->status == MD_OK)
        start_poll(app, v);   /* a backlog: the next batch right away */
}

/* ---- drawing -------------------------------------------------------------- */

static void format_line(const struct logs_view *d, const struct logline *l, char *out, size_t n)
{
    size_t used = 0;
    out[0] = '\0';
    if (d->show_ts) {
        time_t t = (time_t)(l->ts / 1000);
        struct tm tm;
        gmtime_r(&t, &tm);
        used += strftime(out, n, "%m-%d %H:%M:%S ", &tm);
    }
    if (d->hosts_many && used < n)
        used += (size_t)snprintf(out + used, n - used, "[%s] ", l->host);
    if (used < n)
        snprintf(out + used, n - used, "%s", l->text);
}

static int rows_of(const char *s, int w, bool wrap)
{
    if (!wrap || !*s)
        return 1;
    int r = 0;
    while (*s) {
        s += md_text_fit(s, w);
        r++;
    }
    return r;
}

static const char *find_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *p = hay; n && *p; p++)
        if (!strncasecmp(p, needle, n))
            return p;
    return NULL;
}

static void search(struct md_app *app, struct md_view *v, bool forward)
{
    struct logs_view *d = P(v);
    if (!v->search[0] || d->n == 0)
        return;
    long n = (long)d->n;
    long start = v->match_line >= 0 ? v->match_line : forward ? d->top - 1 : d->top;
    for (long step = 1; step <= n; step++) {
        long i = forward ? start + step : start - step;
        i = ((i % n) + n) % n;
        if (find_ci(line_at(d, (size_t)i)->text, v->search)) {
            v->match_line = i;
            d->follow = false;
            d->top = i > 2 ? i - 2 : 0;
            md_app_msg(app, MD_MSG_INFO, "/%s: line %ld of %zu", v->search, i + 1, d->n);
            return;
        }
    }
    v->match_line = -2;
    md_app_msg(app, MD_MSG_ERROR, "/%s: not found", v->search);
}

static void logs_draw(struct md_app *app, struct md_view *v, struct md_rect r)
{
    struct logs_view *d = P(v);
    if (!d->polling && md_now_ms() - d->last_poll > POLL_MS)
        start_poll(app, v);
    if (v->search[0] && v->match_line == -1)
        search(app, v, true);
    /* status line of the view */
    char head[600];
    snprintf(head, sizeof head, "%s %s  %zu lines%s  %s%s%s", d->kind->title, d->job, d->total,
             d->total > d->n ? " (last 50,000 kept)" : "",
             d->follow ? "following" : "scrolled (G follows)",
             d->static_source ? "  demo" : "", d->polling && !d->first_done ? "  loading..." : "");
    md_put(r.y, r.x, r.w, head, md_attr(MD_ROLE_TITLE), true);
    int bh = r.h - 1, by = r.y + 1;
    v->page_h = bh;
    if (d->err[0] && bh > 0) {
        md_put(by, r.x, r.w, d->err, md_attr(MD_ROLE_ERROR), false);
        by++;
        bh--;
    }
    if (bh <= 0)
        return;
    if (d->n == 0) {
        md_put(by, r.x, r.w,
               d->first_done ? "No log lines yet (the job has not written any; still following)."
                             : "Reading the log streams...",
               md_attr(MD_ROLE_MUTED), false);
        return;
    }
    char buf[8192];
    long n = (long)d->n;
    if (d->follow) {
        /* bottom-up: the last lines that fit */
        int rows = 0;
        long i = n - 1;
        for (; i >= 0; i--) {
            format_line(d, line_at(d, (size_t)i), buf, sizeof buf);
            int lr = rows_of(buf, r.w, v->wrap);
            if (rows + lr > bh)
                break;
            rows += lr;
        }
        d->top = i + 1;
    }
    if (d->top > n - 1)
        d->top = n - 1;
    if (d->top < 0)
        d->top = 0;
    int y = by;
    for (long i = d->top; i < n && y < by + bh; i++) {
        format_line(d, line_at(d, (size_t)i), buf, sizeof buf);
        attr_t a = i == v->match_line ? md_attr(MD_ROLE_MATCH) : md_attr(MD_ROLE_NORMAL);
        const char *s = buf;
        do {
            size_t fit = *s ? md_text_fit(s, r.w) : 0;
            char chunk[8192];
            memcpy(chunk, s, fit);
            chunk[fit] = '\0';
            md_put(y++, r.x, r.w, chunk, a, false);
            s += fit;
        } while (v->wrap && *s && y < by + bh);
    }
    /* At the bottom again: follow. */
    if (!d->follow && y < by + bh && d->top + (y - by) >= n)
        d->follow = true;
}

static bool logs_action(struct md_app *app, struct md_view *v, enum md_act act,
                        const struct md_binding *b)
{
    struct logs_view *d = P(v);
    long page = v->page_h > 1 ? v->page_h - 1 : 1;
    switch (act) {
    case MD_ACT_UP: d->follow = false; d->top--; break;
    case MD_ACT_DOWN: if (!d->follow) d->top++; break;
    case MD_ACT_PAGE_UP: d->follow = false; d->top -= page; break;
    case MD_ACT_PAGE_DOWN: if (!d->follow) d->top += page; break;
    case MD_ACT_TOP: d->follow = false; d->top = 0; break;
    case MD_ACT_BOTTOM: d->follow = true; md_app_msg(app, MD_MSG_INFO, "following new lines"); break;
    case MD_ACT_SEARCH: md_prompt_open(app, MD_PROMPT_SEARCH, v->search); break;
    case MD_ACT_SEARCH_NEXT: search(app, v, true); break;
    case MD_ACT_SEARCH_PREV: search(app, v, false); break;
    case MD_ACT_WRAP:
        v->wrap = !v->wrap;
        md_app_msg(app, MD_MSG_INFO, "wrap %s", v->wrap ? "on" : "off");
        break;
    case MD_ACT_TIMESTAMPS:
        d->show_ts = !d->show_ts;
        md_app_msg(app, MD_MSG_INFO, "timestamps %s", d->show_ts ? "on" : "off");
        break;
    case MD_ACT_COPY: md_app_copy(app, d->job); break;
    default: return false;
    }
    if (d->top < 0)
        d->top = 0;
    if (d->n && d->top >= (long)d->n)
        d->top = (long)d->n - 1;
    return true;
}

static void logs_crumb(struct md_app *app, struct md_view *v, char *out, size_t n)
{
    snprintf(out, n, "%s%slogs", P(v)->job, app->term.g.sep);
}

static void logs_free(struct md_view *v)
{
    struct logs_view *d = P(v);
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++)
        free(line_at(d, i)->text);
    free(d->ring);
    md_log_streams_free(&d->streams);
    free(d);
}

static const struct md_view_class logs_class = {
    .name = "logs",
    .ctx = MD_CTX_DESCRIBE,
    .draw = logs_draw,
    .action = logs_action,
    .crumb = logs_crumb,
    .free = logs_free,
    .event = logs_event,
};

md_status md_job_describe(struct md_worker *w, const struct md_workspace *ws, const char *kind,
                          const char *name, cJSON **out, struct md_err *err)
{
    *out = NULL;
    if (!ws->aws)
        return md_err_set(err, MD_ERR_UNSUPPORTED, "AWS is not configured");
    struct md_sm_ctx x = {ws->aws, ws->settings, md_worker_cache(w), md_worker_scope(w),
                          md_worker_curl(w), md_worker_cancelled_cb, w};
    char rid[80];
    return md_sm_action(&x, kind, name, "describe", NULL, out, rid, err);
}

struct found {
    char id[256];
    const char *want;
};

static int pick_row(void *ctx, const struct md_cache_row *row)
{
    struct found *f = ctx;
    if (strcasecmp(row->id, f->want) != 0)
        return 0;
    snprintf(f->id, sizeof f->id, "%s", row->id);
    return 1;
}

/* ARNs carry job names in lower case; logs and the demo want the name as
 * created: take it from the cached job when there is one. */
bool md_job_resolve_name(struct md_app *app, const struct md_kind *k, const char *name, char *out,
                         size_t n)
{
    snprintf(out, n, "%s", name);
    char *json = NULL;
    struct md_err err;
    if (md_cache_get(app->cache, &app->scope, k->name, name, &json, NULL, &err) == MD_OK) {
        free(json);
        return true;
    }
    const char *paths[1] = {k->id_path};
    struct md_cache_query q = {.kind = k->name, .filter_paths = paths, .nfilter_paths = 1,
                               .filter_text = name, .limit = 8};
    struct found f = {"", name};
    if (md_cache_query(app->cache, &app->scope, &q, pick_row, &f, &err) == MD_OK && f.id[0]) {
        snprintf(out, n, "%s", f.id);
        return true;
    }
    return false;
}

struct md_view *md_logs_new(struct md_app *app, const struct md_kind *k, const char *job)
{
    if (!k)
        return NULL;
    struct md_view *v = calloc(1, sizeof *v);
    struct logs_view *d = calloc(1, sizeof *d);
    if (d)
        d->ring = calloc(LOG_KEEP, sizeof *d->ring);
    if (!v || !d || !d->ring) {
        if (d)
            free(d->ring);
        free(d);
        free(v);
        return NULL;
    }
    v->cls = &logs_class;
    v->priv = d;
    v->wrap = true;
    v->match_line = -1;
    v->group = ++app->next_group;
    d->kind = k;
    d->group = !strcmp(k->name, "processing-jobs") ? MD_LOGS_PROCESSING_GROUP
                                                   : MD_LOGS_TRAINING_GROUP;
    d->resolved = md_job_resolve_name(app, k, job, d->job, sizeof d->job);
    d->follow = true;
    d->show_ts = true;
    d->static_source = app->settings->demo;
    start_poll(app, v);
    return v;
}
