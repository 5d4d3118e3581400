/* Describe: the cached object as indented JSON, wrapped (w toggles),
 * searchable (/ n N) and scrollable.  The object comes from the cache, so it
 * shows exactly what the API returned. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ui/app.h"
#include "ui/describe_job.h"

/* Training and processing jobs: a rendered summary (timeline, metrics...)
 * above the JSON, re-rendered when the width changes (its bars follow the
 * pane) and every second while the job runs; a running job is described
 * again every refresh_seconds.  Its lines are v->lines' first nsum
 * entries, so `/` searches them too. */
struct describe_job {
    cJSON *obj;
    char *json;                 /* the pretty JSON below the summary */
    struct md_jobsum_line *sum;
    size_t nsum_made;           /* lines in sum */
    size_t nsum;                /* of them in v->lines (fewer when memory ran out) */
    int width;
    bool utf8, running;
    time_t at;
    bool fetching;              /* a describe is on a worker */
    double fetched_ms;          /* md_now_ms() of the last describe */
};

/* Asks a worker for the job's describe output (describe_event takes it). */
static void job_fetch(struct md_app *app, struct md_view *v)
{
    struct describe_job *d = v->priv;
    if (!d || d->fetching || !app->ws)
        return;
    if (!v->group)
        v->group = ++app->next_group;
    struct md_job_fetch *j = md_job_fetch_new(app->ws, v->kind, v->id);
    d->fetched_ms = md_now_ms();
    if (j && md_app_submit_call(app, v, md_job_fetch_run, j, md_job_fetch_free))
        d->fetching = true;
}

/* A finished job is cached as its list summary: the describe output
 * (transitions, hyperparameters...) arrives from a worker. */
static void describe_event(struct md_app *app, struct md_view *v, struct md_sync_event *ev)
{
    struct describe_job *d = v->priv;
    struct md_job_fetch *j = ev->arg;
    if (!d)
        return;
    d->fetching = false;
    d->fetched_ms = md_now_ms();
    if (ev->status == MD_OK && j && cJSON_IsObject(j->obj)) {
        char *pretty = cJSON_Print(j->obj);
        if (pretty) {
            cJSON_Delete(d->obj);
            d->obj = j->obj;
            j->obj = NULL;
            cJSON_free(d->json);
            d->json = pretty;
            d->width = -1;
        }
        if (!strncmp(app->msg, "reading ", 8))
            app->msg[0] = '\0';
    } else if (ev->status != MD_ERR_CANCELLED) {
        char line[600];
        md_app_msg(app, MD_MSG_ERROR, "describe %s: %s (showing the list summary)", v->id,
                   md_err_line(&ev->err, line, sizeof line));
    }
}

static void describe_job_free(struct describe_job *d)
{
    if (!d)
        return;
    cJSON_Delete(d->obj);
    cJSON_free(d->json);
    md_jobsum_lines_free(d->sum, d->nsum_made);
    free(d);
}

static void describe_free(struct md_view *v)
{
    for (size_t i = 0; i < v->nlines; i++)
        free(v->lines[i]);
    free(v->lines);
    free(v->id);
    free(v->label);
    describe_job_free(v->priv);
}

static int add_line(struct md_view *v, const char *s, size_t len, size_t *cap)
{
    if (v->nlines == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        char **nl = realloc(v->lines, nc * sizeof *nl);
        if (!nl)
            return -1;
        v->lines = nl;
        *cap = nc;
    }
    /* cJSON indents with tabs and writes "key":<TAB>value; real tabs inside
     * strings are escaped, so every raw tab here is layout. */
    size_t tabs = 0;
    for (size_t i = 0; i < len; i++)
        tabs += s[i] == '\t';
    char *out = malloc(len + tabs + 1);
    if (!out)
        return -1;
    size_t o = 0, i = 0;
    for (; i < len && s[i] == '\t'; i++) {
        out[o++] = ' ';
        out[o++] = ' ';
    }
    for (; i < len; i++)
        out[o++] = s[i] == '\t' ? ' ' : s[i];
    out[o] = '\0';
    v->lines[v->nlines++] = out;
    return 0;
}

