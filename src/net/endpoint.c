#include "net/endpoint.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "net/region.h"

struct svc {
    const char *name;           /* mldeck's client name */
    const char *env_id;         /* AWS_ENDPOINT_URL_<env_id> */
    const char *cfg_key;        /* key inside [services NAME] */
    const char *prefix;         /* standard host prefix */
    const char *fips_prefix;
    const char *signing_name;
};

/* Service ids from each model's metadata.serviceId, upper-snake (botocore
 * utils.py); hosts from the endpoint rule sets. */
static const struct svc services[] = {
    {"sagemaker", "SAGEMAKER", "sagemaker", "api.sagemaker", "api-fips.sagemaker", "sagemaker"},
    {"s3", "S3", "s3", "s3", "s3-fips", "s3"},
    {"logs", "CLOUDWATCH_LOGS", "cloudwatch_logs", "logs", "logs-fips", "logs"},
    {"monitoring", "CLOUDWATCH", "cloudwatch", "monitoring", "monitoring-fips", "monitoring"},
    {"events", "EVENTBRIDGE", "eventbridge", "events", "events-fips", "events"},
    {"sts", "STS", "sts", "sts", "sts-fips", "sts"},
    {"sagemaker-mlflow", "SAGEMAKER_MLFLOW", "sagemaker_mlflow", NULL, NULL, "sagemaker-mlflow"},
    {"sso", "SSO", "sso", "portal.sso", "portal.sso-fips", "awsssoportal"},
};

/* What `mldeck config` lists; "sso" is left out because its region is the
 * profile's sso_region, not the session's. */
const char *const md_endpoint_services[] = {
    "sagemaker", "s3", "logs", "monitoring", "events", "sts", "sagemaker-mlflow", NULL,
};

static const struct svc *find_svc(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < sizeof services / sizeof services[0]; i++)
        if (!strcmp(services[i].name, name))
            return &services[i];
    /* Also accept the AWS service ids people type ("cloudwatch-logs"). */
    static const char *const aliases[][2] = {
        {"cloudwatch-logs", "logs"}, {"cloudwatch", "monitoring"}, {"eventbridge", "events"},
    };
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (!strcasecmp(aliases[i][0], name))
            return find_svc(aliases[i][1]);
    return NULL;
}

const char *md_endpoint_env_id(const char *service)
{
    const struct svc *s = find_svc(service);
    return s ? s->env_id : NULL;
}

static bool env_true(const char *name, bool *set)
{
    const char *v = getenv(name);
    *set = v && *v;
    return *set && md_awscfg_is_true(v);
}

/* A setting that an environment variable overrides (botocore's config
 * chain: environment first, then the profile). */
static bool setting_true(const char *env, const struct md_awsconfig *cfg, const char *profile,
                         const char *key)
{
    bool set;
    bool v = env_true(env, &set);
    if (set)
        return v;
    return cfg && profile && md_awscfg_is_true(md_awsconfig_get(cfg, profile, key, NULL));
}

static md_status take_url(struct md_endpoint *out, const char *url, const char *source,
                          struct md_err *err)
{
    const char *p = url;
    while (isspace((unsigned char)*p))
        p++;
    size_t n = strlen(p);
    while (n && isspace((unsigned char)p[n - 1]))
        n--;
    const char *host = NULL;
    if (n > 7 && !strncasecmp(p, "http://", 7))
        host = p + 7;
    else if (n > 8 && !strncasecmp(p, "https://", 8))
        host = p + 8;
    if (!host || host >= p + n || *host == '/' || *host == '?' || *host == '#')
        return md_err_set(err, MD_ERR_INVALID,
                          "invalid endpoint URL '%.*s' (from %s): expected http(s)://host[:port]",
                          (int)(n > 200 ? 200 : n), p, source);
    for (const char *q = p; q < p + n; q++)
        if ((unsigned char)*q <= ' ' || *q == '\x7f')
            return md_err_set(err, MD_ERR_INVALID, "invalid endpoint URL (from %s): contains a "
                              "space or control character", source);
    while (n > (size_t)(host - p) && p[n - 1] == '/')
        n--;
    if (n >= sizeof out->url)
        return md_err_set(err, MD_ERR_INVALID, "endpoint URL too long (from %s)", source);
    memcpy(out->url, p, n);
    out->url[n] = '\0';
    snprintf(out->source, sizeof out->source, "%s", source);
    out->custom = true;
    return MD_OK;
}

