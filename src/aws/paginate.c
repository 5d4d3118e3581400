#include "aws/paginate.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

static md_status raw_next_token(const struct md_paginator *pg, const struct md_buf *raw,
                                const char *sent, char **next, struct md_err *err);

const cJSON *md_page_json(const struct md_page *page, struct md_err *err)
{
    if (*page->parsed)
        return *page->parsed;
    cJSON *json = page->raw_len ? cJSON_ParseWithLength(page->raw, page->raw_len)
                                : cJSON_CreateObject();
    if (!cJSON_IsObject(json)) {
        cJSON_Delete(json);
        md_err_set(err, MD_ERR_PARSE, "%s: the reply is not a JSON object", page->op);
        if (err) {
            err->http_status = 200;     /* md_aws_send returns MD_OK for 2xx only */
            snprintf(err->request_id, sizeof err->request_id, "%s", page->request_id);
        }
        return NULL;
    }
    return *page->parsed = json;
}

/* Hands one reply to fn on this thread. */
static md_status hand_over_raw(const struct call *k, const struct md_buf *raw,
                               const char *request_id, int end, bool last, md_page_raw_fn fn,
                               void *ctx, bool *stop, struct md_err *err)
{
    cJSON *parsed = NULL;
    struct md_page pg = {raw->data ? raw->data : "", raw->len, end, last, k->op, request_id,
                         &parsed};
    md_status st = fn(ctx, &pg, stop, err);
    cJSON_Delete(parsed);
    return st;
}

