/* The `:` commands, as a table (tmux's cmd_entry): the palette runs them
 * and completes their names.  Kind names and aliases, pane names and the
 * current kind's action names are commands too. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/app.h"
#include "ui/experiments.h"

struct md_command {
    const char *name;
    const char *alias;
    const char *usage;
    void (*run)(struct md_app *app, const char *arg);
};

static void cmd_quit(struct md_app *app, const char *arg)
{
    app->quit = true;
}

static void cmd_help(struct md_app *app, const char *arg)
{
    app->overlay = MD_OV_HELP;
    app->help_scroll = 0;
}

static struct md_view *table_or_complain(struct md_app *app)
{
    struct md_view *v = md_app_top(app);
    if (v && v->kind && v->cls->ctx == MD_CTX_LIST)
        return v;
    md_app_msg(app, MD_MSG_ERROR, "this works on a list");
    return NULL;
}

static void cmd_sort(struct md_app *app, const char *arg)
{
    struct md_view *v = table_or_complain(app);
    if (!v)
        return;
    if (!*arg) {
        md_app_msg(app, MD_MSG_ERROR, "usage: :sort COLUMN (the same column again reverses)");
        return;
    }
    if (!md_table_sort_by(app, v, arg))
        md_app_msg(app, MD_MSG_ERROR, "%s have no column \"%s\"", v->kind->title, arg);
}

static void cmd_filter(struct md_app *app, const char *arg)
{
    struct md_view *v = table_or_complain(app);
    if (v)
        md_table_set_filter(app, v, arg);
}

static void cmd_refresh(struct md_app *app, const char *arg)
{
    struct md_view *v = table_or_complain(app);
    if (v) {
        v->need_count = v->need_rows = true;
        md_table_refresh(app, v);
    }
}

static void cmd_search(struct md_app *app, const char *arg)
{
    md_runs_search_command(app, arg);
}

/* :train [JOB]: the training job form, prefilled from JOB or the selected
 * training job; through md_app_start_action (read-only gate first). */
static void cmd_train(struct md_app *app, const char *arg)
{
    const struct md_kind *k = md_kind_find("training-jobs");
    const struct md_action *a = k ? md_kind_action_by_name(k, "create-training-job") : NULL;
    if (!a)
        return;
    char id[512] = "";
    struct md_view *v = md_app_top(app);
    const struct md_row *r = v && v->kind == k && v->cls->ctx == MD_CTX_LIST ? md_table_selected(v)
                                                                           : NULL;
    if (*arg)
        snprintf(id, sizeof id, "%s", arg);
    else if (r && r->id)
        snprintf(id, sizeof id, "%s", r->id);
    md_app_start_action(app, k, a, id, "new training job");
}

static const struct md_command commands[] = {
    {"quit", "q", "", cmd_quit},
    {"help", NULL, "", cmd_help},
    {"sort", NULL, "COLUMN", cmd_sort},
    {"filter", NULL, "TEXT|COLUMN:TEXT", cmd_filter},
    {"refresh", NULL, "", cmd_refresh},
    {"search", NULL, "MLFLOW-FILTER (runs table; F)", cmd_search},
    {"train", NULL, "[JOB] (new training job form, prefilled from JOB)", cmd_train},
    {NULL, NULL, NULL, NULL},
};

