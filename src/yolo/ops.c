/* The operators other than Conv: shape inference (prepare) and kernels (run).
 * Every kernel reads and writes through md_plan_ptr, so the same code runs
 * while planning (constant folding) and at inference time. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "yolo/graph.h"
#include "yolo/act.h"
#include "yolo/blas.h"
#include "yolo/vmath.h"

#define VAL(k) (&p->vals[s->in[k]])
#define OUTV(k) (&p->vals[s->out[k]])

static md_status node_err(const struct md_step *s, struct md_err *err, md_status code,
                          const char *what)
{
    return md_err_set(err, code, "node '%s' (%s): %s", s->node->name, s->node->op_type, what);
}

static int has_in(const struct md_step *s, int k)
{
    return k < s->n_in && s->in[k] >= 0;
}

static int norm_axis(int64_t a, int ndim, int *out)
{
    if (a < 0)
        a += ndim;
    if (a < 0 || a >= ndim)
        return -1;
    *out = (int)a;
    return 0;
}

/* Reads a constant int64 input into v (at most cap values); -1 if not constant. */
static int const_ints(struct md_plan *p, const struct md_step *s, int k, int64_t *v, size_t cap,
                      size_t *n)
{
    if (!has_in(s, k))
        return -1;
    struct md_val *x = VAL(k);
    if (!x->cdata || x->numel > cap)
        return -1;
    for (size_t i = 0; i < x->numel; i++)
        v[i] = x->dtype == MD_DT_I64 ? ((int64_t *)x->cdata)[i] : (int64_t)((float *)x->cdata)[i];
    *n = x->numel;
    return 0;
}

static void copy_view(struct md_plan *p, struct md_step *s)
{
    void *src = md_plan_ptr(p, s->in[0]), *dst = md_plan_ptr(p, s->out[0]);
    if (src != dst)
        memmove(dst, src, OUTV(0)->numel * md_dtype_size(OUTV(0)->dtype));
}

/* ---- Identity, Reshape, Flatten, Squeeze, Unsqueeze: views ---- */

static md_status prep_identity(struct md_plan *p, struct md_step *s, struct md_err *err)
{
    struct md_val *x = VAL(0);
    return md_step_set_out(p, s, 0, x->dtype, x->ndim, x->dims, err);
}

static md_status prep_reshape(struct md_plan *p, struct md_step *s, struct md_err *err)
{
    struct md_val *x = VAL(0);
    int64_t shape[MD_MAXDIM];
    size_t n;
    if (const_ints(p, s, 1, shape, MD_MAXDIM, &n) < 0)
        return node_err(s, err, MD_ERR_UNSUPPORTED, "the target shape must be a constant of at most 8 values");
    if (md_step_attr_int(s, "allowzero", 0))
        return node_err(s, err, MD_ERR_UNSUPPORTED, "allowzero=1 is not supported");
    int infer = -1;
    size_t known = 1;
    for (size_t i = 0; i < n; i++) {
        if (shape[i] == 0) {
            if ((int)i >= x->ndim)
                return node_err(s, err, MD_ERR_PARSE, "shape copies a dimension the input does not have");
            shape[i] = x->dims[i];
        }
        if (shape[i] == -1) {
            if (infer >= 0)
                return node_err(s, err, MD_ERR_PARSE, "two -1 dimensions in the shape");
            infer = (int)i;
            continue;
        }
        if (shape[i] < 0 || shape[i] > INT32_MAX)
            return node_err(s, err, MD_ERR_PARSE, "invalid dimension in the shape");
        known *= (size_t)shape[i];
        if (known > MD_ONNX_MAX_ELEMS)
            return node_err(s, err, MD_ERR_PARSE, "shape too large");
    }
    if (infer >= 0) {
        if (known == 0 || x->numel % known)
            return node_err(s, err, MD_ERR_PARSE, "cannot infer the -1 dimension");
        shape[infer] = (int64_t)(x->numel / known);
        known *= (size_t)shape[infer];
    }
    if (known != x->numel)
        return node_err(s, err, MD_ERR_PARSE, "the shape does not match the number of elements");
    return md_step_set_out(p, s, 0, x->dtype, (int)n, shape, err);
}

static md_status prep_flatten(struct md_plan *p, struct md_step *s, struct md_err *err)
{
    struct md_val *x = VAL(0);
    int64_t a = md_step_attr_int(s, "axis", 1);
    if (a < 0)
        a += x->ndim;
    if (a < 0 || a > x->ndim)
        return node_err(s, err, MD_ERR_PARSE, "axis out of range");
    int64_t d[2] = {1, 1};
    for (int i = 0; i < x->ndim; i++)
        d[i >= a] *= x->dims[i];
    return md_step_set_out(p, s, 0, x->dtype, 2, d, err);
}

static md_status axes_of(struct md_plan *p, struct md_step *s, int64_t *axes, size_t *n,
                         struct md_err *err)
{
    const struct md_onnx_attr *a = md_step_attr(s, "axes");
    if (a) {
        if (a->n_ints > MD_MAXDIM)
            return node_err(s, err, MD_ERR_PARSE, "too many axes");
        memcpy(axes, a->ints, a->n_ints * sizeof *axes);
        *n = a->n_ints;
        return MD_OK;
    }
    if (has_in(s, 1)) {
        if (const_ints(p, s, 1, axes, MD_MAXDIM, n) < 0)
            return node_err(s, err, MD_ERR_UNSUPPORTED, "axes must be constant");
        return MD_OK;
    }
    *n = 0;
    return MD_OK;
}

static md_status prep_squeeze(struct md_plan *p, struct md_step *s, struct md_err *err)
{
    struct md_val *x = VAL(0);
    int64_t axes[MD_MAXDIM], d[MD_MAXDIM];
    size_t n;
    md_status st = axes_of(p, s, axes, &n, err);
    if (st)
        return st;
    int drop[MD_MAXDIM] = {0}, nd = 0;
    for (size_t i = 0; i < n; i++) {
        int a;
        if (norm_axis(axes[i], x->ndim, &a) < 0 || x->dims[a] != 1)
            return node_err(s, err, MD_ERR_PARSE, "invalid squeeze axis");
        drop[a] = 1;
    }
    for (int i = 0; i < x->ndim; i++)
        if (!(n ? drop[i] : x->dims[i] == 1))
            d[nd++] = x->dims[i];
    return md_step_set_out(p, s, 0, x->dtype, nd, d, err);
}

static md_status prep_unsqueeze(struct md_plan *p, struct md_step *s, struct md_err *err)
{
    struct md_val *x = VAL(0);
    int64_t axes[MD_MAXDIM], d[MD_MAXDIM];
    size_t n;
    md_status st = axes_of(p, s, axes, &n, err);
    if (st)
        return st;
    int nd = x->ndim + (int)n;
    if (nd > MD_MAXDIM)
        return node_err(s, err, MD_ERR_UNSUPPORTED, "too many dimensions");
    int ins[MD_MAXDIM] = {0};
    for (size_t i = 0; i < n; i++) {
        int a;
        if (norm_axis(axes[i], nd, &a) < 0 || ins[a])
            return node_err(s, err, MD_ERR_PARSE, "invalid unsqueeze axis");
        ins[a] = 1;
    }
    for (int i = 0, j = 0; i < nd; i++)
        d[i] = ins[i] ? 1 : x->dims[j++];
    return md_step_set_out(p, s, 0, x->dtype, nd, d, err);
}

/* ---- Constant, Shape, Cast ---- */

static md_status prep_constant(struct md_plan *p, struct md_step *s, struct md_err *err)
{
    const struct md_onnx_attr *a;
    struct md_val *o = OUTV(0);
    if ((a = md_step_attr(s, "value")) && a->t) {
        md_status st = md_step_set_out(p, s, 0, a->t->dtype, a->t->ndim, a->t->dims, err);
        if (st)
            return st;
        o->cdata = a->t->data;  /* owned by the model */
        return MD_OK;
    }
    int64_t one = 1;
    if ((a = md_step_attr(s, "value_float"))) {
        md_status st = md_step_set_out(p, s, 0, MD_DT_F32, 0, &one, err);
        if (st)
            return st;
        o->cdata = (void *)&a->f;
        return MD_OK;
    }
    if ((a = md_step_attr(s, "value_int"))) {
        md_status st = md_step_set_out(p, s, 0, MD_DT_I64, 0, &one, err);
        if (st)
            return st;
        o->cdata = (void *)&a->i;
        return MD_OK;
    }
    if ((a = md_step_attr(s, "value_ints"))) {
        int64_t n = (int64_t)a->n_ints;
        md_status st = md_step_set_out(p, s, 0, MD_DT_I64, 1, &n, err);
        if (st)
            return st;
        o->cdata = a->ints;
        return MD_OK;
    }
    if ((a = md_step_attr(s, "value_floats"))) {
        int64_t n = (int64_t)a->n_floats;
        md_status st = md_step_set_out(p, s, 0, MD_DT_F32, 1, &n, err);
        if (st)
            return st;
        o->cdata = a->floats;
        return MD_OK;
    }
    return node_err(s, err, MD_ERR_UNSUPPORTED, "no supported value attribute");
}

