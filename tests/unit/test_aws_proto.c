/* The protocol layer without a network: AWS error parsing (JSON, header,
 * query XML, S3 XML, bare status), the XML reader on good and bad input,
 * time parsing, S3 addressing, and the paginator table checked against
 * the official models in $MLDECK_SHARED/aws-models. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../tap.h"
#include "aws/paginate.h"
#include "aws/proto.h"
#include "aws/s3.h"
#include "net/awsconfig.h"
#include "net/ratelimit.h"
#include "net/retry.h"
#include "net/xml.h"

static void resp_set(struct md_http_response *r, int status, const char *body)
{
    md_http_response_reset(r);
    r->status = status;
    if (body)
        md_buf_puts(&r->body, body);
}

static void test_errors(void)
{
    struct md_http_response r = {0};
    struct md_err e;

    resp_set(&r, 400, "{\"__type\":\"com.amazonaws.sagemaker#ResourceNotFound\","
                      "\"Message\":\"Pipeline p does not exist.\"}");
    md_headers_add(&r.headers, "x-amzn-RequestId", "rid-1");
    TAP_OK(md_aws_error_parse(&r, &e) == MD_ERR_NOTFOUND, "JSON ResourceNotFound -> NOTFOUND");
    TAP_EQ_STR(e.svc_code, "ResourceNotFound", "__type: text after the last #");
    TAP_EQ_STR(e.msg, "Pipeline p does not exist.", "JSON Message");
    TAP_EQ_STR(e.request_id, "rid-1", "x-amzn-RequestId");
    TAP_EQ_INT(e.http_status, 400, "status kept");

    resp_set(&r, 400, "{\"message\":\"Rate exceeded\"}");
    md_headers_add(&r.headers, "x-amzn-ErrorType", "ThrottlingException:http://internal.amazon.com/");
    TAP_OK(md_aws_error_parse(&r, &e) == MD_ERR_SERVICE, "throttling -> SERVICE");
    TAP_EQ_STR(e.svc_code, "ThrottlingException", "x-amzn-ErrorType: text before ':'");
    TAP_OK(md_retry_is_retryable(MD_OK, 400, e.svc_code), "throttling is retryable");

    resp_set(&r, 403, "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error>"
                      "<Type>Sender</Type><Code>SignatureDoesNotMatch</Code><Message>bad sig"
                      "</Message></Error><RequestId>q-1</RequestId></ErrorResponse>");
    TAP_OK(md_aws_error_parse(&r, &e) == MD_ERR_AUTH, "query 403 -> AUTH");
    TAP_EQ_STR(e.svc_code, "SignatureDoesNotMatch", "query <Error><Code>");
    TAP_EQ_STR(e.request_id, "q-1", "query <RequestId>");
    TAP_OK(md_retry_is_clock_skew(403, e.svc_code, e.msg), "SignatureDoesNotMatch may be skew");

    resp_set(&r, 404, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code>"
                      "<Message>The specified key does not exist.</Message><Key>a</Key>"
                      "<RequestId>s3-1</RequestId></Error>");
    TAP_OK(md_aws_error_parse(&r, &e) == MD_ERR_NOTFOUND, "S3 NoSuchKey -> NOTFOUND");
    TAP_EQ_STR(e.svc_code, "NoSuchKey", "S3 <Error><Code>");
    TAP_EQ_STR(e.request_id, "s3-1", "S3 RequestId in the body");

    resp_set(&r, 404, NULL);
    md_headers_add(&r.headers, "x-amz-request-id", "h-1");
    TAP_OK(md_aws_error_parse(&r, &e) == MD_ERR_NOTFOUND, "HEAD 404 -> NOTFOUND");
    TAP_EQ_STR(e.svc_code, "404", "a body-less error takes the status as code");
    TAP_EQ_STR(e.request_id, "h-1", "x-amz-request-id");

    resp_set(&r, 503, "<html>Service Unavailable</html");
    TAP_OK(md_aws_error_parse(&r, &e) == MD_ERR_HTTP, "garbage 503 body -> HTTP, no crash");
    TAP_EQ_STR(e.msg, "HTTP 503", "message says the status");
    TAP_OK(md_retry_is_retryable(MD_OK, 503, e.svc_code), "503 is retryable");

    resp_set(&r, 400, "{\"__type\":\"InvalidParameterInput\"}");
    md_headers_add(&r.headers, "x-amzn-query-error", "InvalidParameterInput;Sender");
    md_aws_error_parse(&r, &e);
    TAP_EQ_STR(e.svc_code, "InvalidParameterInput", "x-amzn-query-error code");

    resp_set(&r, 400, "{\"__type\":\"ValidationException\",\"message\":\"bad\"}");
    TAP_OK(!md_retry_is_retryable(MD_OK, 400, "ValidationException"), "validation not retried");
    TAP_OK(md_retry_is_retryable(MD_ERR_NET, 0, ""), "connection failure retried");
    md_http_response_free(&r);
}

static void test_retry_cfg(void)
{
    struct md_retry_cfg c;
    struct md_err w;
    unsetenv("AWS_RETRY_MODE");
    unsetenv("AWS_MAX_ATTEMPTS");
    md_retry_cfg_from_env(&c, &w);
    TAP_OK(c.mode == MD_RETRY_STANDARD && c.max_attempts == 3 && w.code == MD_OK,
           "defaults: standard, 3 attempts");
    setenv("AWS_MAX_ATTEMPTS", "7", 1);
    setenv("AWS_RETRY_MODE", "adaptive", 1);
    md_retry_cfg_from_env(&c, &w);
    TAP_OK(c.mode == MD_RETRY_ADAPTIVE && c.max_attempts == 7, "AWS_MAX_ATTEMPTS=7, adaptive");
    setenv("AWS_MAX_ATTEMPTS", "zero", 1);
    setenv("AWS_RETRY_MODE", "legacy", 1);
    md_retry_cfg_from_env(&c, &w);
    TAP_OK(c.mode == MD_RETRY_LEGACY && c.max_attempts == 5 && w.code == MD_ERR_INVALID,
           "legacy defaults to 5; a bad AWS_MAX_ATTEMPTS is a warning: %s", w.msg);
    setenv("AWS_RETRY_MODE", "bogus", 1);
    unsetenv("AWS_MAX_ATTEMPTS");
    md_retry_cfg_from_env(&c, &w);
    TAP_OK(c.mode == MD_RETRY_STANDARD && w.code == MD_ERR_INVALID, "unknown mode: standard + warning");
    unsetenv("AWS_RETRY_MODE");

    /* The profile's retry_mode / max_attempts, under the environment. */
    char path[] = "/tmp/mldeck-retry-cfg-XXXXXX";
    int fd = mkstemp(path);
    const char *ini = "[default]\nretry_mode = legacy\n[profile fast]\nmax_attempts = 2\n"
                      "retry_mode = standard\n[profile odd]\nmax_attempts = many\n";
    struct md_awsconfig *cfg = NULL;
    if (fd >= 0 && write(fd, ini, strlen(ini)) == (ssize_t)strlen(ini) &&
        md_awsconfig_load_paths(path, "/nonexistent/credentials", &cfg, &w) == MD_OK) {
        md_retry_cfg_resolve(&c, cfg, "default", &w);
        TAP_OK(c.mode == MD_RETRY_LEGACY && c.max_attempts == 5, "profile retry_mode = legacy");
        md_retry_cfg_resolve(&c, cfg, "fast", &w);
        TAP_OK(c.mode == MD_RETRY_STANDARD && c.max_attempts == 2, "profile max_attempts = 2");
        setenv("AWS_MAX_ATTEMPTS", "4", 1);
        md_retry_cfg_resolve(&c, cfg, "fast", &w);
        TAP_EQ_INT(c.max_attempts, 4, "AWS_MAX_ATTEMPTS beats the profile");
        unsetenv("AWS_MAX_ATTEMPTS");
        md_retry_cfg_resolve(&c, cfg, "odd", &w);
        TAP_OK(c.max_attempts == 3 && w.code == MD_ERR_INVALID, "bad profile value: warning (%s)",
               w.msg);
        md_awsconfig_free(cfg);
    } else {
        TAP_OK(0, "temporary config file");
    }
    if (fd >= 0) {
        close(fd);
        unlink(path);
    }

    md_retry_cfg_from_env(&c, NULL);
    TAP_EQ_INT(md_retry_backoff_ms(&c, 1, 0.5), 500, "retry 1: rand * 1 s");
    TAP_EQ_INT(md_retry_backoff_ms(&c, 3, 0.5), 2000, "retry 3: rand * 4 s");
    TAP_EQ_INT(md_retry_backoff_ms(&c, 30, 0.999), 19980, "capped at 20 s");
    TAP_EQ_INT(md_retry_backoff_ms(&c, 2, 0.0), 0, "full jitter reaches 0");
    c.mode = MD_RETRY_LEGACY;
    TAP_OK(md_retry_backoff_ms(&c, 6, 0.5) == 16000, "legacy: no cap");
    TAP_OK(md_retry_is_throttle("SlowDown") && md_retry_is_throttle("RequestLimitExceeded") &&
               !md_retry_is_throttle("AccessDenied"),
           "throttling codes");
    TAP_OK(md_retry_is_retryable(MD_OK, 400, "RequestTimeout") &&
               !md_retry_is_retryable(MD_OK, 501, "") && !md_retry_is_retryable(MD_ERR_AUTH, 0, ""),
           "transient codes yes; 501 and auth failures no");
}

