/* libFuzzer target for a pipeline definition's Parameters (the text comes
 * from DescribePipeline or a definition file) and the typed checks of the
 * values an operator types against it.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc -I. \
 *     tests/fuzz/fuzz_pipeline_params.c src/aws/pipeline_params.c src/util/[a-z]*.c -lcjson
 *
 * With -DMD_FUZZ_MAIN it replays the seed corpus in
 * $MLDECK_SRCDIR/tests/fuzz/corpus/pipeline_params (TAP, run by make check). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/pipeline_params.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The definition is the input; the last 64 bytes (when there are that
     * many) also serve as an operator's values. */
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    struct md_pipeline_params pp;
    struct md_err err;
    if (md_pipeline_params_parse(text, &pp, &err) == MD_OK) {
        const char *tail = size > 64 ? text + size - 64 : text;
        char out[1024];
        for (size_t i = 0; i < pp.n; i++) {
            md_pipeline_param_check(&pp.v[i], tail, out, sizeof out, &err);
            md_pipeline_param_check(&pp.v[i], pp.v[i].default_value, out, sizeof out, &err);
        }
        char assign[300];
        snprintf(assign, sizeof assign, "%s=%s", pp.n ? pp.v[0].name : "x", tail);
        char *assigns[] = {assign, (char *)"=", (char *)"a=b"};
        cJSON *arr = NULL;
        if (md_pipeline_params_build(&pp, assigns, 3, &arr, &err) == MD_OK)
            cJSON_Delete(arr);
        md_pipeline_params_free(&pp);
    }
    free(text);
    return 0;
}

#ifdef MD_FUZZ_MAIN
#include <dirent.h>

int main(int argc, char **argv)
{
    const char *src = getenv("MLDECK_SRCDIR");
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/tests/fuzz/corpus/pipeline_params", src ? src : ".");
    DIR *d = opendir(dir);
    if (!d) {
        printf("1..0 # SKIP no corpus at %s\n", dir);
        return 0;
    }
    int k = 0;
    struct dirent *e;
    static uint8_t buf[1 << 20];
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        /* every prefix too: truncated definitions must be refused cleanly */
        for (size_t cut = 0; cut <= n; cut += n / 97 + 1)
            LLVMFuzzerTestOneInput(buf, cut);
        LLVMFuzzerTestOneInput(buf, n);
        printf("ok %d - replay %s and its prefixes\n", ++k, e->d_name);
    }
    closedir(d);
    printf("1..%d\n", k);
    return 0;
}
#endif
