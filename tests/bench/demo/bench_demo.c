/* How long `mldeck --demo` spends filling its cache: md_demo_open (fresh
 * file, parse every kind file, shift timestamps, insert), repeated, with
 * wall and CPU time per load.  Not part of make check:
 *     BUILDDIR/tests/bench/demo/bench_demo [RUNS]      (MLDECK_DATA_DIR=.../data) */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cache/cache.h"
#include "local/demo.h"

static double wall(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static double cpu(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec +
           u.ru_stime.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : 5;
    char dir[] = "/tmp/md-bench-demo-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    char path[128];
    snprintf(path, sizeof path, "%s/demo.db", dir);
    double best_wall = 1e9, best_cpu = 1e9;
    for (int i = 0; i < runs; i++) {
        struct md_err err = {0};
        struct md_cache *c = NULL;
        double w0 = wall(), c0 = cpu();
        if (md_demo_open(path, &c, &err) != MD_OK) {
            fprintf(stderr, "bench_demo: %s\n", err.msg);
            return 1;
        }
        double w = wall() - w0, u = cpu() - c0;
        md_cache_close(c);
        if (w < best_wall)
            best_wall = w;
        if (u < best_cpu)
            best_cpu = u;
    }
    printf("demo load (md_demo_open, %d runs): best wall %.1f ms, best cpu %.1f ms\n", runs,
           best_wall * 1e3, best_cpu * 1e3);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : 1;
}
