/* The MLflow client's pure parts: page tokens as MLflow makes them, the
 * Authorization header MLflow's own client would send for the environment,
 * tracking-URI classification, and local validation that fails before any
 * request (the network paths are tests/mlflow/test_cli_server.py). */
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "mlflow/client.h"
#include "util/json.h"

int main(void)
{
    /* page tokens */
    char *t = md_mlflow_page_token(2);
    TAP_EQ_STR(t, "eyJvZmZzZXQiOiAyfQ==", "token for offset 2 = the recorded server's");
    long off = -1;
    TAP_OK(md_mlflow_page_offset(t, &off) && off == 2, "decodes back");
    free(t);
    t = md_mlflow_page_token(1000);
    TAP_OK(md_mlflow_page_offset(t, &off) && off == 1000, "offset 1000 round trip");
    free(t);
    TAP_OK(md_mlflow_page_offset(NULL, &off) && off == 0, "no token = offset 0");
    const char *bad[] = {"garbage", "eyJvZmZzZXQiOiAt", "eyJvZmZzZXQiOiAtMX0=", "e30=",
                         "bm90IGpzb24=", "eyJvZmZzZXQiOiAxLjV9", "====", "a=bc"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        TAP_OK(!md_mlflow_page_offset(bad[i], &off), "bad token %s refused", bad[i]);

    /* Authorization: Basic wins over a token, as MLflow's client */
    char h[512];
    unsetenv("MLFLOW_TRACKING_USERNAME");
    unsetenv("MLFLOW_TRACKING_PASSWORD");
    unsetenv("MLFLOW_TRACKING_TOKEN");
    md_mlflow_auth_header(h, sizeof h);
    TAP_EQ_STR(h, "", "no credentials: no header");
    setenv("MLFLOW_TRACKING_TOKEN", "dapi-test-token-123", 1);
    md_mlflow_auth_header(h, sizeof h);
    TAP_EQ_STR(h, "Bearer dapi-test-token-123", "token: Bearer");
    setenv("MLFLOW_TRACKING_USERNAME", "ayoub", 1);
    md_mlflow_auth_header(h, sizeof h);
    TAP_EQ_STR(h, "Bearer dapi-test-token-123", "user without password: still Bearer");
    setenv("MLFLOW_TRACKING_PASSWORD", "s3cr3t:pw", 1);
    md_mlflow_auth_header(h, sizeof h);
    TAP_EQ_STR(h, "Basic YXlvdWI6czNjcjN0OnB3", "user + password (+ token): Basic, colon kept");
    unsetenv("MLFLOW_TRACKING_TOKEN");
    unsetenv("MLFLOW_TRACKING_USERNAME");
    unsetenv("MLFLOW_TRACKING_PASSWORD");

    /* URIs */
    struct md_err err;
    struct md_mlflow *m = NULL;
    TAP_EQ_INT(md_mlflow_open("", NULL, &m, &err), MD_ERR_INVALID, "no URI");
    TAP_OK(strstr(err.msg, "MLFLOW_TRACKING_URI") != NULL, "no URI: says how to set one");
    TAP_EQ_INT(md_mlflow_open("http://127.0.0.1:5000/", NULL, &m, &err), MD_OK, "http URI");
    TAP_EQ_INT(md_mlflow_backend(m), MD_MLFLOW_REST, "REST backend");
    TAP_EQ_STR(md_mlflow_base_url(m), "http://127.0.0.1:5000", "trailing slash dropped");

    /* validation before any request: nothing listens on :5000, so a
     * request would fail with MD_ERR_NET, not MD_ERR_INVALID */
    struct md_mlflow_search q = {.filter = "metrics.a/b > 1"};
    const char *ids[] = {"1"};
    q.experiment_ids = ids;
    q.nexperiments = 1;
    cJSON *page = NULL;
    TAP_EQ_INT(md_mlflow_search_runs(m, &q, &page, &err), MD_ERR_INVALID, "bad filter");
    TAP_OK(page == NULL && strstr(err.msg, "backticked"), "bad filter: %s", err.msg);
    q.filter = NULL;
    q.view_type = "SOME";
    TAP_EQ_INT(md_mlflow_search_runs(m, &q, &page, &err), MD_ERR_INVALID, "bad view type");
    q.view_type = NULL;
    q.max_results = 100000;
    TAP_EQ_INT(md_mlflow_search_runs(m, &q, &page, &err), MD_ERR_INVALID, "max_results too big");
    q.max_results = 0;
    q.nexperiments = 0;
    TAP_EQ_INT(md_mlflow_search_runs(m, &q, &page, &err), MD_ERR_INVALID, "no experiment ids");
    const char *order[] = {"name DESC"};
    struct md_mlflow_search eq = {.order_by = order, .norder = 1, .filter = "name = x"};
    TAP_EQ_INT(md_mlflow_search_experiments(m, &eq, &page, &err), MD_ERR_INVALID,
               "experiment filter checked too");
    TAP_EQ_INT(md_mlflow_get_run(m, "", &page, &err), MD_ERR_INVALID, "empty run id");
    TAP_EQ_INT(md_mlflow_metric_history(m, "r", "", &page, &err), MD_ERR_INVALID, "empty key");
    TAP_EQ_INT(md_mlflow_requests_sent(m), 0, "nothing was sent");
    md_mlflow_close(m);

    TAP_EQ_INT(md_mlflow_open("arn:aws:sagemaker:us-east-1:123:training-job/x", NULL, &m, &err),
               MD_ERR_INVALID, "ARN of something else");
    TAP_OK(strstr(err.msg, "mlflow-tracking-server/NAME") != NULL, "ARN error shows the form");
    TAP_EQ_INT(md_mlflow_open("arn:aws:sagemaker::123:mlflow-tracking-server/x", NULL, &m, &err),
               MD_ERR_INVALID, "ARN without a region");
    TAP_EQ_INT(md_mlflow_open("gopher://x", NULL, &m, &err), MD_ERR_UNSUPPORTED, "other scheme");
    TAP_EQ_INT(md_mlflow_open("/nonexistent/mlruns", NULL, &m, &err), MD_ERR_NOTFOUND,
               "missing file store");
    const char *shared = getenv("MLDECK_SHARED");
    if (shared) {
        char uri[4096];
        snprintf(uri, sizeof uri, "file://%s/fixtures/mlruns", shared);
        if (md_mlflow_open(uri, NULL, &m, &err) == MD_OK) {
            TAP_EQ_INT(md_mlflow_backend(m), MD_MLFLOW_FILE, "file: URI is a file store");
            struct md_mlflow_search aq = {.view_type = MD_MLFLOW_ALL, .max_results = 2};
            TAP_EQ_INT(md_mlflow_search_experiments(m, &aq, &page, &err), MD_OK, "local search");
            TAP_EQ_STR(md_json_str(page, "$.next_page_token", ""), "eyJvZmZzZXQiOiAyfQ==",
                       "local paging hands out MLflow-style tokens");
            cJSON_Delete(page);
            aq.page_token = "garbage";
            TAP_EQ_INT(md_mlflow_search_experiments(m, &aq, &page, &err), MD_ERR_INVALID,
                       "bad local page token");
            cJSON *e = NULL;
            TAP_EQ_INT(md_mlflow_find_experiment(m, "drone-detection-yolo11", &e, &err), MD_OK,
                       "find by name");
            TAP_EQ_STR(md_json_str(e, "$.experiment_id", ""), "775704356759393566", "its id");
            cJSON_Delete(e);
            TAP_EQ_INT(md_mlflow_find_experiment(m, "775704356759393566", &e, &err), MD_OK,
                       "find by id");
            cJSON_Delete(e);
            TAP_EQ_INT(md_mlflow_find_experiment(m, "nope", &e, &err), MD_ERR_NOTFOUND,
                       "unknown experiment");
            md_mlflow_close(m);
        }
    }
    return tap_done();
}
