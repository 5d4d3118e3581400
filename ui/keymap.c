#include "ui/keymap.h"

#include <ctype.h>
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
    const char *name;
    const char *help;
} act_info[MD_ACT_COUNT] = {
    [MD_ACT_NONE] = {"none", "do nothing (unbound)"},
    [MD_ACT_UP] = {"up", "move up"},
    [MD_ACT_DOWN] = {"down", "move down"},
    [MD_ACT_PAGE_UP] = {"page-up", "previous page"},
    [MD_ACT_PAGE_DOWN] = {"page-down", "next page"},
    [MD_ACT_TOP] = {"top", "go to the first row"},
    [MD_ACT_BOTTOM] = {"bottom", "go to the last row"},
    [MD_ACT_OPEN] = {"open", "drill into the row (child kind)"},
    [MD_ACT_BACK] = {"back", "back (clears the filter first)"},
    [MD_ACT_FILTER] = {"filter", "filter rows (text, or column:text)"},
    [MD_ACT_SORT_NEXT] = {"sort-next", "sort by the next column"},
    [MD_ACT_SORT_PREV] = {"sort-prev", "sort by the previous column"},
    [MD_ACT_SORT_REVERSE] = {"sort-reverse", "reverse the sort order"},
    [MD_ACT_COMMAND] = {"command", "command palette (:pipelines, :q...)"},
    [MD_ACT_HELP] = {"help", "this help"},
    [MD_ACT_REFRESH] = {"refresh", "refresh from the source"},
    [MD_ACT_QUIT] = {"quit", "quit mldeck"},
    [MD_ACT_DESCRIBE] = {"describe", "describe the row (JSON)"},
    [MD_ACT_COPY] = {"copy", "copy the row's id/ARN/URI (OSC 52)"},
    [MD_ACT_PANE1] = {"pane-1", "datasets pane"},
    [MD_ACT_PANE2] = {"pane-2", "labeling pane"},
    [MD_ACT_PANE3] = {"pane-3", "pipelines pane"},
    [MD_ACT_PANE4] = {"pane-4", "experiments pane"},
    [MD_ACT_PANE5] = {"pane-5", "drift pane"},
    [MD_ACT_PANE6] = {"pane-6", "inference pane"},
    [MD_ACT_SEARCH] = {"search", "search the text"},
    [MD_ACT_SEARCH_NEXT] = {"search-next", "next match"},
    [MD_ACT_SEARCH_PREV] = {"search-prev", "previous match"},
    [MD_ACT_WRAP] = {"wrap", "toggle line wrap"},
    [MD_ACT_LOGS] = {"logs", "tail the job's CloudWatch logs"},
    [MD_ACT_CHART] = {"chart", "chart the job's metrics"},
    [MD_ACT_LINK] = {"lineage", "jump to the linked object (step -> job -> MLflow run)"},
    [MD_ACT_TIMESTAMPS] = {"timestamps", "show/hide timestamps"},
    [MD_ACT_COLUMNS] = {"columns", "pick metric/param columns (kept per experiment)"},
    [MD_ACT_SERVER_FILTER] = {"server-filter", "MLflow search expression (sent to the server)"},
    [MD_ACT_SELECT] = {"select", "mark/unmark the run (for m and x)"},
    [MD_ACT_COMPARE] = {"compare", "compare the marked runs side by side"},
    [MD_ACT_X_AXIS] = {"x-axis", "x axis: step, wall time, relative time"},
    [MD_ACT_SMOOTH_MORE] = {"smooth-more", "more EMA smoothing"},
    [MD_ACT_SMOOTH_LESS] = {"smooth-less", "less EMA smoothing"},
    [MD_ACT_LOG_Y] = {"log-y", "log scale y on/off"},
    [MD_ACT_OUTLIERS] = {"outliers", "ignore outliers (p5-p95 y range) on/off"},
    [MD_ACT_ZOOM_IN] = {"zoom-in", "zoom in (x)"},
    [MD_ACT_ZOOM_OUT] = {"zoom-out", "zoom out (x)"},
    [MD_ACT_PAN_LEFT] = {"pan-left", "move the zoomed window left"},
    [MD_ACT_PAN_RIGHT] = {"pan-right", "move the zoomed window right"},
    [MD_ACT_ZOOM_RESET] = {"zoom-reset", "whole x range"},
    [MD_ACT_PNG] = {"png", "write the chart as a PNG"},
    [MD_ACT_METRIC] = {"metric", "pick the metric to plot"},
    [MD_ACT_DIFF_ONLY] = {"diff-only", "show only rows that differ"},
    [MD_ACT_OPEN_MODEL] = {"open-model", "model: a file or s3:// path (empty = shipped model)"},
    [MD_ACT_OPEN_IMAGE] = {"open-image", "image: a PNG/JPEG file or s3:// path"},
    [MD_ACT_MODEL_FROM_JOB] = {"model-from-job", "model of a training job (pick a row)"},
    [MD_ACT_MODEL_FROM_REGISTRY] = {"model-from-registry", "model of a registry version (pick a row)"},
    [MD_ACT_IMAGE_FROM_DATASET] = {"image-from-dataset", "image from a dataset (pick an object)"},
    [MD_ACT_NEXT_IMAGE] = {"next-image", "next image in the folder"},
    [MD_ACT_PREV_IMAGE] = {"prev-image", "previous image in the folder"},
    [MD_ACT_CONF_UP] = {"conf-up", "raise the confidence threshold"},
    [MD_ACT_CONF_DOWN] = {"conf-down", "lower the confidence threshold"},
    [MD_ACT_RERUN] = {"rerun", "run the model on the image again"},
    [MD_ACT_HIGHLIGHT] = {"highlight", "highlight the selected detection"},
    [MD_ACT_KIND] = {"kind-action", "an action of the kind"},
};

