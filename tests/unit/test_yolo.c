/* The YOLO core against the references in ../shared/models: the raw output
 * fed input_f32.bin, the letterbox tensor built from the image file, and the
 * final detections (both confidence thresholds) for every reference folder
 * of both models. */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "yolo/yolo.h"

static void *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    rewind(f);
    void *b = malloc(len > 0 ? (size_t)len + 1 : 1);
    if (b && fread(b, 1, (size_t)len, f) != (size_t)len) {
        free(b);
        b = NULL;
    }
    fclose(f);
    if (b)
        ((char *)b)[len] = 0;
    *n = (size_t)len;
    return b;
}

static double iou(const float *a, const float *b)
{
    double ix = fmin(a[2], b[2]) - fmax(a[0], b[0]), iy = fmin(a[3], b[3]) - fmax(a[1], b[1]);
    double inter = ix > 0 && iy > 0 ? ix * iy : 0;
    double ua = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
    return ua > 0 ? inter / ua : (inter == 0 && ua == 0 ? 1 : 0);
}

/* Same number, and every reference detection matched by one of ours with
 * the same class, IoU >= 0.99 and confidence within tol. */
static void check_dets(const char *path, const struct md_yolo_result *r, double tol, const char *what)
{
    size_t n;
    char *txt = slurp(path, &n);
    cJSON *j = txt ? cJSON_Parse(txt) : NULL;
    cJSON *dets = cJSON_GetObjectItem(j, "detections");
    if (!TAP_OK(cJSON_IsArray(dets), "%s: reference parsed", what)) {
        cJSON_Delete(j);
        free(txt);
        return;
    }
    int nref = cJSON_GetArraySize(dets);
    TAP_EQ_INT(r->n, nref, "%s: %d detections", what, nref);
    char *used = calloc((size_t)r->n + 1, 1);
    int matched = 0;
    double worst_conf = 0, worst_iou = 1;
    for (int i = 0; i < nref; i++) {
        cJSON *d = cJSON_GetArrayItem(dets, i), *xy = cJSON_GetObjectItem(d, "xyxy");
        float rb[4];
        for (int k = 0; k < 4; k++)
            rb[k] = (float)cJSON_GetArrayItem(xy, k)->valuedouble;
        int cls = cJSON_GetObjectItem(d, "cls")->valueint;
        double conf = cJSON_GetObjectItem(d, "conf")->valuedouble;
        int best = -1;
        double best_iou = 0;
        for (int k = 0; k < r->n; k++) {
            if (used[k] || r->dets[k].cls != cls || fabs(r->dets[k].conf - conf) > tol)
                continue;
            double v = iou(rb, &r->dets[k].x1);
            if (v > best_iou) {
                best_iou = v;
                best = k;
            }
        }
        if (best >= 0 && best_iou >= 0.99) {
            used[best] = 1;
            matched++;
            worst_iou = fmin(worst_iou, best_iou);
            worst_conf = fmax(worst_conf, fabs(r->dets[best].conf - conf));
        } else {
            tap_diag("unmatched reference %d: cls %d conf %.6f box %.2f %.2f %.2f %.2f", i, cls, conf, rb[0],
                     rb[1], rb[2], rb[3]);
        }
    }
    TAP_EQ_INT(matched, nref, "%s: all matched (worst IoU %.5f, worst conf diff %.2g)", what, worst_iou,
               worst_conf);
    free(used);
    cJSON_Delete(j);
    free(txt);
}

