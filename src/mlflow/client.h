/* One MLflow tracking backend, whichever the tracking URI names:
 *
 *   http(s)://host[:port][/prefix]   a tracking server (REST API 2.0)
 *   arn:aws:sagemaker:REGION:ACCT:mlflow-tracking-server/NAME
 *                                    a SageMaker-managed server: its URL from
 *                                    DescribeMlflowTrackingServer, every call
 *                                    SigV4-signed as sagemaker-mlflow
 *   file:///path, file:path, a path  a local file store (mlruns folder),
 *                                    searched by mldeck itself
 *
 * Every answer is the JSON MLflow's REST API returns for that call (the
 * caller frees it), so the CLI's --json, the cache and the screen see the
 * same field names for every backend.  Filters and order-by clauses are
 * parsed locally first (mlflow/filter.h): a bad one fails with a clear
 * error before anything is sent.
 *
 * Environment (as MLflow's own client):
 *   MLFLOW_TRACKING_TOKEN            Authorization: Bearer TOKEN
 *   MLFLOW_TRACKING_USERNAME/PASSWORD  Authorization: Basic ... (wins over the token)
 *   MLFLOW_TRACKING_INSECURE_TLS     true: no certificate verification
 *   MLFLOW_TRACKING_SERVER_CERT_PATH CA bundle (PEM) for the server
 *   MLFLOW_HTTP_REQUEST_MAX_RETRIES  retries on 429/5xx/connection errors (default 5)
 *   MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR  seconds, doubled per retry (default 2)
 *   MLFLOW_HTTP_REQUEST_TIMEOUT      seconds per request (default 120)
 *
 * Not thread-safe: one md_mlflow per thread (a sync worker opens its own
 * and hands it its CURL handle). */
#ifndef MD_MLFLOW_CLIENT_H
#define MD_MLFLOW_CLIENT_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "net/creds.h"
#include "util/err.h"
#include "util/settings.h"

enum md_mlflow_backend { MD_MLFLOW_REST, MD_MLFLOW_SAGEMAKER, MD_MLFLOW_FILE };

struct md_mlflow;

/* uri NULL or "" = settings->mlflow_uri.  settings supplies --insecure,
 * --debug and, for SageMaker, the AWS profile, region and endpoint.
 * Nothing is sent here except, for a SageMaker ARN, the Describe call. */
md_status md_mlflow_open(const char *uri, const struct md_settings *settings,
                         struct md_mlflow **out, struct md_err *err);
/* The same, with who asks for an MFA code when the AWS profile of a
 * SageMaker tracking server needs one (the CLI's terminal prompt, the
 * TUI's broker; NULL = such a profile fails with a clear error). */
md_status md_mlflow_open_mfa(const char *uri, const struct md_settings *settings,
                             md_mfa_prompt_fn mfa_prompt, void *mfa_ctx,
                             struct md_mlflow **out, struct md_err *err);
void md_mlflow_close(struct md_mlflow *m);

enum md_mlflow_backend md_mlflow_backend(const struct md_mlflow *m);
/* "http://127.0.0.1:5000", "file store /home/u/mlruns",
 * "SageMaker tracking server NAME (https://...)". */
const char *md_mlflow_describe(const struct md_mlflow *m);
/* Base URL of the REST server (also the SageMaker one); "" for a file store. */
const char *md_mlflow_base_url(const struct md_mlflow *m);

/* A worker passes its CURL handle (kept, not owned) and cancel flag. */
void md_mlflow_set_curl(struct md_mlflow *m, void *curl);
void md_mlflow_set_cancel(struct md_mlflow *m, bool (*cancelled)(void *ctx), void *ctx);

/* How many HTTP requests were sent (every attempt counts); tests and the
 * benchmark read it. */
unsigned long md_mlflow_requests_sent(const struct md_mlflow *m);

/* View types as MLflow spells them. */
#define MD_MLFLOW_ACTIVE_ONLY "ACTIVE_ONLY"
#define MD_MLFLOW_DELETED_ONLY "DELETED_ONLY"
#define MD_MLFLOW_ALL "ALL"

struct md_mlflow_search {
    const char *filter;                 /* NULL = none */
    const char *const *order_by;        /* "metrics.`m` DESC", ... */
    size_t norder;
    const char *view_type;              /* NULL = ACTIVE_ONLY */
    int max_results;                    /* required by the server: 0 = 1000 */
    const char *page_token;             /* NULL = first page */
    const char *const *experiment_ids;  /* runs only */
    size_t nexperiments;
};

/* experiments/search: {"experiments": [...], "next_page_token": "..."}
 * (either may be absent, as MLflow leaves empty fields out). */
md_status md_mlflow_search_experiments(struct md_mlflow *m, const struct md_mlflow_search *q,
                                       cJSON **page, struct md_err *err);
/* experiments/get and get-by-name: the Experiment object. */
md_status md_mlflow_get_experiment(struct md_mlflow *m, const char *id, cJSON **exp,
                                   struct md_err *err);
