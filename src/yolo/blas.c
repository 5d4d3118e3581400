#include "yolo/blas.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"

#ifndef MD_OPENBLAS_SONAME
#define MD_OPENBLAS_SONAME "libopenblas.so.0"
#endif

md_blas_sgemm_fn *md_blas_sgemm;

/* OpenBLAS's constructor sizes its thread pool from these two globals, and
 * the engine runs its own threads, so a pool would only spin on the cores
 * the engine uses.  The link exports them from the executable
 * (--export-dynamic-symbol), and a definition there takes precedence over
 * the library's own when dlopen binds it: the constructor starts no thread.
 * An OpenBLAS that reads them otherwise is set to one thread after loading. */
extern int blas_num_threads, blas_cpu_number;
int blas_num_threads = 1;
int blas_cpu_number = 1;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char load_error[512];

static void *sym(void *lib, const char *name)
{
    void *p = dlsym(lib, name);
    if (!p && !load_error[0])
        snprintf(load_error, sizeof load_error, "OpenBLAS has no %s", name);
    return p;
}

/* OpenBLAS 0.3.21 does not recognise recent Xeons and falls back to its
 * slowest (Prescott) kernels.  When the user has not chosen a core type and
 * the CPU has AVX-512 or AVX2, ask OpenBLAS to re-select with the matching
 * kernel family.  The re-select functions exist only in DYNAMIC_ARCH
 * builds. */
static void fix_core(void *lib)
{
    void (*dyn_init)(void) = (void (*)(void))dlsym(lib, "gotoblas_dynamic_init");
    void (*dyn_quit)(void) = (void (*)(void))dlsym(lib, "gotoblas_dynamic_quit");
    char *(*corename)(void) = (char *(*)(void))dlsym(lib, "openblas_get_corename");
    if (getenv("OPENBLAS_CORETYPE") || !dyn_init || !dyn_quit || !corename)
        return;
    const char *core = corename();
    if (!core || (strcasecmp(core, "prescott") && strcasecmp(core, "core2") &&
                  strcasecmp(core, "nehalem")))
        return;
    __builtin_cpu_init();
    const char *want = __builtin_cpu_supports("avx512f") ? "SkylakeX"
                       : __builtin_cpu_supports("avx2") ? "Haswell" : NULL;
    if (!want)
        return;
    setenv("OPENBLAS_CORETYPE", want, 0);
    dyn_quit();
    dyn_init();
}

static void load(void)
{
    const char *name = getenv("MLDECK_OPENBLAS");
    if (!name || !name[0])
        name = MD_OPENBLAS_SONAME;
    /* RTLD_LOCAL: OpenBLAS's symbols stay out of the global scope. */
    void *lib = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        const char *why = dlerror();
        snprintf(load_error, sizeof load_error,
                 "cannot load OpenBLAS (%s): %s; on Debian: apt-get install libopenblas0", name,
                 why ? why : "not found");
        return;
    }
    md_blas_sgemm_fn *sgemm = (md_blas_sgemm_fn *)sym(lib, "cblas_sgemm");
    int (*get_threads)(void) = (int (*)(void))sym(lib, "openblas_get_num_threads");
    void (*set_threads)(int) = (void (*)(int))sym(lib, "openblas_set_num_threads");
    if (!sgemm || !get_threads || !set_threads) {
        dlclose(lib);
        return;
    }
    if (get_threads() > 1)
        set_threads(1);
    fix_core(lib);
    md_blas_sgemm = sgemm;  /* the library stays loaded until exit */
}

md_status md_blas_load(struct md_err *err)
{
    pthread_once(&once, load);
    if (md_blas_sgemm)
        return MD_OK;
    return md_err_set(err, MD_ERR_UNSUPPORTED, "%s", load_error);
}
