/* Where each AWS service is called, the way the AWS CLI decides it.
 *
 * First found wins:
 *   1. --endpoint-url (every service)
 *   2. AWS_ENDPOINT_URL_<SERVICE_ID>  (SAGEMAKER, S3, CLOUDWATCH_LOGS,
 *      CLOUDWATCH, EVENTBRIDGE, STS, SSO, SAGEMAKER_MLFLOW)
 *   3. AWS_ENDPOINT_URL
 *   4. the profile's "services = NAME" -> [services NAME] nested
 *      "sagemaker =\n  endpoint_url = ..." (keys sagemaker, s3,
 *      cloudwatch_logs, cloudwatch, eventbridge, sts, sso, sagemaker_mlflow)
 *   5. the profile's "endpoint_url"
 *   6. the standard host: https://<prefix>.<region>.<partition DNS suffix>,
 *      FIPS / dual-stack variants when use_fips_endpoint /
 *      use_dualstack_endpoint (or AWS_USE_FIPS_ENDPOINT /
 *      AWS_USE_DUALSTACK_ENDPOINT) are true.
 * 2-5 are skipped when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS (or the profile's
 * ignore_configured_endpoint_urls) is true.  For sagemaker-mlflow (the
 * SageMaker-managed MLflow REST API) SAGEMAKER_MLFLOW_CUSTOM_ENDPOINT comes
 * right after --endpoint-url and the standard host is
 * https://<region>.experiments.sagemaker.aws.  A custom endpoint keeps the
 * normal signing name and region. */
#ifndef MD_NET_ENDPOINT_H
#define MD_NET_ENDPOINT_H

#include <stdbool.h>

#include "net/awsconfig.h"
#include "util/err.h"

struct md_endpoint {
    char url[512];              /* scheme://host[:port][/path], no trailing '/' */
    char signing_name[32];      /* "sagemaker", "s3", "monitoring", ... */
    char signing_region[64];
    char source[256];           /* where url came from, for `mldeck config` */
    bool custom;                /* not the standard AWS host */
};

/* Client names mldeck uses, in display order (NULL-terminated):
 * sagemaker, s3, logs, monitoring, events, sts, sagemaker-mlflow (and
 * "sso", resolvable but not listed: it uses the profile's sso_region). */
extern const char *const md_endpoint_services[];

/* The service id as AWS_ENDPOINT_URL_<ID> spells it ("CLOUDWATCH_LOGS"),
 * or NULL for a name mldeck does not know. */
const char *md_endpoint_env_id(const char *service);

/* Resolves service's endpoint.  flag_url is --endpoint-url ("" or NULL =
 * none); cfg/profile may be NULL (no files).  MD_ERR_INVALID for an
 * unknown service, a malformed URL or region. */
md_status md_endpoint_resolve(const char *service, const char *region, const char *flag_url,
                              const struct md_awsconfig *cfg, const char *profile,
                              struct md_endpoint *out, struct md_err *err);

#endif
