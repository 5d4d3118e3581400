/* Reader of MLflow's local file store (the `mlruns` folder that MLflow and
 * Ultralytics write by default).  Everything comes back in exactly the JSON
 * shapes of MLflow's REST API 2.0 (Experiment, Run, Metric, RegisteredModel,
 * ModelVersion, FileInfo), so every backend prints and caches alike.
 *
 * Layout read:
 *   <root>/<exp_id>/meta.yaml, tags/<key>           experiments
 *   <root>/.trash/<exp_id>/...                      deleted experiments
 *   <root>/<exp_id>/<run_id>/meta.yaml              run info (status as an int)
 *   .../params/<key>, tags/<key>                    one file per value, no newline;
 *                                                   keys with '/' are subfolders
 *   .../metrics/<key>                               "timestamp value step" lines, NaN as nan
 *   .../artifacts/                                  the run's artifacts (meta's
 *                                                   artifact_uri is never trusted)
 *   <root>/models/<name>/meta.yaml, tags/, aliases/, version-N/meta.yaml, tags/
 *
 * Read-only and thread-compatible (one md_mlruns per thread, or guarded). */
#ifndef MD_LOCAL_MLRUNS_H
#define MD_LOCAL_MLRUNS_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

struct md_mlruns;

/* uri: "file:///abs/mlruns", "file:relative", or a plain path.
 * MD_ERR_NOTFOUND when it is not a folder. */
md_status md_mlruns_open(const char *uri, struct md_mlruns **out, struct md_err *err);
void md_mlruns_close(struct md_mlruns *m);
const char *md_mlruns_root(const struct md_mlruns *m);
/* True when uri names a local store (file: or a path) rather than a server. */
bool md_mlruns_is_local_uri(const char *uri);

/* All experiments as a cJSON array of Experiment objects (caller frees),
 * in no particular order.  include_deleted adds the ones in .trash. */
md_status md_mlruns_experiments(struct md_mlruns *m, bool include_deleted, cJSON **out,
                                struct md_err *err);
/* One experiment (active or deleted); MD_ERR_NOTFOUND if absent. */
md_status md_mlruns_experiment(struct md_mlruns *m, const char *id, cJSON **out,
                               struct md_err *err);

/* Every run of experiment exp_id (deleted runs too: lifecycle_stage says),
 * each a Run object with info, data.metrics (latest value per key, as
 * MLflow picks it: highest step, then timestamp, then value), data.params,
 * data.tags and "inputs": {}.  Array owned by the caller. */
md_status md_mlruns_runs(struct md_mlruns *m, const char *exp_id, cJSON **out,
                         struct md_err *err);
/* One run by id, looked up in every experiment (and .trash). */
md_status md_mlruns_run(struct md_mlruns *m, const char *run_id, cJSON **out,
                        struct md_err *err);

/* A metric's history: array of Metric objects {key, value, timestamp, step}
 * in file order; value is a number, or "NaN" / "Infinity" / "-Infinity" as
 * MLflow's JSON writes them.  An unknown key gives an empty array. */
md_status md_mlruns_metric_history(struct md_mlruns *m, const char *run_id, const char *key,
                                   cJSON **out, struct md_err *err);

/* Parses one metric file's bytes (appending Metric objects to arr).  The
 * fuzzed entry point; name is for messages. */
md_status md_mlruns_parse_metric_file(const char *data, size_t len, const char *key,
                                      const char *name, cJSON *arr, struct md_err *err);

/* Registered models (RegisteredModel objects with latest_versions, tags,
 * aliases) and their versions (ModelVersion objects with aliases); name
 * NULL lists the versions of every model. */
md_status md_mlruns_registered_models(struct md_mlruns *m, cJSON **out, struct md_err *err);
md_status md_mlruns_model_versions(struct md_mlruns *m, const char *name, cJSON **out,
                                   struct md_err *err);

/* artifacts/list: {"root_uri", "files": [{path, is_dir, file_size}]} for
 * path ("" = root) under the run's artifacts folder. */
md_status md_mlruns_artifacts(struct md_mlruns *m, const char *run_id, const char *path,
                              cJSON **out, struct md_err *err);

/* MLflow's run status names by FileStore number (1 RUNNING ... 5 KILLED). */
const char *md_mlruns_status_name(int status);

#endif
