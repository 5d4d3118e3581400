/* mldeck's side of the inference benchmark: load MODEL, feed INPUT_F32
 * (a letterboxed tensor) WARMUP + REPS times, print one JSON line with the
 * median and minimum forward time and the process's peak RSS.
 *   bench_yolo MODEL INPUT_F32 THREADS WARMUP REPS */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "yolo/yolo.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: bench_yolo MODEL INPUT_F32 THREADS WARMUP REPS\n");
        return 2;
    }
    struct rusage ru0;
    getrusage(RUSAGE_SELF, &ru0);
    struct md_err err = {0};
    struct md_yolo_model *m;
    if (md_yolo_model_load(argv[1], atoi(argv[3]), &m, &err)) {
        fprintf(stderr, "bench_yolo: %s\n", err.msg);
        return 1;
    }
    const struct md_yolo_info *info = md_yolo_model_info(m);
    size_t n = (size_t)3 * info->imgsz_h * info->imgsz_w;
    float *input = malloc(n * sizeof(float));
    FILE *f = fopen(argv[2], "rb");
    if (!input || !f || fread(input, sizeof(float), n, f) != n) {
        fprintf(stderr, "bench_yolo: cannot read %zu floats from %s\n", n, argv[2]);
        return 1;
    }
    fclose(f);
    int warmup = atoi(argv[4]), reps = atoi(argv[5]);
    double *t = calloc((size_t)(reps > 0 ? reps : 1), sizeof *t);
    for (int i = 0; i < warmup + reps; i++) {
        double t0 = now_ms();
        /* the input slot is reused by the arena during a run: refill it */
        memcpy(md_yolo_input(m), input, n * sizeof(float));
        md_yolo_forward(m);
        if (i >= warmup)
            t[i - warmup] = now_ms() - t0;
    }
    qsort(t, (size_t)reps, sizeof *t, cmp);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("{\"engine\": \"mldeck\", \"threads\": %d, \"median_ms\": %.3f, \"min_ms\": %.3f, "
           "\"peak_rss_kb\": %ld, \"base_rss_kb\": %ld, \"arena_kb\": %zu}\n",
           info->threads, t[reps / 2], t[0], ru.ru_maxrss, ru0.ru_maxrss, info->arena_bytes / 1024);
    free(t);
    free(input);
    md_yolo_model_free(m);
    return 0;
}
