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
#define MD_FUZZ_CORPUS "image"
#include "replay.h"
#endif