static const char *const ctx_names[MD_CTX_COUNT] = {"global", "list", "describe", "inference", "runs",
                                                     "chart", "compare"};

/* The default key map.  Order is the order `?` shows. */
static const struct {
    int key;
    enum md_act act;
    enum md_key_ctx ctx;
} defaults[] = {
    {'?', MD_ACT_HELP, MD_CTX_GLOBAL},
    {':', MD_ACT_COMMAND, MD_CTX_GLOBAL},
    {'q', MD_ACT_QUIT, MD_CTX_GLOBAL},
    {27, MD_ACT_BACK, MD_CTX_GLOBAL},
    {'1', MD_ACT_PANE1, MD_CTX_GLOBAL},
    {'2', MD_ACT_PANE2, MD_CTX_GLOBAL},
    {'3', MD_ACT_PANE3, MD_CTX_GLOBAL},
    {'4', MD_ACT_PANE4, MD_CTX_GLOBAL},
    {'5', MD_ACT_PANE5, MD_CTX_GLOBAL},
    {'6', MD_ACT_PANE6, MD_CTX_GLOBAL},
    {'j', MD_ACT_DOWN, MD_CTX_LIST},
    {KEY_DOWN, MD_ACT_DOWN, MD_CTX_LIST},
    {'k', MD_ACT_UP, MD_CTX_LIST},
    {KEY_UP, MD_ACT_UP, MD_CTX_LIST},
    {KEY_NPAGE, MD_ACT_PAGE_DOWN, MD_CTX_LIST},
    {6 /* C-f */, MD_ACT_PAGE_DOWN, MD_CTX_LIST},
    {KEY_PPAGE, MD_ACT_PAGE_UP, MD_CTX_LIST},
    {2 /* C-b */, MD_ACT_PAGE_UP, MD_CTX_LIST},
    {'g', MD_ACT_TOP, MD_CTX_LIST},
    {KEY_HOME, MD_ACT_TOP, MD_CTX_LIST},
    {'G', MD_ACT_BOTTOM, MD_CTX_LIST},
    {KEY_END, MD_ACT_BOTTOM, MD_CTX_LIST},
    {'\n', MD_ACT_OPEN, MD_CTX_LIST},
    {'/', MD_ACT_FILTER, MD_CTX_LIST},
    {'>', MD_ACT_SORT_NEXT, MD_CTX_LIST},
    {'<', MD_ACT_SORT_PREV, MD_CTX_LIST},
    {'R', MD_ACT_SORT_REVERSE, MD_CTX_LIST},
    {'r', MD_ACT_REFRESH, MD_CTX_LIST},
    {'d', MD_ACT_DESCRIBE, MD_CTX_LIST},
    {'y', MD_ACT_COPY, MD_CTX_LIST},
    {'l', MD_ACT_LOGS, MD_CTX_LIST},
    {'m', MD_ACT_CHART, MD_CTX_LIST},
    {'L', MD_ACT_LINK, MD_CTX_LIST},
    {'j', MD_ACT_DOWN, MD_CTX_DESCRIBE},
    {KEY_DOWN, MD_ACT_DOWN, MD_CTX_DESCRIBE},
    {'k', MD_ACT_UP, MD_CTX_DESCRIBE},
    {KEY_UP, MD_ACT_UP, MD_CTX_DESCRIBE},
    {KEY_NPAGE, MD_ACT_PAGE_DOWN, MD_CTX_DESCRIBE},
    {' ', MD_ACT_PAGE_DOWN, MD_CTX_DESCRIBE},
    {KEY_PPAGE, MD_ACT_PAGE_UP, MD_CTX_DESCRIBE},
    {'g', MD_ACT_TOP, MD_CTX_DESCRIBE},
    {'G', MD_ACT_BOTTOM, MD_CTX_DESCRIBE},
    {'/', MD_ACT_SEARCH, MD_CTX_DESCRIBE},
    {'n', MD_ACT_SEARCH_NEXT, MD_CTX_DESCRIBE},
    {'N', MD_ACT_SEARCH_PREV, MD_CTX_DESCRIBE},
    {'w', MD_ACT_WRAP, MD_CTX_DESCRIBE},
    {'y', MD_ACT_COPY, MD_CTX_DESCRIBE},
    {'o', MD_ACT_OPEN_MODEL, MD_CTX_INFER},
    {'m', MD_ACT_MODEL_FROM_JOB, MD_CTX_INFER},
    {'M', MD_ACT_MODEL_FROM_REGISTRY, MD_CTX_INFER},
    {'i', MD_ACT_OPEN_IMAGE, MD_CTX_INFER},
    {'I', MD_ACT_IMAGE_FROM_DATASET, MD_CTX_INFER},
    {'n', MD_ACT_NEXT_IMAGE, MD_CTX_INFER},
    {'p', MD_ACT_PREV_IMAGE, MD_CTX_INFER},
    {'c', MD_ACT_CONF_UP, MD_CTX_INFER},
    {'C', MD_ACT_CONF_DOWN, MD_CTX_INFER},
    {'r', MD_ACT_RERUN, MD_CTX_INFER},
    {'\n', MD_ACT_HIGHLIGHT, MD_CTX_INFER},
    {'j', MD_ACT_DOWN, MD_CTX_INFER},
    {KEY_DOWN, MD_ACT_DOWN, MD_CTX_INFER},
    {'k', MD_ACT_UP, MD_CTX_INFER},
    {KEY_UP, MD_ACT_UP, MD_CTX_INFER},
    {'g', MD_ACT_TOP, MD_CTX_INFER},
    {'G', MD_ACT_BOTTOM, MD_CTX_INFER},
    {'t', MD_ACT_TIMESTAMPS, MD_CTX_DESCRIBE},
    {'c', MD_ACT_COLUMNS, MD_CTX_RUNS},
    {'F', MD_ACT_SERVER_FILTER, MD_CTX_RUNS},
    {' ', MD_ACT_SELECT, MD_CTX_RUNS},
    {'x', MD_ACT_COMPARE, MD_CTX_RUNS},
    {'m', MD_ACT_METRIC, MD_CTX_CHART},
    {'j', MD_ACT_DOWN, MD_CTX_CHART},
    {KEY_DOWN, MD_ACT_DOWN, MD_CTX_CHART},
    {'k', MD_ACT_UP, MD_CTX_CHART},
    {KEY_UP, MD_ACT_UP, MD_CTX_CHART},
    {'g', MD_ACT_TOP, MD_CTX_CHART},
    {'G', MD_ACT_BOTTOM, MD_CTX_CHART},
    {'\n', MD_ACT_OPEN, MD_CTX_CHART},
    {'x', MD_ACT_X_AXIS, MD_CTX_CHART},
    {'s', MD_ACT_SMOOTH_MORE, MD_CTX_CHART},
    {'S', MD_ACT_SMOOTH_LESS, MD_CTX_CHART},
    {'L', MD_ACT_LOG_Y, MD_CTX_CHART},
    {'o', MD_ACT_OUTLIERS, MD_CTX_CHART},
    {'+', MD_ACT_ZOOM_IN, MD_CTX_CHART},
    {'=', MD_ACT_ZOOM_IN, MD_CTX_CHART},
    {'-', MD_ACT_ZOOM_OUT, MD_CTX_CHART},
    {'h', MD_ACT_PAN_LEFT, MD_CTX_CHART},
    {KEY_LEFT, MD_ACT_PAN_LEFT, MD_CTX_CHART},
    {'l', MD_ACT_PAN_RIGHT, MD_CTX_CHART},
    {KEY_RIGHT, MD_ACT_PAN_RIGHT, MD_CTX_CHART},
    {'0', MD_ACT_ZOOM_RESET, MD_CTX_CHART},
    {'p', MD_ACT_PNG, MD_CTX_CHART},
    {'r', MD_ACT_REFRESH, MD_CTX_CHART},
    {'j', MD_ACT_DOWN, MD_CTX_COMPARE},
    {KEY_DOWN, MD_ACT_DOWN, MD_CTX_COMPARE},
    {'k', MD_ACT_UP, MD_CTX_COMPARE},
    {KEY_UP, MD_ACT_UP, MD_CTX_COMPARE},
    {KEY_NPAGE, MD_ACT_PAGE_DOWN, MD_CTX_COMPARE},
    {KEY_PPAGE, MD_ACT_PAGE_UP, MD_CTX_COMPARE},
    {'g', MD_ACT_TOP, MD_CTX_COMPARE},
    {'G', MD_ACT_BOTTOM, MD_CTX_COMPARE},
    {'D', MD_ACT_DIFF_ONLY, MD_CTX_COMPARE},
};

