/* Vectorisable exp/sigmoid/SiLU for the activation epilogues.  glibc's
 * expf does not vectorise; this one does (plain float and integer ops),
 * with a relative error near 2e-7 over the range the networks produce. */
#ifndef MD_YOLO_VMATH_H
#define MD_YOLO_VMATH_H

#include <stdint.h>
#include <string.h>

static inline float md_expf(float x)
{
    x = x < -87.0f ? -87.0f : x;
    x = x > 88.0f ? 88.0f : x;
    float t = x * 1.44269504088896341f;
    float nf = t + (t >= 0 ? 0.5f : -0.5f);
    int32_t n = (int32_t)nf;            /* round half away from zero */
    nf = (float)n;
    float r = x - nf * 0.693145751953125f;
    r = r - nf * 1.428606765330187e-06f;
    float p = 1.0f / 5040.0f;
    p = p * r + 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    int32_t bits = (n + 127) << 23;
    float scale;
    memcpy(&scale, &bits, 4);
    return p * scale;
}

static inline float md_sigmoidf(float x)
{
    return 1.0f / (1.0f + md_expf(-x));
}

static inline float md_siluf(float x)
{
    return x / (1.0f + md_expf(-x));
}

#endif