void md_command_run(struct md_app *app, const char *line)
{
    while (isspace((unsigned char)*line))
        line++;
    char word[128];
    size_t n = 0;
    while (line[n] && !isspace((unsigned char)line[n]) && n + 1 < sizeof word) {
        word[n] = line[n];
        n++;
    }
    word[n] = '\0';
    const char *arg = line + n;
    while (isspace((unsigned char)*arg))
        arg++;
    if (!word[0])
        return;
    if (!strcmp(word, "q!")) {
        app->quit = true;
        return;
    }
    for (const struct md_command *c = commands; c->name; c++)
        if (!strcmp(word, c->name) || (c->alias && !strcmp(word, c->alias))) {
            c->run(app, arg);
            return;
        }
    for (size_t i = 0; i < md_pane_count(); i++)
        if (!strcmp(word, md_pane_at(i))) {
            md_app_open_pane(app, i);
            return;
        }
    const struct md_kind *k = md_kind_find(word);
    if (k) {
        /* k9s habit: ":executions status:Failed" opens the kind filtered. */
        md_app_open_kind(app, k);
        struct md_view *nv = md_app_top(app);
        if (*arg && nv && nv->kind && !strcmp(nv->kind->name, k->name))
            md_table_set_filter(app, nv, arg);
        return;
    }
    struct md_view *v = md_app_top(app);
    if (v && v->kind && v->cls->ctx == MD_CTX_LIST) {
        const struct md_action *a = md_kind_action_by_name(v->kind, word);
        const struct md_row *r = md_table_selected(v);
        if (a && r) {
            char label[256];
            md_row_label(v->kind, r, label, sizeof label);
            md_app_start_action(app, v->kind, a, r->id, label);
            return;
        }
        if (a) {
            md_app_msg(app, MD_MSG_ERROR, "no row selected for %s", a->label);
            return;
        }
    }
    md_app_msg(app, MD_MSG_ERROR, "unknown command \"%s\" (Tab completes, ? lists keys)", word);
}

struct cands {
    const char *c[256];
    int n;
};

static void cand(struct cands *cs, const char *prefix, const char *name)
{
    if (!name || strncmp(name, prefix, strlen(prefix)) != 0 || cs->n == 256)
        return;
    for (int i = 0; i < cs->n; i++)
        if (!strcmp(cs->c[i], name))
            return;
    cs->c[cs->n++] = name;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int md_command_complete(struct md_app *app, const char *prefix, char *out, size_t n, char *hint,
                        size_t hn)
{
    struct cands cs = {.n = 0};
    /* Aliases live in one space-separated string per kind: copies kept
     * here for the duration of the call. */
    static char alias_buf[4096];
    size_t abuf = 0;
    for (const struct md_command *c = commands; c->name; c++) {
        cand(&cs, prefix, c->name);
        cand(&cs, prefix, c->alias);
    }
    for (size_t i = 0; i < md_pane_count(); i++)
        cand(&cs, prefix, md_pane_at(i));
    for (size_t i = 0; i < md_kind_count(); i++) {
        const struct md_kind *k = md_kind_at(i);
        cand(&cs, prefix, k->name);
        const char *a = k->aliases ? k->aliases : "";
        while (*a) {
            while (*a == ' ')
                a++;
            size_t len = strcspn(a, " ");
            if (len && abuf + len + 1 < sizeof alias_buf) {
                memcpy(alias_buf + abuf, a, len);
                alias_buf[abuf + len] = '\0';
                cand(&cs, prefix, alias_buf + abuf);
                abuf += len + 1;
            }
            a += len;
        }
    }
    struct md_view *v = md_app_top(app);
    if (v && v->kind && v->cls->ctx == MD_CTX_LIST)
        for (size_t i = 0; i < v->kind->nactions; i++)
            cand(&cs, prefix, v->kind->actions[i].name);
    qsort(cs.c, (size_t)cs.n, sizeof cs.c[0], cmp_str);
    hint[0] = '\0';
    if (cs.n == 0) {
        snprintf(out, n, "%s", prefix);
        return 0;
    }
    /* Longest common prefix of the candidates. */
    size_t common = strlen(cs.c[0]);
    for (int i = 1; i < cs.n; i++) {
        size_t j = 0;
        while (j < common && cs.c[i][j] == cs.c[0][j])
            j++;
        common = j;
    }
    if (cs.n == 1)
        snprintf(out, n, "%s", cs.c[0]);
    else
        snprintf(out, n, "%.*s", (int)common, cs.c[0]);
    size_t used = 0;
    for (int i = 0; i < cs.n && used < hn; i++)
        used += (size_t)snprintf(hint + used, hn - used, "%s%s", i ? "  " : "", cs.c[i]);
    return cs.n;
}
