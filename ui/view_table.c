/* The one generic resource view: renders any kind from its descriptor as a
 * table over a window of cache rows.  Only the rows around the screen are
 * in memory (a few screens' worth); SQLite filters, sorts and counts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app/workspace.h"
#include "ui/app.h"
#include "ui/filter.h"
#include "ui/experiments.h"
#include "util/json.h"

#define MIN_FLEX_WIDTH 10

static void free_window(struct md_view *v)
{
    for (long i = 0; i < v->win_n; i++) {
        free(v->win[i].id);
        cJSON_Delete(v->win[i].obj);
    }
    v->win_n = 0;
}

static void table_free(struct md_view *v)
{
    free(v->keep_id);
    free_window(v);
    free(v->win);
    free(v->parent);
    free(v->parent_label);
}

/* Rows of the table body for a rect of height h (one line is the titles). */
static long body_rows(struct md_rect r)
{
    return r.h > 1 ? r.h - 1 : 0;
}

struct query_paths {
    const char *paths[64];
    size_t n;
};

static void fill_query(struct md_view *v, struct md_cache_query *q, struct query_paths *qp)
{
    const struct md_kind *k = v->kind;
    memset(q, 0, sizeof *q);
    q->kind = k->name;
    q->parent = v->parent;
    qp->n = 0;
    if (v->filter[0]) {
        for (size_t i = 0; i < k->ncolumns && qp->n + 2 <= 64; i++) {
            const struct md_column *c = &k->columns[i];
            if (v->filter_col >= 0 ? (int)i != v->filter_col : c->hidden)
                continue;
            qp->paths[qp->n++] = c->path;
            if (md_column_has_fallback(c))
                qp->paths[qp->n++] = c->path2;
        }
        q->filter_paths = qp->paths;
        q->nfilter_paths = qp->n;
        q->filter_text = v->filter;
    }
    if (v->sort_col >= 0 && (size_t)v->sort_col < k->ncolumns) {
        q->sort_path = k->columns[v->sort_col].path;
        q->sort_desc = v->sort_desc;
    }
}

struct load_ctx {
    struct md_view *v;
};

static int add_row(void *ctx, const struct md_cache_row *row)
{
    struct md_view *v = ((struct load_ctx *)ctx)->v;
    if (v->win_n == v->win_cap) {
        long cap = v->win_cap ? v->win_cap * 2 : 128;
        struct md_row *nw = realloc(v->win, (size_t)cap * sizeof *nw);
        if (!nw)
            return 1;
        v->win = nw;
        v->win_cap = cap;
    }
    struct md_row *r = &v->win[v->win_n];
    r->id = strdup(row->id);
    r->obj = cJSON_Parse(row->json);
    if (!r->id) {
        cJSON_Delete(r->obj);
        return 1;
    }
    v->win_n++;
    return 0;
}

static void recount(struct md_app *app, struct md_view *v)
{
    struct md_cache_query q;
    struct query_paths qp;
    fill_query(v, &q, &qp);
    struct md_err err;
    double t0 = md_now_ms();
    long n = 0;
    if (md_cache_count(app->cache, &app->scope, &q, &n, &err) != MD_OK) {
        char line[600];
        md_app_msg(app, MD_MSG_ERROR, "%s", md_err_line(&err, line, sizeof line));
        n = 0;
    }
    v->count = n;
    long long oldest = 0;
    if (md_cache_fetched_at(app->cache, &app->scope, v->kind->name, v->parent, &oldest, &err) == MD_OK)
        v->fetched_ms = oldest;
    v->need_count = false;
    md_bench_log(app, "count %s rows=%ld filter=\"%s\" ms=%.3f", v->kind->name, n, v->filter,
                 md_now_ms() - t0);
}

/* Loads rows [off, off + n).  In the second half of a counted listing it
 * reads the reversed order from the other end: SQLite's OFFSET walks every
 * skipped row, and ORDER BY col DESC, seq DESC is exactly the mirror of
 * col ASC, seq ASC (NULLs included), so G on 100,000 rows stays cheap. */