static md_status prep_shape(struct md_plan *p, struct md_step *s, struct md_err *err)
{
    struct md_val *x = VAL(0);
    if (md_step_attr(s, "start") || md_step_attr(s, "end"))
        return node_err(s, err, MD_ERR_UNSUPPORTED, "start/end attributes are not supported");
    int64_t n = x->ndim;
    md_status st = md_step_set_out(p, s, 0, MD_DT_I64, 1, &n, err);
    if (st)
        return st;
    struct md_val *o = OUTV(0);
    int64_t *d = malloc(sizeof(int64_t) * (size_t)(n ? n : 1));
    if (!d)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    memcpy(d, x->dims, sizeof(int64_t) * (size_t)n);
    o->cdata = d;
    o->own_cdata = 1;
    return MD_OK;
}

static md_status prep_cast(struct md_plan *p, struct md_step *s, struct md_err *err)
{
    struct md_val *x = VAL(0);
    int64_t to = md_step_attr_int(s, "to", 0);
    int dt;
    if (to == 1 || to == 10 || to == 11)
        dt = MD_DT_F32;
    else if (to == 6 || to == 7 || to == 9 || to == 2 || to == 3 || to == 12 || to == 13)
        dt = MD_DT_I64;
    else
        return node_err(s, err, MD_ERR_UNSUPPORTED, "cast to this data type is not supported");
    return md_step_set_out(p, s, 0, dt, x->ndim, x->dims, err);
}

static void run_cast(struct md_plan *p, struct md_step *s)
{
    struct md_val *x = VAL(0), *o = OUTV(0);
    void *src = md_plan_ptr(p, s->in[0]), *dst = md_plan_ptr(p, s->out[0]);
    int64_t to = md_step_attr_int(s, "to", 0);
    for (size_t i = 0; i < x->numel; i++) {
        double v = x->dtype == MD_DT_F32 ? ((float *)src)[i] : (double)((int64_t *)src)[i];
        if (to == 9)
            v = v != 0;
        if (o->dtype == MD_DT_F32)
            ((float *)dst)[i] = (float)v;
        else
            ((int64_t *)dst)[i] = (int64_t)v;
    }
}

/* ---- elementwise binary with numpy broadcasting ---- */

enum { BIN_ADD, BIN_SUB, BIN_MUL, BIN_DIV, BIN_POW };

static md_status prep_binary(struct md_plan *p, struct md_step *s, struct md_err *err)
{
    struct md_val *a = VAL(0), *b = VAL(1);
    if (a->dtype != b->dtype)
        return node_err(s, err, MD_ERR_UNSUPPORTED, "inputs of different data types");
    int nd = a->ndim > b->ndim ? a->ndim : b->ndim;
    int64_t d[MD_MAXDIM];
    for (int i = 0; i < nd; i++) {
        int ia = i - (nd - a->ndim), ib = i - (nd - b->ndim);
        int64_t da = ia >= 0 ? a->dims[ia] : 1, db = ib >= 0 ? b->dims[ib] : 1;
        if (da != db && da != 1 && db != 1)
            return node_err(s, err, MD_ERR_PARSE, "shapes cannot be broadcast");
        d[i] = da == 1 ? db : da;
    }
    /* iparam: [0] = ndim, then per dim the strides of a and b (0 = broadcast) */
    s->iparam[0] = nd;
    int64_t sa = 1, sb = 1;
    for (int i = nd - 1; i >= 0; i--) {
        int ia = i - (nd - a->ndim), ib = i - (nd - b->ndim);
        int64_t da = ia >= 0 ? a->dims[ia] : 1, db = ib >= 0 ? b->dims[ib] : 1;
        s->iparam[1 + i] = da == 1 ? 0 : sa;
        s->iparam[1 + MD_MAXDIM + i] = db == 1 ? 0 : sb;
        sa *= da;
        sb *= db;
    }
    return md_step_set_out(p, s, 0, a->dtype, nd, d, err);
}

#define BINOP_F(OP, x, y) ((OP) == BIN_ADD ? (x) + (y) : (OP) == BIN_SUB ? (x) - (y) : \
                           (OP) == BIN_MUL ? (x) * (y) : (OP) == BIN_DIV ? (x) / (y) : powf((x), (y)))

static int64_t binop_i(int op, int64_t x, int64_t y)
{
    switch (op) {
    case BIN_ADD: return x + y;
    case BIN_SUB: return x - y;
    case BIN_MUL: return x * y;
    case BIN_DIV: return y ? x / y : 0;
    default: {
        int64_t r = 1;
        for (int64_t i = 0; i < y && i < 64; i++)
            r *= x;
        return r;
    }
    }
}

__attribute__((target_clones("avx512f", "avx2", "default")))
__attribute__((target_clones("avx512f", "avx2", "default")))
static void bin_f32(int op, const float *a, const float *b, float *o, size_t n, int64_t sa, int64_t sb)
{
    if (sa && !sb && op != BIN_POW) {      /* tensor and scalar (the attention scale) */
        float y = b[0];
        switch (op) {
        case BIN_ADD: for (size_t i = 0; i < n; i++) o[i] = a[i] + y; break;
        case BIN_SUB: for (size_t i = 0; i < n; i++) o[i] = a[i] - y; break;
        case BIN_MUL: for (size_t i = 0; i < n; i++) o[i] = a[i] * y; break;
        default: for (size_t i = 0; i < n; i++) o[i] = a[i] / y; break;
        }
        return;
    }
    if (sa && sb) {
        switch (op) {
        case BIN_ADD: for (size_t i = 0; i < n; i++) o[i] = a[i] + b[i]; break;
        case BIN_SUB: for (size_t i = 0; i < n; i++) o[i] = a[i] - b[i]; break;
        case BIN_MUL: for (size_t i = 0; i < n; i++) o[i] = a[i] * b[i]; break;
        case BIN_DIV: for (size_t i = 0; i < n; i++) o[i] = a[i] / b[i]; break;
        default: for (size_t i = 0; i < n; i++) o[i] = powf(a[i], b[i]); break;
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            float x = a[sa ? i : 0], y = b[sb ? i : 0];
            o[i] = BINOP_F(op, x, y);
        }
    }
}

struct bin_job {
    const float *a, *b;
    float *o;
    int op, sa, sb;
    size_t n, chunk;
};

static void bin_task(void *ctx, size_t t, int thread)
{
    struct bin_job *j = ctx;
    size_t i0 = t * j->chunk, n = i0 + j->chunk < j->n ? j->chunk : j->n - i0;
    bin_f32(j->op, j->a + (j->sa ? i0 : 0), j->b + (j->sb ? i0 : 0), j->o + i0, n, j->sa, j->sb);
}

static void run_binary_op(struct md_plan *p, struct md_step *s, int op)
{
    struct md_val *o = OUTV(0), *va = VAL(0), *vb = VAL(1);
    const void *a = md_plan_ptr(p, s->in[0]), *b = md_plan_ptr(p, s->in[1]);
    void *out = md_plan_ptr(p, s->out[0]);
    int nd = (int)s->iparam[0];
    const int64_t *sa = &s->iparam[1], *sb = &s->iparam[1 + MD_MAXDIM];
    int64_t inner = nd ? o->dims[nd - 1] : 1;
    int64_t isa = nd ? sa[nd - 1] : 0, isb = nd ? sb[nd - 1] : 0;
    /* fast path: flat when both are full or one is a scalar */
    if ((va->numel == o->numel || va->numel == 1) && (vb->numel == o->numel || vb->numel == 1)) {
        if (o->dtype == MD_DT_F32 && o->numel >= 65536 && !s->fold && p->nthreads > 1) {
            struct bin_job j = {a, b, out, op, va->numel != 1, vb->numel != 1, o->numel, 16384};
            md_pool_run(p->pool, (o->numel + j.chunk - 1) / j.chunk, bin_task, &j);
            return;
        }
        inner = (int64_t)o->numel;
        isa = va->numel != 1;
        isb = vb->numel != 1;
        nd = 1;
    }
    size_t outer = inner ? o->numel / (size_t)inner : 0;
    int64_t idx[MD_MAXDIM] = {0};
    size_t ao = 0, bo = 0;
    for (size_t r = 0; r < outer; r++) {
        if (o->dtype == MD_DT_F32) {
            bin_f32(op, (const float *)a + ao, (const float *)b + bo, (float *)out + r * (size_t)inner,
                    (size_t)inner, isa, isb);
        } else {
            const int64_t *ai = (const int64_t *)a + ao, *bi = (const int64_t *)b + bo;
            int64_t *oi = (int64_t *)out + r * (size_t)inner;
            for (int64_t i = 0; i < inner; i++)
                oi[i] = binop_i(op, ai[isa ? i : 0], bi[isb ? i : 0]);
        }
        /* advance the outer multi-index (dims 0 .. nd-2) */
        for (int d = nd - 2; d >= 0; d--) {
            idx[d]++;
            ao += (size_t)sa[d];
            bo += (size_t)sb[d];
            if (idx[d] < o->dims[d])
                break;
            ao -= (size_t)(sa[d] * idx[d]);
            bo -= (size_t)(sb[d] * idx[d]);
            idx[d] = 0;
        }
    }
}

