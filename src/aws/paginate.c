#include "aws/paginate.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/rawjson.h"

const struct md_paginator md_paginators[] = {
    /* SageMaker: every paginated operation is NextToken -> NextToken, MaxResults. */
    {"sagemaker", "*", "NextToken", "NextToken", "MaxResults", NULL, NULL, false},
    {"sagemaker", "Search", "NextToken", "NextToken", "MaxResults", "Results", NULL, false},
    {"logs", "DescribeLogGroups", "nextToken", "nextToken", "limit", "logGroups", NULL, false},
    {"logs", "DescribeLogStreams", "nextToken", "nextToken", "limit", "logStreams", NULL, false},
    {"logs", "FilterLogEvents", "nextToken", "nextToken", "limit", "events,searchedLogStreams",
     NULL, false},
    /* Not in the model: the forward token comes back unchanged at the end. */
    {"logs", "GetLogEvents", "nextToken", "nextForwardToken", "limit", "events", NULL, true},
    {"events", "ListRules", "NextToken", "NextToken", "Limit", "Rules", NULL, false},
    {"events", "ListTargetsByRule", "NextToken", "NextToken", "Limit", "Targets", NULL, false},
    {"cloudwatch", "ListMetrics", "NextToken", "NextToken", NULL, "Metrics,OwningAccounts", NULL,
     false},
    {"cloudwatch", "GetMetricData", "NextToken", "NextToken", "MaxDatapoints",
     "MetricDataResults,Messages", NULL, false},
    {"cloudwatch", "DescribeAlarmHistory", "NextToken", "NextToken", "MaxRecords",
     "AlarmHistoryItems", NULL, false},
    {"cloudwatch", "ListDashboards", "NextToken", "NextToken", NULL, "DashboardEntries", NULL,
     false},
    {"s3", "ListObjectsV2", "ContinuationToken", "NextContinuationToken", "MaxKeys",
     "Contents,CommonPrefixes", "IsTruncated", false},
    {NULL, NULL, NULL, NULL, NULL, NULL, NULL, false},
};

const struct md_paginator *md_paginator_find(const char *service, const char *op)
{
    const struct md_paginator *wild = NULL;
    for (const struct md_paginator *p = md_paginators; p->service; p++) {
        if (strcmp(p->service, service) != 0)
            continue;
        if (!strcmp(p->op, op))
            return p;
        if (!strcmp(p->op, "*") && !strncmp(op, "List", 4))
            wild = p;
    }
    return wild;
}

/* The token for the request after the one whose reply is out (sent: the
 * token that request carried), strdup'd into *next; *next NULL when the
 * listing ends there. */
static md_status next_token(const struct md_paginator *pg, const cJSON *out, const char *sent,
                            char **next, struct md_err *err)
{
    *next = NULL;
    if (!pg)
        return MD_OK;
    const cJSON *tok = cJSON_GetObjectItemCaseSensitive(out, pg->output_token);
    bool more = cJSON_IsString(tok) && tok->valuestring[0];
    if (more && pg->more_results) {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(out, pg->more_results);
        more = cJSON_IsTrue(m);
    }
    /* A token that comes back unchanged ends the stream (GetLogEvents)
     * and, for any op, guards against a server that loops. */
    if (more && sent && !strcmp(sent, tok->valuestring))
        more = false;
    if (!more)
        return MD_OK;
    if (!(*next = strdup(tok->valuestring)))
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    return MD_OK;
}

static md_status set_token(cJSON *in, const struct md_paginator *pg, const char *tok,
                           struct md_err *err)
{
    cJSON_DeleteItemFromObjectCaseSensitive(in, pg->input_token);
    if (!cJSON_AddStringToObject(in, pg->input_token, tok))
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    return MD_OK;
}

struct call {
    struct md_aws_client *c;
    const struct md_paginator *pg;
    const char *prefix, *version, *op;
    cJSON *in;              /* the input, carrying the current token */
    int max_pages;
};

