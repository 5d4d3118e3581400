/* Everything an AWS caller needs, resolved once from the settings: the
 * config files, the profile, the region, the credential provider and the
 * endpoint of each service.  Thread-safe to read after md_aws_env_open;
 * share one per process (workers call md_creds_get on env->creds).
 *
 *     struct md_aws_env *env;
 *     if (md_aws_env_open(settings, NULL, &env, &err) != MD_OK) ...
 *     struct md_aws_target t; struct md_endpoint ep;
 *     if (md_aws_env_target(env, "sagemaker", &t, &ep, &err) != MD_OK) ...
 *     ... md_aws_send(curl, &req, &t, ...) with req.url = ep.url + "/"
 *     md_aws_env_free(env);
 */
#ifndef MD_NET_AWSENV_H
#define MD_NET_AWSENV_H

#include "net/awsconfig.h"
#include "net/creds.h"
#include "net/endpoint.h"
#include "net/region.h"
#include "net/retry.h"
#include "util/err.h"
#include "util/settings.h"

struct md_aws_env {
    struct md_awsconfig *cfg;
    struct md_profile_choice profile;
    struct md_region region;        /* name "" when none was found */
    struct md_err region_err;       /* why, when region.name is "" */
    struct md_creds_provider *creds;
    char endpoint_flag[512];        /* --endpoint-url */
    char ca_bundle[1024];           /* AWS_CA_BUNDLE / profile ca_bundle; "" = system:
                                     * pass as md_http_opts.ca_bundle when set */
    struct md_retry_cfg retry;      /* AWS_RETRY_MODE/AWS_MAX_ATTEMPTS, else the profile's
                                     * retry_mode/max_attempts */
};

/* Loads the files and builds the provider; asks IMDS for the region only
 * when nothing else sets one.  Fails on a malformed file, an unknown
 * profile or contradictory credential settings; a missing region is not
 * an error here (md_aws_env_region reports it).  o may be NULL; insecure
 * and debug are taken from s. */
md_status md_aws_env_open(const struct md_settings *s, const struct md_creds_opts *o,
                          struct md_aws_env **out, struct md_err *err);
void md_aws_env_free(struct md_aws_env *env);

/* The region, or MD_ERR_NOTFOUND with the message saying how to set one. */
md_status md_aws_env_region(const struct md_aws_env *env, const char **region,
                            struct md_err *err);
md_status md_aws_env_endpoint(const struct md_aws_env *env, const char *service,
                              struct md_endpoint *ep, struct md_err *err);
/* Fills t (service, region, get_creds = md_creds_get on env->creds) and
 * ep for one service.  t points into ep and env: keep both alive. */
md_status md_aws_env_target(const struct md_aws_env *env, const char *service,
                            struct md_aws_target *t, struct md_endpoint *ep, struct md_err *err);

/* A key of the profile in effect (credentials file first), or NULL. */
const char *md_aws_env_get(const struct md_aws_env *env, const char *key);
/* A nested key of the profile: md_aws_env_get_sub(env, "s3", "addressing_style")
 * for "s3 =\n  addressing_style = path"; NULL when unset. */
const char *md_aws_env_get_sub(const struct md_aws_env *env, const char *key, const char *subkey);
/* S3 addressing: "path", "virtual" or "auto" (the profile's
 * s3.addressing_style; anything else is "auto"). */
const char *md_aws_env_s3_addressing(const struct md_aws_env *env);

#endif
