/* The demo workspace: `mldeck --demo` without any AWS or MLflow account.
 *
 * data/demo/ holds one file per kind (<kind>.json, written by
 * data/demo/generate.py) whose rows are objects exactly as the real APIs
 * return them, and manifest.json with the anchor time the data was
 * generated around.  At start-up md_demo_load_all() copies every row into
 * a fresh demo cache, shifting every timestamp by (now - anchor) in the
 * encoding of its API (SageMaker epoch seconds, MLflow epoch milliseconds,
 * S3 ISO 8601 strings) so the workspace always looks like today.  The demo
 * provider then answers refreshes from the same files (same shift, kept in
 * the cache's meta table) and refuses every action with MD_ERR_DEMO. */
#ifndef MD_LOCAL_DEMO_H
#define MD_LOCAL_DEMO_H

#include <stddef.h>
#include <time.h>

#include "cache/cache.h"
#include "sync/sync.h"
#include "util/err.h"

/* The scope the demo's rows live in (ARNs in the files use this region). */
#define MD_DEMO_PROFILE "demo"
#define MD_DEMO_REGION "eu-west-1"

struct md_demo_stats {
    size_t rows;          /* rows written */
    size_t kinds;         /* kind files read */
    double shift_s;       /* seconds added to every timestamp */
};

/* Loads data/demo (under md_data_dir()) into cache for scope, timestamps
 * shifted to now, and records the shift in the cache's meta table
 * ("demo.shift_s") for later refreshes.  Meant for a fresh demo cache;
 * rows already there are replaced. */
md_status md_demo_load_all(struct md_cache *cache, const struct md_scope *scope,
                           struct md_err *err);

/* Opens a fresh demo cache at path (NULL: $XDG_CACHE_HOME/mldeck/demo.db):
 * an old file and its -wal/-shm/-journal are removed first, then the
 * workspace is loaded for scope {MD_DEMO_PROFILE, MD_DEMO_REGION}.  The
 * caller closes *out with md_cache_close.  What the UI and the CLI's
 * --demo both use. */
md_status md_demo_open(const char *path, struct md_cache **out, struct md_err *err);

/* The same from an explicit folder and reference time (tests, benches);
 * stats may be NULL. */
md_status md_demo_load_dir(struct md_cache *cache, const struct md_scope *scope,
                           const char *dir, time_t now, struct md_demo_stats *stats,
                           struct md_err *err);

/* One kind's rows (only those of parent unless it is NULL) with the given
 * shift; when parent is given, cached rows of (kind, parent) that are not in
 * the file are pruned, as after a complete listing.  A kind without a file
 * loads nothing.  *nrows (may be NULL) receives the count. */
md_status md_demo_load_kind(struct md_cache *cache, const struct md_scope *scope,
                            const char *dir, const char *kind, const char *parent,
                            double shift_s, size_t *nrows, struct md_err *err);

/* The parser under md_demo_load_kind, on the bytes of a <kind>.json file:
 * each row of parent (every row when NULL), shifted, goes to fn with its
 * cache id, parent and compact JSON (valid during the call; non-zero stops
 * with MD_ERR_CANCELLED).  Malformed input is MD_ERR_PARSE, never a crash
 * (tests/fuzz/fuzz_demo.c). */
typedef int (*md_demo_row_fn)(void *ctx, const char *id, const char *parent, const char *json);
md_status md_demo_parse_rows(const char *kind, const char *text, size_t len, const char *parent,
                             double shift_s, md_demo_row_fn fn, void *ctx, struct md_err *err);

/* The shift a cache was loaded with (meta "demo.shift_s"), else now - the
 * manifest's anchor. */
md_status md_demo_shift(struct md_cache *cache, const struct md_scope *scope, const char *dir,
                        time_t now, double *shift_s, struct md_err *err);

/* The folder the demo files are read from: "<md_data_dir()>/demo". */
const char *md_demo_dir(void);

/* One CloudWatch Logs event: the stream's short name (after "<job>/"),
 * epoch ms and the message; non-zero stops (the same shape as
 * md_log_event_fn in aws/logs.h, so one callback serves both). */
typedef int (*md_demo_log_fn)(void *ctx, const char *stream, long long ts_ms, const char *msg);

/* The demo's logs of a job in log group `group` ("/aws/sagemaker/TrainingJobs"):
 * every event of its streams, oldest first per stream, shifted like the
 * cache (cache may be NULL: now - anchor).  A job the demo has no logs for
 * yields no events and MD_OK. */
md_status md_demo_job_logs(struct md_cache *cache, const struct md_scope *scope,
                           const char *group, const char *job, md_demo_log_fn fn, void *ctx,
                           struct md_err *err);

/* A Model Monitor report of a demo monitoring execution, by the execution's
 * ProcessingJobArn and file name ("statistics.json",
 * "constraint_violations.json"): *json_out is the file's JSON text
 * (malloc'd, caller frees).  MD_ERR_NOTFOUND when the execution wrote no
 * such file (a clean run has no constraint_violations.json). */
md_status md_demo_monitoring_report(const char *processing_job_arn, const char *name,
                                    char **json_out, struct md_err *err);

/* The demo provider (static, never freed): handles every kind in the table,
 * refresh reloads that kind's rows of one parent (NULL = all) from the
 * files, action fails with MD_ERR_DEMO:
 *   "the demo workspace cannot <label>; run without --demo to use your AWS account" */
const struct md_provider *md_demo_provider(void);

/* The MD_ERR_DEMO refusal for an action of a kind, in the words above
 * (the CLI and the UI use it before even queueing a job). */
md_status md_demo_refuse(const char *kind, const char *action, struct md_err *err);

#endif