static void load_window(struct md_app *app, struct md_view *v, long off, long n)
{
    free_window(v);
    struct md_cache_query q;
    struct query_paths qp;
    fill_query(v, &q, &qp);
    if (off < 0)
        off = 0;
    long end = off + n;
    bool reverse = !v->need_count && v->count > 0 && off > v->count / 2;
    if (reverse) {
        if (end > v->count)
            end = v->count;
        q.offset = v->count - end;
        q.limit = end - off;
        q.sort_desc = !q.sort_desc;
    } else {
        q.offset = off;
        q.limit = n;
    }
    struct md_err err;
    struct load_ctx ctx = {v};
    double t0 = md_now_ms();
    if (md_cache_query(app->cache, &app->scope, &q, add_row, &ctx, &err) != MD_OK) {
        char line[600];
        md_app_msg(app, MD_MSG_ERROR, "%s", md_err_line(&err, line, sizeof line));
    }
    if (reverse) {
        for (long i = 0, j = v->win_n - 1; i < j; i++, j--) {
            struct md_row t = v->win[i];
            v->win[i] = v->win[j];
            v->win[j] = t;
        }
        /* Fewer rows than counted (rows went away): they end at `end`. */
        v->win_off = end - v->win_n;
    } else {
        v->win_off = off;
    }
    v->need_rows = false;
    md_bench_log(app, "window %s off=%ld n=%ld%s ms=%.3f", v->kind->name, v->win_off, v->win_n,
                 reverse ? " reversed" : "", md_now_ms() - t0);
}

static void settle(struct md_app *app, struct md_view *v, long h, bool may_defer);

/* After a refresh added or removed rows above it, the selected row moves:
 * follow it (by id) so the next key acts on the row the operator chose. */
static void follow_kept_row(struct md_app *app, struct md_view *v, long h)
{
    char *id = v->keep_id;
    v->keep_id = NULL;
    for (long i = 0; i < v->win_n; i++)
        if (!strcmp(v->win[i].id, id)) {
            long delta = v->win_off + i - v->sel;
            if (delta) {
                v->sel += delta;
                v->top += delta;
                settle(app, v, h, false);
            }
            break;
        }
    free(id);
}

/* Keeps sel in range and the window covering the visible rows. */
/* may_defer: a paint may show the first rows before the (slower) count
 * of all rows is known; the loop finishes it right after.  Not with a
 * filter: rare matches make the sorted window walk the whole index, while
 * the count is one sequential scan that also tells when nothing matches. */
static void settle(struct md_app *app, struct md_view *v, long h, bool may_defer)
{
    if (v->need_count && may_defer && !v->filter[0] && v->sel == 0 && v->top == 0 && h > 0) {
        load_window(app, v, 0, 3 * h);
        v->count = v->win_n;
        if (v->win_n < 3 * h) {
            /* The whole listing fits in the window: that is the count. */
            v->need_count = false;
            v->count_deferred = false;
            long long oldest = 0;
            struct md_err err;
            if (md_cache_fetched_at(app->cache, &app->scope, v->kind->name, v->parent, &oldest,
                                    &err) == MD_OK)
                v->fetched_ms = oldest;
        } else {
            v->count_deferred = true;
        }
        return;
    }
    if (v->need_count) {
        recount(app, v);
        v->count_deferred = false;
    }
    if (v->sel >= v->count)
        v->sel = v->count - 1;
    if (v->sel < 0)
        v->sel = 0;
    if (h < 1)
        h = 1;
    if (v->sel < v->top)
        v->top = v->sel;
    if (v->sel >= v->top + h)
        v->top = v->sel - h + 1;
    if (v->top > v->count - h)
        v->top = v->count - h;
    if (v->top < 0)
        v->top = 0;
    if (v->count == 0) {
        /* Nothing matches: walking the sorted index to learn that again
         * would cost a full scan. */
        free_window(v);
        v->win_off = 0;
        v->need_rows = false;
        return;
    }
    long last = v->top + h < v->count ? v->top + h : v->count;
    bool covered = v->top >= v->win_off && last <= v->win_off + v->win_n;
    if (v->need_rows || !covered)
        load_window(app, v, v->top - h, 3 * h);
    if (v->keep_id)
        follow_kept_row(app, v, h);
}

