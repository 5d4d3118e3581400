/* The kind table and its formatters: lookup and aliases, table integrity,
 * every formatter, NaN vs missing, live spans, the three time encodings,
 * actions and row ids. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../tap.h"
#include "kind/kind.h"
#include "util/json.h"

static cJSON *obj(const char *text)
{
    cJSON *j = cJSON_Parse(text);
    if (!j)
        printf("# bad test JSON: %s\n", text);
    return j;
}

/* Formats the column titled `title` of kind `kind` for a JSON text. */
static const char *cell(const char *kind, const char *title, const char *json, time_t now,
                        enum md_tone *tone)
{
    static char out[256];
    const struct md_kind *k = md_kind_find(kind);
    const struct md_column *c = md_kind_column_by_title(k, title);
    cJSON *j = obj(json);
    if (!k || !c || !j) {
        cJSON_Delete(j);
        return "(no such kind/column)";
    }
    md_kind_format(k, c, j, now, out, sizeof out, tone);
    cJSON_Delete(j);
    return out;
}

static void test_lookup(void)
{
    TAP_OK(md_kind_count() >= 17, "the table has every kind (%zu)", md_kind_count());
    const struct md_kind *pl = md_kind_find("pipelines");
    TAP_OK(pl && strcmp(pl->name, "pipelines") == 0, "find by name");
    TAP_OK(md_kind_find("pl") == pl, "alias pl");
    TAP_OK(md_kind_find(":pl") == pl, "palette form :pl");
    TAP_OK(md_kind_find("PIPELINES") == pl, "names are case-insensitive");
    TAP_OK(md_kind_find("executions") == md_kind_find("pipeline-executions"), "alias executions");
    TAP_OK(md_kind_find("runs") && md_kind_find("r") == md_kind_find("runs"), "alias r");
    TAP_OK(md_kind_find("models") == md_kind_find("registered-models"), "alias models");
    TAP_OK(md_kind_find("tj") == md_kind_find("training-jobs"), "alias tj");
    TAP_OK(md_kind_find("nope") == NULL, "unknown name -> NULL");
    TAP_OK(md_kind_find("") == NULL && md_kind_find(NULL) == NULL, "empty/NULL -> NULL");
    TAP_OK(md_kind_find("pipe") == NULL, "a prefix is not an alias");
    TAP_OK(md_kind_child(pl) == md_kind_find("pipeline-executions"), "pipelines -> executions");
    TAP_OK(md_kind_parent(md_kind_find("steps")) == md_kind_find("executions"),
           "steps' parent is executions");
    TAP_OK(md_kind_parent(pl) == NULL, "pipelines are top-level");

    TAP_EQ_INT(md_pane_count(), 6, "six panes");
    TAP_EQ_STR(md_pane_at(0), "datasets", "pane 1 is datasets");
    TAP_EQ_STR(md_pane_at(5), "inference", "pane 6 is inference");
    TAP_OK(md_pane_at(6) == NULL, "pane 7 does not exist");
    TAP_OK(md_pane_kind("pipelines") == pl, "pipelines pane opens pipelines");
    TAP_OK(md_pane_kind("drift") == md_kind_find("monitoring-schedules"),
           "drift pane opens monitoring schedules");
    TAP_OK(md_pane_kind("labeling") == md_kind_find("labeling-jobs"), "labeling pane");
    TAP_OK(md_pane_kind("experiments") == md_kind_find("experiments"), "experiments pane");
    TAP_OK(md_pane_kind("inference") == NULL, "inference is a special view");
}

/* Every name and alias resolves to exactly its own kind; parents, children,
 * columns, sort columns and action keys are consistent. */