static void run_add(struct md_plan *p, struct md_step *s) { run_binary_op(p, s, BIN_ADD); }
static void run_sub(struct md_plan *p, struct md_step *s) { run_binary_op(p, s, BIN_SUB); }
static void run_mul(struct md_plan *p, struct md_step *s) { run_binary_op(p, s, BIN_MUL); }
static void run_div(struct md_plan *p, struct md_step *s) { run_binary_op(p, s, BIN_DIV); }
static void run_pow(struct md_plan *p, struct md_step *s) { run_binary_op(p, s, BIN_POW); }

/* ---- unary ---- */

static md_status prep_unary_f32(struct md_plan *p, struct md_step *s, struct md_err *err)
{
    struct md_val *x = VAL(0);
    if (x->dtype != MD_DT_F32)
        return node_err(s, err, MD_ERR_UNSUPPORTED, "only float32 input is supported");
    return md_step_set_out(p, s, 0, x->dtype, x->ndim, x->dims, err);
}

struct sigmoid_job {
    const float *x;
    float *o;
    size_t n, chunk;
};

static void sigmoid_task(void *ctx, size_t t, int thread)
{
    (void)thread;
    struct sigmoid_job *j = ctx;
    size_t i0 = t * j->chunk, n = j->n - i0 < j->chunk ? j->n - i0 : j->chunk;
    md_act_apply(j->x + i0, j->o + i0, n, 0.0f, MD_ACT_SIGMOID);
}

static void run_sigmoid(struct md_plan *p, struct md_step *s)
{
    struct sigmoid_job j = {md_plan_ptr(p, s->in[0]), md_plan_ptr(p, s->out[0]), OUTV(0)->numel, 32768};
    md_pool_run(s->fold ? NULL : p->pool, (j.n + j.chunk - 1) / j.chunk, sigmoid_task, &j);
}

static void run_relu(struct md_plan *p, struct md_step *s)
{
    const float *x = md_plan_ptr(p, s->in[0]);
    float *o = md_plan_ptr(p, s->out[0]);
    size_t n = OUTV(0)->numel;
    for (size_t i = 0; i < n; i++)
        o[i] = x[i] > 0 ? x[i] : 0;
}

/* ---- Concat, Split, Slice, Gather, Transpose ---- */

static md_status prep_concat(struct md_plan *p, struct md_step *s, struct md_err *err)
{
    struct md_val *x = VAL(0);
    const struct md_onnx_attr *aa = md_step_attr(s, "axis");
    if (!aa)
        return node_err(s, err, MD_ERR_PARSE, "missing axis");
    int axis;
    if (norm_axis(aa->i, x->ndim, &axis) < 0)
        return node_err(s, err, MD_ERR_PARSE, "axis out of range");
    int64_t d[MD_MAXDIM];
    memcpy(d, x->dims, sizeof d);
    d[axis] = 0;
    for (int k = 0; k < s->n_in; k++) {
        if (!has_in(s, k))
            return node_err(s, err, MD_ERR_PARSE, "empty input name");
        struct md_val *v = VAL(k);
        if (v->ndim != x->ndim || v->dtype != x->dtype)
            return node_err(s, err, MD_ERR_PARSE, "inputs of different rank or type");
        for (int i = 0; i < x->ndim; i++)
            if (i != axis && v->dims[i] != x->dims[i])
                return node_err(s, err, MD_ERR_PARSE, "input shapes differ outside the axis");
        d[axis] += v->dims[axis];
    }
    s->iparam[0] = axis;
    return md_step_set_out(p, s, 0, x->dtype, x->ndim, d, err);
}

struct concat_job {
    struct md_plan *p;
    struct md_step *s;
    size_t outer, inner;        /* inner in bytes */
    size_t chunks;              /* row chunks per input */
};

/* Task = (input, chunk of outer rows): copies those blocks into place
 * (nothing to do when the input already lives there as a view). */
static void concat_task(void *ctx, size_t t, int thread)
{
    struct concat_job *j = ctx;
    size_t k = t / j->chunks, c = t % j->chunks;
    size_t per = (j->outer + j->chunks - 1) / j->chunks;
    size_t r0 = c * per, r1 = r0 + per < j->outer ? r0 + per : j->outer;
    struct md_plan *p = j->p;
    struct md_step *s = j->s;
    struct md_val *o = OUTV(0);
    int axis = (int)s->iparam[0];
    unsigned char *dst = md_plan_ptr(p, s->out[0]);
    size_t row = (size_t)o->dims[axis] * j->inner, at = 0;
    for (size_t q = 0; q < k; q++)
        at += (size_t)VAL(q)->dims[axis] * j->inner;
    const unsigned char *src = md_plan_ptr(p, s->in[k]);
    size_t blk = (size_t)VAL(k)->dims[axis] * j->inner;
    if (src != dst + at)
        for (size_t r = r0; r < r1; r++)
            memcpy(dst + r * row + at, src + r * blk, blk);
}

static void run_concat(struct md_plan *p, struct md_step *s)
{
    struct md_val *o = OUTV(0);
    int axis = (int)s->iparam[0];
    struct concat_job j = {p, s, 1, md_dtype_size(o->dtype), 1};
    for (int i = 0; i < axis; i++)
        j.outer *= (size_t)o->dims[i];
    for (int i = axis + 1; i < o->ndim; i++)
        j.inner *= (size_t)o->dims[i];
    int par = !s->fold && o->numel >= 65536 && p->nthreads > 1;
    j.chunks = par ? (j.outer < 8 ? j.outer : 8) : 1;
    md_pool_run(par ? p->pool : NULL, (size_t)s->n_in * j.chunks, concat_task, &j);
}

static md_status prep_split(struct md_plan *p, struct md_step *s, struct md_err *err)
{
    struct md_val *x = VAL(0);
    int axis;
    if (norm_axis(md_step_attr_int(s, "axis", 0), x->ndim, &axis) < 0)
        return node_err(s, err, MD_ERR_PARSE, "axis out of range");
    int64_t sizes[64];
    size_t n = 0;
    const struct md_onnx_attr *a = md_step_attr(s, "split");
    if (s->n_out > 64)
        return node_err(s, err, MD_ERR_UNSUPPORTED, "more than 64 outputs");
    if (a) {
        if (a->n_ints != (size_t)s->n_out)
            return node_err(s, err, MD_ERR_PARSE, "split sizes do not match the outputs");
        memcpy(sizes, a->ints, a->n_ints * sizeof(int64_t));
        n = a->n_ints;
    } else if (has_in(s, 1)) {
        if (const_ints(p, s, 1, sizes, 64, &n) < 0 || n != (size_t)s->n_out)
            return node_err(s, err, MD_ERR_UNSUPPORTED, "split sizes must be constant");
    } else {
        if (x->dims[axis] % s->n_out)
            return node_err(s, err, MD_ERR_PARSE, "axis not divisible by the outputs");
        n = (size_t)s->n_out;
        for (size_t i = 0; i < n; i++)
            sizes[i] = x->dims[axis] / s->n_out;
    }
    int64_t tot = 0;
    for (size_t i = 0; i < n; i++) {
        if (sizes[i] < 0)
            return node_err(s, err, MD_ERR_PARSE, "negative split");
        tot += sizes[i];
    }
    if (tot != x->dims[axis])
        return node_err(s, err, MD_ERR_PARSE, "split sizes do not sum to the axis");
    s->iparam[0] = axis;
    for (int k = 0; k < s->n_out; k++) {
        int64_t d[MD_MAXDIM];
        memcpy(d, x->dims, sizeof d);
        d[axis] = sizes[k];
        md_status st = md_step_set_out(p, s, k, x->dtype, x->ndim, d, err);
        if (st)
            return st;
    }
    return MD_OK;
}

static void run_split(struct md_plan *p, struct md_step *s)
{
    struct md_val *x = VAL(0);
    int axis = (int)s->iparam[0];
    size_t es = md_dtype_size(x->dtype), outer = 1, inner = es;
    for (int i = 0; i < axis; i++)
        outer *= (size_t)x->dims[i];
    for (int i = axis + 1; i < x->ndim; i++)
        inner *= (size_t)x->dims[i];
    const unsigned char *src = md_plan_ptr(p, s->in[0]);
    size_t row = (size_t)x->dims[axis] * inner, at = 0;
    for (int k = 0; k < s->n_out; k++) {
        if (s->out[k] < 0)
            continue;
        struct md_val *v = OUTV(k);
        unsigned char *dst = md_plan_ptr(p, s->out[k]);
        size_t blk = (size_t)v->dims[axis] * inner;
        if (dst != src + at)
            for (size_t r = 0; r < outer; r++)
                memcpy(dst + r * blk, src + r * row + at, blk);
        at += blk;
    }
}

