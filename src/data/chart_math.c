#include "data/chart_math.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void md_chart_ema(const double *in, double *out, size_t n, double w)
{
    if (w < 0)
        w = 0;
    if (w > 0.99)
        w = 0.99;
    double avg = 0, weight = 0;
    for (size_t i = 0; i < n; i++) {
        double v = in[i];
        if (!isfinite(v) || w == 0) {
            out[i] = v;
            continue;
        }
        avg = avg * w + (1 - w) * v;
        weight = weight * w + (1 - w);
        out[i] = avg / weight;
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

bool md_chart_percentile(const double *v, size_t n, double p, double *out)
{
    double *t = malloc((n ? n : 1) * sizeof *t);
    if (!t)
        return false;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i]))
            t[k++] = v[i];
    if (!k) {
        free(t);
        return false;
    }
    qsort(t, k, sizeof *t, cmp_double);
    if (p < 0)
        p = 0;
    if (p > 100)
        p = 100;
    double pos = p / 100.0 * (double)(k - 1);
    size_t lo = (size_t)floor(pos);
    size_t hi = lo + 1 < k ? lo + 1 : lo;
    double f = pos - (double)lo;
    *out = t[lo] + (t[hi] - t[lo]) * f;
    free(t);
    return true;
}

static double nice_step(double range, size_t max)
{
    if (max < 2)
        max = 2;
    double raw = range / (double)(max - 1);
    double mag = pow(10, floor(log10(raw)));
    double f = raw / mag;
    double nf = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
    return nf * mag;
}

size_t md_chart_ticks(double lo, double hi, size_t max, double *ticks, double *step)
{
    *step = 0;
    if (!isfinite(lo) || !isfinite(hi) || max == 0)
        return 0;
    if (max > MD_CHART_MAX_TICKS)
        max = MD_CHART_MAX_TICKS;
    if (hi <= lo) {
        ticks[0] = lo;
        *step = 1;
        return 1;
    }
    double st = nice_step(hi - lo, max);
    double t0 = ceil(lo / st - 1e-9) * st;
    size_t k = 0;
    for (double t = t0; t <= hi + st * 1e-9 && k < max; t += st) {
        /* -0.0 and 1e-17 read as 0 */
        ticks[k++] = fabs(t) < st * 1e-9 ? 0 : t;
    }
    *step = st;
    return k;
}

static void trim_zeros(char *s)
{
    if (!strchr(s, '.') || strchr(s, 'e'))
        return;
    char *e = s + strlen(s) - 1;
    while (e > s && *e == '0')
        *e-- = '\0';
    if (*e == '.')
        *e = '\0';
}

static void fmt_num(double v, double step, char *out, size_t n)
{
    double a = fabs(v);
    if (v == 0) {
        snprintf(out, n, "0");
        return;
    }
    if (a >= 1e6 || a < 1e-4) {
        snprintf(out, n, "%.2g", v);
        return;
    }
    int dec = 0;
    if (step > 0 && step < 1)
        dec = (int)ceil(-log10(step) - 1e-9);
    if (dec > 6)
        dec = 6;
    snprintf(out, n, "%.*f", dec, v);
    trim_zeros(out);
}

void md_chart_fmt_y(double v, double step, bool log_y, char *out, size_t n)
{
    if (!log_y) {
        fmt_num(v, step, out, n);
        return;
    }
    double p = pow(10, v);
    if (fabs(v - round(v)) < 1e-9 && (v > 4 || v < -3))
        snprintf(out, n, "1e%d", (int)round(v));
    else
        snprintf(out, n, "%.3g", p);
}

static void fmt_dur(double s, char *out, size_t n)
{
    long t = (long)llround(s);
    const char *sign = t < 0 ? "-" : "";
    if (t < 0)
        t = -t;
    if (t < 60)
        snprintf(out, n, "%s%lds", sign, t);
    else if (t < 3600)
        snprintf(out, n, t % 60 ? "%s%ldm%02lds" : "%s%ldm", sign, t / 60, t % 60);
    else if (t < 86400)
        snprintf(out, n, t % 3600 / 60 ? "%s%ldh%02ldm" : "%s%ldh", sign, t / 3600, t % 3600 / 60);
    else
        snprintf(out, n, "%s%ldd%02ldh", sign, t / 86400, t % 86400 / 3600);
}