static void test_table_integrity(void)
{
    int bad = 0;
    for (size_t i = 0; i < md_kind_count(); i++) {
        const struct md_kind *k = md_kind_at(i);
        if (md_kind_find(k->name) != k) {
            printf("# %s does not resolve to itself\n", k->name);
            bad++;
        }
        if (k->aliases) {
            char buf[256];
            snprintf(buf, sizeof buf, "%s", k->aliases);
            for (char *w = strtok(buf, " "); w; w = strtok(NULL, " "))
                if (md_kind_find(w) != k) {
                    printf("# alias %s of %s resolves elsewhere\n", w, k->name);
                    bad++;
                }
        }
        if (k->parent && !md_kind_parent(k)) {
            printf("# %s: unknown parent %s\n", k->name, k->parent);
            bad++;
        }
        if (k->child) {
            const struct md_kind *c = md_kind_child(k);
            if (!c || !c->parent || strcmp(c->parent, k->name) != 0) {
                printf("# %s: child %s does not name it as parent\n", k->name, k->child);
                bad++;
            }
        }
        if (k->id_in_parent && !k->parent) {
            printf("# %s: id_in_parent without a parent\n", k->name);
            bad++;
        }
        if (!k->id_path || !k->label_path || !k->copy_path || !k->title || !k->pane ||
            !k->source || !k->summary) {
            printf("# %s: a required field is missing\n", k->name);
            bad++;
        }
        if (k->ncolumns == 0 || (size_t)k->sort_column >= k->ncolumns ||
            k->columns[k->sort_column].hidden) {
            printf("# %s: bad columns or sort column\n", k->name);
            bad++;
        }
        bool pane_ok = false;
        for (size_t p = 0; p < md_pane_count(); p++)
            pane_ok |= k->pane && strcmp(k->pane, md_pane_at(p)) == 0;
        if (!pane_ok) {
            printf("# %s: unknown pane\n", k->name);
            bad++;
        }
        for (size_t c = 0; c < k->ncolumns; c++) {
            const struct md_column *col = &k->columns[c];
            if (!col->title || !col->path || col->path[0] != '$' ||
                (col->fmt == MD_FMT_SPAN && !col->path2) ||
                (col->path2 && col->fmt != MD_FMT_SPAN && col->fmt != MD_FMT_INT &&
                 !md_column_has_fallback(col)) ||
                (col->path2 && col->path2[0] != '$') ||
                md_kind_column_by_title(k, col->title) != col) {
                printf("# %s: column %zu is malformed or its title is not unique\n", k->name, c);
                bad++;
            }
        }
        for (size_t a = 0; a < k->nactions; a++) {
            const struct md_action *ac = &k->actions[a];
            if (md_kind_action_by_key(k, ac->key) != ac ||
                md_kind_action_by_name(k, ac->name) != ac || !ac->label) {
                printf("# %s: action %zu key/name not unique\n", k->name, a);
                bad++;
            }
        }
    }
    TAP_EQ_INT(bad, 0, "table integrity over %zu kinds", md_kind_count());
}

static void test_actions(void)
{
    const struct md_kind *pl = md_kind_find("pipelines");
    const struct md_kind *pe = md_kind_find("pipeline-executions");
    const struct md_action *a = md_kind_action_by_key(pl, 's');
    TAP_OK(a && strcmp(a->name, "start-execution") == 0 && a->confirm && a->mutating,
           "pipelines: s starts an execution, confirmed, mutating");
    a = md_kind_action_by_key(pe, 'x');
    TAP_OK(a && strcmp(a->name, "stop-execution") == 0 && a->confirm && a->mutating,
           "executions: x stops");
    a = md_kind_action_by_key(pe, 'T');
    TAP_OK(a && strcmp(a->label, "Retry execution") == 0, "executions: T retries (R is sort-reverse)");
    TAP_OK(md_kind_action_by_key(pe, 'r') == NULL, "r is refresh, not an action");
    TAP_OK(md_kind_action_by_name(pe, ":stop-execution") == md_kind_action_by_key(pe, 'x'),
           "action by :name");
    TAP_OK(md_kind_action_by_key(md_kind_find("training-jobs"), 'x') != NULL,
           "training jobs: x stops");
    TAP_OK(md_kind_action_by_key(md_kind_find("labeling-jobs"), 'x') != NULL,
           "labeling jobs: x stops");
    TAP_OK(md_kind_action_by_key(md_kind_find("runs"), 'x') == NULL, "runs have no actions");
    TAP_OK(md_kind_action_by_key(NULL, 'x') == NULL && md_kind_action_by_name(pe, NULL) == NULL,
           "NULL-safe");
}

