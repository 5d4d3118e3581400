/* The ONNX reader and planner on bad input: truncated, garbage and
 * bit-flipped files, a cyclic graph, absurd dimensions, unsupported
 * operators/attributes/opsets/tasks, external data -- each a clear error,
 * no crash, no huge allocation -- and a tiny hand-built model whose output
 * is checked by hand. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "yolo/onnx.h"
#include "yolo/yolo.h"

/* ---- a minimal protobuf writer ---- */

struct pbw {
    uint8_t *b;
    size_t n, cap;
};

static void put(struct pbw *w, const void *p, size_t n)
{
    if (w->n + n > w->cap) {
        w->cap = (w->n + n) * 2 + 64;
        w->b = realloc(w->b, w->cap);
    }
    memcpy(w->b + w->n, p, n);
    w->n += n;
}

static void varint(struct pbw *w, uint64_t v)
{
    uint8_t b[10];
    int n = 0;
    do {
        b[n] = v & 0x7f;
        v >>= 7;
        if (v)
            b[n] |= 0x80;
        n++;
    } while (v);
    put(w, b, (size_t)n);
}

static void f_int(struct pbw *w, unsigned field, uint64_t v)
{
    varint(w, (uint64_t)field << 3);
    varint(w, v);
}

static void f_bytes(struct pbw *w, unsigned field, const void *p, size_t n)
{
    varint(w, (uint64_t)field << 3 | 2);
    varint(w, n);
    put(w, p, n);
}

static void f_str(struct pbw *w, unsigned field, const char *s)
{
    f_bytes(w, field, s, strlen(s));
}

static void f_msg(struct pbw *w, unsigned field, struct pbw *m)
{
    f_bytes(w, field, m->b, m->n);
    free(m->b);
    memset(m, 0, sizeof *m);
}

static struct pbw tensor_f32(const char *name, const int64_t *dims, int nd, const float *v, size_t n)
{
    struct pbw t = {0};
    for (int i = 0; i < nd; i++)
        f_int(&t, 1, (uint64_t)dims[i]);
    f_int(&t, 2, 1);
    f_str(&t, 8, name);
    f_bytes(&t, 9, v, n * 4);
    return t;
}

static struct pbw tensor_i64(const char *name, const int64_t *dims, int nd, const int64_t *v, size_t n)
{
    struct pbw t = {0};
    for (int i = 0; i < nd; i++)
        f_int(&t, 1, (uint64_t)dims[i]);
    f_int(&t, 2, 7);
    f_str(&t, 8, name);
    f_bytes(&t, 9, v, n * 8);
    return t;
}

static struct pbw attr_ints(const char *name, const int64_t *v, int n)
{
    struct pbw a = {0};
    f_str(&a, 1, name);
    f_int(&a, 20, 7);
    for (int i = 0; i < n; i++)
        f_int(&a, 8, (uint64_t)v[i]);
    return a;
}

static struct pbw attr_int(const char *name, int64_t v)
{
    struct pbw a = {0};
    f_str(&a, 1, name);
    f_int(&a, 20, 2);
    f_int(&a, 3, (uint64_t)v);
    return a;
}

/* node: inputs and outputs as NULL-terminated lists */
static struct pbw node(const char *op, const char *name, const char *const *in, const char *const *out,
                       struct pbw *attrs, int na)
{
    struct pbw n = {0};
    for (; *in; in++)
        f_str(&n, 1, *in);
    for (; *out; out++)
        f_str(&n, 2, *out);
    f_str(&n, 3, name);
    f_str(&n, 4, op);
    for (int i = 0; i < na; i++)
        f_msg(&n, 5, &attrs[i]);
    return n;
}

static struct pbw value_info(const char *name, const int64_t *dims, int nd)
{
    struct pbw shape = {0}, tt = {0}, type = {0}, vi = {0};
    for (int i = 0; i < nd; i++) {
        struct pbw d = {0};
        f_int(&d, 1, (uint64_t)dims[i]);
        f_msg(&shape, 1, &d);
    }
    f_int(&tt, 1, 1);
    f_msg(&tt, 2, &shape);
    f_msg(&type, 1, &tt);
    f_str(&vi, 1, name);
    f_msg(&vi, 2, &type);
    return vi;
}

