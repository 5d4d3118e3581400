/* The `?` overlay: generated from the key table in force (defaults plus the
 * keys file) and the current kind's actions, so it can never disagree with
 * what the keys do. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/app.h"

struct help_lines {
    char (*line)[160];
    bool *heading;
    int n, cap;
};

static void add(struct help_lines *h, bool heading, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void add(struct help_lines *h, bool heading, const char *fmt, ...)
{
    if (h->n == h->cap) {
        int cap = h->cap ? h->cap * 2 : 64;
        char(*nl)[160] = realloc(h->line, (size_t)cap * sizeof *nl);
        bool *nh = realloc(h->heading, (size_t)cap * sizeof *nh);
        if (nl)
            h->line = nl;
        if (nh)
            h->heading = nh;
        if (!nl || !nh)
            return;
        h->cap = cap;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(h->line[h->n], sizeof h->line[h->n], fmt, ap);
    va_end(ap);
    h->heading[h->n] = heading;
    h->n++;
}

/* All keys bound to act in ctx, "j Down". */
static void keys_for(const struct md_keymap *km, enum md_key_ctx ctx, enum md_act act,
                     const char *kind_action, char *out, size_t n)
{
    out[0] = '\0';
    size_t used = 0;
    for (size_t i = 0; i < km->n; i++) {
        const struct md_binding *b = &km->b[i];
        if (b->ctx != ctx || b->act != act)
            continue;
        if (act == MD_ACT_KIND && (!kind_action || strcmp(b->kind_action, kind_action)))
            continue;
        char name[32];
        md_key_name(b->key, name, sizeof name);
        used += (size_t)snprintf(out + used, used < n ? n - used : 0, "%s%s", used ? " " : "", name);
        if (used >= n)
            break;
    }
}

static void build(struct md_app *app, struct help_lines *h)
{
    const struct md_keymap *km = app->keys;
    struct md_view *v = md_app_top(app);
    if (v && v->kind && v->cls->ctx == MD_CTX_LIST) {
        const struct md_kind *k = v->kind;
        add(h, true, "Actions on %s", k->title);
        if (k->nactions == 0)
            add(h, false, "  (none)");
        for (size_t i = 0; i < k->nactions; i++) {
            const struct md_action *a = &k->actions[i];
            int key = md_keymap_kind_key(km, a->name);
            /* The kind's own key works only where the key table leaves it free. */
            if (key < 0 && !md_keymap_lookup(km, MD_CTX_LIST, a->key))
                key = a->key;
            char name[32];
            if (key > 0)
                md_key_name(key, name, sizeof name);
            else
                snprintf(name, sizeof name, ":%s", a->name);
            add(h, false, "  %-10s %-18s %s", name, a->name, a->label);
            if (a->confirm || a->mutating)
                add(h, false, "  %-10s %-18s %s%s%s", "", "", a->confirm ? "asks first; " : "",
                    a->mutating ? "changes the account" : "",
                    a->mutating && app->settings->read_only ? "; refused: read-only" : "");
        }
        add(h, false, "%s", "");
        if (k->child)
            add(h, false, "  Enter opens %s; Esc comes back.", k->child);
        add(h, false, "  Filter: /text matches visible columns; /column:text one column.");
        add(h, false, "%s", "");
    }
    for (int c = 0; c < MD_CTX_COUNT; c++) {
        add(h, true, "%s keys", c == MD_CTX_GLOBAL ? "Everywhere" : c == MD_CTX_LIST ? "Lists" : c == MD_CTX_INFER ? "Inference pane" : c == MD_CTX_RUNS ? "MLflow runs (before Lists)" : c == MD_CTX_CHART ? "Metric chart" : c == MD_CTX_COMPARE ? "Compare runs" : "Describe");
        bool seen[MD_ACT_COUNT] = {0};
        for (size_t i = 0; i < km->n; i++) {
            const struct md_binding *b = &km->b[i];
            if (b->ctx != (enum md_key_ctx)c || b->act == MD_ACT_NONE)
                continue;
            if (b->act == MD_ACT_KIND) {
                add(h, false, "  %-10s %-18s %s", md_key_name(b->key, (char[32]){0}, 32), b->kind_action,
                    "kind action (when the kind has it)");
                continue;
            }
            if (seen[b->act])
                continue;
            seen[b->act] = true;
            char keys[64];
            keys_for(km, (enum md_key_ctx)c, b->act, NULL, keys, sizeof keys);
            add(h, false, "  %-10s %-18s %s", keys, md_act_name(b->act), md_act_help(b->act));
        }
        for (size_t i = 0; i < km->n; i++)
            if (km->b[i].ctx == (enum md_key_ctx)c && km->b[i].act == MD_ACT_NONE && km->b[i].user)
                add(h, false, "  %-10s %-18s %s", md_key_name(km->b[i].key, (char[32]){0}, 32), "none",
                    "unbound in the keys file");
        add(h, false, "%s", "");
    }
    add(h, false, "  Commands: :<kind or alias>  :<pane>  :sort <column>  :<action>  :help  :q");
    add(h, false, "  Keys file: ~/.config/mldeck/keys  (bind KEY ACTION [CONTEXT] / unbind KEY)");
    if (app->keys_errors[0]) {
        add(h, true, "Keys file problems");
        const char *p = app->keys_errors;
        while (*p) {
            const char *e = strstr(p, "; ");
            int len = e ? (int)(e - p) : (int)strlen(p);
            add(h, false, "  %.*s", len > 150 ? 150 : len, p);
            p += len;
            if (e)
                p += 2;
        }
    }
}

static int help_height(struct md_app *app)
{
    return app->rows - 4;
}

void md_help_draw(struct md_app *app)
{
    struct help_lines h = {0};
    build(app, &h);
    int bh = help_height(app), bw = app->cols - 4;
    int y0 = 2, x0 = 2;
    if (app->help_scroll > h.n - (bh - 2))
        app->help_scroll = h.n - (bh - 2);
    if (app->help_scroll < 0)
        app->help_scroll = 0;
    md_box(&app->term, y0, x0, bh, bw, md_attr(MD_ROLE_DIALOG));
    md_put(y0, x0 + 2, bw - 4, " Help: keys in force (Esc closes, j/k scroll) ", md_attr(MD_ROLE_DIALOG) | A_BOLD,
           false);
    for (int i = 0; i < bh - 2; i++) {
        int li = (int)app->help_scroll + i;
        if (li >= h.n)
            break;
        md_put(y0 + 1 + i, x0 + 2, bw - 4, h.line[li],
               md_attr(MD_ROLE_DIALOG) | (h.heading[li] ? A_BOLD : 0), false);
    }
    free(h.line);
    free(h.heading);
}

bool md_help_key(struct md_app *app, int key)
{
    const struct md_binding *b = md_keymap_lookup(app->keys, MD_CTX_LIST, key);
    enum md_act act = b ? b->act : MD_ACT_NONE;
    long page = help_height(app) - 3;
    switch (act) {
    case MD_ACT_DOWN: app->help_scroll++; return true;
    case MD_ACT_UP: app->help_scroll--; return true;
    case MD_ACT_PAGE_DOWN: app->help_scroll += page; return true;
    case MD_ACT_PAGE_UP: app->help_scroll -= page; return true;
    case MD_ACT_TOP: app->help_scroll = 0; return true;
    case MD_ACT_BOTTOM: app->help_scroll = 1L << 30; return true;
    default:
        app->overlay = MD_OV_NONE;
        return true;
    }
}