static void test_tones(void)
{
    TAP_EQ_INT(md_status_tone("Succeeded"), MD_TONE_OK, "Succeeded ok");
    TAP_EQ_INT(md_status_tone("FINISHED"), MD_TONE_OK, "FINISHED ok");
    TAP_EQ_INT(md_status_tone("Executing"), MD_TONE_RUNNING, "Executing running");
    TAP_EQ_INT(md_status_tone("RUNNING"), MD_TONE_RUNNING, "RUNNING running");
    TAP_EQ_INT(md_status_tone("InProgress"), MD_TONE_RUNNING, "InProgress running");
    TAP_EQ_INT(md_status_tone("CompletedWithViolations"), MD_TONE_WARN, "violations warn");
    TAP_EQ_INT(md_status_tone("Failed"), MD_TONE_FAIL, "Failed fail");
    TAP_EQ_INT(md_status_tone("FAILED"), MD_TONE_FAIL, "FAILED fail");
    TAP_EQ_INT(md_status_tone("Stopped"), MD_TONE_MUTED, "Stopped muted");
    TAP_EQ_INT(md_status_tone("KILLED"), MD_TONE_MUTED, "KILLED muted");
    TAP_EQ_INT(md_status_tone("whatever"), MD_TONE_NONE, "unknown none");
    TAP_EQ_INT(md_status_tone(NULL), MD_TONE_NONE, "NULL none");
}

static void test_plain_formatters(void)
{
    char b[64];
    md_fmt_age(45, b, sizeof b);
    TAP_EQ_STR(b, "45s", "age 45s");
    md_fmt_age(3 * 60 + 59, b, sizeof b);
    TAP_EQ_STR(b, "3m", "age 3m (floors)");
    md_fmt_age(2 * 3600 + 10, b, sizeof b);
    TAP_EQ_STR(b, "2h", "age 2h");
    md_fmt_age(5 * 86400 + 7, b, sizeof b);
    TAP_EQ_STR(b, "5d", "age 5d");
    md_fmt_age(95 * 86400, b, sizeof b);
    TAP_EQ_STR(b, "3mo", "age 3mo");
    md_fmt_age(800 * 86400.0, b, sizeof b);
    TAP_EQ_STR(b, "2y", "age 2y");
    md_fmt_age(-30, b, sizeof b);
    TAP_EQ_STR(b, "0s", "a future time is 0s old");
    md_fmt_age(NAN, b, sizeof b);
    TAP_EQ_STR(b, "-", "age of NaN is -");

    md_fmt_duration(12, b, sizeof b);
    TAP_EQ_STR(b, "12s", "duration 12s");
    md_fmt_duration(4 * 60 + 3, b, sizeof b);
    TAP_EQ_STR(b, "4m03s", "duration 4m03s");
    md_fmt_duration(3600 + 2 * 60 + 59, b, sizeof b);
    TAP_EQ_STR(b, "1h02m", "duration 1h02m");
    md_fmt_duration(2 * 86400 + 3 * 3600 + 1, b, sizeof b);
    TAP_EQ_STR(b, "2d03h", "duration 2d03h");
    md_fmt_duration(0.4, b, sizeof b);
    TAP_EQ_STR(b, "0s", "duration 0s");
    md_fmt_duration(-1, b, sizeof b);
    TAP_EQ_STR(b, "-", "negative duration is -");
    md_fmt_duration(INFINITY, b, sizeof b);
    TAP_EQ_STR(b, "-", "infinite duration is -");

    md_fmt_bytes(512, b, sizeof b);
    TAP_EQ_STR(b, "512 B", "bytes 512 B");
    md_fmt_bytes(1229, b, sizeof b);
    TAP_EQ_STR(b, "1.2 KiB", "bytes 1.2 KiB");
    md_fmt_bytes(1.2 * 1024 * 1024 * 1024 + 5, b, sizeof b);
    TAP_EQ_STR(b, "1.2 GiB", "bytes 1.2 GiB");
    md_fmt_bytes(50 * 1024 * 1024.0, b, sizeof b);
    TAP_EQ_STR(b, "50 MiB", "bytes 50 MiB");
    md_fmt_bytes(0, b, sizeof b);
    TAP_EQ_STR(b, "0 B", "bytes 0 B");
    md_fmt_bytes(-5, b, sizeof b);
    TAP_EQ_STR(b, "-", "negative bytes -");

    md_fmt_time(1795681748.379, b, sizeof b);
    TAP_EQ_STR(b, "2026-11-26 08:29", "time in UTC");
    md_fmt_iso8601(1795681748.379, b, sizeof b);
    TAP_EQ_STR(b, "2026-11-26T08:29:08.379Z", "ISO 8601 with milliseconds");
    md_fmt_time(0, b, sizeof b);
    TAP_EQ_STR(b, "1970-01-01 00:00", "epoch 0");
    md_fmt_time(951782400, b, sizeof b);
    TAP_EQ_STR(b, "2000-02-29 00:00", "leap day 2000");

    char tiny[4];
    md_fmt_duration(2 * 86400 + 3 * 3600, tiny, sizeof tiny);
    TAP_OK(strlen(tiny) == 3, "a small buffer truncates without overflow");
}

