/* libFuzzer target for the metric-file reader of the MLflow file store
 * ("timestamp value step" lines, src/local/mlruns.c).  Build by hand:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I src -D_GNU_SOURCE \
 *       tests/fuzz/fuzz_mlruns_metrics.c src/local/mlruns.c src/local/mlruns_yaml.c \
 *       src/util/err.c src/util/buf.c src/util/json.c -lcjson -lm -o fuzz_mlruns_metrics
 *   ./fuzz_mlruns_metrics -max_len=4096 tests/fuzz/corpus/mlruns_metrics
 *
 * -DMD_FUZZ_MAIN (no libFuzzer) replays the seed corpus (tests/fuzz/replay.h). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "local/mlruns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cJSON *arr = cJSON_CreateArray();
    struct md_err err;
    if (md_mlruns_parse_metric_file((const char *)data, size, "k", "fuzz", arr, &err) == MD_OK) {
        const cJSON *p;
        cJSON_ArrayForEach(p, arr) {
            if (!cJSON_GetObjectItem(p, "value") || !cJSON_IsNumber(cJSON_GetObjectItem(p, "step")))
                abort();
        }
    }
    char *s = cJSON_PrintUnformatted(arr);
    free(s);
    cJSON_Delete(arr);
    return 0;
}

#ifdef MD_FUZZ_MAIN
#define MD_FUZZ_CORPUS "mlruns_metrics"
#include "replay.h"
#endif
