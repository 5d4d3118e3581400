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
#include <dirent.h>
#include <stdio.h>

static int replay(const char *path, int k)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        printf("not ok %d - cannot read %s\n", k, path);
        return 1;
    }
    static uint8_t buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    LLVMFuzzerTestOneInput(buf, n);
    printf("ok %d - replay %s\n", k, path);
    return 0;
}

int main(int argc, char **argv)
{
    int k = 0, bad = 0;
    if (argc > 1) {
        for (int i = 1; i < argc; i++)
            bad += replay(argv[i], ++k);
    } else {
        const char *src = getenv("MLDECK_SRCDIR");
        char dir[1024];
        snprintf(dir, sizeof dir, "%s/tests/fuzz/corpus/dag", src ? src : ".");
        DIR *d = opendir(dir);
        if (!d) {
            printf("1..0 # SKIP no corpus at %s\n", dir);
            return 0;
        }
        struct dirent *e;
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.')
                continue;
            char p[1300];
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            bad += replay(p, ++k);
        }
        closedir(d);
    }
    printf("1..%d\n", k);
    return bad ? 1 : 0;
}
#endif
