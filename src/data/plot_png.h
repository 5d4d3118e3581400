/* A line chart as an image (for `p` in the chart view and `mldeck chart
 * --png`): the same model as the terminal chart (data/chart_math.h) drawn
 * into RGB pixels — axes with ticks and labels in the built-in 5x7 font,
 * one coloured line per series downsampled to the pixel columns (min/max
 * per column, gaps where steps are missing), NaN points as crosses along
 * the top edge, a legend — and written as a PNG with libpng. */
#ifndef MD_DATA_PLOT_PNG_H
#define MD_DATA_PLOT_PNG_H

#include <stdint.h>

#include "data/chart_math.h"
#include "data/image.h"

#define MD_PLOT_DEFAULT_W 1000
#define MD_PLOT_DEFAULT_H 520

/* Where the plot area sits in a w x h image (inclusive pixel bounds). */
struct md_plot_layout {
    int px0, py0, px1, py1;
    int legend_x, legend_y;      /* first legend entry's swatch */
};
void md_plot_layout(int w, int h, struct md_plot_layout *L);

/* Colour of series i (the same order the terminal uses). */
void md_plot_colour(size_t i, uint8_t rgb[3]);

/* Renders into out (out->rgb malloc'd, freed with md_image_free).  title
 * and ylabel may be NULL.  w, h <= 0 take the defaults; sizes below 200x120
 * or above 8000 are MD_ERR_INVALID. */
md_status md_plot_render(const struct md_chart_series *s, size_t n,
                         const struct md_chart_opts *o, const char *title, const char *ylabel,
                         int w, int h, struct md_image *out, struct md_err *err);

/* md_plot_render, then md_image_write_png. */
md_status md_plot_write_png(const char *path, const struct md_chart_series *s, size_t n,
                            const struct md_chart_opts *o, const char *title,
                            const char *ylabel, int w, int h, struct md_err *err);

#endif