/* Adaptive mode's limiter, driven with a fake clock. */
static void test_ratelimit(void)
{
    struct md_ratelimit r;
    bool on;
    md_ratelimit_init(&r, 100.0);
    TAP_OK(md_ratelimit_acquire(&r, 100.0) == 0, "off until throttled: no wait");
    double t = 100.0;
    for (int i = 0; i < 40; i++, t += 0.1)      /* 10 requests/s for 4 s */
        md_ratelimit_record(&r, t, false);
    md_ratelimit_rate(&r, &on);
    TAP_OK(!on && md_ratelimit_acquire(&r, t) == 0, "successes alone never turn it on");
    md_ratelimit_record(&r, t, true);
    double rate = md_ratelimit_rate(&r, &on);
    TAP_OK(on && rate > 6.0 && rate < 7.5, "throttled at ~10/s: rate cut to ~70%% (%.2f/s)", rate);
    double w1 = md_ratelimit_acquire(&r, t);
    double w2 = md_ratelimit_acquire(&r, t);
    TAP_OK(w1 > 0 && w2 > w1 && w2 - w1 > 0.9 / rate && w2 - w1 < 1.1 / rate,
           "tokens are spaced 1/rate apart (%.3f s, %.3f s)", w1, w2);
    /* Successes afterwards climb back towards the rate before the throttle. */
    double k = cbrt(10.0 * 0.3 / 0.4);
    for (double s2 = t + 0.1; s2 < t + k + 0.05; s2 += 0.1)
        md_ratelimit_record(&r, s2, false);
    double back = md_ratelimit_rate(&r, NULL);
    TAP_OK(back > rate && back < 12.0, "CUBIC recovery towards the old rate (%.2f/s)", back);
    struct md_ratelimit slow;
    md_ratelimit_init(&slow, 0.0);
    md_ratelimit_record(&slow, 0.0, true);
    TAP_OK(md_ratelimit_rate(&slow, NULL) == 0.5, "never below 0.5 request/s");
}

