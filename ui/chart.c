#include "ui/chart.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Colour pairs after the screen's roles (term.c uses 1..16). */
#define CHART_PAIR0 48
#define NCOLOURS 6

static const char *const markers = "*o+#@%&=";

const char *md_chart_series_marker(size_t i)
{
    static char m[8][2];
    size_t k = i % 8;
    m[k][0] = markers[k];
    m[k][1] = '\0';
    return m[k];
}

static bool pairs_ready;

static void init_pairs(const struct md_term *t)
{
    if (pairs_ready || t->colour == MD_COLOUR_NONE)
        return;
    bool c256 = t->colour == MD_COLOUR_256 && COLORS >= 256;
    /* blue, orange, green, red, purple, cyan (the PNG's first six) */
    static const short fg256[NCOLOURS] = {33, 208, 40, 196, 141, 51};
    static const short fg8[NCOLOURS] = {COLOR_BLUE, COLOR_YELLOW, COLOR_GREEN, COLOR_RED,
                                        COLOR_MAGENTA, COLOR_CYAN};
    for (int i = 0; i < NCOLOURS; i++)
        init_pair((short)(CHART_PAIR0 + i), c256 ? fg256[i] : fg8[i], -1);
    pairs_ready = true;
}

attr_t md_chart_series_attr(const struct md_term *t, size_t i)
{
    if (t->colour == MD_COLOUR_NONE) {
        static const attr_t mono[] = {A_BOLD, A_NORMAL, A_UNDERLINE, A_BOLD | A_UNDERLINE};
        return mono[i % 4];
    }
    init_pairs(t);
    attr_t a = COLOR_PAIR(CHART_PAIR0 + (int)(i % NCOLOURS));
    /* beyond six series the colours repeat: bold tells them apart */
    return (i / NCOLOURS) % 2 ? a | A_BOLD : a;
}

/* The canvas: a cell grid; in braille mode each cell holds 2x4 dots. */
struct canvas {
    int cw, ch;            /* cells */
    int pw, ph;            /* pixels */
    bool braille;
    unsigned char *mask;   /* braille dots per cell */
    signed char *owner;    /* series drawn last in the cell, -1 none */
    signed char *nan;      /* NaN marker per column (top row), -1 none */
};

static void plot(struct canvas *c, int x, int y, int si)
{
    if (x < 0 || y < 0 || x >= c->pw || y >= c->ph)
        return;
    int cx = c->braille ? x / 2 : x, cy = c->braille ? y / 4 : y;
    size_t i = (size_t)cy * (size_t)c->cw + (size_t)cx;
    if (c->braille) {
        static const unsigned char bits[4][2] = {{0x01, 0x08}, {0x02, 0x10}, {0x04, 0x20}, {0x40, 0x80}};
        c->mask[i] |= bits[y % 4][x % 2];
    }
    c->owner[i] = (signed char)si;
}

static void segment(struct canvas *c, int x0, int y0, int x1, int y1, int si)
{
    int dx = abs(x1 - x0), sx = x0 < x1 ? 1 : -1;
    int dy = -abs(y1 - y0), sy = y0 < y1 ? 1 : -1;
    int e = dx + dy;
    for (;;) {
        plot(c, x0, y0, si);
        if (x0 == x1 && y0 == y1)
            break;
        int e2 = 2 * e;
        if (e2 >= dy) {
            e += dy;
            x0 += sx;
        }
        if (e2 <= dx) {
            e += dx;
            y0 += sy;
        }
    }
}

static void draw_series(struct canvas *c, const struct md_chart_model *m,
                        const struct md_chart_series *s, size_t si, struct md_chart_bucket *b)
{
    md_chart_downsample(s->x, m->y[si], s->n, m->x0, m->x1, b, (size_t)c->pw);
    long prev = -1;
    for (int col = 0; col < c->pw; col++) {
        if (!b[col].count)
            continue;
        if (b[col].nan)
            c->nan[c->braille ? col / 2 : col] = (signed char)si;
        if (isnan(b[col].min))
            continue;
        int ymin = (int)md_chart_row(b[col].min, m->y0, m->y1, (size_t)c->ph);
        int ymax = (int)md_chart_row(b[col].max, m->y0, m->y1, (size_t)c->ph);
        if (prev >= 0 && b[col].first_x - b[prev].last_x <= m->gap[si]) {
            int yp = (int)md_chart_row(b[prev].last, m->y0, m->y1, (size_t)c->ph);
            int yf = (int)md_chart_row(b[col].first, m->y0, m->y1, (size_t)c->ph);
            segment(c, (int)prev, yp, col, yf, (int)si);
        }
        segment(c, col, ymin, col, ymax, (int)si);
        prev = col;
    }
}

