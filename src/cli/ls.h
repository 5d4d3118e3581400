/* `mldeck ls KIND ...`: one dispatcher (cmd_ls.c) over per-backend listers,
 * and the output writer every lister shares, so `ls runs` and
 * `ls pipelines` print alike:
 *   table (default)  the kind's visible columns, formatted as the screen does
 *   --tsv            the same columns, raw values (epoch ms, numbers, "NaN"),
 *                    a header line, tab-separated; missing values are empty
 *   --json           a JSON array of the API's own objects, one per line
 * A lister is `int fn(struct md_cli *cli, const struct md_kind *k, int argc,
 * char **argv)` (argv[0] = the kind as typed) returning an exit code. */
#ifndef MD_CLI_LS_H
#define MD_CLI_LS_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>

#include "cli/cli.h"
#include "kind/kind.h"

enum md_ls_format { MD_LS_TABLE, MD_LS_TSV, MD_LS_JSON };

typedef int (*md_ls_fn)(struct md_cli *cli, const struct md_kind *k, int argc, char **argv);

struct md_ls_out;

/* Starts writing rows of kind k to f.  Table rows are kept until
 * md_ls_out_end (to size the columns); TSV and JSON stream. */
struct md_ls_out *md_ls_out_begin(FILE *f, const struct md_kind *k, enum md_ls_format fmt);
/* Writes one object (the API's own JSON for the kind). -1 on no memory. */
int md_ls_out_row(struct md_ls_out *o, const cJSON *obj);
/* Extra columns given by the user, as JSON paths with titles (e.g. a
 * metric or param the kind table does not show); call before any row. */
int md_ls_out_add_column(struct md_ls_out *o, const char *title, const char *path,
                         enum md_fmt fmt);
/* The same from the JSON text of one object (the cache's copy): written as
 * is for --json, parsed for the other formats.  -1 when it is not JSON. */
int md_ls_out_json_text(struct md_ls_out *o, const char *json);
long md_ls_out_rows(const struct md_ls_out *o);
/* Flushes and frees. */
void md_ls_out_end(struct md_ls_out *o);
/* After a failure: frees; a table prints nothing, a JSON array is closed
 * (so what was printed still parses). */
void md_ls_out_abort(struct md_ls_out *o);

/* Parses the shared flags --json / --tsv at argv[i]; true when it was one. */
bool md_ls_format_flag(const char *arg, enum md_ls_format *fmt);

/* MLflow listers (cmd_mlflow.c). */
int md_ls_experiments(struct md_cli *cli, const struct md_kind *k, int argc, char **argv);
int md_ls_runs(struct md_cli *cli, const struct md_kind *k, int argc, char **argv);
int md_ls_registered_models(struct md_cli *cli, const struct md_kind *k, int argc, char **argv);
int md_ls_model_versions(struct md_cli *cli, const struct md_kind *k, int argc, char **argv);

/* SageMaker listers (cmd_sagemaker.c): pipelines, pipeline-executions,
 * pipeline-steps, training-jobs, processing-jobs, labeling-jobs,
 * monitoring-schedules, monitoring-executions, endpoints, tracking-servers. */
int md_cli_ls_sagemaker(struct md_cli *cli, const struct md_kind *k, int argc, char **argv);
/* mldeck metrics training-job NAME ... (cmd_jobmetrics.c); argv[1] is the kind. */
int md_cli_training_metrics(struct md_cli *cli, int argc, char **argv);
int md_cli_describe_sagemaker(struct md_cli *cli, const struct md_kind *k, const char *id,
                              bool cached);

#endif
