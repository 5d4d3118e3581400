/* The chrome around the views: header (who/where/what state), breadcrumb,
 * status line, the "terminal too small" fallback, and the overlays on top. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ui/app.h"

#define MIN_ROWS 10
#define MIN_COLS 40
#define STALE_AFTER_S (15 * 60)

/* Appends "label value" segments separated by two spaces; returns x. */
static int seg(int y, int x, int maxx, const char *label, const char *value, attr_t la, attr_t va)
{
    if (x >= maxx)
        return x;
    if (label) {
        x += md_put(y, x, maxx - x, label, la, false);
        if (x < maxx)
            x += md_put(y, x, maxx - x, ":", la, false);
    }
    x += md_put(y, x, maxx - x, value, va, false);
    if (x < maxx)
        x += md_put(y, x, maxx - x, "  ", va, false);
    return x;
}

static struct md_view *top_table(struct md_app *app)
{
    struct md_view *v = md_app_top(app);
    return v && v->kind && v->cls->ctx == MD_CTX_LIST ? v : NULL;
}

static void cache_age(struct md_app *app, char *out, size_t n, bool *stale)
{
    struct md_view *v = md_app_top(app);
    *stale = false;
    if (!v || !v->kind) {
        snprintf(out, n, "-");
        return;
    }
    if (v->fetched_ms <= 0) {
        snprintf(out, n, "%s", v->count_deferred ? "..." : v->refresh_job ? "loading" : "never fetched");
        return;
    }
    double age = (double)time(NULL) - (double)v->fetched_ms / 1000.0;
    if (age < 0)
        age = 0;
    char a[32];
    md_fmt_age(age, a, sizeof a);
    *stale = age >= STALE_AFTER_S;
    snprintf(out, n, "%s%s old%s", *stale ? "stale, " : "", a, v->refresh_job ? ", refreshing" : "");
}

static void draw_header(struct md_app *app, int lines)
{
    const struct md_settings *s = app->settings;
    attr_t h = md_attr(MD_ROLE_HEADER), hk = md_attr(MD_ROLE_HEADER_KEY), al = md_attr(MD_ROLE_ALERT);
    int maxx = app->cols;
    for (int i = 0; i < lines; i++)
        md_fill(i, 0, maxx, h);
    int x = seg(0, 0, maxx, NULL, " mldeck", hk, h);
    const char *mode = s->demo ? "DEMO" : app->not_configured[0] || app->refresh_failed ? "offline" : "online";
    x = seg(0, x, maxx, NULL, mode, hk, s->demo ? al : h);
    if (s->insecure)
        x = seg(0, x, maxx, NULL, "INSECURE TLS", hk, al);
    if (s->read_only)
        x = seg(0, x, maxx, NULL, "READ-ONLY", hk, al);
    x = seg(0, x, maxx, "profile", app->scope.profile && app->scope.profile[0] ? app->scope.profile : "default", hk, h);
    x = seg(0, x, maxx, "region", app->scope.region && app->scope.region[0] ? app->scope.region : "-", hk, h);
    char age[64];
    bool stale;
    cache_age(app, age, sizeof age, &stale);
    x = seg(0, x, maxx, "cache", age, hk, stale ? md_attr(MD_ROLE_ALERT) : h);
    struct md_view *v = top_table(app);
    if (v && v->sort_col >= 0 && (size_t)v->sort_col < v->kind->ncolumns) {
        char sort[96];
        snprintf(sort, sizeof sort, "%s%s", v->kind->columns[v->sort_col].title,
                 v->sort_desc ? app->term.g.down : app->term.g.up);
        x = seg(0, x, maxx, "sort", sort, hk, h);
    }
    int y = 0;
    if (lines > 1) {
        y = 1;
        x = 1;
    }
    x = seg(y, x, maxx, "endpoint", s->endpoint_url[0] ? s->endpoint_url : "default", hk, h);
    seg(y, x, maxx, "mlflow", s->mlflow_uri[0] ? s->mlflow_uri : "not set", hk, h);
}

