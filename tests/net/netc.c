/* netc: a small driver over mldeck's net and aws layers for the
 * integration tests in tests/net/ (the .py files).  Credentials come from
 * AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN (the chain
 * itself is tested elsewhere).  Every command prints one JSON object.
 *
 *   netc send --url U [--method M] [--body B | --body-file F] [--no-sign] [-H 'N: v']... [--tamper body|header]
 *   netc json --op Op --target-prefix P [--json-version 1.1] [--input JSON] [--paginate N]
 *   netc query --action A --version V [--param k=v]...
 *   netc s3-put-many --bucket B --count N [--prefix P]
 *   netc s3-list --bucket B [--prefix P] [--delimiter D] [--max-keys N]
 *   netc s3-get --bucket B --key K [--range R]     netc s3-head --bucket B --key K
 *   netc s3-put --bucket B --key K --data D [--unsigned]
 *   netc s3-presign --bucket B --key K [--expires S]
 *   netc threads --url U [--threads N] [--repeat M]
 * common: --log FILE (debug trace) --endpoint E --service S --region R --base-ms MS --attempts N
 *         --timeout-ms MS --cancel-after-ms MS --path-style
 */
#include <cjson/cJSON.h>
#include <pthread.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/paginate.h"
#include "aws/proto.h"
#include "aws/s3.h"
#include "net/http.h"
#include "net/retry.h"
#include "net/sigv4.h"
#include "util/log.h"

static const char *arg(int argc, char **argv, const char *name, const char *def)
{
    for (int i = 2; i + 1 < argc; i++)
        if (!strcmp(argv[i], name))
            return argv[i + 1];
    return def;
}

static bool flag(int argc, char **argv, const char *name)
{
    for (int i = 2; i < argc; i++)
        if (!strcmp(argv[i], name))
            return true;
    return false;
}

static struct timespec t0;
static long cancel_after_ms = -1;

