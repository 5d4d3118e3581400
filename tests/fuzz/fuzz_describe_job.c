/* libFuzzer target for the rendered head of a job's describe
 * (ui/describe_job.c): it reads DescribeTrainingJob / DescribeProcessingJob
 * objects from the cache, i.e. a server's bytes.  Build by hand:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -I src -I . \
 *       tests/fuzz/fuzz_describe_job.c ui/describe_job.c src/kind/kind.c src/kind/kinds.c \
 *       src/util/json.c src/util/buf.c src/util/err.c -lcjson -lm -o fuzz_describe_job
 *   ./fuzz_describe_job -max_len=16384 tests/fuzz/corpus/describe_job
 *
 * With -DMD_FUZZ_MAIN it replays the seed corpus (make check runs it as
 * tests/fuzz/replay_describe_job). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ui/describe_job.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cJSON *obj = cJSON_ParseWithLength((const char *)data, size);
    if (!obj)
        return 0;
    static const char *const kinds[] = {"training-jobs", "processing-jobs"};
    static const int widths[] = {40, 80, 211};
    for (size_t k = 0; k < 2; k++)
        for (size_t w = 0; w < 3; w++) {
            const struct md_kind *kind = md_kind_find(kinds[k]);
            struct md_jobsum_line *l = NULL;
            size_t n = md_jobsum_render(kind, obj, widths[w], w != 1, 1795180000, &l);
            for (size_t i = 0; i < n; i++) {
                size_t len = strlen(l[i].text);
                for (size_t s = 0; s < l[i].nspans; s++)
                    if (l[i].spans[s].off + l[i].spans[s].len > len)
                        abort();   /* a span past its line */
                md_jobsum_role_at(&l[i], len / 2, NULL);
            }
            md_jobsum_lines_free(l, n);
            (void)md_jobsum_is_summary(kind, obj);
        }
    cJSON_Delete(obj);
    return 0;
}

#ifdef MD_FUZZ_MAIN
#define MD_FUZZ_CORPUS "describe_job"
#include "replay.h"
#endif