static void draw_crumb(struct md_app *app, int y)
{
    char line[1024] = "";
    size_t used = 0;
    for (int i = 0; i < app->depth; i++) {
        char part[512];
        struct md_view *v = app->stack[i];
        v->cls->crumb(app, v, part, sizeof part);
        used += (size_t)snprintf(line + used, used < sizeof line ? sizeof line - used : 0, "%s%s",
                                 i ? app->term.g.sep : "", part);
        if (used >= sizeof line)
            break;
    }
    md_fill(y, 0, app->cols, md_attr(MD_ROLE_NORMAL));
    struct md_view *v = top_table(app);
    char right[320] = "";
    if (v && v->filter[0]) {
        if (v->filter_col >= 0)
            snprintf(right, sizeof right, "  /%s:%s", v->kind->columns[v->filter_col].title, v->filter);
        else
            snprintf(right, sizeof right, "  /%s", v->filter);
    }
    int x = md_put(y, 0, app->cols, " ", md_attr(MD_ROLE_NORMAL), false);
    x += md_put(y, x, app->cols - x, line, md_attr(MD_ROLE_CRUMB), false);
    if (right[0] && x < app->cols)
        md_put(y, x, app->cols - x, right, md_attr(MD_ROLE_WARN), false);
}

static void draw_status(struct md_app *app, int y)
{
    md_fill(y, 0, app->cols, md_attr(MD_ROLE_NORMAL));
    char right[96] = "";
    struct md_view *v = top_table(app);
    if (v && v->count_deferred)
        snprintf(right, sizeof right, " %ld/%ld+ ", v->sel + 1, v->count);
    else if (v && v->count > 0)
        snprintf(right, sizeof right, " %ld/%ld ", v->sel + 1, v->count);
    else if (v)
        snprintf(right, sizeof right, " 0/0 ");
    int rw = md_text_width(right);
    if (app->cols - rw < 20)
        rw = 0;
    if (app->msg[0])
        md_put(y, 0, app->cols - rw, app->msg,
               md_attr(app->msg_level == MD_MSG_ERROR ? MD_ROLE_ERROR : MD_ROLE_INFO), false);
    else if (md_app_top(app) && md_app_top(app)->cls->ctx == MD_CTX_DESCRIBE)
        md_put(y, 0, app->cols - rw, " / search  n/N next/prev  w wrap  y copy  Esc back",
               md_attr(MD_ROLE_MUTED), false);
    else if (md_app_top(app) && md_app_top(app)->cls->ctx == MD_CTX_INFER)
        md_put(y, 0, app->cols - rw,
               " o model  i image  n/p next/prev  c/C confidence  r re-run  Enter highlight  ? keys",
               md_attr(MD_ROLE_MUTED), false);
    else
        md_put(y, 0, app->cols - rw, " ? help  : command  / filter  Enter open  d describe  Esc back",
               md_attr(MD_ROLE_MUTED), false);
    if (rw)
        md_put(y, app->cols - rw, rw, right, md_attr(MD_ROLE_MUTED), false);
}

void md_screen_draw(struct md_app *app)
{
    getmaxyx(stdscr, app->rows, app->cols);
    erase();
    if (app->rows < MIN_ROWS || app->cols < MIN_COLS) {
        char msg[128];
        snprintf(msg, sizeof msg, "too small: %dx%d, need %dx%d", app->cols, app->rows,
                 MIN_COLS, MIN_ROWS);
        md_put(0, 0, app->cols, msg, md_attr(MD_ROLE_ALERT), false);
        return;
    }
    int header = app->rows >= 16 ? 2 : 1;
    struct md_rect r = {header + 1, 0, app->rows - header - 2, app->cols};
    struct md_view *v = md_app_top(app);
    /* The view first: it loads its rows, which the header describes. */
    if (v)
        v->cls->draw(app, v, r);
    draw_header(app, header);
    draw_crumb(app, header);
    draw_status(app, app->rows - 1);
    switch (app->overlay) {
    case MD_OV_HELP: md_help_draw(app); break;
    case MD_OV_PROMPT: md_prompt_draw(app); break;
    case MD_OV_CONFIRM: md_confirm_draw(app); break;
    default: break;
    }
}
