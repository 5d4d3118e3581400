/* The experiments' run counts mldeck keeps in the cache (cache/run_count.h):
 * active runs only, the lower-bound flag, the fetch time left alone, an
 * experiment not cached or not parseable left alone, every experiment at
 * once; and how the experiments table formats the column ("12", "12+"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* The experiment's "mldeck" member as compact JSON ("" when absent) and its fetch time. */
static void own(struct md_cache *c, const char *id, char *out, size_t n, long long *at)
{
    char *json = NULL;
    struct md_err e;
    out[0] = '\0';
    if (md_cache_get(c, &scope, "experiments", id, &json, at, &e) != MD_OK)
        return;
    cJSON *o = cJSON_Parse(json);
    char *m = o && cJSON_GetObjectItem(o, "mldeck")
                  ? cJSON_PrintUnformatted(cJSON_GetObjectItem(o, "mldeck")) : NULL;
    snprintf(out, n, "%s", m ? m : "");
    cJSON_free(m);
    cJSON_Delete(o);
    free(json);
}

int main(void)
{
    char dir[] = "/tmp/mldeck-runcount-XXXXXX", db[300], got[256];
    if (!mkdtemp(dir))
        return 1;
    snprintf(db, sizeof db, "%s/cache.db", dir);
    struct md_cache *c = NULL;
    struct md_err err;
    if (md_cache_open(db, &c, &err) != MD_OK) {
        printf("Bail out! %s\n", err.msg);
        return 1;
    }
    put(c, "experiments", "1", "", "{\"experiment_id\":\"1\",\"name\":\"a\"}", 1000);
    put(c, "experiments", "2", "", "{\"experiment_id\":\"2\",\"name\":\"b\"}", 2000);
    put(c, "experiments", "3", "", "{not json", 3000);
    run(c, "1", "r1", "active");
    run(c, "1", "r2", "active");
    run(c, "1", "r3", "deleted");
    run(c, "2", "r4", "active");
    long long at = 0;

    TAP_EQ_INT(md_cache_run_count_update(c, &scope, "1", false, &err), MD_OK, "update one");
    own(c, "1", got, sizeof got, &at);
    TAP_EQ_STR(got, "{\"run_count\":2}", "two active runs; the deleted one does not count");
    TAP_EQ_INT(at, 1000, "the fetch time is the API data's, unchanged");
    own(c, "2", got, sizeof got, &at);
    TAP_EQ_STR(got, "", "another experiment is untouched");

    TAP_EQ_INT(md_cache_run_count_update(c, &scope, "1", true, &err), MD_OK, "update, more pages");
    own(c, "1", got, sizeof got, &at);
    TAP_EQ_STR(got, "{\"run_count\":2,\"run_count_more\":true}", "a lower bound is flagged");

    TAP_EQ_INT(md_cache_run_count_update(c, &scope, "404", false, &err), MD_OK,
               "an experiment not in the cache: nothing to do");
    TAP_EQ_INT(md_cache_run_count_update(c, &scope, "3", false, &err), MD_OK,
               "an unparseable cached experiment is left for the next refresh");

    run(c, "2", "r5", "active");
    TAP_EQ_INT(md_cache_run_count_update_all(c, &scope, &err), MD_OK, "update all");
    own(c, "1", got, sizeof got, &at);
    TAP_EQ_STR(got, "{\"run_count\":2}", "all: experiment 1 complete again");
    own(c, "2", got, sizeof got, &at);
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

    md_cache_close(c);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", dir);
    return tap_done();
}
