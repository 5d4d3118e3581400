/* Fills a cache with N rows of the "pipelines" kind (ListPipelines
 * PipelineSummary objects) for the TUI benchmark, in one transaction, and
 * creates the sort indexes the sync layer creates at start-up.  AGE_S
 * back-dates fetched_at (the terminal tests use it for "stale" ages).
 *   fill CACHE_FILE PROFILE REGION N [AGE_S] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache/cache.h"
#include "kind/kind.h"

int main(int argc, char **argv)
{
    if (argc != 5 && argc != 6) {
        fprintf(stderr, "usage: fill CACHE PROFILE REGION N [AGE_S]\n");
        return 2;
    }
    long n = strtol(argv[4], NULL, 10);
    long long age_s = argc == 6 ? strtoll(argv[5], NULL, 10) : 0;
    long long fetched_ms = age_s > 0 ? ((long long)time(NULL) - age_s) * 1000 : 0;
    struct md_scope scope = {argv[2], argv[3]};
    struct md_cache *c;
    struct md_err err;
    if (md_cache_open(argv[1], &c, &err) != MD_OK) {
        fprintf(stderr, "fill: %s\n", err.msg);
        return 1;
    }
    struct md_cache_row *rows = calloc((size_t)n, sizeof *rows);
    char **ids = calloc((size_t)n, sizeof *ids);
    char **jsons = calloc((size_t)n, sizeof *jsons);
    if (!rows || !ids || !jsons)
        return 1;
    static const char *const teams[] = {"yolo11", "detector", "drift", "labeling", "export"};
    static const char *const what[] = {"train", "eval", "ingest", "retrain", "deploy", "tune"};
    double now = (double)time(NULL);
    srand(42);
    for (long i = 0; i < n; i++) {
        char name[64];
        snprintf(name, sizeof name, "%s-%s-%05ld", teams[i % 5], what[(i / 5) % 6], i);
        double created = now - 86400.0 * (double)(rand() % 400) - (double)(rand() % 86400);
        double modified = created + (double)(rand() % 864000);
        double last = modified + (double)(rand() % 864000);
        if (last > now)
            last = now - (double)(rand() % 3600);
        char json[1024];
        snprintf(json, sizeof json,
                 "{\"PipelineArn\":\"arn:aws:sagemaker:eu-west-1:123456789012:pipeline/%s\","
                 "\"PipelineName\":\"%s\",\"PipelineDisplayName\":\"%s\","
                 "\"PipelineDescription\":\"%s pipeline number %ld for the drone imagery team\","
                 "\"RoleArn\":\"arn:aws:iam::123456789012:role/SageMakerPipelines\","
                 "\"CreationTime\":%.3f,\"LastModifiedTime\":%.3f,\"LastExecutionTime\":%.3f}",
                 name, name, name, what[(i / 5) % 6], i, created, modified, last);
        ids[i] = strdup(name);
        jsons[i] = strdup(json);
        rows[i] = (struct md_cache_row){.kind = "pipelines", .id = ids[i], .parent = "", .json = jsons[i],
                                     .fetched_at_ms = fetched_ms};
    }
    if (md_cache_upsert_rows(c, &scope, rows, (size_t)n, &err) != MD_OK) {
        fprintf(stderr, "fill: %s\n", err.msg);
        return 1;
    }
    const struct md_kind *k = md_kind_find("pipelines");
    const char *paths[64];
    size_t np = 0;
    for (size_t i = 0; k && i < k->ncolumns && np < 64; i++)
        paths[np++] = k->columns[i].path;
    if (md_cache_index_paths(c, "pipelines", paths, np, &err) != MD_OK) {
        fprintf(stderr, "fill: index: %s\n", err.msg);
        return 1;
    }
    md_cache_close(c);
    for (long i = 0; i < n; i++) {
        free(ids[i]);
        free(jsons[i]);
    }
    free(ids);
    free(jsons);
    free(rows);
    return 0;
}