static void braille_utf8(unsigned char mask, char out[4])
{
    unsigned cp = 0x2800u + mask;
    out[0] = (char)(0xE0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    out[3] = '\0';
}

static void fail_line(struct md_rect r, const char *msg)
{
    for (int i = 0; i < r.h; i++)
        md_fill(r.y + i, r.x, r.w, md_attr(MD_ROLE_NORMAL));
    if (r.h > 0)
        md_put(r.y, r.x, r.w, msg, md_attr(MD_ROLE_MUTED), false);
}

/* Legend entries, wrapped over at most max_rows rows; returns rows used
 * (draw false: only measures). */
static int legend(const struct md_term *t, struct md_rect r, int y, int max_rows,
                  const struct md_chart_series *s, const struct md_chart_model *m, bool markers_mode,
                  bool draw)
{
    int row = 0, x = r.x;
    for (size_t i = 0; i < m->nseries; i++) {
        char item[160];
        const char *sw = markers_mode ? md_chart_series_marker(i) : (t->utf8 ? "\xe2\x96\xa0" : "#");
        char extra[48] = "";
        if (!s[i].n)
            snprintf(extra, sizeof extra, " (no data)");
        else if (m->nan_count[i])
            snprintf(extra, sizeof extra, " (%zu NaN %s)", m->nan_count[i], t->utf8 ? "\xc3\x97" : "!");
        snprintf(item, sizeof item, "%.60s%s", s[i].name ? s[i].name : "?", extra);
        int wdt = 2 + md_text_width(item) + 2;
        if (x > r.x && x + wdt > r.x + r.w) {
            row++;
            x = r.x;
        }
        if (row >= max_rows)
            return max_rows;
        if (draw) {
            attr_t a = md_chart_series_attr(t, i);
            md_put(y + row, x, 2, sw, a, true);
            x += 2;
            x += md_put(y + row, x, r.x + r.w - x, item, md_attr(MD_ROLE_NORMAL), false);
            x += 2;
        } else {
            x += wdt;
        }
    }
    return row + 1;
}

bool md_chart_draw(const struct md_term *t, struct md_rect r, const struct md_chart_series *s,
                   size_t n, const struct md_chart_opts *o, const char *title)
{
    if (r.w < 24 || r.h < 6) {
        fail_line(r, "chart: too small");
        return false;
    }
    struct md_chart_model m;
    struct md_err err;
    if (md_chart_model_build(s, n, o, &m, &err) != MD_OK) {
        fail_line(r, err.msg);
        return false;
    }
    bool markers_mode = !t->utf8 || t->colour == MD_COLOUR_NONE;
    for (int i = 0; i < r.h; i++)
        md_fill(r.y + i, r.x, r.w, md_attr(MD_ROLE_NORMAL));
    int top = r.y;
    if (title) {
        md_put(top, r.x, r.w, title, md_attr(MD_ROLE_TITLE), false);
        top++;
    }
    int lrows = legend(t, r, 0, 2, s, &m, markers_mode, false);
    int legend_y = r.y + r.h - lrows;
    int axis_y = legend_y - 2;               /* axis line, then x labels */
    /* y labels */
    char ylab[MD_CHART_MAX_TICKS][32];
    int ylw = 1;
    for (size_t i = 0; i < m.nyticks; i++) {
        md_chart_fmt_y(m.yticks[i], m.ytick_step, o->log_y, ylab[i], sizeof ylab[i]);
        int w = md_text_width(ylab[i]);
        if (w > ylw)
            ylw = w;
    }
    int plot_x = r.x + ylw + 1, plot_w = r.x + r.w - plot_x - 1, plot_h = axis_y - top;
    if (plot_w < 10 || plot_h < 2) {
        md_chart_model_free(&m);
        fail_line(r, "chart: too small");
        return false;
    }
    struct canvas c = {.cw = plot_w, .ch = plot_h, .braille = !markers_mode};
    c.pw = c.braille ? plot_w * 2 : plot_w;
    c.ph = c.braille ? plot_h * 4 : plot_h;
    size_t cells = (size_t)plot_w * (size_t)plot_h;
    c.mask = calloc(cells, 1);
    c.owner = malloc(cells);
    c.nan = malloc((size_t)plot_w);
    struct md_chart_bucket *b = malloc((size_t)c.pw * sizeof *b);
    if (!c.mask || !c.owner || !c.nan || !b) {
        free(c.mask);
        free(c.owner);
        free(c.nan);
        free(b);
        md_chart_model_free(&m);
        fail_line(r, "chart: out of memory");
        return false;
    }
    memset(c.owner, -1, cells);
    memset(c.nan, -1, (size_t)plot_w);
    for (size_t i = 0; i < m.nseries; i++)
        draw_series(&c, &m, &s[i], i, b);

    /* y axis with tick labels */
    const char *vline = t->g.vline, *hline = t->g.hline;
    const char *ytick = t->utf8 ? "\xe2\x94\xa4" : "+";   /* ┤ */
    const char *xtick = t->utf8 ? "\xe2\x94\xac" : "+";   /* ┬ */
    attr_t axis = md_attr(MD_ROLE_MUTED);
    for (int y = top; y < axis_y; y++)
        md_put(y, plot_x - 1, 1, vline, axis, false);
    for (size_t i = 0; i < m.nyticks; i++) {
        int row = (int)md_chart_row(m.yticks[i], m.y0, m.y1, (size_t)c.ph);
        int cy = top + (c.braille ? row / 4 : row);
        int w = md_text_width(ylab[i]);
        md_put(cy, plot_x - 1 - w, w, ylab[i], md_attr(MD_ROLE_NORMAL), false);
        md_put(cy, plot_x - 1, 1, ytick, axis, false);
    }
    /* x axis */
    md_put(axis_y, plot_x - 1, 1, t->g.bl, axis, false);
    for (int x = 0; x <= plot_w; x++)
        md_put(axis_y, plot_x + x, 1, hline, axis, false);
    int last_end = -1;
    for (size_t i = 0; i < m.nxticks; i++) {
        long col = md_chart_col(m.xticks[i], m.x0, m.x1, (size_t)c.pw);
        if (col < 0)
            continue;
        int cx = plot_x + (int)(c.braille ? col / 2 : col);
        md_put(axis_y, cx, 1, xtick, axis, false);
        char lab[48];
        md_chart_fmt_x(m.xticks[i], m.xtick_step, m.x1 - m.x0, o->xfmt, lab, sizeof lab);
        int w = md_text_width(lab), lx = cx - w / 2;
        if (lx < r.x)
            lx = r.x;
        if (lx + w > r.x + r.w)
            lx = r.x + r.w - w;
        if (lx > last_end) {
            md_put(axis_y + 1, lx, w, lab, md_attr(MD_ROLE_NORMAL), false);
            last_end = lx + w;
        }
    }

    /* the dots */
    for (int cy = 0; cy < plot_h; cy++)
        for (int cx = 0; cx < plot_w; cx++) {
            size_t i = (size_t)cy * (size_t)plot_w + (size_t)cx;
            if (c.owner[i] < 0)
                continue;
            attr_t a = md_chart_series_attr(t, (size_t)c.owner[i]);
            if (c.braille) {
                char u[4];
                braille_utf8(c.mask[i], u);
                md_put(top + cy, plot_x + cx, 1, u, a, false);
            } else {
                md_put(top + cy, plot_x + cx, 1, md_chart_series_marker((size_t)c.owner[i]), a, false);
            }
        }
    /* NaN markers along the top row */
    for (int cx = 0; cx < plot_w; cx++)
        if (c.nan[cx] >= 0)
            md_put(top, plot_x + cx, 1, t->utf8 ? "\xc3\x97" : "!",
                   md_chart_series_attr(t, (size_t)c.nan[cx]) | A_BOLD, false);
    if (m.empty)
        md_put(top + plot_h / 2, plot_x + 2, plot_w - 2, "no finite values to plot",
               md_attr(MD_ROLE_MUTED), false);
    legend(t, r, legend_y, lrows, s, &m, markers_mode, true);
    free(c.mask);
    free(c.owner);
    free(c.nan);
    free(b);
    md_chart_model_free(&m);
    return true;
}
