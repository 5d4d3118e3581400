/* libFuzzer target for metric histories as chart series
 * (src/mlflow/series.c): the bytes are a get-history reply as a server
 * might send it; a parsed series goes through EMA, the percentile range
 * and downsampling on every axis.  Build by hand:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I src -D_GNU_SOURCE \
 *       tests/fuzz/fuzz_mlflow_series.c src/mlflow/series.c src/util/err.c \
 *       -lcjson -lm -o fuzz_mlflow_series
 *   ./fuzz_mlflow_series -max_len=4096 tests/fuzz/corpus/mlflow_series
 *
 * -DMD_FUZZ_MAIN (no libFuzzer) replays the seed corpus (tests/fuzz/replay.h). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "mlflow/series.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cJSON *j = cJSON_ParseWithLength((const char *)data, size);
    struct md_series s;
    struct md_err err;
    if (md_series_from_json(j, &s, &err) == MD_OK && s.n > 0) {
        double *sm = malloc(s.n * sizeof *sm);
        if (sm) {
            md_series_ema(s.value, sm, s.n, 0.6);
            double lo, hi;
            md_series_range(sm, s.n, 5, 95, &lo, &hi);
            struct md_series_bucket cols[37];
            for (int a = 0; a < 3; a++) {
                enum md_series_axis ax = (enum md_series_axis)a;
                double x0 = md_series_x(&s, 0, ax), x1 = md_series_x(&s, s.n - 1, ax);
                md_series_downsample(&s, sm, ax, x0, x1, cols, 37);
                md_series_downsample(&s, NULL, ax, x1, x0, cols, 1);
            }
            free(sm);
        }
    }
    md_series_free(&s);
    cJSON_Delete(j);
    return 0;
}

#ifdef MD_FUZZ_MAIN
#define MD_FUZZ_CORPUS "mlflow_series"
#include "replay.h"
#endif
