/* SigV4 known-answer tests.  The expected signatures are the published
 * values of AWS's SigV4 test suite (credentials AKIDEXAMPLE /
 * wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, 20150830T123600Z, us-east-1,
 * service "service", host example.amazonaws.com) and of the S3 SigV4
 * documentation examples (AKIAIOSFODNN7EXAMPLE /
 * wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY, 20130524T000000Z, examplebucket);
 * each was also checked with botocore's signer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/sigv4.h"
#include "net/url.h"
#include "../tap.h"

static struct md_aws_creds suite_creds(void)
{
    struct md_aws_creds c;
    memset(&c, 0, sizeof c);
    strcpy(c.access_key_id, "AKIDEXAMPLE");
    strcpy(c.secret_access_key, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    return c;
}

static struct md_aws_creds s3doc_creds(void)
{
    struct md_aws_creds c;
    memset(&c, 0, sizeof c);
    strcpy(c.access_key_id, "AKIAIOSFODNN7EXAMPLE");
    strcpy(c.secret_access_key, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    return c;
}

/* Signs and returns the Signature= hex (static buffer) or "ERR". */
static const char *sig_of(struct md_http_request *r, const char *service,
                          const struct md_aws_creds *c, const char *date, bool unsigned_payload,
                          struct md_sigv4_trace *tr)
{
    static char out[80];
    struct md_sigv4_params p = {service, "us-east-1", c, md_sigv4_parse_amz_date(date),
                                unsigned_payload, false};
    struct md_err err;
    if (md_sigv4_sign(r, &p, tr, &err) != MD_OK) {
        fprintf(stderr, "# sign failed: %s\n", err.msg);
        return "ERR";
    }
    const char *auth = md_headers_get(&r->headers, "Authorization");
    const char *s = auth ? strstr(auth, "Signature=") : NULL;
    snprintf(out, sizeof out, "%s", s ? s + 10 : "none");
    return out;
}

static const char *suite(const char *method, const char *url, const char *h1n, const char *h1v,
                         const char *h2n, const char *h2v, const char *body, bool token)
{
    struct md_http_request r;
    md_http_request_init(&r, method, url);
    md_headers_add(&r.headers, "Host", "example.amazonaws.com");
    if (h1n)
        md_headers_add(&r.headers, h1n, h1v);
    if (h2n)
        md_headers_add(&r.headers, h2n, h2v);
    if (body)
        md_http_request_set_body(&r, body, strlen(body));
    struct md_aws_creds c = suite_creds();
    if (token)
        strcpy(c.session_token,
               "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmx"
               "fpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0"
               "KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64l"
               "IZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==");
    static char keep[80];
    snprintf(keep, sizeof keep, "%s", sig_of(&r, "service", &c, "20150830T123600Z", false, NULL));
    md_http_request_free(&r);
    return keep;
}

static void test_suite(void)
{
    TAP_EQ_STR(suite("GET", "https://example.amazonaws.com/", NULL, NULL, NULL, NULL, NULL, false),
               "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31", "get-vanilla");
    TAP_EQ_STR(suite("GET", "https://example.amazonaws.com/?Param2=value2&Param1=value1", NULL,
                     NULL, NULL, NULL, NULL, false),
               "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
               "get-vanilla-query-order-key-case");
    TAP_EQ_STR(suite("GET", "https://example.amazonaws.com/", "My-Header1", " value1", "My-Header2",
                     " \"a   b   c\"", NULL, false),
               "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736",
               "get-header-value-trim");
    TAP_EQ_STR(suite("GET", "https://example.amazonaws.com/\xe1\x88\xb4", NULL, NULL, NULL, NULL,
                     NULL, false),
               "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85", "get-utf8");
    TAP_EQ_STR(suite("GET", "https://example.amazonaws.com/example1/example2/../..", NULL, NULL,
                     NULL, NULL, NULL, false),
               "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
               "normalize-path/get-relative-relative");
    TAP_EQ_STR(suite("GET", "https://example.amazonaws.com//example//", NULL, NULL, NULL, NULL,
                     NULL, false),
               "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84",
               "normalize-path/get-slashes");
    TAP_EQ_STR(suite("GET", "https://example.amazonaws.com/example%20space/", NULL, NULL, NULL,
                     NULL, NULL, false),
               "446b817944c553435b35e813c261ff4e161fff982d1bacdef1c87f6785dd1662",
               "non-S3 path is encoded twice (%%20 -> %%2520)");
    TAP_EQ_STR(suite("GET", "https://example.amazonaws.com/", "My-Header1", "value2", "My-Header1",
                     "value1", NULL, false),
               "bdec613c2a8207a05bafa9a654353e209c3710b086c46ced81798cdcf09f80c1",
               "repeated header: values joined in request order");
    TAP_EQ_STR(suite("POST", "https://example.amazonaws.com/", "Content-Type",
                     "application/x-www-form-urlencoded", NULL, NULL, "Param1=value1", false),
               "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a",
               "post-x-www-form-urlencoded");
    TAP_EQ_STR(suite("POST", "https://example.amazonaws.com/", NULL, NULL, NULL, NULL, NULL, true),
               "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead",
               "post-sts-token (token signed)");
}

