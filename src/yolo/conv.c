/* Conv: shape checks, then the path for this shape (chosen once, at plan
 * time, from step-interleaved measurements on the 640 YOLO11n; with
 * AVX-512 unless MLDECK_YOLO_KERNEL=blas):
 *   - 3x3 stride 1, >= 16 columns, >= 32 output channels: Winograd
 *     F(2x2,3x3) (wino.c);
 *   - other stride-1 convolutions with >= 8 output channels, except deep
 *     1x1 ones on maps of <= 400 pixels: the direct AVX-512 kernel
 *     (dconv.c);
 *   - depthwise 3x3 stride 1: depthwise3_task below;
 *   - everything else, and everything without AVX-512, on OpenBLAS as
 *     follows.
 * 1x1 stride-1 convolutions multiply the NCHW input directly
 * (C_out x C_in times C_in x HW).  Other kernels use a row-wise
 * im2col: only the kw horizontal taps are unrolled, into a matrix X of
 * (C_in*kw) rows by (padded input rows * W_out) columns; vertical tap ky is
 * then X shifted by ky rows, so the output is kh GEMMs accumulating into the
 * same tile (weights regrouped per ky once, at plan time) -- a third of
 * im2col's copying for a 3x3.  Strides work the same way once X's columns
 * are grouped by input-row phase (row r*stride + phase).  Grouped
 * convolutions go through a full im2col one column tile at a time (the tile
 * stays in L2); depthwise convolutions run as direct loops.  Bias and the
 * activation are applied to each output tile while it is still in cache.
 * OpenBLAS runs single-threaded; the tiles are spread over mldeck's own
 * threads. */
#include <stdlib.h>
#include <string.h>

#include "yolo/graph.h"
#include "yolo/act.h"
#include "yolo/blas.h"
#include "yolo/dconv.h"

static md_status conv_err(const struct md_step *s, struct md_err *err, md_status code,
                          const char *what)
{
    return md_err_set(err, code, "node '%s' (%s): %s", s->node->name, s->node->op_type, what);
}

static int ints2(const struct md_onnx_attr *a, int64_t dflt, int64_t *o0, int64_t *o1)
{
    if (!a) {
        *o0 = *o1 = dflt;
        return 0;
    }
    if (a->n_ints != 2)
        return -1;
    *o0 = a->ints[0];
    *o1 = a->ints[1];
    return 0;
}

/* Columns per im2col tile: the tile (K x T floats) should fit in L2. */
static int tile_cols(const struct md_conv *c)
{
    int hw = c->oh * c->ow;
    int k = c->cin / c->group * c->kh * c->kw;
    int t = c->direct ? 2048 : 98304 / (k ? k : 1);
    t = t < 64 ? 64 : t;
    t = (t + 15) & ~15;
    return t > hw ? hw : t;
}

/* Output rows per row-wise GEMM task: a few hundred columns. */
static int row_tile(const struct md_conv *c)
{
    return 512 / c->ow > 1 ? 512 / c->ow : 1;
}

/* Rows per phase of a private X tile covering `rows` output rows. */
static int tile_rpp(const struct md_conv *c, int rows)
{
    int span = (rows - 1) * c->sh + (c->kh - 1) * c->dh + 1;
    return (span + c->sh - 1) / c->sh;
}

size_t md_conv_scratch(const struct md_conv *c)
{
    if (c->wino)
        return md_wino_scratch(c);
    if (c->direct || c->depthwise || c->dk)
        return 0;
    if (c->rowwise)
        return (size_t)c->cin * c->kw * c->sh * (size_t)tile_rpp(c, row_tile(c)) * c->ow;
    return (size_t)(c->cin / c->group * c->kh * c->kw) * (size_t)tile_cols(c);
}

size_t md_conv_shared_scratch(const struct md_conv *c)
{
    if (c->wino)
        return md_wino_copy_floats(c);
    if (c->dk)
        return md_dconv_copy_floats(c);
    if (!c->rowwise)
        return 0;
    size_t ihp = (size_t)(c->ih + c->pt + c->pb), rpp = (ihp + c->sh - 1) / c->sh;
    return (size_t)c->cin * c->kw * c->sh * rpp * c->ow;
}

static int depthwise3_ok(const struct md_conv *c);

