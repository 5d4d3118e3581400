/* The screen's shared state: the view stack, the overlays (help, prompt,
 * confirm), the status line, and the back end handles (cache, sync).
 * Views are classes in the htop sense: a struct of function pointers
 * (md_view_class) over one md_view; the event loop in tui.c owns the screen
 * and asks the top view to draw and to handle actions. */
#ifndef MD_UI_APP_H
#define MD_UI_APP_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <time.h>

#include "cache/cache.h"
#include "kind/kind.h"
#include "sync/sync.h"
#include "ui/keymap.h"
#include "ui/term.h"
#include "util/settings.h"

struct md_app;
struct md_view;
struct md_workspace;

/* The rectangle a view draws into. */
struct md_rect {
    int y, x, h, w;
};

struct md_view_class {
    const char *name;               /* "table", "describe", "page" */
    enum md_key_ctx ctx;            /* key table context */
    void (*draw)(struct md_app *app, struct md_view *v, struct md_rect r);
    /* Returns true when it handled act (false lets global handling run). */
    bool (*action)(struct md_app *app, struct md_view *v, enum md_act act, const struct md_binding *b);
    /* Something in the cache changed for kind (NULL = anything). */
    void (*changed)(struct md_app *app, struct md_view *v, const char *kind);
    /* Breadcrumb words for this view into out. */
    void (*crumb)(struct md_app *app, struct md_view *v, char *out, size_t n);
    void (*free)(struct md_view *v);
    /* Optional: called after the frame reached the terminal (refresh()), for
     * output curses cannot express (24-bit colour images). */
    void (*after_refresh)(struct md_app *app, struct md_view *v);
    /* Optional, added for forms and detail views (may be NULL):
     * key sees every key first (before the key table); true = consumed.
     * event receives the view's own worker jobs (md_app_submit_call); it may
     * keep ev->arg by setting it to NULL, else the loop frees it. */
    bool (*key)(struct md_app *app, struct md_view *v, int key);
    void (*event)(struct md_app *app, struct md_view *v, struct md_sync_event *ev);
};

/* One row of a table view's window (rows [win_off, win_off + win_n)). */
struct md_row {
    char *id;
    cJSON *obj;
};

struct md_view {
    const struct md_view_class *cls;
    const struct md_kind *kind;       /* table, describe */
    /* table */
    char *parent;                     /* NULL = every parent */
    char *parent_label;
    int sort_col;                     /* index into kind->columns */
    bool sort_desc;
    char filter[256];
    int filter_col;                   /* -1 = every visible column */
    long count;                       /* rows matching the filter */
    bool count_deferred;              /* count is only the rows loaded so far */
    char *keep_id;                    /* row to keep selected across a reload */
    long sel, top;
    long page_h;                      /* body height at the last draw */
    struct md_row *win;
    long win_off, win_n, win_cap;
    bool need_count, need_rows;
    long long fetched_ms;             /* oldest fetched_at of the listing, 0 = never */
    unsigned group;                   /* sync job group of this view */
    unsigned long refresh_job;        /* pending refresh, 0 = none */
    double refreshed_at;              /* md_now_ms() of the last refresh request */
    /* describe */
    char *id, *label;
    char **lines;                     /* the object as indented JSON, one entry per line */
    size_t nlines;
    long scroll;                      /* first visual line shown */
    bool wrap;
    char search[128];
    long match_line;                  /* source line of the current match, -1 = none */
    /* page */
    char *title, *text;
    /* Views added after the first three keep their own state here; their
     * class's free releases it. */
    void *priv;
};

enum md_overlay { MD_OV_NONE, MD_OV_HELP, MD_OV_PROMPT, MD_OV_CONFIRM };
enum md_prompt_kind { MD_PROMPT_FILTER, MD_PROMPT_COMMAND, MD_PROMPT_SEARCH,
    MD_PROMPT_MLFLOW /* F in a runs table: an MLflow search expression */, MD_PROMPT_MFA };
enum md_msg_level { MD_MSG_INFO, MD_MSG_ERROR };

#define MD_VIEW_MAX 16

struct md_app {
    struct md_settings *settings;
    struct md_term term;
    struct md_keymap *keys;
    char keys_errors[1024];           /* keys file problems, shown at start-up */

    struct md_workspace *ws;          /* what this run reads and talks to (src/app) */
    struct md_cache *cache;
    struct md_scope scope;
    struct md_sync *sync;
    char not_configured[256];         /* "AWS, MLflow" when no provider serves them */
    bool refresh_failed;              /* the last refresh could not reach its source */
    unsigned char indexed[256];       /* kinds whose sort indexes were asked for */

    struct md_view *stack[MD_VIEW_MAX];
    int depth;
    unsigned next_group;

    enum md_overlay overlay;
    long help_scroll;
    /* prompt */
    enum md_prompt_kind prompt_kind;
    char prompt[256];
    size_t prompt_len;
    char prompt_hint[256];            /* completions shown above the prompt */
    char prompt_saved[256];           /* the filter before editing (Esc restores) */
    /* confirm */
    const struct md_action *confirm_action;
    const struct md_kind *confirm_kind;
    char confirm_id[512];
    char confirm_label[256];
    bool confirm_ok_focused;          /* false = Cancel, the default */
    cJSON *confirm_params;            /* owned: the action's request parameters, or NULL */

