/* Metric histories as numbers, for charts (the terminal chart and the PNG
 * of the experiments pane): MLflow Metric objects -> arrays sorted by step,
 * NaN kept as NaN (a diverged run is shown as such, never as 0), x by step,
 * wall time or time since the first point, EMA smoothing, a p5-p95 range
 * that ignores outliers, and downsampling to the chart's width with
 * min/max/last per column so spikes survive and gaps (missing steps) stay
 * empty.  No allocation except in md_series_from_json. */
#ifndef MD_MLFLOW_SERIES_H
#define MD_MLFLOW_SERIES_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

struct md_series {
    size_t n;
    double *step;           /* sorted ascending (ties by timestamp) */
    double *ts_ms;          /* epoch milliseconds */
    double *value;          /* NaN for "NaN"; +-INFINITY for "Infinity" */
};

/* metrics: an array of Metric objects ({"key","value","timestamp","step"},
 * value a number or "NaN"/"Infinity"/"-Infinity"), as get-history returns
 * them (or {"metrics": [...]}, the cached metric-histories row).  Points
 * without a numeric step or timestamp are an MD_ERR_PARSE naming the index.
 * Free with md_series_free. */
md_status md_series_from_json(const cJSON *metrics, struct md_series *out, struct md_err *err);
void md_series_free(struct md_series *s);

enum md_series_axis { MD_AXIS_STEP, MD_AXIS_WALL, MD_AXIS_RELATIVE };

/* x of point i: the step, epoch seconds, or seconds since the first point. */
double md_series_x(const struct md_series *s, size_t i, enum md_series_axis axis);
/* Every point's x at once (out has s->n entries): the relative axis finds
 * the earliest time once instead of per point, as md_series_x must. */
void md_series_xs(const struct md_series *s, enum md_series_axis axis, double *out);

/* Exponential moving average with weight w in [0,1) (0 = none), debiased as
 * TensorBoard does so the start is not pulled to 0.  NaN and infinite
 * inputs pass through as they are and do not disturb the average.
 * in and out may be the same array. */
void md_series_ema(const double *in, double *out, size_t n, double w);

/* The lo_pct..hi_pct percentile range of the finite values (e.g. 5, 95,
 * for "ignore outliers").  False when there is no finite value. */
bool md_series_range(const double *v, size_t n, double lo_pct, double hi_pct, double *lo,
                     double *hi);

struct md_series_bucket {
    size_t count;           /* points that fell in the column */
    size_t nan;             /* of which NaN */
    double min, max;        /* of the finite values; NaN when none */
    double last;            /* the last value (may be NaN) */
};

/* Splits [x0, x1] into ncols columns and gathers the points of each
 * (values: s->value or a smoothed copy of the same length).  A column with
 * count 0 is a gap.  x1 <= x0 puts everything in column 0. */
void md_series_downsample(const struct md_series *s, const double *values,
                          enum md_series_axis axis, double x0, double x1,
                          struct md_series_bucket *cols, size_t ncols);

#endif