/* Appends text's lines; *cap is the allocated size of v->lines. */
static void append_text(struct md_view *v, const char *text, size_t *cap)
{
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (add_line(v, p, len, cap) < 0)
            return;
        p += len;
        if (*p)
            p++;
    }
}

static void set_text(struct md_view *v, const char *text)
{
    size_t cap = 0;
    append_text(v, text, &cap);
}

static void load(struct md_app *app, struct md_view *v)
{
    char *json = NULL;
    long long fetched = 0;
    struct md_err err;
    if (md_cache_get(app->cache, &app->scope, v->kind->name, v->id, &json, &fetched, &err) != MD_OK) {
        char line[600];
        char msg[700];
        snprintf(msg, sizeof msg, "(not in the cache: %s)", md_err_line(&err, line, sizeof line));
        set_text(v, msg);
        return;
    }
    cJSON *obj = cJSON_Parse(json);
    char *pretty = obj ? cJSON_Print(obj) : NULL;
    struct describe_job *d = NULL;
    if (pretty && md_jobsum_handles(v->kind) && (d = calloc(1, sizeof *d))) {
        /* Lines are made at the first draw, when the width is known. */
        d->obj = obj;
        d->json = pretty;
        d->width = -1;
        v->priv = d;
    } else {
        set_text(v, pretty ? pretty : json);
        cJSON_free(pretty);
        cJSON_Delete(obj);
    }
    free(json);
    v->fetched_ms = fetched;
}

/* (Re)makes a job's lines for width w: summary, then the JSON. */
static void job_lines(struct md_app *app, struct md_view *v, int w)
{
    struct describe_job *d = v->priv;
    time_t now = time(NULL);
    if (!d || (d->width == w && d->utf8 == app->term.utf8 && !(d->running && now != d->at)))
        return;
    for (size_t i = 0; i < v->nlines; i++)
        free(v->lines[i]);
    v->nlines = 0;
    md_jobsum_lines_free(d->sum, d->nsum_made);
    d->nsum_made = md_jobsum_render(v->kind, d->obj, w, app->term.utf8, now, &d->sum);
    d->width = w;
    d->utf8 = app->term.utf8;
    d->at = now;
    d->running = md_kind_row_tone(v->kind, d->obj) == MD_TONE_RUNNING;
    size_t cap = 0;
    for (size_t i = 0; i < d->nsum_made; i++)
        if (add_line(v, d->sum[i].text, strlen(d->sum[i].text), &cap) < 0)
            break;
    d->nsum = v->nlines;   /* fewer when memory ran out */
    append_text(v, d->json, &cap);
}

/* Visual lines that source line i takes at width w. */
static long line_rows(const struct md_view *v, size_t i, int w)
{
    if (!v->wrap || w <= 0)
        return 1;
    long rows = 0;
    const char *s = v->lines[i];
    if (!*s)
        return 1;
    while (*s) {
        s += md_text_fit(s, w);
        rows++;
    }
    return rows;
}

static long total_rows(const struct md_view *v, int w)
{
    long n = 0;
    for (size_t i = 0; i < v->nlines; i++)
        n += line_rows(v, i, w);
    return n;
}

static long visual_row_of(const struct md_view *v, size_t line, int w)
{
    long n = 0;
    for (size_t i = 0; i < line && i < v->nlines; i++)
        n += line_rows(v, i, w);
    return n;
}

/* Draws bytes [s, s+len) at (y, x) in attr; returns cells used. */
static int put_bytes(int y, int x, int w, const char *s, size_t len, attr_t attr)
{
    char buf[1024];
    if (len >= sizeof buf)
        len = sizeof buf - 1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return md_put(y, x, w, buf, attr, false);
}

static const char *find_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    if (!n)
        return NULL;
    for (const char *p = hay; *p; p++)
        if (!strncasecmp(p, needle, n))
            return p;
    return NULL;
}

