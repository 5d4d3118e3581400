/* The offline parts of the inference pane's S3 fetch (ui/infer_fetch.c):
 * s3:// URIs, ETag header values as file names, and the refusal without an
 * AWS account.  The downloads themselves are tested end to end against
 * s3rver in tests/tui/infer_s3.py. */
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "ui/infer_fetch.h"

static void test_uri(void)
{
    char bucket[64];
    char *key = NULL;
    struct md_err err;
    TAP_EQ_INT(md_s3_uri_split("s3://drone-ml/training/job/output/model.tar.gz", bucket,
                               sizeof bucket, &key, &err),
               MD_OK, "uri: bucket and key");
    TAP_EQ_STR(bucket, "drone-ml", "uri: bucket");
    TAP_EQ_STR(key, "training/job/output/model.tar.gz", "uri: key keeps its slashes");
    free(key);
    TAP_EQ_INT(md_s3_uri_split("s3://b/k with space+plus", bucket, sizeof bucket, &key, &err),
               MD_OK, "uri: a key with spaces and '+' is taken as is");
    TAP_EQ_STR(key, "k with space+plus", "uri: raw key");
    free(key);
    const char *bad[] = {"", "s3://", "s3:///key", "s3://bucket", "s3://bucket/", "http://b/k",
                         "S3://b/k", "/local/file.onnx"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        key = (char *)1;
        md_status st = md_s3_uri_split(bad[i], bucket, sizeof bucket, &key, &err);
        TAP_OK(st == MD_ERR_INVALID && key == NULL && strstr(err.msg, "s3://"),
               "uri: refuses \"%s\" (%s)", bad[i], err.msg);
    }
    char longb[200];
    memset(longb, 'b', sizeof longb);
    memcpy(longb, "s3://", 5);
    memcpy(longb + 150, "/key", 5);
    TAP_EQ_INT(md_s3_uri_split(longb, bucket, sizeof bucket, &key, &err), MD_ERR_INVALID,
               "uri: a bucket longer than the buffer is refused, not cut");
}

static void test_etag(void)
{
    char out[64];
    md_etag_file_name("\"3d6db6ae47f4fff99a2144fdf7a3628b\"", out, sizeof out);
    TAP_EQ_STR(out, "3d6db6ae47f4fff99a2144fdf7a3628b", "etag: quotes dropped");
    md_etag_file_name("\"d41d8cd98f00b204e9800998ecf8427e-12\"", out, sizeof out);
    TAP_EQ_STR(out, "d41d8cd98f00b204e9800998ecf8427e-12", "etag: multipart suffix kept");
    md_etag_file_name("W/\"../../etc/passwd\"", out, sizeof out);
    TAP_OK(!strchr(out, '/') && !strchr(out, '.'), "etag: no path characters survive (\"%s\")", out);
    md_etag_file_name(NULL, out, sizeof out);
    TAP_EQ_STR(out, "", "etag: missing header -> empty name");
    md_etag_file_name("\"zzzz\"", out, sizeof out);
    TAP_EQ_STR(out, "", "etag: no hex digits -> empty name");
    char small[5];
    md_etag_file_name("\"abcdef0123\"", small, sizeof small);
    TAP_EQ_STR(small, "abcd", "etag: cut to the buffer, terminated");
}

static void test_no_account(void)
{
    struct md_fetch_ctx c = {0};
    char *path = (char *)1;
    bool cached = true;
    struct md_err err;
    md_status st = md_fetch_model(&c, "s3://b/model.tar.gz", &path, &cached, &err);
    TAP_OK(st == MD_ERR_AUTH && path == NULL && strstr(err.msg, "need an AWS account"),
           "no AWS account: a clear refusal (%s)", err.msg);
    st = md_fetch_image(&c, "s3://b/a.jpg", &path, &cached, &err);
    TAP_OK(st == MD_ERR_AUTH && path == NULL, "no AWS account: images too");
    st = md_fetch_model(&c, "s3://bucket-only", &path, &cached, &err);
    TAP_EQ_INT(st, MD_ERR_INVALID, "a bad URI is refused before anything else");
}

int main(void)
{
    test_uri();
    test_etag();
    test_no_account();
    return tap_done();
}
