/* The pure parts of the inference pane's drawing (ui/infer_pixels.c) and
 * its file helpers (ui/infer_files.c): colour quantisation to xterm's 256
 * palette, fitting an image into cells, mapping boxes from image pixels to
 * cells, area-averaged resampling, outlines, the ramp, the truecolor escape,
 * file-name completion and the folder's images for n/p. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../tap.h"
#include "ui/infer_files.h"
#include "ui/infer_pixels.h"

static long sq(int a)
{
    return (long)a * a;
}

/* Exhaustive nearest palette entry among 16..255 (plain RGB distance
 * weighted like the quantiser). */
static int brute_nearest(int r, int g, int b)
{
    int best = -1;
    long bd = 0;
    for (int i = 16; i < 256; i++) {
        uint8_t q[3];
        md_px_xterm_rgb(i, q);
        long d = 2 * sq(r - q[0]) + 4 * sq(g - q[1]) + 3 * sq(b - q[2]);
        if (best < 0 || d < bd) {
            bd = d;
            best = i;
        }
    }
    return best;
}

static long wdist(int r, int g, int b, int idx)
{
    uint8_t q[3];
    md_px_xterm_rgb(idx, q);
    return 2 * sq(r - q[0]) + 4 * sq(g - q[1]) + 3 * sq(b - q[2]);
}

static void test_palette(void)
{
    uint8_t q[3];
    md_px_xterm_rgb(16, q);
    TAP_OK(q[0] == 0 && q[1] == 0 && q[2] == 0, "palette: 16 is black");
    md_px_xterm_rgb(231, q);
    TAP_OK(q[0] == 255 && q[1] == 255 && q[2] == 255, "palette: 231 is white");
    md_px_xterm_rgb(196, q);
    TAP_OK(q[0] == 255 && q[1] == 0 && q[2] == 0, "palette: 196 is red");
    md_px_xterm_rgb(232, q);
    TAP_OK(q[0] == 8 && q[1] == 8 && q[2] == 8, "palette: 232 is the darkest grey (8)");
    md_px_xterm_rgb(255, q);
    TAP_OK(q[0] == 238, "palette: 255 is grey 238");
    md_px_xterm_rgb(16 + 36 * 1 + 6 * 2 + 3, q);
    TAP_OK(q[0] == 95 && q[1] == 135 && q[2] == 175, "palette: cube levels 0,95,135,175,215,255");

    TAP_EQ_INT(md_px_xterm256(0, 0, 0), 16, "xterm256: black -> 16");
    TAP_EQ_INT(md_px_xterm256(255, 255, 255), 231, "xterm256: white -> 231");
    TAP_EQ_INT(md_px_xterm256(255, 0, 0), 196, "xterm256: red -> 196");
    TAP_EQ_INT(md_px_xterm256(0, 255, 0), 46, "xterm256: green -> 46");
    TAP_EQ_INT(md_px_xterm256(0, 0, 255), 21, "xterm256: blue -> 21");
    TAP_EQ_INT(md_px_xterm256(128, 128, 128), 244, "xterm256: mid grey -> grey ramp 244 (128)");
    TAP_EQ_INT(md_px_xterm256(95, 135, 175), 67, "xterm256: an exact cube colour maps to itself");
    TAP_EQ_INT(md_px_xterm256(18, 18, 18), 233, "xterm256: near-black grey -> 233");

    /* Against the exhaustive search on a grid of colours: never farther
     * than the best (a tie may pick another index). */
    int worse = 0, exact = 0, n = 0;
    for (int r = 0; r < 256; r += 17)
        for (int g = 0; g < 256; g += 15)
            for (int b = 0; b < 256; b += 13) {
                int got = md_px_xterm256((uint8_t)r, (uint8_t)g, (uint8_t)b);
                int want = brute_nearest(r, g, b);
                n++;
                if (got == want)
                    exact++;
                else if (wdist(r, g, b, got) > wdist(r, g, b, want))
                    worse++;
                if (got < 16 || got > 255)
                    worse++;
            }
    TAP_EQ_INT(worse, 0, "xterm256: as near as the exhaustive search on %d colours (%d same index, the rest ties)", n, exact);
}

