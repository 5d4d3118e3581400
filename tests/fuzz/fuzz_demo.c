/* libFuzzer target for the demo's kind-file parser (md_demo_parse_rows):
 * JSON documents with rows, time keys in three encodings, ids at kind paths
 * and the compact printer.  The first byte picks the kind and whether to
 * filter on a parent.  Build by hand:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -I src -I BUILDDIR \
 *       -DMLDECK_DATADIR='"/usr/local/share/mldeck"' \
 *       -I /usr/include/cjson tests/fuzz/fuzz_demo.c src/local/demo.c src/kind/kind.c \
 *       src/kind/kinds.c src/cache/*.c src/util/*.c -lcjson -lsqlite3 -lm -o fuzz_demo
 *   ./fuzz_demo -max_len=8192 CORPUS_DIR   (seeds: a kind byte + a few rows of a data/demo file)
 *
 * -DMD_FUZZ_MAIN instead of -fsanitize=fuzzer gives a main that replays files. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "kind/kind.h"
#include "local/demo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int sink(void *ctx, const char *id, const char *parent, const char *json)
{
    size_t *n = ctx;
    *n += strlen(id) + strlen(parent) + strlen(json);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const struct md_kind *k = md_kind_at(data[0] % md_kind_count());
    const char *parent = (data[0] & 0x80) ? "yolo11-train" : NULL;
    size_t total = 0;
    struct md_err err;
    md_demo_parse_rows(k->name, (const char *)data + 1, size - 1, parent,
                       (double)(data[0] * 86400), sink, &total, &err);
    return 0;
}

#ifdef MD_FUZZ_MAIN
int main(int argc, char **argv)
{
    static uint8_t buf[1 << 23];
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f)
            continue;
        buf[0] = (uint8_t)i;
        size_t n = fread(buf + 1, 1, sizeof buf - 1, f);
        fclose(f);
        LLVMFuzzerTestOneInput(buf, n + 1);
    }
    return 0;
}
#endif