static void test_xml(void)
{
    struct md_xml *x;
    struct md_err e;
    const char *doc = "<?xml version=\"1.0\"?><a:Root xmlns:a=\"urn:x\"><a:K>v1</a:K>"
                      "<K>v2</K><Nest><Deep>&lt;&amp;&#233;</Deep></Nest></a:Root>";
    TAP_OK(md_xml_parse(doc, strlen(doc), &x, &e) == MD_OK, "xml parse");
    TAP_EQ_STR(x->name, "Root", "namespace prefix dropped");
    const struct md_xml *k = md_xml_child(x, "K");
    TAP_EQ_STR(k ? k->text : NULL, "v1", "first K");
    TAP_EQ_STR(md_xml_next_same(k) ? md_xml_next_same(k)->text : NULL, "v2", "next K");
    TAP_EQ_STR(md_xml_text(x, "Nest/Deep"), "<&\xc3\xa9", "entities decoded to UTF-8");
    TAP_OK(md_xml_text(x, "Nest/Missing") == NULL, "missing path -> NULL");
    md_xml_free(x);

    static const char *bad[] = {
        "", "<a>", "<a></b>", "<a/><b/>", "not xml",
        "<!DOCTYPE a [<!ENTITY x \"xxxxxxxx\"><!ENTITY y \"&x;&x;&x;&x;\">]><a>&y;</a>",
        "<a>\x01</a>", NULL,
    };
    for (int i = 0; bad[i]; i++) {
        x = NULL;
        TAP_OK(md_xml_parse(bad[i], strlen(bad[i]), &x, &e) == MD_ERR_PARSE && x == NULL,
               "bad xml %d refused: %s", i, e.msg);
    }
    /* Deep nesting is refused, not recursed into. */
    char deep[4096] = "";
    for (int i = 0; i < 200; i++)
        strcat(deep, "<a>");
    TAP_OK(md_xml_parse(deep, strlen(deep), &x, &e) == MD_ERR_PARSE, "deep nesting refused");
}

