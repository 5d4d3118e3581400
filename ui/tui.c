/* The event loop: one poll() over the keyboard, the signal self-pipe and
 * the sync layer's pipe.  Paint from the cache at once, ask for a refresh,
 * repaint when the job's event arrives.  The loop is the only code that
 * calls doupdate(). */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "action/action.h"
#include "ui/app.h"
#include "app/action_job.h"
#include "app/workspace.h"
#include "net/mfa_broker.h"
#include "cli/cli.h"
#include "ui/clip.h"
#include "ui/tui.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/xdg.h"

#define DEFAULT_PANE 2 /* pipelines */

static double bench_t0;

double md_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

void md_bench_log(struct md_app *app, const char *fmt, ...)
{
    if (!app->bench)
        return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(app->bench, "%.3f ", md_now_ms() - bench_t0);
    vfprintf(app->bench, fmt, ap);
    fputc('\n', app->bench);
    va_end(ap);
    fflush(app->bench);
}

void md_app_msg(struct md_app *app, enum md_msg_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(app->msg, sizeof app->msg, fmt, ap);
    va_end(ap);
    app->msg_level = level;
    if (level == MD_MSG_ERROR)
        md_log(MD_LOG_WARN, "ui: %s", app->msg);
}

struct md_view *md_app_top(struct md_app *app)
{
    return app->depth ? app->stack[app->depth - 1] : NULL;
}

static void view_free(struct md_app *app, struct md_view *v)
{
    if (!v)
        return;
    if (app->sync && v->group)
        md_sync_cancel_group(app->sync, v->group);
    v->cls->free(v);
    free(v);
}

/* Sorting 100,000 rows by a column is fast only with its index; the sync
 * layer builds them on a worker, once per kind and session. */
static void request_indexes(struct md_app *app, const struct md_kind *k)
{
    if (!app->sync)
        return;
    for (size_t i = 0; i < md_kind_count() && i < sizeof app->indexed; i++) {
        if (md_kind_at(i) != k)
            continue;
        if (app->indexed[i])
            return;
        app->indexed[i] = 1;
        break;
    }
    const char *paths[64];
    size_t n = 0;
    for (size_t i = 0; i < k->ncolumns && n < 64; i++)
        paths[n++] = k->columns[i].path;
    md_sync_submit_index(app->sync, k->name, paths, n, 0);
}

struct md_view *md_view_new(const struct md_view_class *cls, size_t priv_size)
{
    struct md_view *v = calloc(1, sizeof *v);
    void *priv = priv_size ? calloc(1, priv_size) : NULL;
    if (!v || (priv_size && !priv)) {
        free(v);
        free(priv);
        return NULL;
    }
    v->cls = cls;
    v->priv = priv;
    return v;
}

void md_app_push(struct md_app *app, struct md_view *v)
{
    if (!v) {
        md_app_msg(app, MD_MSG_ERROR, "out of memory");
        return;
    }
    if (app->depth == MD_VIEW_MAX) {
        view_free(app, v);
        md_app_msg(app, MD_MSG_ERROR, "too deep: Esc goes back");
        return;
    }
    app->stack[app->depth++] = v;
    if (v->kind && v->cls->ctx == MD_CTX_LIST) {
        request_indexes(app, v->kind);
        md_table_refresh(app, v);
    }
}

void md_app_pop(struct md_app *app)
{
    if (app->depth <= 1) {
        md_app_msg(app, MD_MSG_INFO, "at the top (q quits, 1-6 switch panes)");
        return;
    }
    view_free(app, app->stack[--app->depth]);
    struct md_view *v = md_app_top(app);
    if (v && v->cls->changed)
        v->cls->changed(app, v, NULL);
}

void md_app_reset(struct md_app *app, struct md_view *root)
{
    while (app->depth > 0)
        view_free(app, app->stack[--app->depth]);
    md_app_push(app, root);
}

void md_app_open_kind(struct md_app *app, const struct md_kind *k)
{
    md_app_reset(app, md_table_new(app, k, NULL, NULL));
}

void md_app_open_pane(struct md_app *app, size_t i)
{
    const char *pane = md_pane_at(i);
    if (!pane)
        return;
    if (!strcmp(pane, "inference")) {
        md_app_reset(app, md_infer_new(app));
        return;
    }
    const struct md_kind *k = md_pane_kind(pane);
    if (k) {
        md_app_open_kind(app, k);
        return;
    }
    char title[64], text[512];
    snprintf(title, sizeof title, "%s", pane);
    snprintf(text, sizeof text,
             "The %s pane is not available yet.\n\n"
             "It has no resource kind in this build.  Press 1-6 or type : and a\n"
             "kind name (Tab completes) to open another view.",
             pane);
    md_app_reset(app, md_page_new(title, text));
}

