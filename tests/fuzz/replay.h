/* The one replay main of the fuzz targets.  A target built with
 * -DMD_FUZZ_MAIN (instead of -fsanitize=fuzzer) defines MD_FUZZ_CORPUS and
 * includes this after its LLVMFuzzerTestOneInput: the program then replays
 * the files named on its command line, or without arguments the seed corpus
 * in $MLDECK_SRCDIR/tests/fuzz/corpus/<MD_FUZZ_CORPUS>, printing TAP, so
 * `make check` runs every corpus under whatever sanitizers the build has.
 * A crash or sanitizer report fails the test. */
#ifndef MD_FUZZ_REPLAY_H
#define MD_FUZZ_REPLAY_H

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef MD_FUZZ_CORPUS
#error "define MD_FUZZ_CORPUS (the folder under tests/fuzz/corpus) before including replay.h"
#endif

static int md_fuzz_replay_file(const char *path, int k)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        printf("not ok %d - cannot read %s\n", k, path);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    uint8_t *b = malloc(n > 0 ? (size_t)n : 1);
    int ok = b && n >= 0 && fread(b, 1, (size_t)n, f) == (size_t)n;
    fclose(f);
    if (ok)
        LLVMFuzzerTestOneInput(b, (size_t)n);
    free(b);
    printf("%s %d - replay %s\n", ok ? "ok" : "not ok", k, path);
    fflush(stdout);
    return !ok;
}

int main(int argc, char **argv)
{
    int k = 0, bad = 0;
    if (argc > 1) {
        for (int i = 1; i < argc; i++)
            bad += md_fuzz_replay_file(argv[i], ++k);
    } else {
        const char *src = getenv("MLDECK_SRCDIR");
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/tests/fuzz/corpus/%s", src ? src : ".", MD_FUZZ_CORPUS);
        DIR *d = opendir(dir);
        if (!d) {
            printf("1..0 # SKIP no corpus at %s\n", dir);
            return 0;
        }
        struct dirent *e;
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.')
                continue;
            char path[8192];
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            bad += md_fuzz_replay_file(path, ++k);
        }
        closedir(d);
    }
    printf("1..%d\n", k);
    return bad ? 1 : 0;
}

#endif
