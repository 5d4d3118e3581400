/* libFuzzer target for the pipeline-definition graph (ui/dag.c): the DAG
 * view parses PipelineDefinition text from DescribePipelineDefinitionFor-
 * Execution and lays it out.  Build by hand:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -I src -I . \
 *       tests/fuzz/fuzz_dag.c ui/dag.c src/util/err.c -lcjson -o fuzz_dag
 *   ./fuzz_dag -max_len=8192 tests/fuzz/corpus/dag
 *
 * With -DMD_FUZZ_MAIN it replays the seed corpus in
 * $MLDECK_SRCDIR/tests/fuzz/corpus/dag (or the files named), printing TAP
 * (make check runs it as tests/fuzz/replay_dag). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ui/dag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    struct md_dag g;
    struct md_err err;
    if (md_dag_parse(s, &g, &err) == MD_OK) {
        md_dag_layout(&g, 20, 2);
        md_dag_layout(&g, 8, 1);
        for (int e = 0; e < g.nedges; e++)
            if (g.edges[e].from < 0 || g.edges[e].from >= g.n || g.edges[e].to < 0 ||
                g.edges[e].to >= g.n)
                abort();
    }
    md_dag_free(&g);
    free(s);
    return 0;
}

#ifdef MD_FUZZ_MAIN
#define MD_FUZZ_CORPUS "dag"
#include "replay.h"
#endif