md_status md_mlflow_get_experiment_by_name(struct md_mlflow *m, const char *name, cJSON **exp,
                                           struct md_err *err);
/* NAME_OR_ID: an id if one exists with that id, else by name. */
md_status md_mlflow_find_experiment(struct md_mlflow *m, const char *name_or_id, cJSON **exp,
                                    struct md_err *err);

/* runs/search (POST): {"runs": [...], "next_page_token": "..."}. */
md_status md_mlflow_search_runs(struct md_mlflow *m, const struct md_mlflow_search *q,
                                cJSON **page, struct md_err *err);
/* runs/get: the Run object. */
md_status md_mlflow_get_run(struct md_mlflow *m, const char *run_id, cJSON **run,
                            struct md_err *err);
/* metrics/get-history, every page: an array of Metric objects
 * {key, value, timestamp, step} (value a number or "NaN"). */
md_status md_mlflow_metric_history(struct md_mlflow *m, const char *run_id, const char *key,
                                   cJSON **metrics, struct md_err *err);

/* registered-models/search: {"registered_models": [...], "next_page_token"}. */
md_status md_mlflow_search_registered_models(struct md_mlflow *m,
                                             const struct md_mlflow_search *q, cJSON **page,
                                             struct md_err *err);
/* model-versions/search: {"model_versions": [...], "next_page_token"}. */
md_status md_mlflow_search_model_versions(struct md_mlflow *m, const struct md_mlflow_search *q,
                                          cJSON **page, struct md_err *err);
/* artifacts/list: {"root_uri", "files": [{path, is_dir, file_size}]}. */
md_status md_mlflow_list_artifacts(struct md_mlflow *m, const char *run_id, const char *path,
                                   cJSON **resp, struct md_err *err);

/* ---- model sources: registry lookups and artifact downloads ---- */

/* model-versions/get and registered-models/alias: the ModelVersion object
 * (caller frees).  A file store answers from its models/ folder. */
md_status md_mlflow_get_model_version(struct md_mlflow *m, const char *name, const char *version,
                                      cJSON **mv, struct md_err *err);
md_status md_mlflow_get_model_version_by_alias(struct md_mlflow *m, const char *name,
                                               const char *alias, cJSON **mv, struct md_err *err);
/* model-versions/get-download-uri: where the version's files are
 * ("runs:/ID/path", "mlflow-artifacts:/...", "s3://..."); *uri malloc'd.
 * A file store answers with the version's source. */
md_status md_mlflow_get_download_uri(struct md_mlflow *m, const char *name, const char *version,
                                     char **uri, struct md_err *err);
/* The run's artifact root (runs/get's info.artifact_uri), *uri malloc'd.
 * For a file store: that URI when it exists on this machine, else the
 * run's artifacts folder inside the store (a plain path). */
md_status md_mlflow_run_artifact_root(struct md_mlflow *m, const char *run_id, char **uri,
                                      struct md_err *err);
/* The proxied artifact store (mlflow-artifacts:/PATH, a server run with
 * --artifacts-destination): GET /api/2.0/mlflow-artifacts/artifacts?path=
 * -> {"files": [{path (relative to PATH), is_dir, file_size}]}, or {} for
 * a missing or empty folder. */
md_status md_mlflow_list_proxied_artifacts(struct md_mlflow *m, const char *path, cJSON **resp,
                                           struct md_err *err);

struct md_mlflow_download_opts {
    unsigned long long max_bytes;       /* 0 = no limit; more is an error */
    void (*progress)(void *ctx, unsigned long long bytes);
    void *progress_ctx;
};
/* GET /api/2.0/mlflow-artifacts/artifacts/PATH streamed into the file dest
 * (created or truncated; removed again on any error).  o may be NULL. */
md_status md_mlflow_download_proxied_artifact(struct md_mlflow *m, const char *path,
                                              const char *dest,
                                              const struct md_mlflow_download_opts *o,
                                              unsigned long long *bytes, struct md_err *err);

/* A run's artifact through the tracking server itself (GET /get-artifact
 * ?path=&run_uuid=): for servers whose artifact root is a path on the
 * server (no proxied artifact service).  Streamed like the above. */
md_status md_mlflow_download_run_artifact(struct md_mlflow *m, const char *run_id,
                                          const char *path, const char *dest,
                                          const struct md_mlflow_download_opts *o,
                                          unsigned long long *bytes, struct md_err *err);

/* Page tokens the way MLflow makes them: base64 of {"offset": N}
 * (used for the file store; a server's tokens are passed through as they are). */
char *md_mlflow_page_token(long offset);            /* malloc'd */
bool md_mlflow_page_offset(const char *token, long *offset);

/* The Authorization header value MLflow's client would send for the
 * environment (Basic when username and password are set, else Bearer when a
 * token is, else ""), written to out. */
void md_mlflow_auth_header(char *out, size_t n);

#endif