void md_chart_fmt_x(double v, double step, double span, enum md_chart_xfmt f, char *out,
                    size_t n)
{
    switch (f) {
    case MD_CHART_X_TIME: {
        time_t t = (time_t)llround(v);
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(out, n, span > 2 * 86400 ? "%m-%d" : span > 120 ? "%H:%M" : "%H:%M:%S", &tm);
        break;
    }
    case MD_CHART_X_DURATION: fmt_dur(v, out, n); break;
    default: fmt_num(v, step, out, n); break;
    }
}

long md_chart_col(double x, double x0, double x1, size_t ncols)
{
    if (!ncols || !isfinite(x) || x < x0 || x > x1)
        return -1;
    if (x1 <= x0)
        return 0;
    long c = (long)floor((x - x0) / (x1 - x0) * (double)ncols);
    if (c >= (long)ncols)
        c = (long)ncols - 1;
    return c;
}

long md_chart_row(double y, double y0, double y1, size_t nrows)
{
    if (!nrows)
        return 0;
    if (isnan(y))
        return 0;
    double f = y1 > y0 ? (y - y0) / (y1 - y0) : 0.5;
    if (f < 0)
        f = 0;
    if (f > 1)
        f = 1;
    long r = (long)nrows - 1 - (long)floor(f * (double)(nrows - 1) + 0.5);
    return r < 0 ? 0 : r >= (long)nrows ? (long)nrows - 1 : r;
}

void md_chart_downsample(const double *x, const double *y, size_t n, double x0, double x1,
                         struct md_chart_bucket *cols, size_t ncols)
{
    for (size_t c = 0; c < ncols; c++)
        cols[c] = (struct md_chart_bucket){0, 0, NAN, NAN, NAN, NAN, NAN, NAN};
    for (size_t i = 0; i < n; i++) {
        long c = md_chart_col(x[i], x0, x1, ncols);
        if (c < 0)
            continue;
        struct md_chart_bucket *b = &cols[c];
        b->count++;
        double v = y[i];
        if (isnan(v)) {
            b->nan++;
            continue;
        }
        if (isnan(b->min) || v < b->min)
            b->min = v;
        if (isnan(b->max) || v > b->max)
            b->max = v;
        if (isnan(b->first)) {
            b->first = v;
            b->first_x = x[i];
        }
        b->last = v;
        b->last_x = x[i];
    }
}

double md_chart_gap_threshold(const double *x, size_t n)
{
    if (n < 3)
        return INFINITY;
    double *d = malloc((n - 1) * sizeof *d);
    if (!d)
        return INFINITY;
    size_t k = 0;
    for (size_t i = 1; i < n; i++)
        if (isfinite(x[i]) && isfinite(x[i - 1]) && x[i] > x[i - 1])
            d[k++] = x[i] - x[i - 1];
    double med = INFINITY;
    if (k) {
        qsort(d, k, sizeof *d, cmp_double);
        med = d[k / 2];
    }
    free(d);
    /* a missing step doubles the spacing; jitter of wall times does not */
    return isfinite(med) ? med * 2.5 : INFINITY;
}

void md_chart_model_free(struct md_chart_model *m)
{
    for (size_t i = 0; i < m->nseries; i++) {
        free(m->y[i]);
        m->y[i] = NULL;
    }
    m->nseries = 0;
}

