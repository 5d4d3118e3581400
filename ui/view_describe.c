/* Describe: the cached object as indented JSON, wrapped (w toggles),
 * searchable (/ n N) and scrollable.  The object comes from the cache, so it
 * shows exactly what the API returned. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ui/app.h"

static void describe_free(struct md_view *v)
{
    for (size_t i = 0; i < v->nlines; i++)
        free(v->lines[i]);
    free(v->lines);
    free(v->id);
    free(v->label);
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

static void set_text(struct md_view *v, const char *text)
{
    size_t cap = 0;
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (add_line(v, p, len, &cap) < 0)
            return;
        p += len;
        if (*p)
            p++;
    }
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
    set_text(v, pretty ? pretty : json);
    cJSON_free(pretty);
    cJSON_Delete(obj);
    free(json);
    v->fetched_ms = fetched;
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
                draw_chunk(y++, r.x, w, s, fit, m, mlen);
            }
            continue;
        }
        do {
            size_t fit = *s ? md_text_fit(s, w) : 0;
            if (vis++ >= v->scroll && y < r.y + r.h)
                draw_chunk(y++, r.x, w, s, fit, m, mlen);
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