const char *md_act_name(enum md_act a)
{
    return a < MD_ACT_COUNT ? act_info[a].name : "?";
}

const char *md_act_help(enum md_act a)
{
    return a < MD_ACT_COUNT ? act_info[a].help : "";
}

enum md_act md_act_by_name(const char *name)
{
    for (int a = 0; a < MD_ACT_COUNT; a++)
        if (a != MD_ACT_KIND && !strcmp(act_info[a].name, name))
            return (enum md_act)a;
    return MD_ACT_COUNT;
}

const char *md_ctx_name(enum md_key_ctx c)
{
    return c < MD_CTX_COUNT ? ctx_names[c] : "?";
}

static int ctx_by_name(const char *name)
{
    for (int c = 0; c < MD_CTX_COUNT; c++)
        if (!strcmp(ctx_names[c], name))
            return c;
    return -1;
}

static int push(struct md_keymap *km, const struct md_binding *b)
{
    if (km->n == km->cap) {
        size_t cap = km->cap ? km->cap * 2 : 64;
        struct md_binding *nb = realloc(km->b, cap * sizeof *nb);
        if (!nb)
            return -1;
        km->b = nb;
        km->cap = cap;
    }
    km->b[km->n++] = *b;
    return 0;
}

struct md_keymap *md_keymap_new(void)
{
    struct md_keymap *km = calloc(1, sizeof *km);
    if (!km)
        return NULL;
    for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++) {
        struct md_binding b = {.key = defaults[i].key, .act = defaults[i].act, .ctx = defaults[i].ctx};
        if (push(km, &b) < 0) {
            md_keymap_free(km);
            return NULL;
        }
    }
    return km;
}

