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

/* One page as md_aws_json_paginate_pages hands it over: the reply's bytes
 * as received (for util/rawjson.h), and its parse on demand: a handler that
 * reads the bytes only never pays for a cJSON tree.  Owned by the pager. */
struct md_page {
    const char *raw;
    size_t raw_len;
    int end;                /* md_aws_pager_finish_pair: 0 front, 1 back; else 0 */
    bool last;              /* no page follows in this listing */
    const char *op;         /* for messages */
    const char *request_id;
    cJSON **parsed;         /* the pager's slot for md_page_json */
};

/* The page parsed (once; owned by the pager), or NULL with err set
 * (MD_ERR_PARSE, with the request id) when the reply is not a JSON object. */
const cJSON *md_page_json(const struct md_page *page, struct md_err *err);
typedef md_status (*md_page_raw_fn)(void *ctx, const struct md_page *page, bool *stop,
                                    struct md_err *err);

/* md_aws_json_paginate with the reply's bytes, and optionally read-ahead:
 * with read_ahead a second thread requests page k+1 (over c, its handle and
 * its credentials) while fn handles page k, so the client's work on a page
 * overlaps the service's work on the next.  The requests are the same,
 * sequential NextToken calls with the same retries; fn still sees the
 * pages in order, one at a time, on the calling thread; an error ends the
 * listing after the pages before it were handed over, as without read-ahead.
 * When fn sets *stop the request already in flight is finished and its page
 * dropped.  With read_ahead, fn must not use c (or its CURL handle). */
md_status md_aws_json_paginate_pages(struct md_aws_client *c, const char *model_service,
                                     const char *target_prefix, const char *json_version,
                                     const char *op, const cJSON *input, int max_pages,
                                     bool read_ahead, md_page_raw_fn fn, void *ctx,
                                     struct md_err *err);

/* A listing started before its handler is ready: md_aws_pager_start sends
 * the first request at once, on a thread of its own, while the caller
 * prepares (the CLI opens its cache meanwhile); md_aws_pager_finish then
 * hands every page to fn as md_aws_json_paginate_pages does, reading ahead
 * or not as it is told then.  Without read-ahead no request goes out while
 * fn runs, so fn may use c.  c must stay valid until finish or cancel,
 * which free the pager; cancel drops the pages (after the request in
 * flight ends). */
struct md_aws_pager;
md_status md_aws_pager_start(struct md_aws_client *c, const char *model_service,
                             const char *target_prefix, const char *json_version, const char *op,
                             const cJSON *input, int max_pages, struct md_aws_pager **out,
                             struct md_err *err);
md_status md_aws_pager_finish(struct md_aws_pager *p, bool read_ahead, md_page_raw_fn fn,
                              void *ctx, struct md_err *err);
void md_aws_pager_cancel(struct md_aws_pager *p);

/* Waits for the first reply of a started pager: how long one attempt of
 * its request took (retries' backoff left out), in milliseconds (-1 when
 * it failed, or no thread fetches). */
double md_aws_pager_first_ms(struct md_aws_pager *p);

/* One listing read from both ends at once: front and back are started
 * pagers of the same operation in opposite orders (SortOrder Descending
 * and Ascending), each over a client and handle of its own.  Both read
 * ahead; fn gets the pages of both on the calling thread, one at a time,
 * each listing's in its order, page->end telling which; it alone knows
 * when the two have met and sets *stop (which ends both), as it should
 * when either listing's last page came.  An error from either ends both,
 * after its earlier pages were handed over.  Without threads for both,
 * front is read alone (every page end 0).  Frees both. */
md_status md_aws_pager_finish_pair(struct md_aws_pager *front, struct md_aws_pager *back,
                                   md_page_raw_fn fn, void *ctx, struct md_err *err);

#endif