/* Slice: iparam[0..ndim) start, [MD_MAXDIM..) step per dim. */
static md_status prep_slice(struct md_plan *p, struct md_step *s, struct md_err *err)
{
    struct md_val *x = VAL(0);
    int64_t starts[MD_MAXDIM], ends[MD_MAXDIM], axes[MD_MAXDIM], steps[MD_MAXDIM];
    size_t ns, ne, na, nst;
    if (md_step_attr(s, "starts"))
        return node_err(s, err, MD_ERR_UNSUPPORTED, "Slice-1 (attributes) is not supported");
    if (const_ints(p, s, 1, starts, MD_MAXDIM, &ns) < 0 || const_ints(p, s, 2, ends, MD_MAXDIM, &ne) < 0 ||
        ns != ne)
        return node_err(s, err, MD_ERR_UNSUPPORTED, "starts/ends must be constant");
    if (has_in(s, 3)) {
        if (const_ints(p, s, 3, axes, MD_MAXDIM, &na) < 0 || na != ns)
            return node_err(s, err, MD_ERR_UNSUPPORTED, "axes must be constant");
    } else {
        for (size_t i = 0; i < ns; i++)
            axes[i] = (int64_t)i;
    }
    if (has_in(s, 4)) {
        if (const_ints(p, s, 4, steps, MD_MAXDIM, &nst) < 0 || nst != ns)
            return node_err(s, err, MD_ERR_UNSUPPORTED, "steps must be constant");
    } else {
        for (size_t i = 0; i < ns; i++)
            steps[i] = 1;
    }
    int64_t d[MD_MAXDIM];
    memcpy(d, x->dims, sizeof d);
    for (int i = 0; i < x->ndim; i++) {
        s->iparam[i] = 0;
        s->iparam[MD_MAXDIM + i] = 1;
    }
    for (size_t i = 0; i < ns; i++) {
        int a;
        if (norm_axis(axes[i], x->ndim, &a) < 0 || steps[i] == 0)
            return node_err(s, err, MD_ERR_PARSE, "invalid axis or step");
        int64_t dim = x->dims[a], st = starts[i], en = ends[i], sp = steps[i];
        if (st < 0)
            st += dim;
        if (en < 0)
            en += dim;
        if (sp > 0) {
            st = st < 0 ? 0 : st > dim ? dim : st;
            en = en < 0 ? 0 : en > dim ? dim : en;
            d[a] = en > st ? (en - st + sp - 1) / sp : 0;
        } else {
            st = st < 0 ? -1 : st > dim - 1 ? dim - 1 : st;
            en = en < -1 ? -1 : en > dim - 1 ? dim - 1 : en;
            d[a] = st > en ? (st - en + (-sp) - 1) / (-sp) : 0;
        }
        s->iparam[a] = st;
        s->iparam[MD_MAXDIM + a] = sp;
    }
    return md_step_set_out(p, s, 0, x->dtype, x->ndim, d, err);
}

static void run_slice(struct md_plan *p, struct md_step *s)
{
    struct md_val *x = VAL(0), *o = OUTV(0);
    size_t es = md_dtype_size(x->dtype);
    const unsigned char *src = md_plan_ptr(p, s->in[0]);
    unsigned char *dst = md_plan_ptr(p, s->out[0]);
    int nd = x->ndim;
    int64_t xs[MD_MAXDIM], idx[MD_MAXDIM] = {0};
    int64_t st = 1;
    for (int i = nd - 1; i >= 0; i--) {
        xs[i] = st;
        st *= x->dims[i];
    }
    /* step 1 on the last axis: copy whole runs of it at once */
    int64_t run = nd > 0 && s->iparam[MD_MAXDIM + nd - 1] == 1 ? o->dims[nd - 1] : 1;
    if (run < 1)
        run = 1;
    for (size_t k = 0; k < o->numel; k += (size_t)run) {
        int64_t off = 0;
        for (int i = 0; i < nd; i++)
            off += (s->iparam[i] + idx[i] * s->iparam[MD_MAXDIM + i]) * xs[i];
        memcpy(dst + k * es, src + (size_t)off * es, es * (size_t)run);
        for (int i = run > 1 ? nd - 2 : nd - 1; i >= 0; i--) {
            if (++idx[i] < o->dims[i])
                break;
            idx[i] = 0;
        }
    }
}

static md_status prep_gather(struct md_plan *p, struct md_step *s, struct md_err *err)
{
    struct md_val *x = VAL(0), *ix = VAL(1);
    int axis;
    if (norm_axis(md_step_attr_int(s, "axis", 0), x->ndim, &axis) < 0)
        return node_err(s, err, MD_ERR_PARSE, "axis out of range");
    if (ix->dtype != MD_DT_I64)
        return node_err(s, err, MD_ERR_PARSE, "indices must be integers");
    if (!ix->cdata)
        return node_err(s, err, MD_ERR_UNSUPPORTED, "indices must be constant");
    for (size_t i = 0; i < ix->numel; i++) {
        int64_t v = ((int64_t *)ix->cdata)[i];
        if (v < -x->dims[axis] || v >= x->dims[axis])
            return node_err(s, err, MD_ERR_PARSE, "index out of range");
    }
    int64_t d[MD_MAXDIM];
    int nd = 0;
    if (x->ndim - 1 + ix->ndim > MD_MAXDIM)
        return node_err(s, err, MD_ERR_UNSUPPORTED, "too many dimensions");
    for (int i = 0; i < axis; i++)
        d[nd++] = x->dims[i];
    for (int i = 0; i < ix->ndim; i++)
        d[nd++] = ix->dims[i];
    for (int i = axis + 1; i < x->ndim; i++)
        d[nd++] = x->dims[i];
    s->iparam[0] = axis;
    return md_step_set_out(p, s, 0, x->dtype, nd, d, err);
}

static void run_gather(struct md_plan *p, struct md_step *s)
{
    struct md_val *x = VAL(0), *ix = VAL(1);
    int axis = (int)s->iparam[0];
    size_t es = md_dtype_size(x->dtype), outer = 1, inner = es;
    for (int i = 0; i < axis; i++)
        outer *= (size_t)x->dims[i];
    for (int i = axis + 1; i < x->ndim; i++)
        inner *= (size_t)x->dims[i];
    const unsigned char *src = md_plan_ptr(p, s->in[0]);
    const int64_t *idx = md_plan_ptr(p, s->in[1]);
    unsigned char *dst = md_plan_ptr(p, s->out[0]);
    int64_t dim = x->dims[axis];
    for (size_t r = 0; r < outer; r++)
        for (size_t k = 0; k < ix->numel; k++) {
            int64_t j = idx[k] < 0 ? idx[k] + dim : idx[k];
            memcpy(dst, src + (r * (size_t)dim + (size_t)j) * inner, inner);
            dst += inner;
        }
}

static md_status prep_transpose(struct md_plan *p, struct md_step *s, struct md_err *err)
{
    struct md_val *x = VAL(0);
    const struct md_onnx_attr *a = md_step_attr(s, "perm");
    int64_t perm[MD_MAXDIM], d[MD_MAXDIM];
    int seen[MD_MAXDIM] = {0};
    if (a && a->n_ints != (size_t)x->ndim)
        return node_err(s, err, MD_ERR_PARSE, "perm does not match the rank");
    for (int i = 0; i < x->ndim; i++) {
        perm[i] = a ? a->ints[i] : x->ndim - 1 - i;
        if (perm[i] < 0 || perm[i] >= x->ndim || seen[perm[i]]++)
            return node_err(s, err, MD_ERR_PARSE, "invalid perm");
        d[i] = x->dims[perm[i]];
        s->iparam[i] = perm[i];
    }
    return md_step_set_out(p, s, 0, x->dtype, x->ndim, d, err);
}

struct rows_job {
    struct md_plan *p;
    struct md_step *s;
    size_t rows, per_task;
};

/* Splits `rows` independent rows into tasks of about 16k elements each. */
static void run_rows(struct md_plan *p, struct md_step *s, size_t rows, size_t row_elems, md_pool_fn fn)
{
    size_t per = row_elems ? 16384 / row_elems : rows;
    per = per < 1 ? 1 : per;
    struct rows_job j = {p, s, rows, per};
    md_pool_run(s->fold ? NULL : p->pool, (rows + per - 1) / per, fn, &j);
}