void md_keymap_free(struct md_keymap *km)
{
    if (!km)
        return;
    free(km->b);
    free(km);
}

static const struct md_binding *find(const struct md_keymap *km, enum md_key_ctx ctx, int key)
{
    for (size_t i = 0; i < km->n; i++)
        if (km->b[i].key == key && km->b[i].ctx == ctx)
            return &km->b[i];
    return NULL;
}

const struct md_binding *md_keymap_lookup(const struct md_keymap *km, enum md_key_ctx ctx, int key)
{
    const struct md_binding *b = find(km, ctx, key);
    return b ? b : find(km, MD_CTX_GLOBAL, key);
}

bool md_keymap_overrides(const struct md_keymap *km, int key)
{
    for (size_t i = 0; i < km->n; i++)
        if (km->b[i].key == key && km->b[i].user &&
            (km->b[i].ctx == MD_CTX_LIST || km->b[i].ctx == MD_CTX_GLOBAL))
            return true;
    return false;
}

int md_keymap_kind_key(const struct md_keymap *km, const char *name)
{
    for (size_t i = 0; i < km->n; i++)
        if (km->b[i].act == MD_ACT_KIND && !strcmp(km->b[i].kind_action, name))
            return km->b[i].key;
    return -1;
}

/* Removes key from ctx; a user unbind leaves an MD_ACT_NONE marker so that
 * global bindings and kind-action keys no longer fire either. */
