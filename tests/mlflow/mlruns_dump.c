/* Test helper: prints everything src/local/mlruns reads from a file store as
 * one JSON document, for tests/mlflow/test_mlruns_store.py to compare with
 * an independent reading of the same folder.  Usage: mlruns_dump DIR */
#include <stdio.h>
#include <stdlib.h>

#include "local/mlruns.h"

static int fail(const struct md_err *err)
{
    fprintf(stderr, "mlruns_dump: %s\n", err->msg);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: mlruns_dump DIR\n");
        return 2;
    }
    struct md_err err;
    struct md_mlruns *m;
    if (md_mlruns_open(argv[1], &m, &err) != MD_OK)
        return fail(&err);
    cJSON *doc = cJSON_CreateObject();
    cJSON *exps, *runs_by_exp = cJSON_AddObjectToObject(doc, "runs");
    cJSON *hist = cJSON_AddObjectToObject(doc, "histories");
    if (md_mlruns_experiments(m, true, &exps, &err) != MD_OK)
        return fail(&err);
    cJSON_AddItemToObject(doc, "experiments", exps);
    const cJSON *e;
    cJSON_ArrayForEach(e, exps) {
        const char *id = cJSON_GetObjectItem(e, "experiment_id")->valuestring;
        cJSON *runs;
        if (md_mlruns_runs(m, id, &runs, &err) != MD_OK)
            return fail(&err);
        cJSON_AddItemToObject(runs_by_exp, id, runs);
        const cJSON *r;
        cJSON_ArrayForEach(r, runs) {
            const char *rid = cJSON_GetObjectItem(cJSON_GetObjectItem(r, "info"), "run_id")->valuestring;
            cJSON *one;
            if (md_mlruns_run(m, rid, &one, &err) != MD_OK)
                return fail(&err);
            if (!cJSON_Compare(one, r, 1)) {
                fprintf(stderr, "mlruns_dump: run %s differs when read alone\n", rid);
                return 1;
            }
            cJSON_Delete(one);
            cJSON *h = cJSON_AddObjectToObject(hist, rid);
            const cJSON *met;
            cJSON_ArrayForEach(met, cJSON_GetObjectItem(cJSON_GetObjectItem(r, "data"), "metrics")) {
                const char *key = cJSON_GetObjectItem(met, "key")->valuestring;
                cJSON *pts;
                if (md_mlruns_metric_history(m, rid, key, &pts, &err) != MD_OK)
                    return fail(&err);
                cJSON_AddItemToObject(h, key, pts);
            }
            cJSON *arts;
            if (md_mlruns_artifacts(m, rid, "", &arts, &err) != MD_OK)
                return fail(&err);
            cJSON_AddItemToObject(h, "@artifacts", arts);
        }
    }
    cJSON *models, *versions;
    if (md_mlruns_registered_models(m, &models, &err) != MD_OK)
        return fail(&err);
    cJSON_AddItemToObject(doc, "registered_models", models);
    if (md_mlruns_model_versions(m, NULL, &versions, &err) != MD_OK)
        return fail(&err);
    cJSON_AddItemToObject(doc, "model_versions", versions);
    char *s = cJSON_PrintUnformatted(doc);
    puts(s);
    free(s);
    cJSON_Delete(doc);
    md_mlruns_close(m);
    return 0;
}