static void transpose_task(void *ctx, size_t t, int thread)
{
    struct rows_job *j = ctx;
    struct md_plan *p = j->p;
    struct md_step *s = j->s;
    struct md_val *x = VAL(0), *o = OUTV(0);
    int nd = x->ndim;
    size_t es = md_dtype_size(x->dtype);
    int64_t xs[MD_MAXDIM], os[MD_MAXDIM], idx[MD_MAXDIM] = {0};
    int64_t st = 1;
    for (int i = nd - 1; i >= 0; i--) {
        xs[i] = st;
        st *= x->dims[i];
    }
    for (int i = 0; i < nd; i++)
        os[i] = xs[s->iparam[i]];      /* input stride of output dim i */
    const unsigned char *src = md_plan_ptr(p, s->in[0]);
    unsigned char *dst = md_plan_ptr(p, s->out[0]);
    int64_t inner = o->dims[nd - 1], istr = os[nd - 1];
    size_t r0 = t * j->per_task, r1 = r0 + j->per_task < j->rows ? r0 + j->per_task : j->rows;
    /* input offset of output row r0 */
    int64_t off = 0;
    size_t rem = r0;
    for (int d = nd - 2; d >= 0; d--) {
        idx[d] = (int64_t)(rem % (size_t)o->dims[d]);
        rem /= (size_t)o->dims[d];
        off += idx[d] * os[d];
    }
    for (size_t r = r0; r < r1; r++) {
        if (es == 4) {
            const float *sp = (const float *)src + off;
            float *dp = (float *)dst + r * (size_t)inner;
            for (int64_t i = 0; i < inner; i++)
                dp[i] = sp[i * istr];
        } else {
            for (int64_t i = 0; i < inner; i++)
                memcpy(dst + (r * (size_t)inner + (size_t)i) * es, src + (size_t)(off + i * istr) * es, es);
        }
        for (int d = nd - 2; d >= 0; d--) {
            idx[d]++;
            off += os[d];
            if (idx[d] < o->dims[d])
                break;
            off -= os[d] * idx[d];
            idx[d] = 0;
        }
    }
}

/* When the input's contiguous axis is not the output's, copy in 16 x 16
 * tiles between the two so both sides touch whole cache lines.
 * Task = (outer index, block of 16 along output axis q, chunk of the last
 * output axis). */
struct tile_job {
    struct md_plan *p;
    struct md_step *s;
    int q;                      /* output axis that is the input's last axis */
    int64_t kblocks, ichunks, ichunk;
    int avx512;
    int64_t kgroup;             /* 16-blocks of axis q per task (tasks of ~8K elements) */
};

#if defined(__x86_64__) && defined(__GNUC__)
/* dst[k * dstr + i] = src[i * sstr + k] for a full 16 x 16 tile: 16 loads,
 * the transpose in registers (unpack, shuffle, two 128-bit lane shuffles),
 * 16 stores. */
__attribute__((target("avx512f")))
static void tr16(const float *src, size_t sstr, float *dst, size_t dstr)
{
    __m512 r[16], t[16];
    for (int i = 0; i < 16; i++)
        r[i] = _mm512_loadu_ps(src + i * sstr);
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
    }
    for (int i = 0; i < 16; i += 4) {
        r[i] = _mm512_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(1, 0, 1, 0));
        r[i + 1] = _mm512_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(3, 2, 3, 2));
        r[i + 2] = _mm512_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(1, 0, 1, 0));
        r[i + 3] = _mm512_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(3, 2, 3, 2));
    }
    /* r[4g + c] holds columns c, c+4, c+8, c+12 of rows 4g..4g+3 */
    for (int g = 0; g < 16; g += 8)
        for (int c = 0; c < 4; c++) {
            t[g + c] = _mm512_shuffle_f32x4(r[g + c], r[g + 4 + c], 0x88);
            t[g + 4 + c] = _mm512_shuffle_f32x4(r[g + c], r[g + 4 + c], 0xdd);
        }
    for (int c = 0; c < 8; c++) {
        r[c] = _mm512_shuffle_f32x4(t[c], t[8 + c], 0x88);
        r[8 + c] = _mm512_shuffle_f32x4(t[c], t[8 + c], 0xdd);
    }
    for (int k = 0; k < 16; k++)
        _mm512_storeu_ps(dst + k * dstr, r[k]);
}
#endif

__attribute__((target_clones("avx512f", "avx2", "default")))
static void transpose_tile_task(void *ctx, size_t t, int thread)
{
    struct tile_job *j = ctx;
    struct md_plan *p = j->p;
    struct md_step *s = j->s;
    struct md_val *x = VAL(0), *o = OUTV(0);
    int nd = o->ndim, q = j->q;
    int64_t xs[MD_MAXDIM], ost[MD_MAXDIM], st = 1;
    for (int i = nd - 1; i >= 0; i--) {
        xs[i] = st;
        st *= x->dims[i];
    }
    st = 1;
    for (int i = nd - 1; i >= 0; i--) {
        ost[i] = st;
        st *= o->dims[i];
    }
    int64_t ic = (int64_t)(t % (size_t)j->ichunks);
    t /= (size_t)j->ichunks;
    int64_t kb = (int64_t)(t % (size_t)j->kblocks);
    size_t outer = t / (size_t)j->kblocks;
    int64_t ibase = 0, obase = 0;
    for (int d = nd - 2; d >= 0; d--) {
        if (d == q)
            continue;
        int64_t v = (int64_t)(outer % (size_t)o->dims[d]);
        outer /= (size_t)o->dims[d];
        ibase += v * xs[s->iparam[d]];
        obase += v * ost[d];
    }
    int64_t istr = xs[s->iparam[nd - 1]], oq = ost[q];
    int64_t kg0 = kb * 16 * j->kgroup, kg1 = kg0 + 16 * j->kgroup < o->dims[q] ? kg0 + 16 * j->kgroup : o->dims[q];
    int64_t i0 = ic * j->ichunk, i1 = i0 + j->ichunk < o->dims[nd - 1] ? i0 + j->ichunk : o->dims[nd - 1];
    const float *src = (const float *)md_plan_ptr(p, s->in[0]) + ibase;
    float *dst = (float *)md_plan_ptr(p, s->out[0]) + obase;
    for (int64_t k0 = kg0; k0 < kg1; k0 += 16) {
    int64_t k1 = k0 + 16 < kg1 ? k0 + 16 : kg1;
    for (int64_t ii = i0; ii < i1; ii += 16) {
        int64_t ie = ii + 16 < i1 ? ii + 16 : i1;
#if defined(__x86_64__) && defined(__GNUC__)
        if (j->avx512 && ie - ii == 16 && k1 - k0 == 16) {
            tr16(src + k0 + ii * istr, (size_t)istr, dst + k0 * oq + ii, (size_t)oq);
            continue;
        }
#endif
        for (int64_t k = k0; k < k1; k++) {
            float *dr = dst + k * oq;
            const float *sr = src + k;
            for (int64_t i = ii; i < ie; i++)
                dr[i] = sr[i * istr];
        }
    }
    }
}

static void run_transpose(struct md_plan *p, struct md_step *s)
{
    struct md_val *o = OUTV(0);
    int nd = o->ndim;
    if (nd == 0) {
        memcpy(md_plan_ptr(p, s->out[0]), md_plan_ptr(p, s->in[0]), md_dtype_size(o->dtype));
        return;
    }
    int q = -1;
    for (int d = 0; d < nd; d++)
        if (s->iparam[d] == nd - 1)
            q = d;
    if (o->dtype == MD_DT_F32 && q >= 0 && q != nd - 1 && o->numel) {
        struct tile_job j = {p, s, q, 0, 1, 512, 0, 1};
        int64_t per_block = 16 * (o->dims[nd - 1] < 512 ? o->dims[nd - 1] : 512);
        j.kgroup = per_block < 8192 ? 8192 / per_block : 1;
        j.kblocks = (o->dims[q] + 16 * j.kgroup - 1) / (16 * j.kgroup);
#if defined(__x86_64__) && defined(__GNUC__)
        __builtin_cpu_init();
        j.avx512 = __builtin_cpu_supports("avx512f");
#endif
        j.ichunks = (o->dims[nd - 1] + j.ichunk - 1) / j.ichunk;
        size_t outer = o->numel / (size_t)(o->dims[q] * o->dims[nd - 1]);
        md_pool_run(s->fold ? NULL : p->pool, outer * (size_t)j.kblocks * (size_t)j.ichunks,
                    transpose_tile_task, &j);
        return;
    }
    size_t inner = (size_t)o->dims[nd - 1];
    run_rows(p, s, inner ? o->numel / inner : 0, inner, transpose_task);
}

/* ---- Softmax ---- */

static md_status prep_softmax(struct md_plan *p, struct md_step *s, struct md_err *err)
{
    struct md_val *x = VAL(0);
    int axis;
    int64_t dflt = p->opset >= 13 ? -1 : 1;
    if (x->dtype != MD_DT_F32)
        return node_err(s, err, MD_ERR_UNSUPPORTED, "only float32 input is supported");
    if (norm_axis(md_step_attr_int(s, "axis", dflt), x->ndim, &axis) < 0)
        return node_err(s, err, MD_ERR_PARSE, "axis out of range");
    int64_t outer = 1, n = 1, inner = 1;
    for (int i = 0; i < axis; i++)
        outer *= x->dims[i];
    if (p->opset >= 13) {
        n = x->dims[axis];
        for (int i = axis + 1; i < x->ndim; i++)
            inner *= x->dims[i];
    } else {        /* opset < 13: softmax over the flattened [axis, end) */
        for (int i = axis; i < x->ndim; i++)
            n *= x->dims[i];
    }
    s->iparam[0] = outer;
    s->iparam[1] = n;
    s->iparam[2] = inner;
    return md_step_set_out(p, s, 0, x->dtype, x->ndim, x->dims, err);
}

