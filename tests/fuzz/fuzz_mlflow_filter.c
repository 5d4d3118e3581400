/* libFuzzer target for MLflow's search-filter and order-by parser and the
 * evaluator (src/mlflow/filter.c): the bytes are a filter for runs,
 * experiments and models, and an order-by clause; a parsed filter is
 * evaluated against a fixed run and experiment, and the LIKE matcher gets
 * the two halves of the input.  Build by hand:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I src -D_GNU_SOURCE \
 *       tests/fuzz/fuzz_mlflow_filter.c src/mlflow/filter.c src/util/err.c \
 *       src/util/json.c src/util/buf.c -lcjson -lm -o fuzz_mlflow_filter
 *   ./fuzz_mlflow_filter -max_len=512 tests/fuzz/corpus/mlflow_filter
 *
 * -DMD_FUZZ_MAIN (no libFuzzer) replays the seed corpus (tests/fuzz/replay.h). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlflow/filter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char run_json[] =
    "{\"info\":{\"run_uuid\":\"ae9d\",\"experiment_id\":\"1\",\"run_name\":\"train\","
    "\"user_id\":\"ayoub\",\"status\":\"FINISHED\",\"start_time\":1795163348379,"
    "\"end_time\":1795168124379,\"lifecycle_stage\":\"active\",\"run_id\":\"ae9d\"},"
    "\"data\":{\"metrics\":[{\"key\":\"metrics/mAP50B\",\"value\":0.8,\"timestamp\":1,"
    "\"step\":99},{\"key\":\"train/box_loss\",\"value\":\"NaN\",\"timestamp\":1,\"step\":9}],"
    "\"params\":[{\"key\":\"imgsz\",\"value\":\"640\"}],"
    "\"tags\":[{\"key\":\"mlflow.runName\",\"value\":\"train\"}]},\"inputs\":{}}";
static const char exp_json[] =
    "{\"experiment_id\":\"1\",\"name\":\"drone\",\"lifecycle_stage\":\"active\","
    "\"creation_time\":5,\"tags\":[{\"key\":\"team\",\"value\":\"cv\"}]}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static cJSON *run, *exp;
    if (!run) {
        run = cJSON_Parse(run_json);
        exp = cJSON_Parse(exp_json);
    }
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    struct md_err err;
    enum md_mlf_target targets[] = {MD_MLF_RUNS, MD_MLF_EXPERIMENTS, MD_MLF_MODELS};
    for (size_t t = 0; t < 3; t++) {
        struct md_mlf_filter f;
        if (md_mlf_filter_parse(s, targets[t], &f, &err) == MD_OK) {
            md_mlf_match_run(&f, run);
            md_mlf_match_experiment(&f, exp);
        } else if (f.n != 0 || f.v != NULL) {
            abort();    /* an error must leave nothing behind */
        }
        md_mlf_filter_free(&f);
        struct md_mlf_order_by o;
        const char *clauses[2] = {s, "attributes.start_time DESC"};
        if (md_mlf_order_parse(clauses, 2, targets[t], &o, &err) == MD_OK) {
            const cJSON *v[3] = {run, exp, run};
            md_mlf_sort_runs(&o, v, 3);
            md_mlf_sort_experiments(&o, v, 3);
        }
        md_mlf_order_free(&o);
    }
    size_t half = size / 2;
    char *a = strndup(s, half);
    if (a) {
        md_mlf_like(a, s + half, false);
        md_mlf_like(a, s + half, true);
        free(a);
    }
    free(s);
    return 0;
}

#ifdef MD_FUZZ_MAIN
#define MD_FUZZ_CORPUS "mlflow_filter"
#include "replay.h"
#endif
