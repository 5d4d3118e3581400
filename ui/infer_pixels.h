/* The pure half of drawing an image in the terminal (no curses here, so it
 * is unit-tested): fitting an image into a pane of character cells where
 * each cell shows two pixels stacked (the upper half block U+2580 with the
 * top pixel as foreground and the bottom one as background), area-averaged
 * downsampling, box outlines in that pixel grid, and the colour reductions
 * for the terminal's palette: xterm's 256 colours (6x6x6 cube + 24 greys),
 * coarser cubes when colour pairs are scarce, the 8 ANSI colours, and a
 * luminance ramp of characters for monochrome. */
#ifndef MD_UI_INFER_PIXELS_H
#define MD_UI_INFER_PIXELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How an image of img_w x img_h pixels sits in a pane: cols x rows cells,
 * i.e. cols x sub_h "sub-pixels" (two per cell vertically, which are about
 * square on usual terminal fonts).  sx/sy: sub-pixels per image pixel. */
struct md_px_fit {
    int cols, rows, sub_h;
    double sx, sy;
};

/* Largest size keeping the aspect ratio that fits max_cols x max_rows cells
 * (upscaling small images too).  Degenerate inputs give a 1x1 fit. */
void md_px_fit(int img_w, int img_h, int max_cols, int max_rows, struct md_px_fit *f);

/* A box in image pixels (x1, y1, x2, y2 as the detector reports them, x2/y2
 * exclusive edges) -> inclusive sub-pixel columns [*c1, *c2] and sub-pixel
 * rows [*s1, *s2] (the cell row of sub-row s is s / 2), clamped to the fit.
 * A box smaller than a sub-pixel still covers one. */
void md_px_map_box(const struct md_px_fit *f, double x1, double y1, double x2, double y2, int *c1,
                   int *s1, int *c2, int *s2);

/* Downsamples (area average) or upsamples (nearest) an RGB image (w*h*3)
 * into out (f->cols * f->sub_h * 3 bytes, rows top to bottom). */
void md_px_resample(const uint8_t *rgb, int w, int h, const struct md_px_fit *f, uint8_t *out);

/* Draws a one-sub-pixel outline into a cols x sub_h RGB grid; dashed
 * leaves every other pair of sub-pixels out (misses, so they read
 * differently from detections even without colour). */
void md_px_outline(uint8_t *grid, int cols, int sub_h, int c1, int s1, int c2, int s2,
                   const uint8_t rgb[3], bool dashed);

/* xterm's 256-colour palette: the RGB of index 0..255. */
void md_px_xterm_rgb(int idx, uint8_t rgb[3]);
/* Nearest index among 16..255 (cube and grey ramp; 0..15 are left out
 * because terminals theme them). */
int md_px_xterm256(uint8_t r, uint8_t g, uint8_t b);
/* A coarser palette for when colour pairs are scarce: each channel on
 * `levels` (2..6) steps of the cube, returned as an xterm index.  levels 6
 * is md_px_xterm256.  md_px_palette_size says how many colours it yields. */
int md_px_quant(uint8_t r, uint8_t g, uint8_t b, int levels);
int md_px_palette_size(int levels);
/* The finest levels (6, 4, 3, 2) whose fg x bg combinations fit in `pairs`
 * colour pairs; 0 when even 2 levels do not fit (use the 8-colour mode). */
int md_px_levels_for_pairs(long pairs);

/* Nearest of the 8 ANSI colours (0 black .. 7 white) for the pixel's hue
 * (its colour brightened to full), so dark pixels keep their tint and the
 * ramp character carries the brightness. */
int md_px_basic8(uint8_t r, uint8_t g, uint8_t b);
/* Luminance (Rec. 709, 0..255) and its ramp character, " .:-=+*#%@". */
int md_px_luma(uint8_t r, uint8_t g, uint8_t b);
char md_px_ramp(uint8_t r, uint8_t g, uint8_t b);

/* "\033[38;2;R;G;B;48;2;R;G;Bm" into out (at least 40 bytes); returns its
 * length. */
int md_px_sgr_truecolor(char *out, size_t n, const uint8_t fg[3], const uint8_t bg[3]);

/* Class colours: a fixed, well-separated palette by class id. */
void md_px_class_rgb(int cls, uint8_t rgb[3]);

#endif