void md_table_prepare(struct md_app *app, struct md_view *v)
{
    if (v && v->kind && v->cls->ctx == MD_CTX_LIST)
        settle(app, v, v->page_h > 0 ? v->page_h : 20, false);
}

const struct md_row *md_table_selected(struct md_view *v)
{
    if (!v || v->cls->ctx != MD_CTX_LIST || v->count == 0)
        return NULL;
    long i = v->sel - v->win_off;
    if (i < 0 || i >= v->win_n)
        return NULL;
    return &v->win[i];
}

/* The value at path as text: strings as is, numbers plainly. */
static void value_text(const cJSON *obj, const char *path, char *out, size_t n)
{
    out[0] = '\0';
    const cJSON *j = path ? md_json_get(obj, path) : NULL;
    if (cJSON_IsString(j))
        snprintf(out, n, "%s", j->valuestring);
    else if (cJSON_IsNumber(j))
        snprintf(out, n, "%.15g", j->valuedouble);
}

void md_row_label(const struct md_kind *k, const struct md_row *r, char *out, size_t n)
{
    value_text(r->obj, k->label_path, out, n);
    if (!out[0])
        snprintf(out, n, "%s", r->id);
}

struct layout {
    int col[64];     /* column indexes shown */
    int width[64];
    int n;
};

static void compute_layout(const struct md_kind *k, int w, struct layout *L)
{
    L->n = 0;
    int used = 0, nflex = 0;
    for (size_t i = 0; i < k->ncolumns && L->n < 64; i++) {
        const struct md_column *c = &k->columns[i];
        if (c->hidden)
            continue;
        int want = c->width > 0 ? c->width : MIN_FLEX_WIDTH;
        int gap = L->n ? 1 : 0;
        if (used + gap + want > w) {
            if (L->n == 0) {
                want = w;
            } else {
                continue;
            }
        }
        L->col[L->n] = (int)i;
        L->width[L->n] = want;
        L->n++;
        used += gap + want;
        if (c->width <= 0)
            nflex++;
    }
    int extra = w - used;
    if (extra <= 0 || L->n == 0)
        return;
    if (nflex == 0) {
        L->width[L->n - 1] += extra;
        return;
    }
    int each = extra / nflex, rest = extra % nflex;
    for (int i = 0; i < L->n; i++)
        if (k->columns[L->col[i]].width <= 0) {
            L->width[i] += each + (rest > 0 ? 1 : 0);
            if (rest > 0)
                rest--;
        }
}

