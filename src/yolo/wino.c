/* 3x3 stride-1 convolutions by Winograd's F(2x2, 3x3): each 2x2 block of
 * output pixels ("tile") is computed from the 4x4 input patch around it as
 *   Y = A^T [ sum_ci (G g G^T) .* (B^T d B) ] A,
 * which turns the 36 multiply-adds per tile, input and output channel of
 * the direct method into 16: the 16 element-wise products summed over ci
 * are 16 GEMMs (cout x cin) x (cin x tiles), run on dconv.c's micro-kernel.
 * The transforms cost a few additions per element; B^T and A^T hold only
 * 0 and +-1 and G's halves are exact, so the rounding stays close to the
 * direct sum.
 *
 * A task takes a block of tiles: transforms their input patches for every
 * channel into V[16][cin][tiles] (thread scratch, stays in L2), runs the 16
 * GEMMs into M[16][cout][tiles], and transforms M into the output with bias
 * and activation.  Tiles are numbered row-major over the tile grid and
 * handled 16 at a time (one per vector lane); a group of 16 may straddle
 * two tile rows, so loads and stores go by row segments with masks.  The
 * input is first copied once into zero-padded planes. */
#include <stdlib.h>
#include <string.h>

#include "yolo/graph.h"
#include "yolo/dconv.h"

#if defined(__x86_64__) && defined(__GNUC__)
#define MD_WINO_X86 1
#endif

#define FRONT 64    /* floats before the first plane: loads for lanes left of a row segment */

static int tiles_h(const struct md_conv *c) { return (c->oh + 1) / 2; }
static int tiles_w(const struct md_conv *c) { return (c->ow + 1) / 2; }
static int plane_w(const struct md_conv *c) { return 2 * tiles_w(c) + 2 + 34; }
static int plane_h(const struct md_conv *c) { return 2 * tiles_h(c) + 2; }

/* Tiles per task block: a multiple of the kernel's 48 columns. */
static int block_tiles(const struct md_conv *c, int nthreads)
{
    int t = tiles_h(c) * tiles_w(c);
    return (t + 95) / 96 >= 4 * nthreads ? 96 : 48;
}

size_t md_wino_copy_floats(const struct md_conv *c)
{
    return c->wino ? FRONT + (size_t)c->cin * plane_h(c) * plane_w(c) + 64 : 0;
}

size_t md_wino_scratch(const struct md_conv *c)
{
    return c->wino ? (size_t)16 * (size_t)(c->cin + c->cout) * 96 + 64 : 0;
}

md_status md_wino_prepare(struct md_conv *c, int choice, struct md_err *err)
{
    free(c->wu);
    free(c->wkoff);
    c->wu = NULL;
    c->wkoff = NULL;
    c->wino = 0;
#ifdef MD_WINO_X86
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx512f") || choice != 0)
        return MD_OK;
    if (c->group != 1 || c->kh != 3 || c->kw != 3 || c->sh != 1 || c->sw != 1 || c->dh != 1 || c->dw != 1 ||
        c->pt != 1 || c->pl != 1 || c->pb != 1 || c->pr != 1)
        return MD_OK;
    /* small maps leave too many idle lanes; few channels make the
     * transforms dominate (measured) */
    if (c->ow < 16 || c->cin < 16 || c->cout < 32 || (size_t)c->cin * plane_h(c) * plane_w(c) > (1u << 28))
        return MD_OK;
    int mb = (c->cout + MD_DK_MR - 1) / MD_DK_MR, cin = c->cin;
    c->wu = md_plan_alloc(sizeof(float) * (16 * (size_t)mb * MD_DK_MR * cin + 16));
    c->wkoff = malloc(sizeof(int32_t) * (size_t)cin * 2);
    if (!c->wu || !c->wkoff)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    static const double G[4][3] = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
    for (int co = 0; co < mb * MD_DK_MR; co++)
        for (int ci = 0; ci < cin; ci++) {
            double u[4][4] = {{0}};
            if (co < c->cout) {
                const float *g = c->w + ((size_t)co * cin + ci) * 9;
                double t[4][3];
                for (int i = 0; i < 4; i++)
                    for (int j = 0; j < 3; j++)
                        t[i][j] = G[i][0] * g[j] + G[i][1] * g[3 + j] + G[i][2] * g[6 + j];
                for (int i = 0; i < 4; i++)
                    for (int j = 0; j < 4; j++)
                        u[i][j] = t[i][0] * G[j][0] + t[i][1] * G[j][1] + t[i][2] * G[j][2];
            }
            int b = co / MD_DK_MR, r = co % MD_DK_MR;
            for (int xi = 0; xi < 16; xi++)
                c->wu[(((size_t)xi * mb + b) * cin + ci) * MD_DK_MR + r] = (float)u[xi / 4][xi % 4];
        }
    /* GEMM row ci of V starts at ci * block (two block sizes) */
    for (int ci = 0; ci < cin; ci++) {
        c->wkoff[ci] = ci * 48;
        c->wkoff[cin + ci] = ci * 96;
    }
    c->wino = 1;
#else
    (void)choice, (void)err;
#endif
    return MD_OK;
}