static void test_vanilla_trace(void)
{
    struct md_http_request r;
    md_http_request_init(&r, "GET", "https://example.amazonaws.com/");
    struct md_aws_creds c = suite_creds();
    struct md_sigv4_trace tr;
    sig_of(&r, "service", &c, "20150830T123600Z", false, &tr);
    TAP_EQ_STR(tr.canonical_request,
               "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
               "host;x-amz-date\n"
               "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
               "get-vanilla canonical request (Host added from the URL)");
    TAP_EQ_STR(tr.string_to_sign,
               "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
               "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
               "get-vanilla string to sign");
    TAP_EQ_STR(md_headers_get(&r.headers, "X-Amz-Date"), "20150830T123600Z", "X-Amz-Date added");
    TAP_EQ_STR(md_headers_get(&r.headers, "Authorization"),
               "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
               "SignedHeaders=host;x-amz-date, "
               "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
               "Authorization header format");
    TAP_OK(md_headers_get(&r.headers, "X-Amz-Content-SHA256") == NULL,
           "non-S3: no X-Amz-Content-SHA256 header");
    md_sigv4_trace_free(&tr);

    /* Signing again (a retry) replaces, never duplicates. */
    sig_of(&r, "service", &c, "20150830T123700Z", false, NULL);
    size_t nauth = 0, ndate = 0;
    for (size_t i = 0; i < r.headers.n; i++) {
        nauth += !strcasecmp(r.headers.v[i].name, "Authorization");
        ndate += !strcasecmp(r.headers.v[i].name, "X-Amz-Date");
    }
    TAP_OK(nauth == 1 && ndate == 1, "re-signing replaces Authorization and X-Amz-Date");
    TAP_EQ_STR(md_headers_get(&r.headers, "X-Amz-Date"), "20150830T123700Z", "new date on re-sign");
    md_http_request_free(&r);
}

static void test_s3(void)
{
    struct md_aws_creds c = s3doc_creds();
    struct md_http_request r;
    md_http_request_init(&r, "GET", "https://examplebucket.s3.amazonaws.com/test.txt");
    md_headers_add(&r.headers, "Range", "bytes=0-9");
    TAP_EQ_STR(sig_of(&r, "s3", &c, "20130524T000000Z", false, NULL),
               "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
               "S3 doc example: GET Object with Range");
    TAP_EQ_STR(md_headers_get(&r.headers, "x-amz-content-sha256"),
               "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
               "S3: X-Amz-Content-SHA256 of the empty body");
    md_http_request_free(&r);

    md_http_request_init(&r, "GET", "https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J");
    TAP_EQ_STR(sig_of(&r, "s3", &c, "20130524T000000Z", false, NULL),
               "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
               "S3 doc example: GET Bucket (list objects)");
    md_http_request_free(&r);

    md_http_request_init(&r, "PUT", "https://examplebucket.s3.amazonaws.com/a%20b/c");
    md_http_request_set_body(&r, "hello", 5);
    md_headers_add(&r.headers, "X-Amz-Content-SHA256", "stale");
    struct md_sigv4_trace tr;
    sig_of(&r, "s3", &c, "20130524T000000Z", true, &tr);
    TAP_EQ_STR(md_headers_get(&r.headers, "X-Amz-Content-SHA256"), "UNSIGNED-PAYLOAD",
               "unsigned payload replaces any X-Amz-Content-SHA256");
    TAP_OK(strstr(tr.canonical_request, "\n/a%20b/c\n") != NULL, "S3 path is not encoded twice");
    TAP_OK(strlen(tr.canonical_request) > 16 &&
               !strcmp(tr.canonical_request + strlen(tr.canonical_request) - 16, "UNSIGNED-PAYLOAD"),
           "UNSIGNED-PAYLOAD is the payload hash");
    md_sigv4_trace_free(&tr);
    md_http_request_free(&r);
}

