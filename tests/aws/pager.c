/* pager: md_aws_json_paginate_pages over ListTrainingJobs, for
 * tests/aws/test_pager.py.  Prints one JSON object: the status, the pages
 * the handler saw, every item's name in the order seen, and for each page
 * the number of requests the server had received when it was handed over.
 *
 *   pager ENDPOINT MODE [--stop-after N] [--fail-at N] [--max-pages N]
 *
 * MODE: seq, ahead (md_aws_json_paginate_pages without and with read-ahead),
 * started-seq, started-ahead (md_aws_pager_start, then finish without or
 * with read-ahead), started-cancel (start, then cancel), pair (two pagers,
 * newest and oldest first, each over its own handle, finished together
 * with md_aws_pager_finish_pair; "ends" and "lasts" then say which pager
 * each page came from and whether it was its last).  --stop-after N:
 * the handler sets *stop on page N; --fail-at N: it returns an error on
 * page N.  Credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY;
 * retries from AWS_MAX_ATTEMPTS. */
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/paginate.h"
#include "aws/proto.h"
#include "net/http.h"
#include "net/retry.h"
#include "util/buf.h"

struct seen {
    cJSON *names;
    cJSON *requests;        /* the server's request count at each page */
    cJSON *ends, *lasts;    /* each page's md_page.end and .last */
    cJSON *sizes;           /* each page's number of items */
    const char *endpoint;
    int pages;
    int stop_after, fail_at;
    bool bytes_ok;          /* every page's bytes parse to the page handed over */
};

static size_t collect(char *p, size_t size, size_t n, void *ctx)
{
    md_buf_append(ctx, p, size * n);
    return size * n;
}

/* How many requests the fake server has received, from its control API
 * (its own handle: the listing's may be busy on the fetching thread). */
static int server_requests(const char *endpoint)
{
    char url[512];
    snprintf(url, sizeof url, "%s/__control/requests", endpoint);
    struct md_buf b = MD_BUF_INIT;
    CURL *h = curl_easy_init();
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    int total = -1;
    if (curl_easy_perform(h) == CURLE_OK) {
        cJSON *j = cJSON_ParseWithLength(b.data ? b.data : "", b.len);
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "total");
        total = cJSON_IsNumber(t) ? t->valueint : -1;
        cJSON_Delete(j);
    }
    curl_easy_cleanup(h);
    md_buf_free(&b);
    return total;
}

static md_status on_page(void *ctx, const struct md_page *page, bool *stop, struct md_err *err)
{
    struct seen *s = ctx;
    s->pages++;
    cJSON_AddItemToArray(s->requests, cJSON_CreateNumber(server_requests(s->endpoint)));
    cJSON_AddItemToArray(s->ends, cJSON_CreateNumber(page->end));
    cJSON_AddItemToArray(s->lasts, cJSON_CreateBool(page->last));
    const cJSON *json = md_page_json(page, err);
    if (!json)
        return err->code;
    if (md_page_json(page, err) != json)
        s->bytes_ok = false;    /* parsed once, then the same tree */
    cJSON *again = cJSON_ParseWithLength(page->raw, page->raw_len);
    char *a = again ? cJSON_PrintUnformatted(again) : NULL;
    char *b = cJSON_PrintUnformatted(json);
    if (!a || !b || strcmp(a, b) != 0)
        s->bytes_ok = false;
    cJSON_free(a);
    cJSON_free(b);
    cJSON_Delete(again);
    const cJSON *item, *items = cJSON_GetObjectItemCaseSensitive(json, "TrainingJobSummaries");
    cJSON_AddItemToArray(s->sizes, cJSON_CreateNumber(cJSON_GetArraySize(items)));
    cJSON_ArrayForEach(item, items) {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(item, "TrainingJobName");
        cJSON_AddItemToArray(s->names, cJSON_CreateString(cJSON_IsString(n) ? n->valuestring : "?"));
    }
    if (s->pages == s->fail_at)
        return md_err_set(err, MD_ERR_CACHE, "handler failed on page %d", s->pages);
    if (s->pages == s->stop_after)
        *stop = true;
    return MD_OK;
}