md_status md_conv_prepare(struct md_plan *p, struct md_step *s, struct md_err *err)
{
    struct md_conv *c = &s->conv;
    if (s->n_in < 2 || s->in[0] < 0 || s->in[1] < 0)
        return conv_err(s, err, MD_ERR_PARSE, "missing input or weights");
    struct md_val *x = &p->vals[s->in[0]], *w = &p->vals[s->in[1]];
    struct md_val *b = s->n_in > 2 && s->in[2] >= 0 ? &p->vals[s->in[2]] : NULL;
    if (x->dtype != MD_DT_F32 || x->ndim != 4)
        return conv_err(s, err, MD_ERR_UNSUPPORTED, "only 2-D convolutions of float32 NCHW input are supported");
    if (x->dims[0] != 1)
        return conv_err(s, err, MD_ERR_UNSUPPORTED, "batch size must be 1");
    if (!w->cdata || w->dtype != MD_DT_F32 || w->ndim != 4)
        return conv_err(s, err, MD_ERR_UNSUPPORTED, "weights must be a constant 4-D float tensor");
    if (b && (!b->cdata || b->dtype != MD_DT_F32 || b->numel != (size_t)w->dims[0]))
        return conv_err(s, err, MD_ERR_UNSUPPORTED, "bias must be a constant float vector of C_out values");
    const struct md_onnx_attr *ap = md_step_attr(s, "auto_pad");
    if (ap && strcmp(ap->s, "NOTSET") != 0)
        return conv_err(s, err, MD_ERR_UNSUPPORTED, "auto_pad is not supported (only explicit pads)");
    int64_t kh, kw, sh, sw, dh, dw;
    if (ints2(md_step_attr(s, "kernel_shape"), -1, &kh, &kw) < 0 ||
        ints2(md_step_attr(s, "strides"), 1, &sh, &sw) < 0 ||
        ints2(md_step_attr(s, "dilations"), 1, &dh, &dw) < 0)
        return conv_err(s, err, MD_ERR_UNSUPPORTED, "kernel_shape/strides/dilations must have 2 values");
    if (kh < 0) {
        kh = w->dims[2];
        kw = w->dims[3];
    }
    if (kh != w->dims[2] || kw != w->dims[3])
        return conv_err(s, err, MD_ERR_PARSE, "kernel_shape does not match the weights");
    int64_t pads[4] = {0, 0, 0, 0};
    const struct md_onnx_attr *pa = md_step_attr(s, "pads");
    if (pa) {
        if (pa->n_ints != 4)
            return conv_err(s, err, MD_ERR_PARSE, "pads must have 4 values");
        memcpy(pads, pa->ints, sizeof pads);
    }
    int64_t group = md_step_attr_int(s, "group", 1);
    int64_t cin = x->dims[1], cout = w->dims[0];
    if (kh < 1 || kw < 1 || kh > 64 || kw > 64 || sh < 1 || sw < 1 || sh > 64 || sw > 64 ||
        dh < 1 || dw < 1 || dh > 64 || dw > 64)
        return conv_err(s, err, MD_ERR_PARSE, "invalid kernel, stride or dilation");
    for (int i = 0; i < 4; i++)
        if (pads[i] < 0 || pads[i] > 64)
            return conv_err(s, err, MD_ERR_PARSE, "invalid pads");
    if (group < 1 || cin % group || cout % group || w->dims[1] != cin / group)
        return conv_err(s, err, MD_ERR_PARSE, "channels do not match the weights and group");
    int64_t ih = x->dims[2], iw = x->dims[3];
    int64_t eh = ih + pads[0] + pads[2] - (kh - 1) * dh - 1, ew = iw + pads[1] + pads[3] - (kw - 1) * dw - 1;
    if (eh < 0 || ew < 0)
        return conv_err(s, err, MD_ERR_PARSE, "kernel larger than the padded input");
    int64_t oh = eh / sh + 1, ow = ew / sw + 1;
    if (cin > INT32_MAX / 64 || cout > INT32_MAX / 64 || ih * iw > INT32_MAX / 64)
        return conv_err(s, err, MD_ERR_PARSE, "tensor too large");
    c->cin = (int)cin; c->cout = (int)cout; c->group = (int)group;
    c->kh = (int)kh; c->kw = (int)kw; c->sh = (int)sh; c->sw = (int)sw; c->dh = (int)dh; c->dw = (int)dw;
    c->pt = (int)pads[0]; c->pl = (int)pads[1]; c->pb = (int)pads[2]; c->pr = (int)pads[3];
    c->ih = (int)ih; c->iw = (int)iw; c->oh = (int)oh; c->ow = (int)ow;
    c->depthwise = group > 1 && group == cin && group == cout;
    c->direct = group == 1 && kh == 1 && kw == 1 && sh == 1 && sw == 1 && !pads[0] && !pads[1] &&
                !pads[2] && !pads[3];
    c->w = w->cdata;
    c->bias = b ? b->cdata : NULL;
    c->dw3 = c->depthwise && depthwise3_ok(c);
    /* (measured: also better than the tiled im2col for the 3-channel stem) */
    md_status st = md_wino_prepare(c, md_dk_choice(), err);
    if (!st && !c->wino)
        st = md_dconv_prepare(c, err);
    if (st)
        return st;
    c->rowwise = group == 1 && !c->direct && !c->dk && !c->wino;
    if (c->rowwise) {
        /* wk[ky][co][ci*kw + kx] = w[co][ci][ky][kx] */
        size_t k = (size_t)cin * kw;
        free(c->wk);
        c->wk = malloc(sizeof(float) * (size_t)kh * (size_t)cout * k);
        if (!c->wk)
            return md_err_set(err, MD_ERR_NOMEM, "out of memory");
        const float *wf = w->cdata;
        for (int64_t ky = 0; ky < kh; ky++)
            for (int64_t co = 0; co < cout; co++)
                for (int64_t ci = 0; ci < cin; ci++)
                    for (int64_t kx = 0; kx < kw; kx++)
                        c->wk[((size_t)ky * cout + co) * k + ci * kw + kx] =
                            wf[((co * cin + ci) * kh + ky) * kw + kx];
    }
    int64_t d[4] = {1, cout, oh, ow};
    return md_step_set_out(p, s, 0, MD_DT_F32, 4, d, err);
}