static void table_draw(struct md_app *app, struct md_view *v, struct md_rect r)
{
    const struct md_kind *k = v->kind;
    long h = body_rows(r);
    v->page_h = h;
    settle(app, v, h, true);
    struct layout L;
    compute_layout(k, r.w, &L);

    /* Column titles, with the sort arrow on the sorted one. */
    md_fill(r.y, r.x, r.w, md_attr(MD_ROLE_TITLE));
    int x = r.x;
    for (int i = 0; i < L.n; i++) {
        const struct md_column *c = &k->columns[L.col[i]];
        if (L.col[i] == v->sort_col && L.width[i] > 1) {
            /* The arrow always shows; the title gives way. */
            int tw = md_put(r.y, x, L.width[i] - 1, c->title, md_attr(MD_ROLE_TITLE), false);
            md_put(r.y, x + tw, 1, v->sort_desc ? app->term.g.down : app->term.g.up, md_attr(MD_ROLE_TITLE), false);
        } else {
            md_put(r.y, x, L.width[i], c->title, md_attr(MD_ROLE_TITLE), false);
        }
        x += L.width[i] + 1;
    }

    if (v->count == 0) {
        char msg[400];
        if (v->filter[0])
            snprintf(msg, sizeof msg, "No %s match \"%s\" (Esc clears the filter)", k->title, v->filter);
        else if (v->refresh_job)
            snprintf(msg, sizeof msg, "Loading %s...", k->title);
        else
            snprintf(msg, sizeof msg, "No %s in the cache%s", k->title,
                     app->sync ? " (r refreshes)" : "");
        if (h > 0)
            md_put(r.y + 1, r.x + 1, r.w - 1, msg, md_attr(MD_ROLE_MUTED), false);
        return;
    }

    time_t now = time(NULL);
    for (long row = 0; row < h; row++) {
        long idx = v->top + row;
        int y = r.y + 1 + (int)row;
        if (idx >= v->count)
            break;
        long wi = idx - v->win_off;
        bool selected = idx == v->sel;
        attr_t base = selected ? md_attr(MD_ROLE_SELECTED) : md_attr(MD_ROLE_NORMAL);
        md_fill(y, r.x, r.w, base);
        if (wi < 0 || wi >= v->win_n)
            continue;
        const struct md_row *rw = &v->win[wi];
        x = r.x;
        for (int i = 0; i < L.n; i++) {
            const struct md_column *c = &k->columns[L.col[i]];
            char cell[512];
            enum md_tone tone = MD_TONE_NONE;
            if (rw->obj)
                md_kind_format(k, c, rw->obj, now, cell, sizeof cell, &tone);
            else
                snprintf(cell, sizeof cell, "%s", i == 0 ? "(unreadable JSON)" : "");
            attr_t a = base;
            if (!selected && tone != MD_TONE_NONE)
                a = md_attr(md_tone_role(tone));
            md_put(y, x, L.width[i], cell, a, false);
            x += L.width[i] + 1;
        }
    }
}

static void set_sort(struct md_app *app, struct md_view *v, int col, bool desc)
{
    v->sort_col = col;
    v->sort_desc = desc;
    v->need_rows = true;
    const struct md_column *c = &v->kind->columns[col];
    md_app_msg(app, MD_MSG_INFO, "sorted by %s %s", c->title, desc ? "descending" : "ascending");
    /* Only the default sort column is indexed at start: ask a worker for
     * this one, so the next sort by it (and its paging) is cheap. */
    if (app->sync && col != v->kind->sort_column)
        md_sync_submit_index(app->sync, v->kind->name, &c->path, 1, v->group);
}

/* Next/previous visible column from the current sort column. */
static void sort_step(struct md_app *app, struct md_view *v, int dir)
{
    const struct md_kind *k = v->kind;
    int n = (int)k->ncolumns;
    if (n == 0)
        return;
    int c = v->sort_col;
    for (int tries = 0; tries < n; tries++) {
        c = ((c + dir) % n + n) % n;
        if (!k->columns[c].hidden)
            break;
    }
    set_sort(app, v, c, v->sort_desc);
}

bool md_table_sort_by(struct md_app *app, struct md_view *v, const char *name)
{
    const struct md_kind *k = v->kind;
    for (size_t i = 0; i < k->ncolumns; i++)
        if (!strcasecmp(k->columns[i].title, name)) {
            bool desc = (int)i == v->sort_col ? !v->sort_desc : false;
            set_sort(app, v, (int)i, desc);
            return true;
        }
    return false;
}

