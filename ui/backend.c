#include "ui/backend.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/xdg.h"

#if defined(__has_include)
#if __has_include("local/demo.h")
#include "local/demo.h"
#define MD_UI_HAVE_DEMO 1
#endif
#endif

static void cache_warning(struct md_backend *be)
{
    const char *w = md_cache_warning(be->cache);
    if (w && *w)
        snprintf(be->warning, sizeof be->warning, "%s", w);
}

/* The demo gets its own cache file, rebuilt from data/demo at every start
 * so it always shows the same working day and never mixes with real rows. */
static bool open_demo(const struct md_settings *s, struct md_backend *be, char *why, size_t n)
{
#ifdef MD_UI_HAVE_DEMO
    char dir[1024], path[1100];
    struct md_err err;
    if (md_xdg_dir(MD_XDG_CACHE, dir, sizeof dir, &err) != MD_OK) {
        snprintf(why, n, "%s", err.msg);
        return false;
    }
    snprintf(path, sizeof path, "%s/demo.db", dir);
    const char *suffixes[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        char p[1200];
        snprintf(p, sizeof p, "%s%s", path, suffixes[i]);
        unlink(p);
    }
    if (md_cache_open(path, &be->cache, &err) != MD_OK) {
        char line[700];
        snprintf(why, n, "demo cache: %s", md_err_line(&err, line, sizeof line));
        return false;
    }
    be->scope.profile = MD_DEMO_PROFILE;
    be->scope.region = MD_DEMO_REGION;
    if (md_demo_load_all(be->cache, &be->scope, &err) != MD_OK) {
        char line[700];
        snprintf(be->warning, sizeof be->warning, "demo workspace: %s", md_err_line(&err, line, sizeof line));
    }
    be->providers[0] = md_demo_provider();
    be->providers[1] = NULL;
    return true;
#else
    (void)s;
    (void)be;
    snprintf(why, n, "--demo: the demo workspace is not part of this build yet");
    return false;
#endif
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
