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
        snprintf(dir, sizeof dir, "%s/tests/fuzz/corpus/ui_keys", src ? src : ".");
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