static void test_iso8601(void)
{
    double t = 0;
    TAP_OK(md_parse_iso8601("2026-11-20T14:03:00.000Z", &t) && t == 1795183380.0,
           "S3 form with milliseconds");
    TAP_OK(md_parse_iso8601("2026-11-20T14:03:00Z", &t) && t == 1795183380.0, "no fraction");
    TAP_OK(md_parse_iso8601("2026-11-20t14:03:00.5z", &t) && t == 1795183380.5,
           "lower-case t/z and a fraction");
    TAP_OK(md_parse_iso8601("2026-11-20 16:03:00+02:00", &t) && t == 1795183380.0,
           "space separator and +02:00");
    TAP_OK(md_parse_iso8601("2026-11-20T09:03:00-0500", &t) && t == 1795183380.0, "-0500");
    TAP_OK(md_parse_iso8601("1970-01-01T00:00:00Z", &t) && t == 0.0, "epoch");
    TAP_OK(md_parse_iso8601("2024-02-29T00:00:00Z", &t), "leap day 2024");
    double keep = 42;
    t = keep;
    static const char *const bad[] = {
        "", "2026-11-20", "2026-11-20T14:03Z", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
        "2023-02-29T00:00:00Z", "2026-11-20T24:00:00Z", "2026-11-20T14:03:00",
        "2026-11-20T14:03:00.Z", "2026-11-20T14:03:00Zjunk", "2026-11-20T14:03:00+2:00",
        "x026-11-20T14:03:00Z", "2026/11/20T14:03:00Z", "1795183380",
    };
    int rejected = 0;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        rejected += !md_parse_iso8601(bad[i], &t);
    TAP_EQ_INT(rejected, (int)(sizeof bad / sizeof bad[0]), "malformed dates are rejected");
    TAP_OK(t == keep, "a rejected date leaves the output untouched");
    TAP_OK(!md_parse_iso8601(NULL, &t), "NULL rejected");
}