static void test_coarse_palettes(void)
{
    TAP_EQ_INT(md_px_palette_size(6), 240, "palette size: full = 240");
    TAP_EQ_INT(md_px_palette_size(4), 64, "palette size: 4 levels = 64");
    TAP_EQ_INT(md_px_palette_size(2), 8, "palette size: 2 levels = 8");
    TAP_EQ_INT(md_px_levels_for_pairs(65536 - 1024), 6, "pairs 64512: full palette");
    TAP_EQ_INT(md_px_levels_for_pairs(32767), 4, "pairs 32767: 4 levels (64^2 fits, 240^2 not)");
    TAP_EQ_INT(md_px_levels_for_pairs(136), 2, "pairs 136: 2 levels (8^2)");
    TAP_EQ_INT(md_px_levels_for_pairs(63), 0, "pairs 63: none fits (use 8 colours)");
    TAP_EQ_INT(md_px_levels_for_pairs(729), 3, "pairs 729: 3 levels (27^2)");

    /* Every colour of a coarse palette is a cube entry and the number of
     * distinct outputs is the palette's size. */
    for (int levels = 2; levels <= 4; levels++) {
        unsigned char seen[256] = {0};
        int distinct = 0, bad = 0;
        for (int r = 0; r < 256; r += 5)
            for (int g = 0; g < 256; g += 5)
                for (int b = 0; b < 256; b += 5) {
                    int i = md_px_quant((uint8_t)r, (uint8_t)g, (uint8_t)b, levels);
                    if (i < 16 || i > 231)
                        bad++;
                    else if (!seen[i]) {
                        seen[i] = 1;
                        distinct++;
                    }
                }
        TAP_EQ_INT(bad, 0, "quant %d levels: only cube colours", levels);
        TAP_EQ_INT(distinct, md_px_palette_size(levels), "quant %d levels: %d colours", levels,
                   md_px_palette_size(levels));
    }
    TAP_EQ_INT(md_px_quant(0, 0, 0, 2), 16, "quant 2: black");
    TAP_EQ_INT(md_px_quant(255, 255, 255, 2), 231, "quant 2: white");
    TAP_EQ_INT(md_px_quant(250, 10, 10, 3), 196, "quant 3: red stays red");
    TAP_EQ_INT(md_px_quant(1, 2, 3, 6), md_px_xterm256(1, 2, 3), "quant 6 = xterm256");
}

static void test_basic8_ramp(void)
{
    TAP_EQ_INT(md_px_basic8(200, 10, 10), 1, "basic8: red");
    TAP_EQ_INT(md_px_basic8(10, 200, 10), 2, "basic8: green");
    TAP_EQ_INT(md_px_basic8(10, 10, 200), 4, "basic8: blue");
    TAP_EQ_INT(md_px_basic8(200, 200, 20), 3, "basic8: yellow");
    TAP_EQ_INT(md_px_basic8(40, 40, 40), 7, "basic8: a dark grey keeps white glyphs");
    TAP_EQ_INT(md_px_basic8(30, 60, 30), 2, "basic8: a dark green is still green (hue)");
    TAP_EQ_INT(md_px_luma(255, 255, 255), 255, "luma: white 255");
    TAP_EQ_INT(md_px_luma(0, 0, 0), 0, "luma: black 0");
    TAP_OK(md_px_luma(0, 255, 0) > md_px_luma(255, 0, 0) &&
               md_px_luma(255, 0, 0) > md_px_luma(0, 0, 255),
           "luma: green > red > blue (Rec. 709)");
    TAP_OK(md_px_ramp(0, 0, 0) == ' ', "ramp: black is blank");
    TAP_OK(md_px_ramp(255, 255, 255) == '@', "ramp: white is @");
    char prev = ' ';
    int monotonic = 1;
    const char *ramp = " .:-=+*#%@";
    for (int v = 0; v < 256; v++) {
        char c = md_px_ramp((uint8_t)v, (uint8_t)v, (uint8_t)v);
        if (strchr(ramp, c) < strchr(ramp, prev))
            monotonic = 0;
        prev = c;
    }
    TAP_OK(monotonic, "ramp: brighter never gives a lighter glyph");
    char sgr[64];
    uint8_t fg[3] = {1, 2, 3}, bg[3] = {255, 128, 0};
    int n = md_px_sgr_truecolor(sgr, sizeof sgr, fg, bg);
    TAP_EQ_STR(sgr, "\033[38;2;1;2;3;48;2;255;128;0m", "truecolor SGR");
    TAP_EQ_INT(n, (int)strlen(sgr), "truecolor SGR length");
    uint8_t c0[3], c8[3];
    md_px_class_rgb(0, c0);
    md_px_class_rgb(8, c8);
    TAP_OK(!memcmp(c0, c8, 3), "class colours cycle by 8");
    md_px_class_rgb(1, c8);
    TAP_OK(memcmp(c0, c8, 3) != 0, "neighbouring classes differ");
}

