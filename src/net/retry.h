/* Retries in the SDKs' "standard" mode, and the one function that sends an
 * AWS request: sign (again on every attempt), send, parse the error, retry
 * with capped exponential backoff and jitter, correct the clock skew.
 *
 * Environment: AWS_MAX_ATTEMPTS (total attempts, default 3),
 * AWS_RETRY_MODE (standard | legacy | adaptive; adaptive adds the
 * client-side send-rate limiter of net/ratelimit.h once a throttling reply
 * arrives; legacy defaults to 5 attempts). */
#ifndef MD_NET_RETRY_H
#define MD_NET_RETRY_H

#include <stdbool.h>

#include "net/http.h"
#include "net/sigv4.h"
#include "util/err.h"

enum md_retry_mode { MD_RETRY_STANDARD, MD_RETRY_LEGACY, MD_RETRY_ADAPTIVE };

struct md_retry_cfg {
    enum md_retry_mode mode;
    int max_attempts;           /* total, including the first; >= 1 */
    long base_ms;               /* backoff base; default 1000 */
    long max_backoff_ms;        /* cap; default 20000 */
};

/* Defaults, then AWS_RETRY_MODE and AWS_MAX_ATTEMPTS.  A malformed value
 * is ignored (the default stays) and reported in err as a warning, with
 * MD_OK returned. */
md_status md_retry_cfg_from_env(struct md_retry_cfg *c, struct md_err *warn);

struct md_awsconfig;

/* The AWS CLI's order: defaults, then the profile's retry_mode and
 * max_attempts (config file), then AWS_RETRY_MODE / AWS_MAX_ATTEMPTS.  cfg
 * or profile may be NULL (environment only).  Bad values are ignored and
 * reported in warn (MD_OK is returned). */
md_status md_retry_cfg_resolve(struct md_retry_cfg *c, const struct md_awsconfig *cfg,
                               const char *profile, struct md_err *warn);

/* Would standard mode retry this outcome?  transport is the md_status of
 * md_http_perform (MD_ERR_NET = connection failure), status the HTTP status,
 * code the AWS error code ("" if none). */
bool md_retry_is_retryable(md_status transport, int status, const char *code);
bool md_retry_is_throttle(const char *code);
/* Codes that mean "your clock is off" (RequestTimeTooSkewed, ...). */
bool md_retry_is_clock_skew(int status, const char *code, const char *message);

/* Delay before retry number `retry` (1 = the first retry):
 * rand(0,1) * min(base * 2^(retry-1), cap), in ms.  rnd is in [0,1). */
long md_retry_backoff_ms(const struct md_retry_cfg *c, int retry, double rnd);

/* Where credentials come from on each attempt: either a fixed copy or a
 * provider called before each signing (so refreshed credentials are
 * picked up).  Both NULL = unsigned request (STS web identity, SSO). */
typedef md_status (*md_creds_fn)(void *ctx, struct md_aws_creds *out, struct md_err *err);

struct md_aws_target {
    const char *service;            /* signing name */
    const char *region;
    const struct md_aws_creds *creds;
    md_creds_fn get_creds;
    void *creds_ctx;
    bool unsigned_payload;          /* S3 only */
    bool content_sha256_header;     /* see md_sigv4_params */
};

struct md_aws_call_info {
    int attempts;                   /* how many were sent */
    long slept_ms;                  /* total backoff */
    char request_id[80];            /* of the final reply ("" if none): for the audit log */
};

/* Sends req to AWS with retries.  req is re-signed before every attempt
 * (new X-Amz-Date) and gets amz-sdk-invocation-id (one per call) and
 * amz-sdk-request: attempt=N; max=M.  The body is sent unchanged each
 * time, so an idempotency token in it is kept.  cfg NULL = from the
 * environment.  On a 2xx reply returns MD_OK with resp filled.  On any
 * other reply returns MD_ERR_SERVICE / MD_ERR_AUTH / MD_ERR_NOTFOUND /
 * MD_ERR_HTTP with err filled by md_aws_error_parse (resp still holds the
 * reply); connection failures return MD_ERR_NET after the last attempt.
 * info may be NULL. */
md_status md_aws_send(void *curl, struct md_http_request *req, const struct md_aws_target *t,
                      const struct md_http_opts *opts, const struct md_retry_cfg *cfg,
                      struct md_http_response *resp, struct md_aws_call_info *info,
                      struct md_err *err);

/* Turns a non-2xx AWS reply into err: http_status, svc_code (JSON
 * "__type" after the last '#', header x-amzn-ErrorType before ':', XML
 * <Code> in <Error> or <ErrorResponse><Error>; a body-less reply gets the
 * status as code, e.g. "404"), message (JSON message/Message, XML
 * <Message>), request_id (x-amzn-RequestId, x-amz-request-id,
 * <RequestId>).  Returns the md_status it set: MD_ERR_AUTH for 401/403 and
 * credential codes, MD_ERR_NOTFOUND for 404 and *NotFound* codes,
 * MD_ERR_SERVICE when a code was found, else MD_ERR_HTTP. */
md_status md_aws_error_parse(const struct md_http_response *resp, struct md_err *err);

#endif