void md_app_copy(struct md_app *app, const char *text)
{
    const char *tmux = getenv("TMUX");
    char *seq = md_osc52(text, tmux && *tmux);
    if (!seq) {
        md_app_msg(app, MD_MSG_ERROR, "out of memory");
        return;
    }
    /* Straight to the terminal: curses does not know this sequence, and it
     * draws nothing. */
    fflush(stdout);
    size_t len = strlen(seq), off = 0;
    while (off < len) {
        ssize_t w = write(STDOUT_FILENO, seq + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    free(seq);
    md_app_msg(app, MD_MSG_INFO, "copied %s (OSC 52)", text);
}

void md_app_start_action(struct md_app *app, const struct md_kind *k, const struct md_action *a,
                         const char *id, const char *label)
{
    struct md_action_req req = {.kind = k, .action = a, .target = id};
    struct md_err err;
    md_err_clear(&err);
    if (md_action_gate(app->settings, &req, &err) != MD_OK) {
        md_app_msg(app, MD_MSG_ERROR, "%s", err.msg);
        return;
    }
    if (md_detail_action(app, k, a, id, label))
        return;
    app->confirm_action = a;
    app->confirm_kind = k;
    snprintf(app->confirm_id, sizeof app->confirm_id, "%s", id);
    snprintf(app->confirm_label, sizeof app->confirm_label, "%s", label);
    if (a->confirm) {
        app->overlay = MD_OV_CONFIRM;
        app->confirm_ok_focused = false;
        return;
    }
    md_app_run_action(app);
    app->confirm_action = NULL;
}

void md_app_mfa_answer(struct md_app *app, const char *code)
{
    if (!app->ws || !app->ws->mfa)
        return;
    if (code && *code)
        md_mfa_broker_answer(app->ws->mfa, code);
    else
        md_mfa_broker_cancel(app->ws->mfa);
}

void md_app_run_action(struct md_app *app)
{
    const struct md_action *a = app->confirm_action;
    if (!a)
        return;
    if (!app->sync ||
        (app->confirm_kind && !md_workspace_provider(app->ws, app->confirm_kind->name))) {
        cJSON_Delete(app->confirm_params);
        app->confirm_params = NULL;
        md_app_msg(app, MD_MSG_ERROR, "%s: no provider can run it (not configured: %s)", a->label,
                   app->not_configured[0] ? app->not_configured : "all");
        return;
    }
    /* The worker runs it through md_action_run: gate, call, audit line. */
    struct md_action_job *aj = md_action_job_new(app->ws, app->confirm_kind, a, app->confirm_id,
                                                 app->confirm_params);
    cJSON_Delete(app->confirm_params);
    app->confirm_params = NULL;
    struct md_job job;
    if (aj)
        md_action_job_submit_args(aj, 0, &job);
    if (aj && md_sync_submit(app->sync, &job))
        md_app_msg(app, MD_MSG_INFO, "%s on %s: sent...", a->label, app->confirm_label);
    else {
        md_action_job_free(aj);
        md_app_msg(app, MD_MSG_ERROR, "%s: could not queue the job", a->label);
    }
}

unsigned long md_app_submit_call(struct md_app *app, struct md_view *v, md_job_fn fn, void *arg,
                                 void (*arg_free)(void *arg))
{
    if (!app->sync || app->ncalls == (int)(sizeof app->calls / sizeof app->calls[0])) {
        if (arg_free)
            arg_free(arg);
        return 0;
    }
    struct md_job job = {.type = MD_JOB_CALL, .kind = v->kind ? v->kind->name : "",
                         .fn = fn, .arg = arg, .group = v->group, .arg_free = arg_free};
    unsigned long id = md_sync_submit(app->sync, &job);
    if (!id) {
        if (arg_free)
            arg_free(arg);
        return 0;
    }
    app->calls[app->ncalls++] = (struct md_app_call){id, v->group, arg_free};
    return id;
}

/* A view's own job: to the view that asked (still on the stack), else
 * its arg is freed. */
static bool view_call_event(struct md_app *app, struct md_sync_event *ev)
{
    int i = 0;
    while (i < app->ncalls && app->calls[i].job != ev->job_id)
        i++;
    if (i == app->ncalls)
        return false;
    struct md_app_call c = app->calls[i];
    app->calls[i] = app->calls[--app->ncalls];
    for (int d = app->depth - 1; d >= 0; d--) {
        struct md_view *v = app->stack[d];
        if (v->group == c.group && v->cls->event) {
            v->cls->event(app, v, ev);
            break;
        }
    }
    if (ev->arg && c.arg_free)
        c.arg_free(ev->arg);
    ev->arg = NULL;
    return true;
}

static void handle_event(struct md_app *app, struct md_sync_event *ev)
{
    char line[700];
    if (view_call_event(app, ev))
        return;
    struct md_view *top = md_app_top(app);
    bool top_refresh = top && top->refresh_job && top->refresh_job == ev->job_id;
    for (int i = 0; i < app->depth; i++) {
        struct md_view *v = app->stack[i];
        if (v->refresh_job && v->refresh_job == ev->job_id)
            v->refresh_job = 0;
    }
    if (ev->type == MD_JOB_REFRESH) {
        if (ev->status == MD_OK) {
            app->refresh_failed = false;
            if (top_refresh && !strncmp(app->msg, "refreshing ", 11) && app->msg_level == MD_MSG_INFO)
                md_app_msg(app, MD_MSG_INFO, "%s refreshed", top->kind->title);
            for (int i = 0; i < app->depth; i++)
                if (app->stack[i]->cls->changed)
                    app->stack[i]->cls->changed(app, app->stack[i], ev->kind);
        } else if (ev->status != MD_ERR_CANCELLED) {
            app->refresh_failed = ev->status == MD_ERR_NET || ev->status == MD_ERR_AUTH;
            md_app_msg(app, MD_MSG_ERROR, "refresh %s: %s (showing cached rows)", ev->kind,
                       md_err_line(&ev->err, line, sizeof line));
        }
    } else if (ev->type == MD_JOB_CALL && !ev->action[0] && ev->status != MD_OK &&
               ev->status != MD_ERR_CANCELLED) {
        md_app_msg(app, MD_MSG_ERROR, "%s", md_err_line(&ev->err, line, sizeof line));
    } else if (ev->type == MD_JOB_ACTION || (ev->type == MD_JOB_CALL && ev->action[0])) {
        /* an action job (md_app_run_action) holds the provider's reply */
        struct md_action_job *aj = ev->type == MD_JOB_CALL ? ev->arg : NULL;
        const cJSON *result = aj ? aj->result : ev->result;
        if (ev->status == MD_OK) {
            md_app_msg(app, MD_MSG_INFO, "%s %s: done", ev->action, ev->id);
            for (int i = 0; i < app->depth; i++) {
                struct md_view *v = app->stack[i];
                /* What the action made or changed (a started execution) is
                 * the row the operator looks at next: the cursor goes there. */
                char id[512];
                if (v->kind && v->cls->ctx == MD_CTX_LIST && cJSON_IsObject(result) &&
                    md_kind_row_id(v->kind, result, v->parent, id, sizeof id)) {
                    free(v->keep_id);
                    v->keep_id = strdup(id);
                }
                if (v->kind && !strcmp(v->kind->name, ev->kind) && v->cls->ctx == MD_CTX_LIST)
                    md_table_refresh(app, v);
                /* The provider cached what the action changed (a started
                 * execution, a stopping job), often of another kind: every
                 * view re-reads the cache. */
                if (v->cls->changed)
                    v->cls->changed(app, v, NULL);
            }
        } else {
            md_app_msg(app, MD_MSG_ERROR, "%s", md_err_line(&ev->err, line, sizeof line));
        }
        md_action_job_free(aj);
    }
}

static int normalize_key(int key)
{
    switch (key) {
    case '\r':
    case KEY_ENTER:
        return '\n';
    case 127:
    case 8:
        return KEY_BACKSPACE;
    default:
        return key;
    }
}

static bool too_small(struct md_app *app)
{
    return app->rows < 10 || app->cols < 40;
}

static void handle_key(struct md_app *app, int key)
{
    if (too_small(app) && app->overlay == MD_OV_NONE) {
        if (key == 'q')
            app->quit = true;
        return;
    }
    switch (app->overlay) {
    case MD_OV_HELP: md_help_key(app, key); return;
    case MD_OV_PROMPT: md_prompt_key(app, key); return;
    case MD_OV_CONFIRM: md_confirm_key(app, key); return;
    default: break;
    }
    struct md_view *v = md_app_top(app);
    if (v && v->cls->key && v->cls->key(app, v, key))
        return;
    md_table_prepare(app, v);
    enum md_key_ctx ctx = v ? v->cls->ctx : MD_CTX_LIST;
    const struct md_binding *b = md_keymap_lookup(app->keys, ctx, key);
    if (!b && v && v->kind && ctx == MD_CTX_LIST) {
        const struct md_action *a = md_kind_action_by_key(v->kind, key);
        const struct md_row *r = md_table_selected(v);
        if (a && (r || a->no_row)) {
            char label[256];
            if (r)
                md_row_label(v->kind, r, label, sizeof label);
            else
                snprintf(label, sizeof label, "%s", v->kind->title);
            md_app_start_action(app, v->kind, a, r ? r->id : "", label);
            return;
        }
    }
    char name[32];
    if (!b) {
        md_app_msg(app, MD_MSG_INFO, "%s is not bound here (? lists the keys)",
                   md_key_name(key, name, sizeof name));
        return;
    }
    app->msg[0] = '\0';
    if (b->act == MD_ACT_NONE)
        return;
    if (v && v->cls->action(app, v, b->act, b))
        return;
    switch (b->act) {
    case MD_ACT_QUIT: app->quit = true; break;
    case MD_ACT_HELP: app->overlay = MD_OV_HELP; app->help_scroll = 0; break;
    case MD_ACT_COMMAND: md_prompt_open(app, MD_PROMPT_COMMAND, ""); break;
    case MD_ACT_BACK: md_app_pop(app); break;
    case MD_ACT_PANE1: case MD_ACT_PANE2: case MD_ACT_PANE3:
    case MD_ACT_PANE4: case MD_ACT_PANE5: case MD_ACT_PANE6:
        md_app_open_pane(app, (size_t)(b->act - MD_ACT_PANE1));
        break;
    default: break;
    }
}

/* ---- keys file ---------------------------------------------------------- */

static bool is_kind_action(const char *name)
{
    for (size_t i = 0; i < md_kind_count(); i++) {
        const struct md_kind *k = md_kind_at(i);
        if (md_kind_action_by_name(k, name))
            return true;
    }
    return false;
}

struct keys_report {
    struct md_app *app;
    const char *path;
    int n;
};

static void keys_error(void *ctx, int line, const char *msg)
{
    struct keys_report *r = ctx;
    size_t used = strlen(r->app->keys_errors);
    if (r->n++ == 0)
        snprintf(r->app->keys_errors, sizeof r->app->keys_errors, "%s:%d: %s", r->path, line, msg);
    else if (used + 1 < sizeof r->app->keys_errors)
        snprintf(r->app->keys_errors + used, sizeof r->app->keys_errors - used, "; line %d: %s", line, msg);
    md_log(MD_LOG_WARN, "%s:%d: %s", r->path, line, msg);
}

static void load_keys(struct md_app *app)
{
    char dir[1024], path[1100];
    struct md_err err;
    const char *env = getenv("MLDECK_KEYS");   /* tests and odd set-ups */
    if (env && *env) {
        snprintf(path, sizeof path, "%s", env);
    } else {
        if (md_xdg_dir(MD_XDG_CONFIG, dir, sizeof dir, &err) != MD_OK)
            return;
        snprintf(path, sizeof path, "%s/keys", dir);
    }
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    struct md_buf b = MD_BUF_INIT;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len < (1u << 20))
        md_buf_append(&b, chunk, n);
    fclose(f);
    if (b.data) {
        struct keys_report r = {app, path, 0};
        md_keymap_load_text(app->keys, b.data, is_kind_action, keys_error, &r);
    }
    md_buf_free(&b);
}

/* ---- the loop ------------------------------------------------------------ */

static void draw(struct md_app *app)
{
    md_screen_draw(app);
    refresh();
    struct md_view *top = md_app_top(app);
    if (top && top->cls->after_refresh)
        top->cls->after_refresh(app, top);
}

/* A paint that showed rows before their count: count now and repaint. */
static void finish_count(struct md_app *app)
{
    struct md_view *v = md_app_top(app);
    if (!v || !v->count_deferred)
        return;
    md_table_prepare(app, v);
    draw(app);
    md_bench_log(app, "count-done");
}

static void loop(struct md_app *app)
{
    draw(app);
    md_bench_log(app, "first-frame");
    finish_count(app);
    double last_draw = md_now_ms();
    while (!app->quit) {
        struct pollfd fds[4] = {
            {.fd = STDIN_FILENO, .events = POLLIN},
            {.fd = app->term.sig_fd, .events = POLLIN},
            {.fd = app->sync ? md_sync_fd(app->sync) : -1, .events = POLLIN},
            {.fd = app->ws && app->ws->mfa ? md_mfa_broker_fd(app->ws->mfa) : -1, .events = POLLIN},
        };
        int r = poll(fds, 4, 1000);
        if (r < 0 && errno != EINTR)
            break;
        bool dirty = false;
        double t_key = 0;
        int nkeys = 0;
        if (fds[1].revents & POLLIN) {
            bool resized = false, quit = false;
            md_term_signals(&app->term, &resized, &quit);
            if (quit)
                app->quit = true;
            if (resized) {
                md_term_resize();
                dirty = true;
            }
        }
        if (fds[3].revents & POLLIN) {
            char profile[128], serial[256];
            if (md_mfa_broker_pending(app->ws->mfa, profile, sizeof profile, serial, sizeof serial)) {
                md_prompt_open(app, MD_PROMPT_MFA, "");
                snprintf(app->prompt_hint, sizeof app->prompt_hint,
                         "profile %s needs the code of MFA device %s (Esc cancels)", profile, serial);
                dirty = true;
            }
        }
        if (fds[2].revents & POLLIN) {
            struct md_sync_event ev;
            while (md_sync_next_event(app->sync, &ev)) {
                handle_event(app, &ev);
                md_sync_event_free(&ev);
            }
            dirty = true;
        }
        if (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL))
            app->quit = true;
        if (fds[0].revents & POLLIN) {
            int key;
            while (!app->quit && (key = getch()) != ERR) {
                if (!nkeys++)
                    t_key = md_now_ms();
                if (key == KEY_RESIZE) {
                    /* resizeterm() queued it: the size is already known, and
                     * resizing again would queue another one. */
                } else {
                    handle_key(app, normalize_key(key));
                }
                dirty = true;
            }
        }
        if (app->quit)
            break;
        /* Running things change on their own: refresh the view showing
         * them every refresh_seconds (only then, to spare the APIs). */
        struct md_view *top = md_app_top(app);
        if (app->sync && top && top->kind && top->cls->ctx == MD_CTX_LIST && !top->refresh_job &&
            md_now_ms() - top->refreshed_at > 1000.0 * app->settings->refresh_seconds &&
            md_table_has_running(top))
            md_table_refresh(app, top);
        /* Ages in the header and cells move with the clock. */
        if (!dirty && md_now_ms() - last_draw > 5000)
            dirty = true;
        if (dirty) {
            draw(app);
            last_draw = md_now_ms();
            if (nkeys)
                md_bench_log(app, "repaint keys=%d ms=%.3f", nkeys, last_draw - t_key);
            finish_count(app);
        }
    }
}

