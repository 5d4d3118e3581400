/* The chart math shared by the terminal chart and the PNG: EMA, percentiles,
 * ticks, scaling, downsampling (min/max survive), gaps, NaN, log y, zoom. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "data/chart_math.h"
#include "../tap.h"

static int near(double a, double b, double eps)
{
    return fabs(a - b) <= eps;
}

static void test_ema(void)
{
    double in[5] = {1, 1, 1, 1, 1}, out[5];
    md_chart_ema(in, out, 5, 0.9);
    TAP_OK(near(out[0], 1, 1e-12) && near(out[4], 1, 1e-12), "ema: debiased, a constant stays constant");
    double step[4] = {0, 10, 10, 10};
    md_chart_ema(step, out, 4, 0);
    TAP_OK(out[1] == 10 && out[0] == 0, "ema: weight 0 copies");
    md_chart_ema(step, out, 4, 0.5);
    /* avg: 0, 5, 7.5, 8.75 ; weights .5 .75 .875 .9375 */
    TAP_OK(near(out[1], 5 / 0.75, 1e-12) && near(out[3], 8.75 / 0.9375, 1e-12), "ema: values as computed by hand");
    double withnan[4] = {2, NAN, 2, INFINITY};
    md_chart_ema(withnan, out, 4, 0.6);
    TAP_OK(isnan(out[1]) && near(out[2], 2, 1e-12) && isinf(out[3]), "ema: NaN/inf pass through and do not disturb");
    double same[3] = {1, 2, 3};
    md_chart_ema(same, same, 3, 0.99 + 0.5);   /* clamped to 0.99, in place */
    TAP_OK(same[0] == 1 && same[2] > 1 && same[2] < 3, "ema: in place, weight clamped");
}

static void test_percentile(void)
{
    double v[101];
    for (int i = 0; i <= 100; i++)
        v[i] = 100 - i;
    double p;
    TAP_OK(md_chart_percentile(v, 101, 5, &p) && near(p, 5, 1e-9), "p5 of 0..100 is 5");
    TAP_OK(md_chart_percentile(v, 101, 95, &p) && near(p, 95, 1e-9), "p95 of 0..100 is 95");
    double w[4] = {NAN, 1, 3, NAN};
    TAP_OK(md_chart_percentile(w, 4, 50, &p) && near(p, 2, 1e-12), "percentile ignores NaN, interpolates");
    double none[2] = {NAN, INFINITY};
    TAP_OK(!md_chart_percentile(none, 2, 50, &p), "percentile: no finite value -> false");
}

static void test_ticks(void)
{
    double t[MD_CHART_MAX_TICKS], st;
    size_t n = md_chart_ticks(0, 100, 6, t, &st);
    TAP_OK(n == 6 && st == 20 && t[0] == 0 && t[5] == 100, "ticks 0..100: 0,20..100 (%zu, step %g)", n, st);
    n = md_chart_ticks(0.013, 0.87, 5, t, &st);
    TAP_OK(n >= 3 && n <= 5 && t[0] >= 0.013 && t[n - 1] <= 0.87, "ticks stay inside the range");
    TAP_OK(st == 0.2 || st == 0.25, "ticks 0.013..0.87: nice step %g", st);
    n = md_chart_ticks(-1, 1, 5, t, &st);
    int zero = 0;
    for (size_t i = 0; i < n; i++)
        zero |= t[i] == 0 && !signbit(t[i]);
    TAP_OK(zero, "ticks through 0 print 0, not -0 or 1e-17");
    TAP_EQ_INT((int)md_chart_ticks(NAN, 1, 5, t, &st), 0, "ticks: NaN range -> none");
    TAP_EQ_INT((int)md_chart_ticks(3, 3, 5, t, &st), 1, "ticks: empty range -> one");
    char b[32];
    md_chart_fmt_y(0.25, 0.05, false, b, sizeof b);
    TAP_EQ_STR(b, "0.25", "fmt y 0.25");
    md_chart_fmt_y(40, 20, false, b, sizeof b);
    TAP_EQ_STR(b, "40", "fmt y 40");
    md_chart_fmt_y(-2, 1, true, b, sizeof b);
    TAP_EQ_STR(b, "0.01", "fmt log y 10^-2");
    md_chart_fmt_x(3600 + 5 * 60, 600, 7200, MD_CHART_X_DURATION, b, sizeof b);
    TAP_EQ_STR(b, "1h05m", "fmt relative 1h05m");
    md_chart_fmt_x(1795188600, 600, 7200, MD_CHART_X_TIME, b, sizeof b);
    TAP_EQ_STR(b, "15:30", "fmt wall time (UTC)");
    md_chart_fmt_x(1795188600, 86400, 10 * 86400, MD_CHART_X_TIME, b, sizeof b);
    TAP_EQ_STR(b, "11-20", "fmt wall time over days: month-day");
}

static void test_scale(void)
{
    TAP_EQ_INT((int)md_chart_col(0, 0, 10, 10), 0, "col: left edge");
    TAP_EQ_INT((int)md_chart_col(10, 0, 10, 10), 9, "col: right edge in the last column");
    TAP_EQ_INT((int)md_chart_col(5, 0, 10, 10), 5, "col: middle");
    TAP_EQ_INT((int)md_chart_col(11, 0, 10, 10), -1, "col: outside");
    TAP_EQ_INT((int)md_chart_row(1, 0, 1, 8), 0, "row: top is the max");
    TAP_EQ_INT((int)md_chart_row(0, 0, 1, 8), 7, "row: bottom is the min");
    TAP_EQ_INT((int)md_chart_row(5, 0, 1, 8), 0, "row: above clips to the top");
    TAP_EQ_INT((int)md_chart_row(-INFINITY, 0, 1, 8), 7, "row: -inf clips to the bottom");
}