static void test_fit(void)
{
    struct md_px_fit f;
    md_px_fit(320, 320, 60, 20, &f);
    TAP_OK(f.cols == 40 && f.sub_h == 40 && f.rows == 20,
           "fit: square 320 in 60x20 cells -> 40 cols x 40 sub-rows (%dx%d)", f.cols, f.sub_h);
    md_px_fit(640, 480, 80, 100, &f);
    TAP_OK(f.cols == 80 && f.sub_h == 60 && f.rows == 30, "fit: 4:3 limited by width -> 80x60");
    md_px_fit(100, 400, 80, 20, &f);
    TAP_OK(f.sub_h == 40 && f.cols == 10, "fit: tall image limited by height -> 10x40");
    md_px_fit(10, 10, 80, 20, &f);
    TAP_OK(f.cols == 40 && f.sub_h == 40, "fit: small images are scaled up (10 -> 40)");
    md_px_fit(1000, 1, 50, 10, &f);
    TAP_OK(f.cols == 50 && f.sub_h == 1 && f.rows == 1, "fit: a 1000x1 strip keeps one sub-row");
    md_px_fit(333, 101, 61, 17, &f);
    double a_img = 333.0 / 101.0, a_fit = (double)f.cols / f.sub_h;
    TAP_OK(a_fit / a_img > 0.97 && a_fit / a_img < 1.03 && f.cols <= 61 && f.rows <= 17,
           "fit: aspect ratio kept within rounding (%dx%d)", f.cols, f.sub_h);
    md_px_fit(0, 10, 80, 20, &f);
    TAP_OK(f.cols == 1 && f.rows == 1, "fit: empty image -> 1x1");
    md_px_fit(10, 10, 0, 0, &f);
    TAP_OK(f.cols == 1 && f.rows == 1, "fit: no room -> 1x1");
    md_px_fit(7, 7, 3, 3, &f);
    TAP_OK(f.rows == 2 && f.sub_h == 3 && f.cols == 3, "fit: 3 sub-rows take 2 cell rows");
}

static void test_map_box(void)
{
    struct md_px_fit f;
    md_px_fit(320, 320, 40, 20, &f); /* 40 x 40 sub-pixels: 8 px each */
    int c1, s1, c2, s2;
    md_px_map_box(&f, 0, 0, 320, 320, &c1, &s1, &c2, &s2);
    TAP_OK(c1 == 0 && s1 == 0 && c2 == 39 && s2 == 39, "map: the whole image -> the whole grid");
    md_px_map_box(&f, 16, 24, 32, 40, &c1, &s1, &c2, &s2);
    TAP_OK(c1 == 2 && c2 == 3 && s1 == 3 && s2 == 4, "map: 16..32 x 24..40 -> cols 2..3, sub 3..4");
    TAP_OK(s1 / 2 == 1 && s2 / 2 == 2, "map: sub-rows 3..4 are in cell rows 1..2");
    md_px_map_box(&f, 100.2, 100.2, 100.4, 100.4, &c1, &s1, &c2, &s2);
    TAP_OK(c1 == 12 && c2 == 12 && s1 == 12 && s2 == 12, "map: a tiny box still covers one sub-pixel");
    md_px_map_box(&f, -50, -50, 1000, 1000, &c1, &s1, &c2, &s2);
    TAP_OK(c1 == 0 && s1 == 0 && c2 == 39 && s2 == 39, "map: clamped to the grid");
    md_px_map_box(&f, 200, 200, 100, 100, &c1, &s1, &c2, &s2);
    TAP_OK(c1 == 12 && c2 == 24, "map: swapped corners are put in order");
    md_px_map_box(&f, 0.0 / 0.0, 5, 1e300, 5, &c1, &s1, &c2, &s2);
    TAP_OK(c1 >= 0 && c2 <= 39 && c1 <= c2 && s1 >= 0 && s2 <= 39, "map: NaN/huge stay inside");
    /* Non-square scale: 640x480 into 80 cols: 8 px per column, 8 px per sub-row. */
    md_px_fit(640, 480, 80, 100, &f);
    md_px_map_box(&f, 320, 240, 328, 248, &c1, &s1, &c2, &s2);
    TAP_OK(c1 == 40 && c2 == 40 && s1 == 30 && s2 == 30, "map: 640x480 centre pixel block -> 40,30");
}

