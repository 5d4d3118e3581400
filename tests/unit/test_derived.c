/* mldeck's own members of cached objects ("mldeck": {...}) and the
 * rewrite pass under them (cache/rewrite.h).
 *
 * Run counts (cache/run_count.h): active runs only, the lower-bound flag,
 * the fetch time left alone, an experiment not cached or not parseable left
 * alone, every experiment at once; how the experiments table formats the
 * column ("12", "12+").
 *
 * Last executions (cache/last_exec.h): both shapes of an execution read, a
 * stale member replaced, when asking again is needed (a later
 * LastExecutionTime, a running one, a number that came back through
 * cJSON's printing), the member carried from an older copy, one pipeline
 * or every one set from the cached executions with fetch times unchanged,
 * a callback's error stopping the pass with what it changed before still
 * written; and the pipelines column. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache/last_exec.h"
#include "cache/rewrite.h"
#include "cache/run_count.h"
#include "kind/kind.h"
#include "../tap.h"

static const struct md_scope scope = {"test", "us-east-1"};

static void put(struct md_cache *c, const char *kind, const char *id, const char *parent,
                const char *json, long long at)
{
    struct md_cache_row r = {kind, id, parent, json, at};
    struct md_err e;
    if (md_cache_upsert(c, &scope, &r, &e) != MD_OK)
        printf("# upsert %s %s: %s\n", kind, id, e.msg);
}

static void run(struct md_cache *c, const char *exp, const char *id, const char *stage)
{
    char json[256];
    snprintf(json, sizeof json,
             "{\"info\":{\"run_id\":\"%s\",\"experiment_id\":\"%s\",\"lifecycle_stage\":\"%s\"}}",
             id, exp, stage);
    put(c, "runs", id, exp, json, 0);
}

/* A cached object's "mldeck" member as compact JSON ("" when absent) and
 * its fetch time. */
static void own(struct md_cache *c, const char *kind, const char *id, char *out, size_t n,
                long long *at)
{
    char *json = NULL;
    struct md_err e;
    out[0] = '\0';
    if (md_cache_get(c, &scope, kind, id, &json, at, &e) != MD_OK)
        return;
    cJSON *o = cJSON_Parse(json);
    char *m = o && cJSON_GetObjectItem(o, "mldeck")
                  ? cJSON_PrintUnformatted(cJSON_GetObjectItem(o, "mldeck")) : NULL;
    snprintf(out, n, "%s", m ? m : "");
    cJSON_free(m);
    cJSON_Delete(o);
    free(json);
}

static void test_run_count(struct md_cache *c)
{
    char got[256];
    struct md_err err;
    put(c, "experiments", "1", "", "{\"experiment_id\":\"1\",\"name\":\"a\"}", 1000);
    put(c, "experiments", "2", "", "{\"experiment_id\":\"2\",\"name\":\"b\"}", 2000);
    put(c, "experiments", "3", "", "{not json", 3000);
    run(c, "1", "r1", "active");
    run(c, "1", "r2", "active");
    run(c, "1", "r3", "deleted");
    run(c, "2", "r4", "active");
    long long at = 0;

    TAP_EQ_INT(md_cache_run_count_update(c, &scope, "1", false, &err), MD_OK, "update one");
    own(c, "experiments", "1", got, sizeof got, &at);
    TAP_EQ_STR(got, "{\"run_count\":2}", "two active runs; the deleted one does not count");
    TAP_EQ_INT(at, 1000, "the fetch time is the API data's, unchanged");
    own(c, "experiments", "2", got, sizeof got, &at);
    TAP_EQ_STR(got, "", "another experiment is untouched");

    TAP_EQ_INT(md_cache_run_count_update(c, &scope, "1", true, &err), MD_OK, "update, more pages");
    own(c, "experiments", "1", got, sizeof got, &at);
    TAP_EQ_STR(got, "{\"run_count\":2,\"run_count_more\":true}", "a lower bound is flagged");

    TAP_EQ_INT(md_cache_run_count_update(c, &scope, "404", false, &err), MD_OK,
               "an experiment not in the cache: nothing to do");
    TAP_EQ_INT(md_cache_run_count_update(c, &scope, "3", false, &err), MD_OK,
               "an unparseable cached experiment is left for the next refresh");

    run(c, "2", "r5", "active");
    TAP_EQ_INT(md_cache_run_count_update_all(c, &scope, &err), MD_OK, "update all");
    own(c, "experiments", "1", got, sizeof got, &at);
    TAP_EQ_STR(got, "{\"run_count\":2}", "all: experiment 1 complete again");
    own(c, "experiments", "2", got, sizeof got, &at);
    TAP_EQ_STR(got, "{\"run_count\":2}", "all: experiment 2 counted");
    TAP_EQ_INT(at, 2000, "all: fetch time unchanged");

    cJSON *fresh = cJSON_Parse("{\"experiment_id\":\"2\",\"mldeck\":{\"run_count\":99}}");
    TAP_EQ_INT(md_cache_run_count_set(c, &scope, fresh, false, &err), MD_OK, "set on an object");
    TAP_EQ_INT((long long)cJSON_GetNumberValue(cJSON_GetObjectItem(
                   cJSON_GetObjectItem(fresh, "mldeck"), "run_count")), 2,
               "set replaces a stale member");
    cJSON_Delete(fresh);

    /* the experiments table's column */
    const struct md_kind *k = md_kind_find("experiments");
    const struct md_column *col = NULL;
    for (size_t i = 0; k && i < k->ncolumns; i++)
        if (!strcmp(k->columns[i].title, "Runs"))
            col = &k->columns[i];
    TAP_OK(col && col->derived, "experiments have a derived Runs column");
    cJSON *e1 = cJSON_Parse("{\"mldeck\":{\"run_count\":1000,\"run_count_more\":true}}");
    cJSON *e2 = cJSON_Parse("{\"mldeck\":{\"run_count\":7}}");
    cJSON *e3 = cJSON_Parse("{}");
    char cell[32];
    md_kind_format(k, col, e1, 0, cell, sizeof cell, NULL);
    TAP_EQ_STR(cell, "1000+", "lower bound shown with +");
    md_kind_format(k, col, e2, 0, cell, sizeof cell, NULL);
    TAP_EQ_STR(cell, "7", "complete count");
    md_kind_format(k, col, e3, 0, cell, sizeof cell, NULL);
    TAP_EQ_STR(cell, "-", "runs never listed: unknown");
    cJSON_Delete(e1);
    cJSON_Delete(e2);
    cJSON_Delete(e3);

}