static void check_folder(struct md_yolo_model *m, const char *shared, const char *model_dir,
                         const char *folder)
{
    char path[1024], img_path[1024];
    const struct md_yolo_info *info = md_yolo_model_info(m);
    size_t in_n, raw_n;
    snprintf(path, sizeof path, "%s/models/refs/%s/%s/input_f32.bin", shared, model_dir, folder);
    float *input = slurp(path, &in_n);
    snprintf(path, sizeof path, "%s/models/refs/%s/%s/raw_ort.bin", shared, model_dir, folder);
    float *ref = slurp(path, &raw_n);
    size_t want_in = (size_t)3 * info->imgsz_h * info->imgsz_w;
    size_t want_out = (size_t)(4 + info->n_classes) * info->n_anchors;
    if (!TAP_OK(input && ref && in_n == want_in * 4 && raw_n == want_out * 4, "%s/%s: reference files",
                model_dir, folder)) {
        free(input);
        free(ref);
        return;
    }
    /* 1. the network alone */
    memcpy(md_yolo_input(m), input, in_n);
    md_yolo_forward(m);
    const float *out = md_yolo_output(m);
    int N = info->n_anchors;
    double max_box = 0, max_cls = 0;
    for (size_t i = 0; i < want_out; i++) {
        double d = fabs((double)out[i] - ref[i]);
        if (i < (size_t)4 * N)
            max_box = fmax(max_box, d / fmax(fabs(ref[i]), 1e-6));
        else
            max_cls = fmax(max_cls, d);
    }
    /* 1e-4 relative on box values.  A centre near the image border is a
     * value near 0 where "relative" means nothing (ONNX Runtime and PyTorch
     * differ there by 4e-4 of the value themselves), so values under 16 px
     * are held to 1e-4 * 16 px absolute. */
    double max_box16 = 0;
    for (size_t i = 0; i < (size_t)4 * N; i++)
        max_box16 = fmax(max_box16, fabs((double)out[i] - ref[i]) / fmax(fabs(ref[i]), 16.0));
    TAP_OK(max_box16 <= 1e-4, "%s/%s raw boxes within 1e-4 relative (max %.2g; %.2g without the 16 px floor)",
           model_dir, folder, max_box16, max_box);
    TAP_OK(max_cls <= 1e-3, "%s/%s raw class scores within 1e-3 (max %.2g)", model_dir, folder, max_cls);

    /* 2. the letterbox from the image file */
    snprintf(img_path, sizeof img_path, "%s/models/images/%s", shared, folder);
    char *us = strrchr(img_path, '_');
    *us = '.';
    struct md_image img;
    struct md_err err = {0};
    if (!TAP_OK(md_image_load(img_path, &img, &err) == MD_OK, "%s decodes (%s)", folder, err.msg)) {
        free(input);
        free(ref);
        return;
    }
    struct md_yolo_letterbox lb;
    TAP_OK(md_yolo_preprocess(m, &img, &lb, &err) == MD_OK, "%s/%s letterbox", model_dir, folder);
    const float *mine = md_yolo_input(m);
    double max_px = 0;
    size_t ndiff = 0;
    for (size_t i = 0; i < want_in; i++) {
        double d = fabs((double)mine[i] - input[i]);
        if (d > 1e-7)
            ndiff++;
        max_px = fmax(max_px, d);
    }
    int resized = lb.new_w != img.w || lb.new_h != img.h;
    TAP_OK(resized ? max_px <= 1.0 / 255 + 1e-6 : ndiff == 0,
           "%s/%s letterbox tensor matches input_f32.bin (%s, %zu values differ, max %.3g)", model_dir, folder,
           resized ? "resized" : "no resize", ndiff, max_px);

    /* 3. final detections at both thresholds */
    double tol = resized ? 1e-2 : 1e-3;
    float confs[2] = {0.25f, 0.001f};
    const char *files[2] = {"dets_conf0.25.json", "dets_conf0.001.json"};
    for (int c = 0; c < 2; c++) {
        struct md_yolo_opts o = MD_YOLO_OPTS_DEFAULT;
        o.conf = confs[c];
        struct md_yolo_result r;
        if (!TAP_OK(md_yolo_detect(m, &img, &o, &r, &err) == MD_OK, "detect %s", err.msg))
            continue;
        char what[256];
        snprintf(what, sizeof what, "%s/%s conf %g", model_dir, folder, confs[c]);
        snprintf(path, sizeof path, "%s/models/refs/%s/%s/%s", shared, model_dir, folder, files[c]);
        check_dets(path, &r, tol, what);
        md_yolo_result_free(&r);
    }
    md_image_free(&img);
    free(input);
    free(ref);
}

static void run_model(const char *shared, const char *file, const char *model_dir, int threads)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/models/%s", shared, file);
    struct md_yolo_model *m;
    struct md_err err = {0};
    if (!TAP_OK(md_yolo_model_load(path, threads, &m, &err) == MD_OK, "load %s (%s)", file, err.msg))
        return;
    const struct md_yolo_info *info = md_yolo_model_info(m);
    TAP_EQ_STR(info->task, "detect", "%s task", file);
    TAP_EQ_INT(info->opset, 12, "%s opset", file);
    snprintf(path, sizeof path, "%s/models/refs/%s", shared, model_dir);
    DIR *d = opendir(path);
    struct dirent *e;
    char names[16][64];
    int n = 0;
    while (d && (e = readdir(d)) && n < 16)
        if (e->d_name[0] != '.')
            snprintf(names[n++], sizeof names[0], "%s", e->d_name);
    if (d)
        closedir(d);
    TAP_OK(n > 0, "%s has reference folders", model_dir);
    for (int i = 0; i < n; i++)
        check_folder(m, shared, model_dir, names[i]);
    md_yolo_model_free(m);
}

int main(void)
{
    const char *shared = getenv("MLDECK_SHARED");
    char probe[1024];
    snprintf(probe, sizeof probe, "%s/models/aerial4_yolo11n_320.onnx", shared ? shared : "");
    FILE *f = shared ? fopen(probe, "rb") : NULL;
    if (!f)
        tap_skip_all("MLDECK_SHARED/models not found");
    fclose(f);

    run_model(shared, "aerial4_yolo11n_320.onnx", "aerial4_320", 2);
    struct md_yolo_model *m;
    struct md_err err = {0};
    snprintf(probe, sizeof probe, "%s/models/aerial4_yolo11n_320.onnx", shared);
    if (md_yolo_model_load(probe, 1, &m, &err) == MD_OK) {
        const struct md_yolo_info *info = md_yolo_model_info(m);
        TAP_EQ_INT(info->n_classes, 4, "aerial4 has 4 classes");
        TAP_EQ_STR(md_yolo_class_name(m, 0), "vehicle", "class 0 name from metadata");
        TAP_EQ_STR(md_yolo_class_name(m, 3), "boat", "class 3 name from metadata");
        TAP_EQ_INT(info->imgsz_w, 320, "imgsz from the input shape");
        TAP_EQ_INT(info->n_anchors, 2100, "2100 anchors at 320");
        md_yolo_model_free(m);
    }
    /* the 640 model single-threaded: the other way of splitting the work */
    run_model(shared, "yolo11n_nc80_randbn_640.onnx", "yolo11n_nc80_randbn_640", 1);
    /* the convolution paths the default mix leaves out (see dconv.c):
     * everything on OpenBLAS, everything on the direct AVX-512 kernel */
    const char *kernels[] = {"blas", "direct"};
    for (int k = 0; k < 2; k++) {
        setenv("MLDECK_YOLO_KERNEL", kernels[k], 1);
        tap_diag("MLDECK_YOLO_KERNEL=%s", kernels[k]);
        run_model(shared, "yolo11n_nc80_randbn_640.onnx", "yolo11n_nc80_randbn_640", 2);
        run_model(shared, "aerial4_yolo11n_320.onnx", "aerial4_320", 1);
    }
    unsetenv("MLDECK_YOLO_KERNEL");
    return tap_done();
}