static md_status paginate_in_turn(struct call *k, md_page_raw_fn fn, void *ctx,
                                  struct md_err *err)
{
    md_status st = MD_OK;
    char *sent = NULL;      /* token sent with the current request */
    struct md_buf raw = MD_BUF_INIT;
    for (int page = 1;; page++) {
        cJSON *out = NULL;
        st = md_aws_json_call_raw(k->c, k->prefix, k->op, k->version, k->in, &out, &raw, err);
        if (st != MD_OK)
            break;
        bool stop = false;
        struct md_page pg = {out, raw.data ? raw.data : "", raw.len};
        st = fn(ctx, &pg, &stop, err);
        char *next = NULL;
        if (st == MD_OK && !stop && (k->max_pages <= 0 || page < k->max_pages))
            st = next_token(k->pg, out, sent, &next, err);
        cJSON_Delete(out);
        if (st != MD_OK || !next)
            break;
        free(sent);
        sent = next;
        if ((st = set_token(k->in, k->pg, sent, err)) != MD_OK)
            break;
    }
    md_buf_free(&raw);
    free(sent);
    return st;
}

/* ---- read-ahead: a fetching thread, a short queue, the caller handles ---- */

#define AHEAD_PAGES 4       /* replies fetched but not yet handled, at most */

struct fetched {
    struct md_buf raw;      /* parsed by the caller's thread */
    char request_id[80];
    struct fetched *next;
};

struct ahead {
    struct call *k;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct fetched *head, *tail;
    int queued;
    int limit;              /* the fetcher requests page n only when n <= limit */
    bool done;              /* the fetcher has ended (last page, error or quit) */
    bool quit;              /* the caller wants no more pages */
    md_status st;           /* the fetcher's error, with err */
    struct md_err err;
};

static void fetched_free(struct fetched *f)
{
    md_buf_free(&f->raw);
    free(f);
}

/* The output token of a reply read from its bytes (the fetcher leaves the
 * parse of the whole page to the caller's thread), else from a parse. */
static md_status raw_next_token(const struct md_paginator *pg, const struct md_buf *raw,
                                const char *sent, char **next, struct md_err *err)
{
    *next = NULL;
    if (!pg)
        return MD_OK;
    const char *text = raw->data ? raw->data : "";
    const char *v;
    size_t n;
    int rc = md_rawjson_member(text, raw->len, pg->output_token, &v, &n);
    cJSON *doc = NULL;
    if (rc < 0 || pg->more_results) {
        doc = cJSON_ParseWithLength(text, raw->len);
    } else if (rc == 0) {
        /* {"<token>": <value>}: the member alone, for next_token */
        doc = cJSON_CreateObject();
        cJSON *val = cJSON_ParseWithLength(v, n);
        if (doc && val)
            cJSON_AddItemToObject(doc, pg->output_token, val);
        else
            cJSON_Delete(val);
    } else {
        return MD_OK;   /* no token: the last page */
    }
    if (!doc)
        return MD_OK;   /* not JSON: the caller's parse reports it */
    md_status st = next_token(pg, doc, sent, next, err);
    cJSON_Delete(doc);
    return st;
}

static void *fetcher(void *arg)
{
    struct ahead *a = arg;
    struct call *k = a->k;
    md_status st = MD_OK;
    struct md_err err;
    md_err_clear(&err);
    char *sent = NULL;
    for (int page = 1;; page++) {
        pthread_mutex_lock(&a->mu);
        while ((a->queued >= AHEAD_PAGES || page > a->limit) && !a->quit)
            pthread_cond_wait(&a->cv, &a->mu);
        bool quit = a->quit;
        pthread_mutex_unlock(&a->mu);
        if (quit)
            break;
        struct fetched *f = calloc(1, sizeof *f);
        if (!f) {
            st = md_err_set(&err, MD_ERR_NOMEM, "out of memory");
            break;
        }
        st = md_aws_json_call_raw(k->c, k->prefix, k->op, k->version, k->in, NULL, &f->raw,
                                  &err);
        snprintf(f->request_id, sizeof f->request_id, "%s", k->c->last.request_id);
        char *next = NULL;
        if (st == MD_OK && (k->max_pages <= 0 || page < k->max_pages))
            st = raw_next_token(k->pg, &f->raw, sent, &next, &err);
        if (st != MD_OK) {
            fetched_free(f);
            break;
        }
        pthread_mutex_lock(&a->mu);
        if (a->tail)
            a->tail->next = f;
        else
            a->head = f;
        a->tail = f;
        a->queued++;
        pthread_cond_broadcast(&a->cv);
        pthread_mutex_unlock(&a->mu);
        free(sent);
        sent = next;
        if (!next || (st = set_token(k->in, k->pg, sent, &err)) != MD_OK)
            break;
    }
    free(sent);
    pthread_mutex_lock(&a->mu);
    a->st = st;
    a->err = err;
    a->done = true;
    pthread_cond_broadcast(&a->cv);
    pthread_mutex_unlock(&a->mu);
    return NULL;
}

