#include "ui/infer_pixels.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int clampi(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

void md_px_fit(int img_w, int img_h, int max_cols, int max_rows, struct md_px_fit *f)
{
    memset(f, 0, sizeof *f);
    if (img_w <= 0 || img_h <= 0 || max_cols <= 0 || max_rows <= 0) {
        f->cols = f->rows = f->sub_h = 1;
        f->sx = img_w > 0 ? 1.0 / img_w : 1.0;
        f->sy = img_h > 0 ? 1.0 / img_h : 1.0;
        return;
    }
    double s = (double)max_cols / img_w;
    double s2 = 2.0 * max_rows / img_h;
    if (s2 < s)
        s = s2;
    int cols = (int)floor(img_w * s + 0.5);
    int sub = (int)floor(img_h * s + 0.5);
    f->cols = clampi(cols, 1, max_cols);
    f->sub_h = clampi(sub, 1, 2 * max_rows);
    f->rows = (f->sub_h + 1) / 2;
    f->sx = (double)f->cols / img_w;
    f->sy = (double)f->sub_h / img_h;
}

void md_px_map_box(const struct md_px_fit *f, double x1, double y1, double x2, double y2, int *c1,
                   int *s1, int *c2, int *s2)
{
    if (!(x2 >= x1)) { double t = x1; x1 = x2; x2 = t; }
    if (!(y2 >= y1)) { double t = y1; y1 = y2; y2 = t; }
    /* NaN or huge values from a broken model must not overflow the int
     * conversion: clamp in double first. */
    double lim = 1e7;
    double a = fmin(fmax(floor(x1 * f->sx), -1), lim), b = fmin(fmax(ceil(x2 * f->sx) - 1, -1), lim);
    double c = fmin(fmax(floor(y1 * f->sy), -1), lim), d = fmin(fmax(ceil(y2 * f->sy) - 1, -1), lim);
    if (isnan(a)) a = 0;
    if (isnan(b)) b = 0;
    if (isnan(c)) c = 0;
    if (isnan(d)) d = 0;
    *c1 = clampi((int)a, 0, f->cols - 1);
    *c2 = clampi((int)b, 0, f->cols - 1);
    *s1 = clampi((int)c, 0, f->sub_h - 1);
    *s2 = clampi((int)d, 0, f->sub_h - 1);
    if (*c2 < *c1)
        *c2 = *c1;
    if (*s2 < *s1)
        *s2 = *s1;
}

void md_px_resample(const uint8_t *rgb, int w, int h, const struct md_px_fit *f, uint8_t *out)
{
    for (int ty = 0; ty < f->sub_h; ty++) {
        int y0 = (int)floor(ty / f->sy), y1 = (int)floor((ty + 1) / f->sy);
        y0 = clampi(y0, 0, h - 1);
        y1 = clampi(y1, y0 + 1, h);
        for (int tx = 0; tx < f->cols; tx++) {
            int x0 = (int)floor(tx / f->sx), x1 = (int)floor((tx + 1) / f->sx);
            x0 = clampi(x0, 0, w - 1);
            x1 = clampi(x1, x0 + 1, w);
            unsigned long sum[3] = {0, 0, 0}, n = 0;
            for (int y = y0; y < y1; y++) {
                const uint8_t *p = rgb + ((size_t)y * (size_t)w + (size_t)x0) * 3;
                for (int x = x0; x < x1; x++, p += 3) {
                    sum[0] += p[0];
                    sum[1] += p[1];
                    sum[2] += p[2];
                    n++;
                }
            }
            uint8_t *o = out + ((size_t)ty * (size_t)f->cols + (size_t)tx) * 3;
            for (int c = 0; c < 3; c++)
                o[c] = (uint8_t)((sum[c] + n / 2) / n);
        }
    }
}

static void put_px(uint8_t *grid, int cols, int sub_h, int x, int y, const uint8_t rgb[3])
{
    if (x < 0 || y < 0 || x >= cols || y >= sub_h)
        return;
    memcpy(grid + ((size_t)y * (size_t)cols + (size_t)x) * 3, rgb, 3);
}

void md_px_outline(uint8_t *grid, int cols, int sub_h, int c1, int s1, int c2, int s2,
                   const uint8_t rgb[3], bool dashed)
{
    /* Dashes: two on, two off, counted along the perimeter's sides. */
    for (int x = c1; x <= c2; x++) {
        if (dashed && ((x - c1) & 2))
            continue;
        put_px(grid, cols, sub_h, x, s1, rgb);
        put_px(grid, cols, sub_h, x, s2, rgb);
    }
    for (int y = s1; y <= s2; y++) {
        if (dashed && ((y - s1) & 2))
            continue;
        put_px(grid, cols, sub_h, c1, y, rgb);
        put_px(grid, cols, sub_h, c2, y, rgb);
    }
}

static const uint8_t cube_level[6] = {0, 95, 135, 175, 215, 255};