void md_table_set_filter(struct md_app *app, struct md_view *v, const char *spec)
{
    const struct md_kind *k = v->kind;
    const char *titles[64];
    size_t n = 0;
    for (size_t i = 0; i < k->ncolumns && n < 64; i++)
        titles[n++] = k->columns[i].title;
    struct md_filter f;
    md_filter_parse(spec, titles, n, &f);
    if (f.error[0]) {
        md_app_msg(app, MD_MSG_ERROR, "filter: %s", f.error);
        return;
    }
    snprintf(v->filter, sizeof v->filter, "%s", f.text);
    v->filter_col = f.text[0] ? f.column : -1;
    v->sel = v->top = 0;
    v->need_count = v->need_rows = true;
    /* The next paint shows the first matches; the count follows it. */
    md_bench_log(app, "filter \"%s\"", spec);
}

bool md_table_refresh(struct md_app *app, struct md_view *v)
{
    /* Workers run even with nothing configured (the inference pane needs
     * them): a kind nobody can list stays on its cached rows. */
    if (!app->sync || !md_workspace_provider(app->ws, v->kind->name))
        return false;
    struct md_job job = {
        .type = MD_JOB_REFRESH,
        .kind = v->kind->name,
        .parent = v->parent && v->parent[0] ? v->parent : NULL,
        .group = v->group,
    };
    v->refresh_job = md_sync_submit(app->sync, &job);
    v->refreshed_at = md_now_ms();
    if (!v->refresh_job)
        md_app_msg(app, MD_MSG_ERROR, "could not queue a refresh of %s", v->kind->title);
    return v->refresh_job != 0;
}

bool md_table_has_running(struct md_view *v)
{
    if (!v->kind || v->cls->ctx != MD_CTX_LIST)
        return false;
    for (long i = 0; i < v->win_n; i++)
        if (v->win[i].obj && md_kind_row_running(v->kind, v->win[i].obj))
            return true;
    return false;
}

static void open_row(struct md_app *app, struct md_view *v)
{
    const struct md_row *r = md_table_selected(v);
    if (!r)
        return;
    char label[256];
    md_row_label(v->kind, r, label, sizeof label);
    const struct md_kind *child = md_kind_child(v->kind);
    if (child)
        md_app_push(app, md_table_new(app, child, r->id, label));
    else
        md_app_push(app, md_describe_new(app, v->kind, r->id, label));
}