/* Starts the fetching thread, allowed pages up to limit.  False when no
 * thread could be started (a is then unused). */
static bool ahead_start(struct ahead *a, struct call *k, int limit, pthread_t *th)
{
    memset(a, 0, sizeof *a);
    a->k = k;
    a->limit = limit;
    md_err_clear(&a->err);
    pthread_mutex_init(&a->mu, NULL);
    pthread_cond_init(&a->cv, NULL);
    if (pthread_create(th, NULL, fetcher, a) != 0) {
        pthread_cond_destroy(&a->cv);
        pthread_mutex_destroy(&a->mu);
        return false;
    }
    return true;
}

/* Hands the fetched pages to fn in order on this thread, then ends the
 * fetcher.  Without read_ahead the fetcher requests a page only after fn
 * handled the one before (fn may then use the client: the two never run at
 * once), as paginate_in_turn would. */
static md_status ahead_run(struct ahead *a, pthread_t th, bool read_ahead, md_page_raw_fn fn,
                           void *ctx, struct md_err *err)
{
    struct call *k = a->k;
    pthread_mutex_lock(&a->mu);
    if (read_ahead)
        a->limit = INT_MAX;
    pthread_cond_broadcast(&a->cv);
    pthread_mutex_unlock(&a->mu);
    md_status st = MD_OK;
    for (;;) {
        pthread_mutex_lock(&a->mu);
        while (!a->head && !a->done)
            pthread_cond_wait(&a->cv, &a->mu);
        struct fetched *f = a->head;
        if (f) {
            a->head = f->next;
            if (!a->head)
                a->tail = NULL;
            a->queued--;
            pthread_cond_broadcast(&a->cv);
        } else {
            /* Every page fetched was handled: the fetcher's end is ours. */
            st = a->st;
            if (st != MD_OK && err)
                *err = a->err;
        }
        pthread_mutex_unlock(&a->mu);
        if (!f)
            break;
        bool stop = false;
        const char *text = f->raw.data ? f->raw.data : "";
        cJSON *json = f->raw.len ? cJSON_ParseWithLength(text, f->raw.len) : cJSON_CreateObject();
        if (cJSON_IsObject(json)) {
            struct md_page pg = {json, text, f->raw.len};
            st = fn(ctx, &pg, &stop, err);
        } else {
            st = md_err_set(err, MD_ERR_PARSE, "%s: the reply is not a JSON object", k->op);
            if (err) {
                err->http_status = 200;     /* md_aws_send returns MD_OK for 2xx only */
                snprintf(err->request_id, sizeof err->request_id, "%s", f->request_id);
            }
        }
        cJSON_Delete(json);
        fetched_free(f);
        pthread_mutex_lock(&a->mu);
        if (st != MD_OK || stop)
            a->quit = true;
        else if (!read_ahead)
            a->limit++;      /* the next page, now that this one is handled */
        pthread_cond_broadcast(&a->cv);
        pthread_mutex_unlock(&a->mu);
        if (st != MD_OK || stop)
            break;
    }
    pthread_join(th, NULL);
    while (a->head) {
        struct fetched *f = a->head;
        a->head = f->next;
        fetched_free(f);
    }
    pthread_cond_destroy(&a->cv);
    pthread_mutex_destroy(&a->mu);
    return st;
}