static void test_downsample(void)
{
    enum { N = 10000 };
    static double x[N], y[N];
    for (int i = 0; i < N; i++) {
        x[i] = i;
        y[i] = sin(i / 500.0);
    }
    y[4321] = 50;      /* one spike */
    y[7000] = NAN;
    struct md_chart_bucket b[80];
    md_chart_downsample(x, y, N, 0, N - 1, b, 80);
    size_t total = 0, nan = 0;
    double mx = -1;
    long spike_col = -1;
    for (int c = 0; c < 80; c++) {
        total += b[c].count;
        nan += b[c].nan;
        if (b[c].max > mx) {
            mx = b[c].max;
            spike_col = c;
        }
    }
    TAP_EQ_INT((int)total, N, "downsample: every point lands in a column");
    TAP_EQ_INT((int)nan, 1, "downsample: the NaN is counted");
    TAP_OK(mx == 50 && spike_col == md_chart_col(4321, 0, N - 1, 80), "downsample: the spike survives in its column");
    TAP_OK(b[0].first == y[0] && b[0].first_x == 0, "downsample: first of column 0");
    double gx[6] = {0, 1, 2, 10, 11, 12}, gy[6] = {1, 1, 1, 1, 1, 1};
    md_chart_downsample(gx, gy, 6, 0, 12, b, 13);
    TAP_OK(b[5].count == 0 && b[10].count == 1, "downsample: missing steps leave empty columns");
    double thr = md_chart_gap_threshold(gx, 6);
    TAP_OK(thr < 8 && thr >= 1, "gap threshold below the missing-step jump (%g)", thr);
    TAP_OK(isinf(md_chart_gap_threshold(gx, 2)), "gap threshold: too few points -> none");
}

static void test_model(void)
{
    double x1[5] = {0, 1, 2, 3, 4}, y1[5] = {1, 2, 3, 4, 100};
    double x2[3] = {0, 1, 2}, y2[3] = {2, NAN, NAN};
    struct md_chart_series s[2] = {{"a", x1, y1, 5}, {"diverged", x2, y2, 3}};
    struct md_chart_opts o = {0};
    struct md_chart_model m;
    struct md_err err;
    TAP_OK(md_chart_model_build(s, 2, &o, &m, &err) == MD_OK, "model builds");
    TAP_OK(m.x0 == 0 && m.x1 == 4, "model: x range of the data");
    TAP_OK(m.y0 < 1 && m.y1 > 100, "model: y covers every finite value (padded)");
    TAP_EQ_INT((int)m.nan_count[1], 2, "model: NaN counted per series");
    TAP_OK(isnan(m.y[1][1]), "model: NaN kept (not 0)");
    md_chart_model_free(&m);

    o.ignore_outliers = true;
    md_chart_model_build(s, 2, &o, &m, &err);
    TAP_OK(m.y1 < 100, "model: ignore outliers drops the 100 (y1 %g)", m.y1);
    md_chart_model_free(&m);

    o.ignore_outliers = false;
    o.log_y = true;
    md_chart_model_build(s, 1, &o, &m, &err);
    TAP_OK(near(m.y[0][4], 2, 1e-12) && m.y0 < 0.01 && m.y1 > 1.99, "model: log y in log10 units");
    md_chart_model_free(&m);

    o.log_y = false;
    md_chart_model_build(s, 1, &o, &m, &err);
    md_chart_zoom(&o, &m, 0.5);
    md_chart_model_free(&m);
    TAP_OK(o.zoom && near(o.zx0, 1, 1e-9) && near(o.zx1, 3, 1e-9), "zoom in halves the window around the centre");
    md_chart_model_build(s, 1, &o, &m, &err);
    TAP_OK(m.x0 == 1 && m.x1 == 3 && m.y1 < 100, "model: the y range follows the x window");
    md_chart_pan(&o, &m, 1.0);
    TAP_OK(near(o.zx0, 2, 1e-9) && near(o.zx1, 4, 1e-9), "pan stops at the data's end");
    md_chart_model_free(&m);
    md_chart_model_build(s, 1, &o, &m, &err);
    md_chart_zoom(&o, &m, 4);
    TAP_OK(!o.zoom, "zooming out past the data returns to the full range");
    md_chart_model_free(&m);

    struct md_chart_series many[MD_CHART_MAX_SERIES + 1];
    for (int i = 0; i <= MD_CHART_MAX_SERIES; i++)
        many[i] = s[0];
    TAP_OK(md_chart_model_build(many, MD_CHART_MAX_SERIES + 1, &o, &m, &err) == MD_ERR_INVALID,
           "too many series is an error, not a crash");
    struct md_chart_series empty = {"e", NULL, NULL, 0};
    TAP_OK(md_chart_model_build(&empty, 1, &o, &m, &err) == MD_OK && m.empty, "empty series: empty model");
    md_chart_model_free(&m);
}

int main(void)
{
    test_ema();
    test_percentile();
    test_ticks();
    test_scale();
    test_downsample();
    test_model();
    return tap_done();
}