static void epilogue(float *row, size_t n, float bias, int act)
{
    md_act_apply(row, row, n, bias, act);
}

/* Writes rows (ci, ky, kx) x columns [j0, j1) of the im2col matrix. */
__attribute__((target_clones("avx512f", "avx2", "default")))
static void im2col_tile(const struct md_conv *c, const float *in, float *col, int j0, int j1)
{
    int t = j1 - j0, cin = c->cin / c->group;
    for (int ci = 0; ci < cin; ci++) {
        const float *plane = in + (size_t)ci * c->ih * c->iw;
        for (int ky = 0; ky < c->kh; ky++)
            for (int kx = 0; kx < c->kw; kx++) {
                float *dst = col + ((size_t)(ci * c->kh + ky) * c->kw + kx) * t;
                int j = j0;
                while (j < j1) {
                    int oy = j / c->ow, ox0 = j % c->ow;
                    int ox1 = c->ow < ox0 + (j1 - j) ? c->ow : ox0 + (j1 - j);
                    int iy = oy * c->sh - c->pt + ky * c->dh;
                    float *d = dst + (j - j0);
                    int n = ox1 - ox0;
                    if (iy < 0 || iy >= c->ih) {
                        memset(d, 0, sizeof(float) * (size_t)n);
                    } else {
                        const float *sr = plane + (size_t)iy * c->iw;
                        int off = kx * c->dw - c->pl;
                        if (c->sw == 1) {
                            /* ix = ox + off must lie in [0, iw) */
                            int lo = -off > ox0 ? -off : ox0;
                            int hi = c->iw - off < ox1 ? c->iw - off : ox1;
                            lo = lo > ox1 ? ox1 : lo;
                            hi = hi < lo ? lo : hi;
                            for (int ox = ox0; ox < lo; ox++)
                                d[ox - ox0] = 0;
                            /* rows are short (20..320 floats): an inline loop beats a memcpy call */
                            for (int ox = lo; ox < hi; ox++)
                                d[ox - ox0] = sr[ox + off];
                            for (int ox = hi; ox < ox1; ox++)
                                d[ox - ox0] = 0;
                        } else {
                            /* ix = ox * sw + off must lie in [0, iw) */
                            int sw = c->sw;
                            int lo = off >= 0 ? 0 : (-off + sw - 1) / sw;
                            int hi = c->iw - off > 0 ? (c->iw - off + sw - 1) / sw : 0;
                            lo = lo < ox0 ? ox0 : lo > ox1 ? ox1 : lo;
                            hi = hi > ox1 ? ox1 : hi < lo ? lo : hi;
                            for (int ox = ox0; ox < lo; ox++)
                                d[ox - ox0] = 0;
                            if (sw == 2)
                                for (int ox = lo; ox < hi; ox++)
                                    d[ox - ox0] = sr[2 * ox + off];
                            else
                                for (int ox = lo; ox < hi; ox++)
                                    d[ox - ox0] = sr[ox * sw + off];
                            for (int ox = hi; ox < ox1; ox++)
                                d[ox - ox0] = 0;
                        }
                    }
                    j += n;
                }
            }
    }
}

