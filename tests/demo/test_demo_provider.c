/* The demo provider behind real sync workers: a refresh of one parent
 * rewrites that parent's rows from the files with the stored shift, a
 * top-level refresh reloads the kind, and every action comes back as
 * MD_ERR_DEMO with nothing changed. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../tap.h"
#include "cache/cache.h"
#include "kind/kind.h"
#include "local/demo.h"
#include "sync/sync.h"
#include "util/json.h"

static const struct md_scope scope = {MD_DEMO_PROFILE, MD_DEMO_REGION};

/* Waits (without a deadline: the job always answers) for the event of job id. */
static bool wait_event(struct md_sync *s, unsigned long id, struct md_sync_event *ev)
{
    for (;;) {
        while (md_sync_next_event(s, ev)) {
            if (ev->job_id == id)
                return true;
            md_sync_event_free(ev);
        }
        struct pollfd p = {.fd = md_sync_fd(s), .events = POLLIN};
        if (poll(&p, 1, -1) < 0)
            return false;
    }
}

static long count(struct md_cache *c, const char *kind, const char *parent)
{
    struct md_cache_query q = {.kind = kind, .parent = parent};
    long n = -1;
    struct md_err err = {0};
    md_cache_count(c, &scope, &q, &n, &err);
    return n;
}

int main(void)
{
    const char *data = getenv("MLDECK_DATA_DIR");
    if (!data || !*data)
        tap_skip_all("MLDECK_DATA_DIR is not set");
    char demo[512];
    snprintf(demo, sizeof demo, "%s/demo", data);
    if (strcmp(md_demo_dir(), demo) != 0)
        tap_skip_all("md_demo_dir does not follow MLDECK_DATA_DIR");

    char tmpdir[] = "/tmp/md-demo-prov-XXXXXX";
    if (!mkdtemp(tmpdir))
        tap_skip_all("mkdtemp failed");
    char dbpath[128];
    snprintf(dbpath, sizeof dbpath, "%s/demo.db", tmpdir);
    struct md_err err = {0};
    struct md_cache *c = NULL;
    if (md_cache_open(dbpath, &c, &err) != MD_OK)
        tap_skip_all("cannot open a cache");
    TAP_EQ_INT(md_demo_load_all(c, &scope, &err), MD_OK, "md_demo_load_all (%s)", err.msg);

    /* One execution's steps, then damage them in the cache. */
    char path[700];
    snprintf(path, sizeof path, "%s/pipeline-steps.json", demo);
    cJSON *steps = md_json_load_file(path, &err);
    char exec_arn[512];
    snprintf(exec_arn, sizeof exec_arn, "%s", md_json_str(steps, "$.rows[0].parent", ""));
    char step_id[800];
    snprintf(step_id, sizeof step_id, "%s/%s", exec_arn,
             md_json_str(steps, "$.rows[0].object.StepName", ""));
    cJSON_Delete(steps);
    char *before = NULL;
    md_cache_get(c, &scope, "pipeline-steps", step_id, &before, NULL, &err);
    long nsteps = count(c, "pipeline-steps", exec_arn);
    struct md_cache_row junk = {.kind = "pipeline-steps", .id = step_id, .parent = exec_arn,
                                .json = "{\"StepName\":\"damaged\"}"};
    md_cache_upsert(c, &scope, &junk, &err);
    struct md_cache_row stray = {.kind = "pipeline-steps", .id = "stray", .parent = exec_arn,
                                 .json = "{\"StepName\":\"stray\"}"};
    md_cache_upsert(c, &scope, &stray, &err);
    long npipes = count(c, "pipelines", NULL);
    md_cache_delete(c, &scope, "pipelines", "nightly-eval", &err);

    const struct md_provider *providers[] = {md_demo_provider(), NULL};
    struct md_sync_config cfg = {.workers = 2, .cache_path = dbpath, .scope = scope,
                                 .providers = providers};
    struct md_sync *s = NULL;
    if (md_sync_start(&cfg, &s, &err) != MD_OK) {
        printf("# %s\n", err.msg);
        tap_skip_all("sync did not start");
    }

    struct md_sync_event ev;
    struct md_job j = {.type = MD_JOB_REFRESH, .kind = "pipeline-steps", .parent = exec_arn};
    unsigned long id = md_sync_submit(s, &j);
    TAP_OK(id && wait_event(s, id, &ev), "refresh of one execution's steps answers");
    TAP_EQ_INT(ev.status, MD_OK, "the refresh succeeds (%s)", ev.err.msg);
    md_sync_event_free(&ev);
    char *after = NULL;
    md_cache_get(c, &scope, "pipeline-steps", step_id, &after, NULL, &err);
    TAP_OK(before && after && strcmp(before, after) == 0,
           "the damaged step is restored exactly (same shift)");
    TAP_EQ_INT(count(c, "pipeline-steps", exec_arn), nsteps, "the stray step is pruned");
    free(before);
    free(after);

    j = (struct md_job){.type = MD_JOB_REFRESH, .kind = "pipelines"};
    id = md_sync_submit(s, &j);
    TAP_OK(id && wait_event(s, id, &ev) && ev.status == MD_OK, "top-level refresh answers");
    md_sync_event_free(&ev);
    TAP_EQ_INT(count(c, "pipelines", NULL), npipes, "a deleted pipeline comes back");

    cJSON *params = cJSON_Parse("{\"ClientRequestToken\":\"x\"}");
    j = (struct md_job){.type = MD_JOB_ACTION, .kind = "pipeline-executions",
                        .id = exec_arn, .action = "stop-execution", .params = params};
    id = md_sync_submit(s, &j);
    TAP_OK(id && wait_event(s, id, &ev), "an action answers");
    TAP_EQ_INT(ev.status, MD_ERR_DEMO, "actions fail with MD_ERR_DEMO");
    TAP_EQ_STR(ev.err.msg,
               "the demo workspace cannot stop execution; run without --demo to use your AWS "
               "account",
               "and say so");
    TAP_OK(ev.result == NULL, "no result");
    md_sync_event_free(&ev);
    cJSON_Delete(params);

    j = (struct md_job){.type = MD_JOB_ACTION, .kind = "pipelines", .id = "yolo11-train",
                        .action = "start-execution"};
    id = md_sync_submit(s, &j);
    TAP_OK(id && wait_event(s, id, &ev) && ev.status == MD_ERR_DEMO &&
               strstr(ev.err.msg, "cannot start execution"),
           "start-execution is refused too");
    md_sync_event_free(&ev);

    md_sync_stop(s);
    md_cache_close(c);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", tmpdir);
    return tap_done();
}