__attribute__((target_clones("avx512f", "avx2", "default")))
static void softmax_task(void *ctx, size_t t, int thread)
{
    struct rows_job *j = ctx;
    struct md_plan *p = j->p;
    struct md_step *s = j->s;
    const float *x = md_plan_ptr(p, s->in[0]);
    float *o = md_plan_ptr(p, s->out[0]);
    int64_t n = s->iparam[1], inner = s->iparam[2];
    size_t r0 = t * j->per_task, r1 = r0 + j->per_task < j->rows ? r0 + j->per_task : j->rows;
    for (size_t r = r0; r < r1; r++) {
        if (inner == 1) {
            const float *xp = x + r * (size_t)n;
            float *op = o + r * (size_t)n;
            /* 16 independent lanes so the reductions vectorise */
            float lane[16];
            int64_t i = 0;
            for (int l = 0; l < 16; l++)
                lane[l] = -FLT_MAX;
            for (; i + 16 <= n; i += 16)
                for (int l = 0; l < 16; l++)
                    lane[l] = xp[i + l] > lane[l] ? xp[i + l] : lane[l];
            float mx = -FLT_MAX, sum = 0;
            for (int l = 0; l < 16; l++)
                mx = lane[l] > mx ? lane[l] : mx;
            for (; i < n; i++)
                mx = xp[i] > mx ? xp[i] : mx;
            md_act_apply(xp, op, (size_t)n, -mx, MD_ACT_EXP);
            for (int l = 0; l < 16; l++)
                lane[l] = 0;
            for (i = 0; i + 16 <= n; i += 16)
                for (int l = 0; l < 16; l++)
                    lane[l] += op[i + l];
            for (int l = 0; l < 16; l++)
                sum += lane[l];
            for (; i < n; i++)
                sum += op[i];
            float inv = 1.0f / sum;
            for (i = 0; i < n; i++)
                op[i] *= inv;
            continue;
        }
        for (int64_t c = 0; c < inner; c++) {
            const float *xp = x + r * (size_t)(n * inner) + c;
            float *op = o + r * (size_t)(n * inner) + c;
            float mx = -FLT_MAX;
            for (int64_t i = 0; i < n; i++)
                mx = xp[i * inner] > mx ? xp[i * inner] : mx;
            float sum = 0;
            for (int64_t i = 0; i < n; i++) {
                float e = md_expf(xp[i * inner] - mx);
                op[i * inner] = e;
                sum += e;
            }
            float inv = 1.0f / sum;
            for (int64_t i = 0; i < n; i++)
                op[i * inner] *= inv;
        }
    }
}

#if defined(__x86_64__) && defined(__GNUC__)
/* Rows of at most 16 values (the DFL head: 33600 rows of 16 bins): one
 * vector per row, so the per-row set-up of softmax_task does not dominate. */
__attribute__((target("avx512f")))
static void softmax16_task(void *ctx, size_t t, int thread)
{
    (void)thread;
    struct rows_job *j = ctx;
    struct md_plan *p = j->p;
    struct md_step *s = j->s;
    int n = (int)s->iparam[1];
    __mmask16 m = (__mmask16)((1u << n) - 1u);
    const float *x = md_plan_ptr(p, s->in[0]);
    float *o = md_plan_ptr(p, s->out[0]);
    size_t r0 = t * j->per_task, r1 = r0 + j->per_task < j->rows ? r0 + j->per_task : j->rows;
    const __m512 lowest = _mm512_set1_ps(-FLT_MAX);
    for (size_t r = r0; r < r1; r++) {
        __m512 v = _mm512_mask_loadu_ps(lowest, m, x + r * (size_t)n);
        __m512 e = _mm512_maskz_mov_ps(m, md_exp512(_mm512_sub_ps(v, _mm512_set1_ps(_mm512_reduce_max_ps(v)))));
        _mm512_mask_storeu_ps(o + r * (size_t)n, m, _mm512_mul_ps(e, _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(e))));
    }
}
#endif

static void run_softmax(struct md_plan *p, struct md_step *s)
{
#if defined(__x86_64__) && defined(__GNUC__)
    __builtin_cpu_init();
    if (s->iparam[2] == 1 && s->iparam[1] >= 1 && s->iparam[1] <= 16 && __builtin_cpu_supports("avx512f")) {
        run_rows(p, s, (size_t)s->iparam[0], (size_t)s->iparam[1], softmax16_task);
        return;
    }
#endif
    run_rows(p, s, (size_t)s->iparam[0], (size_t)(s->iparam[1] * s->iparam[2]), softmax_task);
}

/* ---- MatMul (numpy semantics, rank >= 2, batch broadcast) ---- */

static md_status prep_matmul(struct md_plan *p, struct md_step *s, struct md_err *err)
{
    struct md_val *a = VAL(0), *b = VAL(1);
    if (a->dtype != MD_DT_F32 || b->dtype != MD_DT_F32)
        return node_err(s, err, MD_ERR_UNSUPPORTED, "only float32 inputs are supported");
    if (a->ndim < 2 || b->ndim < 2)
        return node_err(s, err, MD_ERR_UNSUPPORTED, "1-D operands are not supported");
    int64_t M = a->dims[a->ndim - 2], K = a->dims[a->ndim - 1], N = b->dims[b->ndim - 1];
    if (b->dims[b->ndim - 2] != K)
        return node_err(s, err, MD_ERR_PARSE, "inner dimensions differ");
    int nd = a->ndim > b->ndim ? a->ndim : b->ndim;
    int64_t d[MD_MAXDIM];
    int64_t batch = 1, ba = 1, bb = 1;
    for (int i = 0; i < nd - 2; i++) {
        int ia = i - (nd - a->ndim), ib = i - (nd - b->ndim);
        int64_t da = ia >= 0 ? a->dims[ia] : 1, db = ib >= 0 ? b->dims[ib] : 1;
        if (da != db && da != 1 && db != 1)
            return node_err(s, err, MD_ERR_PARSE, "batch shapes cannot be broadcast");
        d[i] = da > db ? da : db;
        batch *= d[i];
        ba *= da;
        bb *= db;
    }
    if ((ba != batch && ba != 1) || (bb != batch && bb != 1))
        return node_err(s, err, MD_ERR_UNSUPPORTED, "partial batch broadcasting is not supported");
    d[nd - 2] = M;
    d[nd - 1] = N;
    s->iparam[0] = batch;
    s->iparam[1] = M;
    s->iparam[2] = N;
    s->iparam[3] = K;
    s->iparam[4] = ba != 1;
    s->iparam[5] = bb != 1;
    return md_step_set_out(p, s, 0, MD_DT_F32, nd, d, err);
}

struct matmul_job {
    const float *a, *b;
    float *c;
    int64_t M, N, K;
    int sa, sb;
};

static void matmul_task(void *ctx, size_t t, int thread)
{
    struct matmul_job *j = ctx;
    const float *a = j->a + (j->sa ? (int64_t)t * j->M * j->K : 0);
    const float *b = j->b + (j->sb ? (int64_t)t * j->K * j->N : 0);
    md_blas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)j->M, (int)j->N, (int)j->K, 1.0f,
                a, (int)j->K, b, (int)j->N, 0.0f, j->c + (int64_t)t * j->M * j->N, (int)j->N);
}

static void run_matmul(struct md_plan *p, struct md_step *s)
{
    struct matmul_job j = {md_plan_ptr(p, s->in[0]), md_plan_ptr(p, s->in[1]),
                           md_plan_ptr(p, s->out[0]), s->iparam[1], s->iparam[2], s->iparam[3],
                           (int)s->iparam[4], (int)s->iparam[5]};
    md_pool_run(s->fold ? NULL : p->pool, (size_t)s->iparam[0], matmul_task, &j);
}

/* ---- MaxPool ---- */

