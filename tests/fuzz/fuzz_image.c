/* libFuzzer target for the image loaders: the bytes are decoded as PNG or
 * JPEG (EXIF orientation included); a decoded image is letterboxed to
 * 64x64 (exercising the OpenCV-style resize).  The EXIF reader is also fed
 * the raw bytes.
 * Build by hand:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I src -D_GNU_SOURCE \
 *     tests/fuzz/fuzz_image.c src/data/[a-z]*.c src/yolo/letterbox.c src/util/err.c \
 *     -lpng -ljpeg -lm -o fuzz_image
 *   ./fuzz_image -max_len=200000 -rss_limit_mb=2048 tests/fuzz/corpus/image
 *
 * With -DMD_FUZZ_MAIN instead of -fsanitize=fuzzer it replays a corpus
 * (see main below). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "data/image.h"
#include "yolo/yolo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct md_err err = {0};
    struct md_image img;
    (void)md_exif_orientation(data, size);
    if (md_image_decode(data, size, &img, &err) != MD_OK) {
        if (!err.msg[0])
            abort();
        return 0;
    }
    if ((size_t)img.w * img.h <= 1 << 20) {
        float *t = malloc(sizeof(float) * 3 * 64 * 64);
        struct md_yolo_letterbox lb;
        if (t && md_yolo_letterbox(&img, 64, 64, t, &lb, &err) == MD_OK && (lb.new_w > 64 || lb.new_h > 64))
            abort();
        free(t);
    }
    md_image_free(&img);
    return 0;
}

#ifdef MD_FUZZ_MAIN
#include <dirent.h>

/* Replays the files named on the command line, or without arguments the
 * seed corpus in $MLDECK_SRCDIR/tests/fuzz/corpus/image, printing TAP (make
 * check runs it as tests/fuzz/replay_image).  A crash fails the test. */
static int replay(const char *path, int k)
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
    int ok = b && fread(b, 1, (size_t)n, f) == (size_t)n;
    fclose(f);
    if (ok)
        LLVMFuzzerTestOneInput(b, (size_t)n);
    free(b);
    printf("%s %d - %s\n", ok ? "ok" : "not ok", k, path);
    return !ok;
}

int main(int argc, char **argv)
{
    int k = 0, bad = 0;
    if (argc > 1) {
        for (int i = 1; i < argc; i++)
            bad += replay(argv[i], ++k);
    } else {
        const char *src = getenv("MLDECK_SRCDIR");
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/tests/fuzz/corpus/image", src ? src : ".");
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
            bad += replay(path, ++k);
        }
        closedir(d);
    }
    printf("1..%d\n", k);
    return bad ? 1 : 0;
}
#endif
