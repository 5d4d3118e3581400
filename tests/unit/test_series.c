/* Metric histories as chart series: parsing (order, NaN, Infinity, bad
 * points), axes, EMA, percentile range, downsampling with gaps and NaN. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "mlflow/series.h"
#include "util/json.h"

static cJSON *history(const char *text)
{
    return cJSON_Parse(text);
}

int main(void)
{
    struct md_series s;
    struct md_err err;
    cJSON *j = history("[{\"key\":\"k\",\"value\":3,\"timestamp\":3000,\"step\":2},"
                       "{\"key\":\"k\",\"value\":\"NaN\",\"timestamp\":4000,\"step\":3},"
                       "{\"key\":\"k\",\"value\":1,\"timestamp\":1000,\"step\":0},"
                       "{\"key\":\"k\",\"value\":\"Infinity\",\"timestamp\":2000,\"step\":1}]");
    TAP_EQ_INT(md_series_from_json(j, &s, &err), MD_OK, "parse");
    TAP_EQ_INT(s.n, 4, "4 points");
    TAP_OK(s.step[0] == 0 && s.step[1] == 1 && s.step[2] == 2 && s.step[3] == 3, "sorted by step");
    TAP_OK(isinf(s.value[1]) && s.value[1] > 0, "Infinity");
    TAP_OK(isnan(s.value[3]), "NaN stays NaN (not 0)");
    TAP_OK(md_series_x(&s, 2, MD_AXIS_WALL) == 3.0 && md_series_x(&s, 2, MD_AXIS_RELATIVE) == 2.0,
           "wall and relative time axes");
    double out[4];
    md_series_ema(s.value, out, 4, 0.6);
    TAP_OK(out[0] == 1.0, "EMA is debiased: the first point is itself");
    TAP_OK(isinf(out[1]) && isnan(out[3]), "EMA passes NaN/Infinity through");
    TAP_OK(fabs(out[2] - (0.6 * 0.4 * 1 + 0.4 * 3) / (1 - 0.36)) < 1e-12,
           "EMA skips non-finite points in its average");
    md_series_ema(s.value, out, 4, 0);
    TAP_OK(out[0] == 1 && out[2] == 3, "weight 0: no smoothing");
    md_series_free(&s);
    cJSON_Delete(j);

    j = history("{\"metrics\":[{\"key\":\"k\",\"value\":1,\"timestamp\":1,\"step\":1}]}");
    TAP_OK(md_series_from_json(j, &s, &err) == MD_OK && s.n == 1, "the cached row form");
    md_series_free(&s);
    cJSON_Delete(j);
    j = history("{}");
    TAP_OK(md_series_from_json(j, &s, &err) == MD_OK && s.n == 0, "{} is empty");
    cJSON_Delete(j);
    const char *bad[] = {"[{\"value\":1,\"timestamp\":1}]", "[{\"value\":\"x\",\"timestamp\":1,\"step\":1}]",
                         "[{\"value\":1,\"timestamp\":\"NaN\",\"step\":1}]", "[3]", "\"x\""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        j = history(bad[i]);
        TAP_EQ_INT(md_series_from_json(j, &s, &err), MD_ERR_PARSE, "bad history %s", bad[i]);
        TAP_OK(s.n == 0 && !s.value, "bad history leaves nothing");
        cJSON_Delete(j);
    }

    /* range: one outlier of 100 values is ignored by p5-p95 */
    double v[101];
    for (int i = 0; i < 100; i++)
        v[i] = i / 100.0;
    v[100] = 1e9;
    double lo, hi;
    TAP_OK(md_series_range(v, 101, 5, 95, &lo, &hi) && lo == 0.05 && hi == 0.95,
           "p5-p95 drops the outlier (%g..%g)", lo, hi);
    TAP_OK(md_series_range(v, 101, 0, 100, &lo, &hi) && lo == 0 && hi == 1e9, "full range");
    double nans[3] = {NAN, NAN, INFINITY};
    TAP_OK(!md_series_range(nans, 3, 5, 95, &lo, &hi), "no finite value: no range");

    /* downsample: steps 0..9 and 20..29 (a gap), NaN at step 25 */
    cJSON *arr = cJSON_CreateArray();
    for (int i = 0; i < 30; i++) {
        if (i >= 10 && i < 20)
            continue;
        cJSON *p = cJSON_CreateObject();
        cJSON_AddStringToObject(p, "key", "k");
        if (i == 25)
            cJSON_AddStringToObject(p, "value", "NaN");
        else
            cJSON_AddNumberToObject(p, "value", i);
        cJSON_AddNumberToObject(p, "timestamp", 1000.0 * i);
        cJSON_AddNumberToObject(p, "step", i);
        cJSON_AddItemToArray(arr, p);
    }
    md_series_from_json(arr, &s, &err);
    struct md_series_bucket cols[15];
    md_series_downsample(&s, NULL, MD_AXIS_STEP, 0, 29, cols, 15);
    size_t total = 0, empty = 0;
    for (int c = 0; c < 15; c++) {
        total += cols[c].count;
        empty += cols[c].count == 0;
    }
    TAP_EQ_INT(total, 20, "every point in a column");
    TAP_EQ_INT(empty, 5, "the missing steps are empty columns (a gap, not zeros)");
    TAP_OK(cols[0].min == 0 && cols[0].max == 1 && cols[0].last == 1, "min/max/last per column");
    int nancol = (int)(25.0 / 29 * 15);
    TAP_OK(cols[nancol].nan == 1, "the NaN point is counted as NaN");
    md_series_downsample(&s, NULL, MD_AXIS_STEP, 5, 5, cols, 15);
    TAP_EQ_INT(cols[0].count, 20, "empty x range: everything in column 0");
    md_series_downsample(&s, NULL, MD_AXIS_STEP, 0, 9, cols, 3);
    TAP_EQ_INT(cols[0].count + cols[1].count + cols[2].count, 10, "zoom: only points in range");
    md_series_free(&s);
    cJSON_Delete(arr);

    const char *shared = getenv("MLDECK_SHARED");
    if (shared) {
        char path[4096];
        snprintf(path, sizeof path, "%s/fixtures/mlflow/metrics_get_history_nan.json", shared);
        cJSON *f = md_json_load_file(path, &err);
        if (f) {
            TAP_OK(md_series_from_json(md_json_get(f, "$.response"), &s, &err) == MD_OK && s.n == 23 &&
                   isnan(s.value[22]) && isnan(s.value[21]) && !isnan(s.value[20]),
                   "recorded diverged run: the last two points are NaN");
            md_series_free(&s);
            cJSON_Delete(f);
        }
    }
    return tap_done();
}
