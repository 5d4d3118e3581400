#include "net/awsenv.h"

#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

md_status md_aws_env_open(const struct md_settings *s, const struct md_creds_opts *o,
                          struct md_aws_env **out, struct md_err *err)
{
    *out = NULL;
    struct md_aws_env *env = calloc(1, sizeof *env);
    if (!env)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    md_status st = md_awsconfig_load(&env->cfg, err);
    if (st == MD_OK) {
        md_profile_choose(s, &env->profile);
        st = md_profile_check(env->cfg, &env->profile, err);
    }
    if (st == MD_OK) {
        struct md_creds_opts co;
        memset(&co, 0, sizeof co);
        if (o)
            co = *o;
        if (s) {
            co.insecure = co.insecure || s->insecure;
            co.debug = co.debug || s->debug;
        }
        st = md_creds_provider_new(s, env->cfg, &co, &env->creds, err);
    }
    if (st != MD_OK) {
        md_aws_env_free(env);
        return st;
    }
    md_creds_ca_bundle(env->cfg, env->profile.name, env->ca_bundle, sizeof env->ca_bundle);
    struct md_err warn;
    md_err_clear(&warn);
    md_retry_cfg_resolve(&env->retry, env->cfg, env->profile.name, &warn);
    if (warn.code != MD_OK)
        md_log(MD_LOG_WARN, "retry settings: %s", warn.msg);
    if (s && s->endpoint_url[0])
        snprintf(env->endpoint_flag, sizeof env->endpoint_flag, "%s", s->endpoint_url);
    md_status rs = md_region_resolve(s, env->cfg, env->profile.name, NULL, &env->region,
                                     &env->region_err);
    if (rs == MD_ERR_INVALID) {
        *err = env->region_err;
        md_aws_env_free(env);
        return rs;
    }
    if (rs != MD_OK)
        env->region.name[0] = '\0';
    *out = env;
    return MD_OK;
}

void md_aws_env_free(struct md_aws_env *env)
{
    if (!env)
        return;
    md_creds_provider_free(env->creds);
    md_awsconfig_free(env->cfg);
    free(env);
}

md_status md_aws_env_region(const struct md_aws_env *env, const char **region,
                            struct md_err *err)
{
    if (!env->region.name[0]) {
        if (err)
            *err = env->region_err;
        return env->region_err.code ? env->region_err.code : MD_ERR_NOTFOUND;
    }
    *region = env->region.name;
    return MD_OK;
}

md_status md_aws_env_endpoint(const struct md_aws_env *env, const char *service,
                              struct md_endpoint *ep, struct md_err *err)
{
    const char *region;
    md_status st = md_aws_env_region(env, &region, err);
    if (st != MD_OK)
        return st;
    return md_endpoint_resolve(service, region, env->endpoint_flag, env->cfg, env->profile.name,
                               ep, err);
}

md_status md_aws_env_target(const struct md_aws_env *env, const char *service,
                            struct md_aws_target *t, struct md_endpoint *ep, struct md_err *err)
{
    memset(t, 0, sizeof *t);
    md_status st = md_aws_env_endpoint(env, service, ep, err);
    if (st != MD_OK)
        return st;
    t->service = ep->signing_name;
    t->region = ep->signing_region;
    t->get_creds = md_creds_get;
    t->creds_ctx = env->creds;
    t->unsigned_payload = false;
    t->content_sha256_header = !strcmp(ep->signing_name, "sagemaker-mlflow");
    return MD_OK;
}

const char *md_aws_env_get(const struct md_aws_env *env, const char *key)
{
    return md_awsconfig_get(env->cfg, env->profile.name, key, NULL);
}

const char *md_aws_env_get_sub(const struct md_aws_env *env, const char *key, const char *subkey)
{
    return md_ini_entry_sub(md_awsconfig_entry(env->cfg, env->profile.name, key, NULL), subkey);
}

const char *md_aws_env_s3_addressing(const struct md_aws_env *env)
{
    const char *v = md_aws_env_get_sub(env, "s3", "addressing_style");
    if (v && (!strcmp(v, "path") || !strcmp(v, "virtual")))
        return v;
    return "auto";
}