md_status md_chart_model_build(const struct md_chart_series *s, size_t nseries,
                               const struct md_chart_opts *o, struct md_chart_model *m,
                               struct md_err *err)
{
    memset(m, 0, sizeof *m);
    if (nseries > MD_CHART_MAX_SERIES)
        return md_err_set(err, MD_ERR_INVALID, "at most %d series in one chart (got %zu)",
                          MD_CHART_MAX_SERIES, nseries);
    size_t total = 0;
    double dx0 = INFINITY, dx1 = -INFINITY;
    for (size_t i = 0; i < nseries; i++) {
        size_t n = s[i].n;
        m->y[i] = malloc((n ? n : 1) * sizeof(double));
        if (!m->y[i]) {
            m->nseries = i;
            md_chart_model_free(m);
            return md_err_set(err, MD_ERR_NOMEM, "out of memory for a chart");
        }
        m->nseries = i + 1;
        md_chart_ema(s[i].y, m->y[i], n, o->smooth);
        for (size_t j = 0; j < n; j++) {
            double v = m->y[i][j];
            if (isnan(v))
                m->nan_count[i]++;
            if (o->log_y)
                m->y[i][j] = isnan(v) ? NAN : v > 0 ? log10(v) : v == INFINITY ? INFINITY : -INFINITY;
            if (isfinite(s[i].x[j])) {
                if (s[i].x[j] < dx0)
                    dx0 = s[i].x[j];
                if (s[i].x[j] > dx1)
                    dx1 = s[i].x[j];
            }
        }
        m->gap[i] = md_chart_gap_threshold(s[i].x, n);
        total += n;
    }
    if (!isfinite(dx0)) {
        dx0 = 0;
        dx1 = 1;
    }
    m->data_x0 = dx0;
    m->data_x1 = dx1;
    m->x0 = dx0;
    m->x1 = dx1;
    if (o->zoom && o->zx1 > o->zx0) {
        m->x0 = o->zx0;
        m->x1 = o->zx1;
    }
    if (m->x1 <= m->x0)
        m->x1 = m->x0 + 1;

    /* y range over the points inside the x window */
    double *vals = malloc((total ? total : 1) * sizeof *vals);
    if (!vals) {
        md_chart_model_free(m);
        return md_err_set(err, MD_ERR_NOMEM, "out of memory for a chart");
    }
    size_t k = 0;
    for (size_t i = 0; i < nseries; i++)
        for (size_t j = 0; j < s[i].n; j++)
            if (isfinite(m->y[i][j]) && s[i].x[j] >= m->x0 && s[i].x[j] <= m->x1)
                vals[k++] = m->y[i][j];
    double lo = 0, hi = 1;
    m->empty = k == 0;
    if (k) {
        lo = hi = vals[0];
        for (size_t i = 1; i < k; i++) {
            if (vals[i] < lo)
                lo = vals[i];
            if (vals[i] > hi)
                hi = vals[i];
        }
        double plo, phi;
        if (o->ignore_outliers && md_chart_percentile(vals, k, 5, &plo) &&
            md_chart_percentile(vals, k, 95, &phi) && phi > plo) {
            lo = plo;
            hi = phi;
        }
    }
    free(vals);
    if (hi <= lo) {
        double pad = fabs(lo) > 0 ? fabs(lo) * 0.05 : 0.5;
        lo -= pad;
        hi += pad;
    } else if (!o->ignore_outliers) {
        double pad = (hi - lo) * 0.03;
        lo -= pad;
        hi += pad;
    }
    m->y0 = lo;
    m->y1 = hi;
    m->nxticks = md_chart_ticks(m->x0, m->x1, 6, m->xticks, &m->xtick_step);
    m->nyticks = md_chart_ticks(m->y0, m->y1, 5, m->yticks, &m->ytick_step);
    return MD_OK;
}

void md_chart_zoom(struct md_chart_opts *o, const struct md_chart_model *m, double factor)
{
    double c = (m->x0 + m->x1) / 2, half = (m->x1 - m->x0) / 2 * factor;
    double full = m->data_x1 - m->data_x0;
    if (half * 2 >= full || full <= 0) {
        o->zoom = false;
        return;
    }
    if (half * 2 < full / 1000)
        half = full / 2000;
    double a = c - half, b = c + half;
    if (a < m->data_x0) {
        b += m->data_x0 - a;
        a = m->data_x0;
    }
    if (b > m->data_x1) {
        a -= b - m->data_x1;
        b = m->data_x1;
    }
    o->zoom = true;
    o->zx0 = a;
    o->zx1 = b;
}

void md_chart_pan(struct md_chart_opts *o, const struct md_chart_model *m, double frac)
{
    if (!o->zoom)
        return;
    double w = m->x1 - m->x0, d = w * frac;
    double a = m->x0 + d, b = m->x1 + d;
    if (a < m->data_x0) {
        a = m->data_x0;
        b = a + w;
    }
    if (b > m->data_x1) {
        b = m->data_x1;
        a = b - w;
    }
    o->zx0 = a;
    o->zx1 = b;
}
