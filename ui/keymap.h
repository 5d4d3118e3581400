/* The key table: one list of {key, action, help, context} that both
 * dispatches keys and renders the `?` overlay.  Defaults live in keymap.c;
 * ~/.config/mldeck/keys edits a copy at start-up (see docs: `bind`/`unbind`).
 * Kind actions (stop, retry...) keep the keys their kind declares unless the
 * keys file binds or unbinds them. */
#ifndef MD_UI_KEYMAP_H
#define MD_UI_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>

/* Where a binding applies.  Global bindings are tried after the view's own. */
enum md_key_ctx { MD_CTX_GLOBAL, MD_CTX_LIST, MD_CTX_DESCRIBE, MD_CTX_INFER,
    /* experiments pane (ui/view_runs.c): runs tables try "runs" before
     * "list"; the metric chart and the compare view have their own. */
    MD_CTX_RUNS, MD_CTX_CHART, MD_CTX_COMPARE,
    MD_CTX_COUNT };

enum md_act {
    MD_ACT_NONE,       /* an unbound key: swallowed, does nothing */
    MD_ACT_UP, MD_ACT_DOWN, MD_ACT_PAGE_UP, MD_ACT_PAGE_DOWN, MD_ACT_TOP, MD_ACT_BOTTOM,
    MD_ACT_OPEN, MD_ACT_BACK, MD_ACT_FILTER, MD_ACT_SORT_NEXT, MD_ACT_SORT_PREV,
    MD_ACT_SORT_REVERSE, MD_ACT_COMMAND, MD_ACT_HELP, MD_ACT_REFRESH, MD_ACT_QUIT,
    MD_ACT_DESCRIBE, MD_ACT_COPY, MD_ACT_PANE1, MD_ACT_PANE2, MD_ACT_PANE3, MD_ACT_PANE4,
    MD_ACT_PANE5, MD_ACT_PANE6, MD_ACT_SEARCH, MD_ACT_SEARCH_NEXT, MD_ACT_SEARCH_PREV,
    MD_ACT_WRAP,
    MD_ACT_LOGS, MD_ACT_CHART, MD_ACT_LINK, MD_ACT_TIMESTAMPS,
    MD_ACT_COLUMNS, MD_ACT_SERVER_FILTER, MD_ACT_SELECT, MD_ACT_COMPARE, MD_ACT_X_AXIS,
    MD_ACT_SMOOTH_MORE, MD_ACT_SMOOTH_LESS, MD_ACT_LOG_Y, MD_ACT_OUTLIERS, MD_ACT_ZOOM_IN,
    MD_ACT_ZOOM_OUT, MD_ACT_PAN_LEFT, MD_ACT_PAN_RIGHT, MD_ACT_ZOOM_RESET, MD_ACT_PNG,
    MD_ACT_METRIC, MD_ACT_DIFF_ONLY,
    /* inference pane (ui/view_infer.c) */
    MD_ACT_OPEN_MODEL, MD_ACT_OPEN_IMAGE, MD_ACT_MODEL_FROM_JOB, MD_ACT_MODEL_FROM_REGISTRY,
    MD_ACT_IMAGE_FROM_DATASET, MD_ACT_NEXT_IMAGE, MD_ACT_PREV_IMAGE, MD_ACT_CONF_UP,
    MD_ACT_CONF_DOWN, MD_ACT_RERUN, MD_ACT_HIGHLIGHT,
    MD_ACT_KIND,       /* a kind action, by name (binding->kind_action) */
    MD_ACT_COUNT
};

struct md_binding {
    int key;                   /* ncurses key code */
    enum md_act act;
    char kind_action[32];      /* MD_ACT_KIND: the action's name ("stop") */
    enum md_key_ctx ctx;
    bool user;                 /* came from the keys file */
};

struct md_keymap {
    struct md_binding *b;
    size_t n, cap;
};

/* Allocates the default table; free with md_keymap_free. */
struct md_keymap *md_keymap_new(void);
void md_keymap_free(struct md_keymap *km);

/* The binding for key in ctx (then in global), or NULL. */
const struct md_binding *md_keymap_lookup(const struct md_keymap *km, enum md_key_ctx ctx, int key);
/* True when the keys file unbound or rebound key in the list context, so a
 * kind action's own key must no longer fire. */
bool md_keymap_overrides(const struct md_keymap *km, int key);
/* The key bound to kind action `name`, if the keys file bound one. */
int md_keymap_kind_key(const struct md_keymap *km, const char *name);

/* Applies a keys file's text.  Errors do not stop the load: each bad line is
 * reported as "keys:LINE: message" through report (if non-NULL); returns the
 * number of bad lines.  is_kind_action(name) says whether an unknown action
 * name is a kind action (may be NULL: then every unknown name is an error). */
typedef void (*md_keymap_report_fn)(void *ctx, int line, const char *msg);
int md_keymap_load_text(struct md_keymap *km, const char *text,
                        bool (*is_kind_action)(const char *name),
                        md_keymap_report_fn report, void *ctx);

const char *md_act_name(enum md_act a);          /* "page-down" */
const char *md_act_help(enum md_act a);          /* "next page" */
enum md_act md_act_by_name(const char *name);    /* MD_ACT_COUNT if unknown */
const char *md_ctx_name(enum md_key_ctx c);      /* "list" */

/* "j", "C-a", "Enter", "PgDn", "F5", "Space"... into buf; returns buf. */
const char *md_key_name(int key, char *buf, size_t n);
/* Inverse of md_key_name; returns -1 when the name is not a key. */
int md_key_parse(const char *name);

#endif