static void test_time_encodings(void)
{
    const struct md_kind *tj = md_kind_find("training-jobs");
    const struct md_kind *runs = md_kind_find("runs");
    const struct md_kind *objs = md_kind_find("objects");
    double t = 0;
    cJSON *j = obj("{\"CreationTime\": 1795183380.25, \"S\": \"1795183380\"}");
    TAP_OK(md_kind_time(tj, j, "$.CreationTime", &t) && t == 1795183380.25,
           "SageMaker epoch seconds, fractional");
    TAP_OK(md_kind_time(tj, j, "$.S", &t) && t == 1795183380.0, "numeric string");
    TAP_OK(!md_kind_time(tj, j, "$.Missing", &t), "missing time");
    cJSON_Delete(j);
    j = obj("{\"info\": {\"start_time\": 1795183380123}}");
    TAP_OK(md_kind_time(runs, j, "$.info.start_time", &t) && fabs(t - 1795183380.123) < 1e-6,
           "MLflow epoch milliseconds");
    cJSON_Delete(j);
    j = obj("{\"LastModified\": \"2026-11-20T14:03:00.000Z\", \"Bad\": \"yesterday\"}");
    TAP_OK(md_kind_time(objs, j, "$.LastModified", &t) && t == 1795183380.0, "S3 ISO 8601");
    TAP_OK(!md_kind_time(objs, j, "$.Bad", &t), "a non-date string is not a time");
    cJSON_Delete(j);

    time_t now = 1795183380 + 7200;
    TAP_EQ_STR(cell("runs", "Started", "{\"info\":{\"start_time\":1795183380000}}", now, NULL),
               "2h", "run age from ms");
    TAP_EQ_STR(cell("training-jobs", "Started", "{\"CreationTime\":1795183380}", now, NULL), "2h",
               "job age from s");
    TAP_EQ_STR(cell("objects", "Modified", "{\"LastModified\":\"2026-11-20T14:03:00.000Z\"}", now,
                    NULL),
               "2h", "object age from ISO");
    TAP_EQ_STR(cell("objects", "Time", "{\"LastModified\":\"2026-11-20T14:03:00.000Z\"}", now,
                    NULL),
               "2026-11-20 14:03", "object time");
}