struct conv_job {
    struct md_plan *p;
    const struct md_conv *c;
    const float *in;
    float *out;
    int tile, ntiles;
    int mblocks, mrows;         /* output channels split in mblocks blocks of mrows */
    int private_x;              /* row-wise: each task builds its own X rows */
};

/* Deep layers have few output columns: when the column tiles alone would
 * leave threads idle, also split the output channels (GEMM rows). */
static void split_rows(struct conv_job *j, int nthreads, int cout)
{
    j->mblocks = 1;
    j->mrows = cout;
    if (nthreads < 2 || j->ntiles >= 2 * nthreads)
        return;
    int want = (2 * nthreads + j->ntiles - 1) / j->ntiles;
    int rows = (cout + want - 1) / want;
    rows = (rows + 15) & ~15;
    if (rows >= cout)
        return;
    j->mrows = rows;
    j->mblocks = (cout + rows - 1) / rows;
}

/* Row-wise, when the row tiles are fewer than two per thread (strided
 * convolutions onto 20x20 maps: one tile): cut the rows into a multiple of
 * the thread count instead of splitting the output channels.  Each thread
 * then packs half of X once and the weights once; a channel split made
 * every block re-pack all of X (K x 400 floats, K = 384 or 1152 here) for a
 * GEMM of 32-64 rows.  Tiles stay no taller than row_tile(), which sized
 * the private X scratch.  Returns 0 when the rows do not divide well. */
static int even_row_tiles(struct conv_job *j, int nthreads, int oh)
{
    if (nthreads < 2 || j->ntiles >= 2 * nthreads || oh < nthreads)
        return 0;
    int n = (j->ntiles + nthreads - 1) / nthreads * nthreads;
    int tile = (oh + n - 1) / n, ntiles = (oh + tile - 1) / tile;
    if (ntiles % nthreads)
        return 0;
    j->tile = tile;
    j->ntiles = ntiles;
    return 1;
}

static void gemm_task(void *ctx, size_t task, int thread)
{
    struct conv_job *j = ctx;
    const struct md_conv *c = j->c;
    int mb = (int)(task % (size_t)j->mblocks);
    task /= (size_t)j->mblocks;
    int g = (int)(task / (size_t)j->ntiles), ti = (int)(task % (size_t)j->ntiles);
    int hw = c->oh * c->ow;
    int j0 = ti * j->tile, j1 = j0 + j->tile < hw ? j0 + j->tile : hw;
    int cin = c->cin / c->group, cout = c->cout / c->group;
    int m0 = mb * j->mrows, m1 = m0 + j->mrows < cout ? m0 + j->mrows : cout;
    int k = cin * c->kh * c->kw;
    const float *in = j->in + (size_t)g * cin * c->ih * c->iw;
    const float *w = c->w + ((size_t)g * cout + m0) * k;
    float *out = j->out + ((size_t)g * cout + m0) * hw;
    const float *bmat;
    int ldb;
    if (c->direct) {
        bmat = in + j0;
        ldb = c->ih * c->iw;
    } else {
        float *col = j->p->scratch + (size_t)thread * j->p->scratch_per_thread;
        im2col_tile(c, in, col, j0, j1);
        bmat = col;
        ldb = j1 - j0;
    }
    md_blas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m1 - m0, j1 - j0, k, 1.0f, w, k, bmat, ldb,
                0.0f, out + j0, hw);
    for (int m = m0; m < m1; m++)
        epilogue(out + (size_t)(m - m0) * hw + j0, (size_t)(j1 - j0),
                 c->bias ? c->bias[g * cout + m] : 0.0f, c->act);
}

