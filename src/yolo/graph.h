/* The execution plan built once from an ONNX graph: a table of values with
 * static shapes, the steps to run in topological order, and one arena in
 * which every intermediate value has a byte offset chosen from the values'
 * lifetimes.  Values can be views of another value's storage (Reshape,
 * Identity, Split outputs, Concat inputs), which removes those copies.
 * Private to src/yolo. */
#ifndef MD_YOLO_GRAPH_H
#define MD_YOLO_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "yolo/onnx.h"
#include "yolo/pool.h"

#define MD_MAXDIM MD_ONNX_MAXDIM

struct md_val {
    const char *name;
    int dtype;                  /* MD_DT_F32 / MD_DT_I64; 0 = not yet known */
    int ndim;
    int64_t dims[MD_MAXDIM];
    size_t numel;
    void *cdata;                /* constant data, or NULL for a runtime value */
    int own_cdata;              /* cdata was malloc'd by the plan */
    int producer;               /* node index, -1 for graph inputs and initializers */
    int n_consumers;
    int is_input, is_output;
    /* storage: a view of `parent` at byte offset `poff`, or a root */
    int parent;                 /* -1 for a root */
    size_t poff;
    size_t off;                 /* arena offset of a root */
    int first, last;            /* lifetime of a root, in step indexes */
};

enum md_act { MD_ACT_NONE = 0, MD_ACT_SIGMOID, MD_ACT_SILU, MD_ACT_EXP };

struct md_conv {
    int cin, cout, group;
    int kh, kw, sh, sw, dh, dw;
    int pt, pl, pb, pr;
    int ih, iw, oh, ow;
    int act;
    int depthwise;              /* group == cin == cout */
    int dw3;                    /* depthwise 3x3 stride 1 on the AVX-512 loop */
    int direct;                 /* 1x1, stride 1, no pad: the input is the GEMM operand */
    int rowwise;                /* im2col over kx only, one GEMM per ky (see conv.c) */
    float *wk;                  /* rowwise: weights as kh matrices [cout][cin*kw], plan-owned */
    const float *w;             /* [cout][cin/group * kh * kw] */
    const float *bias;          /* [cout] or NULL */
    /* the AVX-512 kernel of dconv.c (dk = 1) */
    int dk;
    int pw, ph;                 /* phase planes: ph rows of pw floats (pw >= ow) */
    float *wp;                  /* weights [cout/8][K][8], then the bias; plan-owned */
    int32_t *koff;              /* [K]: where GEMM row k starts in the planes; plan-owned */
    /* Winograd F(2x2,3x3) of wino.c (wino = 1) */
    int wino;
    float *wu;                  /* transformed weights [16][cout/8][cin][8]; plan-owned */
    int32_t *wkoff;             /* GEMM row offsets in V for the two block sizes; plan-owned */
};

struct md_plan;
struct md_step;

typedef void (*md_run_fn)(struct md_plan *p, struct md_step *s);

struct md_step {
    const struct md_onnx_node *node;
    const struct md_op *op;
    int *in;                    /* value indexes, -1 for an omitted input */
    int n_in;
    int *out;
    int n_out;
    int fold;                   /* all inputs constant: computed while planning */
    int skip;                   /* pure view: nothing to run */
    int act;                    /* fused activation (Conv) */
    struct md_conv conv;
    int64_t iparam[4 * MD_MAXDIM];
    float fparam[4];
};

struct md_op {
    const char *name;
    const char *const *attrs;   /* the attributes we implement; others are refused */
    /* Shape inference and parameter checks; sets the outputs' dtype/shape. */
    md_status (*prepare)(struct md_plan *p, struct md_step *s, struct md_err *err);
    md_run_fn run;
    int can_fold;
    int min_in, max_in;         /* inputs; the first min_in must be present */
    int max_out;
};

struct md_plan {
    struct md_onnx_model *model;
    int opset;
    struct md_val *vals;
    int n_vals, cap_vals;
    /* name -> value index (open addressing) */
    int *hash;
    size_t hash_cap;
    struct md_step *steps;
    int n_steps;
    int input, output;          /* value indexes of the image input and output0 */
    unsigned char *arena;
    size_t arena_size;
    float *scratch;             /* per-thread im2col tiles */
    size_t scratch_per_thread;  /* floats */
    float *xbuf;                /* the row-im2col matrix of a stride-1 conv (shared by the threads) */
    struct md_pool *pool;
    int nthreads;
    double *step_ms;            /* per-step wall time when MLDECK_YOLO_PROFILE is set, else NULL */
    int profile_runs;
};

size_t md_dtype_size(int dtype);
/* 64-byte aligned (2 MiB and huge pages from 2 MiB up); free() it. */
void *md_plan_alloc(size_t bytes);
void *md_plan_ptr(struct md_plan *p, int v);
const struct md_op *md_op_find(const char *name);
const struct md_onnx_attr *md_step_attr(const struct md_step *s, const char *name);
int64_t md_step_attr_int(const struct md_step *s, const char *name, int64_t dflt);
md_status md_step_set_out(struct md_plan *p, struct md_step *s, int k, int dtype, int ndim,
                          const int64_t *dims, struct md_err *err);
md_status md_conv_prepare(struct md_plan *p, struct md_step *s, struct md_err *err);
void md_conv_run(struct md_plan *p, struct md_step *s);
size_t md_conv_scratch(const struct md_conv *c);
size_t md_conv_shared_scratch(const struct md_conv *c);
/* dconv.c: decides dk and packs the weights; runs a dk convolution. */
md_status md_dconv_prepare(struct md_conv *c, struct md_err *err);
size_t md_dconv_copy_floats(const struct md_conv *c);
void md_dconv_run(struct md_plan *p, const struct md_conv *c, const float *in, float *out);
/* MLDECK_YOLO_KERNEL: -1 blas, 1 direct, 0 unset (the default mix) */
int md_dk_choice(void);
/* wino.c: decides wino and transforms the weights; runs a wino convolution. */
md_status md_wino_prepare(struct md_conv *c, int choice, struct md_err *err);
size_t md_wino_copy_floats(const struct md_conv *c);
size_t md_wino_scratch(const struct md_conv *c);
void md_wino_run(struct md_plan *p, const struct md_conv *c, const float *in, float *out);

/* Builds the plan from a parsed model (which must outlive the plan). */
md_status md_plan_build(struct md_onnx_model *m, int nthreads, struct md_plan **out,
                        struct md_err *err);
void md_plan_free(struct md_plan *p);
/* Runs every step once; reads the input value, fills the output value. */
void md_plan_run(struct md_plan *p);
md_status md_plan_set_threads(struct md_plan *p, int nthreads, struct md_err *err);

#endif
