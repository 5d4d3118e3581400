/* libFuzzer target for the ONNX reader and the planner: the bytes are
 * parsed as a model; a model that parses is planned (shape inference,
 * folding, arena) and, when that succeeds and the input is small, run once.
 * Build by hand:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I src -D_GNU_SOURCE \
 *     tests/fuzz/fuzz_onnx.c src/yolo/[a-z]*.c src/data/[a-z]*.c src/util/err.c \
 *     -lopenblas -lpng -ljpeg -lpthread -lm -o fuzz_onnx
 *   ./fuzz_onnx -max_len=65536 -rss_limit_mb=2048 tests/fuzz/corpus/onnx
 *
 * With -DMD_FUZZ_MAIN instead of -fsanitize=fuzzer it replays a corpus
 * (see main below). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "yolo/onnx.h"
#include "yolo/yolo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct md_err err = {0};
    struct md_onnx_model *m = NULL;
    if (md_onnx_parse(data, size, &m, &err) != MD_OK) {
        if (!err.msg[0])
            abort();    /* every refusal must say why */
        return 0;
    }
    md_onnx_free(m);
    struct md_yolo_model *ym = NULL;
    md_err_clear(&err);
    if (md_yolo_model_load_mem(data, size, 1, &ym, &err) != MD_OK) {
        if (!err.msg[0])
            abort();
        return 0;
    }
    const struct md_yolo_info *info = md_yolo_model_info(ym);
    if ((size_t)info->imgsz_h * info->imgsz_w <= 64 * 64) {
        float *in = md_yolo_input(ym);
        for (size_t i = 0; i < (size_t)3 * info->imgsz_h * info->imgsz_w; i++)
            in[i] = (float)(i % 255) / 255.0f;
        md_yolo_forward(ym);
        struct md_yolo_opts o = MD_YOLO_OPTS_DEFAULT;
        struct md_yolo_letterbox lb;
        struct md_yolo_result r;
        md_yolo_letterbox_geometry(info->imgsz_w, info->imgsz_h, info->imgsz_h, info->imgsz_w, &lb);
        if (md_yolo_postprocess(ym, &o, &lb, &r, &err) == MD_OK)
            md_yolo_result_free(&r);
    }
    md_yolo_model_free(ym);
    return 0;
}

#ifdef MD_FUZZ_MAIN
#define MD_FUZZ_CORPUS "onnx"
#include "replay.h"
#endif