__attribute__((target_clones("avx512f", "avx2", "default")))
static void depthwise_task(void *ctx, size_t ch, int thread)
{
    struct conv_job *j = ctx;
    const struct md_conv *c = j->c;
    const float *in = j->in + ch * (size_t)c->ih * c->iw;
    const float *w = c->w + ch * (size_t)c->kh * c->kw;
    float *out = j->out + ch * (size_t)c->oh * c->ow;
    float bias = c->bias ? c->bias[ch] : 0.0f;
    for (int oy = 0; oy < c->oh; oy++) {
        float *dr = out + (size_t)oy * c->ow;
        for (int ox = 0; ox < c->ow; ox++)
            dr[ox] = 0;
        for (int ky = 0; ky < c->kh; ky++) {
            int iy = oy * c->sh - c->pt + ky * c->dh;
            if (iy < 0 || iy >= c->ih)
                continue;
            const float *sr = in + (size_t)iy * c->iw;
            for (int kx = 0; kx < c->kw; kx++) {
                float wv = w[ky * c->kw + kx];
                int off = kx * c->dw - c->pl;
                /* valid ox: 0 <= ox*sw + off < iw */
                int lo = off >= 0 ? 0 : (-off + c->sw - 1) / c->sw;
                int hi = (c->iw - 1 - off) >= 0 ? (c->iw - 1 - off) / c->sw + 1 : 0;
                hi = hi > c->ow ? c->ow : hi;
                if (c->sw == 1) {
                    for (int ox = lo; ox < hi; ox++)
                        dr[ox] += wv * sr[ox + off];
                } else {
                    for (int ox = lo; ox < hi; ox++)
                        dr[ox] += wv * sr[ox * c->sw + off];
                }
            }
        }
        epilogue(dr, (size_t)c->ow, bias, c->act);
    }
}

#if defined(__x86_64__) && defined(__GNUC__)
/* Depthwise 3x3, stride 1, padding 1 (every one in YOLO11): 16 outputs
 * per register across all nine taps, borders by masked loads, bias and the
 * activation before the one store. */
__attribute__((target("avx512f")))
static void depthwise3_task(void *ctx, size_t ch, int thread)
{
    (void)thread;
    struct conv_job *j = ctx;
    const struct md_conv *c = j->c;
    int ih = c->ih, iw = c->iw;
    const float *in = j->in + ch * (size_t)ih * iw;
    const float *w = c->w + ch * 9;
    float *out = j->out + ch * (size_t)ih * iw;
    __m512 wv[9];
    for (int k = 0; k < 9; k++)
        wv[k] = _mm512_set1_ps(w[k]);
    __m512 bias = _mm512_set1_ps(c->bias ? c->bias[ch] : 0.0f);
    for (int x0 = 0; x0 < iw; x0 += 16) {
        /* lane l of tap kx reads column x0 + kx - 1 + l */
        __mmask16 mk[3];
        for (int kx = 0; kx < 3; kx++) {
            int lo = 1 - kx - x0, hi = iw + 1 - kx - x0;       /* valid l in [lo, hi) */
            lo = lo < 0 ? 0 : lo;
            hi = hi > 16 ? 16 : hi;
            mk[kx] = hi > lo ? (__mmask16)((((1u << (hi - lo)) - 1u) << lo) & 0xffffu) : 0;
        }
        __mmask16 st = iw - x0 >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (iw - x0)) - 1u);
        for (int oy = 0; oy < ih; oy++) {
            __m512 acc = bias;
            for (int ky = 0; ky < 3; ky++) {
                int iy = oy + ky - 1;
                if (iy < 0 || iy >= ih)
                    continue;
                const float *r = in + (size_t)iy * iw + x0 - 1;
                acc = _mm512_fmadd_ps(wv[ky * 3 + 0], _mm512_maskz_loadu_ps(mk[0], r), acc);
                acc = _mm512_fmadd_ps(wv[ky * 3 + 1], _mm512_maskz_loadu_ps(mk[1], r + 1), acc);
                acc = _mm512_fmadd_ps(wv[ky * 3 + 2], _mm512_maskz_loadu_ps(mk[2], r + 2), acc);
            }
            _mm512_mask_storeu_ps(out + (size_t)oy * iw + x0, st, md_dk_act(acc, c->act));
        }
    }
}