static void test_columns(void)
{
    enum md_tone tone = MD_TONE_NONE;
    time_t now = 1795183380;
    const char *run_nan =
        "{\"info\":{\"status\":\"FAILED\",\"start_time\":1795176180000,"
        "\"end_time\":1795179780000},\"data\":{\"metrics\":["
        "{\"key\":\"train/box_loss\",\"value\":\"NaN\",\"timestamp\":1,\"step\":22},"
        "{\"key\":\"metrics/mAP50B\",\"value\":0.80238,\"timestamp\":1,\"step\":22}],"
        "\"params\":[{\"key\":\"imgsz\",\"value\":\"640\"}]}}";
    TAP_EQ_STR(cell("runs", "box_loss", run_nan, now, &tone), "NaN", "NaN metric shows NaN");
    TAP_EQ_INT(tone, MD_TONE_WARN, "NaN is toned as a warning");
    TAP_EQ_STR(cell("runs", "mAP50-95", run_nan, now, &tone), "-", "missing metric shows -");
    TAP_EQ_INT(tone, MD_TONE_MUTED, "missing is muted");
    TAP_EQ_STR(cell("runs", "mAP50", run_nan, now, NULL), "0.8024", "float with 4 decimals");
    TAP_EQ_STR(cell("runs", "imgsz", run_nan, now, NULL), "640", "param string as int");
    TAP_EQ_STR(cell("runs", "Status", run_nan, now, &tone), "FAILED", "status text");
    TAP_EQ_INT(tone, MD_TONE_FAIL, "status tone");
    TAP_EQ_STR(cell("runs", "Duration", run_nan, now, &tone), "1h00m", "finished run duration");
    TAP_EQ_INT(tone, MD_TONE_NONE, "finished span is not live");

    /* A running MLflow run has no end_time: live to now. */
    TAP_EQ_STR(cell("runs", "Duration",
                    "{\"info\":{\"status\":\"RUNNING\",\"start_time\":1795179780000}}", now,
                    &tone),
               "1h00m", "running run: live span to now");
    TAP_EQ_INT(tone, MD_TONE_RUNNING, "live span is toned running");
    /* An executing SageMaker execution has LastModifiedTime, still live. */
    TAP_EQ_STR(cell("executions", "Duration",
                    "{\"PipelineExecutionStatus\":\"Executing\",\"CreationTime\":1795179780,"
                    "\"LastModifiedTime\":1795179800}",
                    now, &tone),
               "1h00m", "executing execution: live despite LastModifiedTime");
    TAP_EQ_STR(cell("executions", "Duration",
                    "{\"PipelineExecutionStatus\":\"Failed\",\"CreationTime\":1795179780,"
                    "\"LastModifiedTime\":1795180023}",
                    now, &tone),
               "4m03s", "failed execution: fixed span");
    TAP_EQ_STR(cell("executions", "Duration", "{\"PipelineExecutionStatus\":\"Failed\"}", now,
                    &tone),
               "-", "span without a start is -");

    TAP_EQ_STR(cell("training-jobs", "Billable", "{\"BillableTimeInSeconds\":1234}", now, NULL),
               "20m34s", "billable seconds as a duration");
    TAP_EQ_STR(cell("training-jobs", "Billable", "{}", now, NULL), "-", "no billable yet");
    TAP_EQ_STR(cell("training-jobs", "N", "{\"ResourceConfig\":{\"InstanceCount\":2}}", now,
                    NULL),
               "2", "nested int");
    TAP_EQ_STR(cell("objects", "Size", "{\"Size\":1536}", now, NULL), "1.5 KiB", "bytes column");
    TAP_EQ_STR(cell("steps", "Type",
                    "{\"Metadata\":{\"TrainingJob\":{\"Arn\":\"arn:aws:sagemaker:eu-west-1:1:"
                    "training-job/pipelines-abc-TrainYOLO\"}}}",
                    now, NULL),
               "TrainingJob", "step type from Metadata's member");
    TAP_EQ_STR(cell("steps", "Training job",
                    "{\"Metadata\":{\"TrainingJob\":{\"Arn\":\"arn:aws:sagemaker:eu-west-1:1:"
                    "training-job/pipelines-abc-TrainYOLO\"}}}",
                    now, NULL),
               "pipelines-abc-TrainYOLO", "ARN name");
    TAP_EQ_STR(cell("steps", "Job",
                    "{\"Metadata\":{\"TrainingJob\":{\"Arn\":\"arn:aws:sagemaker:eu-west-1:1:"
                    "training-job/pipelines-abc-TrainYOLO\"}}}",
                    now, NULL),
               "pipelines-abc-TrainYOLO", "a step's job: a training job");
    TAP_EQ_STR(cell("steps", "Job",
                    "{\"Metadata\":{\"ProcessingJob\":{\"Arn\":\"arn:aws:sagemaker:eu-west-1:1:"
                    "processing-job/pipelines-abc-Preprocess\"}}}",
                    now, NULL),
               "pipelines-abc-Preprocess", "or else a processing job (the fallback path)");
    TAP_EQ_STR(cell("steps", "Job", "{\"Metadata\":{\"Condition\":{\"Outcome\":\"True\"}}}",
                    now, NULL),
               "-", "a condition step has no job");
    {
        const struct md_kind *pl = md_kind_find("pipelines"), *ms = md_kind_find("schedules");
        cJSON *run = obj("{\"mldeck\":{\"last_execution\":{\"status\":\"Executing\"}}}");
        cJSON *done = obj("{\"mldeck\":{\"last_execution\":{\"status\":\"Succeeded\"}}}");
        cJSON *mon = obj("{\"MonitoringScheduleStatus\":\"Scheduled\",\"LastMonitoringExecutionSummary\":"
                         "{\"MonitoringExecutionStatus\":\"InProgress\"}}");
        TAP_OK(md_kind_row_running(pl, run), "a pipeline whose last execution runs is running");
        TAP_OK(!md_kind_row_running(pl, done), "one whose last execution finished is not");
        TAP_OK(md_kind_row_running(ms, mon), "a schedule whose last run is in progress is running");
        cJSON_Delete(run);
        cJSON_Delete(done);
        cJSON_Delete(mon);
    }
    TAP_EQ_STR(cell("steps", "Ended", "{\"EndTime\":1795182480}", 1795183380, NULL), "15m",
               "when a step ended, as an age");
    TAP_EQ_STR(cell("model-versions", "Aliases", "{\"aliases\":[\"champion\",\"prod\"]}", now,
                    NULL),
               "champion,prod", "list of strings");
    TAP_EQ_STR(cell("registered-models", "Aliases",
                    "{\"aliases\":[{\"alias\":\"challenger\",\"version\":\"2\"},"
                    "{\"alias\":\"champion\",\"version\":\"1\"}]}",
                    now, NULL),
               "challenger:2,champion:1", "list of alias objects");
    TAP_EQ_STR(cell("metric-histories", "Points",
                    "{\"metrics\":[{\"key\":\"a\",\"value\":1,\"step\":0,\"timestamp\":1},"
                    "{\"key\":\"a\",\"value\":2,\"step\":1,\"timestamp\":2}]}",
                    now, NULL),
               "2", "count");
    TAP_EQ_STR(cell("executions", "Failure",
                    "{\"FailureReason\":\"Step failed:\\nClientError: bad\\tthing\"}", now, NULL),
               "Step failed: ClientError: bad thing", "control characters become spaces");
    TAP_EQ_STR(cell("pipelines", "Name", "{\"PipelineName\":null}", now, &tone), "-",
               "JSON null is missing");
    TAP_EQ_STR(cell("training-jobs", "Spot", "{\"EnableManagedSpotTraining\":true}", now, NULL),
               "true", "boolean text");

    /* Cutting a UTF-8 string never splits a character. */
    const struct md_kind *pl = md_kind_find("pipelines");
    const struct md_column *c = md_kind_column_by_title(pl, "Description");
    cJSON *j = obj("{\"PipelineDescription\":\"caf\\u00e9\\u00e9\"}");
    char small[6];
    md_kind_format(pl, c, j, now, small, sizeof small, NULL);
    TAP_EQ_STR(small, "caf\xc3\xa9", "UTF-8 safe truncation");
    cJSON_Delete(j);
    md_kind_format(pl, c, NULL, now, small, sizeof small, NULL);
    TAP_EQ_STR(small, "-", "NULL object is missing");
}

