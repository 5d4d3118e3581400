/* Conv on AVX-512 without im2col and without OpenBLAS's operand packing.
 *
 * The GEMM is out[co][n] = sum_k W[co][k] X[k][n] with k = (ci, ky, kx)
 * and n an output pixel.  Every row of X is a shifted view of the input:
 *   - 1x1, stride 1, no padding: row k is input channel k itself;
 *   - any other kernel: the input is first rewritten once as zero-padded
 *     "phase planes" (for stride s, the s*s sub-grids of rows and columns
 *     with the same remainder).  Output pixels are numbered n = oy*pw + ox
 *     over a virtual row of pw >= ow columns, and then tap (ky, kx) of
 *     channel ci is the contiguous run starting at
 *     koff[k] = plane(ci, ky % s, kx % s) + (ky / s) * pw + kx / s.
 * The copy costs one pass over the input (im2col writes kh*kw of them), and
 * the kernel reads X rows in place through the koff table.  The virtual
 * columns ox >= ow are computed and never stored (2 of 82 for a 3x3 at 80).
 *
 * The micro-kernel keeps an 8 x 48 block of the output in 24 registers:
 * per k, three vector loads of X and eight broadcasts of the weights (packed
 * once at plan time as [cout/8][K][8]).  Bias and the activation are applied
 * in registers, then the rows are stored with masks (tails, virtual
 * columns).  A task walks its tiles and, for each tile, every block of
 * output channels, so the X tile stays in L1/L2 while the weights stream
 * sequentially; the first block also prefetches the next tile's rows. */
#include <stdlib.h>
#include <string.h>

#include "yolo/graph.h"
#include "yolo/dconv.h"
#include "yolo/vmath.h"

#if defined(__x86_64__) && defined(__GNUC__)
#define MD_DCONV_X86 1
#define MR MD_DK_MR
#define NR MD_DK_NR
#else
#define MR 8
#define NR 48
#endif

/* MLDECK_YOLO_KERNEL=blas: every convolution on OpenBLAS (for comparison);
 * =direct: every convolution this kernel can run; unset: the measured
 * best per shape. */
int md_dk_choice(void)
{
    const char *e = getenv("MLDECK_YOLO_KERNEL");
    return !e ? 0 : !strcmp(e, "blas") ? -1 : !strcmp(e, "direct") ? 1 : 0;
}

static int dconv_usable(const struct md_conv *c)
{
#ifdef MD_DCONV_X86
    __builtin_cpu_init();
    int choice = md_dk_choice();
    if (!__builtin_cpu_supports("avx512f") || choice < 0)
        return 0;
    if (c->group != 1 || c->dh != 1 || c->dw != 1)
        return 0;
    /* measured per layer shape against the OpenBLAS paths: strided
     * convolutions and deep 1x1 ones on small maps (K >= 256, 20x20) run
     * faster through OpenBLAS's packed panels */
    if (choice == 0 && (c->sh > 1 || c->sw > 1 || (c->direct && c->cin >= 256 && c->oh * c->ow <= 400)))
        return 0;
    /* fewer output channels than one register block (the DFL's 16 -> 1) */
    if (choice == 0 && c->cout < MR)
        return 0;
    /* a vector of 16 virtual columns touches at most 6 output rows */
    int pw = c->ow + (c->kw - 1) / c->sw;
    if (!c->direct && pw < 4)
        return 0;
    long k = (long)c->cin * c->kh * c->kw;
    return k <= (1L << 20);
#else
    (void)c;
    return 0;
#endif
}

static int n_planes(const struct md_conv *c)
{
    return c->sh * c->sw;
}

size_t md_dconv_copy_floats(const struct md_conv *c)
{
    if (!c->dk || c->direct)
        return 0;
    /* slack: the last tile's loads run past the final plane (masked lanes) */
    return (size_t)c->cin * n_planes(c) * c->ph * c->pw + NR + 2 * (size_t)c->pw + 64;
}

