/* Cache benchmark, mldeck side: N rows of one kind through md_cache (one
 * transaction), then the reads the resource view makes.  Prints one
 * "name milliseconds" line per operation (CPU time of this process); run.sh
 * runs the same workload on plain SQLite (bench_peer.py) and prints ratios.
 *
 *   bench_cache DBFILE [ROWS]      (DBFILE must not exist) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache/cache.h"

static const struct md_scope scope = {"bench", "eu-west-1"};
static const char *const statuses[] = {"Succeeded", "Failed", "Executing", "Stopped", "Stopping"};

static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The same objects bench_peer.py builds, byte for byte. */
static void make_json(long i, long n, char *out, size_t size)
{
    long r = (i * 7919) % n;
    snprintf(out, size,
             "{\"Name\":\"run-%06ld\",\"Status\":\"%s\",\"Score\":%ld,\"Started\":%ld,"
             "\"Notes\":\"synthetic row %ld for the cache benchmark, padding padding padding\"}",
             r, statuses[i % 5], r % 1000, 1760000000L + i, i);
}

static int sink(void *ctx, const struct md_cache_row *r)
{
    (*(long *)ctx) += (long)strlen(r->json);
    return 0;
}

static void window(struct md_cache *c, const char *name, const struct md_cache_query *q)
{
    struct md_err err;
    long bytes = 0;
    double t = cpu_ms();
    if (md_cache_query(c, &scope, q, sink, &bytes, &err) != MD_OK)
        fprintf(stderr, "%s: %s\n", name, err.msg);
    printf("%s %.3f\n", name, cpu_ms() - t);
}

static void count(struct md_cache *c, const char *name, const struct md_cache_query *q)
{
    struct md_err err;
    long n = 0;
    double t = cpu_ms();
    if (md_cache_count(c, &scope, q, &n, &err) != MD_OK)
        fprintf(stderr, "%s: %s\n", name, err.msg);
    printf("%s %.3f\n", name, cpu_ms() - t);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_cache DBFILE [ROWS]\n");
        return 2;
    }
    long n = argc > 2 ? strtol(argv[2], NULL, 10) : 100000;
    struct md_cache *c;
    struct md_err err;
    if (md_cache_open(argv[1], &c, &err) != MD_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    const char *paths[] = {"$.Name", "$.Status", "$.Score"};
    md_cache_index_paths(c, "runs", paths, 3, &err);
    char id[32], json[512];
    double t = cpu_ms();
    md_cache_begin(c, &err);
    for (long i = 0; i < n; i++) {
        snprintf(id, sizeof id, "i%07ld", i);
        make_json(i, n, json, sizeof json);
        struct md_cache_row r = {"runs", id, "", json, 1000 + i};
        if (md_cache_upsert(c, &scope, &r, &err) != MD_OK) {
            fprintf(stderr, "upsert: %s\n", err.msg);
            return 1;
        }
    }
    md_cache_commit(c, &err);
    printf("insert %.3f\n", cpu_ms() - t);

    struct md_cache_query q = {.kind = "runs"};
    count(c, "count", &q);
    q = (struct md_cache_query){.kind = "runs", .sort_path = "$.Name", .limit = 50};
    window(c, "first_window", &q);
    q.offset = n - 50;
    window(c, "last_window", &q);
    const char *fp[] = {"$.Name", "$.Status"};
    q = (struct md_cache_query){.kind = "runs", .filter_paths = fp, .nfilter_paths = 2,
                                .filter_text = "stopped", .sort_path = "$.Name", .limit = 50};
    count(c, "filtered_count", &q);
    window(c, "filtered_window", &q);
    q = (struct md_cache_query){.kind = "runs", .sort_path = "$.Started", .sort_desc = true, .limit = 50};
    window(c, "unindexed_sort", &q);

    t = cpu_ms();
    md_cache_begin(c, &err);
    for (long i = 0; i < n; i++) {
        snprintf(id, sizeof id, "i%07ld", i);
        make_json(i, n, json, sizeof json);
        struct md_cache_row r = {"runs", id, "", json, 2000 + i};
        md_cache_upsert(c, &scope, &r, &err);
    }
    md_cache_commit(c, &err);
    printf("refresh_unchanged %.3f\n", cpu_ms() - t);
    md_cache_close(c);
    return 0;
}