static void test_set(void)
{
    struct md_err err;
    char *s;
    cJSON *p = cJSON_Parse("{\"PipelineName\":\"p\",\"LastExecutionTime\":100.5,"
                           "\"mldeck\":{\"last_execution\":{\"status\":\"Old\"}}}");
    cJSON *summary = cJSON_Parse(
        "{\"PipelineExecutionArn\":\"arn:x/execution/e1\",\"StartTime\":100.5,"
        "\"PipelineExecutionStatus\":\"Failed\",\"PipelineExecutionDisplayName\":\"run-1\","
        "\"PipelineExecutionFailureReason\":\"Step failure\"}");
    TAP_EQ_INT(md_last_exec_set(p, summary, &err), MD_OK, "set from a PipelineExecutionSummary");
    s = cJSON_PrintUnformatted(cJSON_GetObjectItem(p, "mldeck"));
    TAP_EQ_STR(s, "{\"last_execution\":{\"status\":\"Failed\",\"arn\":\"arn:x/execution/e1\","
                  "\"name\":\"run-1\",\"started\":100.5,\"failure\":\"Step failure\"},"
                  "\"last_execution_for\":100.5}",
               "status, ARN, name, start, failure and the LastExecutionTime it is for");
    cJSON_free(s);
    TAP_OK(md_last_exec_settled(p), "a failed one for the current time: settled");

    cJSON *described = cJSON_Parse(
        "{\"PipelineExecutionArn\":\"arn:x/execution/e2\",\"CreationTime\":200,"
        "\"LastModifiedTime\":210,\"PipelineExecutionStatus\":\"Executing\","
        "\"FailureReason\":\"none yet\"}");
    TAP_EQ_INT(md_last_exec_set(p, described, &err), MD_OK, "set from DescribePipelineExecution");
    s = cJSON_PrintUnformatted(cJSON_GetObjectItem(cJSON_GetObjectItem(p, "mldeck"),
                                                   "last_execution"));
    TAP_EQ_STR(s, "{\"status\":\"Executing\",\"arn\":\"arn:x/execution/e2\",\"started\":200,"
                  "\"failure\":\"none yet\"}",
               "its CreationTime and FailureReason; the stale member is replaced whole");
    cJSON_free(s);
    TAP_OK(!md_last_exec_settled(p), "an executing one is not settled");

    cJSON *q = cJSON_Parse("{\"LastExecutionTime\":100.5}");
    TAP_EQ_INT(md_last_exec_set(q, summary, &err), MD_OK, "set again");
    cJSON_ReplaceItemInObject(q, "LastExecutionTime", cJSON_CreateNumber(300));
    TAP_OK(!md_last_exec_settled(q), "a later LastExecutionTime: not settled");
    cJSON_ReplaceItemInObject(q, "LastExecutionTime", cJSON_CreateNumber(100.5000000001));
    TAP_OK(md_last_exec_settled(q), "the same time within a rounding: settled");
    cJSON_DeleteItemFromObject(q, "LastExecutionTime");
    TAP_OK(!md_last_exec_settled(q), "no LastExecutionTime: not settled");
    cJSON *never = cJSON_Parse("{\"PipelineName\":\"n\"}");
    TAP_OK(!md_last_exec_settled(never), "no member: not settled");

    cJSON *to = cJSON_Parse("{\"PipelineName\":\"p\"}");
    TAP_EQ_INT(md_last_exec_carry(to, p, &err), MD_OK, "carry");
    TAP_OK(!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(
                       cJSON_GetObjectItem(cJSON_GetObjectItem(to, "mldeck"), "last_execution"),
                       "status")), "Executing"),
           "the member is copied");
    cJSON *bare = cJSON_Parse("{}");
    TAP_EQ_INT(md_last_exec_carry(bare, never, &err), MD_OK, "carry from a copy without one");
    TAP_OK(!cJSON_GetObjectItem(bare, "mldeck"), "nothing copied");

    cJSON *odd = cJSON_Parse("{\"LastExecutionTime\":1,\"mldeck\":\"not an object\"}");
    TAP_EQ_INT(md_last_exec_set(odd, summary, &err), MD_OK, "a member that is not an object");
    TAP_OK(cJSON_IsObject(cJSON_GetObjectItem(odd, "mldeck")), "is replaced by one");
    cJSON *empty = cJSON_Parse("{}");
    TAP_EQ_INT(md_last_exec_set(odd, empty, &err), MD_OK, "an execution with nothing known");
    TAP_OK(!md_last_exec_settled(odd), "is never settled");
    for (cJSON **j = (cJSON *[]){p, summary, described, q, never, to, bare, odd, empty, NULL}; *j;
         j++)
        cJSON_Delete(*j);
}