md_status md_endpoint_resolve(const char *service, const char *region, const char *flag_url,
                              const struct md_awsconfig *cfg, const char *profile,
                              struct md_endpoint *out, struct md_err *err)
{
    memset(out, 0, sizeof *out);
    const struct svc *s = find_svc(service);
    if (!s)
        return md_err_set(err, MD_ERR_INVALID, "unknown AWS service '%s'", service ? service : "");
    if (!region || !md_region_valid(region))
        return md_err_set(err, MD_ERR_INVALID, "invalid region '%s' for %s",
                          region ? region : "", s->name);
    snprintf(out->signing_name, sizeof out->signing_name, "%s", s->signing_name);
    snprintf(out->signing_region, sizeof out->signing_region, "%s", region);

    if (flag_url && *flag_url)
        return take_url(out, flag_url, "--endpoint-url", err);

    const char *v;
    char src[256];
    if (!strcmp(s->name, "sagemaker-mlflow") && (v = getenv("SAGEMAKER_MLFLOW_CUSTOM_ENDPOINT")) &&
        *v)
        return take_url(out, v, "SAGEMAKER_MLFLOW_CUSTOM_ENDPOINT", err);

    if (!setting_true("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", cfg, profile,
                      "ignore_configured_endpoint_urls")) {
        char env[96];
        snprintf(env, sizeof env, "AWS_ENDPOINT_URL_%s", s->env_id);
        if ((v = getenv(env)) && *v)
            return take_url(out, v, env, err);
        if ((v = getenv("AWS_ENDPOINT_URL")) && *v)
            return take_url(out, v, "AWS_ENDPOINT_URL", err);
        const char *svcname = cfg && profile ? md_awsconfig_get(cfg, profile, "services", NULL)
                                             : NULL;
        if (svcname && *svcname &&
            (v = md_awsconfig_services_get(cfg, svcname, s->cfg_key, "endpoint_url")) && *v) {
            snprintf(src, sizeof src, "[services %s] %s.endpoint_url in %s", svcname, s->cfg_key,
                     cfg->config_path);
            return take_url(out, v, src, err);
        }
        enum md_awscfg_file from;
        if (cfg && profile && (v = md_awsconfig_get(cfg, profile, "endpoint_url", &from)) && *v) {
            snprintf(src, sizeof src, "profile %s endpoint_url in %s", profile,
                     from == MD_AWSCFG_CONFIG ? cfg->config_path : cfg->credentials_path);
            return take_url(out, v, src, err);
        }
    }

    if (!strcmp(s->name, "sagemaker-mlflow")) {
        snprintf(out->url, sizeof out->url, "https://%s.experiments.sagemaker.aws", region);
        snprintf(out->source, sizeof out->source, "default");
        return MD_OK;
    }
    bool fips = setting_true("AWS_USE_FIPS_ENDPOINT", cfg, profile, "use_fips_endpoint");
    bool dual = setting_true("AWS_USE_DUALSTACK_ENDPOINT", cfg, profile, "use_dualstack_endpoint");
    const char *prefix = fips ? s->fips_prefix : s->prefix;
    const char *suffix = md_region_dns_suffix(region);
    if (dual) {
        const char *ds = md_region_dualstack_suffix(region);
        if (!ds)
            return md_err_set(err, MD_ERR_UNSUPPORTED,
                              "dual-stack endpoints are not available in region %s", region);
        if (!strcmp(s->name, "s3"))
            snprintf(out->url, sizeof out->url, "https://%s.dualstack.%s.%s", prefix, region,
                     suffix);
        else
            snprintf(out->url, sizeof out->url, "https://%s.%s.%s", prefix, region, ds);
    } else {
        snprintf(out->url, sizeof out->url, "https://%s.%s.%s", prefix, region, suffix);
    }
    snprintf(out->source, sizeof out->source, "default%s%s", fips ? " (FIPS)" : "",
             dual ? " (dual-stack)" : "");
    return MD_OK;
}
