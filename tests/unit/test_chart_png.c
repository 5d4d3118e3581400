/* The PNG chart: written with libpng, read back with libpng's simplified
 * API, and the pixels checked against the data: the line is where the
 * values say, each series has its colour, the legend and NaN markers are
 * there, bad sizes and paths are errors. */
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data/plot_png.h"
#include "../tap.h"

static unsigned char *read_png(const char *path, int *w, int *h)
{
    png_image im;
    memset(&im, 0, sizeof im);
    im.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&im, path))
        return NULL;
    im.format = PNG_FORMAT_RGB;
    unsigned char *buf = malloc(PNG_IMAGE_SIZE(im));
    if (!buf || !png_image_finish_read(&im, NULL, buf, 0, NULL)) {
        free(buf);
        png_image_free(&im);
        return NULL;
    }
    *w = (int)im.width;
    *h = (int)im.height;
    return buf;
}

static int is_colour(const unsigned char *px, int w, int x, int y, const uint8_t c[3])
{
    const unsigned char *p = px + ((size_t)y * (size_t)w + (size_t)x) * 3;
    return p[0] == c[0] && p[1] == c[1] && p[2] == c[2];
}

/* Is colour c within r pixels of (x, y)? */
static int colour_near(const unsigned char *px, int w, int h, int x, int y, int r,
                       const uint8_t c[3])
{
    for (int dy = -r; dy <= r; dy++)
        for (int dx = -r; dx <= r; dx++) {
            int xx = x + dx, yy = y + dy;
            if (xx >= 0 && yy >= 0 && xx < w && yy < h && is_colour(px, w, xx, yy, c))
                return 1;
        }
    return 0;
}

static int count_colour(const unsigned char *px, int w, int x0, int y0, int x1, int y1,
                        const uint8_t c[3])
{
    int n = 0;
    for (int y = y0; y <= y1; y++)
        for (int x = x0; x <= x1; x++)
            n += is_colour(px, w, x, y, c);
    return n;
}

