#include "app/workspace.h"

#include <stdio.h>
#include <string.h>

#include "local/demo.h"
#include "mlflow/provider.h"
#include "cli/cli.h"
#include "net/http.h"
#include "net/mfa_broker.h"

static void note(char *buf, size_t n, const char *what)
{
    size_t len = strlen(buf);
    snprintf(buf + len, n - len, "%s%s", len ? ", " : "", what);
}

static md_status open_account(const struct md_settings *s, unsigned flags,
                              struct md_workspace *ws, struct md_err *err)
{
    md_http_global_init();
    /* The screen asks for an MFA code in a dialog: a worker that needs one
     * hands the question over through the broker and waits. */
    struct md_creds_opts co = {0};
    if ((flags & MD_WS_SYNC) && (ws->mfa = md_mfa_broker_new())) {
        co.mfa_prompt = md_mfa_broker_prompt;
        co.mfa_ctx = ws->mfa;
    } else if (!(flags & MD_WS_SYNC)) {
        co.mfa_prompt = md_cli_mfa_prompt;   /* the CLI asks on the terminal */
    }
    if (md_aws_env_open(s, &co, &ws->aws, &ws->aws_err) == MD_OK) {
        const char *region = NULL;
        if (md_aws_env_region(ws->aws, &region, &ws->aws_err) == MD_OK) {
            snprintf(ws->region, sizeof ws->region, "%s", region);
        } else {
            md_aws_env_free(ws->aws);
            ws->aws = NULL;
        }
    } else {
        md_aws_env_free(ws->aws);
        ws->aws = NULL;
    }
    if (!ws->aws && (flags & MD_WS_NEED_AWS)) {
        *err = ws->aws_err;
        return err->code;
    }
    if (ws->aws) {
        snprintf(ws->profile, sizeof ws->profile, "%s", ws->aws->profile.name);
        ws->sm_state = (struct md_sm_provider_state){ws->aws, s};
        md_sm_provider_init(&ws->sm_provider, &ws->sm_state);
    } else {
        snprintf(ws->profile, sizeof ws->profile, "%s", s->profile);
        snprintf(ws->region, sizeof ws->region, "%s", s->region);
        char line[640], what[700];
        snprintf(what, sizeof what, "AWS (%s)", md_err_line(&ws->aws_err, line, sizeof line));
        note(ws->not_configured, sizeof ws->not_configured, what);
    }
    if (s->mlflow_uri[0]) {
        struct md_err merr;
        if (md_mlflow_provider_new(s, &ws->mlflow, &merr) != MD_OK) {
            char line[640];
            snprintf(ws->warning, sizeof ws->warning, "MLflow: %s", md_err_line(&merr, line, sizeof line));
            ws->mlflow = NULL;
        } else {
            md_mlflow_provider_set_mfa(ws->mlflow, co.mfa_prompt, co.mfa_ctx);
        }
    }
    if (!ws->mlflow)
        note(ws->not_configured, sizeof ws->not_configured,
             s->mlflow_uri[0] ? "MLflow" : "MLflow (no MLFLOW_TRACKING_URI)");
    if ((flags & MD_WS_LATER_CACHE) && !(flags & MD_WS_SYNC))
        return MD_OK;
    return md_workspace_open_cache(ws, err);
}

md_status md_workspace_open_cache(struct md_workspace *ws, struct md_err *err)
{
    if (ws->cache)
        return MD_OK;
    const struct md_settings *s = ws->settings;
    md_status st = md_cache_open_flags(s->cache_path[0] ? s->cache_path : NULL,
                                       ws->sole ? MD_CACHE_SOLE : 0, &ws->cache, err);
    const char *w = st == MD_OK ? md_cache_warning(ws->cache) : NULL;
    if (w && *w && !ws->warning[0])
        snprintf(ws->warning, sizeof ws->warning, "%s", w);
    return st;
}

md_status md_workspace_open(const struct md_settings *s, unsigned flags, struct md_workspace *ws,
                            struct md_err *err)
{
    memset(ws, 0, sizeof *ws);
    ws->settings = s;
    ws->demo = s->demo;
    ws->sole = !(flags & MD_WS_SYNC);
    md_status st;
    if (s->demo) {
        /* A fresh copy of data/demo, never the operator's own cache. */
        st = md_demo_open(NULL, &ws->cache, err);
        snprintf(ws->profile, sizeof ws->profile, "%s", MD_DEMO_PROFILE);
        snprintf(ws->region, sizeof ws->region, "%s", MD_DEMO_REGION);
    } else {
        st = open_account(s, flags, ws, err);
    }
    if (st != MD_OK) {
        md_workspace_close(ws);
        return st;
    }
    ws->scope = (struct md_scope){ws->profile, ws->region};
    const char *w = ws->cache ? md_cache_warning(ws->cache) : NULL;
    if (w && *w && !ws->warning[0])
        snprintf(ws->warning, sizeof ws->warning, "%s", w);

    size_t n = 0;
    if (s->demo)
        ws->providers[n++] = md_demo_provider();
    if (ws->aws)
        ws->providers[n++] = &ws->sm_provider;
    if (ws->mlflow)
        ws->providers[n++] = ws->mlflow;
    ws->providers[n] = NULL;

    /* Workers even with no provider: the inference pane and other views'
     * own jobs (MD_JOB_CALL) run on them. */
    if (flags & MD_WS_SYNC) {
        struct md_sync_config cfg = {
            .workers = s->workers > 0 ? s->workers : 3,
            .cache_path = md_cache_file(ws->cache),
            .scope = ws->scope,
            .providers = ws->providers,
        };
        struct md_err serr;
        if (md_sync_start(&cfg, &ws->sync, &serr) != MD_OK) {
            char line[640];
            snprintf(ws->warning, sizeof ws->warning, "sync: %s (showing cached rows only)",
                     md_err_line(&serr, line, sizeof line));
            ws->sync = NULL;
        }
    }
    return MD_OK;
}

void md_workspace_close(struct md_workspace *ws)
{
    if (ws->sync)
        md_sync_stop(ws->sync);
    ws->sync = NULL;
    if (ws->mlflow)
        md_mlflow_provider_free(ws->mlflow);
    ws->mlflow = NULL;
    if (ws->cache)
        md_cache_close(ws->cache);
    ws->cache = NULL;
    md_aws_env_free(ws->aws);
    ws->aws = NULL;
    md_mfa_broker_free(ws->mfa);   /* after the workers: none can be waiting */
    ws->mfa = NULL;
}

const struct md_provider *md_workspace_provider(const struct md_workspace *ws, const char *kind)
{
    for (size_t i = 0; ws->providers[i]; i++)
        if (ws->providers[i]->handles(ws->providers[i], kind))
            return ws->providers[i];
    return NULL;
}

md_status md_workspace_aws_client(const struct md_workspace *ws, struct md_worker *w,
                                  const char *service, const char *what,
                                  struct md_aws_client *cl, struct md_endpoint *ep,
                                  struct md_http_opts *http, struct md_err *err)
{
    if (!ws->aws)
        return md_err_set(err, MD_ERR_UNSUPPORTED, "%s needs AWS, which is not configured", what);
    return md_aws_client_init(cl, ws->aws, ws->settings, service, md_worker_curl(w),
                              md_worker_cancelled_cb, w, ep, http, err);
}
