#include "net/region.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/creds.h"

static const char *env_nonempty(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

void md_profile_choose(const struct md_settings *s, struct md_profile_choice *out)
{
    memset(out, 0, sizeof *out);
    const char *v;
    if (s && s->profile_from_flag && s->profile[0]) {
        snprintf(out->name, sizeof out->name, "%s", s->profile);
        snprintf(out->source, sizeof out->source, "--profile");
        out->explicit_flag = true;
    } else if ((v = env_nonempty("AWS_DEFAULT_PROFILE"))) {
        snprintf(out->name, sizeof out->name, "%s", v);
        snprintf(out->source, sizeof out->source, "AWS_DEFAULT_PROFILE");
    } else if ((v = env_nonempty("AWS_PROFILE"))) {
        snprintf(out->name, sizeof out->name, "%s", v);
        snprintf(out->source, sizeof out->source, "AWS_PROFILE");
    } else if (s && s->profile[0] && strcmp(s->profile, "default") != 0) {
        snprintf(out->name, sizeof out->name, "%s", s->profile);
        snprintf(out->source, sizeof out->source, "mldeck config");
    } else {
        snprintf(out->name, sizeof out->name, "default");
        snprintf(out->source, sizeof out->source, "default");
    }
}

md_status md_profile_check(const struct md_awsconfig *cfg, const struct md_profile_choice *p,
                           struct md_err *err)
{
    if (strcmp(p->name, "default") == 0 || md_awsconfig_has_profile(cfg, p->name))
        return MD_OK;
    return md_err_set(err, MD_ERR_NOTFOUND,
                      "the config profile (%s) could not be found (from %s; looked in %s and %s)",
                      p->name, p->source, cfg->config_path, cfg->credentials_path);
}

bool md_region_valid(const char *r)
{
    size_t n = r ? strlen(r) : 0;
    if (n == 0 || n > 63 || r[0] == '-' || r[n - 1] == '-')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)r[i]) && r[i] != '-')
            return false;
    return true;
}

static md_status take(struct md_region *out, const char *name, const char *source,
                      struct md_err *err)
{
    if (!md_region_valid(name))
        return md_err_set(err, MD_ERR_INVALID, "invalid region '%s' (from %s)", name, source);
    snprintf(out->name, sizeof out->name, "%s", name);
    snprintf(out->source, sizeof out->source, "%s", source);
    return MD_OK;
}

md_status md_region_resolve_local(const struct md_settings *s, const struct md_awsconfig *cfg,
                                  const char *profile, struct md_region *out, struct md_err *err)
{
    memset(out, 0, sizeof *out);
    const char *v;
    if (s && s->region[0])
        return take(out, s->region, "--region", err);
    if ((v = env_nonempty("AWS_REGION")))
        return take(out, v, "AWS_REGION", err);
    if ((v = env_nonempty("AWS_DEFAULT_REGION")))
        return take(out, v, "AWS_DEFAULT_REGION", err);
    enum md_awscfg_file from;
    if (cfg && profile && (v = md_awsconfig_get(cfg, profile, "region", &from)) && *v) {
        char src[160];
        snprintf(src, sizeof src, "profile %s in %s", profile,
                 from == MD_AWSCFG_CONFIG ? cfg->config_path : cfg->credentials_path);
        return take(out, v, src, err);
    }
    return md_err_set(err, MD_ERR_NOTFOUND,
                      "no AWS region: pass --region, set AWS_REGION, or add 'region = ...' to "
                      "profile %s in %s",
                      profile ? profile : "default", cfg ? cfg->config_path : "~/.aws/config");
}

md_status md_region_resolve(const struct md_settings *s, const struct md_awsconfig *cfg,
                            const char *profile, void *curl, struct md_region *out,
                            struct md_err *err)
{
    md_status st = md_region_resolve_local(s, cfg, profile, out, err);
    if (st != MD_ERR_NOTFOUND)
        return st;
    if (md_imds_disabled())
        return st;
    /* The "how to set a region" message stays when IMDS has none either. */
    char region[64];
    struct md_err ierr;
    md_err_clear(&ierr);
    if (md_imds_region(curl, cfg, profile, region, sizeof region, &ierr) == MD_OK && region[0])
        return take(out, region, "EC2 instance metadata", err);
    return st;
}

const char *md_region_partition(const char *r)
{
    if (!r)
        return "aws";
    if (!strncmp(r, "cn-", 3))
        return "aws-cn";
    if (!strncmp(r, "us-gov-", 7))
        return "aws-us-gov";
    if (!strncmp(r, "us-isob-", 8))
        return "aws-iso-b";
    if (!strncmp(r, "us-isof-", 8) || !strncmp(r, "eu-isof-", 8))
        return "aws-iso-f";
    if (!strncmp(r, "us-iso-", 7))
        return "aws-iso";
    if (!strncmp(r, "eu-isoe-", 8))
        return "aws-iso-e";
    if (!strncmp(r, "eusc-", 5))
        return "aws-eusc";
    return "aws";
}

/* botocore data/partitions.json dnsSuffix / dualStackDnsSuffix. */
const char *md_region_dns_suffix(const char *r)
{
    const char *p = md_region_partition(r);
    if (!strcmp(p, "aws-cn"))
        return "amazonaws.com.cn";
    if (!strcmp(p, "aws-iso"))
        return "c2s.ic.gov";
    if (!strcmp(p, "aws-iso-b"))
        return "sc2s.sgov.gov";
    if (!strcmp(p, "aws-iso-e"))
        return "cloud.adc-e.uk";
    if (!strcmp(p, "aws-iso-f"))
        return "csp.hci.ic.gov";
    if (!strcmp(p, "aws-eusc"))
        return "amazonaws.eu";
    return "amazonaws.com";
}

const char *md_region_dualstack_suffix(const char *r)
{
    const char *p = md_region_partition(r);
    if (!strcmp(p, "aws-cn"))
        return "api.amazonwebservices.com.cn";
    if (!strcmp(p, "aws") || !strcmp(p, "aws-us-gov"))
        return "api.aws";
    return NULL;   /* no dual-stack in the isolated partitions */
}