/* Formats one synthetic column of format fmt at $.v of json. */
static const char *fmt1(enum md_fmt fmt, const char *json, enum md_tone *tone)
{
    static char out[128];
    struct md_column c = {.title = "t", .path = "$.v", .fmt = fmt};
    cJSON *j = obj(json);
    md_kind_format(md_kind_find("runs"), &c, j, 0, out, sizeof out, tone);
    cJSON_Delete(j);
    return out;
}

/* Every format on odd values: the table must never show garbage. */
static void test_every_format(void)
{
    enum md_tone tone;
    TAP_EQ_STR(fmt1(MD_FMT_PERCENT, "{\"v\":0.4249}", NULL), "42%", "percent");
    TAP_EQ_STR(fmt1(MD_FMT_PERCENT, "{\"v\":\"NaN\"}", NULL), "NaN", "percent of NaN");
    TAP_EQ_STR(fmt1(MD_FMT_PERCENT, "{}", NULL), "-", "percent of missing");
    TAP_EQ_STR(fmt1(MD_FMT_FLOAT, "{\"v\":123456.789}", NULL), "123456.8", "large float");
    TAP_EQ_STR(fmt1(MD_FMT_FLOAT, "{\"v\":1.5e12}", NULL), "1.5e+12", "huge float");
    TAP_EQ_STR(fmt1(MD_FMT_FLOAT, "{\"v\":\"Infinity\"}", NULL), "inf", "MLflow Infinity");
    TAP_EQ_STR(fmt1(MD_FMT_FLOAT, "{\"v\":\"-Infinity\"}", NULL), "-inf", "MLflow -Infinity");
    TAP_EQ_STR(fmt1(MD_FMT_FLOAT, "{\"v\":\"high\"}", NULL), "high", "non-numeric float text");
    TAP_EQ_STR(fmt1(MD_FMT_INT, "{\"v\":\"None\"}", NULL), "None", "param None stays text");
    TAP_EQ_STR(fmt1(MD_FMT_INT, "{\"v\":41.7}", NULL), "42", "int rounds");
    TAP_EQ_STR(fmt1(MD_FMT_COUNT, "{\"v\":[]}", NULL), "0", "count of empty list");
    TAP_EQ_STR(fmt1(MD_FMT_COUNT, "{\"v\":{\"a\":1,\"b\":2}}", NULL), "2", "count of object");
    TAP_EQ_STR(fmt1(MD_FMT_KEYS, "{\"v\":{}}", NULL), "-", "keys of empty object");
    TAP_EQ_STR(fmt1(MD_FMT_ARN_NAME, "{\"v\":\"plain-name\"}", NULL), "plain-name",
               "arn-name of a non-ARN");
    TAP_EQ_STR(fmt1(MD_FMT_BYTES, "{\"v\":\"12\"}", NULL), "12 B", "bytes from a string");
    TAP_EQ_STR(fmt1(MD_FMT_DURATION, "{\"v\":\"soon\"}", NULL), "soon", "duration of text");
    TAP_EQ_STR(fmt1(MD_FMT_AGE, "{\"v\":\"yesterday\"}", NULL), "yesterday", "age of text");
    TAP_EQ_STR(fmt1(MD_FMT_TIME, "{\"v\":true}", NULL), "true", "time of a boolean");
    TAP_EQ_STR(fmt1(MD_FMT_TEXT, "{\"v\":{\"a\":[1,2]}}", NULL), "{\"a\":[1,2]}",
               "object as compact JSON");
    TAP_EQ_STR(fmt1(MD_FMT_TEXT, "{\"v\":[]}", NULL), "", "empty list is empty, not missing");
    TAP_EQ_STR(fmt1(MD_FMT_TEXT, "{\"v\":0.5}", NULL), "0.5", "plain number");
    TAP_EQ_STR(fmt1(MD_FMT_STATUS, "{\"v\":\"CompletedWithViolations\"}", &tone),
               "CompletedWithViolations", "status text");
    TAP_EQ_INT(tone, MD_TONE_WARN, "violations are a warning");
    TAP_EQ_STR(fmt1(MD_FMT_STATUS, "{\"v\":7}", &tone), "7", "a numeric status");
    TAP_EQ_INT(tone, MD_TONE_NONE, "has no tone");
}

