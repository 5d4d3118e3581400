/* libFuzzer target for the chart math and the PNG renderer: values come
 * from servers (MLflow histories, CloudWatch), so any double — NaN, inf,
 * denormals, huge, unsorted x, duplicates — and any option must give a
 * picture or an error, never a crash, a hang or an out-of-bounds write.
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I src -I . \
 *     tests/fuzz/fuzz_chart.c src/data/chart_math.c src/data/plot_png.c \
 *     src/data/image.c src/data/draw.c src/data/resize.c src/util/err.c \
 *     -lpng -ljpeg -lm -o fuzz_chart
 * Input: byte 0 options, byte 1 series count, then pairs of little-endian
 * doubles (x, y) split evenly between the series. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/plot_png.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    uint8_t opt = data[0];
    size_t ns = (size_t)(data[1] % 5) + 1;
    data += 2;
    size -= 2;
    size_t npts = size / 16;
    if (npts > 4096)
        npts = 4096;
    double *x = malloc((npts ? npts : 1) * sizeof *x), *y = malloc((npts ? npts : 1) * sizeof *y);
    if (!x || !y) {
        free(x);
        free(y);
        return 0;
    }
    for (size_t i = 0; i < npts; i++) {
        memcpy(&x[i], data + 16 * i, 8);
        memcpy(&y[i], data + 16 * i + 8, 8);
    }
    struct md_chart_series s[5];
    size_t per = npts / ns;
    for (size_t i = 0; i < ns; i++)
        s[i] = (struct md_chart_series){"s", x + i * per, y + i * per, i + 1 == ns ? npts - i * per : per};
    struct md_chart_opts o = {
        .smooth = (opt & 3) * 0.33, .log_y = opt & 4, .ignore_outliers = opt & 8,
        .xfmt = (enum md_chart_xfmt)((opt >> 4) % 3), .zoom = opt & 64,
        .zx0 = npts ? x[0] : 0, .zx1 = npts ? x[npts - 1] : 1};
    struct md_chart_model m;
    struct md_err err;
    if (md_chart_model_build(s, ns, &o, &m, &err) == MD_OK) {
        char b[64];
        for (size_t i = 0; i < m.nxticks; i++)
            md_chart_fmt_x(m.xticks[i], m.xtick_step, m.x1 - m.x0, o.xfmt, b, sizeof b);
        for (size_t i = 0; i < m.nyticks; i++)
            md_chart_fmt_y(m.yticks[i], m.ytick_step, o.log_y, b, sizeof b);
        struct md_chart_bucket cols[37];
        md_chart_downsample(s[0].x, m.y[0], s[0].n, m.x0, m.x1, cols, 37);
        md_chart_zoom(&o, &m, 0.5);
        md_chart_pan(&o, &m, -0.3);
        md_chart_model_free(&m);
    }
    struct md_image img;
    if (md_plot_render(s, ns, &o, "fuzz", "y", 240, 140, &img, &err) == MD_OK)
        md_image_free(&img);
    free(x);
    free(y);
    return 0;
}

#ifdef MD_FUZZ_MAIN
int main(int argc, char **argv)
{
    int k = 0;
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f)
            continue;
        static uint8_t buf[1 << 16];
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        LLVMFuzzerTestOneInput(buf, n);
        printf("ok %d - replay %s\n", ++k, argv[i]);
    }
    printf("1..%d\n", k);
    return 0;
}
#endif
