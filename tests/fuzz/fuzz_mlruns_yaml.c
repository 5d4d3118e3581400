/* libFuzzer target for the meta.yaml subset reader of the MLflow file store
 * (src/local/mlruns_yaml.c).  Build by hand:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I src -D_GNU_SOURCE \
 *       tests/fuzz/fuzz_mlruns_yaml.c src/local/mlruns_yaml.c src/util/err.c \
 *       src/util/buf.c -lcjson -lm -o fuzz_mlruns_yaml
 *   ./fuzz_mlruns_yaml -max_len=4096 tests/fuzz/corpus/mlruns_yaml
 *
 * -DMD_FUZZ_MAIN (no libFuzzer) replays the seed corpus (tests/fuzz/replay.h). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "local/mlruns_yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cJSON *j = NULL;
    struct md_err err;
    md_status st = md_mlruns_yaml_parse((const char *)data, size, "fuzz", &j, &err);
    if (st == MD_OK) {
        if (!cJSON_IsObject(j))
            abort();
        char *s = cJSON_PrintUnformatted(j);
        free(s);
    } else if (j) {
        abort();    /* an error must leave nothing behind */
    }
    cJSON_Delete(j);
    return 0;
}

#ifdef MD_FUZZ_MAIN
#define MD_FUZZ_CORPUS "mlruns_yaml"
#include "replay.h"
#endif