md_status md_dconv_prepare(struct md_conv *c, struct md_err *err)
{
    free(c->wp);
    free(c->koff);
    c->wp = NULL;
    c->koff = NULL;
    c->dk = dconv_usable(c);
    if (!c->dk)
        return MD_OK;
    int K = c->cin * c->kh * c->kw, mb = (c->cout + MR - 1) / MR;
    if (c->direct) {
        c->pw = c->ow;
        c->ph = c->oh;
    } else {
        c->pw = c->ow + (c->kw - 1) / c->sw;
        c->ph = c->oh + (c->kh - 1) / c->sh;
    }
    c->wp = md_plan_alloc(sizeof(float) * ((size_t)mb * MR * K + (size_t)mb * MR + 16));
    c->koff = malloc(sizeof(int32_t) * (size_t)K);
    if (!c->wp || !c->koff)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    for (int b = 0; b < mb; b++)
        for (int k = 0; k < K; k++)
            for (int i = 0; i < MR; i++) {
                int co = b * MR + i;
                c->wp[((size_t)b * K + k) * MR + i] = co < c->cout ? c->w[(size_t)co * K + k] : 0.0f;
            }
    float *bias = c->wp + (size_t)mb * MR * K;
    for (int co = 0; co < mb * MR; co++)
        bias[co] = c->bias && co < c->cout ? c->bias[co] : 0.0f;
    size_t ps = (size_t)c->ph * c->pw, cs = ps * (size_t)n_planes(c);
    if ((size_t)c->cin * cs + NR + 2 * (size_t)c->pw + 64 > (size_t)INT32_MAX) {
        c->dk = 0;
        return MD_OK;
    }
    for (int ci = 0; ci < c->cin; ci++)
        for (int ky = 0; ky < c->kh; ky++)
            for (int kx = 0; kx < c->kw; kx++) {
                size_t o;
                if (c->direct)
                    o = (size_t)ci * c->ih * c->iw;
                else
                    o = ci * cs + (size_t)((ky % c->sh) * c->sw + kx % c->sw) * ps +
                        (size_t)(ky / c->sh) * c->pw + (size_t)(kx / c->sw);
                c->koff[(ci * c->kh + ky) * c->kw + kx] = (int32_t)o;
            }
    return MD_OK;
}

#ifdef MD_DCONV_X86

/* Plane (ci, py, px): rows r < ph, columns q < pw hold
 * in[ci][r*sh + py - pt][q*sw + px - pl], zero outside the input. */
/* Stride 2 in x: d[q] = s[2q + off] for q < n, 0 where 2q + off is
 * outside [0, iw); masked loads keep the reads inside the row. */
__attribute__((target("avx512f")))
static void gather2(float *d, const float *s, int off, int iw, int n)
{
    const __m512i ev = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
    for (int q = 0; q < n; q += 16) {
        long j0 = 2L * q + off;                 /* source index of lane 0 of a */
        uint64_t valid = 0;                     /* bit j: 0 <= j0 + j < iw, j < 32 */
        long lo = j0 < 0 ? -j0 : 0, hi = iw - j0 < 32 ? iw - j0 : 32;
        if (hi > lo)
            valid = (hi - lo >= 64 ? ~0ull : ((1ull << (hi - lo)) - 1)) << lo;
        __m512 a = _mm512_maskz_loadu_ps((__mmask16)(valid & 0xffff), s + j0);
        __m512 b = _mm512_maskz_loadu_ps((__mmask16)((valid >> 16) & 0xffff), s + j0 + 16);
        __mmask16 m = n - q >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (n - q)) - 1);
        _mm512_mask_storeu_ps(d + q, m, _mm512_permutex2var_ps(a, ev, b));
    }
}

static void copy_channel(const struct md_conv *c, const float *in, float *x, int ci)
{
    size_t ps = (size_t)c->ph * c->pw;
    const float *plane = in + (size_t)ci * c->ih * c->iw;
    for (int py = 0; py < c->sh; py++)
        for (int px = 0; px < c->sw; px++) {
            float *d = x + ((size_t)ci * n_planes(c) + (size_t)py * c->sw + px) * ps;
            /* columns q with 0 <= q*sw + px - pl < iw */
            int off = px - c->pl, sw = c->sw;
            int lo = off >= 0 ? 0 : (-off + sw - 1) / sw;
            int hi = c->iw - off > 0 ? (c->iw - off + sw - 1) / sw : 0;
            lo = lo > c->pw ? c->pw : lo;
            hi = hi > c->pw ? c->pw : hi < lo ? lo : hi;
            for (int r = 0; r < c->ph; r++, d += c->pw) {
                int iy = r * c->sh + py - c->pt;
                if (iy < 0 || iy >= c->ih) {
                    memset(d, 0, sizeof(float) * (size_t)c->pw);
                    continue;
                }
                const float *s = plane + (size_t)iy * c->iw;
                if (sw == 2) {
                    gather2(d, s, off, c->iw, c->pw);
                    continue;
                }
                for (int q = 0; q < lo; q++)
                    d[q] = 0;
                if (sw == 1)
                    memcpy(d + lo, s + lo + off, sizeof(float) * (size_t)(hi - lo));
                else
                    for (int q = lo; q < hi; q++)
                        d[q] = s[q * sw + off];
                for (int q = hi; q < c->pw; q++)
                    d[q] = 0;
            }
        }
}

