/* Bias + activation over a float row, vectorised for AVX-512 and AVX2 with
 * a portable fallback (chosen once at run time). */
#ifndef MD_YOLO_ACT_H
#define MD_YOLO_ACT_H

#include <stddef.h>

/* out[i] = act(in[i] + bias); in may equal out.  act: enum md_act
 * (MD_ACT_EXP gives exp(in[i] + bias)). */
void md_act_apply(const float *in, float *out, size_t n, float bias, int act);

#endif