static md_status prep_maxpool(struct md_plan *p, struct md_step *s, struct md_err *err)
{
    struct md_val *x = VAL(0);
    if (x->ndim != 4 || x->dtype != MD_DT_F32)
        return node_err(s, err, MD_ERR_UNSUPPORTED, "only 2-D float pooling is supported");
    if (s->n_out > 1)
        return node_err(s, err, MD_ERR_UNSUPPORTED, "the Indices output is not supported");
    const struct md_onnx_attr *k = md_step_attr(s, "kernel_shape"), *st = md_step_attr(s, "strides"),
                              *pd = md_step_attr(s, "pads"), *dl = md_step_attr(s, "dilations"),
                              *ap = md_step_attr(s, "auto_pad");
    if (!k || k->n_ints != 2)
        return node_err(s, err, MD_ERR_PARSE, "kernel_shape must have 2 values");
    if (ap && strcmp(ap->s, "NOTSET") != 0)
        return node_err(s, err, MD_ERR_UNSUPPORTED, "auto_pad is not supported");
    if (dl && (dl->n_ints != 2 || dl->ints[0] != 1 || dl->ints[1] != 1))
        return node_err(s, err, MD_ERR_UNSUPPORTED, "dilations other than 1 are not supported");
    if (md_step_attr_int(s, "storage_order", 0))
        return node_err(s, err, MD_ERR_UNSUPPORTED, "storage_order=1 is not supported");
    int64_t kh = k->ints[0], kw = k->ints[1];
    int64_t sh = st && st->n_ints == 2 ? st->ints[0] : 1, sw = st && st->n_ints == 2 ? st->ints[1] : 1;
    int64_t pads[4] = {0, 0, 0, 0};
    if (pd) {
        if (pd->n_ints != 4)
            return node_err(s, err, MD_ERR_PARSE, "pads must have 4 values");
        memcpy(pads, pd->ints, sizeof pads);
    }
    int ceil_mode = (int)md_step_attr_int(s, "ceil_mode", 0);
    if (kh < 1 || kw < 1 || kh > 64 || kw > 64 || sh < 1 || sw < 1 || sh > 64 || sw > 64)
        return node_err(s, err, MD_ERR_PARSE, "invalid kernel or stride");
    for (int i = 0; i < 4; i++)
        if (pads[i] < 0 || pads[i] >= (i % 2 ? kw : kh))
            return node_err(s, err, MD_ERR_PARSE, "invalid pads");
    int64_t ih = x->dims[2], iw = x->dims[3];
    int64_t nh = ih + pads[0] + pads[2] - kh, nw = iw + pads[1] + pads[3] - kw;
    if (nh < 0 || nw < 0)
        return node_err(s, err, MD_ERR_PARSE, "kernel larger than the input");
    int64_t oh = (ceil_mode ? (nh + sh - 1) / sh : nh / sh) + 1;
    int64_t ow = (ceil_mode ? (nw + sw - 1) / sw : nw / sw) + 1;
    int64_t d[4] = {x->dims[0], x->dims[1], oh, ow};
    int64_t *ip = s->iparam;
    ip[0] = kh; ip[1] = kw; ip[2] = sh; ip[3] = sw; ip[4] = pads[0]; ip[5] = pads[1];
    return md_step_set_out(p, s, 0, MD_DT_F32, 4, d, err);
}

struct pool_job {
    struct md_plan *p;
    struct md_step *s;
};

__attribute__((target_clones("avx512f", "avx2", "default")))
static void maxpool_task(void *ctx, size_t t, int thread)
{
    struct pool_job *j = ctx;
    struct md_plan *p = j->p;
    struct md_step *s = j->s;
    struct md_val *x = VAL(0), *o = OUTV(0);
    int64_t kh = s->iparam[0], kw = s->iparam[1], sh = s->iparam[2], sw = s->iparam[3];
    int64_t pt = s->iparam[4], pl = s->iparam[5];
    int64_t ih = x->dims[2], iw = x->dims[3], oh = o->dims[2], ow = o->dims[3];
    const float *src = (const float *)md_plan_ptr(p, s->in[0]) + t * (size_t)(ih * iw);
    float *dst = (float *)md_plan_ptr(p, s->out[0]) + t * (size_t)(oh * ow);
    if (sh == 1 && sw == 1) {
        /* separable: max over rows, then over columns (window clipped to the image) */
        float *tmp = p->scratch + (size_t)thread * p->scratch_per_thread;
        /* each row padded with -FLT_MAX, so the window max is kw shifted
         * runs of the same loop (vectorised) */
        float *row = tmp + ih * ow;
        int64_t pw = ow + kw - 1;
        for (int64_t y = 0; y < ih; y++) {
            for (int64_t q = 0; q < pw; q++) {
                int64_t xx = q - pl;
                row[q] = xx >= 0 && xx < iw ? src[y * iw + xx] : -FLT_MAX;
            }
            float *tr = tmp + y * ow;
            for (int64_t ox = 0; ox < ow; ox++)
                tr[ox] = row[ox];
            for (int64_t kx = 1; kx < kw; kx++)
                for (int64_t ox = 0; ox < ow; ox++)
                    tr[ox] = row[ox + kx] > tr[ox] ? row[ox + kx] : tr[ox];
        }
        for (int64_t oy = 0; oy < oh; oy++) {
            int64_t y0 = oy - pt, y1 = y0 + kh;
            y0 = y0 < 0 ? 0 : y0;
            y1 = y1 > ih ? ih : y1;
            float *dr = dst + oy * ow;
            for (int64_t ox = 0; ox < ow; ox++)
                dr[ox] = -FLT_MAX;
            for (int64_t y = y0; y < y1; y++) {
                const float *tr = tmp + y * ow;
                for (int64_t ox = 0; ox < ow; ox++)
                    dr[ox] = tr[ox] > dr[ox] ? tr[ox] : dr[ox];
            }
        }
        return;
    }
    for (int64_t oy = 0; oy < oh; oy++)
        for (int64_t ox = 0; ox < ow; ox++) {
            float m = -FLT_MAX;
            for (int64_t ky = 0; ky < kh; ky++) {
                int64_t y = oy * sh - pt + ky;
                if (y < 0 || y >= ih)
                    continue;
                for (int64_t kx = 0; kx < kw; kx++) {
                    int64_t xx = ox * sw - pl + kx;
                    if (xx >= 0 && xx < iw && src[y * iw + xx] > m)
                        m = src[y * iw + xx];
                }
            }
            dst[oy * ow + ox] = m;
        }
}

static void run_maxpool(struct md_plan *p, struct md_step *s)
{
    struct pool_job j = {p, s};
    struct md_val *x = VAL(0);
    md_pool_run(s->fold ? NULL : p->pool, (size_t)(x->dims[0] * x->dims[1]), maxpool_task, &j);
}

/* ---- Resize (nearest) ---- */

static md_status prep_resize(struct md_plan *p, struct md_step *s, struct md_err *err)
{
    struct md_val *x = VAL(0);
    const struct md_onnx_attr *mode = md_step_attr(s, "mode"), *ct = md_step_attr(s, "coordinate_transformation_mode"),
                              *nm = md_step_attr(s, "nearest_mode");
    if (x->dtype != MD_DT_F32 || x->ndim != 4)
        return node_err(s, err, MD_ERR_UNSUPPORTED, "only 4-D float input is supported");
    if (mode && strcmp(mode->s, "nearest") != 0)
        return node_err(s, err, MD_ERR_UNSUPPORTED, "only mode=nearest is supported");
    const char *ctm = ct ? ct->s : "half_pixel", *nmm = nm ? nm->s : "round_prefer_floor";
    int ctc, nmc;
    if (!strcmp(ctm, "asymmetric")) ctc = 0;
    else if (!strcmp(ctm, "half_pixel")) ctc = 1;
    else if (!strcmp(ctm, "pytorch_half_pixel")) ctc = 2;
    else if (!strcmp(ctm, "align_corners")) ctc = 3;
    else return node_err(s, err, MD_ERR_UNSUPPORTED, "this coordinate_transformation_mode is not supported");
    if (!strcmp(nmm, "floor")) nmc = 0;
    else if (!strcmp(nmm, "round_prefer_floor")) nmc = 1;
    else if (!strcmp(nmm, "round_prefer_ceil")) nmc = 2;
    else if (!strcmp(nmm, "ceil")) nmc = 3;
    else return node_err(s, err, MD_ERR_UNSUPPORTED, "this nearest_mode is not supported");
    if (md_step_attr_int(s, "exclude_outside", 0) || md_step_attr_int(s, "antialias", 0))
        return node_err(s, err, MD_ERR_UNSUPPORTED, "exclude_outside/antialias are not supported");
    if (md_step_attr(s, "axes") || md_step_attr(s, "keep_aspect_ratio_policy"))
        return node_err(s, err, MD_ERR_UNSUPPORTED, "axes/keep_aspect_ratio_policy are not supported");
    /* Resize-10 has (X, scales); 11+ has (X, roi, scales, sizes). */
    int si = p->opset < 11 ? 1 : 2, zi = 3;
    float sc[4] = {1, 1, 1, 1};
    int64_t d[4];
    struct md_val *sv = has_in(s, si) ? VAL(si) : NULL, *zv = has_in(s, zi) ? VAL(zi) : NULL;
    if (sv && sv->numel == 4 && sv->cdata && sv->dtype == MD_DT_F32) {
        memcpy(sc, sv->cdata, sizeof sc);
        for (int i = 0; i < 4; i++) {
            if (!(sc[i] > 0 && sc[i] <= 64))
                return node_err(s, err, MD_ERR_UNSUPPORTED, "invalid scales");
            d[i] = (int64_t)floorf((float)x->dims[i] * sc[i]);
        }
    } else if (zv && zv->numel == 4 && zv->cdata && zv->dtype == MD_DT_I64) {
        memcpy(d, zv->cdata, sizeof d);
        for (int i = 0; i < 4; i++) {
            if (d[i] < 1 || d[i] > 65536)
                return node_err(s, err, MD_ERR_UNSUPPORTED, "invalid sizes");
            sc[i] = (float)d[i] / (float)x->dims[i];
        }
    } else {
        return node_err(s, err, MD_ERR_UNSUPPORTED, "scales or sizes must be a constant of 4 values");
    }
    if (d[0] != x->dims[0] || d[1] != x->dims[1])
        return node_err(s, err, MD_ERR_UNSUPPORTED, "resizing the batch or channel axis is not supported");
    s->iparam[0] = ctc;
    s->iparam[1] = nmc;
    s->fparam[0] = sc[2];
    s->fparam[1] = sc[3];
    return md_step_set_out(p, s, 0, MD_DT_F32, 4, d, err);
}

