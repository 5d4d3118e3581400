/* libFuzzer target for the YOLO label-file parser of the inference pane
 * (ui/infer_match.c) and the matching that consumes its boxes:
 *   clang -fsanitize=fuzzer,address,undefined -I src -I . tests/fuzz/fuzz_yolo_labels.c \
 *       ui/infer_match.c src/util/err.c -lm -o fuzz_yolo_labels
 * The first two bytes choose the image size.  With -DMD_FUZZ_MAIN instead
 * of -fsanitize=fuzzer it replays the files named on the command line, or
 * without arguments the seed corpus in $MLDECK_SRCDIR/tests/fuzz/corpus/yolo_labels,
 * printing TAP (make check runs it as tests/fuzz/replay_yolo_labels). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ui/infer_match.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int w = 320, h = 240;
    if (size >= 2) {
        w = 1 + data[0] * 17;
        h = 1 + data[1] * 13;
        data += 2;
        size -= 2;
    }
    struct md_label *l = NULL;
    int n = 0;
    struct md_err err;
    if (md_labels_parse((const char *)data, size, w, h, &l, &n, &err) == MD_OK && n > 0) {
        /* Every label as a detection of its own class: all must match. */
        struct md_match_det *d = calloc((size_t)n, sizeof *d);
        int *st = calloc((size_t)n, sizeof *st), *hit = calloc((size_t)n, sizeof *hit);
        if (d && st && hit) {
            for (int i = 0; i < n; i++)
                d[i] = (struct md_match_det){l[i].cls, 0.5f, l[i].x1, l[i].y1, l[i].x2, l[i].y2};
            struct md_match_counts c;
            md_match(d, n, l, n, 0.5, st, NULL, hit, &c);
            for (int i = 0; i < n; i++)
                if (l[i].x1 < 0 || l[i].x2 > w || l[i].y1 < 0 || l[i].y2 > h || l[i].x1 > l[i].x2)
                    abort();
        }
        free(d);
        free(st);
        free(hit);
    }
    free(l);
    return 0;
}

#ifdef MD_FUZZ_MAIN
#define MD_FUZZ_CORPUS "yolo_labels"
#include "replay.h"
#endif