static void unbind(struct md_keymap *km, enum md_key_ctx ctx, int key)
{
    size_t w = 0;
    for (size_t i = 0; i < km->n; i++)
        if (!(km->b[i].key == key && km->b[i].ctx == ctx))
            km->b[w++] = km->b[i];
    km->n = w;
}

static void bind_one(struct md_keymap *km, enum md_key_ctx ctx, int key, enum md_act act,
                     const char *kind_action)
{
    unbind(km, ctx, key);
    struct md_binding b = {.key = key, .act = act, .ctx = ctx, .user = true};
    if (kind_action)
        snprintf(b.kind_action, sizeof b.kind_action, "%s", kind_action);
    push(km, &b);
}

static bool act_has_default_in(enum md_act act, enum md_key_ctx ctx)
{
    for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
        if (defaults[i].act == act && defaults[i].ctx == ctx)
            return true;
    return false;
}

/* Splits a line into at most 4 whitespace-separated words in place. */
static int split_words(char *line, char **w, int max)
{
    int n = 0;
    char *p = line;
    while (*p) {
        while (*p && isspace((unsigned char)*p))
            p++;
        if (!*p || *p == '#')
            break;
        if (n == max)
            return max + 1;
        w[n++] = p;
        while (*p && !isspace((unsigned char)*p))
            p++;
        if (*p)
            *p++ = '\0';
    }
    return n;
}

static int apply_line(struct md_keymap *km, char *line, bool (*is_kind_action)(const char *),
                      char *msg, size_t msgn)
{
    char *w[4];
    int n = split_words(line, w, 4);
    if (n == 0)
        return 0;
    if (n > 4) {
        snprintf(msg, msgn, "too many words (expected: bind KEY ACTION [CONTEXT] or unbind KEY [CONTEXT])");
        return -1;
    }
    bool is_bind = !strcmp(w[0], "bind");
    if (!is_bind && strcmp(w[0], "unbind") != 0) {
        snprintf(msg, msgn, "unknown directive '%s' (expected bind or unbind)", w[0]);
        return -1;
    }
    int need = is_bind ? 3 : 2;
    if (n < need || n > need + 1) {
        snprintf(msg, msgn, "usage: %s", is_bind ? "bind KEY ACTION [CONTEXT]" : "unbind KEY [CONTEXT]");
        return -1;
    }
    int key = md_key_parse(w[1]);
    if (key < 0) {
        snprintf(msg, msgn, "unknown key '%s'", w[1]);
        return -1;
    }
    int ctx = -1;
    if (n == need + 1 && (ctx = ctx_by_name(w[need])) < 0) {
        snprintf(msg, msgn, "unknown context '%s' (global, list or describe)", w[need]);
        return -1;
    }
    if (!is_bind) {
        for (int c = 0; c < MD_CTX_COUNT; c++)
            if (ctx < 0 || ctx == c)
                bind_one(km, (enum md_key_ctx)c, key, MD_ACT_NONE, NULL);
        return 0;
    }
    enum md_act act = md_act_by_name(w[2]);
    const char *kind_action = NULL;
    if (act == MD_ACT_COUNT) {
        if (!is_kind_action || !is_kind_action(w[2])) {
            snprintf(msg, msgn, "unknown action '%s' (see ? for the action names)", w[2]);
            return -1;
        }
        act = MD_ACT_KIND;
        kind_action = w[2];
        if (ctx < 0)
            ctx = MD_CTX_LIST;
    }
    if (ctx >= 0) {
        bind_one(km, (enum md_key_ctx)ctx, key, act, kind_action);
        return 0;
    }
    /* No context given: every context where the action is bound by default
     * (global for an action that has none, such as "none"). */
    bool any = false;
    for (int c = 0; c < MD_CTX_COUNT; c++)
        if (act_has_default_in(act, (enum md_key_ctx)c)) {
            bind_one(km, (enum md_key_ctx)c, key, act, NULL);
            any = true;
        }
    if (!any)
        bind_one(km, MD_CTX_GLOBAL, key, act, NULL);
    return 0;
}

