/* AWS credentials, found the way the AWS CLI finds them, cached in memory
 * and refreshed before they expire.
 *
 * Chain (first that applies wins; botocore's order):
 *   1. environment: AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY, token from
 *      AWS_SECURITY_TOKEN then AWS_SESSION_TOKEN, AWS_CREDENTIAL_EXPIRATION
 *      (skipped when the profile was chosen with --profile)
 *   2. assume role: profile role_arn + source_profile | credential_source
 *      (Environment, Ec2InstanceMetadata, EcsContainer) -> STS AssumeRole
 *      with external_id, role_session_name, duration_seconds, mfa_serial
 *   3. web identity: AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN
 *      (+ AWS_ROLE_SESSION_NAME) or the profile's web_identity_token_file
 *      -> STS AssumeRoleWithWebIdentity (unsigned)
 *   4. SSO: sso_session (or legacy sso_start_url) + sso_account_id +
 *      sso_role_name; token from ~/.aws/sso/cache/<sha1>.json
 *   5. the credentials file's aws_access_key_id / aws_secret_access_key
 *   6. credential_process (JSON Version 1 on stdout)
 *   7. the config file's static keys
 *   8. container credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI /
 *      _FULL_URI, AWS_CONTAINER_AUTHORIZATION_TOKEN[_FILE])
 *   9. EC2 instance metadata, IMDSv2 (AWS_EC2_METADATA_DISABLED=true
 *      turns it off; AWS_EC2_METADATA_SERVICE_ENDPOINT moves it)
 *
 * Thread-safe: any number of workers call md_creds_get on one provider.
 * Temporary credentials are refreshed 15 min before expiry by one thread
 * while the others keep using the current ones, and 10 min before expiry
 * every caller waits for the one refresh.  Nothing here logs, prints or
 * writes a secret. */
#ifndef MD_NET_CREDS_H
#define MD_NET_CREDS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "net/awsconfig.h"
#include "net/sigv4.h"
#include "util/err.h"
#include "util/settings.h"

/* Asks the operator for the current MFA code of device mfa_serial (the CLI
 * reads the terminal, the TUI shows a dialog).  Called from a worker
 * thread; writes a NUL-terminated code into code.  Returning an error (or
 * MD_ERR_CANCELLED) fails the credential fetch. */
typedef md_status (*md_mfa_prompt_fn)(void *ctx, const char *profile, const char *mfa_serial,
                                      char *code, size_t n, struct md_err *err);

struct md_creds_opts {
    md_mfa_prompt_fn mfa_prompt;    /* NULL: an mfa_serial profile fails with a clear error */
    void *mfa_ctx;
    bool insecure;                  /* --insecure for the HTTPS calls (STS, SSO) */
    bool debug;                     /* HTTP trace (redacted) to the log */
    /* Tests: refresh windows in seconds (0 = 900 and 600) and a clock
     * (NULL = time()). */
    long advisory_refresh_s;
    long mandatory_refresh_s;
    time_t (*now)(void *ctx);
    void *now_ctx;
};

struct md_creds_provider;

/* Chooses the provider for the settings' profile (md_profile_choose) from
 * the files in cfg and the environment.  No network I/O happens here: the
 * first md_creds_get fetches.  cfg is only read during the call.
 * o may be NULL.  Errors: the profile does not exist, contradictory or
 * incomplete settings (both source_profile and credential_source, an SSO
 * profile missing sso_role_name, a source_profile loop, ...). */
md_status md_creds_provider_new(const struct md_settings *s, const struct md_awsconfig *cfg,
                                const struct md_creds_opts *o, struct md_creds_provider **out,
                                struct md_err *err);
void md_creds_provider_free(struct md_creds_provider *p);

/* Current credentials (fetching or refreshing as needed) copied into out;
 * wipe them with md_aws_creds_wipe after use.  Matches md_creds_fn
 * (net/retry.h): pass md_creds_get and the provider as get_creds /
 * creds_ctx of an md_aws_target.  MD_ERR_AUTH when none are found or the
 * source refused (err says what to do). */
md_status md_creds_get(void *provider, struct md_aws_creds *out, struct md_err *err);

/* What `mldeck config` shows: never the secret. */
struct md_creds_info {
    char method[48];        /* botocore's names: env, assume-role, assume-role-with-web-identity,
                             * sso, shared-credentials-file, custom-process, config-file,
                             * container-role, iam-role */
    char detail[320];       /* "profile dev in /home/u/.aws/credentials", "role arn:... via profile base" */
    char access_key[32];    /* "****************ABCD" once fetched, else "" */
    time_t expiration;      /* 0 = none or not fetched yet */
    bool fetched;
    int fetches;            /* how many times the top provider fetched (tests) */
};

void md_creds_provider_info(struct md_creds_provider *p, struct md_creds_info *out);

/* ISO 8601 / RFC 3339 time ("2026-11-26T10:00:00Z", fractions, "+01:00",
 * "UTC" suffix) to time_t; -1 when malformed. */
time_t md_creds_parse_time(const char *s);   /* never 0: the epoch reads as 1 */

/* The CA bundle for AWS calls: AWS_CA_BUNDLE, else the profile's
 * ca_bundle (~ and $VAR expanded); "" = the system store. */
void md_creds_ca_bundle(const struct md_awsconfig *cfg, const char *profile, char *out, size_t n);

/* IMDS helpers shared with region resolution. */
bool md_imds_disabled(void);
/* The instance's region from /latest/meta-data/placement/region (IMDSv2). */
md_status md_imds_region(void *curl, const struct md_awsconfig *cfg, const char *profile,
                         char *out, size_t n, struct md_err *err);

/* STS GetCallerIdentity with the provider's credentials (mldeck whoami).
 * endpoint_flag is --endpoint-url ("" = none). */
struct md_caller_identity {
    char account[32];
    char arn[512];
    char user_id[256];
    char request_id[80];
};
md_status md_sts_get_caller_identity(struct md_creds_provider *p, const struct md_settings *s,
                                     const struct md_awsconfig *cfg, const char *region,
                                     struct md_caller_identity *out, struct md_err *err);

#endif
