#include "data/plot_png.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t palette[][3] = {
    {31, 119, 180},  /* blue */
    {255, 127, 14},  /* orange */
    {44, 160, 44},   /* green */
    {214, 39, 40},   /* red */
    {148, 103, 189}, /* purple */
    {23, 190, 207},  /* cyan */
    {140, 86, 75},   /* brown */
    {227, 119, 194}, /* pink */
};
#define NPAL (sizeof palette / sizeof *palette)

static const uint8_t BLACK[3] = {0, 0, 0};
static const uint8_t GRID[3] = {225, 225, 225};
static const uint8_t AXIS[3] = {60, 60, 60};

void md_plot_colour(size_t i, uint8_t rgb[3])
{
    memcpy(rgb, palette[i % NPAL], 3);
}

#define LEGEND_W 190

void md_plot_layout(int w, int h, struct md_plot_layout *L)
{
    L->px0 = 70;
    L->py0 = 44;
    L->px1 = w - LEGEND_W - 10;
    L->py1 = h - 36;
    if (L->px1 < L->px0 + 20)
        L->px1 = L->px0 + 20;
    L->legend_x = L->px1 + 14;
    L->legend_y = L->py0 + 4;
}

static void put(struct md_image *img, int x, int y, const uint8_t c[3])
{
    if (x >= 0 && y >= 0 && x < img->w && y < img->h)
        memcpy(img->rgb + ((size_t)y * (size_t)img->w + (size_t)x) * 3, c, 3);
}