int md_keymap_load_text(struct md_keymap *km, const char *text,
                        bool (*is_kind_action)(const char *name),
                        md_keymap_report_fn report, void *ctx)
{
    int bad = 0, lineno = 0;
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        lineno++;
        char line[512];
        char msg[256];
        if (len >= sizeof line) {
            snprintf(msg, sizeof msg, "line too long");
            bad++;
            if (report)
                report(ctx, lineno, msg);
        } else {
            memcpy(line, p, len);
            line[len] = '\0';
            if (len && line[len - 1] == '\r')
                line[len - 1] = '\0';
            if (apply_line(km, line, is_kind_action, msg, sizeof msg) < 0) {
                bad++;
                if (report)
                    report(ctx, lineno, msg);
            }
        }
        p += len;
        if (*p == '\n')
            p++;
    }
    return bad;
}

static const struct {
    int key;
    const char *name;
} named_keys[] = {
    {'\n', "Enter"}, {27, "Esc"}, {'\t', "Tab"}, {' ', "Space"}, {KEY_BTAB, "BTab"},
    {KEY_BACKSPACE, "BSpace"}, {KEY_UP, "Up"}, {KEY_DOWN, "Down"}, {KEY_LEFT, "Left"},
    {KEY_RIGHT, "Right"}, {KEY_PPAGE, "PgUp"}, {KEY_NPAGE, "PgDn"}, {KEY_HOME, "Home"},
    {KEY_END, "End"}, {KEY_DC, "Delete"}, {KEY_IC, "Insert"},
};

const char *md_key_name(int key, char *buf, size_t n)
{
    for (size_t i = 0; i < sizeof named_keys / sizeof named_keys[0]; i++)
        if (named_keys[i].key == key) {
            snprintf(buf, n, "%s", named_keys[i].name);
            return buf;
        }
    if (key >= KEY_F(1) && key <= KEY_F(12))
        snprintf(buf, n, "F%d", key - KEY_F(0));
    else if (key >= 1 && key <= 26)
        snprintf(buf, n, "C-%c", 'a' + key - 1);
    else if (key > 32 && key < 127)
        snprintf(buf, n, "%c", key);
    else
        snprintf(buf, n, "<%d>", key);
    return buf;
}

int md_key_parse(const char *name)
{
    if (!name || !*name)
        return -1;
    for (size_t i = 0; i < sizeof named_keys / sizeof named_keys[0]; i++)
        if (!strcasecmp(named_keys[i].name, name))
            return named_keys[i].key;
    if (!strcasecmp(name, "PageUp"))
        return KEY_PPAGE;
    if (!strcasecmp(name, "PageDown"))
        return KEY_NPAGE;
    if (!strcasecmp(name, "Return"))
        return '\n';
    if (!strcasecmp(name, "Escape"))
        return 27;
    if (name[1] == '\0' && name[0] > 32 && name[0] < 127)
        return name[0];
    if ((name[0] == 'C' || name[0] == 'c') && name[1] == '-' && name[2] && !name[3]) {
        int c = tolower((unsigned char)name[2]);
        if (c >= 'a' && c <= 'z')
            return c - 'a' + 1;
        return -1;
    }
    if ((name[0] == 'F' || name[0] == 'f') && isdigit((unsigned char)name[1])) {
        char *end;
        long f = strtol(name + 1, &end, 10);
        if (!*end && f >= 1 && f <= 12)
            return KEY_F((int)f);
    }
    return -1;
}