static bool table_action(struct md_app *app, struct md_view *v, enum md_act act,
                         const struct md_binding *b)
{
    long page = v->page_h > 1 ? v->page_h : 1;
    switch (act) {
    case MD_ACT_DOWN: v->sel++; break;
    case MD_ACT_UP: v->sel--; break;
    case MD_ACT_PAGE_DOWN: v->sel += page; v->top += page; break;
    case MD_ACT_PAGE_UP: v->sel -= page; v->top -= page; if (v->top < 0) v->top = 0; break;
    case MD_ACT_TOP: v->sel = 0; break;
    case MD_ACT_BOTTOM: v->sel = v->count - 1; break;
    case MD_ACT_OPEN: open_row(app, v); break;
    case MD_ACT_BACK:
        if (!v->filter[0])
            return false;
        md_table_set_filter(app, v, "");
        md_app_msg(app, MD_MSG_INFO, "filter cleared");
        break;
    case MD_ACT_FILTER: {
        char cur[300] = "";
        if (v->filter[0] && v->filter_col >= 0)
            snprintf(cur, sizeof cur, "%s:%s", v->kind->columns[v->filter_col].title, v->filter);
        else
            snprintf(cur, sizeof cur, "%s", v->filter);
        md_prompt_open(app, MD_PROMPT_FILTER, cur);
        break;
    }
    case MD_ACT_SORT_NEXT: sort_step(app, v, 1); break;
    case MD_ACT_SORT_PREV: sort_step(app, v, -1); break;
    case MD_ACT_SORT_REVERSE: set_sort(app, v, v->sort_col, !v->sort_desc); break;
    case MD_ACT_REFRESH:
        v->need_count = v->need_rows = true;
        if (md_table_refresh(app, v)) {
            md_app_msg(app, MD_MSG_INFO, "refreshing %s...", v->kind->title);
        } else {
            md_app_msg(app, MD_MSG_INFO, "reloaded %s from the cache (no provider configured for it)",
                       v->kind->title);
        }
        break;
    case MD_ACT_LOGS:
    case MD_ACT_CHART:
    case MD_ACT_LINK:
        if (!md_detail_open(app, v, act))
            md_app_msg(app, MD_MSG_INFO, "%s: nothing to %s here", v->kind->title,
                       act == MD_ACT_LOGS ? "tail" : act == MD_ACT_CHART ? "chart" : "jump to");
        break;
    case MD_ACT_DESCRIBE: {
        const struct md_row *r = md_table_selected(v);
        if (r && md_detail_open(app, v, act))
            break;
        if (r) {
            char label[256];
            md_row_label(v->kind, r, label, sizeof label);
            md_app_push(app, md_describe_new(app, v->kind, r->id, label));
        }
        break;
    }
    case MD_ACT_COPY: {
        const struct md_row *r = md_table_selected(v);
        if (r) {
            char text[2048];
            value_text(r->obj, v->kind->copy_path, text, sizeof text);
            md_app_copy(app, text[0] ? text : r->id);
        }
        break;
    }
    case MD_ACT_KIND: {
        const struct md_row *r = md_table_selected(v);
        const struct md_action *a = md_kind_action_by_name(v->kind, b->kind_action);
        if (!a) {
            md_app_msg(app, MD_MSG_ERROR, "%s have no action '%s'", v->kind->title, b->kind_action);
        } else if (r) {
            char label[256];
            md_row_label(v->kind, r, label, sizeof label);
            md_app_start_action(app, v->kind, a, r->id, label);
        }
        break;
    }
    default:
        return false;
    }
    return true;
}

static void table_changed(struct md_app *app, struct md_view *v, const char *kind)
{
    if (kind && strcmp(kind, v->kind->name))
        return;
    /* At the top the operator watches for new rows: stay at the top. */
    const struct md_row *r = v->sel > 0 ? md_table_selected(v) : NULL;
    if (r && !v->keep_id)
        v->keep_id = strdup(r->id);
    v->need_count = v->need_rows = true;
}

static void table_crumb(struct md_app *app, struct md_view *v, char *out, size_t n)
{
    char title[96];
    snprintf(title, sizeof title, "%s", v->kind->title);
    for (char *p = title; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    if (v->parent_label)
        snprintf(out, n, "%s%s%s", v->parent_label, app->term.g.sep, title);
    else if (v->parent && v->parent[0])
        snprintf(out, n, "%s%s%s", v->parent, app->term.g.sep, title);
    else
        snprintf(out, n, "%s", title);
}

static const struct md_view_class table_class = {
    .name = "table",
    .ctx = MD_CTX_LIST,
    .draw = table_draw,
    .action = table_action,
    .changed = table_changed,
    .crumb = table_crumb,
    .free = table_free,
};

struct md_view *md_table_new(struct md_app *app, const struct md_kind *k, const char *parent,
                             const char *parent_label)
{
    struct md_view *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->cls = &table_class;
    v->kind = k;
    /* Top-level rows are stored under parent "": asking for exactly that
     * lets SQLite use the (profile, region, parent, column) indexes. */
    if (!parent && !k->parent)
        parent = "";
    v->parent = parent ? strdup(parent) : NULL;
    v->parent_label = parent_label ? strdup(parent_label) : NULL;
    v->sort_col = k->ncolumns ? k->sort_column : -1;
    if (v->sort_col >= (int)k->ncolumns)
        v->sort_col = 0;
    v->sort_desc = k->sort_desc;
    v->filter_col = -1;
    v->need_count = v->need_rows = true;
    v->match_line = -1;
    v->group = ++app->next_group;
    return md_experiments_wrap(app, v);
}