static md_status paginate_in_turn(struct call *k, md_page_raw_fn fn, void *ctx,
                                  struct md_err *err)
{
    md_status st = MD_OK;
    char *sent = NULL;      /* token sent with the current request */
    struct md_buf raw = MD_BUF_INIT;
    for (int page = 1;; page++) {
        md_buf_free(&raw);
        st = md_aws_json_call_raw(k->c, k->prefix, k->op, k->version, k->in, NULL, &raw, err);
        if (st != MD_OK)
            break;
        bool stop = false;
        char *next = NULL;
        if (k->max_pages <= 0 || page < k->max_pages)
            st = raw_next_token(k->pg, &raw, sent, &next, err);
        if (st == MD_OK)
            st = hand_over_raw(k, &raw, k->c->last.request_id, 0, !next, fn, ctx, &stop, err);
        if (st != MD_OK || stop || !next) {
            free(next);
            break;
        }
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
    bool last;              /* the listing ends with this page */
    double ms;              /* how long one attempt of the request took */
    struct fetched *next;
};

/* Where a caller that waits on two fetchers at once is woken. */
struct hub {
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

struct ahead {
    struct call *k;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct hub *hub;        /* NULL, or told of every page and of the end */
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
 * parse of the whole page to the caller's thread), else from a parse.  The
 * token is the reply's last member in SageMaker's replies: read from the
 * end, the next request goes out without this thread reading the page
 * (whose handler checks all of it; a page it refuses ends the listing). */
static md_status raw_next_token(const struct md_paginator *pg, const struct md_buf *raw,
                                const char *sent, char **next, struct md_err *err)
{
    *next = NULL;
    if (!pg)
        return MD_OK;
    const char *text = raw->data ? raw->data : "";
    const char *v;
    size_t n;
    int rc = pg->more_results ? 1 : md_rawjson_tail_member(text, raw->len, pg->output_token, &v, &n);
    if (rc != 0)
        rc = md_rawjson_member(text, raw->len, pg->output_token, &v, &n);
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

/* After a's state changed (a->mu released): wakes a caller waiting on its
 * hub.  Taking the hub's lock orders the wake-up after the caller's check. */
static void hub_tell(struct hub *h)
{
    if (!h)
        return;
    pthread_mutex_lock(&h->mu);
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
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
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        st = md_aws_json_call_raw(k->c, k->prefix, k->op, k->version, k->in, NULL, &f->raw,
                                  &err);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        /* one attempt's round trip: backoff sleeps are not the link's */
        double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
        int attempts = k->c->last.attempts > 0 ? k->c->last.attempts : 1;
        f->ms = (ms - (double)k->c->last.slept_ms) / attempts;
        snprintf(f->request_id, sizeof f->request_id, "%s", k->c->last.request_id);
        char *next = NULL;
        if (st == MD_OK && (k->max_pages <= 0 || page < k->max_pages))
            st = raw_next_token(k->pg, &f->raw, sent, &next, &err);
        if (st != MD_OK) {
            fetched_free(f);
            break;
        }
        f->last = !next;
        pthread_mutex_lock(&a->mu);
        if (a->tail)
            a->tail->next = f;
        else
            a->head = f;
        a->tail = f;
        a->queued++;
        pthread_cond_broadcast(&a->cv);
        struct hub *h = a->hub;
        pthread_mutex_unlock(&a->mu);
        hub_tell(h);
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
    struct hub *h = a->hub;
    pthread_mutex_unlock(&a->mu);
    hub_tell(h);
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

/* Hands a fetched page to fn (this thread); frees f. */
static md_status hand_over(const struct call *k, struct fetched *f, int end, md_page_raw_fn fn,
                           void *ctx, bool *stop, struct md_err *err)
{
    md_status st = hand_over_raw(k, &f->raw, f->request_id, end, f->last, fn, ctx, stop, err);
    fetched_free(f);
    return st;
}

/* Takes a's oldest fetched page (a->mu held); NULL when none waits. */
static struct fetched *ahead_pop(struct ahead *a)
{
    struct fetched *f = a->head;
    if (f) {
        a->head = f->next;
        if (!a->head)
            a->tail = NULL;
        a->queued--;
        pthread_cond_broadcast(&a->cv);
    }
    return f;
}

/* Tells the fetcher to stop, waits for it (after the request in flight)
 * and frees what it fetched that nobody took. */
static void ahead_end(struct ahead *a, pthread_t th)
{
    pthread_mutex_lock(&a->mu);
    a->quit = true;
    pthread_cond_broadcast(&a->cv);
    pthread_mutex_unlock(&a->mu);
    pthread_join(th, NULL);
    struct fetched *f;
    while ((f = ahead_pop(a)))
        fetched_free(f);
    pthread_cond_destroy(&a->cv);
    pthread_mutex_destroy(&a->mu);
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
        struct fetched *f = ahead_pop(a);
        if (!f) {
            /* Every page fetched was handled: the fetcher's end is ours. */
            st = a->st;
            if (st != MD_OK && err)
                *err = a->err;
        }
        pthread_mutex_unlock(&a->mu);
        if (!f)
            break;
        bool stop = false;
        st = hand_over(k, f, 0, fn, ctx, &stop, err);
        if (st != MD_OK || stop)
            break;
        if (!read_ahead) {
            pthread_mutex_lock(&a->mu);
            a->limit++;      /* the next page, now that this one is handled */
            pthread_cond_broadcast(&a->cv);
            pthread_mutex_unlock(&a->mu);
        }
    }
    ahead_end(a, th);
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
    if (p->running)
        ahead_end(&p->a, p->th);
    cJSON_Delete(p->k.in);
    free(p);
}

double md_aws_pager_first_ms(struct md_aws_pager *p)
{
    if (!p->running)
        return -1;
    struct ahead *a = &p->a;
    pthread_mutex_lock(&a->mu);
    while (!a->head && !a->done)
        pthread_cond_wait(&a->cv, &a->mu);
    double ms = a->head ? a->head->ms : -1;
    pthread_mutex_unlock(&a->mu);
    return ms;
}

/* Two fetchers, one caller: pages handed over as they come, taking from
 * the two in turn when both have some waiting.  Ends when fn says stop,
 * on the first error of fn or of either fetcher (the fetcher's once the
 * pages it fetched before were handed over), or when both have ended. */
static md_status pair_run(struct md_aws_pager *p[2], md_page_raw_fn fn, void *ctx,
                          struct md_err *err)
{
    struct hub h;
    pthread_mutex_init(&h.mu, NULL);
    pthread_cond_init(&h.cv, NULL);
    for (int i = 0; i < 2; i++) {
        pthread_mutex_lock(&p[i]->a.mu);
        p[i]->a.hub = &h;
        p[i]->a.limit = INT_MAX;
        pthread_cond_broadcast(&p[i]->a.cv);
        pthread_mutex_unlock(&p[i]->a.mu);
    }
    md_status st = MD_OK;
    bool ended[2] = {false, false};
    int first = 0;
    for (;;) {
        struct fetched *f = NULL;
        int end = -1;
        pthread_mutex_lock(&h.mu);
        for (;;) {
            for (int j = 0; j < 2 && !f && st == MD_OK; j++) {
                int i = (first + j) & 1;
                struct ahead *a = &p[i]->a;
                if (ended[i])
                    continue;
                pthread_mutex_lock(&a->mu);
                if ((f = ahead_pop(a))) {
                    end = i;
                } else if (a->done) {
                    ended[i] = true;
                    st = a->st;
                    if (st != MD_OK && err)
                        *err = a->err;
                }
                pthread_mutex_unlock(&a->mu);
            }
            if (f || st != MD_OK || (ended[0] && ended[1]))
                break;
            pthread_cond_wait(&h.cv, &h.mu);
        }
        pthread_mutex_unlock(&h.mu);
        if (!f)
            break;
        first = end ^ 1;
        bool stop = false;
        st = hand_over(&p[end]->k, f, end, fn, ctx, &stop, err);
        if (st != MD_OK || stop)
            break;
    }
    /* The fetchers may tell the hub until they are joined. */
    for (int i = 0; i < 2; i++)
        ahead_end(&p[i]->a, p[i]->th);
    pthread_cond_destroy(&h.cv);
    pthread_mutex_destroy(&h.mu);
    return st;
}

md_status md_aws_pager_finish_pair(struct md_aws_pager *front, struct md_aws_pager *back,
                                   md_page_raw_fn fn, void *ctx, struct md_err *err)
{
    if (!front->running || !back->running) {
        /* No second thread to be had: the front listing alone is complete. */
        md_aws_pager_cancel(back);
        return md_aws_pager_finish(front, true, fn, ctx, err);
    }
    struct md_aws_pager *p[2] = {front, back};
    md_status st = pair_run(p, fn, ctx, err);
    for (int i = 0; i < 2; i++) {
        cJSON_Delete(p[i]->k.in);
        free(p[i]);
    }
    return st;
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
    const cJSON *json = md_page_json(page, err);
    return json ? p->fn(p->ctx, json, stop, err) : err ? err->code : MD_ERR_PARSE;
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