#ifdef MD_WINO_X86

struct wino_job {
    const struct md_conv *c;
    const float *in;
    float *x;                   /* padded planes (FRONT floats in) */
    float *out;
    float *scratch;
    size_t scratch_per_thread;
    int tb;                     /* tiles per block */
    int nblocks;                /* blocks run whole, as one task each */
    int last_parts;             /* then the last block, in this many tasks */
};

static void pad_task(void *ctx, size_t ci, int thread)
{
    (void)thread;
    struct wino_job *j = ctx;
    const struct md_conv *c = j->c;
    int pw = plane_w(c), ph = plane_h(c);
    float *d = j->x + FRONT + ci * (size_t)ph * pw;
    const float *s = j->in + ci * (size_t)c->ih * c->iw;
    memset(d, 0, sizeof(float) * (size_t)pw);
    for (int r = 1; r < ph; r++) {
        float *dr = d + (size_t)r * pw;
        if (r > c->ih) {
            memset(dr, 0, sizeof(float) * (size_t)pw);
            continue;
        }
        dr[0] = 0;
        memcpy(dr + 1, s + (size_t)(r - 1) * c->iw, sizeof(float) * (size_t)c->iw);
        memset(dr + 1 + c->iw, 0, sizeof(float) * (size_t)(pw - 1 - c->iw));
    }
}

/* A run of consecutive tiles in one tile row: lanes [l0, l0+n) are tiles
 * (ty, tx .. tx+n-1). */
struct seg {
    int ty, tx, l0, n;
};

static int segments(const struct md_conv *c, int g0, int gend, struct seg *sg)
{
    int tw = tiles_w(c), ns = 0;
    for (int l = 0; l < 16 && g0 + l < gend;) {
        int t = g0 + l, ty = t / tw, tx = t % tw;
        int n = 16 - l < tw - tx ? 16 - l : tw - tx;
        n = n < gend - t ? n : gend - t;
        sg[ns++] = (struct seg){ty, tx, l, n};
        l += n;
    }
    return ns;
}

__attribute__((target("avx512f")))
static void input_transform(const struct md_conv *c, const float *x, float *v, int tbp, int g0, int gend,
                            int loc)
{
    int pw = plane_w(c), ph = plane_h(c);
    struct seg sg[16];
    int ns = segments(c, g0, gend, sg);
    const __m512i ev = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
    const __m512i od = _mm512_add_epi32(ev, _mm512_set1_epi32(1));
    size_t vstride = (size_t)c->cin * tbp;     /* between the 16 V matrices */
    for (int ci = 0; ci < c->cin; ci++) {
        const float *plane = x + FRONT + (size_t)ci * ph * pw;
        __m512 d[4][4];
        for (int r = 0; r < 4; r++)
            for (int q = 0; q < 4; q++)
                d[r][q] = _mm512_setzero_ps();
        for (int s = 0; s < ns; s++) {
            __mmask16 m = (__mmask16)((((1u << sg[s].n) - 1u) << sg[s].l0) & 0xffffu);
            for (int r = 0; r < 4; r++) {
                const float *row = plane + (size_t)(2 * sg[s].ty + r) * pw + 2 * (sg[s].tx - sg[s].l0);
                __m512 a = _mm512_loadu_ps(row), b = _mm512_loadu_ps(row + 16);
                __m512 a2 = _mm512_loadu_ps(row + 2), b2 = _mm512_loadu_ps(row + 18);
                d[r][0] = _mm512_mask_mov_ps(d[r][0], m, _mm512_permutex2var_ps(a, ev, b));
                d[r][1] = _mm512_mask_mov_ps(d[r][1], m, _mm512_permutex2var_ps(a, od, b));
                d[r][2] = _mm512_mask_mov_ps(d[r][2], m, _mm512_permutex2var_ps(a2, ev, b2));
                d[r][3] = _mm512_mask_mov_ps(d[r][3], m, _mm512_permutex2var_ps(a2, od, b2));
            }
        }
        __m512 t[4][4];
        for (int q = 0; q < 4; q++) {
            t[0][q] = _mm512_sub_ps(d[0][q], d[2][q]);
            t[1][q] = _mm512_add_ps(d[1][q], d[2][q]);
            t[2][q] = _mm512_sub_ps(d[2][q], d[1][q]);
            t[3][q] = _mm512_sub_ps(d[1][q], d[3][q]);
        }
        float *vc = v + (size_t)ci * tbp + loc;
        for (int i = 0; i < 4; i++) {
            _mm512_storeu_ps(vc + (size_t)(4 * i + 0) * vstride, _mm512_sub_ps(t[i][0], t[i][2]));
            _mm512_storeu_ps(vc + (size_t)(4 * i + 1) * vstride, _mm512_add_ps(t[i][1], t[i][2]));
            _mm512_storeu_ps(vc + (size_t)(4 * i + 2) * vstride, _mm512_sub_ps(t[i][2], t[i][1]));
            _mm512_storeu_ps(vc + (size_t)(4 * i + 3) * vstride, _mm512_sub_ps(t[i][1], t[i][3]));
        }
    }
}

