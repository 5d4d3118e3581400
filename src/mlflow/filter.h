/* MLflow's search-filter and order-by language, parsed and evaluated by
 * mldeck itself: the CLI and the `F` prompt check an expression before any
 * request is sent (a bad one gets a clear error with its column), and the
 * file store (src/local/mlruns) is searched with the same grammar.
 *
 *   filter  := clause { AND clause }
 *   clause  := ident cmp value
 *   ident   := [type "."] key       key: name | `any text` | "any text"
 *   type    := metrics|metric | params|param|parameters|parameter | tags|tag
 *            | attributes|attribute|attr|run | datasets|dataset   (none = attribute)
 *   cmp     := = != < <= > >= | LIKE ILIKE | IN ( 'a', ... ) | NOT IN ( ... )
 *   value   := number (metrics, numeric attributes) | 'text' | "text"
 *
 * Semantics follow MLflow 2.x: metrics and start_time/end_time/created
 * compare as numbers (NaN compares false except !=); params, tags and the
 * string attributes as exact strings; LIKE is case-sensitive with % and _,
 * ILIKE is not; a run without the key never matches.  Keys with '/' or '-'
 * (Ultralytics' `metrics/mAP50B`) must be backticked. */
#ifndef MD_MLFLOW_FILTER_H
#define MD_MLFLOW_FILTER_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

enum md_mlf_entity { MD_MLF_METRIC, MD_MLF_PARAM, MD_MLF_TAG, MD_MLF_ATTR, MD_MLF_DATASET };

enum md_mlf_cmp {
    MD_MLF_EQ, MD_MLF_NE, MD_MLF_LT, MD_MLF_LE, MD_MLF_GT, MD_MLF_GE,
    MD_MLF_LIKE, MD_MLF_ILIKE, MD_MLF_IN, MD_MLF_NOT_IN
};

/* What the expression searches: the valid attributes differ. */
enum md_mlf_target { MD_MLF_RUNS, MD_MLF_EXPERIMENTS, MD_MLF_MODELS };

struct md_mlf_clause {
    enum md_mlf_entity entity;
    char *key;              /* unquoted; attributes canonical ("created" -> "start_time") */
    enum md_mlf_cmp cmp;
    bool numeric;           /* compare num, else str / list */
    double num;
    char *str;
    char **list;            /* IN / NOT IN */
    size_t nlist;
    size_t column;          /* 1-based column of the clause in the text */
};

struct md_mlf_filter {
    struct md_mlf_clause *v;
    size_t n;
};

/* Parses text (NULL or blank = match everything).  On error fills err with
 * MD_ERR_INVALID and a message that names the column and what was expected,
 * e.g. "filter column 9: ...".  out is empty on error; free with
 * md_mlf_filter_free in every case. */
md_status md_mlf_filter_parse(const char *text, enum md_mlf_target target,
                              struct md_mlf_filter *out, struct md_err *err);
void md_mlf_filter_free(struct md_mlf_filter *f);

/* run: an MLflow Run object ({"info":..., "data":{"metrics","params","tags"}}). */
bool md_mlf_match_run(const struct md_mlf_filter *f, const cJSON *run);
/* exp: an MLflow Experiment object (name, creation_time, tags...). */
bool md_mlf_match_experiment(const struct md_mlf_filter *f, const cJSON *exp);
/* SQL LIKE with % and _ (icase: ASCII case-insensitive). */
bool md_mlf_like(const char *pattern, const char *s, bool icase);

struct md_mlf_order {
    enum md_mlf_entity entity;
    char *key;
    bool asc;
};

struct md_mlf_order_by {
    struct md_mlf_order *v;
    size_t n;
};

/* Parses order-by clauses like "metrics.`metrics/mAP50B` DESC",
 * "attributes.start_time", "params.lr0 ASC". */
md_status md_mlf_order_parse(const char *const *clauses, size_t n, enum md_mlf_target target,
                             struct md_mlf_order_by *out, struct md_err *err);
void md_mlf_order_free(struct md_mlf_order_by *o);

/* Orders runs as MLflow's tracking server does: for each clause, runs with
 * a value first (in the clause's direction), then NaN, then missing; then
 * start_time DESC (unless ordered by it already), then run_id.  runs is an
 * array of pointers sorted in place. */
void md_mlf_sort_runs(const struct md_mlf_order_by *o, const cJSON **runs, size_t n);
/* Experiments: default creation_time DESC, then experiment_id (numeric). */
void md_mlf_sort_experiments(const struct md_mlf_order_by *o, const cJSON **exps, size_t n);

/* A run's value for (entity, key): metrics as numbers (NaN for "NaN"),
 * others as strings.  Returns false when the run has no such value. */
bool md_mlf_run_value(const cJSON *run, enum md_mlf_entity e, const char *key, bool *numeric,
                      double *num, const char **str);

#endif
