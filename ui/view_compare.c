/* Runs side by side (`x` in a runs table): one column per run, one row per
 * attribute, param and latest metric; rows whose values differ between
 * the runs are marked and highlighted, D shows only those.  A run without
 * a key shows "-", a NaN metric "NaN" (never confused). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/experiments.h"
#include "util/json.h"

#define MAX_RUNS 16

struct crow {
    char *label;
    char *vals[MAX_RUNS];
    bool differs;
    bool section;             /* a heading line */
};

struct compare_priv {
    size_t nruns;
    char *names[MAX_RUNS];
    struct crow *rows;
    size_t nrows, cap;
    bool diff_only;
    long top;
    long shown;               /* rows shown at the last draw */
};

static struct compare_priv *CMP(struct md_view *v)
{
    return v->priv;
}

static struct crow *add_row(struct compare_priv *p, const char *label, bool section)
{
    if (p->nrows == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 64;
        struct crow *n = realloc(p->rows, cap * sizeof *n);
        if (!n)
            return NULL;
        p->rows = n;
        p->cap = cap;
    }
    struct crow *r = &p->rows[p->nrows++];
    memset(r, 0, sizeof *r);
    r->label = strdup(label);
    r->section = section;
    return r;
}

static void set_differs(struct compare_priv *p, struct crow *r)
{
    for (size_t i = 1; i < p->nruns; i++) {
        const char *a = r->vals[0] ? r->vals[0] : "-", *b = r->vals[i] ? r->vals[i] : "-";
        if (strcmp(a, b)) {
            r->differs = true;
            return;
        }
    }
}

static char *value_text(const cJSON *v)
{
    char buf[128];
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (d == floor(d) && fabs(d) < 1e15)
            snprintf(buf, sizeof buf, "%.0f", d);
        else
            snprintf(buf, sizeof buf, "%.6g", d);
        return strdup(buf);
    }
    if (cJSON_IsString(v))
        return strdup(v->valuestring);
    return NULL;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every key in list (metrics/params/tags) of any run, sorted. */
static void section(struct compare_priv *p, const cJSON *const *runs, const char *title,
                    const char *list, const char *skip_prefix)
{
    char *keys[512];
    size_t nk = 0;
    for (size_t i = 0; i < p->nruns; i++) {
        const cJSON *e;
        cJSON_ArrayForEach(e, md_json_get(runs[i], list)) {
            const char *k = md_json_str(e, "$.key", NULL);
            if (!k || (skip_prefix && !strncmp(k, skip_prefix, strlen(skip_prefix))))
                continue;
            bool seen = false;
            for (size_t j = 0; j < nk && !seen; j++)
                seen = !strcmp(keys[j], k);
            if (!seen && nk < 512 && (keys[nk] = strdup(k)))
                nk++;
        }
    }
    if (!nk)
        return;
    qsort(keys, nk, sizeof *keys, cmp_str);
    add_row(p, title, true);
    for (size_t j = 0; j < nk; j++) {
        struct crow *r = add_row(p, keys[j], false);
        for (size_t i = 0; r && i < p->nruns; i++) {
            const cJSON *e;
            cJSON_ArrayForEach(e, md_json_get(runs[i], list)) {
                const char *k = md_json_str(e, "$.key", NULL);
                if (k && !strcmp(k, keys[j])) {
                    r->vals[i] = value_text(cJSON_GetObjectItemCaseSensitive(e, "value"));
                    break;
                }
            }
        }
        if (r)
            set_differs(p, r);
        free(keys[j]);
    }
}

static void attr_row(struct compare_priv *p, const cJSON *const *runs, const char *label,
                     const char *path)
{
    struct crow *r = add_row(p, label, false);
    if (!r)
        return;
    for (size_t i = 0; i < p->nruns; i++)
        r->vals[i] = value_text(md_json_get(runs[i], path));
    set_differs(p, r);
}

static bool visible(struct compare_priv *p, size_t i)
{
    return !p->diff_only || p->rows[i].differs || p->rows[i].section;
}