static md_status paginate_ahead(struct call *k, md_page_raw_fn fn, void *ctx, struct md_err *err)
{
    struct ahead a;
    pthread_t th;
    if (!ahead_start(&a, k, INT_MAX, &th))
        return paginate_in_turn(k, fn, ctx, err);
    return ahead_run(&a, th, true, fn, ctx, err);
}

struct md_aws_pager {
    struct call k;
    struct ahead a;
    pthread_t th;
    bool running;           /* the fetching thread was started */
};

md_status md_aws_pager_start(struct md_aws_client *c, const char *model_service,
                             const char *target_prefix, const char *json_version, const char *op,
                             const cJSON *input, int max_pages, struct md_aws_pager **out,
                             struct md_err *err)
{
    *out = NULL;
    struct md_aws_pager *p = calloc(1, sizeof *p);
    if (!p)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    p->k = (struct call){c, md_paginator_find(model_service, op), target_prefix, json_version, op,
                         input ? cJSON_Duplicate(input, 1) : cJSON_CreateObject(), max_pages};
    if (!p->k.in) {
        free(p);
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    /* The first page only, until finish says whether to read ahead.  No
     * thread: finish reads the pages in turn. */
    p->running = ahead_start(&p->a, &p->k, 1, &p->th);
    *out = p;
    return MD_OK;
}

md_status md_aws_pager_finish(struct md_aws_pager *p, bool read_ahead, md_page_raw_fn fn,
                              void *ctx, struct md_err *err)
{
    md_status st = p->running
        ? ahead_run(&p->a, p->th, read_ahead && p->k.pg && p->k.max_pages != 1, fn, ctx, err)
        : paginate_in_turn(&p->k, fn, ctx, err);
    cJSON_Delete(p->k.in);
    free(p);
    return st;
}

void md_aws_pager_cancel(struct md_aws_pager *p)
{
    if (!p)
        return;
    if (p->running) {
        pthread_mutex_lock(&p->a.mu);
        p->a.quit = true;
        pthread_cond_broadcast(&p->a.cv);
        pthread_mutex_unlock(&p->a.mu);
        pthread_join(p->th, NULL);     /* after the request in flight, if any */
        while (p->a.head) {
            struct fetched *f = p->a.head;
            p->a.head = f->next;
            fetched_free(f);
        }
        pthread_cond_destroy(&p->a.cv);
        pthread_mutex_destroy(&p->a.mu);
    }
    cJSON_Delete(p->k.in);
    free(p);
}

md_status md_aws_json_paginate_pages(struct md_aws_client *c, const char *model_service,
                                     const char *target_prefix, const char *json_version,
                                     const char *op, const cJSON *input, int max_pages,
                                     bool read_ahead, md_page_raw_fn fn, void *ctx,
                                     struct md_err *err)
{
    struct call k = {c, md_paginator_find(model_service, op), target_prefix, json_version, op,
                     input ? cJSON_Duplicate(input, 1) : cJSON_CreateObject(), max_pages};
    if (!k.in)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    /* Nothing to read ahead of when the operation does not page. */
    md_status st = read_ahead && k.pg && max_pages != 1 ? paginate_ahead(&k, fn, ctx, err)
                                                        : paginate_in_turn(&k, fn, ctx, err);
    cJSON_Delete(k.in);
    return st;
}

struct plain {
    md_page_fn fn;
    void *ctx;
};

static md_status plain_page(void *ctx, const struct md_page *page, bool *stop,
                            struct md_err *err)
{
    struct plain *p = ctx;
    return p->fn(p->ctx, page->json, stop, err);
}

md_status md_aws_json_paginate(struct md_aws_client *c, const char *model_service,
                               const char *target_prefix, const char *json_version,
                               const char *op, const cJSON *input, int max_pages,
                               md_page_fn fn, void *ctx, struct md_err *err)
{
    struct plain p = {fn, ctx};
    return md_aws_json_paginate_pages(c, model_service, target_prefix, json_version, op, input,
                                      max_pages, false, plain_page, &p, err);
}
