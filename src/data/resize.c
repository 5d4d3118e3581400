/* Bilinear resize with OpenCV's INTER_LINEAR arithmetic for 8-bit images:
 * source coordinates (d + 0.5) * scale - 0.5 in float, clamped at the
 * borders, 11-bit fixed-point weights rounded half to even, a horizontal
 * pass into int rows, then the vertical pass as OpenCV's SIMD kernel does
 * it: ((b0 * (r0 >> 4)) >> 16) + ((b1 * (r1 >> 4)) >> 16), + 2, >> 2.
 * (An exact 2x downscale, which OpenCV sends to INTER_AREA, gives the same
 * pixels with these weights.) */
#include <math.h>
#include <stdlib.h>

#include "data/image.h"

#define COEF_BITS 11
#define COEF_SCALE (1 << COEF_BITS)

static short coef(float v)
{
    float r = nearbyintf(v * COEF_SCALE);
    return (short)(r > 32767 ? 32767 : r < -32768 ? -32768 : r);
}

/* Source index and the two weights for destination index d. */
static void taps(int d, double scale, int slen, int *s0, short *a0, short *a1)
{
    float f = (float)((d + 0.5) * scale - 0.5);
    int s = (int)floorf(f);
    f -= (float)s;
    if (s < 0) {
        f = 0;
        s = 0;
    }
    if (s >= slen - 1) {
        f = 0;
        s = slen - 1;
    }
    *s0 = s;
    *a0 = coef(1.f - f);
    *a1 = coef(f);
}

md_status md_image_resize_linear(const uint8_t *src, int sw, int sh, uint8_t *dst, int dw, int dh,
                                 int cn, struct md_err *err)
{
    if (sw < 1 || sh < 1 || dw < 1 || dh < 1 || cn < 1 || cn > 4)
        return md_err_set(err, MD_ERR_INVALID, "invalid resize geometry");
    double sx = (double)sw / dw, sy = (double)sh / dh;
    int *xo = malloc(sizeof(int) * (size_t)dw);
    short *xa = malloc(sizeof(short) * 2 * (size_t)dw);
    int *rows = malloc(sizeof(int) * 2 * (size_t)dw * cn);
    if (!xo || !xa || !rows) {
        free(xo);
        free(xa);
        free(rows);
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    for (int x = 0; x < dw; x++)
        taps(x, sx, sw, &xo[x], &xa[2 * x], &xa[2 * x + 1]);
    int cached[2] = {-1, -1};
    for (int y = 0; y < dh; y++) {
        int s0;
        short b0, b1;
        taps(y, sy, sh, &s0, &b0, &b1);
        int s1 = s0 + 1 < sh ? s0 + 1 : sh - 1;
        int want[2] = {s0, s1};
        for (int k = 0; k < 2; k++) {
            int *r = rows + (size_t)k * dw * cn;
            if (cached[k] == want[k])
                continue;
            const uint8_t *sr = src + (size_t)want[k] * sw * cn;
            for (int x = 0; x < dw; x++) {
                int a = xo[x], b = a + 1 < sw ? a + 1 : a;
                for (int c = 0; c < cn; c++)
                    r[x * cn + c] = sr[a * cn + c] * xa[2 * x] + sr[b * cn + c] * xa[2 * x + 1];
            }
            cached[k] = want[k];
        }
        const int *r0 = rows, *r1 = rows + (size_t)dw * cn;
        uint8_t *d = dst + (size_t)y * dw * cn;
        for (int i = 0; i < dw * cn; i++) {
            int v0 = (int)(((int64_t)b0 * (int16_t)(r0[i] >> 4)) >> 16);
            int v1 = (int)(((int64_t)b1 * (int16_t)(r1[i] >> 4)) >> 16);
            int v = (v0 + v1 + 2) >> 2;
            d[i] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
    }
    free(xo);
    free(xa);
    free(rows);
    return MD_OK;
}