static void compare_draw(struct md_app *app, struct md_view *v, struct md_rect r)
{
    struct compare_priv *p = CMP(v);
    for (int i = 0; i < r.h; i++)
        md_fill(r.y + i, r.x, r.w, md_attr(MD_ROLE_NORMAL));
    int keyw = 24;
    if (keyw > r.w / 3)
        keyw = r.w / 3;
    int colw = p->nruns ? (r.w - keyw) / (int)p->nruns : r.w;
    size_t shown_runs = p->nruns;
    if (colw < 10) {
        colw = 10;
        shown_runs = (size_t)((r.w - keyw) / colw);
    }
    md_fill(r.y, r.x, r.w, md_attr(MD_ROLE_TITLE));
    md_put(r.y, r.x, keyw, p->diff_only ? "(differences only)" : "", md_attr(MD_ROLE_TITLE), false);
    for (size_t i = 0; i < shown_runs; i++)
        md_put(r.y, r.x + keyw + (int)i * colw, colw - 1, p->names[i], md_attr(MD_ROLE_TITLE), false);
    long h = r.h - 1, row = 0, skipped = 0;
    const char *neq = app->term.utf8 ? "\xe2\x89\xa0" : "!";
    for (size_t i = 0; i < p->nrows && row < h; i++) {
        if (!visible(p, i))
            continue;
        if (skipped++ < p->top)
            continue;
        const struct crow *c = &p->rows[i];
        int y = r.y + 1 + (int)row++;
        if (c->section) {
            md_put(y, r.x, r.w, c->label, md_attr(MD_ROLE_CRUMB), false);
            continue;
        }
        attr_t a = c->differs ? md_attr(MD_ROLE_WARN) : md_attr(MD_ROLE_NORMAL);
        md_put(y, r.x, 2, c->differs ? neq : " ", a | A_BOLD, true);
        md_put(y, r.x + 2, keyw - 3, c->label, a, false);
        for (size_t k = 0; k < shown_runs; k++)
            md_put(y, r.x + keyw + (int)k * colw, colw - 1, c->vals[k] ? c->vals[k] : "-",
                   c->differs ? a | A_BOLD : a, false);
    }
    p->shown = h;
}

static long count_visible(struct compare_priv *p)
{
    long n = 0;
    for (size_t i = 0; i < p->nrows; i++)
        n += visible(p, i);
    return n;
}

static bool compare_action(struct md_app *app, struct md_view *v, enum md_act act,
                           const struct md_binding *b)
{
    (void)b;
    struct compare_priv *p = CMP(v);
    long page = p->shown > 1 ? p->shown : 10, max = count_visible(p) - page;
    switch (act) {
    case MD_ACT_DOWN: p->top++; break;
    case MD_ACT_UP: p->top--; break;
    case MD_ACT_PAGE_DOWN: p->top += page; break;
    case MD_ACT_PAGE_UP: p->top -= page; break;
    case MD_ACT_TOP: p->top = 0; break;
    case MD_ACT_BOTTOM: p->top = max; break;
    case MD_ACT_DIFF_ONLY:
        p->diff_only = !p->diff_only;
        p->top = 0;
        md_app_msg(app, MD_MSG_INFO, "%s", p->diff_only ? "differences only" : "every row");
        return true;
    default: return false;
    }
    if (p->top > max)
        p->top = max;
    if (p->top < 0)
        p->top = 0;
    return true;
}

static void compare_crumb(struct md_app *app, struct md_view *v, char *out, size_t n)
{
    snprintf(out, n, "%zu runs%scompare", CMP(v)->nruns, app->term.g.sep);
}

static void compare_free(struct md_view *v)
{
    struct compare_priv *p = CMP(v);
    if (!p)
        return;
    for (size_t i = 0; i < p->nrows; i++) {
        free(p->rows[i].label);
        for (size_t k = 0; k < p->nruns; k++)
            free(p->rows[i].vals[k]);
    }
    free(p->rows);
    for (size_t k = 0; k < p->nruns; k++)
        free(p->names[k]);
    free(p);
    v->priv = NULL;
}

static void compare_changed(struct md_app *app, struct md_view *v, const char *kind)
{
    (void)app;
    (void)v;
    (void)kind;
}

static const struct md_view_class compare_class = {
    .name = "compare",
    .ctx = MD_CTX_COMPARE,
    .draw = compare_draw,
    .action = compare_action,
    .changed = compare_changed,
    .crumb = compare_crumb,
    .free = compare_free,
};

struct md_view *md_compare_new(struct md_app *app, const cJSON *const *runs, size_t n)
{
    struct md_view *v = md_view_new(&compare_class, sizeof(struct compare_priv));
    if (!v)
        return NULL;
    struct compare_priv *p = v->priv;
    v->group = ++app->next_group;
    v->match_line = -1;
    p->nruns = n < MAX_RUNS ? n : MAX_RUNS;
    for (size_t i = 0; i < p->nruns; i++)
        p->names[i] = strdup(md_json_str(runs[i], "$.info.run_name",
                                         md_json_str(runs[i], "$.info.run_id", "?")));
    add_row(p, "Run", true);
    attr_row(p, runs, "status", "$.info.status");
    attr_row(p, runs, "user", "$.info.user_id");
    attr_row(p, runs, "run id", "$.info.run_id");
    section(p, runs, "Params", "$.data.params", NULL);
    section(p, runs, "Metrics (latest)", "$.data.metrics", NULL);
    section(p, runs, "Tags", "$.data.tags", "mlflow.");
    if (n == 1)
        md_app_msg(app, MD_MSG_INFO, "one run: mark more with Space to compare them");
    return v;
}