static void plan_stores(const struct md_conv *c, long n0, __mmask16 *lmask, struct md_vstore *vs)
{
    long N = (long)c->oh * c->pw;
    for (int v = 0; v < NR / 16; v++) {
        long s = n0 + 16L * v;
        lmask[v] = s >= N ? 0 : N - s >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (N - s)) - 1);
        struct md_vstore *o = &vs[v];
        o->n = 0;
        if (c->pw == c->ow) {      /* no virtual columns: one contiguous piece */
            if (lmask[v]) {
                o->mask[0] = lmask[v];
                o->off[0] = s;
                o->n = 1;
            }
            continue;
        }
        long l = 0;
        while (l < 16 && s + l < N && o->n < 6) {
            long oy = (s + l) / c->pw, ox = (s + l) % c->pw;
            long run = c->pw - ox;          /* lanes left in this virtual row */
            long end = l + run < 16 ? l + run : 16;
            long valid_end = ox < c->ow ? l + (c->ow - ox) : l;   /* lanes with ox < ow */
            valid_end = valid_end < end ? valid_end : end;
            if (valid_end > l) {
                unsigned m = (((1u << (valid_end - l)) - 1u) << l) & 0xffffu;
                o->mask[o->n] = (__mmask16)m;
                o->off[o->n] = oy * c->ow + ox - l;
                o->n++;
            }
            l = end;
        }
    }
}

#define DK_ROW(i)                                  \
        b = _mm512_set1_ps(w[i]);                  \
        c##i##0 = _mm512_fmadd_ps(b, x0, c##i##0); \
        c##i##1 = _mm512_fmadd_ps(b, x1, c##i##1); \
        c##i##2 = _mm512_fmadd_ps(b, x2, c##i##2);
#define DK_STEP                                             \
        const float *xk = x + koff[k];                      \
        __m512 x0 = _mm512_maskz_loadu_ps(m0, xk);          \
        __m512 x1 = _mm512_maskz_loadu_ps(m1, xk + 16);     \
        __m512 x2 = _mm512_maskz_loadu_ps(m2, xk + 32);     \
        __m512 b;                                           \
        DK_ROW(0) DK_ROW(1) DK_ROW(2) DK_ROW(3) DK_ROW(4) DK_ROW(5) DK_ROW(6) DK_ROW(7)