/* A chunk of a summary line: its spans' roles, the match highlighted. */
static void draw_styled(int y, int x, int w, const struct md_jobsum_line *l, const char *line,
                        const char *cs, size_t clen, const char *ms, size_t mlen)
{
    size_t i = 0;
    int used = 0;
    while (i < clen && used < w) {
        size_t off = (size_t)(cs - line) + i;
        bool bold, in_match = ms && cs + i >= ms && cs + i < ms + mlen;
        enum md_role role = md_jobsum_role_at(l, off, &bold);
        size_t j = i + 1;
        while (j < clen) {
            bool b2, m2 = ms && cs + j >= ms && cs + j < ms + mlen;
            if (md_jobsum_role_at(l, (size_t)(cs - line) + j, &b2) != role || b2 != bold ||
                m2 != in_match)
                break;
            j++;
        }
        attr_t a = in_match ? md_attr(MD_ROLE_MATCH) : md_attr(role) | (bold ? A_BOLD : 0);
        used += put_bytes(y, x + used, w - used, cs + i, j - i, a);
        i = j;
    }
}

/* One visual chunk [cs, cs+clen) of a line, with the match highlighted. */
static void draw_chunk(int y, int x, int w, const char *cs, size_t clen, const char *ms,
                       size_t mlen)
{
    attr_t normal = md_attr(MD_ROLE_NORMAL), hl = md_attr(MD_ROLE_MATCH);
    const char *ce = cs + clen;
    if (!ms || ms + mlen <= cs || ms >= ce) {
        put_bytes(y, x, w, cs, clen, normal);
        return;
    }
    const char *a = ms > cs ? ms : cs;
    const char *b = ms + mlen < ce ? ms + mlen : ce;
    int used = put_bytes(y, x, w, cs, (size_t)(a - cs), normal);
    used += put_bytes(y, x + used, w - used, a, (size_t)(b - a), hl);
    put_bytes(y, x + used, w - used, b, (size_t)(ce - b), normal);
}

static void describe_draw(struct md_app *app, struct md_view *v, struct md_rect r)
{
    int w = r.w;
    job_lines(app, v, w);
    const struct describe_job *dj = v->priv;
    double every = 1000.0 * (app->settings->refresh_seconds > 0 ? app->settings->refresh_seconds : 15);
    if (dj && dj->running && !dj->fetching && !app->settings->demo &&
        md_now_ms() - dj->fetched_ms > every)
        job_fetch(app, v);
    long total = total_rows(v, w);
    v->page_h = r.h;
    if (v->scroll > total - r.h)
        v->scroll = total - r.h;
    if (v->scroll < 0)
        v->scroll = 0;
    long vis = 0;
    int y = r.y;
    size_t mlen = strlen(v->search);
    for (size_t i = 0; i < v->nlines && y < r.y + r.h; i++) {
        const char *s = v->lines[i];
        const char *m = v->search[0] ? find_ci(s, v->search) : NULL;
        if (!v->wrap) {
            if (vis++ >= v->scroll) {
                size_t fit = md_text_fit(s, w);
                if (dj && i < dj->nsum)
                    draw_styled(y++, r.x, w, &dj->sum[i], v->lines[i], s, fit, m, mlen);
                else
                    draw_chunk(y++, r.x, w, s, fit, m, mlen);
            }
            continue;
        }
        do {
            size_t fit = *s ? md_text_fit(s, w) : 0;
            if (vis++ >= v->scroll && y < r.y + r.h) {
                if (dj && i < dj->nsum)
                    draw_styled(y++, r.x, w, &dj->sum[i], v->lines[i], s, fit, m, mlen);
                else
                    draw_chunk(y++, r.x, w, s, fit, m, mlen);
            }
            s += fit;
        } while (*s);
    }
}

void md_describe_search(struct md_app *app, struct md_view *v, const char *text, bool forward)
{
    if (text)
        snprintf(v->search, sizeof v->search, "%s", text);
    if (!v->search[0] || v->nlines == 0)
        return;
    long n = (long)v->nlines;
    long start = v->match_line;
    for (long step = 1; step <= n; step++) {
        long i = forward ? start + step : start - step;
        i = ((i % n) + n) % n;
        if (find_ci(v->lines[i], v->search)) {
            v->match_line = i;
            v->scroll = visual_row_of(v, (size_t)i, app->cols) - (v->page_h > 2 ? v->page_h / 3 : 0);
            md_app_msg(app, MD_MSG_INFO, "/%s: line %ld of %zu", v->search, i + 1, v->nlines);
            return;
        }
    }
    md_app_msg(app, MD_MSG_ERROR, "/%s: not found", v->search);
}

