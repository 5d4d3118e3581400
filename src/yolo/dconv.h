/* The AVX-512 GEMM micro-kernel of dconv.c, shared with the Winograd
 * convolution (wino.c).  Private to src/yolo; x86-64 with GCC only. */
#ifndef MD_YOLO_DCONV_H
#define MD_YOLO_DCONV_H

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

#include "yolo/graph.h"
#include "yolo/vmath.h"

#define MD_DK_MR 8
#define MD_DK_NR 48

/* Where the 16 lanes of one output vector go: up to 6 pieces, each a
 * masked store at out + off (lane 0's position). */
struct md_vstore {
    int n;
    __mmask16 mask[6];
    long off[6];
};

/* out[i][..] (+= nothing: overwritten) = act(bias[i] + sum_k w[k][i] * x[koff[k] + 0..47])
 * for the rows i < rows; lm masks the three 16-float loads of x, vs[v] says
 * where vector v of each row is stored (row i at out + i * ldo). */
__attribute__((target("avx512f")))
void md_dk_kernel(int K, const float *w, const float *x, const int32_t *koff, const __mmask16 *lm,
                  const float *bias, int act, float *out, size_t ldo, int rows, const struct md_vstore *vs,
                  int prefetch_next);
/* act(x) on 16 lanes (enum md_act). */
__attribute__((target("avx512f"))) static inline __m512 md_dk_act(__m512 x, int act)
{
    if (act == MD_ACT_NONE)
        return x;
    if (act == MD_ACT_EXP)
        return md_exp512(x);
    __m512 d = _mm512_add_ps(_mm512_set1_ps(1.0f), md_exp512(_mm512_sub_ps(_mm512_setzero_ps(), x)));
    __m512 r = _mm512_rcp14_ps(d);
    r = _mm512_mul_ps(r, _mm512_fnmadd_ps(d, r, _mm512_set1_ps(2.0f)));
    return act == MD_ACT_SILU ? _mm512_mul_ps(x, r) : r;
}
#endif

#endif