static bool cancelled(void *ctx)
{
    if (cancel_after_ms < 0)
        return false;
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    long ms = (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
    return ms >= cancel_after_ms;
}

static void print_result(cJSON *o, md_status st, const struct md_err *err, int attempts)
{
    cJSON_AddStringToObject(o, "md_status", md_status_name(st));
    if (st != MD_OK) {
        cJSON_AddStringToObject(o, "code", err->svc_code);
        cJSON_AddStringToObject(o, "msg", err->msg);
        cJSON_AddStringToObject(o, "request_id", err->request_id);
        cJSON_AddNumberToObject(o, "err_http", err->http_status);
    }
    cJSON_AddNumberToObject(o, "attempts", attempts);
    char *s = cJSON_PrintUnformatted(o);
    printf("%s\n", s);
    free(s);
    cJSON_Delete(o);
}

struct pages {
    cJSON *arr;
};

static md_status on_page(void *ctx, const cJSON *page, bool *stop, struct md_err *err)
{
    struct pages *p = ctx;
    cJSON_AddItemToArray(p->arr, cJSON_Duplicate(page, 1));
    return MD_OK;
}

struct worker {
    const struct md_aws_client *c;
    const char *url;
    int repeat, id, ok, fail;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    void *curl = curl_easy_init();
    for (int i = 0; i < w->repeat; i++) {
        struct md_http_request req;
        char body[64];
        snprintf(body, sizeof body, "{\"worker\":%d,\"i\":%d}", w->id, i);
        md_http_request_init(&req, "POST", w->url);
        md_http_request_set_body(&req, body, strlen(body));
        md_headers_add(&req.headers, "X-Amz-Target", "SageMaker.ListPipelines");
        struct md_aws_target t = {.service = w->c->service, .region = w->c->region,
                                  .creds = w->c->creds};
        struct md_http_response resp = {0};
        struct md_err err;
        if (md_aws_send(curl, &req, &t, w->c->http, w->c->retry, &resp, NULL, &err) == MD_OK)
            w->ok++;
        else
            w->fail++;
        md_http_request_free(&req);
        md_http_response_free(&resp);
    }
    curl_easy_cleanup(curl);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: netc COMMAND [options]\n");
        return 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    const char *cmd = argv[1];
    struct md_aws_creds creds;
    memset(&creds, 0, sizeof creds);
    snprintf(creds.access_key_id, sizeof creds.access_key_id, "%s",
             getenv("AWS_ACCESS_KEY_ID") ? getenv("AWS_ACCESS_KEY_ID") : "");
    snprintf(creds.secret_access_key, sizeof creds.secret_access_key, "%s",
             getenv("AWS_SECRET_ACCESS_KEY") ? getenv("AWS_SECRET_ACCESS_KEY") : "");
    snprintf(creds.session_token, sizeof creds.session_token, "%s",
             getenv("AWS_SESSION_TOKEN") ? getenv("AWS_SESSION_TOKEN") : "");

    struct md_retry_cfg rc;
    md_retry_cfg_from_env(&rc, NULL);
    rc.base_ms = atol(arg(argc, argv, "--base-ms", "1000"));
    if (arg(argc, argv, "--attempts", NULL))
        rc.max_attempts = atoi(arg(argc, argv, "--attempts", "3"));
    cancel_after_ms = atol(arg(argc, argv, "--cancel-after-ms", "-1"));

    struct md_http_opts ho;
    md_http_opts_init(&ho);
    ho.timeout_ms = atol(arg(argc, argv, "--timeout-ms", "0"));
    ho.connect_timeout_ms = 2000;
    ho.cancelled = cancelled;
    ho.debug = flag(argc, argv, "--debug");
    /* --log FILE: what --debug does in mldeck, the trace goes to the log file. */
    if (arg(argc, argv, "--log", NULL)) {
        md_log_open(arg(argc, argv, "--log", NULL), MD_LOG_DEBUG);
        ho.debug = true;
    }

    struct md_aws_client c = {0};
    c.service = arg(argc, argv, "--service", "s3");
    c.region = arg(argc, argv, "--region", "us-east-1");
    c.endpoint = arg(argc, argv, "--endpoint", "");
    c.creds = &creds;
    c.http = &ho;
    c.retry = &rc;
    c.s3_path_style = flag(argc, argv, "--path-style");
    /* One handle for the whole run, as a sync worker keeps one: the
     * keep-alive connection is reused across attempts and pages. */
    md_http_global_init();
    c.curl = flag(argc, argv, "--no-reuse") ? NULL : curl_easy_init();

    struct md_err err;
    md_err_clear(&err);
    md_status st = MD_OK;
    cJSON *out = cJSON_CreateObject();

    if (!strcmp(cmd, "send")) {
        struct md_http_request req;
        md_http_request_init(&req, arg(argc, argv, "--method", "GET"), arg(argc, argv, "--url", ""));
        const char *body = arg(argc, argv, "--body", NULL);
        if (body)
            md_http_request_set_body(&req, body, strlen(body));
        const char *body_file = arg(argc, argv, "--body-file", NULL);
        if (body_file) {
            FILE *bf = fopen(body_file, "rb");
            char chunk[65536];
            size_t got;
            md_buf_reset(&req.body);
            while (bf && (got = fread(chunk, 1, sizeof chunk, bf)) > 0)
                md_buf_append(&req.body, chunk, got);
            if (bf)
                fclose(bf);
        }
        for (int i = 2; i + 1 < argc; i++)
            if (!strcmp(argv[i], "-H")) {
                char name[256];
                const char *colon = strchr(argv[i + 1], ':');
                if (!colon)
                    continue;
                snprintf(name, sizeof name, "%.*s", (int)(colon - argv[i + 1]), argv[i + 1]);
                md_headers_add(&req.headers, name, colon + 1 + (colon[1] == ' '));
            }
        struct md_http_response resp = {0};
        const char *tamper = arg(argc, argv, "--tamper", NULL);
        struct md_aws_call_info info = {0};
        if (tamper) {
            /* Sign, then change what was signed, then send once. */
            struct md_sigv4_params sp = {c.service, c.region, &creds, 0, false, false};
            st = md_sigv4_sign(&req, &sp, NULL, &err);
            if (!strcmp(tamper, "body"))
                md_http_request_set_body(&req, "{\"tampered\":true}", 17);
            else if (!strcmp(tamper, "header"))
                md_headers_set(&req.headers, "X-Amz-Target", "Tampered.Op");
            if (st == MD_OK)
                st = md_http_perform(c.curl, &req, &ho, &resp, &err);
            if (st == MD_OK && resp.status >= 300)
                st = md_aws_error_parse(&resp, &err);
            info.attempts = 1;
        } else {
            struct md_aws_target t = {.service = c.service, .region = c.region,
                                      .creds = flag(argc, argv, "--no-sign") ? NULL : &creds,
                                      .unsigned_payload = flag(argc, argv, "--unsigned")};
            st = md_aws_send(c.curl, &req, &t, &ho, &rc, &resp, &info, &err);
        }
        cJSON_AddNumberToObject(out, "http", resp.status);
        cJSON_AddStringToObject(out, "body", resp.body.data ? resp.body.data : "");
        cJSON_AddNumberToObject(out, "slept_ms", (double)info.slept_ms);
        md_http_request_free(&req);
        md_http_response_free(&resp);
        print_result(out, st, &err, info.attempts);
    } else if (!strcmp(cmd, "threads")) {
        /* N worker threads, each with its own handle, each sending M signed
         * requests (the way sync workers share the signer and key cache). */
        int nt = atoi(arg(argc, argv, "--threads", "4"));
        int m = atoi(arg(argc, argv, "--repeat", "25"));
        if (nt < 1 || nt > 32)
            nt = 4;
        struct worker w[32];
        pthread_t th[32];
        for (int i = 0; i < nt; i++) {
            w[i] = (struct worker){&c, arg(argc, argv, "--url", ""), m, i, 0, 0};
            pthread_create(&th[i], NULL, worker_main, &w[i]);
        }
        int ok = 0, fail = 0;
        for (int i = 0; i < nt; i++) {
            pthread_join(th[i], NULL);
            ok += w[i].ok;
            fail += w[i].fail;
        }
        cJSON_AddNumberToObject(out, "ok", ok);
        cJSON_AddNumberToObject(out, "fail", fail);
        st = fail ? MD_ERR_HTTP : MD_OK;
        print_result(out, st, &err, 0);
    } else if (!strcmp(cmd, "json")) {
        cJSON *in = cJSON_Parse(arg(argc, argv, "--input", "{}"));
        const char *prefix = arg(argc, argv, "--target-prefix", "SageMaker");
        const char *op = arg(argc, argv, "--op", "ListPipelines");
        const char *ver = arg(argc, argv, "--json-version", "1.1");
        if (arg(argc, argv, "--paginate", NULL)) {
            struct pages pg = {cJSON_CreateArray()};
            st = md_aws_json_paginate(&c, arg(argc, argv, "--model", "sagemaker"), prefix, ver, op,
                                      in, atoi(arg(argc, argv, "--paginate", "0")), on_page, &pg,
                                      &err);
            cJSON_AddItemToObject(out, "pages", pg.arr);
        } else {
            cJSON *res = NULL;
            st = md_aws_json_call(&c, prefix, op, ver, in, &res, &err);
            if (res)
                cJSON_AddItemToObject(out, "result", res);
        }
        cJSON_Delete(in);
        print_result(out, st, &err, c.last.attempts);
    } else if (!strcmp(cmd, "query")) {
        struct md_aws_param params[32];
        char *copies[32];
        size_t n = 0;
        for (int i = 2; i + 1 < argc && n < 32; i++)
            if (!strcmp(argv[i], "--param")) {
                copies[n] = strdup(argv[i + 1]);
                char *eq = strchr(copies[n], '=');
                if (!eq)
                    continue;
                *eq = '\0';
                params[n].name = copies[n];
                params[n].value = eq + 1;
                n++;
            }
        struct md_xml *x = NULL;
        const char *action = arg(argc, argv, "--action", "GetCallerIdentity");
        st = md_aws_query_call(&c, action, arg(argc, argv, "--version", "2011-06-15"), params, n,
                               &x, &err);
        if (x) {
            cJSON_AddStringToObject(out, "root", x->name);
            const char *path = arg(argc, argv, "--get", NULL);
            const char *v = path ? md_xml_text(x, path) : NULL;
            if (v)
                cJSON_AddStringToObject(out, "value", v);
        }
        md_xml_free(x);
        for (size_t i = 0; i < n; i++)
            free(copies[i]);
        print_result(out, st, &err, c.last.attempts);
    } else if (!strcmp(cmd, "s3-put-many")) {
        int count = atoi(arg(argc, argv, "--count", "10"));
        const char *prefix = arg(argc, argv, "--prefix", "k/");
        const char *bucket = arg(argc, argv, "--bucket", "b");
        int done = 0;
        for (int i = 0; i < count && st == MD_OK; i++) {
            char key[256], body[64];
            /* Keys with characters that need encoding in paths and XML. */
            snprintf(key, sizeof key, "%s%05d %s+&=%s.txt", prefix, i, i % 3 ? "a" : "\xc3\xa9",
                     i % 2 ? "x" : "y/z");
            snprintf(body, sizeof body, "body %d\n", i);
            struct md_http_response resp = {0};
            st = md_s3_put_object(&c, bucket, key, body, strlen(body), "text/plain", false, &resp,
                                  &err);
            md_http_response_free(&resp);
            if (st == MD_OK)
                done++;
        }
        cJSON_AddNumberToObject(out, "put", done);
        print_result(out, st, &err, c.last.attempts);
    } else if (!strcmp(cmd, "s3-list")) {
        struct md_s3_list l = {0};
        st = md_s3_list_all(&c, arg(argc, argv, "--bucket", "b"), arg(argc, argv, "--prefix", NULL),
                            arg(argc, argv, "--delimiter", NULL),
                            atoi(arg(argc, argv, "--max-keys", "0")), 0, &l, &err);
        cJSON *keys = cJSON_AddArrayToObject(out, "keys");
        for (size_t i = 0; i < l.n; i++)
            cJSON_AddItemToArray(keys, cJSON_CreateString(l.objects[i].key));
        cJSON *pre = cJSON_AddArrayToObject(out, "prefixes");
        for (size_t i = 0; i < l.nprefixes; i++)
            cJSON_AddItemToArray(pre, cJSON_CreateString(l.prefixes[i]));
        cJSON_AddNumberToObject(out, "pages", l.pages);
        if (l.n)
            cJSON_AddNumberToObject(out, "size0", (double)l.objects[0].size);
        md_s3_list_free(&l);
        print_result(out, st, &err, c.last.attempts);
    } else if (!strcmp(cmd, "s3-get") || !strcmp(cmd, "s3-head")) {
        struct md_http_response resp = {0};
        if (!strcmp(cmd, "s3-get"))
            st = md_s3_get_object(&c, arg(argc, argv, "--bucket", "b"), arg(argc, argv, "--key", "k"),
                                  arg(argc, argv, "--range", NULL), &resp, &err);
        else
            st = md_s3_head_object(&c, arg(argc, argv, "--bucket", "b"),
                                   arg(argc, argv, "--key", "k"), &resp, &err);
        cJSON_AddNumberToObject(out, "http", resp.status);
        cJSON_AddStringToObject(out, "body", resp.body.data ? resp.body.data : "");
        const char *cr = md_headers_get(&resp.headers, "Content-Range");
        const char *cl = md_headers_get(&resp.headers, "Content-Length");
        const char *et = md_headers_get(&resp.headers, "ETag");
        cJSON_AddStringToObject(out, "content_range", cr ? cr : "");
        cJSON_AddStringToObject(out, "content_length", cl ? cl : "");
        cJSON_AddStringToObject(out, "etag", et ? et : "");
        md_http_response_free(&resp);
        print_result(out, st, &err, c.last.attempts);
    } else if (!strcmp(cmd, "s3-put")) {
        struct md_http_response resp = {0};
        const char *data = arg(argc, argv, "--data", "");
        st = md_s3_put_object(&c, arg(argc, argv, "--bucket", "b"), arg(argc, argv, "--key", "k"),
                              data, strlen(data), "application/octet-stream",
                              flag(argc, argv, "--unsigned"), &resp, &err);
        cJSON_AddNumberToObject(out, "http", resp.status);
        const char *et = md_headers_get(&resp.headers, "ETag");
        cJSON_AddStringToObject(out, "etag", et ? et : "");
        md_http_response_free(&resp);
        print_result(out, st, &err, c.last.attempts);
    } else if (!strcmp(cmd, "s3-presign")) {
        char *url = NULL;
        st = md_s3_presign_get(&c, arg(argc, argv, "--bucket", "b"), arg(argc, argv, "--key", "k"),
                               atol(arg(argc, argv, "--expires", "300")), &url, &err);
        cJSON_AddStringToObject(out, "url", url ? url : "");
        free(url);
        print_result(out, st, &err, 0);
    } else {
        fprintf(stderr, "netc: unknown command %s\n", cmd);
        cJSON_Delete(out);
        return 2;
    }
    md_aws_creds_wipe(&creds);
    if (c.curl)
        curl_easy_cleanup(c.curl);
    return st == MD_OK ? 0 : 1;
}