static int opt(int argc, char **argv, const char *name)
{
    for (int i = 3; i + 1 < argc; i++)
        if (!strcmp(argv[i], name))
            return atoi(argv[i + 1]);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: pager ENDPOINT seq|ahead [--stop-after N] [--fail-at N]"
                        " [--max-pages N]\n");
        return 2;
    }
    struct md_aws_creds creds;
    memset(&creds, 0, sizeof creds);
    snprintf(creds.access_key_id, sizeof creds.access_key_id, "%s",
             getenv("AWS_ACCESS_KEY_ID") ? getenv("AWS_ACCESS_KEY_ID") : "");
    snprintf(creds.secret_access_key, sizeof creds.secret_access_key, "%s",
             getenv("AWS_SECRET_ACCESS_KEY") ? getenv("AWS_SECRET_ACCESS_KEY") : "");
    struct md_retry_cfg rc;
    md_retry_cfg_from_env(&rc, NULL);
    rc.base_ms = 50;
    struct md_http_opts ho;
    md_http_opts_init(&ho);
    md_http_global_init();
    struct md_aws_client c = {0};
    c.service = "sagemaker";
    c.region = "us-east-1";
    c.endpoint = argv[1];
    c.creds = &creds;
    c.http = &ho;
    c.retry = &rc;
    c.curl = curl_easy_init();

    cJSON *in = cJSON_Parse("{\"SortBy\":\"CreationTime\",\"SortOrder\":\"Descending\","
                            "\"MaxResults\":100}");
    struct seen s = {cJSON_CreateArray(), cJSON_CreateArray(), cJSON_CreateArray(),
                     cJSON_CreateArray(), cJSON_CreateArray(), argv[1], 0, opt(argc, argv, "--stop-after"),
                     opt(argc, argv, "--fail-at"), true};
    struct md_err err;
    md_err_clear(&err);
    const char *mode = argv[2];
    int max_pages = opt(argc, argv, "--max-pages");
    md_status st;
    struct md_aws_client c2 = c;
    c2.curl = curl_easy_init();
    if (!strcmp(mode, "pair")) {
        cJSON *back_in = cJSON_Duplicate(in, 1);
        cJSON_ReplaceItemInObjectCaseSensitive(back_in, "SortOrder",
                                               cJSON_CreateString("Ascending"));
        struct md_aws_pager *front = NULL, *back = NULL;
        st = md_aws_pager_start(&c, "sagemaker", "SageMaker", "1.1", "ListTrainingJobs", in,
                                max_pages, &front, &err);
        if (st == MD_OK)
            st = md_aws_pager_start(&c2, "sagemaker", "SageMaker", "1.1", "ListTrainingJobs",
                                    back_in, max_pages, &back, &err);
        if (st == MD_OK)
            st = md_aws_pager_finish_pair(front, back, on_page, &s, &err);
        else
            md_aws_pager_cancel(front);
        cJSON_Delete(back_in);
    } else if (!strncmp(mode, "started-", 8)) {
        struct md_aws_pager *p = NULL;
        st = md_aws_pager_start(&c, "sagemaker", "SageMaker", "1.1", "ListTrainingJobs", in,
                                max_pages, &p, &err);
        if (st == MD_OK && !strcmp(mode, "started-cancel"))
            md_aws_pager_cancel(p);
        else if (st == MD_OK)
            st = md_aws_pager_finish(p, !strcmp(mode, "started-ahead"), on_page, &s, &err);
    } else {
        st = md_aws_json_paginate_pages(&c, "sagemaker", "SageMaker", "1.1", "ListTrainingJobs",
                                        in, max_pages, !strcmp(mode, "ahead"), on_page, &s, &err);
    }
    cJSON *out = cJSON_CreateObject();
    cJSON_AddStringToObject(out, "status", md_status_name(st));
    cJSON_AddStringToObject(out, "error", st == MD_OK ? "" : err.msg);
    cJSON_AddStringToObject(out, "code", st == MD_OK ? "" : err.svc_code);
    cJSON_AddNumberToObject(out, "pages", s.pages);
    cJSON_AddBoolToObject(out, "bytes_ok", s.bytes_ok);
    cJSON_AddItemToObject(out, "names", s.names);
    cJSON_AddItemToObject(out, "requests", s.requests);
    cJSON_AddItemToObject(out, "ends", s.ends);
    cJSON_AddItemToObject(out, "lasts", s.lasts);
    cJSON_AddItemToObject(out, "sizes", s.sizes);
    char *text = cJSON_PrintUnformatted(out);
    printf("%s\n", text ? text : "{}");
    cJSON_free(text);
    cJSON_Delete(out);
    cJSON_Delete(in);
    curl_easy_cleanup(c.curl);
    curl_easy_cleanup(c2.curl);
    return st == MD_OK ? 0 : 1;
}
