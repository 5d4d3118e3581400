/* The AWS wire protocols mldeck speaks, over net/retry.h's md_aws_send:
 *   awsJson1_0 / awsJson1_1  POST /, X-Amz-Target: <prefix>.<Op>, JSON body
 *                            (SageMaker, CloudWatch Logs, EventBridge,
 *                            CloudWatch in JSON mode)
 *   query                    POST /, form body Action=..&Version=.., XML reply (STS)
 *   rest-xml                 S3: see aws/s3.h
 * Errors are values: a non-2xx reply becomes md_err (code, message,
 * request id, HTTP status) via md_aws_error_parse. */
#ifndef MD_AWS_PROTO_H
#define MD_AWS_PROTO_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "net/http.h"
#include "net/retry.h"
#include "net/sigv4.h"
#include "net/xml.h"
#include "util/buf.h"
#include "util/err.h"

/* One service endpoint plus how to authenticate to it.  The caller owns
 * every pointer; the struct is cheap to build per call. */
struct md_aws_client {
    void *curl;                     /* the worker's CURL handle; NULL = a temporary one */
    const char *service;            /* signing name: "sagemaker", "logs", "events",
                                     * "monitoring", "sts", "s3" */
    const char *region;
    const char *endpoint;           /* "https://api.sagemaker.us-east-1.amazonaws.com";
                                     * a path prefix is kept, a trailing '/' ignored */
    const struct md_aws_creds *creds;   /* fixed credentials, or: */
    md_creds_fn get_creds;              /* called before each attempt (refresh) */
    void *creds_ctx;
    const struct md_http_opts *http;    /* NULL = defaults */
    const struct md_retry_cfg *retry;   /* NULL = from the environment */
    bool s3_path_style;             /* S3: /bucket/key instead of bucket.host/key */
    struct md_aws_call_info last;   /* filled by every call: attempts, backoff */
};

/* awsJson call.  json_version "1.0" or "1.1"; input NULL = {}.  For
 * CloudWatch (prefix GraniteServiceVersion20100801) x-amzn-query-mode: true
 * is sent, as the SDKs do for awsQueryCompatible services.  On MD_OK
 * *output is the parsed reply object (caller cJSON_Delete's it).  A reply
 * that is not a JSON object is MD_ERR_PARSE. */
md_status md_aws_json_call(struct md_aws_client *c, const char *target_prefix, const char *op,
                           const char *json_version, const cJSON *input, cJSON **output,
                           struct md_err *err);

/* md_aws_json_call that also hands over the reply's bytes: on MD_OK *raw
 * (freed first; raw may be NULL) holds the body exactly as received, for
 * callers that keep the API's own text (aws/rawjson.h).  The caller frees
 * it with md_buf_free.  With output NULL the body is not parsed at all (the
 * caller parses raw itself, and reports a body that is not a JSON object). */
md_status md_aws_json_call_raw(struct md_aws_client *c, const char *target_prefix,
                               const char *op, const char *json_version, const cJSON *input,
                               cJSON **output, struct md_buf *raw, struct md_err *err);

struct md_aws_param {
    const char *name;               /* "RoleArn", "Tags.member.1.Key" */
    const char *value;
};

/* query call: POST / with Action, Version and params form-encoded.  On MD_OK
 * *out is the whole reply document (<ActionResponse>); the result is at
 * md_xml_find(*out, "<Action>Result").  Free with md_xml_free. */
md_status md_aws_query_call(struct md_aws_client *c, const char *action, const char *version,
                            const struct md_aws_param *params, size_t n, struct md_xml **out,
                            struct md_err *err);

/* The input member with the idempotencyToken trait for target_prefix.op
 * ("ClientRequestToken" for SageMaker.StartPipelineExecution), or NULL.
 * md_aws_json_call fills a missing one with a fresh uuid4 (once per call:
 * retries resend the same body). */
const char *md_aws_idempotency_member(const char *target_prefix, const char *op);

/* A fresh idempotency token (uuid4, 36 chars) for members such as
 * SageMaker's ClientRequestToken: generate it once per operation and put it
 * in the input; retries resend the same body, so the token is kept. */
void md_aws_idempotency_token(char out[37]);

/* Builds the request URL: endpoint + path (path starts with '/', already
 * encoded) + "?" + query when query is non-empty.  malloc'd. */
char *md_aws_url(const struct md_aws_client *c, const char *path, const char *query);

/* Parses ISO 8601 ("2026-11-26T10:36:54Z", "...54.123Z", "+00:00") or
 * epoch seconds with fractions (JSON protocols).  -1 on failure. */
double md_aws_parse_time(const char *s);

#endif