    /* Worker jobs submitted by views (md_app_submit_call), so each event
     * finds its view, or its arg is freed when the view has gone. */
    struct md_app_call {
        unsigned long job;
        unsigned group;
        void (*arg_free)(void *arg);
    } calls[64];
    int ncalls;

    char msg[512];
    enum md_msg_level msg_level;

    bool quit;
    int rows, cols;
    /* benchmark instrumentation (MLDECK_BENCH=file) */
    FILE *bench;
};

/* Views (view_table.c, view_describe.c, view_page.c). */
struct md_view *md_table_new(struct md_app *app, const struct md_kind *k, const char *parent,
                             const char *parent_label);
struct md_view *md_describe_new(struct md_app *app, const struct md_kind *k, const char *id,
                                const char *label);
struct md_view *md_page_new(const char *title, const char *text);
/* The inference pane (view_infer.c). */
struct md_view *md_infer_new(struct md_app *app);
/* The training job form (view_train.c), prefilled from the cached training
 * job template_id (NULL or "" = the defaults).  _open pushes it, or says
 * why not (the demo); true = handled. */
struct md_view *md_train_form_new(struct md_app *app, const char *template_id);
bool md_train_form_open(struct md_app *app, const char *template_id);
/* Loads what a table view needs to act on keys typed before its first
 * paint (count, window); cheap when it is already loaded. */
void md_table_prepare(struct md_app *app, struct md_view *v);
/* The selected row of a table view, or NULL. */
const struct md_row *md_table_selected(struct md_view *v);
/* What the breadcrumb and dialogs call a row: label_path, else the id. */
void md_row_label(const struct md_kind *k, const struct md_row *r, char *out, size_t n);
/* Sets the table's filter from a spec ("text" or "col:text"); reports errors. */
void md_table_set_filter(struct md_app *app, struct md_view *v, const char *spec);
/* Sets the sort to the column titled name; the same column again reverses. */
bool md_table_sort_by(struct md_app *app, struct md_view *v, const char *name);
/* Asks the sync layer to refresh the view's listing. */
bool md_table_refresh(struct md_app *app, struct md_view *v);
/* True when a row in the view's window is running (its status tone). */
bool md_table_has_running(struct md_view *v);
void md_describe_search(struct md_app *app, struct md_view *v, const char *text, bool forward);

/* The view stack (tui.c). */
/* A view of class cls with a zeroed private part (v->priv) of priv_size
 * bytes, none when 0; NULL when out of memory.  The class's free releases
 * priv and what it holds; md_app_pop frees the view itself. */
struct md_view *md_view_new(const struct md_view_class *cls, size_t priv_size);
void md_app_push(struct md_app *app, struct md_view *v);
void md_app_pop(struct md_app *app);
void md_app_reset(struct md_app *app, struct md_view *root);
struct md_view *md_app_top(struct md_app *app);
void md_app_open_kind(struct md_app *app, const struct md_kind *k);
void md_app_open_pane(struct md_app *app, size_t i);
void md_app_msg(struct md_app *app, enum md_msg_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void md_app_copy(struct md_app *app, const char *text);
/* Starts a kind action on the selected object: read-only gate, confirm
 * dialog when the action asks for one, then the sync job. */
void md_app_start_action(struct md_app *app, const struct md_kind *k, const struct md_action *a,
                         const char *id, const char *label);
void md_app_run_action(struct md_app *app);
/* Runs fn(arg) on a sync worker for view v (its group: cancelled when v
 * goes); the event is handed to v->cls->event.  arg_free frees arg when
 * nobody takes it.  Returns the job id, 0 when it could not be queued
 * (arg is freed then). */
unsigned long md_app_submit_call(struct md_app *app, struct md_view *v, md_job_fn fn, void *arg,
                                 void (*arg_free)(void *arg));

/* Detail views that hang off a kind (ui/detail.c): what `l` (logs), `m`
 * (chart), `L` (lineage) and `d` open for the selected row of table v.
 * Returns false when the kind has no such view (the caller goes on). */
bool md_detail_open(struct md_app *app, struct md_view *v, enum md_act act);
/* An action that opens a form first (start-execution's launch form):
 * true when a view took over.  Called after the read-only gate. */
bool md_detail_action(struct md_app *app, const struct md_kind *k, const struct md_action *a,
                      const char *id, const char *label);

/* Chrome and overlays (screen.c, help.c, prompt.c, dialog.c). */
void md_screen_draw(struct md_app *app);
void md_help_draw(struct md_app *app);
bool md_help_key(struct md_app *app, int key);
void md_prompt_open(struct md_app *app, enum md_prompt_kind kind, const char *initial);
/* Answers (code) or cancels (NULL) the MFA question a worker is waiting on. */
void md_app_mfa_answer(struct md_app *app, const char *code);
void md_prompt_draw(struct md_app *app);
void md_prompt_key(struct md_app *app, int key);
void md_confirm_draw(struct md_app *app);
void md_confirm_key(struct md_app *app, int key);

/* The `:` commands (commands.c): runs one line; completes a prefix. */
void md_command_run(struct md_app *app, const char *line);
/* Writes the candidates for prefix (space-separated) into hint and the
 * longest common completion into out; returns the number of candidates. */
int md_command_complete(struct md_app *app, const char *prefix, char *out, size_t n, char *hint,
                        size_t hn);

/* Time in ms (monotonic) for the bench log. */
double md_now_ms(void);
void md_bench_log(struct md_app *app, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