/* One 8 x 48 output block: rows m0.., the tile of virtual pixels at x. */
__attribute__((target("avx512f"))) void md_dk_kernel(
    int K, const float *w, const float *x, const int32_t *koff, const __mmask16 *lm,
    const float *bias, int act, float *out, size_t ldo, int rows, const struct md_vstore *vs, int pf)
{
    __m512 c00 = _mm512_setzero_ps(), c01 = c00, c02 = c00, c10 = c00, c11 = c00, c12 = c00;
    __m512 c20 = c00, c21 = c00, c22 = c00, c30 = c00, c31 = c00, c32 = c00;
    __m512 c40 = c00, c41 = c00, c42 = c00, c50 = c00, c51 = c00, c52 = c00;
    __m512 c60 = c00, c61 = c00, c62 = c00, c70 = c00, c71 = c00, c72 = c00;
    __mmask16 m0 = lm[0], m1 = lm[1], m2 = lm[2];
    if (pf) {
        /* first channel block of a tile: also pull the next tile's X rows
         * towards L2, where the later blocks and the next tile find them */
        for (int k = 0; k < K; k++, w += MR) {
            const char *q = (const char *)(x + koff[k] + NR);
            _mm_prefetch(q, _MM_HINT_T1);
            _mm_prefetch(q + 64, _MM_HINT_T1);
            _mm_prefetch(q + 128, _MM_HINT_T1);
            _mm_prefetch(q + 191, _MM_HINT_T1);
            DK_STEP
        }
    } else {
        for (int k = 0; k < K; k++, w += MR) {
            DK_STEP
        }
    }
#define FIN(i)                                                                  \
    if (i < rows) {                                                             \
        __m512 bb = _mm512_set1_ps(bias[i]);                                    \
        float *o = out + (size_t)(i) * ldo;                                     \
        __m512 r0 = md_dk_act(_mm512_add_ps(c##i##0, bb), act);                    \
        __m512 r1 = md_dk_act(_mm512_add_ps(c##i##1, bb), act);                    \
        __m512 r2 = md_dk_act(_mm512_add_ps(c##i##2, bb), act);                    \
        for (int p = 0; p < vs[0].n; p++)                                       \
            _mm512_mask_storeu_ps(o + vs[0].off[p], vs[0].mask[p], r0);         \
        for (int p = 0; p < vs[1].n; p++)                                       \
            _mm512_mask_storeu_ps(o + vs[1].off[p], vs[1].mask[p], r1);         \
        for (int p = 0; p < vs[2].n; p++)                                       \
            _mm512_mask_storeu_ps(o + vs[2].off[p], vs[2].mask[p], r2);         \
    }
    FIN(0) FIN(1) FIN(2) FIN(3) FIN(4) FIN(5) FIN(6) FIN(7)
#undef FIN
}

struct dconv_job {
    const struct md_conv *c;
    const float *in;            /* the input, or the phase planes */
    float *out;
    int ntiles, tiles_per_task, mgroups, mb_per_group, mblocks;
};

static void copy_task(void *ctx, size_t ci, int thread)
{
    (void)thread;
    struct dconv_job *j = ctx;
    copy_channel(j->c, j->in, (float *)j->out, (int)ci);
}

static void tile_task(void *ctx, size_t task, int thread)
{
    (void)thread;
    struct dconv_job *j = ctx;
    const struct md_conv *c = j->c;
    int g = (int)(task % (size_t)j->mgroups);
    int t0 = (int)(task / (size_t)j->mgroups) * j->tiles_per_task;
    int t1 = t0 + j->tiles_per_task < j->ntiles ? t0 + j->tiles_per_task : j->ntiles;
    int b0 = g * j->mb_per_group, b1 = b0 + j->mb_per_group < j->mblocks ? b0 + j->mb_per_group : j->mblocks;
    int K = c->cin * c->kh * c->kw;
    size_t hw = (size_t)c->oh * c->ow;
    const float *bias = c->wp + (size_t)j->mblocks * MR * K;
    for (int t = t0; t < t1; t++) {
        long n0 = (long)t * NR;
        __mmask16 lm[NR / 16];
        struct md_vstore vs[NR / 16];
        plan_stores(c, n0, lm, vs);
        for (int b = b0; b < b1; b++) {
            int rows = c->cout - b * MR < MR ? c->cout - b * MR : MR;
            md_dk_kernel(K, c->wp + (size_t)b * K * MR, j->in + n0, c->koff, lm, bias + b * MR, c->act,
                         j->out + (size_t)b * MR * hw, hw, rows, vs, b == b0 && t + 1 < j->ntiles);
        }
    }
}

void md_dconv_run(struct md_plan *p, const struct md_conv *c, const float *in, float *out)
{
    struct dconv_job j = {c, in, out, 0, 1, 1, 0, (c->cout + MR - 1) / MR};
    if (!c->direct) {
        struct dconv_job cj = {c, in, p->xbuf, 0, 0, 0, 0, 0};
        md_pool_run(p->pool, (size_t)c->cin, copy_task, &cj);
        j.in = p->xbuf;
    }
    long nv = (long)c->oh * c->pw;
    j.ntiles = (int)((nv + NR - 1) / NR);
    j.mb_per_group = j.mblocks;
    int nt = p->nthreads;
    if (nt > 1) {
        /* enough tasks for the pool to balance: split tiles, and channel
         * blocks when the tiles alone are too few */
        int want = 8 * nt;
        if (j.ntiles < want) {
            int groups = (want + j.ntiles - 1) / j.ntiles;
            groups = groups > j.mblocks ? j.mblocks : groups;
            j.mb_per_group = (j.mblocks + groups - 1) / groups;
        }
        j.mgroups = (j.mblocks + j.mb_per_group - 1) / j.mb_per_group;
        int chunks = want / j.mgroups > 1 ? want / j.mgroups : 1;
        j.tiles_per_task = (j.ntiles + chunks - 1) / chunks;
    } else {
        j.tiles_per_task = j.ntiles;
    }
    size_t tasks = (size_t)((j.ntiles + j.tiles_per_task - 1) / j.tiles_per_task) * (size_t)j.mgroups;
    md_pool_run(p->pool, tasks, tile_task, &j);
}

#else

void md_dconv_run(struct md_plan *p, const struct md_conv *c, const float *in, float *out)
{
    (void)p, (void)c, (void)in, (void)out;
}

#endif