static void test_row_ids(void)
{
    char id[256];
    cJSON *j = obj("{\"StepName\":\"TrainYOLO\"}");
    TAP_OK(md_kind_row_id(md_kind_find("steps"), j, "arn:x:execution/abc", id, sizeof id),
           "step id");
    TAP_EQ_STR(id, "arn:x:execution/abc/TrainYOLO", "step id is scoped by its execution");
    cJSON_Delete(j);
    j = obj("{\"ScheduledTime\":1795183200.0}");
    TAP_OK(md_kind_row_id(md_kind_find("monitoring-executions"), j, "drone-dq", id, sizeof id),
           "monitoring execution id");
    TAP_EQ_STR(id, "drone-dq/1795183200", "numeric id prints as an integer");
    cJSON_Delete(j);
    j = obj("{\"info\":{\"run_id\":\"ae9d\"}}");
    TAP_OK(md_kind_row_id(md_kind_find("runs"), j, "1", id, sizeof id) && !strcmp(id, "ae9d"),
           "run id is global");
    cJSON_Delete(j);
    j = obj("{\"name\":\"x\"}");
    TAP_OK(!md_kind_row_id(md_kind_find("runs"), j, "1", id, sizeof id), "no id -> false");
    cJSON_Delete(j);
    j = obj("{\"PipelineName\":\"a-very-long-pipeline-name\"}");
    TAP_OK(!md_kind_row_id(md_kind_find("pipelines"), j, NULL, id, 8), "too long -> false");
    cJSON_Delete(j);
}

int main(void)
{
    test_lookup();
    test_table_integrity();
    test_actions();
    test_tones();
    test_plain_formatters();
    test_iso8601();
    test_time_encodings();
    test_columns();
    test_every_format();
    test_row_ids();
    return tap_done();
}
