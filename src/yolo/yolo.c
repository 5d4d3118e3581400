/* The detector API: model checks (task, opset, output layout, class names
 * from the Ultralytics metadata), the plan, and detect = letterbox +
 * forward + NMS with timings. */
#include "yolo/yolo.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "yolo/archive.h"
#include "yolo/blas.h"
#include "yolo/graph.h"

#define MIN_OPSET 11
#define MAX_OPSET 19

struct md_yolo_model {
    struct md_onnx_model *onnx;
    struct md_plan *plan;
    struct md_yolo_info info;
    char **names;
};

/* Parses Ultralytics' names: "{0: 'vehicle', 1: 'person'}" (a Python dict). */
static int parse_names(const char *s, char **names, int nc)
{
    int found = 0;
    const char *p = s;
    while (p && *p) {
        while (*p && !isdigit((unsigned char)*p))
            p++;
        if (!*p)
            break;
        char *end;
        long id = strtol(p, &end, 10);
        p = end;
        while (*p == ' ')
            p++;
        if (*p != ':')
            continue;
        p++;
        while (*p == ' ')
            p++;
        char q = *p;
        if (q != '\'' && q != '"')
            continue;
        p++;
        char buf[256];
        size_t n = 0;
        while (*p && *p != q) {
            if (*p == '\\' && p[1])
                p++;
            if (n < sizeof buf - 1)
                buf[n++] = *p;
            p++;
        }
        buf[n] = 0;
        if (*p)
            p++;
        if (id >= 0 && id < nc && !names[id]) {
            names[id] = strdup(buf);
            found++;
        }
    }
    return found;
}

