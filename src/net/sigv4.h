/* AWS Signature Version 4 (header signing and S3 presigned URLs), exactly as
 * AWS's published specification and botocore do it.  Thread-safe.
 *
 * Service rules: for S3 ("s3", "s3-object-lambda", "s3-outposts") the
 * canonical URI is the wire path verbatim and X-Amz-Content-SHA256 is always
 * sent and signed; for every other service the wire path is normalised
 * (dot segments, empty segments) and encoded once more. */
#ifndef MD_NET_SIGV4_H
#define MD_NET_SIGV4_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "net/http.h"
#include "util/err.h"

/* Resolved credentials.  Fixed-size so a copy needs no allocation and can
 * be wiped with md_aws_creds_wipe.  Never log or cache these. */
struct md_aws_creds {
    char access_key_id[128];
    char secret_access_key[128];
    char session_token[4096];   /* "" for long-term keys */
    time_t expiration;          /* 0 = does not expire */
};

void md_aws_creds_wipe(struct md_aws_creds *c);

struct md_sigv4_params {
    const char *service;        /* signing name: "s3", "sagemaker", "sagemaker-mlflow", "monitoring" ... */
    const char *region;
    const struct md_aws_creds *creds;
    time_t now;                 /* signing time; 0 = now + md_sigv4_clock_offset() */
    bool unsigned_payload;      /* S3: X-Amz-Content-SHA256: UNSIGNED-PAYLOAD */
    bool content_sha256_header; /* send and sign X-Amz-Content-SHA256 for a non-S3
                                 * service too (sagemaker-mlflow does) */
};

/* What was signed, for `awscurl --dry-run` and tests.  Owned by the
 * caller: md_sigv4_trace_free. */
struct md_sigv4_trace {
    char *canonical_request;
    char *string_to_sign;
    char *signed_headers;       /* "host;x-amz-date" */
    char *signature;            /* hex */
};

void md_sigv4_trace_free(struct md_sigv4_trace *t);

/* Signs req in place: removes any Authorization, X-Amz-Date,
 * X-Amz-Security-Token (and for S3 X-Amz-Content-SHA256) already there,
 * adds Host if missing, X-Amz-Date, X-Amz-Security-Token when the
 * credentials have one, X-Amz-Content-SHA256 when the rules say so, then
 * Authorization.  Every header in req is signed except the hop-by-hop ones
 * the SDKs never sign (Connection, Expect, Keep-Alive, Proxy-*, TE,
 * Trailer, Transfer-Encoding, Upgrade, User-Agent, X-Amzn-Trace-Id).
 * trace may be NULL.  MD_ERR_INVALID for a malformed URL, MD_ERR_AUTH for
 * missing keys. */
md_status md_sigv4_sign(struct md_http_request *req, const struct md_sigv4_params *p,
                        struct md_sigv4_trace *trace, struct md_err *err);

/* A presigned URL (query-string signing, UNSIGNED-PAYLOAD, only the host
 * header signed), e.g. for an S3 GET that plain curl can fetch.  expires is
 * 1..604800 seconds.  *out is malloc'd; the caller frees it. */
md_status md_sigv4_presign(const char *method, const char *url, const struct md_sigv4_params *p,
                           long expires, char **out, struct md_err *err);

/* Clock-skew correction (seconds to add to the local clock), shared by all
 * threads; set by the retry loop when a server says the request time is
 * skewed. */
void md_sigv4_set_clock_offset(long seconds);
long md_sigv4_clock_offset(void);

/* True for the services that use S3's signing rules. */
bool md_sigv4_is_s3(const char *service);

/* Parses "20150830T123600Z" (UTC).  -1 if malformed. */
time_t md_sigv4_parse_amz_date(const char *s);

#endif
