/* Rewriting the cached objects of one kind in place: for mldeck's own
 * members of them (cache/run_count.h, cache/last_exec.h). */
#ifndef MD_CACHE_REWRITE_H
#define MD_CACHE_REWRITE_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "cache/cache.h"

/* Called with each row and a parse of its JSON, which it may change
 * (*changed = true to have it written back).  An error stops the pass. */
typedef md_status (*md_cache_rewrite_fn)(void *ctx, const struct md_cache_row *row, cJSON *obj,
                                         bool *changed, struct md_err *err);

/* Reads every row of kind, calls fn on each (rows whose JSON does not
 * parse are skipped), then writes the changed ones back, all at once, with
 * their fetch times unchanged (the header's age is about the service's
 * data, not mldeck's).  The cache is not locked while fn runs: it may
 * query the cache or call a service.  What fn changed before an error of
 * its own is still written. */
md_status md_cache_rewrite_kind(struct md_cache *c, const struct md_scope *s, const char *kind,
                                md_cache_rewrite_fn fn, void *ctx, struct md_err *err);

/* The same for one object of a top-level kind: an object not cached, or
 * whose JSON does not parse, is left alone (MD_OK). */
md_status md_cache_rewrite_one(struct md_cache *c, const struct md_scope *s, const char *kind,
                               const char *id, md_cache_rewrite_fn fn, void *ctx,
                               struct md_err *err);

#endif
