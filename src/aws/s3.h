/* S3 over rest-xml: list (ListObjectsV2 with encoding-type=url, keys
 * decoded), get (with Range), head, put, and presigned GET URLs.
 * c->service must be "s3".  Addressing: virtual-hosted
 * (https://bucket.s3.region.amazonaws.com/key) unless c->s3_path_style or
 * the bucket is not DNS-compatible (then https://endpoint/bucket/key). */
#ifndef MD_AWS_S3_H
#define MD_AWS_S3_H

#include <stdbool.h>
#include <stddef.h>

#include "aws/proto.h"

struct md_s3_object {
    char *key;                  /* decoded */
    long long size;
    char etag[80];
    char last_modified[40];     /* ISO 8601 as S3 sent it */
    char storage_class[40];
};

struct md_s3_list {
    struct md_s3_object *objects;
    size_t n, cap;
    char **prefixes;            /* CommonPrefixes (decoded) */
    size_t nprefixes, capprefixes;
    bool truncated;             /* IsTruncated of the last page */
    char *next_token;           /* NextContinuationToken of the last page, or NULL */
    int pages;                  /* pages fetched */
};

void md_s3_list_free(struct md_s3_list *l);

/* One page: appends to *l (zero it first).  token NULL = first page;
 * max_keys 0 = server default (1000).  prefix/delimiter may be NULL. */
md_status md_s3_list_page(struct md_aws_client *c, const char *bucket, const char *prefix,
                          const char *delimiter, const char *token, int max_keys,
                          struct md_s3_list *l, struct md_err *err);

/* Every page (ContinuationToken -> NextContinuationToken while IsTruncated),
 * at most max_pages (0 = no limit). */
md_status md_s3_list_all(struct md_aws_client *c, const char *bucket, const char *prefix,
                         const char *delimiter, int max_keys, int max_pages,
                         struct md_s3_list *l, struct md_err *err);

/* Parses one ListObjectsV2 reply (<ListBucketResult>) and appends to *l;
 * keys and prefixes are URL-decoded when the reply has
 * <EncodingType>url</EncodingType>.  MD_ERR_PARSE on anything else. */
md_status md_s3_parse_list(const char *data, size_t n, struct md_s3_list *l, struct md_err *err);

/* GET; range NULL or "bytes=0-99".  The body is in resp (caller frees
 * resp with md_http_response_free); 206 for a range. */
md_status md_s3_get_object(struct md_aws_client *c, const char *bucket, const char *key,
                           const char *range, struct md_http_response *resp, struct md_err *err);
/* HEAD: headers only (Content-Length, ETag, Last-Modified, x-amz-meta-*). */
md_status md_s3_head_object(struct md_aws_client *c, const char *bucket, const char *key,
                            struct md_http_response *resp, struct md_err *err);
/* PUT n bytes; content_type may be NULL.  unsigned_payload: send
 * UNSIGNED-PAYLOAD instead of the body's hash. */
md_status md_s3_put_object(struct md_aws_client *c, const char *bucket, const char *key,
                           const void *data, size_t n, const char *content_type,
                           bool unsigned_payload, struct md_http_response *resp,
                           struct md_err *err);

/* URL of an object (key encoded once, '/' kept), malloc'd. */
char *md_s3_object_url(const struct md_aws_client *c, const char *bucket, const char *key);
/* Presigned GET URL valid for expires seconds (query-string SigV4),
 * malloc'd into *url.  Needs fixed credentials or get_creds. */
md_status md_s3_presign_get(struct md_aws_client *c, const char *bucket, const char *key,
                            long expires, char **url, struct md_err *err);

/* True if bucket can be a DNS label under virtual-hosted addressing. */
bool md_s3_bucket_dns_ok(const char *bucket, bool https);

#endif