/* A rewrite callback: names the pipelines it sees; fails on "stop". */
static md_status mark(void *ctx, const struct md_cache_row *row, cJSON *obj, bool *changed,
                      struct md_err *err)
{
    (*(int *)ctx)++;
    if (!strcmp(row->id, "stop"))
        return md_err_set(err, MD_ERR_NET, "refused");
    cJSON_AddTrueToObject(obj, "seen");
    *changed = strcmp(row->id, "same") != 0;
    return MD_OK;
}

static bool has_seen(struct md_cache *c, const char *id)
{
    char *json = NULL;
    long long at;
    struct md_err e;
    bool yes = md_cache_get(c, &scope, "pipelines", id, &json, &at, &e) == MD_OK &&
               strstr(json, "\"seen\"");
    free(json);
    return yes;
}

static void test_rewrite(struct md_cache *c)
{
    struct md_err err;
    put(c, "pipelines", "a", "", "{\"PipelineName\":\"a\"}", 1000);
    put(c, "pipelines", "same", "", "{\"PipelineName\":\"same\"}", 1000);
    put(c, "pipelines", "stop", "", "{\"PipelineName\":\"stop\"}", 1000);
    put(c, "pipelines", "z", "", "{\"PipelineName\":\"z\"}", 1000);
    int calls = 0;
    md_err_clear(&err);
    md_status st = md_cache_rewrite_kind(c, &scope, "pipelines", mark, &calls, &err);
    TAP_EQ_INT(st, MD_ERR_NET, "a callback's error is the pass's");
    TAP_OK(strstr(err.msg, "refused") != NULL, "with its message");
    TAP_EQ_INT(calls, 3, "and stops the pass");
    TAP_OK(has_seen(c, "a"), "what it changed before is written");
    TAP_OK(!has_seen(c, "same"), "what it left unchanged is not");
    TAP_OK(!has_seen(c, "z"), "nothing after the error");
    long long at = 0;
    char *json = NULL;
    md_cache_get(c, &scope, "pipelines", "a", &json, &at, &err);
    free(json);
    TAP_EQ_INT(at, 1000, "the fetch time is unchanged");
    for (const char *const *id = (const char *const[]){"a", "same", "stop", "z", NULL}; *id; id++)
        md_cache_delete(c, &scope, "pipelines", *id, &err);
}

