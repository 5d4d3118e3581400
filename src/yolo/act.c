#include "yolo/act.h"

#include "yolo/graph.h"
#include "yolo/vmath.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define MD_HAVE_X86 1
#endif

static void act_generic(const float *in, float *out, size_t n, float bias, int act)
{
    switch (act) {
    case MD_ACT_SILU:
        for (size_t i = 0; i < n; i++)
            out[i] = md_siluf(in[i] + bias);
        break;
    case MD_ACT_SIGMOID:
        for (size_t i = 0; i < n; i++)
            out[i] = md_sigmoidf(in[i] + bias);
        break;
    case MD_ACT_EXP:
        for (size_t i = 0; i < n; i++)
            out[i] = md_expf(in[i] + bias);
        break;
    default:
        for (size_t i = 0; i < n; i++)
            out[i] = in[i] + bias;
        break;
    }
}

#ifdef MD_HAVE_X86
__attribute__((target("avx512f"))) static void act_avx512(const float *in, float *out, size_t n,
                                                           float bias, int act)
{
    __m512 b = _mm512_set1_ps(bias), one = _mm512_set1_ps(1.0f), two = _mm512_set1_ps(2.0f);
    for (size_t i = 0; i < n; i += 16) {
        __mmask16 m = n - i >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (n - i)) - 1);
        __m512 x = _mm512_add_ps(_mm512_maskz_loadu_ps(m, in + i), b);
        if (act == MD_ACT_EXP) {
            x = md_exp512(x);
        } else if (act != MD_ACT_NONE) {
            __m512 d = _mm512_add_ps(one, md_exp512(_mm512_sub_ps(_mm512_setzero_ps(), x)));
            __m512 r = _mm512_rcp14_ps(d);
            r = _mm512_mul_ps(r, _mm512_fnmadd_ps(d, r, two));   /* one Newton step: ~28 bits */
            x = act == MD_ACT_SILU ? _mm512_mul_ps(x, r) : r;
        }
        _mm512_mask_storeu_ps(out + i, m, x);
    }
}

__attribute__((target("avx2,fma"))) static inline __m256 exp256(__m256 x)
{
    x = _mm256_max_ps(x, _mm256_set1_ps(-87.0f));
    x = _mm256_min_ps(x, _mm256_set1_ps(88.0f));
    __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                               _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693145751953125f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(1.428606765330187e-06f), r);
    __m256 p = _mm256_set1_ps(1.0f / 5040);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 720));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(e));
}

__attribute__((target("avx2,fma"))) static void act_avx2(const float *in, float *out, size_t n,
                                                         float bias, int act)
{
    __m256 b = _mm256_set1_ps(bias), one = _mm256_set1_ps(1.0f);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 x = _mm256_add_ps(_mm256_loadu_ps(in + i), b);
        if (act == MD_ACT_EXP) {
            x = exp256(x);
        } else if (act != MD_ACT_NONE) {
            __m256 d = _mm256_add_ps(one, exp256(_mm256_sub_ps(_mm256_setzero_ps(), x)));
            x = act == MD_ACT_SILU ? _mm256_div_ps(x, d) : _mm256_div_ps(one, d);
        }
        _mm256_storeu_ps(out + i, x);
    }
    act_generic(in + i, out + i, n - i, bias, act);
}
#endif

typedef void (*act_fn)(const float *, float *, size_t, float, int);

static act_fn pick(void)
{
#ifdef MD_HAVE_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f"))
        return act_avx512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return act_avx2;
#endif
    return act_generic;
}

void md_act_apply(const float *in, float *out, size_t n, float bias, int act)
{
    static act_fn cached;
    act_fn fn = __atomic_load_n(&cached, __ATOMIC_ACQUIRE);
    if (!fn) {   /* two threads may both pick: they pick the same function */
        fn = pick();
        __atomic_store_n(&cached, fn, __ATOMIC_RELEASE);
    }
    if (act == MD_ACT_NONE && bias == 0.0f) {
        if (in != out)
            for (size_t i = 0; i < n; i++)
                out[i] = in[i];
        return;
    }
    fn(in, out, n, bias, act);
}
