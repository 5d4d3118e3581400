/* Pagination for the JSON protocols, driven by the paginators of the
 * official models (../shared/aws-models/<svc>/paginators-1.json; a unit
 * test checks this table against them).  S3 ListObjectsV2 pages in
 * aws/s3.h. */
#ifndef MD_AWS_PAGINATE_H
#define MD_AWS_PAGINATE_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "aws/proto.h"

struct md_paginator {
    const char *service;        /* model folder: sagemaker, logs, events, cloudwatch, s3 */
    const char *op;             /* "*" = every List* operation of the service */
    const char *input_token;
    const char *output_token;
    const char *limit_key;      /* NULL when none */
    const char *result_keys;    /* comma-separated */
    const char *more_results;   /* NULL, or the boolean member that says "more" */
    bool same_token_ends;       /* no paginator in the model: the stream ends when the
                                 * returned token equals the one sent (GetLogEvents) */
};

extern const struct md_paginator md_paginators[];   /* terminated by service == NULL */

/* The paginator of service/op, or NULL when the operation does not page. */
const struct md_paginator *md_paginator_find(const char *service, const char *op);

/* Called once per page.  Set *stop to end early.  page is owned by the
 * pager. */
typedef md_status (*md_page_fn)(void *ctx, const cJSON *page, bool *stop, struct md_err *err);

/* Calls op repeatedly (awsJson), feeding each reply's output token into the
 * next input, until the token is absent, empty or (same_token_ends)
 * unchanged, fn says stop, or max_pages (0 = no limit) pages were read.
 * input may be NULL; it is not modified (a copy carries the token).
 * model_service names the paginator table's service. */
md_status md_aws_json_paginate(struct md_aws_client *c, const char *model_service,
                               const char *target_prefix, const char *json_version,
                               const char *op, const cJSON *input, int max_pages,
                               md_page_fn fn, void *ctx, struct md_err *err);

#endif