__attribute__((target("avx512f")))
static void output_transform(const struct md_conv *c, const float *mm, int tbp, int g0, int gend, int loc,
                             int co0, int co1, float *out)
{
    struct seg sg[16];
    int ns = segments(c, g0, gend, sg);
    size_t mstride = (size_t)c->cout * tbp, hw = (size_t)c->oh * c->ow;
    const __m512i lo = _mm512_set_epi32(23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
    const __m512i hi = _mm512_add_epi32(lo, _mm512_set1_epi32(8));
    for (int co = co0; co < co1; co++) {
        const float *mc = mm + (size_t)co * tbp + loc;
        __m512 m[16];
        for (int xi = 0; xi < 16; xi++)
            m[xi] = _mm512_loadu_ps(mc + xi * mstride);
        __m512 s0[4], s1[4];
        for (int q = 0; q < 4; q++) {
            s0[q] = _mm512_add_ps(_mm512_add_ps(m[q], m[4 + q]), m[8 + q]);
            s1[q] = _mm512_sub_ps(_mm512_sub_ps(m[4 + q], m[8 + q]), m[12 + q]);
        }
        __m512 b = _mm512_set1_ps(c->bias ? c->bias[co] : 0.0f);
        __m512 y00 = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(s0[0], s0[1]), s0[2]), b);
        __m512 y01 = _mm512_add_ps(_mm512_sub_ps(_mm512_sub_ps(s0[1], s0[2]), s0[3]), b);
        __m512 y10 = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(s1[0], s1[1]), s1[2]), b);
        __m512 y11 = _mm512_add_ps(_mm512_sub_ps(_mm512_sub_ps(s1[1], s1[2]), s1[3]), b);
        y00 = md_dk_act(y00, c->act);
        y01 = md_dk_act(y01, c->act);
        y10 = md_dk_act(y10, c->act);
        y11 = md_dk_act(y11, c->act);
        __m512 r0lo = _mm512_permutex2var_ps(y00, lo, y01), r0hi = _mm512_permutex2var_ps(y00, hi, y01);
        __m512 r1lo = _mm512_permutex2var_ps(y10, lo, y11), r1hi = _mm512_permutex2var_ps(y10, hi, y11);
        float *oc = out + (size_t)co * hw;
        for (int s = 0; s < ns; s++) {
            /* element p of the interleaved pair (lo: p < 16, hi: p >= 16) is
             * output column 2*(tx - l0) + p; keep lanes of this segment
             * inside the image */
            long base = 2L * (sg[s].tx - sg[s].l0);
            long p0 = 2L * sg[s].l0, p1 = 2L * (sg[s].l0 + sg[s].n);
            p1 = p1 < c->ow - base ? p1 : c->ow - base;
            uint32_t bits = p1 > p0 ? (uint32_t)((((uint64_t)1 << (p1 - p0)) - 1) << p0) : 0;
            __mmask16 mlo = (__mmask16)(bits & 0xffff), mhi = (__mmask16)(bits >> 16);
            int oy = 2 * sg[s].ty;
            float *o0 = oc + (size_t)oy * c->ow + base;
            _mm512_mask_storeu_ps(o0, mlo, r0lo);
            _mm512_mask_storeu_ps(o0 + 16, mhi, r0hi);
            if (oy + 1 < c->oh) {
                _mm512_mask_storeu_ps(o0 + c->ow, mlo, r1lo);
                _mm512_mask_storeu_ps(o0 + c->ow + 16, mhi, r1hi);
            }
        }
    }
}