static int64_t nearest_src(int64_t o, float scale, int64_t in_len, int64_t out_len, int ct, int nm)
{
    float f;
    switch (ct) {
    case 0: f = (float)o / scale; break;
    case 1: f = ((float)o + 0.5f) / scale - 0.5f; break;
    case 2: f = out_len > 1 ? ((float)o + 0.5f) / scale - 0.5f : 0; break;
    default: f = out_len > 1 ? (float)o * (float)(in_len - 1) / (float)(out_len - 1) : 0; break;
    }
    int64_t i;
    switch (nm) {
    case 0: i = (int64_t)floorf(f); break;
    case 1: i = f == floorf(f) + 0.5f ? (int64_t)floorf(f) : (int64_t)roundf(f); break;
    case 2: i = (int64_t)roundf(f); break;
    default: i = (int64_t)ceilf(f); break;
    }
    return i < 0 ? 0 : i >= in_len ? in_len - 1 : i;
}

__attribute__((target_clones("avx512f", "avx2", "default")))
/* The source column of every output column is the same for every channel
 * and row: computed once per run (nearest_src is float arithmetic). */
struct resize_job {
    struct md_plan *p;
    struct md_step *s;
    int avx512;
    int32_t xs[4096];
};

#if defined(__x86_64__) && defined(__GNUC__)
/* dr[ox] = sr[xs[ox]] for ox < n, 16 at a time; returns n. */
__attribute__((target("avx512f")))
static int64_t gather_row(float *dr, const float *sr, const int32_t *xs, int64_t n)
{
    for (int64_t ox = 0; ox < n; ox += 16) {
        __mmask16 m = n - ox >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (n - ox)) - 1u);
        __m512i idx = _mm512_maskz_loadu_epi32(m, xs + ox);
        _mm512_mask_storeu_ps(dr + ox, m, _mm512_mask_i32gather_ps(_mm512_setzero_ps(), m, idx, sr, 4));
    }
    return n;
}
#endif

static void resize_task(void *ctx, size_t t, int thread)
{
    (void)thread;
    struct resize_job *j = ctx;
    struct md_plan *p = j->p;
    struct md_step *s = j->s;
    struct md_val *x = VAL(0), *o = OUTV(0);
    int64_t ih = x->dims[2], iw = x->dims[3], oh = o->dims[2], ow = o->dims[3];
    const float *src = (const float *)md_plan_ptr(p, s->in[0]) + t * (size_t)(ih * iw);
    float *dst = (float *)md_plan_ptr(p, s->out[0]) + t * (size_t)(oh * ow);
    int ct = (int)s->iparam[0], nm = (int)s->iparam[1];
    int64_t prev = -1;
    for (int64_t oy = 0; oy < oh; oy++) {
        int64_t sy = nearest_src(oy, s->fparam[0], ih, oh, ct, nm);
        float *dr = dst + oy * ow;
        if (sy == prev) {       /* upsampling repeats rows: copy the one just made */
            memcpy(dr, dr - ow, sizeof(float) * (size_t)ow);
            continue;
        }
        prev = sy;
        const float *sr = src + sy * iw;
        int64_t ox = 0;
#if defined(__x86_64__) && defined(__GNUC__)
        if (j->avx512)
            ox = gather_row(dr, sr, j->xs, ow < 4096 ? ow : 4096);
#endif
        for (; ox < ow; ox++)
            dr[ox] = sr[ox < 4096 ? j->xs[ox] : nearest_src(ox, s->fparam[1], iw, ow, ct, nm)];
    }
}

static void run_resize(struct md_plan *p, struct md_step *s)
{
    struct resize_job j;
    j.p = p;
    j.s = s;
    j.avx512 = 0;
#if defined(__x86_64__) && defined(__GNUC__)
    __builtin_cpu_init();
    j.avx512 = __builtin_cpu_supports("avx512f");
#endif
    struct md_val *x = VAL(0), *o = OUTV(0);
    int64_t ow = o->dims[3];
    for (int64_t ox = 0; ox < ow && ox < 4096; ox++)
        j.xs[ox] = (int32_t)nearest_src(ox, s->fparam[1], x->dims[3], ow, (int)s->iparam[0], (int)s->iparam[1]);
    md_pool_run(s->fold ? NULL : p->pool, (size_t)(x->dims[0] * x->dims[1]), resize_task, &j);
}

/* ---- the table ---- */

static const char *const no_attrs[] = {NULL};
static const char *const a_conv[] = {"kernel_shape", "strides", "pads", "dilations", "group", "auto_pad", NULL};
static const char *const a_axis[] = {"axis", NULL};
static const char *const a_axes[] = {"axes", NULL};
static const char *const a_reshape[] = {"allowzero", NULL};
static const char *const a_split[] = {"axis", "split", NULL};
static const char *const a_perm[] = {"perm", NULL};
static const char *const a_const[] = {"value", "value_float", "value_int", "value_ints", "value_floats", NULL};
static const char *const a_cast[] = {"to", "saturate", NULL};
static const char *const a_pool[] = {"kernel_shape", "strides", "pads", "dilations", "auto_pad",
                                     "ceil_mode", "storage_order", NULL};
static const char *const a_resize[] = {"mode", "coordinate_transformation_mode", "nearest_mode",
                                       "cubic_coeff_a", "exclude_outside", "extrapolation_value",
                                       "antialias", "axes", "keep_aspect_ratio_policy", NULL};
static const char *const a_shape[] = {"start", "end", NULL};

static const struct md_op ops[] = {
    {"Conv", a_conv, md_conv_prepare, md_conv_run, 0, 2, 3, 1},
    {"Identity", no_attrs, prep_identity, copy_view, 1, 1, 1, 1},
    {"Reshape", a_reshape, prep_reshape, copy_view, 1, 2, 2, 1},
    {"Flatten", a_axis, prep_flatten, copy_view, 1, 1, 1, 1},
    {"Squeeze", a_axes, prep_squeeze, copy_view, 1, 1, 2, 1},
    {"Unsqueeze", a_axes, prep_unsqueeze, copy_view, 1, 1, 2, 1},
    {"Constant", a_const, prep_constant, NULL, 1, 0, 0, 1},
    {"Shape", a_shape, prep_shape, NULL, 1, 1, 1, 1},
    {"Cast", a_cast, prep_cast, run_cast, 1, 1, 1, 1},
    {"Add", no_attrs, prep_binary, run_add, 1, 2, 2, 1},
    {"Sub", no_attrs, prep_binary, run_sub, 1, 2, 2, 1},
    {"Mul", no_attrs, prep_binary, run_mul, 1, 2, 2, 1},
    {"Div", no_attrs, prep_binary, run_div, 1, 2, 2, 1},
    {"Pow", no_attrs, prep_binary, run_pow, 1, 2, 2, 1},
    {"Sigmoid", no_attrs, prep_unary_f32, run_sigmoid, 1, 1, 1, 1},
    {"Relu", no_attrs, prep_unary_f32, run_relu, 1, 1, 1, 1},
    {"Concat", a_axis, prep_concat, run_concat, 1, 1, 1000000, 1},
    {"Split", a_split, prep_split, run_split, 1, 1, 2, 64},
    {"Slice", no_attrs, prep_slice, run_slice, 1, 3, 5, 1},
    {"Gather", a_axis, prep_gather, run_gather, 1, 2, 2, 1},
    {"Transpose", a_perm, prep_transpose, run_transpose, 1, 1, 1, 1},
    {"Softmax", a_axis, prep_softmax, run_softmax, 1, 1, 1, 1},
    {"MatMul", no_attrs, prep_matmul, run_matmul, 1, 2, 2, 1},
    {"MaxPool", a_pool, prep_maxpool, run_maxpool, 0, 1, 1, 1},
    {"Resize", a_resize, prep_resize, run_resize, 0, 1, 4, 1},
    {NULL, NULL, NULL, NULL, 0, 0, 0, 0},
};

const struct md_op *md_op_find(const char *name)
{
    for (const struct md_op *o = ops; o->name; o++)
        if (strcmp(o->name, name) == 0)
            return o;
    return NULL;
}
