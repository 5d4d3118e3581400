/* The numbers behind a line chart, shared by the terminal chart (ui/chart.c)
 * and the PNG renderer (src/data/plot_png.c) so both draw the same thing:
 * series of (x, y) with NaN allowed, EMA smoothing, log y, a p5-p95 range
 * that ignores outliers, an x window (zoom), "nice" axis ticks, gaps where
 * steps are missing, and downsampling to a number of columns that keeps the
 * min and max of each column (spikes survive).  No terminal, no I/O. */
#ifndef MD_DATA_CHART_MATH_H
#define MD_DATA_CHART_MATH_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

#define MD_CHART_MAX_SERIES 16
#define MD_CHART_MAX_TICKS 16

/* One line: n points, x ascending (ties allowed).  y may be NaN (a diverged
 * run: drawn as a marker, never as 0) or +-inf (clipped to the edge).  The
 * arrays belong to the caller. */
struct md_chart_series {
    const char *name;
    const double *x;
    const double *y;
    size_t n;
};

/* How x values read on the axis. */
enum md_chart_xfmt {
    MD_CHART_X_NUMBER,    /* steps: 0 10 20 */
    MD_CHART_X_TIME,      /* epoch seconds: 14:20, or 11-20 over days */
    MD_CHART_X_DURATION,  /* seconds since the start: 30s 5m 1h30m */
};

struct md_chart_opts {
    double smooth;            /* EMA weight in [0, 0.99]; 0 = raw */
    bool log_y;               /* log10 y; values <= 0 are dropped from the range */
    bool ignore_outliers;     /* y range = p5..p95 of the finite values */
    enum md_chart_xfmt xfmt;
    bool zoom;                /* x window [zx0, zx1] instead of the data's range */
    double zx0, zx1;
};

/* What both renderers draw: smoothed values, the window, the ticks. */
struct md_chart_model {
    size_t nseries;
    double *y[MD_CHART_MAX_SERIES];    /* smoothed, log10 applied (NaN kept); malloc'd */
    double gap[MD_CHART_MAX_SERIES];   /* an x step larger than this is a gap */
    size_t nan_count[MD_CHART_MAX_SERIES];
    double data_x0, data_x1;           /* full x range of the data */
    double x0, x1, y0, y1;             /* the window (y in log10 when log_y) */
    bool empty;                        /* no finite point at all */
    double xticks[MD_CHART_MAX_TICKS], yticks[MD_CHART_MAX_TICKS];
    size_t nxticks, nyticks;
    double xtick_step, ytick_step;
};

/* Builds the model from nseries (<= MD_CHART_MAX_SERIES) series.
 * Free with md_chart_model_free.  MD_ERR_INVALID for too many series. */
md_status md_chart_model_build(const struct md_chart_series *s, size_t nseries,
                               const struct md_chart_opts *o, struct md_chart_model *m,
                               struct md_err *err);
void md_chart_model_free(struct md_chart_model *m);

/* EMA with weight w (0 = copy), debiased (the first values are not pulled
 * towards 0), as MLflow's and TensorBoard's smoothing.  Non-finite values
 * pass through and leave the average alone.  in and out may alias. */
void md_chart_ema(const double *in, double *out, size_t n, double w);

/* The p-th percentile (0..100, linear interpolation) of the finite values
 * of v; false when there are none. */
bool md_chart_percentile(const double *v, size_t n, double p, double *out);

/* Up to max "nice" ticks (1, 2, 5 x 10^k) covering [lo, hi]; returns the
 * count and the step in *step. */
size_t md_chart_ticks(double lo, double hi, size_t max, double *ticks, double *step);

/* Tick label for an axis value. */
void md_chart_fmt_y(double v, double step, bool log_y, char *out, size_t n);
void md_chart_fmt_x(double v, double step, double span, enum md_chart_xfmt f, char *out,
                    size_t n);

/* One column of a downsampled series. */
struct md_chart_bucket {
    size_t count;             /* points in the column (0 = nothing here) */
    size_t nan;               /* of which NaN */
    double min, max;          /* of the finite values; NaN when none */
    double first, last;       /* the first and last finite values */
    double first_x, last_x;   /* and their x */
};

/* Splits [x0, x1] into ncols equal columns and gathers the points of
 * (x, y) that fall in each.  Points outside are ignored. */
void md_chart_downsample(const double *x, const double *y, size_t n, double x0, double x1,
                         struct md_chart_bucket *cols, size_t ncols);

/* Column (0..ncols-1) of x in [x0, x1], or -1 outside. */
long md_chart_col(double x, double x0, double x1, size_t ncols);
/* Row from the top (0..nrows-1) of y in [y0, y1], clipped to the edges. */
long md_chart_row(double y, double y0, double y1, size_t nrows);

/* Median of the x steps of a series times 2: a larger step is a gap
 * (missing steps).  INFINITY when there are fewer than 3 points. */
double md_chart_gap_threshold(const double *x, size_t n);

/* Zoom helpers: factor < 1 zooms in around the centre, > 1 out (clamped to
 * the data range); pan moves by frac of the window. */
void md_chart_zoom(struct md_chart_opts *o, const struct md_chart_model *m, double factor);
void md_chart_pan(struct md_chart_opts *o, const struct md_chart_model *m, double frac);

#endif