static void test_resample_outline(void)
{
    /* 4x4 image: left half red, right half blue; into 2x2. */
    uint8_t img[4 * 4 * 3];
    for (int y = 0; y < 4; y++)
        for (int x = 0; x < 4; x++) {
            uint8_t *p = img + (y * 4 + x) * 3;
            p[0] = x < 2 ? 200 : 0;
            p[1] = (uint8_t)(y * 10);
            p[2] = x < 2 ? 0 : 100;
        }
    struct md_px_fit f;
    md_px_fit(4, 4, 2, 1, &f);
    TAP_OK(f.cols == 2 && f.sub_h == 2, "resample: 4x4 into 2x2 sub-pixels");
    uint8_t out[2 * 2 * 3];
    md_px_resample(img, 4, 4, &f, out);
    TAP_OK(out[0] == 200 && out[2] == 0 && out[3] == 0 && out[5] == 100,
           "resample: halves keep their colour");
    TAP_EQ_INT(out[1], 5, "resample: area average of rows 0,1 (0,10) = 5");
    TAP_EQ_INT(out[2 * 3 + 1], 25, "resample: rows 2,3 (20,30) = 25");
    /* Upscaling: 2x1 into 4 columns repeats pixels. */
    uint8_t two[6] = {10, 20, 30, 40, 50, 60};
    md_px_fit(2, 1, 4, 1, &f);
    uint8_t up[4 * 2 * 3];
    memset(up, 0, sizeof up);
    md_px_resample(two, 2, 1, &f, up);
    TAP_OK(f.cols == 2 || f.cols == 4, "resample: upscale fit %dx%d", f.cols, f.sub_h);
    TAP_OK(up[0] == 10 && up[(f.cols - 1) * 3] == 40, "resample: nearest when upscaling");

    uint8_t grid[10 * 6 * 3];
    memset(grid, 0, sizeof grid);
    uint8_t red[3] = {255, 0, 0};
    md_px_outline(grid, 10, 6, 1, 1, 8, 4, red, false);
    int on = 0;
    for (int i = 0; i < 10 * 6; i++)
        on += grid[i * 3] == 255;
    TAP_EQ_INT(on, 2 * 8 + 2 * 2, "outline: perimeter of 8x4 = 20 pixels");
    TAP_OK(grid[(1 * 10 + 1) * 3] == 255 && grid[(4 * 10 + 8) * 3] == 255 &&
               grid[(2 * 10 + 4) * 3] == 0,
           "outline: corners on, inside off");
    memset(grid, 0, sizeof grid);
    md_px_outline(grid, 10, 6, 0, 0, 9, 5, red, true);
    int dashed = 0;
    for (int i = 0; i < 10 * 6; i++)
        dashed += grid[i * 3] == 255;
    TAP_OK(dashed > 0 && dashed < 2 * 10 + 2 * 4, "outline: dashed leaves gaps (%d)", dashed);
    memset(grid, 0, sizeof grid);
    md_px_outline(grid, 10, 6, -5, -5, 20, 20, red, false);
    TAP_OK(1, "outline: out-of-grid coordinates are clipped (no crash)");
}

static void touch(const char *path)
{
    FILE *f = fopen(path, "w");
    if (f)
        fclose(f);
}