static int depthwise3_ok(const struct md_conv *c)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && md_dk_choice() >= 0 && c->kh == 3 && c->kw == 3 &&
           c->sh == 1 && c->sw == 1 && c->dh == 1 && c->dw == 1 && c->pt == 1 && c->pl == 1 &&
           c->pb == 1 && c->pr == 1;
}
#else
static int depthwise3_ok(const struct md_conv *c)
{
    (void)c;
    return 0;
}
#define depthwise3_task depthwise_task
#endif

/* Row-wise im2col.  For padded input row yp = r * sh + phase (stride sh),
 * column block (phase, r) holds
 *   X[ci*kw + kx][phase][r][ox] = in[ci][yp - pt][ox*sw + kx*dw - pl], 0 outside,
 * so that the rows a vertical tap needs are contiguous for any stride. */
/* Writes padded input rows [yp0, yp1) of X row xr = ci*kw + kx into x,
 * whose rows hold sh phases of rpp rows of ow columns; row yp lands at
 * local index yp - ybase. */
__attribute__((target_clones("avx512f", "avx2", "default")))
static void build_x(const struct md_conv *c, const float *in, int xr, int yp0, int yp1, int ybase,
                    float *x, int rpp)
{
    int ow = c->ow, sh = c->sh, sw = c->sw, ci = xr / c->kw, kx = xr % c->kw;
    const float *plane = in + (size_t)ci * c->ih * c->iw;
    x += (size_t)xr * sh * rpp * ow;
    int off = kx * c->dw - c->pl;
    /* valid ox: 0 <= ox*sw + off < iw */
    int lo = off >= 0 ? 0 : (-off + sw - 1) / sw;
    int hi = c->iw - off > 0 ? (c->iw - off + sw - 1) / sw : 0;
    lo = lo > ow ? ow : lo;
    hi = hi > ow ? ow : hi < lo ? lo : hi;
    for (int yp = yp0; yp < yp1; yp++) {
        int l = yp - ybase;
        float *d = x + ((size_t)(l % sh) * rpp + (size_t)(l / sh)) * ow;
        int iy = yp - c->pt;
        if (iy < 0 || iy >= c->ih) {
            for (int ox = 0; ox < ow; ox++)
                d[ox] = 0;
            continue;
        }
        const float *sr = plane + (size_t)iy * c->iw;
        for (int ox = 0; ox < lo; ox++)
            d[ox] = 0;
        if (sw == 1)
            for (int ox = lo; ox < hi; ox++)
                d[ox] = sr[ox + off];
        else if (sw == 2)
            for (int ox = lo; ox < hi; ox++)
                d[ox] = sr[2 * ox + off];
        else
            for (int ox = lo; ox < hi; ox++)
                d[ox] = sr[ox * sw + off];
        for (int ox = hi; ox < ow; ox++)
            d[ox] = 0;
    }
}

/* The shared X of a whole layer: task = (X row, block of padded rows). */
static void rowcol_task(void *ctx, size_t task, int thread)
{
    struct conv_job *j = ctx;
    const struct md_conv *c = j->c;
    int ihp = c->ih + c->pt + c->pb, rpp = (ihp + c->sh - 1) / c->sh;
    int xr = (int)(task / (size_t)j->ntiles), blk = (int)(task % (size_t)j->ntiles);
    int y0 = blk * j->tile, y1 = y0 + j->tile < ihp ? y0 + j->tile : ihp;
    build_x(c, j->in, xr, y0, y1, 0, j->p->xbuf, rpp);
}

/* Output rows [oy0, oy1) x a block of channels: kh GEMMs on X, then the
 * epilogue.  With a private X the task first builds the rows it needs in
 * its thread's scratch (they stay in L2); otherwise it reads the shared X. */
