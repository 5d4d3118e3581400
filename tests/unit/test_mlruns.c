/* The file store's parsers: the meta.yaml subset reader and the metric-file
 * reader, with good and bad input; path safety of run ids, keys and
 * artifact paths.  (The whole-store comparison is
 * tests/mlflow/test_mlruns_store.py.) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "local/mlruns.h"
#include "local/mlruns_yaml.h"
#include "util/json.h"

static cJSON *yaml(const char *text)
{
    cJSON *j = NULL;
    struct md_err err;
    if (md_mlruns_yaml_parse(text, strlen(text), "t", &j, &err) != MD_OK)
        printf("#   %s\n", err.msg);
    return j;
}

static void yaml_bad(const char *text, const char *want)
{
    cJSON *j = NULL;
    struct md_err err;
    md_err_clear(&err);
    md_status st = md_mlruns_yaml_parse(text, strlen(text), "meta.yaml", &j, &err);
    TAP_OK(st == MD_ERR_PARSE && j == NULL && strstr(err.msg, want), "bad yaml: %s", want);
    if (st != MD_ERR_PARSE || !strstr(err.msg, want))
        printf("#   got %s: %s\n", md_status_name(st), err.msg);
    cJSON_Delete(j);
}

static cJSON *metrics(const char *text, md_status *st, struct md_err *err)
{
    cJSON *arr = cJSON_CreateArray();
    *st = md_mlruns_parse_metric_file(text, strlen(text), "k", "m", arr, err);
    return arr;
}

int main(void)
{
    /* --- YAML subset --- */
    cJSON *j = yaml("artifact_location: file:///x/mlruns/0\n"
                    "creation_time: 1795681888352\n"
                    "experiment_id: '149368310442547869'\n"
                    "lifecycle_stage: active\n"
                    "name: Default\n");
    TAP_EQ_STR(md_json_str(j, "$.experiment_id", ""), "149368310442547869", "quoted id stays a string");
    TAP_OK(md_json_num(j, "$.creation_time", 0) == 1795681888352.0, "timestamp is a number");
    TAP_EQ_STR(md_json_str(j, "$.artifact_location", ""), "file:///x/mlruns/0", "colon in value");
    cJSON_Delete(j);

    j = yaml("aliases:\n  champion: '1'\n  challenger: \"2\"\ncurrent_stage: None\n"
             "description: null\nrun_link:\ntags: []\nx: {}\nok: true\n");
    TAP_EQ_STR(md_json_str(j, "$.aliases.champion", ""), "1", "nested mapping");
    TAP_EQ_STR(md_json_str(j, "$.aliases.challenger", ""), "2", "double-quoted");
    TAP_EQ_STR(md_json_str(j, "$.current_stage", ""), "None", "None is a string");
    TAP_OK(cJSON_IsNull(md_json_get(j, "$.description")), "null");
    TAP_OK(cJSON_IsNull(md_json_get(j, "$.run_link")), "empty value is null");
    TAP_OK(cJSON_IsArray(md_json_get(j, "$.tags")) && cJSON_GetArraySize(md_json_get(j, "$.tags")) == 0, "[]");
    TAP_OK(cJSON_IsObject(md_json_get(j, "$.x")), "{}");
    TAP_OK(cJSON_IsTrue(md_json_get(j, "$.ok")), "true");
    cJSON_Delete(j);

    j = yaml("a: 'it''s'\nb: \"tab\\there \\u00e9\"\nc: 123456789012345678\nd: -1.5e3\n"
             "e: plain text # comment\nf: long plain\n  continued here\n"
             "g: 'quoted\n  over lines'\nh: |\n  line1\n  line2\nlist:\n- one\n- 'two'\n"
             "\"quoted key\": v\n---\n");
    TAP_EQ_STR(md_json_str(j, "$.a", ""), "it's", "'' escape");
    TAP_EQ_STR(md_json_str(j, "$.b", ""), "tab\there \xc3\xa9", "double-quote escapes");
    TAP_EQ_STR(md_json_str(j, "$.c", ""), "123456789012345678", "18-digit int stays exact (string)");
    TAP_OK(md_json_num(j, "$.d", 0) == -1500, "float");
    TAP_EQ_STR(md_json_str(j, "$.e", ""), "plain text", "comment stripped");
    TAP_EQ_STR(md_json_str(j, "$.f", ""), "long plain continued here", "folded plain");
    TAP_EQ_STR(md_json_str(j, "$.g", ""), "quoted over lines", "folded quoted");
    TAP_EQ_STR(md_json_str(j, "$.h", ""), "line1\nline2\n", "literal block");
    TAP_EQ_STR(md_json_str(j, "$.list[1]", ""), "two", "block list");
    TAP_EQ_STR(md_json_str(j, "$.\"quoted key\"", ""), "v", "quoted key");
    cJSON_Delete(j);

    j = yaml("");
    TAP_OK(j && cJSON_GetArraySize(j) == 0, "empty file is an empty mapping");
    cJSON_Delete(j);
    j = yaml("a: 1\r\nb: 2\r\n");
    TAP_OK(md_json_num(j, "$.b", 0) == 2, "CRLF");
    cJSON_Delete(j);

    yaml_bad("a: 'open", "line 1: unterminated single-quoted");
    yaml_bad("a: 1\n   b: 2\n", "line 2: unexpected indentation");
    yaml_bad("just text\n", "line 1: expected 'key: value'");
    yaml_bad("a: &anchor 1\n", "unsupported YAML");
    yaml_bad("a: [1, 2]\n", "unsupported YAML");
    yaml_bad("a: \"\\q\"\n", "unknown escape");
    yaml_bad("a: \"\\u12\"\n", "short \\u escape");
    yaml_bad("\ta: 1\n", "tab in indentation");
    yaml_bad("a: 'x' y\n", "text after the closing quote");
    yaml_bad("- a\n", "a list item where a key was expected");
    yaml_bad(": v\n", "empty key");
    {
        char deep[2000] = "";
        for (int i = 0; i < 40; i++) {
            char line[80];
            snprintf(line, sizeof line, "%*sk%d:\n", i * 2, "", i);
            strcat(deep, line);
        }
        strcat(deep, "                                                                                  v: 1\n");
        yaml_bad(deep, "nested too deeply");
    }
    {
        const char nul[] = "a: x\0y\n";
        cJSON *o = NULL;
        struct md_err err;
        TAP_OK(md_mlruns_yaml_parse(nul, sizeof nul - 1, "n", &o, &err) == MD_ERR_PARSE,
               "NUL byte refused");
        cJSON_Delete(o);
    }

    /* --- metric files --- */
    md_status st;
    struct md_err err;
    cJSON *a = metrics("1795595555353 0.07 0\n1795595602353 nan 1\n1795595649353 inf 2\n"
                       "1795595649354 -inf 3\n\n1795595649355 1e-3\n", &st, &err);
    TAP_OK(st == MD_OK && cJSON_GetArraySize(a) == 5, "five points, blank line skipped");
    TAP_OK(md_json_num(a, "$[0].value", 0) == 0.07 && md_json_num(a, "$[0].timestamp", 0) ==
           1795595555353.0 && md_json_num(a, "$[0].step", -1) == 0, "first point");
    TAP_EQ_STR(md_json_str(a, "$[1].value", ""), "NaN", "nan -> \"NaN\"");
    TAP_EQ_STR(md_json_str(a, "$[2].value", ""), "Infinity", "inf -> \"Infinity\"");
    TAP_EQ_STR(md_json_str(a, "$[3].value", ""), "-Infinity", "-inf");
    TAP_OK(md_json_num(a, "$[4].step", -1) == 0, "two fields: step 0");
    TAP_EQ_STR(md_json_str(a, "$[4].key", ""), "k", "key set");
    cJSON_Delete(a);
    const char *bads[][2] = {
        {"abc 0.5 1\n", "line 1: bad timestamp"},
        {"1 zz 1\n", "line 1: bad value"},
        {"1 0.5 1.5\n", "line 1: bad step"},
        {"1 0.5 2\n1\n", "line 2: expected"},
        {"1 0.5 2 4\n", "line 1: expected"},
        {"1 0x10 2\n", "bad value"},
        {"99999999999999999999 1 1\n", "bad timestamp"},
    };
    for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++) {
        md_err_clear(&err);
        a = metrics(bads[i][0], &st, &err);
        TAP_OK(st == MD_ERR_PARSE && strstr(err.msg, bads[i][1]), "bad metric file: %s", bads[i][1]);
        cJSON_Delete(a);
    }

    /* --- path safety --- */
    const char *shared = getenv("MLDECK_SHARED");
    char root[4096];
    snprintf(root, sizeof root, "%s/fixtures/mlruns", shared ? shared : "/nonexistent");
    struct md_mlruns *m;
    if (md_mlruns_open(root, &m, &err) != MD_OK) {
        tap_diag("no fixture store: %s", err.msg);
        return tap_done();
    }
    cJSON *o = NULL;
    TAP_EQ_INT(md_mlruns_run(m, "../0", &o, &err), MD_ERR_NOTFOUND, "run id with ../ refused");
    TAP_EQ_INT(md_mlruns_run(m, "..", &o, &err), MD_ERR_NOTFOUND, "run id .. refused");
    TAP_EQ_INT(md_mlruns_metric_history(m, "175e05e146af4985877964eb4dcf2527", "../meta.yaml", &o, &err),
               MD_ERR_INVALID, "metric key with .. refused");
    TAP_EQ_INT(md_mlruns_metric_history(m, "175e05e146af4985877964eb4dcf2527", "/etc/passwd", &o, &err),
               MD_ERR_INVALID, "absolute metric key refused");
    TAP_EQ_INT(md_mlruns_artifacts(m, "175e05e146af4985877964eb4dcf2527", "../../..", &o, &err),
               MD_ERR_INVALID, "artifact path with .. refused");
    TAP_EQ_INT(md_mlruns_experiment(m, "models", &o, &err), MD_ERR_NOTFOUND, "models is no experiment");
    TAP_EQ_INT(md_mlruns_run(m, "0123456789abcdef0123456789abcdef", &o, &err), MD_ERR_NOTFOUND,
               "unknown run");
    TAP_OK(strstr(err.msg, "Run with id=0123456789abcdef0123456789abcdef not found") != NULL,
           "MLflow's wording for an unknown run");
    TAP_EQ_INT(md_mlruns_metric_history(m, "175e05e146af4985877964eb4dcf2527", "no/such", &o, &err),
               MD_OK, "unknown key: ok");
    TAP_OK(o && cJSON_GetArraySize(o) == 0, "unknown key: empty history");
    cJSON_Delete(o);
    TAP_EQ_INT(md_mlruns_artifacts(m, "175e05e146af4985877964eb4dcf2527", "weights/", &o, &err),
               MD_ERR_INVALID, "trailing slash refused");
    TAP_EQ_INT(md_mlruns_artifacts(m, "175e05e146af4985877964eb4dcf2527", "eval", &o, &err),
               MD_OK, "artifacts/list eval");
    TAP_EQ_STR(md_json_str(o, "$.files[0].path", ""), "eval/eval_summary.json",
               "paths relative to the artifact root");
    cJSON_Delete(o);
    TAP_OK(md_mlruns_is_local_uri("file:///x") && md_mlruns_is_local_uri("./mlruns") &&
           !md_mlruns_is_local_uri("http://h:5000") &&
           !md_mlruns_is_local_uri("arn:aws:sagemaker:us-east-1:1:mlflow-tracking-server/x"),
           "local URI detection");
    md_mlruns_close(m);
    TAP_EQ_INT(md_mlruns_open("file:///nonexistent/mlruns", &m, &err), MD_ERR_NOTFOUND,
               "missing store");
    return tap_done();
}