static void test_files(void)
{
    char dir[] = "/tmp/md-infer-view-XXXXXX";
    if (!mkdtemp(dir)) {
        TAP_OK(0, "mkdtemp");
        return;
    }
    char p[512], out[1024], hint[1024], **list = NULL;
    snprintf(p, sizeof p, "%s/images", dir);
    mkdir(p, 0700);
    const char *names[] = {"b.jpg", "a.png", "c.JPEG", "notes.txt", ".hidden.jpg", "d.jpg"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(p, sizeof p, "%s/images/%s", dir, names[i]);
        touch(p);
    }
    int idx;
    snprintf(p, sizeof p, "%s/images/b.jpg", dir);
    int n = md_image_siblings(p, &list, &idx);
    TAP_EQ_INT(n, 4, "siblings: 4 images (txt and hidden skipped)");
    TAP_EQ_INT(idx, 1, "siblings: b.jpg is second in name order");
    if (n == 4) {
        TAP_OK(strstr(list[0], "/a.png") && strstr(list[2], "/c.JPEG") && strstr(list[3], "/d.jpg"),
               "siblings: sorted full paths");
        TAP_OK(!strncmp(list[0], dir, strlen(dir)), "siblings: paths keep the folder");
    }
    md_free_list(list, n > 0 ? n : 0);
    snprintf(p, sizeof p, "%s/images/.", dir);
    n = md_image_siblings(p, &list, &idx);
    TAP_OK(n == 4 && idx == -1, "siblings: a folder probe lists without a current one");
    md_free_list(list, n > 0 ? n : 0);
    n = md_image_siblings("/nonexistent-dir/x.jpg", &list, &idx);
    TAP_EQ_INT(n, -1, "siblings: unreadable folder -> -1");

    TAP_OK(md_is_image_name("x.PNG") && md_is_image_name("y.jpeg") && !md_is_image_name("z.gif") &&
               !md_is_image_name("jpg"),
           "image names by extension");

    snprintf(p, sizeof p, "%s/im", dir);
    n = md_path_complete(p, out, sizeof out, hint, sizeof hint);
    snprintf(p, sizeof p, "%s/images/", dir);
    TAP_EQ_INT(n, 1, "complete: unique folder");
    TAP_EQ_STR(out, p, "complete: a folder gets its '/'");
    n = md_path_complete(p, out, sizeof out, hint, sizeof hint);
    TAP_EQ_INT(n, 5, "complete: folder listing without hidden files");
    TAP_EQ_STR(hint, "a.png  b.jpg  c.JPEG  d.jpg  notes.txt", "complete: candidates sorted");
    snprintf(p, sizeof p, "%s/images/.", dir);
    n = md_path_complete(p, out, sizeof out, hint, sizeof hint);
    TAP_EQ_INT(n, 1, "complete: a leading dot lists hidden files");
    snprintf(p, sizeof p, "%s/images/b", dir);
    n = md_path_complete(p, out, sizeof out, hint, sizeof hint);
    snprintf(p, sizeof p, "%s/images/b.jpg", dir);
    TAP_EQ_STR(out, p, "complete: unique file");
    snprintf(p, sizeof p, "%s/images/zz", dir);
    n = md_path_complete(p, out, sizeof out, hint, sizeof hint);
    TAP_OK(n == 0 && !strcmp(out, p), "complete: no match leaves the text");
    snprintf(p, sizeof p, "%s/images/", dir);
    touch(strcat(strcpy(out, p), "dd.jpg"));
    snprintf(p, sizeof p, "%s/images/d", dir);
    n = md_path_complete(p, out, sizeof out, hint, sizeof hint);
    snprintf(p, sizeof p, "%s/images/d", dir);
    TAP_OK(n == 2 && !strcmp(out, p), "complete: common prefix of d.jpg/dd.jpg is 'd'");
    n = md_path_complete("/nonexistent-dir/x", out, sizeof out, hint, sizeof hint);
    TAP_EQ_INT(n, 0, "complete: unreadable folder -> 0");

    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        tap_diag("cleanup failed");
}

int main(void)
{
    test_palette();
    test_coarse_palettes();
    test_basic8_ramp();
    test_fit();
    test_map_box();
    test_resample_outline();
    test_files();
    return tap_done();
}