static void test_presign(void)
{
    struct md_aws_creds c = s3doc_creds();
    struct md_sigv4_params p = {"s3", "us-east-1", &c, md_sigv4_parse_amz_date("20130524T000000Z"),
                                false, false};
    char *url = NULL;
    struct md_err err;
    TAP_OK(md_sigv4_presign("GET", "https://examplebucket.s3.amazonaws.com/test.txt", &p, 86400,
                            &url, &err) == MD_OK,
           "presign ok");
    TAP_EQ_STR(url,
               "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
               "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
               "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
               "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
               "S3 doc example: presigned GET");
    free(url);
    TAP_OK(md_sigv4_presign("GET", "https://b.s3.amazonaws.com/k", &p, 0, &url, &err) ==
               MD_ERR_INVALID, "presign refuses expiry 0");
    TAP_OK(md_sigv4_presign("GET", "https://b.s3.amazonaws.com/k", &p, 604801, &url, &err) ==
               MD_ERR_INVALID, "presign refuses more than a week");
}

static void test_rules(void)
{
    struct md_aws_creds c = suite_creds();
    struct md_http_request r;
    struct md_sigv4_trace tr;

    md_http_request_init(&r, "PUT", "https://example.amazonaws.com/");
    md_headers_add(&r.headers, "Expect", "100-continue");
    md_headers_add(&r.headers, "User-Agent", "x");
    md_headers_add(&r.headers, "Connection", "keep-alive");
    md_headers_add(&r.headers, "Transfer-Encoding", "chunked");
    md_headers_add(&r.headers, "X-Amzn-Trace-Id", "Root=1");
    sig_of(&r, "service", &c, "20150830T123600Z", false, &tr);
    TAP_EQ_STR(tr.signed_headers, "host;x-amz-date", "hop-by-hop and Expect headers are not signed");
    md_sigv4_trace_free(&tr);
    md_http_request_free(&r);

    md_http_request_init(&r, "GET",
                         "https://example.amazonaws.com/?Param-3=b&Param=b&Param1=a&Param=a&uploads"
                         "&k=a+b&sp=%7e%2a%20&sl=a/b");
    sig_of(&r, "service", &c, "20150830T123600Z", false, &tr);
    TAP_OK(strstr(tr.canonical_request,
                  "\nParam=a&Param=b&Param-3=b&Param1=a&k=a%2Bb&sl=a%2Fb&sp=~%2A%20&uploads=\n") !=
               NULL,
           "canonical query: sorted by name then value, repeated keys, re-encoded, bare key");
    md_sigv4_trace_free(&tr);
    md_http_request_free(&r);

    md_http_request_init(&r, "GET", "http://127.0.0.1:4566/x");
    sig_of(&r, "service", &c, "20150830T123600Z", false, &tr);
    TAP_EQ_STR(md_headers_get(&r.headers, "Host"), "127.0.0.1:4566", "Host keeps a non-default port");
    md_sigv4_trace_free(&tr);
    md_http_request_free(&r);
    md_http_request_init(&r, "GET", "https://Example.AmazonAWS.com:443/x");
    sig_of(&r, "service", &c, "20150830T123600Z", false, NULL);
    TAP_EQ_STR(md_headers_get(&r.headers, "Host"), "example.amazonaws.com",
               "Host drops the default port and is lower case");
    md_http_request_free(&r);

    /* sagemaker-mlflow: X-Amz-Content-SHA256 on a non-S3 service. */
    md_http_request_init(&r, "POST", "https://us-east-1.experiments.sagemaker.aws/api/2.0/mlflow/runs/search");
    md_http_request_set_body(&r, "{}", 2);
    struct md_sigv4_params p = {"sagemaker-mlflow", "us-east-1", &c, 1440931560, false, true};
    struct md_err err;
    TAP_OK(md_sigv4_sign(&r, &p, &tr, &err) == MD_OK, "mlflow signing ok");
    TAP_EQ_STR(md_headers_get(&r.headers, "X-Amz-Content-SHA256"),
               "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
               "content_sha256_header: hex sha256 of the body");
    TAP_OK(strstr(tr.signed_headers, "x-amz-content-sha256") != NULL, "and it is signed");
    md_sigv4_trace_free(&tr);
    md_http_request_free(&r);

    /* Errors are values. */
    struct md_aws_creds none;
    memset(&none, 0, sizeof none);
    md_http_request_init(&r, "GET", "https://example.amazonaws.com/");
    p = (struct md_sigv4_params){"service", "us-east-1", &none, 0, false, false};
    TAP_OK(md_sigv4_sign(&r, &p, NULL, &err) == MD_ERR_AUTH, "no credentials -> MD_ERR_AUTH");
    p = (struct md_sigv4_params){"service", "", &c, 0, false, false};
    TAP_OK(md_sigv4_sign(&r, &p, NULL, &err) == MD_ERR_INVALID, "no region -> MD_ERR_INVALID");
    md_http_request_set_url(&r, "example.amazonaws.com/");
    p.region = "us-east-1";
    TAP_OK(md_sigv4_sign(&r, &p, NULL, &err) == MD_ERR_INVALID, "relative URL -> MD_ERR_INVALID");
    md_http_request_free(&r);

    /* The clock offset moves the signing time. */
    md_sigv4_set_clock_offset(3600);
    md_http_request_init(&r, "GET", "https://example.amazonaws.com/");
    p = (struct md_sigv4_params){"service", "us-east-1", &c, 0, false, false};
    md_sigv4_sign(&r, &p, NULL, &err);
    time_t signed_at = md_sigv4_parse_amz_date(md_headers_get(&r.headers, "X-Amz-Date"));
    long d = (long)(signed_at - time(NULL));
    TAP_OK(d >= 3590 && d <= 3610, "clock offset applied to the signing time");
    md_sigv4_set_clock_offset(0);
    md_http_request_free(&r);

    TAP_OK(md_sigv4_parse_amz_date("20150830T123600Z") == 1440938160, "parse X-Amz-Date");
    TAP_OK(md_sigv4_parse_amz_date("2015-08-30T12:36:00Z") == -1, "reject ISO with dashes");
    TAP_OK(md_sigv4_parse_amz_date("20151330T123600Z") == -1, "reject month 13");
}