void md_px_xterm_rgb(int idx, uint8_t rgb[3])
{
    static const uint8_t base16[16][3] = {
        {0, 0, 0},     {205, 0, 0},   {0, 205, 0},   {205, 205, 0},
        {0, 0, 238},   {205, 0, 205}, {0, 205, 205}, {229, 229, 229},
        {127, 127, 127}, {255, 0, 0}, {0, 255, 0},   {255, 255, 0},
        {92, 92, 255}, {255, 0, 255}, {0, 255, 255}, {255, 255, 255},
    };
    idx = clampi(idx, 0, 255);
    if (idx < 16) {
        memcpy(rgb, base16[idx], 3);
    } else if (idx < 232) {
        int i = idx - 16;
        rgb[0] = cube_level[i / 36];
        rgb[1] = cube_level[(i / 6) % 6];
        rgb[2] = cube_level[i % 6];
    } else {
        uint8_t v = (uint8_t)(8 + 10 * (idx - 232));
        rgb[0] = rgb[1] = rgb[2] = v;
    }
}

/* Nearest cube level index of a channel value. */
static int cube_index(int v)
{
    if (v < 48)
        return 0;
    if (v < 115)
        return 1;
    return (v - 35) / 40;
}

static long dist2(int r, int g, int b, const uint8_t q[3])
{
    long dr = r - q[0], dg = g - q[1], db = b - q[2];
    /* Weighted toward green as the eye is. */
    return 2 * dr * dr + 4 * dg * dg + 3 * db * db;
}

int md_px_xterm256(uint8_t r, uint8_t g, uint8_t b)
{
    /* The distance is a weighted sum over channels, so the nearest cube
     * entry is the nearest level per channel, and the nearest grey is the
     * one nearest the weighted mean: both candidates are exact. */
    int ci = 16 + 36 * cube_index(r) + 6 * cube_index(g) + cube_index(b);
    int mean = (2 * r + 4 * g + 3 * b + 4) / 9;
    int gi = (mean - 8 + 5) / 10;
    if (mean < 8)
        gi = 0;
    if (gi > 23)
        gi = 23;
    uint8_t q[3];
    md_px_xterm_rgb(ci, q);
    int best = ci;
    long bd = dist2(r, g, b, q);
    /* The mean was rounded: the greys either side settle it. */
    for (int k = gi - 1; k <= gi + 1; k++) {
        if (k < 0 || k > 23)
            continue;
        md_px_xterm_rgb(232 + k, q);
        long d = dist2(r, g, b, q);
        if (d < bd) {
            bd = d;
            best = 232 + k;
        }
    }
    return best;
}

int md_px_quant(uint8_t r, uint8_t g, uint8_t b, int levels)
{
    if (levels >= 6)
        return md_px_xterm256(r, g, b);
    if (levels < 2)
        levels = 2;
    int ch[3] = {r, g, b}, ix[3];
    for (int c = 0; c < 3; c++) {
        int step = (ch[c] * (levels - 1) + 127) / 255;     /* 0..levels-1 */
        ix[c] = (step * 5 + (levels - 1) / 2) / (levels - 1); /* onto the 6 cube levels */
    }
    return 16 + 36 * ix[0] + 6 * ix[1] + ix[2];
}

int md_px_palette_size(int levels)
{
    if (levels >= 6)
        return 240;
    if (levels < 2)
        levels = 2;
    return levels * levels * levels;
}

int md_px_levels_for_pairs(long pairs)
{
    static const int order[] = {6, 4, 3, 2};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        long n = md_px_palette_size(order[i]);
        if (n * n <= pairs)
            return order[i];
    }
    return 0;
}

int md_px_basic8(uint8_t r, uint8_t g, uint8_t b)
{
    int mx = r > g ? (r > b ? r : b) : (g > b ? g : b);
    if (mx < 16)
        return 7; /* black: the ramp's blank shows it; keep the glyphs white */
    int R = r * 255 / mx, G = g * 255 / mx, B = b * 255 / mx;
    /* Each channel counts when it is at least half of the brightest. */
    int bits = (R >= 160 ? 1 : 0) | (G >= 160 ? 2 : 0) | (B >= 160 ? 4 : 0);
    return bits;  /* ANSI order: 1 red, 2 green, 3 yellow, 4 blue, 5 magenta, 6 cyan, 7 white */
}

int md_px_luma(uint8_t r, uint8_t g, uint8_t b)
{
    return (2126 * r + 7152 * g + 722 * b + 5000) / 10000;
}

char md_px_ramp(uint8_t r, uint8_t g, uint8_t b)
{
    static const char ramp[] = " .:-=+*#%@";
    int l = md_px_luma(r, g, b);
    return ramp[l * 10 / 256];
}

int md_px_sgr_truecolor(char *out, size_t n, const uint8_t fg[3], const uint8_t bg[3])
{
    int len = snprintf(out, n, "\033[38;2;%u;%u;%u;48;2;%u;%u;%um", fg[0], fg[1], fg[2], bg[0],
                       bg[1], bg[2]);
    return len < 0 ? 0 : len;
}

void md_px_class_rgb(int cls, uint8_t rgb[3])
{
    /* Bright, mutually distinct, readable on photos. */
    static const uint8_t pal[8][3] = {
        {255, 56, 56},  {255, 210, 40}, {60, 220, 255}, {255, 80, 255},
        {80, 255, 80},  {255, 150, 30}, {150, 120, 255}, {255, 255, 255},
    };
    if (cls < 0)
        cls = 0;
    memcpy(rgb, pal[cls % 8], 3);
}
