/* The demo provider: refreshes come from the demo files (with the shift the
 * cache was loaded with), actions are refused. */
#include <stdbool.h>
#include <time.h>

#include "kind/kind.h"
#include "local/demo.h"

static bool demo_handles(const struct md_provider *p, const char *kind)
{
    (void)p;
    return md_kind_find(kind) != NULL;
}

static md_status demo_refresh(const struct md_provider *p, struct md_worker *w, const char *kind,
                              const char *parent, struct md_err *err)
{
    (void)p;
    struct md_cache *cache = md_worker_cache(w);
    const struct md_scope *scope = md_worker_scope(w);
    const char *dir = md_demo_dir();
    double shift;
    md_status st = md_demo_shift(cache, scope, dir, time(NULL), &shift, err);
    if (st != MD_OK)
        return st;
    /* "" and NULL both mean every parent of a top-level listing */
    const char *only = parent && parent[0] ? parent : NULL;
    return md_demo_load_kind(cache, scope, dir, kind, only, shift, NULL, err);
}

static md_status demo_action(const struct md_provider *p, struct md_worker *w, const char *kind,
                             const char *id, const char *action, const cJSON *params,
                             cJSON **result, struct md_err *err)
{
    (void)p;
    (void)w;
    (void)id;
    (void)params;
    if (result)
        *result = NULL;
    return md_demo_refuse(kind, action, err);
}

static const struct md_provider demo_provider = {
    .name = "demo",
    .handles = demo_handles,
    .refresh = demo_refresh,
    .action = demo_action,
    .state = NULL,
};

const struct md_provider *md_demo_provider(void)
{
    return &demo_provider;
}
