/* libFuzzer target for the kind formatters: the ISO 8601 parser on raw
 * bytes, and every column of every kind on the bytes parsed as JSON (a row
 * as a server might send it).  Build by hand:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I src -I /usr/include/cjson \
 *       tests/fuzz/fuzz_kind.c src/kind/kind.c src/kind/kinds.c src/util/json.c \
 *       src/util/err.c src/util/buf.c -lcjson -lm -o fuzz_kind
 *   ./fuzz_kind -max_len=4096
 *
 * Without -fsanitize=fuzzer, -DMD_FUZZ_MAIN gives a main that replays the
 * files named on the command line. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kind/kind.h"
#include "util/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    double t;
    if (md_parse_iso8601(s, &t)) {
        char back[64];
        md_fmt_iso8601(t, back, sizeof back);
        md_fmt_time(t, back, sizeof back);
        md_fmt_age(t, back, sizeof back);
    }
    cJSON *j = cJSON_ParseWithLength(s, size);
    if (j) {
        char out[96], id[128];
        enum md_tone tone;
        for (size_t i = 0; i < md_kind_count(); i++) {
            const struct md_kind *k = md_kind_at(i);
            for (size_t c = 0; c < k->ncolumns; c++)
                md_kind_format(k, &k->columns[c], j, 1795188600, out, sizeof out, &tone);
            md_kind_row_id(k, j, "parent", id, sizeof id);
            md_kind_row_tone(k, j);
        }
        cJSON_Delete(j);
    }
    free(s);
    return 0;
}

#ifdef MD_FUZZ_MAIN
int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f)
            continue;
        static uint8_t buf[1 << 20];
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        LLVMFuzzerTestOneInput(buf, n);
    }
    return 0;
}
#endif