static md_status finish_load(struct md_onnx_model *om, int threads, struct md_yolo_model **out,
                             struct md_err *err)
{
    if (md_blas_load(err) != MD_OK) {
        md_onnx_free(om);
        return MD_ERR_UNSUPPORTED;
    }
    const char *task = md_onnx_meta(om, "task");
    if (task && strcmp(task, "detect")) {
        md_err_set(err, MD_ERR_UNSUPPORTED, "the model's task is '%s'; only detection models are supported",
                   task);
        md_onnx_free(om);
        return MD_ERR_UNSUPPORTED;
    }
    if (om->opset < MIN_OPSET || om->opset > MAX_OPSET) {
        md_err_set(err, MD_ERR_UNSUPPORTED, "ONNX opset %lld is not supported (mldeck runs opsets %d to %d)",
                   (long long)om->opset, MIN_OPSET, MAX_OPSET);
        md_onnx_free(om);
        return MD_ERR_UNSUPPORTED;
    }
    if (threads <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (int)n : 1;
    }
    struct md_yolo_model *m = calloc(1, sizeof *m);
    if (!m) {
        md_onnx_free(om);
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    m->onnx = om;
    md_status st = md_plan_build(om, threads, &m->plan, err);
    if (st)
        goto fail;
    struct md_plan *p = m->plan;
    struct md_val *in = &p->vals[p->input], *o = &p->vals[p->output];
    if (o->ndim != 3 || o->dims[0] != 1 || o->dims[1] < 5) {
        st = md_err_set(err, MD_ERR_UNSUPPORTED,
                        "the output is not a detection tensor [1, 4+classes, anchors]");
        goto fail;
    }
    m->info.imgsz_h = (int)in->dims[2];
    m->info.imgsz_w = (int)in->dims[3];
    m->info.n_classes = (int)o->dims[1] - 4;
    m->info.n_anchors = (int)o->dims[2];
    m->info.opset = (int)om->opset;
    m->info.task = "detect";
    m->info.arena_bytes = p->arena_size;
    m->info.n_steps = p->n_steps;
    m->info.threads = p->nthreads;
    for (int i = 0; i < om->n_inits; i++)
        m->info.weight_bytes += om->inits[i].numel * (om->inits[i].dtype == MD_DT_I64 ? 8 : 4);
    int nc = m->info.n_classes;
    m->names = calloc((size_t)nc, sizeof *m->names);
    if (!m->names) {
        st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
        goto fail;
    }
    const char *ns = md_onnx_meta(om, "names");
    if (ns)
        parse_names(ns, m->names, nc);
    for (int i = 0; i < nc; i++)
        if (!m->names[i]) {
            char b[16];
            snprintf(b, sizeof b, "%d", i);
            m->names[i] = strdup(b);
            if (!m->names[i]) {
                st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
                goto fail;
            }
        }
    m->info.names = (const char *const *)m->names;
    *out = m;
    return MD_OK;
fail:
    md_yolo_model_free(m);
    return st;
}

md_status md_yolo_model_load(const char *path, int threads, struct md_yolo_model **out,
                             struct md_err *err)
{
    *out = NULL;
    struct md_onnx_model *om;
    if (md_yolo_is_gzip(path) == 1) {   /* a SageMaker model.tar.gz */
        char *onnx = NULL, *dir = NULL;
        md_status st = md_yolo_extract_onnx(path, &onnx, &dir, err);
        if (st)
            return st;
        st = md_onnx_load_file(onnx, &om, err);
        md_yolo_remove_tree(dir);
        free(onnx);
        free(dir);
        if (st)
            return st;
        st = finish_load(om, threads, out, err);
        if (st)
            md_err_wrap(err, "%s", path);
        return st;
    }
    md_status st = md_onnx_load_file(path, &om, err);
    if (st)
        return st;
    st = finish_load(om, threads, out, err);
    if (st)
        md_err_wrap(err, "%s", path);
    return st;
}

md_status md_yolo_model_load_mem(const void *data, size_t len, int threads,
                                 struct md_yolo_model **out, struct md_err *err)
{
    *out = NULL;
    struct md_onnx_model *om;
    md_status st = md_onnx_parse(data, len, &om, err);
    if (st)
        return st;
    return finish_load(om, threads, out, err);
}

void md_yolo_model_free(struct md_yolo_model *m)
{
    if (!m)
        return;
    md_plan_free(m->plan);
    md_onnx_free(m->onnx);
    if (m->names)
        for (int i = 0; i < m->info.n_classes; i++)
            free(m->names[i]);
    free(m->names);
    free(m);
}

const struct md_yolo_info *md_yolo_model_info(const struct md_yolo_model *m)
{
    return &m->info;
}

const char *md_yolo_class_name(const struct md_yolo_model *m, int cls)
{
    return cls >= 0 && cls < m->info.n_classes ? m->names[cls] : "?";
}

md_status md_yolo_set_threads(struct md_yolo_model *m, int threads, struct md_err *err)
{
    if (threads <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (int)n : 1;
    }
    md_status st = md_plan_set_threads(m->plan, threads, err);
    m->info.threads = m->plan->nthreads;
    return st;
}

float *md_yolo_input(struct md_yolo_model *m)
{
    return md_plan_ptr(m->plan, m->plan->input);
}

const float *md_yolo_output(struct md_yolo_model *m)
{
    return md_plan_ptr(m->plan, m->plan->output);
}

void md_yolo_forward(struct md_yolo_model *m)
{
    md_plan_run(m->plan);
}

md_status md_yolo_preprocess(struct md_yolo_model *m, const struct md_image *img,
                             struct md_yolo_letterbox *lb, struct md_err *err)
{
    return md_yolo_letterbox(img, m->info.imgsz_h, m->info.imgsz_w, md_yolo_input(m), lb, err);
}

md_status md_yolo_postprocess(const struct md_yolo_model *m, const struct md_yolo_opts *o,
                              const struct md_yolo_letterbox *lb, struct md_yolo_result *res,
                              struct md_err *err)
{
    const float *raw = md_plan_ptr(m->plan, m->plan->output);
    return md_yolo_nms(raw, m->info.n_classes, m->info.n_anchors, o, lb, res, err);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

md_status md_yolo_detect(struct md_yolo_model *m, const struct md_image *img,
                         const struct md_yolo_opts *o, struct md_yolo_result *res,
                         struct md_err *err)
{
    memset(res, 0, sizeof *res);
    struct md_yolo_letterbox lb;
    double t0 = now_ms();
    md_status st = md_yolo_preprocess(m, img, &lb, err);
    if (st)
        return st;
    double t1 = now_ms();
    md_yolo_forward(m);
    double t2 = now_ms();
    st = md_yolo_postprocess(m, o, &lb, res, err);
    double t3 = now_ms();
    res->preprocess_ms = t1 - t0;
    res->inference_ms = t2 - t1;
    res->postprocess_ms = t3 - t2;
    return st;
}
