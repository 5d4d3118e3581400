/* MLflow's API has no run count per experiment, and operators want one in
 * the experiments list.  mldeck keeps its own in each cached experiment,
 * counted from the active runs it has cached, in a member of its own:
 *
 *   "mldeck": {"run_count": 12, "run_count_more": true}
 *
 * run_count_more is there when the tracking server holds pages of runs not
 * fetched yet (the count is then a lower bound, shown "12+").  The member is
 * absent while the experiment's runs were never listed.  The CLI's --json
 * prints the API's own pages, never this member. */
#ifndef MD_CACHE_RUN_COUNT_H
#define MD_CACHE_RUN_COUNT_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "cache/cache.h"

/* Sets the member on exp (an MLflow Experiment object about to be cached). */
md_status md_cache_run_count_set(struct md_cache *c, const struct md_scope *s, cJSON *exp,
                                 bool more, struct md_err *err);

/* Recounts one cached experiment (exp_id) and writes it back; an experiment
 * not in the cache is left alone (MD_OK). */
md_status md_cache_run_count_update(struct md_cache *c, const struct md_scope *s,
                                    const char *exp_id, bool more, struct md_err *err);

/* Recounts every cached experiment, all runs known (the demo, file stores). */
md_status md_cache_run_count_update_all(struct md_cache *c, const struct md_scope *s,
                                        struct md_err *err);

#endif
