/* Which AWS profile and region are in effect, and where each came from.
 *
 * Profile: --profile, then AWS_DEFAULT_PROFILE, then AWS_PROFILE (botocore
 * reads the legacy name first), then mldeck's own config "profile =", else
 * "default".
 * Region: --region (or mldeck's config "region ="), AWS_REGION,
 * AWS_DEFAULT_REGION, the profile's "region", then EC2 instance metadata
 * (IMDSv2, unless AWS_EC2_METADATA_DISABLED=true).  None found is an
 * error that says how to set one. */
#ifndef MD_NET_REGION_H
#define MD_NET_REGION_H

#include <stdbool.h>
#include <stddef.h>

#include "net/awsconfig.h"
#include "util/err.h"
#include "util/settings.h"

struct md_profile_choice {
    char name[128];
    char source[64];        /* "--profile", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "mldeck config", "default" */
    bool explicit_flag;     /* chosen with --profile: environment credentials are skipped */
};

/* s may be NULL (environment only). */
void md_profile_choose(const struct md_settings *s, struct md_profile_choice *out);

/* MD_ERR_NOTFOUND "the config profile (x) could not be found" when a
 * profile other than "default" is named but defined in neither file. */
md_status md_profile_check(const struct md_awsconfig *cfg, const struct md_profile_choice *p,
                           struct md_err *err);

struct md_region {
    char name[64];
    char source[160];       /* "--region", "AWS_REGION", "profile dev in /home/u/.aws/config", "EC2 instance metadata" */
};

/* True for a syntactically valid region (a DNS label: letters, digits,
 * '-', 1..63 chars, no leading or trailing '-'). */
bool md_region_valid(const char *region);

/* Resolves the region without the network (flag, environment, profile).
 * MD_ERR_NOTFOUND when none is set (err says how to set one);
 * MD_ERR_INVALID for a malformed name. */
md_status md_region_resolve_local(const struct md_settings *s, const struct md_awsconfig *cfg,
                                  const char *profile, struct md_region *out, struct md_err *err);

/* The same, then asks EC2 instance metadata when nothing local is set
 * (curl: a CURL * or NULL). */
md_status md_region_resolve(const struct md_settings *s, const struct md_awsconfig *cfg,
                            const char *profile, void *curl, struct md_region *out,
                            struct md_err *err);

/* DNS suffix of the region's partition: "amazonaws.com", "amazonaws.com.cn"
 * (cn-*), "amazonaws.eu" (eusc-*), "c2s.ic.gov" (us-iso-*), ... and the
 * partition name ("aws", "aws-cn", "aws-us-gov", ...). */
const char *md_region_dns_suffix(const char *region);
const char *md_region_dualstack_suffix(const char *region);
const char *md_region_partition(const char *region);

#endif