int main(void)
{
    enum { N = 101 };
    double x[N], up[N], down[N], xn[3] = {0, 50, 100}, yn[3] = {5, NAN, NAN};
    for (int i = 0; i < N; i++) {
        x[i] = i;
        up[i] = i / 10.0;           /* 0 .. 10 */
        down[i] = 10 - i / 10.0;    /* 10 .. 0 */
    }
    struct md_chart_series s[3] = {
        {"run-up", x, up, N}, {"run-down", x, down, N}, {"diverged", xn, yn, 3}};
    struct md_chart_opts o = {0};
    char path[] = "/tmp/md_chart_png_XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        tap_skip_all("no temp file");
    close(fd);
    struct md_err err;
    TAP_OK(md_plot_write_png(path, s, 3, &o, "metrics/mAP50B", "mAP50B", 800, 400, &err) == MD_OK,
           "chart written: %s", err.msg);
    int w = 0, h = 0;
    unsigned char *px = read_png(path, &w, &h);
    TAP_OK(px != NULL, "libpng reads it back");
    if (!px)
        return tap_done();
    TAP_OK(w == 800 && h == 400, "size 800x400 (%dx%d)", w, h);

    struct md_plot_layout L;
    md_plot_layout(w, h, &L);
    struct md_chart_model m;
    md_chart_model_build(s, 3, &o, &m, &err);
    uint8_t c0[3], c1[3], c2[3];
    md_plot_colour(0, c0);
    md_plot_colour(1, c1);
    md_plot_colour(2, c2);
    int hits0 = 0, hits1 = 0, tries = 0;
    for (int i = 5; i < N; i += 10) {
        int col = L.px0 + (int)md_chart_col(x[i], m.x0, m.x1, (size_t)(L.px1 - L.px0 + 1));
        int r0 = L.py0 + (int)md_chart_row(up[i], m.y0, m.y1, (size_t)(L.py1 - L.py0 + 1));
        int r1 = L.py0 + (int)md_chart_row(down[i], m.y0, m.y1, (size_t)(L.py1 - L.py0 + 1));
        tries++;
        hits0 += colour_near(px, w, h, col, r0, 2, c0);
        hits1 += colour_near(px, w, h, col, r1, 2, c1) || colour_near(px, w, h, col, r1, 2, c0);
    }
    TAP_EQ_INT(hits0, tries, "series 1's pixels are where its values say");
    TAP_EQ_INT(hits1, tries, "series 2's pixels are where its values say");
    /* Where the line is not: the top-left of the plot area has no series 1 (it rises). */
    int qx = L.px0 + (L.px1 - L.px0) / 4, qy = L.py0 + (L.py1 - L.py0) / 4;
    TAP_OK(!colour_near(px, w, h, qx, qy, 6, c0), "no line where there is no data");
    int legend = count_colour(px, w, L.legend_x, L.legend_y, L.legend_x + 13, L.legend_y + 6, c0);
    TAP_OK(legend > 50, "legend swatch of series 1 (%d px)", legend);
    legend = count_colour(px, w, L.legend_x, L.legend_y + 16, L.legend_x + 13, L.legend_y + 22, c1);
    TAP_OK(legend > 50, "legend swatch of series 2");
    int text = count_colour(px, w, L.legend_x + 18, L.legend_y, L.legend_x + 120, L.legend_y + 7,
                            (const uint8_t[3]){0, 0, 0});
    TAP_OK(text > 20, "legend text drawn (%d px)", text);
    int ncol = L.px0 + (int)md_chart_col(50, m.x0, m.x1, (size_t)(L.px1 - L.px0 + 1));
    TAP_OK(colour_near(px, w, h, ncol, L.py0 + 4, 3, c2), "NaN point shown as a marker at the top, at its x");
    int nzero = L.py0 + (int)md_chart_row(0, m.y0, m.y1, (size_t)(L.py1 - L.py0 + 1));
    TAP_OK(!colour_near(px, w, h, ncol, nzero, 3, c2), "NaN is not drawn as 0");
    int axis = count_colour(px, w, L.px0, L.py0, L.px0, L.py1, (const uint8_t[3]){60, 60, 60});
    TAP_OK(axis > (L.py1 - L.py0) / 2, "y axis drawn");
    int ticks = count_colour(px, w, 0, L.py0, L.px0 - 8, L.py1, (const uint8_t[3]){0, 0, 0});
    TAP_OK(ticks > 40, "y tick labels drawn (%d px)", ticks);
    md_chart_model_free(&m);
    free(px);

    /* gap: missing steps 40..60 leave no line there */
    double gx[80], gy[80];
    int k = 0;
    for (int i = 0; i < 100; i++)
        if (i < 40 || i >= 60) {
            gx[k] = i;
            gy[k] = 5;
            k++;
        }
    struct md_chart_series g = {"gappy", gx, gy, (size_t)k};
    struct md_image img;
    TAP_OK(md_plot_render(&g, 1, &o, NULL, NULL, 600, 300, &img, &err) == MD_OK, "render in memory");
    md_plot_layout(600, 300, &L);
    md_chart_model_build(&g, 1, &o, &m, &err);
    int mid = L.px0 + (int)md_chart_col(50, m.x0, m.x1, (size_t)(L.px1 - L.px0 + 1));
    int row = L.py0 + (int)md_chart_row(5, m.y0, m.y1, (size_t)(L.py1 - L.py0 + 1));
    int before = L.px0 + (int)md_chart_col(20, m.x0, m.x1, (size_t)(L.px1 - L.px0 + 1));
    TAP_OK(colour_near(img.rgb, 600, 300, before, row, 2, c0), "line drawn where steps exist");
    TAP_OK(!colour_near(img.rgb, 600, 300, mid, row, 3, c0), "missing steps are a gap, not a line");
    md_chart_model_free(&m);
    md_image_free(&img);

    TAP_OK(md_plot_render(&g, 1, &o, NULL, NULL, 50, 50, &img, &err) == MD_ERR_INVALID, "too small is an error");
    TAP_OK(md_plot_write_png("/nonexistent-dir/x.png", &g, 1, &o, NULL, NULL, 0, 0, &err) != MD_OK && err.msg[0],
           "unwritable path is an error with a message");
    unlink(path);
    return tap_done();
}