static size_t graph_end;   /* bytes up to the end of the graph field */

static struct pbw model(int opset, struct pbw *graph, const char *task)
{
    struct pbw m = {0}, os = {0};
    f_int(&m, 1, 7);
    f_str(&m, 2, "mldeck-test");
    f_str(&os, 1, "");
    f_int(&os, 2, (uint64_t)opset);
    f_msg(&m, 8, &os);
    f_msg(&m, 7, graph);
    graph_end = m.n;
    if (task) {
        struct pbw kv = {0};
        f_str(&kv, 1, "task");
        f_str(&kv, 2, task);
        f_msg(&m, 14, &kv);
    }
    struct pbw kv = {0};
    f_str(&kv, 1, "names");
    f_str(&kv, 2, "{0: 'cat', 1: 'it\\'s'}");
    f_msg(&m, 14, &kv);
    return m;
}

/* The tiny valid model: Conv 1x1 (3 -> 6) + Sigmoid on [1,3,8,8], reshaped
 * to [1, 6, 64] (4 box rows + 2 classes).  Variants break one thing. */
enum variant { V_OK, V_CYCLE, V_BIG_INIT, V_BIG_INPUT, V_BIG_RESHAPE, V_BAD_OP, V_BAD_ATTR,
               V_EXTERNAL, V_DANGLING, V_DUP_OUTPUT };

static float W[6 * 3], B[6];

static struct pbw build(enum variant v, int opset, const char *task)
{
    struct pbw g = {0};
    int64_t wd[4] = {6, 3, 1, 1}, bd[1] = {6}, sd[1] = {3}, shape[3] = {1, 6, 64};
    for (int i = 0; i < 18; i++)
        W[i] = (float)((i * 7) % 11 - 5) / 4.0f;
    for (int i = 0; i < 6; i++)
        B[i] = (float)i / 10.0f - 0.2f;
    struct pbw t;
    if (v == V_BIG_INIT) {
        int64_t huge[2] = {INT32_MAX, INT32_MAX};
        t = tensor_f32("w", huge, 2, W, 1);
    } else if (v == V_EXTERNAL) {
        t = (struct pbw){0};
        for (int i = 0; i < 4; i++)
            f_int(&t, 1, (uint64_t)wd[i]);
        f_int(&t, 2, 1);
        f_str(&t, 8, "w");
        f_int(&t, 14, 1);
    } else {
        t = tensor_f32("w", wd, 4, W, 18);
    }
    f_msg(&g, 5, &t);
    t = tensor_f32("b", bd, 1, B, 6);
    f_msg(&g, 5, &t);
    if (v == V_BIG_RESHAPE) {
        int64_t hs[3] = {1, 6, (int64_t)1 << 40};
        t = tensor_i64("shape", sd, 1, hs, 3);
    } else {
        t = tensor_i64("shape", sd, 1, shape, 3);
    }
    f_msg(&g, 5, &t);
    int64_t k[2] = {1, 1};
    struct pbw attrs[2];
    attrs[0] = attr_ints("kernel_shape", k, 2);
    attrs[1] = v == V_BAD_ATTR ? attr_int("frobnicate", 1) : attr_int("group", 1);
    const char *conv_in[] = {v == V_CYCLE ? "r" : "images", "w", "b", NULL}, *conv_out[] = {"c", NULL};
    struct pbw n = node(v == V_BAD_OP ? "DeformConv" : "Conv", "conv0", conv_in, conv_out, attrs, 2);
    f_msg(&g, 1, &n);
    const char *s_in[] = {"c", NULL}, *s_out[] = {v == V_DUP_OUTPUT ? "c" : "s", NULL};
    n = node("Sigmoid", "sig0", s_in, s_out, NULL, 0);
    f_msg(&g, 1, &n);
    const char *r_in[] = {v == V_DANGLING ? "nowhere" : "s", "shape", NULL}, *r_out[] = {"r", NULL};
    n = node("Reshape", "reshape0", r_in, r_out, NULL, 0);
    f_msg(&g, 1, &n);
    int64_t in_dims[4] = {1, 3, 8, 8}, big_dims[4] = {1, 3, 1000000000, 1000000000};
    struct pbw vi = value_info("images", v == V_BIG_INPUT ? big_dims : in_dims, 4);
    f_msg(&g, 11, &vi);
    vi = value_info("r", shape, 3);
    f_msg(&g, 12, &vi);
    return model(opset, &g, task);
}

