/* A workspace: what one run of mldeck reads and talks to — the cache, the
 * account scope, the providers that refresh it, and (for the screen) the
 * sync workers.  `--demo` opens the demo cache with the demo provider;
 * otherwise the SageMaker provider serves when AWS resolves (profile,
 * region) and the MLflow provider when a tracking URI is set.  The screen
 * and the CLI both open one, so they see the same rows. */
#ifndef MD_APP_WORKSPACE_H
#define MD_APP_WORKSPACE_H

#include <stdbool.h>

#include "aws/client.h"
#include "aws/sagemaker.h"
#include "cache/cache.h"
#include "net/awsenv.h"
#include "sync/sync.h"
#include "util/settings.h"

enum {
    MD_WS_SYNC = 1,         /* start the sync workers (the screen) */
    MD_WS_NEED_AWS = 2,     /* fail when AWS cannot be resolved (AWS commands) */
    MD_WS_LATER_CACHE = 4,  /* leave the cache to md_workspace_open_cache (a CLI
                             * listing opens it while its first page comes) */
};

struct md_mfa_broker;

struct md_workspace {
    const struct md_settings *settings;
    struct md_mfa_broker *mfa;              /* MD_WS_SYNC: MFA codes asked on the screen */
    bool demo;
    /* No sync workers: the cache has one connection, and a new cache file
     * is built aside and published at close (MD_CACHE_SOLE). */
    bool sole;
    struct md_cache *cache;
    struct md_scope scope;
    char profile[128];
    char region[64];
    struct md_aws_env *aws;                 /* NULL: AWS not configured (see aws_err) */
    struct md_err aws_err;
    struct md_sm_provider_state sm_state;
    struct md_provider sm_provider;
    struct md_provider *mlflow;             /* NULL: no tracking URI */
    const struct md_provider *providers[8]; /* NULL-terminated, tried in order */
    struct md_sync *sync;                   /* MD_WS_SYNC and at least one provider */
    char not_configured[256];               /* "AWS (no region), MLflow" */
    char warning[512];                      /* one line for the operator, "" if none */
};

md_status md_workspace_open(const struct md_settings *s, unsigned flags, struct md_workspace *ws,
                            struct md_err *err);
void md_workspace_close(struct md_workspace *ws);

/* Opens the cache of a workspace opened with MD_WS_LATER_CACHE (a no-op
 * when it is open).  Its warning, if any, goes to ws->warning. */
md_status md_workspace_open_cache(struct md_workspace *ws, struct md_err *err);

/* The provider that serves kind, or NULL. */
const struct md_provider *md_workspace_provider(const struct md_workspace *ws, const char *kind);

/* A client for an AWS service on worker w (the worker's CURL handle and
 * cancel flag).  Without AWS: MD_ERR_UNSUPPORTED "<what> needs AWS, which is
 * not configured". */
md_status md_workspace_aws_client(const struct md_workspace *ws, struct md_worker *w,
                                  const char *service, const char *what,
                                  struct md_aws_client *cl, struct md_endpoint *ep,
                                  struct md_http_opts *http, struct md_err *err);

#endif