static void test_time_and_s3(void)
{
    TAP_OK(md_aws_parse_time("2026-11-26T10:36:54Z") == 1795689414.0, "ISO 8601 Z");
    TAP_OK(md_aws_parse_time("2026-11-26T10:36:54.250Z") == 1795689414.25, "ISO with fraction");
    TAP_OK(md_aws_parse_time("2026-11-26T11:36:54+01:00") == 1795689414.0, "ISO with offset");
    TAP_OK(md_aws_parse_time("1795689414.5") == 1795689414.5, "epoch seconds with fraction");
    TAP_OK(md_aws_parse_time("yesterday") == -1, "garbage time -> -1");

    TAP_OK(md_s3_bucket_dns_ok("my-bucket", true), "dns bucket");
    TAP_OK(!md_s3_bucket_dns_ok("My_Bucket", true), "upper/underscore bucket is not");
    TAP_OK(!md_s3_bucket_dns_ok("a.b.c", true), "dotted bucket not virtual-hosted over https");
    struct md_aws_client c = {0};
    c.service = "s3";
    c.region = "us-east-1";
    c.endpoint = "https://s3.us-east-1.amazonaws.com/";
    char *u = md_s3_object_url(&c, "bkt", "dir/a b+c~ü.jpg");
    TAP_EQ_STR(u, "https://bkt.s3.us-east-1.amazonaws.com/dir/a%20b%2Bc~%C3%BC.jpg",
               "virtual-hosted URL, key encoded once with / kept");
    free(u);
    c.endpoint = "http://127.0.0.1:4569";
    u = md_s3_object_url(&c, "bkt", "k");
    TAP_EQ_STR(u, "http://127.0.0.1:4569/bkt/k", "an IP endpoint is path-style");
    free(u);
    c.endpoint = "http://localhost:4569/";
    u = md_s3_object_url(&c, "bkt", "k");
    TAP_EQ_STR(u, "http://localhost:4569/bkt/k", "localhost is path-style");
    free(u);
    c.endpoint = "http://minio.internal:9000";
    u = md_s3_object_url(&c, "bkt", "k");
    TAP_EQ_STR(u, "http://bkt.minio.internal:9000/k", "a named custom endpoint is virtual-hosted");
    free(u);
    c.endpoint = "http://127.0.0.1:4569";
    c.s3_path_style = true;
    u = md_s3_object_url(&c, "bkt", "k");
    TAP_EQ_STR(u, "http://127.0.0.1:4569/bkt/k", "path-style URL");
    free(u);
    char tok[37];
    md_aws_idempotency_token(tok);
    TAP_OK(strlen(tok) == 36 && tok[14] == '4', "idempotency token is a uuid4");
}

