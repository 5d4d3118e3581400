#include "mlflow/series.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool number_of(const cJSON *v, double *out)
{
    if (cJSON_IsNumber(v)) {
        *out = v->valuedouble;
        return true;
    }
    if (!cJSON_IsString(v))
        return false;
    const char *s = v->valuestring;
    if (!strcmp(s, "NaN") || !strcmp(s, "nan")) {
        *out = NAN;
        return true;
    }
    if (!strcmp(s, "Infinity") || !strcmp(s, "inf")) {
        *out = INFINITY;
        return true;
    }
    if (!strcmp(s, "-Infinity") || !strcmp(s, "-inf")) {
        *out = -INFINITY;
        return true;
    }
    return false;
}

struct idx_point {
    double step, ts, value;
    size_t order;       /* keeps the sort stable */
};

static int cmp_point(const void *a, const void *b)
{
    const struct idx_point *x = a, *y = b;
    if (x->step != y->step)
        return x->step < y->step ? -1 : 1;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

void md_series_free(struct md_series *s)
{
    if (!s)
        return;
    free(s->step);
    free(s->ts_ms);
    free(s->value);
    memset(s, 0, sizeof *s);
}

md_status md_series_from_json(const cJSON *metrics, struct md_series *out, struct md_err *err)
{
    memset(out, 0, sizeof *out);
    if (cJSON_IsObject(metrics))
        metrics = cJSON_GetObjectItemCaseSensitive(metrics, "metrics");
    if (!metrics)
        return MD_OK;   /* {} is an empty history */
    if (!cJSON_IsArray(metrics))
        return md_err_set(err, MD_ERR_PARSE, "a metric history is not a list");
    size_t n = (size_t)cJSON_GetArraySize(metrics);
    if (n == 0)
        return MD_OK;
    struct idx_point *p = malloc(n * sizeof *p);
    if (!p)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    size_t k = 0;
    const cJSON *m;
    cJSON_ArrayForEach(m, metrics) {
        double step, ts, v;
        if (!number_of(cJSON_GetObjectItemCaseSensitive(m, "step"), &step) || !isfinite(step) ||
            !number_of(cJSON_GetObjectItemCaseSensitive(m, "timestamp"), &ts) || !isfinite(ts) ||
            !number_of(cJSON_GetObjectItemCaseSensitive(m, "value"), &v)) {
            free(p);
            return md_err_set(err, MD_ERR_PARSE,
                              "metric point %zu has no numeric step, timestamp or value", k);
        }
        p[k] = (struct idx_point){step, ts, v, k};
        k++;
    }
    qsort(p, k, sizeof *p, cmp_point);
    out->step = malloc(k * sizeof *out->step);
    out->ts_ms = malloc(k * sizeof *out->ts_ms);
    out->value = malloc(k * sizeof *out->value);
    if (!out->step || !out->ts_ms || !out->value) {
        free(p);
        md_series_free(out);
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < k; i++) {
        out->step[i] = p[i].step;
        out->ts_ms[i] = p[i].ts;
        out->value[i] = p[i].value;
    }
    out->n = k;
    free(p);
    return MD_OK;
}

double md_series_x(const struct md_series *s, size_t i, enum md_series_axis axis)
{
    switch (axis) {
    case MD_AXIS_WALL:
        return s->ts_ms[i] / 1000.0;
    case MD_AXIS_RELATIVE: {
        /* points are in step order; the first logged is the earliest time */
        double t0 = s->ts_ms[0];
        for (size_t j = 1; j < s->n; j++)
            if (s->ts_ms[j] < t0)
                t0 = s->ts_ms[j];
        return (s->ts_ms[i] - t0) / 1000.0;
    }
    case MD_AXIS_STEP:
    default:
        return s->step[i];
    }
}

void md_series_xs(const struct md_series *s, enum md_series_axis axis, double *out)
{
    double t0 = s->n ? s->ts_ms[0] : 0;
    for (size_t j = 1; j < s->n; j++)
        if (s->ts_ms[j] < t0)
            t0 = s->ts_ms[j];
    for (size_t i = 0; i < s->n; i++)
        out[i] = axis == MD_AXIS_RELATIVE ? (s->ts_ms[i] - t0) / 1000.0 : md_series_x(s, i, axis);
}

void md_series_ema(const double *in, double *out, size_t n, double w)
{
    if (!(w > 0 && w < 1)) {
        if (out != in)
            memmove(out, in, n * sizeof *out);
        return;
    }
    double acc = 0, weight = 0;
    for (size_t i = 0; i < n; i++) {
        double x = in[i];
        if (!isfinite(x)) {
            out[i] = x;
            continue;
        }
        acc = acc * w + (1 - w) * x;
        weight = weight * w + (1 - w);
        out[i] = acc / weight;
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

bool md_series_range(const double *v, size_t n, double lo_pct, double hi_pct, double *lo,
                     double *hi)
{
    double *f = malloc((n ? n : 1) * sizeof *f);
    size_t k = 0;
    if (!f) {
        /* no memory: the plain min/max */
        bool any = false;
        for (size_t i = 0; i < n; i++)
            if (isfinite(v[i])) {
                if (!any || v[i] < *lo)
                    *lo = v[i];
                if (!any || v[i] > *hi)
                    *hi = v[i];
                any = true;
            }
        return any;
    }
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i]))
            f[k++] = v[i];
    if (k == 0) {
        free(f);
        return false;
    }
    qsort(f, k, sizeof *f, cmp_double);
    if (lo_pct < 0)
        lo_pct = 0;
    if (hi_pct > 100)
        hi_pct = 100;
    if (hi_pct < lo_pct)
        hi_pct = lo_pct;
    /* nearest-rank on the sorted finite values */
    size_t li = (size_t)floor(lo_pct / 100.0 * (double)(k - 1) + 0.5);
    size_t hi_i = (size_t)floor(hi_pct / 100.0 * (double)(k - 1) + 0.5);
    *lo = f[li < k ? li : k - 1];
    *hi = f[hi_i < k ? hi_i : k - 1];
    free(f);
    return true;
}

void md_series_downsample(const struct md_series *s, const double *values,
                          enum md_series_axis axis, double x0, double x1,
                          struct md_series_bucket *cols, size_t ncols)
{
    for (size_t c = 0; c < ncols; c++)
        cols[c] = (struct md_series_bucket){0, 0, NAN, NAN, NAN};
    if (ncols == 0 || !s || s->n == 0)
        return;
    if (!values)
        values = s->value;
    double span = x1 - x0;
    double t0 = s->ts_ms[0];   /* relative axis: the earliest time, found once */
    for (size_t j = 1; j < s->n; j++)
        if (s->ts_ms[j] < t0)
            t0 = s->ts_ms[j];
    for (size_t i = 0; i < s->n; i++) {
        double x = axis == MD_AXIS_RELATIVE ? (s->ts_ms[i] - t0) / 1000.0 : md_series_x(s, i, axis);
        size_t c;
        if (!(span > 0)) {
            c = 0;
        } else {
            if (x < x0 || x > x1)
                continue;
            double pos = (x - x0) / span * (double)ncols;
            c = pos >= (double)ncols ? ncols - 1 : (size_t)pos;
        }
        struct md_series_bucket *b = &cols[c];
        double v = values[i];
        b->count++;
        b->last = v;
        if (isnan(v)) {
            b->nan++;
            continue;
        }
        if (!isfinite(v))
            continue;
        if (isnan(b->min) || v < b->min)
            b->min = v;
        if (isnan(b->max) || v > b->max)
            b->max = v;
    }
}