static void rowgemm_task(void *ctx, size_t t, int thread)
{
    struct conv_job *j = ctx;
    const struct md_conv *c = j->c;
    int mb = (int)(t % (size_t)j->mblocks);
    t /= (size_t)j->mblocks;
    int rows = j->tile, oy0 = (int)t * rows, oy1 = oy0 + rows < c->oh ? oy0 + rows : c->oh;
    int m0 = mb * j->mrows, m1 = m0 + j->mrows < c->cout ? m0 + j->mrows : c->cout;
    int ow = c->ow, hw = c->oh * ow, k = c->cin * c->kw, n = (oy1 - oy0) * ow;
    const float *x;
    int rpp, rbase;
    if (j->private_x) {
        float *xl = j->p->scratch + (size_t)thread * j->p->scratch_per_thread;
        rpp = tile_rpp(c, rows);
        int yp0 = oy0 * c->sh, yp1 = (oy1 - 1) * c->sh + (c->kh - 1) * c->dh + 1;
        for (int xr = 0; xr < k; xr++)
            build_x(c, j->in, xr, yp0, yp1, yp0, xl, rpp);
        x = xl;
        rbase = 0;
    } else {
        int ihp = c->ih + c->pt + c->pb;
        rpp = (ihp + c->sh - 1) / c->sh;
        x = j->p->xbuf;
        rbase = oy0;
    }
    int ldb = c->sh * rpp * ow;
    float *out = j->out + (size_t)m0 * hw + (size_t)oy0 * ow;
    for (int ky = 0; ky < c->kh; ky++) {
        int dy = ky * c->dh, phase = dy % c->sh, r0 = rbase + dy / c->sh;
        const float *b = x + ((size_t)phase * rpp + (size_t)r0) * ow;
        md_blas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m1 - m0, n, k, 1.0f,
                    c->wk + ((size_t)ky * c->cout + m0) * k, k, b, ldb, ky ? 1.0f : 0.0f, out, hw);
    }
    for (int m = m0; m < m1; m++)
        epilogue(out + (size_t)(m - m0) * hw, (size_t)n, c->bias ? c->bias[m] : 0.0f, c->act);
}

void md_conv_run(struct md_plan *p, struct md_step *s)
{
    struct md_conv *c = &s->conv;
    c->act = s->act;
    struct conv_job j = {p, c, md_plan_ptr(p, s->in[0]), md_plan_ptr(p, s->out[0]), 0, 0, 1, c->cout, 0};
    if (c->wino) {
        md_wino_run(p, c, j.in, j.out);
        return;
    }
    if (c->dk) {
        md_dconv_run(p, c, j.in, j.out);
        return;
    }
    if (c->depthwise) {
        md_pool_run(p->pool, (size_t)c->cout, c->dw3 ? depthwise3_task : depthwise_task, &j);
        return;
    }
    if (c->rowwise) {
        j.tile = row_tile(c);
        j.ntiles = (c->oh + j.tile - 1) / j.tile;
        if (!even_row_tiles(&j, p->nthreads, c->oh))
            split_rows(&j, p->nthreads, c->cout);
        if (j.mblocks == 1) {
            /* each task builds its own rows of X: no layer-sized buffer */
            j.private_x = 1;
            md_pool_run(p->pool, (size_t)j.ntiles, rowgemm_task, &j);
            return;
        }
        /* small layers split by channel blocks share one X */
        struct conv_job xj = j;
        int xrows = c->cin * c->kw, ihp = c->ih + c->pt + c->pb;
        int blocks = xrows >= 8 * p->nthreads ? 1 : (8 * p->nthreads + xrows - 1) / xrows;
        xj.tile = (ihp + blocks - 1) / blocks;
        xj.ntiles = (ihp + xj.tile - 1) / xj.tile;
        md_pool_run(p->pool, (size_t)xrows * (size_t)xj.ntiles, rowcol_task, &xj);
        md_pool_run(p->pool, (size_t)j.ntiles * (size_t)j.mblocks, rowgemm_task, &j);
        return;
    }
    int hw = c->oh * c->ow;
    j.tile = tile_cols(c);
    j.ntiles = (hw + j.tile - 1) / j.tile;
    j.mblocks = 1;
    j.mrows = c->cout / c->group;
    if (c->direct && p->nthreads > 1 && j.ntiles < p->nthreads && hw >= 64 * p->nthreads) {
        /* deep 1x1 on a 20x20 map (one tile): split the columns between
         * the threads rather than the output channels, so that no thread
         * re-packs the whole input (K x 400) for a block of a few rows */
        j.tile = ((hw + p->nthreads - 1) / p->nthreads + 15) & ~15;
        j.ntiles = (hw + j.tile - 1) / j.tile;
    }
    if (c->direct && j.ntiles % p->nthreads)     /* im2col tiles would be rebuilt per row block */
        split_rows(&j, p->nthreads, c->cout);
    md_pool_run(p->pool, (size_t)j.ntiles * (size_t)c->group * (size_t)j.mblocks, gemm_task, &j);
}