int md_tui_run(struct md_settings *settings)
{
    struct md_app app;
    memset(&app, 0, sizeof app);
    app.settings = settings;
    bench_t0 = md_now_ms();
    const char *bench = getenv("MLDECK_BENCH");
    if (bench && *bench)
        app.bench = fopen(bench, "a");
    md_bench_log(&app, "start");

    app.keys = md_keymap_new();
    if (!app.keys) {
        fprintf(stderr, "mldeck: out of memory\n");
        return 1;
    }
    load_keys(&app);

    /* Opened before the terminal is taken, so start-up errors print plainly. */
    struct md_workspace ws;
    struct md_err werr;
    char why[600];
    if (md_workspace_open(settings, MD_WS_SYNC, &ws, &werr) != MD_OK) {
        fprintf(stderr, "mldeck: %s\n", md_err_line(&werr, why, sizeof why));
        md_keymap_free(app.keys);
        if (app.bench)
            fclose(app.bench);
        return md_cli_exit_code(werr.code);
    }
    app.ws = &ws;
    app.cache = ws.cache;
    app.scope = ws.scope;
    app.sync = ws.sync;
    snprintf(app.not_configured, sizeof app.not_configured, "%s", ws.not_configured);
    md_bench_log(&app, "backend-open");

    if (!md_term_init(&app.term, settings->no_color, settings->ascii, why, sizeof why)) {
        fprintf(stderr, "mldeck: %s\n", why);
        md_workspace_close(&ws);
        md_keymap_free(app.keys);
        if (app.bench)
            fclose(app.bench);
        return 1;
    }
    getmaxyx(stdscr, app.rows, app.cols);

    md_app_open_pane(&app, DEFAULT_PANE);
    if (app.keys_errors[0])
        md_app_msg(&app, MD_MSG_ERROR, "%s", app.keys_errors);
    else if (ws.warning[0])
        md_app_msg(&app, MD_MSG_ERROR, "%s", ws.warning);
    else if (ws.not_configured[0])
        md_app_msg(&app, MD_MSG_INFO, "showing cached data; not configured: %s", ws.not_configured);

    loop(&app);

    while (app.depth > 0)
        view_free(&app, app.stack[--app.depth]);
    md_term_end(&app.term);
    md_workspace_close(&ws);
    md_keymap_free(app.keys);
    md_bench_log(&app, "exit");
    if (app.bench)
        fclose(app.bench);
    return 0;
}
