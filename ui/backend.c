#include "ui/backend.h"

#include <stdio.h>
#include <string.h>

#include "local/demo.h"

static void cache_warning(struct md_backend *be)
{
    const char *w = md_cache_warning(be->cache);
    if (w && *w)
        snprintf(be->warning, sizeof be->warning, "%s", w);
}

static bool open_demo(const struct md_settings *s, struct md_backend *be, char *why, size_t n)
{
    (void)s;
    struct md_err err;
    /* The same fresh demo cache the CLI's --demo opens ($XDG_CACHE_HOME/
     * mldeck/demo.db, rebuilt from data/demo), never the real cache. */
    if (md_demo_open(NULL, &be->cache, &err) != MD_OK) {
        char line[700];
        snprintf(why, n, "demo workspace: %s", md_err_line(&err, line, sizeof line));
        return false;
    }
    be->scope.profile = MD_DEMO_PROFILE;
    be->scope.region = MD_DEMO_REGION;
    be->providers[0] = md_demo_provider();
    be->providers[1] = NULL;
    return true;
}

bool md_backend_open(const struct md_settings *s, struct md_backend *be, char *why, size_t n)
{
    memset(be, 0, sizeof *be);
    struct md_err err;
    if (s->demo) {
        if (!open_demo(s, be, why, n))
            return false;
    } else {
        if (md_cache_open(s->cache_path[0] ? s->cache_path : NULL, &be->cache, &err) != MD_OK) {
            char line[700];
            snprintf(why, n, "cache: %s", md_err_line(&err, line, sizeof line));
            return false;
        }
        be->scope.profile = s->profile;
        be->scope.region = s->region;
        /* The AWS and MLflow providers plug in here as they land. */
        snprintf(be->not_configured, sizeof be->not_configured, "AWS (SageMaker, S3), MLflow%s",
                 s->mlflow_uri[0] ? "" : " (no MLFLOW_TRACKING_URI)");
    }
    cache_warning(be);
    if (be->providers[0]) {
        struct md_sync_config cfg = {
            .workers = s->workers > 0 ? s->workers : 3,
            .cache_path = md_cache_file(be->cache),
            .scope = be->scope,
            .providers = be->providers,
        };
        if (md_sync_start(&cfg, &be->sync, &err) != MD_OK) {
            char line[700];
            snprintf(be->warning, sizeof be->warning, "sync: %s (showing cached rows only)",
                     md_err_line(&err, line, sizeof line));
            be->sync = NULL;
        }
    }
    return true;
}

void md_backend_close(struct md_backend *be)
{
    if (be->sync)
        md_sync_stop(be->sync);
    be->sync = NULL;
    if (be->cache)
        md_cache_close(be->cache);
    be->cache = NULL;
}
