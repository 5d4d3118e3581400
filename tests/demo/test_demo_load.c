/* md_demo_load_dir fills a temporary cache with every demo row, timestamps
 * moved to "today" in each API's encoding; a refresh of one parent reloads
 * and prunes; bad demo files give errors, not crashes; actions are refused. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../tap.h"
#include "cache/cache.h"
#include "kind/kind.h"
#include "local/demo.h"
#include "util/json.h"

static const struct md_scope scope = {MD_DEMO_PROFILE, MD_DEMO_REGION};
static char tmpdir[256];

static long count(struct md_cache *c, const char *kind, const char *parent)
{
    struct md_cache_query q = {.kind = kind, .parent = parent};
    long n = -1;
    struct md_err err = {0};
    if (md_cache_count(c, &scope, &q, &n, &err) != MD_OK)
        printf("# count %s: %s\n", kind, err.msg);
    return n;
}

struct extreme {
    const struct md_kind *k;
    const char *path;
    double min, max;
    long n;
};

static int extreme_row(void *ctx, const struct md_cache_row *row)
{
    struct extreme *x = ctx;
    cJSON *j = cJSON_Parse(row->json);
    double t;
    if (j && md_kind_time(x->k, j, x->path, &t)) {
        x->min = fmin(x->min, t);
        x->max = fmax(x->max, t);
        x->n++;
    }
    cJSON_Delete(j);
    return 0;
}

/* Oldest and newest timestamp at path over every cached row of kind. */
static struct extreme extremes(struct md_cache *c, const char *kind, const char *path)
{
    struct extreme x = {md_kind_find(kind), path, INFINITY, -INFINITY, 0};
    struct md_cache_query q = {.kind = kind};
    struct md_err err = {0};
    md_cache_query(c, &scope, &q, extreme_row, &x, &err);
    return x;
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static int count_rows(void *ctx, const char *id, const char *parent, const char *json)
{
    (void)id;
    (void)parent;
    (void)json;
    return ++*(int *)ctx >= 2;   /* stop at the second row */
}

/* Model Monitor reports: the newest prod execution with violations reports
 * brightness drift; a clean one has statistics but no violations file. */
static void test_monitoring_reports(void)
{
    struct md_err err = {0};
    char path[600];
    snprintf(path, sizeof path, "%s/monitoring-executions.json", md_demo_dir());
    cJSON *execs = md_json_load_file(path, &err);
    const char *bad = NULL, *clean = NULL;
    const cJSON *row;
    cJSON_ArrayForEach(row, md_json_get(execs, "$.rows")) {   /* newest first */
        const char *st = md_json_str(row, "$.object.MonitoringExecutionStatus", "");
        bool prod = strcmp(md_json_str(row, "$.parent", ""), "drone-yolo11-prod-data-quality") == 0;
        if (prod && !bad && strcmp(st, "CompletedWithViolations") == 0)
            bad = md_json_str(row, "$.object.ProcessingJobArn", NULL);
        if (prod && !clean && strcmp(st, "Completed") == 0)
            clean = md_json_str(row, "$.object.ProcessingJobArn", NULL);
    }
    char *json = NULL;
    md_status s = md_demo_monitoring_report(bad ? bad : "?", "constraint_violations.json", &json,
                                            &err);
    TAP_OK(s == MD_OK && json && strstr(json, "\"feature_name\":\"brightness_mean\"") &&
               strstr(json, "baseline_drift_check"),
           "the latest prod violations report brightness drift");
    free(json);
    json = NULL;
    s = md_demo_monitoring_report(clean ? clean : "?", "constraint_violations.json", &json, &err);
    TAP_OK(s == MD_ERR_NOTFOUND && json == NULL, "a clean run wrote no violations file");
    s = md_demo_monitoring_report(clean ? clean : "?", "statistics.json", &json, &err);
    cJSON *stats = json ? cJSON_Parse(json) : NULL;
    TAP_OK(s == MD_OK && md_json_num(stats, "$.dataset.item_count", 0) > 0 &&
               md_json_get(stats, "$.features[?name=brightness_mean].numerical_statistics.mean"),
           "statistics.json has the dataset size and per-feature means");
    cJSON_Delete(stats);
    free(json);
    cJSON_Delete(execs);
}

/* The byte-level parser the loader and the fuzz target share. */
static void test_parse_rows(void)
{
    struct md_err err = {0};
    int n = 0;
    const char *doc =
        "{\"time_encoding\":\"epoch_ms\",\"time_keys\":[\"start_time\"],\"rows\":["
        "{\"parent\":\"1\",\"object\":{\"info\":{\"run_id\":\"a\",\"start_time\":1000}}},"
        "{\"parent\":\"2\",\"object\":{\"info\":{\"run_id\":\"b\",\"start_time\":2000}}},"
        "{\"parent\":\"1\",\"object\":{\"info\":{\"run_id\":\"c\",\"start_time\":3000}}}]}";
    TAP_EQ_INT(md_demo_parse_rows("runs", doc, strlen(doc), NULL, 1, count_rows, &n, &err),
               MD_ERR_CANCELLED, "a non-zero callback stops the parse");
    TAP_EQ_INT(n, 2, "after the second row");
    n = -5;
    TAP_EQ_INT(md_demo_parse_rows("runs", doc, strlen(doc), "1", 1, count_rows, &n, &err), MD_OK,
               "parent filter");
    TAP_EQ_INT(n, -3, "two rows of parent 1");
    TAP_EQ_INT(md_demo_parse_rows("runs", doc, strlen(doc) - 3, NULL, 1, count_rows, &n, &err),
               MD_ERR_PARSE, "truncated bytes -> parse error");
    TAP_EQ_INT(md_demo_parse_rows("runs", "[]", 2, NULL, 1, count_rows, &n, &err), MD_ERR_PARSE,
               "an array is not a kind file");
}

static void test_bad_files(struct md_cache *c)
{
    char dir[300];
    snprintf(dir, sizeof dir, "%s/bad", tmpdir);
    mkdir(dir, 0700);
    struct md_err err = {0};
    time_t now = time(NULL);

    TAP_OK(md_demo_load_dir(c, &scope, "/nonexistent/demo", now, NULL, &err) != MD_OK &&
               strstr(err.msg, "demo workspace is missing"),
           "a missing demo folder is a clear error (%s)", err.msg);
    write_file(dir, "manifest.json", "{\"anchor_epoch_s\": 17");
    TAP_EQ_INT(md_demo_load_dir(c, &scope, dir, now, NULL, &err), MD_ERR_PARSE,
               "truncated manifest -> parse error");
    write_file(dir, "manifest.json", "{\"files\": []}");
    TAP_EQ_INT(md_demo_load_dir(c, &scope, dir, now, NULL, &err), MD_ERR_PARSE,
               "manifest without an anchor -> parse error");
    write_file(dir, "manifest.json",
               "{\"anchor_epoch_s\": 1795188600, \"files\": [{\"kind\": \"pipelines\"},"
               " {\"kind\": \"no-such-kind\"}]}");
    write_file(dir, "pipelines.json", "{\"rows\": [}");
    TAP_EQ_INT(md_demo_load_dir(c, &scope, dir, now, NULL, &err), MD_ERR_PARSE,
               "malformed kind file -> parse error");
    write_file(dir, "pipelines.json",
               "{\"time_encoding\": \"epoch_s\", \"time_keys\": [\"CreationTime\"], \"rows\": ["
               "{\"parent\": \"\", \"object\": {\"PipelineDescription\": \"no name\"}}]}");
    TAP_OK(md_demo_load_dir(c, &scope, dir, now, NULL, &err) == MD_ERR_PARSE &&
               strstr(err.msg, "no id"),
           "a row without an id is refused (%s)", err.msg);
    write_file(dir, "pipelines.json",
               "{\"time_encoding\": \"weeks\", \"time_keys\": [], \"rows\": []}");
    TAP_EQ_INT(md_demo_load_dir(c, &scope, dir, now, NULL, &err), MD_ERR_PARSE,
               "unknown time encoding -> parse error");
    write_file(dir, "pipelines.json",
               "{\"time_encoding\": \"iso8601\", \"time_keys\": [\"CreationTime\"], \"rows\": ["
               "{\"parent\": \"\", \"object\": {\"PipelineName\": \"p\", \"CreationTime\": "
               "\"last tuesday\"}}]}");
    TAP_EQ_INT(md_demo_load_dir(c, &scope, dir, now, NULL, &err), MD_ERR_PARSE,
               "a non-ISO timestamp in an ISO file -> parse error");
    write_file(dir, "pipelines.json",
               "{\"time_encoding\": \"epoch_s\", \"time_keys\": [\"CreationTime\"], \"rows\": ["
               "{\"parent\": \"\", \"object\": {\"PipelineName\": \"bad-p\", \"CreationTime\": "
               "1795188000.5}}, {\"parent\": 3}]}");
    TAP_EQ_INT(md_demo_load_dir(c, &scope, dir, now, NULL, &err), MD_ERR_PARSE,
               "a row without parent/object -> parse error");
    char *json = NULL;
    TAP_EQ_INT(md_cache_get(c, &scope, "pipelines", "bad-p", &json, NULL, &err),
               MD_ERR_NOTFOUND, "a failed file leaves no partial rows");
    free(json);
    /* The unknown kind in the manifest is skipped, the known one loads. */
    write_file(dir, "pipelines.json",
               "{\"time_encoding\": \"epoch_s\", \"time_keys\": [\"CreationTime\"], \"rows\": ["
               "{\"parent\": \"\", \"object\": {\"PipelineName\": \"ok-p\", \"CreationTime\": "
               "1795188000.5}}]}");
    struct md_demo_stats st = {0};
    TAP_OK(md_demo_load_dir(c, &scope, dir, (time_t)1795188600 + 100, &st, &err) == MD_OK &&
               st.rows == 1 && st.kinds == 1 && st.shift_s == 100,
           "unknown kinds are skipped; shift = now - anchor");
    json = NULL;
    md_cache_get(c, &scope, "pipelines", "ok-p", &json, NULL, &err);
    TAP_OK(json && strstr(json, "1795188100.5"), "epoch seconds shifted, fraction kept (%s)",
           json ? json : "none");
    free(json);
    md_cache_delete(c, &scope, "pipelines", "ok-p", &err);
}

struct log_probe {
    long n, out_of_order, stop_after;
    long long last_ts, max_ts;
    char stream[128];
    bool saw_traceback;
};

static int on_log(void *ctx, const char *stream, long long ts, const char *msg)
{
    struct log_probe *p = ctx;
    if (p->n && strcmp(stream, p->stream) == 0 && ts < p->last_ts)
        p->out_of_order++;
    snprintf(p->stream, sizeof p->stream, "%s", stream);
    p->last_ts = ts;
    if (ts > p->max_ts)
        p->max_ts = ts;
    p->saw_traceback |= strstr(msg, "OutOfMemoryError") != NULL;
    p->n++;
    return p->stop_after && p->n >= p->stop_after;
}

/* The training logs of the job that is running now, and of one that ran out
 * of GPU memory. */
static void test_logs(struct md_cache *c, time_t now)
{
    struct md_err err = {0};
    const char *group = "/aws/sagemaker/TrainingJobs";
    char path[600];
    snprintf(path, sizeof path, "%s/training-jobs.json", md_demo_dir());
    cJSON *jobs = md_json_load_file(path, &err);
    const char *running = NULL, *oom = NULL;
    const cJSON *row;
    cJSON_ArrayForEach(row, md_json_get(jobs, "$.rows")) {
        if (strcmp(md_json_str(row, "$.object.TrainingJobStatus", ""), "InProgress") == 0)
            running = md_json_str(row, "$.object.TrainingJobName", NULL);
        if (strstr(md_json_str(row, "$.object.FailureReason", ""), "OutOfMemory"))
            oom = md_json_str(row, "$.object.TrainingJobName", NULL);
    }
    struct log_probe p = {0};
    md_status s = md_demo_job_logs(c, &scope, group, running ? running : "?", on_log, &p, &err);
    TAP_OK(s == MD_OK && p.n > 20 && p.out_of_order == 0,
           "a running job's log: %ld lines in order", p.n);
    TAP_OK(strncmp(p.stream, "algo-1-", 7) == 0, "stream short name (%s)", p.stream);
    TAP_OK(p.max_ts <= (long long)now * 1000 && p.max_ts > ((long long)now - 3600) * 1000,
           "its last line is minutes old (shifted like the cache)");
    memset(&p, 0, sizeof p);
    md_demo_job_logs(NULL, &scope, group, oom ? oom : "?", on_log, &p, &err);
    TAP_OK(p.saw_traceback, "the out-of-memory job's log has the traceback");
    memset(&p, 0, sizeof p);
    p.stop_after = 3;
    md_demo_job_logs(c, &scope, group, running ? running : "?", on_log, &p, &err);
    TAP_EQ_INT(p.n, 3, "a non-zero return stops");
    memset(&p, 0, sizeof p);
    TAP_OK(md_demo_job_logs(c, &scope, group, "no-such-job", on_log, &p, &err) == MD_OK &&
               p.n == 0,
           "a job without logs: no events");
    TAP_EQ_INT(md_demo_job_logs(c, &scope, group, "", on_log, &p, &err), MD_ERR_INVALID,
               "empty job name -> invalid");
    cJSON_Delete(jobs);
}

int main(void)
{
    const char *data = getenv("MLDECK_DATA_DIR");
    const char *src = getenv("MLDECK_SRCDIR");
    char demo[512];
    if (data && *data)
        snprintf(demo, sizeof demo, "%s/demo", data);
    else {
        char d[480];
        snprintf(d, sizeof d, "%s/data", src && *src ? src : ".");
        setenv("MLDECK_DATA_DIR", d, 1);   /* md_demo_dir() follows it */
        snprintf(demo, sizeof demo, "%s/demo", d);
    }
    char manifest_path[600];
    snprintf(manifest_path, sizeof manifest_path, "%s/manifest.json", demo);
    struct md_err err = {0};
    cJSON *manifest = md_json_load_file(manifest_path, &err);
    if (!manifest)
        tap_skip_all("no demo workspace (set MLDECK_DATA_DIR)");

    snprintf(tmpdir, sizeof tmpdir, "/tmp/md-demo-test-XXXXXX");
    if (!mkdtemp(tmpdir))
        tap_skip_all("mkdtemp failed");
    char dbpath[300];
    snprintf(dbpath, sizeof dbpath, "%s/cache.db", tmpdir);
    struct md_cache *c = NULL;
    if (md_cache_open(dbpath, &c, &err) != MD_OK) {
        printf("# %s\n", err.msg);
        tap_skip_all("cannot open a cache");
    }

    time_t now = time(NULL);
    struct md_demo_stats st = {0};
    md_status s = md_demo_load_dir(c, &scope, demo, now, &st, &err);
    TAP_EQ_INT(s, MD_OK, "the demo loads (%s)", s == MD_OK ? "ok" : err.msg);

    /* Every kind file's rows are in the cache. */
    size_t want_rows = 0, want_kinds = 0;
    int mismatches = 0;
    const cJSON *f;
    cJSON_ArrayForEach(f, md_json_get(manifest, "$.files")) {
        const char *kind = md_json_str(f, "$.kind", "");
        long want = (long)md_json_num(f, "$.rows", -1);
        if (!md_kind_find(kind))
            continue;   /* log events: served by md_demo_job_logs, not cached */
        want_rows += (size_t)want;
        want_kinds++;
        long got = count(c, kind, NULL);
        if (got != want) {
            printf("# %s: %ld rows cached, %ld in the file\n", kind, got, want);
            mismatches++;
        }
    }
    TAP_EQ_INT(mismatches, 0, "every kind has all its rows (ids unique per kind)");
    TAP_EQ_INT(st.rows, want_rows, "stats count every row");
    TAP_EQ_INT(st.kinds, want_kinds, "stats count every kind");
    TAP_OK(want_kinds >= 17 && count(c, "pipeline-executions", NULL) >= 200,
           "a working day: %ld executions over %zu kinds", count(c, "pipeline-executions", NULL),
           want_kinds);
    TAP_OK(count(c, "pipeline-executions", "yolo11-train") > 100, "executions under their pipeline");

    /* Timestamps moved to today, in each encoding. */
    struct extreme x = extremes(c, "pipeline-executions", "$.CreationTime");
    TAP_OK(x.n > 0 && x.max <= now && x.max > now - 3 * 3600.0,
           "newest execution started in the last hours (%.0f s ago)", now - x.max);
    TAP_OK(x.min > now - 45 * 86400.0 && x.min < now - 35 * 86400.0,
           "oldest execution about six weeks ago (%.1f d)", (now - x.min) / 86400);
    x = extremes(c, "pipeline-steps", "$.EndTime");
    TAP_OK(x.n > 0 && x.max <= now + 1, "no step ended in the future");
    x = extremes(c, "runs", "$.info.start_time");
    TAP_OK(x.n > 0 && x.max <= now && x.max > now - 6 * 3600.0,
           "MLflow ms: newest run started in the last hours (%.0f s ago)", now - x.max);
    x = extremes(c, "metric-histories", "$.metrics[0].timestamp");
    TAP_OK(x.n > 0 && x.max <= now, "metric history points are in the past");
    x = extremes(c, "objects", "$.LastModified");
    TAP_OK(x.n > 0 && x.max < now && x.min > now - 40 * 86400.0,
           "S3 ISO 8601: objects modified weeks ago (%.1f d)", (now - x.max) / 86400);
    x = extremes(c, "monitoring-executions", "$.ScheduledTime");
    TAP_OK(x.n > 0 && x.max <= now && x.max > now - 7 * 3600.0,
           "latest monitoring run within the schedule period");

    char *shift = NULL;
    md_cache_meta_get(c, &scope, "demo.shift_s", &shift, &err);
    TAP_OK(shift && atof(shift) == st.shift_s, "the shift is kept in the cache's meta");
    double sh = 0;
    TAP_OK(md_demo_shift(c, &scope, demo, now + 5000, &sh, &err) == MD_OK && sh == st.shift_s,
           "later refreshes reuse the stored shift");
    free(shift);

    /* The first execution's steps: ids scoped by the execution, a refresh of
     * that parent reloads them and prunes a row that is not in the file. */
    char exec_arn[512] = "";
    {
        char path[600];
        snprintf(path, sizeof path, "%s/pipeline-steps.json", demo);
        cJSON *steps = md_json_load_file(path, &err);
        snprintf(exec_arn, sizeof exec_arn, "%s", md_json_str(steps, "$.rows[0].parent", ""));
        char id[800];
        snprintf(id, sizeof id, "%s/%s", exec_arn,
                 md_json_str(steps, "$.rows[0].object.StepName", ""));
        char *json = NULL;
        TAP_OK(md_cache_get(c, &scope, "pipeline-steps", id, &json, NULL, &err) == MD_OK && json,
               "a step is cached as <execution arn>/<StepName>");
        free(json);
        cJSON_Delete(steps);
    }
    /* Strings with newlines and quotes survive the compact printer. */
    {
        char path[600];
        snprintf(path, sizeof path, "%s/pipeline-steps.json", demo);
        cJSON *steps = md_json_load_file(path, &err);
        int checked = 0, same = 0;
        const cJSON *row;
        cJSON_ArrayForEach(row, md_json_get(steps, "$.rows")) {
            const char *why = md_json_str(row, "$.object.FailureReason", NULL);
            if (!why)
                continue;
            char id[800];
            snprintf(id, sizeof id, "%s/%s", md_json_str(row, "$.parent", ""),
                     md_json_str(row, "$.object.StepName", ""));
            char *json = NULL;
            md_cache_get(c, &scope, "pipeline-steps", id, &json, NULL, &err);
            cJSON *got = json ? cJSON_Parse(json) : NULL;
            const cJSON *meta = md_json_get(row, "$.object.Metadata");
            checked++;
            same += got && strcmp(md_json_str(got, "$.FailureReason", ""), why) == 0 &&
                    cJSON_Compare(md_json_get(got, "$.Metadata"), meta, true);
            cJSON_Delete(got);
            free(json);
        }
        TAP_OK(checked > 10 && same == checked,
               "failure reasons (newlines, quotes) and metadata round-trip (%d/%d)", same,
               checked);
        cJSON_Delete(steps);
    }
    long nsteps = count(c, "pipeline-steps", exec_arn);
    struct md_cache_row bogus = {.kind = "pipeline-steps", .id = "x/Gone", .parent = exec_arn,
                                 .json = "{\"StepName\":\"Gone\"}"};
    md_cache_upsert(c, &scope, &bogus, &err);
    size_t n = 0;
    s = md_demo_load_kind(c, &scope, demo, "pipeline-steps", exec_arn, st.shift_s, &n, &err);
    TAP_OK(s == MD_OK && (long)n == nsteps && count(c, "pipeline-steps", exec_arn) == nsteps,
           "refreshing one execution's steps reloads %zu and prunes the stray row", n);
    TAP_EQ_INT(count(c, "pipeline-steps", NULL), (long)(size_t)md_json_num(
                   md_json_get(manifest, "$.files[?kind=pipeline-steps]"), "$.rows", -1),
               "other executions' steps are untouched");
    TAP_OK(md_demo_load_kind(c, &scope, demo, "no-such-kind", NULL, 0, &n, &err) ==
               MD_ERR_INVALID,
           "unknown kind -> invalid");

    /* Loading again replaces rows instead of adding them. */
    s = md_demo_load_dir(c, &scope, demo, now, &st, &err);
    TAP_OK(s == MD_OK && count(c, "runs", NULL) == (long)md_json_num(
                             md_json_get(manifest, "$.files[?kind=runs]"), "$.rows", -1),
           "a second load replaces the rows");

    /* Actions are refused with the demo's words. */
    s = md_demo_refuse("pipeline-executions", "stop-execution", &err);
    TAP_EQ_INT(s, MD_ERR_DEMO, "actions are refused with MD_ERR_DEMO");
    TAP_EQ_STR(err.msg,
               "the demo workspace cannot stop execution; run without --demo to use your AWS "
               "account",
               "the refusal names the action");
    md_demo_refuse("nope", NULL, &err);
    TAP_OK(strstr(err.msg, "cannot do that") != NULL, "unknown action still reads well");

    /* md_demo_open: a fresh file every time, even over a stale one. */
    {
        char p2[320];
        snprintf(p2, sizeof p2, "%s/open.db", tmpdir);
        FILE *junk = fopen(p2, "w");
        if (junk) {
            fputs("not a database", junk);
            fclose(junk);
        }
        struct md_cache *c2 = NULL;
        s = md_demo_open(p2, &c2, &err);
        TAP_OK(s == MD_OK && c2 && md_cache_warning(c2) == NULL,
               "md_demo_open replaces an old file without a warning (%s)",
               s == MD_OK ? "ok" : err.msg);
        TAP_OK(c2 && count(c2, "runs", NULL) == (long)md_json_num(
                         md_json_get(manifest, "$.files[?kind=runs]"), "$.rows", -1),
               "and loads the workspace");
        md_cache_close(c2);
        /* a path under a regular file cannot be created, even by root */
        snprintf(p2, sizeof p2, "%s/open.db/demo.db", tmpdir);
        TAP_OK(md_demo_open(p2, &c2, &err) != MD_OK && c2 == NULL,
               "an unusable path is an error (%s)", err.msg);
    }
    test_logs(c, now);
    test_parse_rows();
    test_monitoring_reports();
    test_bad_files(c);

    md_cache_close(c);
    cJSON_Delete(manifest);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", tmpdir);
    return tap_done();
}