static bool describe_action(struct md_app *app, struct md_view *v, enum md_act act,
                            const struct md_binding *b)
{
    long page = v->page_h > 1 ? v->page_h - 1 : 1;
    switch (act) {
    case MD_ACT_DOWN: v->scroll++; break;
    case MD_ACT_UP: v->scroll--; break;
    case MD_ACT_PAGE_DOWN: v->scroll += page; break;
    case MD_ACT_PAGE_UP: v->scroll -= page; break;
    case MD_ACT_TOP: v->scroll = 0; break;
    case MD_ACT_BOTTOM: v->scroll = 1L << 40; break;
    case MD_ACT_SEARCH: md_prompt_open(app, MD_PROMPT_SEARCH, v->search); break;
    case MD_ACT_SEARCH_NEXT: md_describe_search(app, v, NULL, true); break;
    case MD_ACT_SEARCH_PREV: md_describe_search(app, v, NULL, false); break;
    case MD_ACT_WRAP:
        v->wrap = !v->wrap;
        md_app_msg(app, MD_MSG_INFO, "wrap %s", v->wrap ? "on" : "off");
        break;
    case MD_ACT_COPY: md_app_copy(app, v->id); break;
    default: return false;
    }
    return true;
}

static void describe_crumb(struct md_app *app, struct md_view *v, char *out, size_t n)
{
    snprintf(out, n, "%s%sdescribe", v->label ? v->label : v->id, app->term.g.sep);
}

static const struct md_view_class describe_class = {
    .name = "describe",
    .ctx = MD_CTX_DESCRIBE,
    .draw = describe_draw,
    .action = describe_action,
    .crumb = describe_crumb,
    .free = describe_free,
    .event = describe_event,
};

struct md_view *md_describe_new(struct md_app *app, const struct md_kind *k, const char *id,
                                const char *label)
{
    struct md_view *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->cls = &describe_class;
    v->kind = k;
    v->id = strdup(id);
    v->label = label ? strdup(label) : NULL;
    v->wrap = true;
    v->match_line = -1;
    load(app, v);
    struct describe_job *d = v->priv;
    if (d && md_jobsum_is_summary(k, d->obj) && app->ws) {
        job_fetch(app, v);
        if (d->fetching)
            md_app_msg(app, MD_MSG_INFO, "reading %s for the timeline and metrics...",
                       k->source ? k->source : "the description");
    } else if (d) {
        d->fetched_ms = md_now_ms();   /* the cached object is fresh enough for now */
    }
    return v;
}

/* A page of text: a pane whose kinds do not exist yet. */
static void page_free(struct md_view *v)
{
    free(v->title);
    free(v->text);
}

static void page_draw(struct md_app *app, struct md_view *v, struct md_rect r)
{
    int y = r.y + 1;
    md_put(y++, r.x + 2, r.w - 2, v->title, md_attr(MD_ROLE_TITLE), false);
    y++;
    const char *p = v->text;
    while (*p && y < r.y + r.h) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        put_bytes(y++, r.x + 2, r.w - 2, p, len, md_attr(MD_ROLE_NORMAL));
        p += len;
        if (*p)
            p++;
    }
}

static bool page_action(struct md_app *app, struct md_view *v, enum md_act act,
                        const struct md_binding *b)
{
    return false;
}

static void page_crumb(struct md_app *app, struct md_view *v, char *out, size_t n)
{
    snprintf(out, n, "%s", v->title);
}

static const struct md_view_class page_class = {
    .name = "page",
    .ctx = MD_CTX_LIST,
    .draw = page_draw,
    .action = page_action,
    .crumb = page_crumb,
    .free = page_free,
};

struct md_view *md_page_new(const char *title, const char *text)
{
    struct md_view *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->cls = &page_class;
    v->title = strdup(title);
    v->text = strdup(text);
    return v;
}
