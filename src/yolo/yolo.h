/* mldeck's YOLO detector: load an Ultralytics YOLO11/YOLOv8 detection model
 * exported to ONNX, run it on an image with the same pre- and
 * post-processing as Ultralytics `predict`, get boxes in image pixels.
 *
 * A model is used by one thread at a time (it owns one activation arena);
 * the TUI runs it from a worker.  md_yolo_detect may be called repeatedly. */
#ifndef MD_YOLO_H
#define MD_YOLO_H

#include <stddef.h>
#include <stdint.h>

#include "data/image.h"
#include "util/err.h"

struct md_yolo_model;

struct md_yolo_info {
    int imgsz_h, imgsz_w;       /* the network input size */
    int n_classes;
    int n_anchors;              /* N of output0 [1, 4+nc, N] */
    const char *const *names;   /* n_classes class names */
    int opset;
    const char *task;           /* "detect" */
    size_t arena_bytes;         /* activations, planned once */
    size_t weight_bytes;
    int n_steps;                /* kernels per inference after fusion/folding */
    int threads;
};

struct md_yolo_opts {
    float conf;                 /* 0.25 */
    float iou;                  /* 0.7 */
    int max_det;                /* 300 */
};
#define MD_YOLO_OPTS_DEFAULT {0.25f, 0.7f, 300}

struct md_yolo_det {
    float x1, y1, x2, y2;       /* original-image pixels, clipped */
    float conf;
    int cls;
};

struct md_yolo_letterbox {
    int src_w, src_h;           /* the original image */
    int new_w, new_h;           /* the resized image inside the input */
    int top, left;              /* padding */
    double ratio;
    int pad_x, pad_y;           /* the offsets scale_boxes takes back out */
};

struct md_yolo_result {
    struct md_yolo_det *dets;   /* malloc'd; md_yolo_result_free */
    int n;
    int img_w, img_h;
    struct md_yolo_letterbox lb;
    double preprocess_ms, inference_ms, postprocess_ms;
};

/* Loads an .onnx file -- or a SageMaker model.tar.gz (gzip magic), from
 * which the .onnx is unpacked -- checks it is a supported detection model
 * and builds the execution plan.  threads <= 0 means all online CPUs. */
md_status md_yolo_model_load(const char *path, int threads, struct md_yolo_model **out,
                             struct md_err *err);
/* The same from bytes in memory. */
md_status md_yolo_model_load_mem(const void *data, size_t len, int threads,
                                 struct md_yolo_model **out, struct md_err *err);
void md_yolo_model_free(struct md_yolo_model *m);
const struct md_yolo_info *md_yolo_model_info(const struct md_yolo_model *m);
const char *md_yolo_class_name(const struct md_yolo_model *m, int cls);
md_status md_yolo_set_threads(struct md_yolo_model *m, int threads, struct md_err *err);

/* The input tensor [1,3,H,W] (write it, then md_yolo_forward) and the raw
 * output [1, 4+nc, N] (valid until the next forward). */
float *md_yolo_input(struct md_yolo_model *m);
const float *md_yolo_output(struct md_yolo_model *m);
void md_yolo_forward(struct md_yolo_model *m);

/* Letterboxes img into the model input (Ultralytics rules, pad 114). */
md_status md_yolo_preprocess(struct md_yolo_model *m, const struct md_image *img,
                             struct md_yolo_letterbox *lb, struct md_err *err);
/* Confidence filter, class-aware NMS, boxes back to image pixels. */
md_status md_yolo_postprocess(const struct md_yolo_model *m, const struct md_yolo_opts *o,
                              const struct md_yolo_letterbox *lb, struct md_yolo_result *res,
                              struct md_err *err);
/* All three, with timings.  res is owned by the caller (md_yolo_result_free). */
md_status md_yolo_detect(struct md_yolo_model *m, const struct md_image *img,
                         const struct md_yolo_opts *o, struct md_yolo_result *res,
                         struct md_err *err);
void md_yolo_result_free(struct md_yolo_result *res);

/* Letterbox geometry for an image of w x h into S_h x S_w. */
void md_yolo_letterbox_geometry(int w, int h, int sh, int sw, struct md_yolo_letterbox *lb);
/* Writes the letterboxed image as float NCHW RGB /255 into out (3*sh*sw). */
md_status md_yolo_letterbox(const struct md_image *img, int sh, int sw, float *out,
                            struct md_yolo_letterbox *lb, struct md_err *err);
/* Decode + NMS on a raw output buffer (exposed for tests). */
md_status md_yolo_nms(const float *raw, int nc, int n, const struct md_yolo_opts *o,
                      const struct md_yolo_letterbox *lb, struct md_yolo_result *res,
                      struct md_err *err);

#endif