static void test_s3_list_xml(void)
{
    struct md_s3_list l = {0};
    struct md_err e;
    const char *enc =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        "<Name>b</Name><Prefix>d%2F</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>"
        "<EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>"
        "<Contents><Key>d/a+b%2Bc%C3%A9%01.txt</Key><LastModified>2026-11-26T10:00:00.000Z</LastModified>"
        "<ETag>&quot;abc&quot;</ETag><Size>12</Size><StorageClass>STANDARD</StorageClass></Contents>"
        "<Contents><Key>d/x</Key><Size>0</Size></Contents>"
        "<CommonPrefixes><Prefix>d/sub+dir/</Prefix></CommonPrefixes>"
        "<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>"
        "</ListBucketResult>";
    TAP_OK(md_s3_parse_list(enc, strlen(enc), &l, &e) == MD_OK, "ListObjectsV2 reply parses");
    TAP_OK(l.n == 2 && !strcmp(l.objects[0].key, "d/a b+c\xc3\xa9\x01.txt"),
           "encoding-type=url: '+' is a space, %%XX decoded (even a control byte)");
    TAP_OK(l.n == 2 && l.objects[0].size == 12 && !strcmp(l.objects[0].etag, "\"abc\"") &&
               !strcmp(l.objects[0].storage_class, "STANDARD"),
           "size, ETag, storage class");
    TAP_OK(l.nprefixes == 1 && !strcmp(l.prefixes[0], "d/sub dir/"), "CommonPrefixes decoded");
    TAP_OK(l.truncated && l.next_token &&
               !strcmp(l.next_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM="),
           "IsTruncated and NextContinuationToken kept verbatim");
    md_s3_list_free(&l);
    const char *raw = "<ListBucketResult><Contents><Key>a+b</Key></Contents>"
                      "<IsTruncated>false</IsTruncated></ListBucketResult>";
    TAP_OK(md_s3_parse_list(raw, strlen(raw), &l, &e) == MD_OK && l.n == 1 &&
               !strcmp(l.objects[0].key, "a+b") && !l.truncated,
           "no EncodingType in the reply: keys taken as sent");
    md_s3_list_free(&l);
    const char *wrong = "<Error><Code>AccessDenied</Code></Error>";
    TAP_OK(md_s3_parse_list(wrong, strlen(wrong), &l, &e) == MD_ERR_PARSE, "not a listing: parse error");
    md_s3_list_free(&l);
}

/* Every table entry matches the model's paginators-1.json. */
static void test_paginators(void)
{
    const char *shared = getenv("MLDECK_SHARED");
    char path[1024];
    int checked = 0, bad = 0;
    for (const struct md_paginator *p = md_paginators; p->service && shared; p++) {
        snprintf(path, sizeof path, "%s/aws-models/%s/paginators-1.json", shared, p->service);
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        static char buf[1 << 20];
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = '\0';
        cJSON *j = cJSON_Parse(buf);
        const cJSON *all = cJSON_GetObjectItemCaseSensitive(j, "pagination");
        const cJSON *e;
        cJSON_ArrayForEach(e, all)
        {
            bool applies = !strcmp(p->op, e->string) ||
                           (!strcmp(p->op, "*") && !strncmp(e->string, "List", 4) &&
                            md_paginator_find(p->service, e->string) == p);
            if (!applies)
                continue;
            const cJSON *it = cJSON_GetObjectItemCaseSensitive(e, "input_token");
            const cJSON *ot = cJSON_GetObjectItemCaseSensitive(e, "output_token");
            const cJSON *lk = cJSON_GetObjectItemCaseSensitive(e, "limit_key");
            const cJSON *mr = cJSON_GetObjectItemCaseSensitive(e, "more_results");
            bool ok = cJSON_IsString(it) && !strcmp(it->valuestring, p->input_token) &&
                      cJSON_IsString(ot) && !strcmp(ot->valuestring, p->output_token) &&
                      (lk ? p->limit_key && !strcmp(lk->valuestring, p->limit_key) : !p->limit_key) &&
                      (mr ? p->more_results && !strcmp(mr->valuestring, p->more_results)
                          : !p->more_results);
            checked++;
            if (!ok) {
                bad++;
                printf("# paginator mismatch: %s %s\n", p->service, e->string);
            }
        }
        if (!cJSON_GetObjectItemCaseSensitive(all, p->op) && strcmp(p->op, "*") != 0 &&
            !p->same_token_ends) {
            bad++;
            printf("# %s %s is not in the model\n", p->service, p->op);
        }
        cJSON_Delete(j);
    }
    if (!checked) {
        TAP_OK(1, "# SKIP paginator models not found under $MLDECK_SHARED");
        return;
    }
    TAP_OK(bad == 0 && checked > 90, "paginator table agrees with the models (%d operations)",
           checked);
    TAP_OK(md_paginator_find("logs", "GetLogEvents")->same_token_ends,
           "GetLogEvents ends on an unchanged forward token");
    TAP_OK(md_paginator_find("sagemaker", "DescribePipeline") == NULL, "Describe* does not page");
}

/* The idempotency-token table matches the models' idempotencyToken traits. */
static void test_idempotency_table(void)
{
    static const char *const svcs[] = {"sagemaker", "logs", "events", "cloudwatch", NULL};
    const char *shared = getenv("MLDECK_SHARED");
    int found = 0, bad = 0;
    for (int i = 0; svcs[i] && shared; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/aws-models/%s/service-2.json", shared, svcs[i]);
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        fseek(f, 0, SEEK_SET);
        char *buf = malloc((size_t)n + 1);
        if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
            fclose(f);
            free(buf);
            continue;
        }
        fclose(f);
        buf[n] = '\0';
        cJSON *m = cJSON_Parse(buf);
        free(buf);
        const cJSON *meta = cJSON_GetObjectItemCaseSensitive(m, "metadata");
        const cJSON *tp = cJSON_GetObjectItemCaseSensitive(meta, "targetPrefix");
        const cJSON *shapes = cJSON_GetObjectItemCaseSensitive(m, "shapes");
        const cJSON *op;
        cJSON_ArrayForEach(op, cJSON_GetObjectItemCaseSensitive(m, "operations"))
        {
            const cJSON *in = cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(op, "input"), "shape");
            const char *want = NULL;
            if (cJSON_IsString(in)) {
                const cJSON *mem;
                cJSON_ArrayForEach(mem, cJSON_GetObjectItemCaseSensitive(
                                            cJSON_GetObjectItemCaseSensitive(shapes, in->valuestring),
                                            "members"))
                {
                    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(mem, "idempotencyToken")))
                        want = mem->string;
                }
            }
            const char *got = cJSON_IsString(tp) ? md_aws_idempotency_member(tp->valuestring, op->string)
                                                 : NULL;
            if (want)
                found++;
            if ((want == NULL) != (got == NULL) || (want && strcmp(want, got) != 0)) {
                bad++;
                printf("# idempotency member mismatch: %s.%s\n", svcs[i], op->string);
            }
        }
        cJSON_Delete(m);
    }
    if (!found) {
        TAP_OK(1, "# SKIP models not found under $MLDECK_SHARED");
        return;
    }
    TAP_OK(bad == 0 && found >= 14, "idempotency-token table agrees with the models (%d operations)",
           found);
}

int main(void)
{
    test_errors();
    test_retry_cfg();
    test_ratelimit();
    test_xml();
    test_time_and_s3();
    test_s3_list_xml();
    test_paginators();
    test_idempotency_table();
    return tap_done();
}