static void test_url(void)
{
    struct md_url u;
    struct md_err err;
    TAP_OK(md_url_parse("HTTPS://user:pw@Host.Example:8443/p%20a/th?x=1&y#frag", &u, &err) == MD_OK,
           "url parse");
    TAP_EQ_STR(u.scheme, "https", "scheme lower-cased");
    TAP_EQ_STR(u.host, "host.example", "host lower-cased, userinfo dropped");
    TAP_EQ_INT(u.port, 8443, "port");
    TAP_EQ_STR(u.path, "/p%20a/th", "raw path");
    TAP_EQ_STR(u.query, "x=1&y", "raw query without fragment");
    md_url_free(&u);
    TAP_OK(md_url_parse("http://[::1]:9000", &u, &err) == MD_OK && !strcmp(u.host, "[::1]") &&
               u.port == 9000 && !strcmp(u.path, "") && u.query == NULL,
           "IPv6 host with port, no path");
    md_url_free(&u);
    TAP_OK(md_url_parse("http://h:99999/", &u, &err) == MD_ERR_INVALID, "port out of range");
    TAP_OK(md_url_parse("http://:80/", &u, &err) == MD_ERR_INVALID, "empty host");
    TAP_OK(md_url_parse("/just/a/path", &u, &err) == MD_ERR_INVALID, "no scheme");
    TAP_OK(md_url_parse("http://[::1/", &u, &err) == MD_ERR_INVALID, "unclosed IPv6 bracket");
    struct md_buf b = MD_BUF_INIT;
    md_uri_decode(&b, "a%2Fb%zz%4", 10);
    TAP_EQ_STR(b.data, "a/b%zz%4", "decode keeps malformed escapes");
    md_buf_free(&b);
}

int main(void)
{
    test_suite();
    test_vanilla_trace();
    test_s3();
    test_presign();
    test_rules();
    test_url();
    return tap_done();
}