/* A 2-pixel-wide line, clipped to the plot area. */
static void line(struct md_image *img, const struct md_plot_layout *L, int x0, int y0, int x1,
                 int y1, const uint8_t c[3])
{
    int dx = abs(x1 - x0), sx = x0 < x1 ? 1 : -1;
    int dy = -abs(y1 - y0), sy = y0 < y1 ? 1 : -1;
    int e = dx + dy;
    for (;;) {
        for (int ox = 0; ox < 2; ox++)
            for (int oy = 0; oy < 2; oy++) {
                int px = x0 + ox, py = y0 + oy;
                if (px >= L->px0 && px <= L->px1 && py >= L->py0 && py <= L->py1)
                    put(img, px, py, c);
            }
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

static void cross(struct md_image *img, int x, int y, const uint8_t c[3])
{
    for (int d = -3; d <= 3; d++) {
        put(img, x + d, y + d, c);
        put(img, x + d, y - d, c);
        put(img, x + d + 1, y + d, c);
        put(img, x + d + 1, y - d, c);
    }
}

static int ypix(const struct md_chart_model *m, const struct md_plot_layout *L, double v)
{
    return L->py0 + (int)md_chart_row(v, m->y0, m->y1, (size_t)(L->py1 - L->py0 + 1));
}

static void draw_series(struct md_image *img, const struct md_plot_layout *L,
                        const struct md_chart_model *m, const struct md_chart_series *s,
                        size_t si)
{
    size_t ncols = (size_t)(L->px1 - L->px0 + 1);
    struct md_chart_bucket *b = malloc(ncols * sizeof *b);
    if (!b)
        return;
    uint8_t c[3];
    md_plot_colour(si, c);
    md_chart_downsample(s->x, m->y[si], s->n, m->x0, m->x1, b, ncols);
    long prev = -1;
    for (size_t col = 0; col < ncols; col++) {
        if (!b[col].count)
            continue;
        int x = L->px0 + (int)col;
        if (b[col].nan)
            cross(img, x, L->py0 + 4, c);
        if (isnan(b[col].min))
            continue;
        if (prev >= 0 && b[col].first_x - b[prev].last_x <= m->gap[si])
            line(img, L, L->px0 + (int)prev, ypix(m, L, b[prev].last), x, ypix(m, L, b[col].first), c);
        line(img, L, x, ypix(m, L, b[col].min), x, ypix(m, L, b[col].max), c);
        prev = (long)col;
    }
    /* A point just before the window continues the line into it. */
    free(b);
}

md_status md_plot_render(const struct md_chart_series *s, size_t n,
                         const struct md_chart_opts *o, const char *title, const char *ylabel,
                         int w, int h, struct md_image *out, struct md_err *err)
{
    memset(out, 0, sizeof *out);
    if (w <= 0)
        w = MD_PLOT_DEFAULT_W;
    if (h <= 0)
        h = MD_PLOT_DEFAULT_H;
    if (w < 200 || h < 120 || w > 8000 || h > 8000)
        return md_err_set(err, MD_ERR_INVALID, "chart size %dx%d: need 200x120 to 8000x8000", w, h);
    struct md_chart_model m;
    md_status st = md_chart_model_build(s, n, o, &m, err);
    if (st != MD_OK)
        return st;
    out->w = w;
    out->h = h;
    out->rgb = malloc((size_t)w * (size_t)h * 3);
    if (!out->rgb) {
        md_chart_model_free(&m);
        return md_err_set(err, MD_ERR_NOMEM, "out of memory for a %dx%d chart", w, h);
    }
    memset(out->rgb, 255, (size_t)w * (size_t)h * 3);
    struct md_plot_layout L;
    md_plot_layout(w, h, &L);
    int pw = L.px1 - L.px0, ph = L.py1 - L.py0;
    char lab[64];

    /* grid and tick labels */
    for (size_t i = 0; i < m.nyticks; i++) {
        int y = ypix(&m, &L, m.yticks[i]);
        md_image_fill_rect(out, L.px0, y, L.px1, y, GRID);
        md_image_fill_rect(out, L.px0 - 4, y, L.px0 - 1, y, AXIS);
        md_chart_fmt_y(m.yticks[i], m.ytick_step, o->log_y, lab, sizeof lab);
        int tw = md_image_text_width(lab, 1);
        md_image_draw_text(out, L.px0 - 7 - tw, y - 3, lab, 1, BLACK);
    }
    for (size_t i = 0; i < m.nxticks; i++) {
        long col = md_chart_col(m.xticks[i], m.x0, m.x1, (size_t)pw + 1);
        if (col < 0)
            continue;
        int x = L.px0 + (int)col;
        md_image_fill_rect(out, x, L.py0, x, L.py1, GRID);
        md_image_fill_rect(out, x, L.py1 + 1, x, L.py1 + 4, AXIS);
        md_chart_fmt_x(m.xticks[i], m.xtick_step, m.x1 - m.x0, o->xfmt, lab, sizeof lab);
        int tw = md_image_text_width(lab, 1);
        md_image_draw_text(out, x - tw / 2, L.py1 + 8, lab, 1, BLACK);
    }
    /* axes */
    md_image_fill_rect(out, L.px0, L.py0, L.px0, L.py1, AXIS);
    md_image_fill_rect(out, L.px0, L.py1, L.px1, L.py1, AXIS);
    const char *xname = o->xfmt == MD_CHART_X_TIME ? "wall time (UTC)"
                        : o->xfmt == MD_CHART_X_DURATION ? "relative time" : "step";
    md_image_draw_text(out, L.px0 + pw / 2 - md_image_text_width(xname, 1) / 2, L.py1 + 22, xname, 1, AXIS);
    if (title)
        md_image_draw_text(out, L.px0, 6, title, 2, BLACK);
    if (ylabel) {
        char yl[80];
        snprintf(yl, sizeof yl, "%s%s%s", ylabel, o->log_y ? " (log)" : "",
                 o->smooth > 0 ? " smoothed" : "");
        md_image_draw_text(out, 4, L.py0 - 14, yl, 1, AXIS);
    }

    for (size_t i = 0; i < m.nseries; i++)
        draw_series(out, &L, &m, &s[i], i);

    /* legend */
    for (size_t i = 0; i < m.nseries; i++) {
        uint8_t c[3];
        md_plot_colour(i, c);
        int y = L.legend_y + (int)i * 16;
        if (y + 10 > h)
            break;
        md_image_fill_rect(out, L.legend_x, y, L.legend_x + 13, y + 6, c);
        char name[40];
        snprintf(name, sizeof name, "%.26s", s[i].name ? s[i].name : "?");
        if (m.nan_count[i])
            snprintf(name + strlen(name), sizeof name - strlen(name), " NAN");
        md_image_draw_text(out, L.legend_x + 18, y, name, 1, BLACK);
    }
    if (m.empty)
        md_image_draw_text(out, L.px0 + 10, L.py0 + ph / 2, "no finite values", 2, AXIS);
    md_chart_model_free(&m);
    return MD_OK;
}

md_status md_plot_write_png(const char *path, const struct md_chart_series *s, size_t n,
                            const struct md_chart_opts *o, const char *title,
                            const char *ylabel, int w, int h, struct md_err *err)
{
    struct md_image img;
    md_status st = md_plot_render(s, n, o, title, ylabel, w, h, &img, err);
    if (st != MD_OK)
        return st;
    st = md_image_write_png(path, &img, err);
    md_image_free(&img);
    return st;
}