static void block_task(void *ctx, size_t task, int thread)
{
    struct wino_job *j = ctx;
    const struct md_conv *c = j->c;
    /* tasks past the full blocks are the parts of the last block */
    size_t blk = task < (size_t)j->nblocks ? task : (size_t)j->nblocks;
    int part = (int)(task - blk), nparts = task < (size_t)j->nblocks ? 1 : j->last_parts;
    int T = tiles_h(c) * tiles_w(c), tb = j->tb;
    int t0 = (int)blk * tb, t1 = t0 + tb < T ? t0 + tb : T, nt = t1 - t0;
    float *v = j->scratch + (size_t)thread * j->scratch_per_thread;
    float *mm = v + (size_t)16 * c->cin * tb;
    for (int g = t0; g < t1; g += 16)
        input_transform(c, j->x, v, tb, g, t1, g - t0);
    static const float zeros[MD_DK_MR];
    int mb = (c->cout + MD_DK_MR - 1) / MD_DK_MR;
    int b0 = mb * part / nparts, b1 = mb * (part + 1) / nparts;
    const int32_t *koff = c->wkoff + (tb == 96 ? c->cin : 0);
    __mmask16 lm[96 / MD_DK_NR][3];
    struct md_vstore vs[96 / MD_DK_NR][3];
    for (int kt = 0; kt < nt; kt += MD_DK_NR)
        for (int q = 0; q < 3; q++) {
            int left = nt - kt - 16 * q;
            __mmask16 m = left <= 0 ? 0 : left >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << left) - 1);
            lm[kt / MD_DK_NR][q] = m;
            vs[kt / MD_DK_NR][q] = (struct md_vstore){m ? 1 : 0, {m}, {16 * q}};
        }
    for (int xi = 0; xi < 16; xi++)
        for (int kt = 0; kt < nt; kt += MD_DK_NR)
            for (int b = b0; b < b1; b++) {
                int rows = c->cout - b * MD_DK_MR < MD_DK_MR ? c->cout - b * MD_DK_MR : MD_DK_MR;
                md_dk_kernel(c->cin, c->wu + ((size_t)xi * mb + b) * c->cin * MD_DK_MR,
                             v + (size_t)xi * c->cin * tb + kt, koff, lm[kt / MD_DK_NR], zeros, MD_ACT_NONE,
                             mm + ((size_t)xi * c->cout + (size_t)b * MD_DK_MR) * tb + kt, (size_t)tb, rows,
                             vs[kt / MD_DK_NR], b == b0 && kt + MD_DK_NR < nt);
            }
    for (int g = t0; g < t1; g += 16)
        output_transform(c, mm, tb, g, t1, g - t0, b0 * MD_DK_MR,
                         b1 * MD_DK_MR < c->cout ? b1 * MD_DK_MR : c->cout, j->out);
}

void md_wino_run(struct md_plan *p, const struct md_conv *c, const float *in, float *out)
{
    struct wino_job j = {c, in, p->xbuf, out, p->scratch, p->scratch_per_thread, block_tiles(c, p->nthreads),
                         0, 1};
    md_pool_run(p->pool, (size_t)c->cin, pad_task, &j);
    int T = tiles_h(c) * tiles_w(c), blocks = (T + j.tb - 1) / j.tb, nt = p->nthreads;
    /* The kernel costs a whole 48-tile pass however few tiles a block
     * holds, so when the blocks do not divide among the threads (a 20x20
     * map: 48 + 48 + 4 tiles), one thread would run a pass more than the
     * other: the last block is cut by output channels instead, one part
     * per thread (each part redoes only that block's input transform). */
    int mb = (c->cout + MD_DK_MR - 1) / MD_DK_MR;
    j.nblocks = blocks - 1;
    if (nt > 1 && blocks % nt && mb >= nt)
        j.last_parts = nt;
    md_pool_run(p->pool, (size_t)j.nblocks + (size_t)j.last_parts, block_task, &j);
}

#else

void md_wino_run(struct md_plan *p, const struct md_conv *c, const float *in, float *out)
{
    (void)p, (void)c, (void)in, (void)out;
}

#endif