static md_status try_load(struct pbw *m, struct md_err *err)
{
    struct md_yolo_model *ym = NULL;
    md_err_clear(err);
    md_status st = md_yolo_model_load_mem(m->b, m->n, 1, &ym, err);
    md_yolo_model_free(ym);
    return st;
}

static void expect_error(enum variant v, int opset, const char *task, const char *needle, const char *what)
{
    struct pbw m = build(v, opset, task);
    struct md_err err = {0};
    md_status st = try_load(&m, &err);
    TAP_OK(st != MD_OK && strstr(err.msg, needle), "%s: refused with a clear message (%s)", what, err.msg);
    free(m.b);
}

static uint32_t rng = 12345;
static uint32_t next(void)
{
    rng = rng * 1664525u + 1013904223u;
    return rng >> 8;
}

int main(void)
{
    /* a valid tiny model, checked by hand */
    struct pbw m = build(V_OK, 12, "detect");
    struct md_yolo_model *ym = NULL;
    struct md_err err = {0};
    const char *dump = getenv("MD_WRITE_TINY_ONNX");   /* seeds tests/fuzz/corpus/onnx */
    FILE *df = dump ? fopen(dump, "wb") : NULL;
    if (df) {
        fwrite(m.b, 1, m.n, df);
        fclose(df);
    }
    md_status st = md_yolo_model_load_mem(m.b, m.n, 1, &ym, &err);
    if (TAP_OK(st == MD_OK, "tiny Conv+Sigmoid+Reshape model loads (%s)", err.msg)) {
        const struct md_yolo_info *info = md_yolo_model_info(ym);
        TAP_EQ_INT(info->n_classes, 2, "2 classes from [1,6,64]");
        TAP_EQ_INT(info->n_anchors, 64, "64 anchors");
        TAP_EQ_STR(md_yolo_class_name(ym, 0), "cat", "names metadata parsed");
        TAP_EQ_STR(md_yolo_class_name(ym, 1), "it's", "escaped quote in a name");
        float *in = md_yolo_input(ym);
        for (int i = 0; i < 3 * 64; i++)
            in[i] = (float)((i * 13) % 17) / 8.0f - 1.0f;
        float want[6 * 64];
        for (int co = 0; co < 6; co++)
            for (int p = 0; p < 64; p++) {
                double acc = B[co];
                for (int ci = 0; ci < 3; ci++)
                    acc += W[co * 3 + ci] * in[ci * 64 + p];
                want[co * 64 + p] = (float)(1.0 / (1.0 + exp(-acc)));
            }
        md_yolo_forward(ym);
        const float *out = md_yolo_output(ym);
        double maxd = 0;
        for (int i = 0; i < 6 * 64; i++)
            maxd = fmax(maxd, fabs(out[i] - want[i]));
        TAP_OK(maxd < 1e-6, "fused Conv+Sigmoid output matches a direct computation (max diff %.2g)", maxd);
        md_yolo_model_free(ym);
    }
    /* every truncation inside the graph is refused (cutting only trailing
     * metadata leaves a valid model) */
    int bad_trunc = 0;
    for (size_t n = 0; n < graph_end; n++) {
        struct md_yolo_model *t = NULL;
        md_err_clear(&err);
        if (md_yolo_model_load_mem(m.b, n, 1, &t, &err) == MD_OK || !err.msg[0])
            bad_trunc++;
        md_yolo_model_free(t);
    }
    TAP_EQ_INT(bad_trunc, 0, "all %zu truncations of the tiny model's graph give an error", graph_end);
    /* bit flips: anything may happen except a crash or a silent empty error */
    int flips_ok = 1;
    for (int i = 0; i < 400; i++) {
        uint8_t *c = malloc(m.n);
        memcpy(c, m.b, m.n);
        c[next() % m.n] ^= (uint8_t)(1u << (next() % 8));
        struct md_yolo_model *t = NULL;
        md_err_clear(&err);
        st = md_yolo_model_load_mem(c, m.n, 1, &t, &err);
        if (st != MD_OK && !err.msg[0])
            flips_ok = 0;
        md_yolo_model_free(t);
        free(c);
    }
    TAP_OK(flips_ok, "400 bit-flipped models: no crash, every failure explained");
    free(m.b);

    /* garbage */
    int garbage_ok = 1;
    for (int i = 0; i < 300; i++) {
        size_t n = next() % 4096;
        uint8_t *g = malloc(n + 1);
        for (size_t k = 0; k < n; k++)
            g[k] = (uint8_t)next();
        struct md_onnx_model *om = NULL;
        md_err_clear(&err);
        st = md_onnx_parse(g, n, &om, &err);
        if (st == MD_OK) {
            struct md_yolo_model *t = NULL;
            md_onnx_free(om);
            md_err_clear(&err);
            if (md_yolo_model_load_mem(g, n, 1, &t, &err) == MD_OK)
                garbage_ok = 0;
            md_yolo_model_free(t);
        } else if (!err.msg[0]) {
            garbage_ok = 0;
        }
        free(g);
    }
    TAP_OK(garbage_ok, "300 garbage buffers are refused with a message");
    struct md_onnx_model *om = NULL;
    TAP_OK(md_onnx_parse("", 0, &om, &err) != MD_OK && strstr(err.msg, "no graph"), "empty file: %s", err.msg);
    /* a length prefix pointing past the end */
    const uint8_t lie[] = {0x3a, 0xff, 0xff, 0xff, 0x0f, 0x0a};
    TAP_OK(md_onnx_parse(lie, sizeof lie, &om, &err) != MD_OK, "length past the end: %s", err.msg);

    expect_error(V_CYCLE, 12, "detect", "cycle", "cyclic graph");
    expect_error(V_BIG_INIT, 12, "detect", "tensor 'w'", "absurd initializer dimensions");
    expect_error(V_BIG_INPUT, 12, "detect", "H,W <= 8192", "absurd input dimensions");
    expect_error(V_BIG_RESHAPE, 12, "detect", "reshape0", "absurd Reshape target");
    expect_error(V_BAD_OP, 12, "detect", "node 'conv0': operator DeformConv is not supported", "unsupported operator");
    expect_error(V_BAD_ATTR, 12, "detect", "attribute 'frobnicate'", "unsupported attribute");
    expect_error(V_EXTERNAL, 12, "detect", "external", "external data");
    expect_error(V_DANGLING, 12, "detect", "nowhere", "input nothing produces");
    expect_error(V_DUP_OUTPUT, 12, "detect", "produced twice", "output produced twice");
    expect_error(V_OK, 12, "segment", "task is 'segment'", "segmentation model");
    expect_error(V_OK, 7, "detect", "opset 7", "old opset");
    expect_error(V_OK, 30, "detect", "opset 30", "future opset");

    /* the real models, truncated at a spread of points */
    const char *shared = getenv("MLDECK_SHARED");
    char path[1024];
    snprintf(path, sizeof path, "%s/models/aerial4_yolo11n_320.onnx", shared ? shared : "");
    FILE *f = shared ? fopen(path, "rb") : NULL;
    if (f) {
        fseek(f, 0, SEEK_END);
        size_t n = (size_t)ftell(f);
        rewind(f);
        uint8_t *buf = malloc(n);
        if (fread(buf, 1, n, f) != n)
            n = 0;
        fclose(f);
        int refused = 0, tries = 0;
        for (size_t cut = 1; cut < n; cut += n / 37 + 1, tries++) {
            struct md_yolo_model *t = NULL;
            md_err_clear(&err);
            if (md_yolo_model_load_mem(buf, cut, 1, &t, &err) != MD_OK && err.msg[0])
                refused++;
            md_yolo_model_free(t);
        }
        TAP_EQ_INT(refused, tries, "the drone model truncated at %d points is refused each time", tries);
        free(buf);
    } else {
        tap_diag("MLDECK_SHARED not found: skipping the real-model truncations");
    }
    return tap_done();
}