static void test_from_cache(struct md_cache *c)
{
    struct md_err err;
    char got[600];
    long long at = 0;
    put(c, "pipelines", "p", "", "{\"PipelineName\":\"p\",\"LastExecutionTime\":300}", 1000);
    put(c, "pipelines", "never", "", "{\"PipelineName\":\"never\"}", 2000);
    put(c, "pipelines", "broken", "", "{\"PipelineName\":\"broken\",", 3000);
    put(c, "pipeline-executions", "arn:e1", "p",
        "{\"PipelineExecutionArn\":\"arn:e1\",\"CreationTime\":100,"
        "\"PipelineExecutionStatus\":\"Succeeded\"}", 0);
    put(c, "pipeline-executions", "arn:e3", "p",
        "{\"PipelineExecutionArn\":\"arn:e3\",\"CreationTime\":300,"
        "\"PipelineExecutionStatus\":\"Executing\"}", 0);
    put(c, "pipeline-executions", "arn:e2", "p",
        "{\"PipelineExecutionArn\":\"arn:e2\",\"CreationTime\":200,"
        "\"PipelineExecutionStatus\":\"Failed\",\"FailureReason\":\"boom\"}", 0);
    put(c, "pipeline-executions", "arn:other", "q",
        "{\"PipelineExecutionArn\":\"arn:other\",\"CreationTime\":900,"
        "\"PipelineExecutionStatus\":\"Stopped\"}", 0);

    TAP_EQ_INT(md_cache_last_exec_update(c, &scope, "p", &err), MD_OK, "update one");
    own(c, "pipelines", "p", got, sizeof got, &at);
    TAP_EQ_STR(got, "{\"last_execution\":{\"status\":\"Executing\",\"arn\":\"arn:e3\","
                    "\"started\":300},\"last_execution_for\":300}",
               "from its newest cached execution, not another pipeline's");
    TAP_EQ_INT(at, 1000, "the fetch time is the API data's, unchanged");
    TAP_EQ_INT(md_cache_last_exec_update(c, &scope, "never", &err), MD_OK,
               "a pipeline without cached executions");
    own(c, "pipelines", "never", got, sizeof got, &at);
    TAP_EQ_STR(got, "", "is left alone");
    TAP_EQ_INT(md_cache_last_exec_update(c, &scope, "404", &err), MD_OK,
               "a pipeline not cached: nothing to do");
    TAP_EQ_INT(md_cache_last_exec_update(c, &scope, "broken", &err), MD_OK,
               "an unparseable cached pipeline is left for the next refresh");

    put(c, "pipeline-executions", "arn:e3", "p",
        "{\"PipelineExecutionArn\":\"arn:e3\",\"CreationTime\":300,"
        "\"PipelineExecutionStatus\":\"Stopped\"}", 0);
    TAP_EQ_INT(md_cache_last_exec_update_all(c, &scope, &err), MD_OK, "update all");
    own(c, "pipelines", "p", got, sizeof got, &at);
    TAP_OK(strstr(got, "\"Stopped\"") != NULL, "all: the newest one's new status");
    own(c, "pipelines", "never", got, sizeof got, &at);
    TAP_EQ_STR(got, "", "all: the pipeline never run has none");
    TAP_EQ_INT(at, 2000, "all: fetch time unchanged");
}

static void test_column(void)
{
    const struct md_kind *k = md_kind_find("pipelines");
    const struct md_column *col = md_kind_column_by_title(k, "Last status");
    TAP_OK(col && col->derived && col->fmt == MD_FMT_STATUS,
           "pipelines have a derived, coloured Last status column");
    if (!col)
        return;
    cJSON *p = cJSON_Parse("{\"mldeck\":{\"last_execution\":{\"status\":\"Failed\"}}}");
    cJSON *never = cJSON_Parse("{}");
    char cell[32];
    enum md_tone tone = MD_TONE_NONE;
    md_kind_format(k, col, p, 0, cell, sizeof cell, &tone);
    TAP_EQ_STR(cell, "Failed", "the status word");
    TAP_EQ_INT(tone, MD_TONE_FAIL, "in the failure colour");
    md_kind_format(k, col, never, 0, cell, sizeof cell, NULL);
    TAP_EQ_STR(cell, "-", "never run: -");
    TAP_EQ_STR(k->columns[k->sort_column].title, "Last run", "sorted by the last run");
    cJSON_Delete(p);
    cJSON_Delete(never);
}

int main(void)
{
    char dir[] = "/tmp/mldeck-derived-XXXXXX", db[300];
    if (!mkdtemp(dir))
        return 1;
    snprintf(db, sizeof db, "%s/cache.db", dir);
    struct md_cache *c = NULL;
    struct md_err err;
    if (md_cache_open(db, &c, &err) != MD_OK) {
        printf("Bail out! %s\n", err.msg);
        return 1;
    }
    test_run_count(c);
    test_set();
    test_rewrite(c);
    test_from_cache(c);
    test_column();
    md_cache_close(c);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", dir);
    return tap_done();
}
