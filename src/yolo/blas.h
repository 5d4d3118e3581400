/* OpenBLAS, loaded on first use.
 *
 * Only inference needs OpenBLAS, and linking it made every command pay for
 * it: loading and relocating it and libgfortran took about 4 ms of the
 * 11 ms that `mldeck --version` needed, on every `ls`.  The engine loads it
 * with dlopen when the first model is loaded and calls it through
 * md_blas_sgemm. */
#ifndef MD_YOLO_BLAS_H
#define MD_YOLO_BLAS_H

#include <cblas.h>

#include "util/err.h"

/* Loads OpenBLAS (once per process; any thread), single-threaded and on
 * the kernels that match the CPU.  MD_OK, or MD_ERR_UNSUPPORTED with why
 * (the same answer every call).  The library is $MLDECK_OPENBLAS when set,
 * else the soname configure found. */
md_status md_blas_load(struct md_err *err);

/* cblas_sgemm of the loaded library.  Only after md_blas_load said MD_OK. */
typedef void md_blas_sgemm_fn(enum CBLAS_ORDER, enum CBLAS_TRANSPOSE, enum CBLAS_TRANSPOSE,
                              blasint m, blasint n, blasint k, float alpha, const float *a,
                              blasint lda, const float *b, blasint ldb, float beta, float *c,
                              blasint ldc);
extern md_blas_sgemm_fn *md_blas_sgemm;

#endif
