/* libFuzzer target for the screen's two parsers of outside text: the keys
 * file (~/.config/mldeck/keys) and the `/` filter language.  Build by hand:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -I src -I . \
 *       tests/fuzz/fuzz_ui_keys.c ui/keymap.c ui/filter.c -o fuzz_ui_keys
 *   ./fuzz_ui_keys -max_len=2048 tests/fuzz/corpus/ui_keys
 *
 * With -DMD_FUZZ_MAIN instead of -fsanitize=fuzzer it replays the files
 * named on the command line, or without arguments the seed corpus in
 * $MLDECK_SRCDIR/tests/fuzz/corpus/ui_keys, printing TAP (make check runs
 * it as tests/fuzz/replay_ui_keys). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ui/filter.h"
#include "ui/keymap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool any_kind_action(const char *name)
{
    return name[0] == 's';
}

static void ignore(void *ctx, int line, const char *msg)
{
    (void)ctx;
    (void)line;
    (void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    struct md_keymap *km = md_keymap_new();
    if (km) {
        md_keymap_load_text(km, s, any_kind_action, ignore, NULL);
        for (int key = 0; key < 512; key++)
            for (int c = 0; c < MD_CTX_COUNT; c++)
                md_keymap_lookup(km, (enum md_key_ctx)c, key);
        md_keymap_free(km);
    }
    md_key_parse(s);
    const char *titles[] = {"Name", "Status", "Started", "Duration", "Start"};
    struct md_filter f;
    md_filter_parse(s, titles, 5, &f);
    free(s);
    return 0;
}

#ifdef MD_FUZZ_MAIN
#define MD_FUZZ_CORPUS "ui_keys"
#include "replay.h"
#endif
