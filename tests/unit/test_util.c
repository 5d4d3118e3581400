#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../tap.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/json.h"
#include "util/log.h"
#include "util/rand.h"
#include "util/xdg.h"

static void test_json_paths(void)
{
    const char *doc = "{\"A\":{\"B\":[{\"C\":\"x\"},{\"C\":\"y\"}]},"
                      "\"k.dots\":1.5,\"v\":\"NaN\","
                      "\"data\":{\"params\":[{\"key\":\"lr0\",\"value\":\"0.01\"},"
                      "{\"key\":\"imgsz\",\"value\":\"640\"}]}}";
    struct md_err err;
    cJSON *j = md_json_parse(doc, strlen(doc), &err);
    TAP_OK(j != NULL, "parse document");
    TAP_EQ_STR(md_json_str(j, "$.A.B[1].C", NULL), "y", "index path");
    TAP_EQ_STR(md_json_str(j, "A.B[0].C", NULL), "x", "path without $");
    TAP_OK(md_json_num(j, "$.\"k.dots\"", 0) == 1.5, "quoted key with dots");
    TAP_OK(isnan(md_json_num(j, "$.v", 0)), "\"NaN\" string reads as NaN");
    TAP_EQ_STR(md_json_str(j, "$.data.params[?key=imgsz].value", NULL), "640", "select by key");
    TAP_OK(md_json_get(j, "$.data.params[?key=nope].value") == NULL, "select miss is NULL");
    TAP_OK(md_json_get(j, "$.A.B[9]") == NULL, "index out of range is NULL");
    TAP_OK(md_json_get(j, "$.A.B[x]") == NULL, "bad index is NULL");
    TAP_OK(md_json_get(j, "$.A.B[1") == NULL, "unterminated bracket is NULL");
    TAP_EQ_STR(md_json_str(j, "$.missing", "-"), "-", "default for missing");
    TAP_OK(md_json_path_is_sql("$.a.b[0]") && !md_json_path_is_sql("$.p[?key=a].value"),
           "sql path detection");
    cJSON_Delete(j);
    TAP_OK(md_json_parse("{\"a\":", 5, &err) == NULL && err.code == MD_ERR_PARSE,
           "truncated JSON is a parse error");
}

static void test_buf_err(void)
{
    struct md_buf b = MD_BUF_INIT;
    for (int i = 0; i < 1000; i++)
        md_buf_printf(&b, "%d,", i);
    TAP_OK(b.len == strlen(b.data), "buf stays NUL-terminated");
    TAP_OK(strncmp(b.data + b.len - 4, "999,", 4) == 0, "buf printf appends");
    md_buf_free(&b);

    struct md_err e;
    md_err_set(&e, MD_ERR_SERVICE, "throttled");
    strcpy(e.svc_code, "ThrottlingException");
    e.http_status = 400;
    strcpy(e.request_id, "abc");
    char line[256];
    TAP_EQ_STR(md_err_line(&e, line, sizeof line),
               "throttled [ThrottlingException] (HTTP 400) request-id abc", "error line");
    md_err_wrap(&e, "listing %s", "pipelines");
    TAP_EQ_STR(e.msg, "listing pipelines: throttled", "wrap prefixes context");
    TAP_EQ_STR(md_status_name(MD_ERR_READONLY), "read-only", "status names");
}

static void test_xdg_and_log(void)
{
    char tmpl[] = "/tmp/mdxdgXXXXXX";
    char *root = mkdtemp(tmpl);
    setenv("XDG_CACHE_HOME", root, 1);
    char dir[512];
    struct md_err err;
    TAP_OK(md_xdg_dir(MD_XDG_CACHE, dir, sizeof dir, &err) == MD_OK, "xdg cache dir");
    struct stat st;
    TAP_OK(stat(dir, &st) == 0 && (st.st_mode & 0777) == 0700, "created 0700");
    setenv("XDG_CACHE_HOME", "relative/ignored", 1);
    setenv("HOME", root, 1);
    TAP_OK(md_xdg_dir(MD_XDG_CACHE, dir, sizeof dir, &err) == MD_OK &&
               strstr(dir, "/.cache/mldeck") != NULL,
           "relative XDG value falls back to HOME");

    char logp[600], red[128];
    snprintf(logp, sizeof logp, "%s/t.log", root);
    md_log_open(logp, MD_LOG_DEBUG);
    md_log(MD_LOG_INFO, "hello %d", 42);
    md_log_close();
    TAP_OK(stat(logp, &st) == 0 && (st.st_mode & 0777) == 0600 && st.st_size > 0, "log 0600");
    md_log_redact_header("Authorization: AWS4-HMAC-SHA256 secret", red, sizeof red);
    TAP_EQ_STR(red, "Authorization: <redacted>", "authorization redacted");
    md_log_redact_header("X-Amz-Sso_bearer_token: abc", red, sizeof red);
    TAP_EQ_STR(red, "X-Amz-Sso_bearer_token: <redacted>", "SSO bearer token redacted");
    md_log_redact_header("x-amz-date: 20150830T123600Z", red, sizeof red);
    TAP_EQ_STR(red, "x-amz-date: 20150830T123600Z", "other headers kept");
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (system(cmd) != 0)
        tap_diag("cleanup failed");
}

static void test_rand(void)
{
    char a[37], b[37];
    md_uuid4(a);
    md_uuid4(b);
    bool shape = strlen(a) == 36 && a[8] == '-' && a[13] == '-' && a[18] == '-' && a[23] == '-';
    for (int i = 0; shape && i < 36; i++)
        shape = a[i] == '-' || (a[i] >= '0' && a[i] <= '9') || (a[i] >= 'a' && a[i] <= 'f');
    TAP_OK(shape, "uuid4: 8-4-4-4-12 lower-case hex (%s)", a);
    TAP_OK(a[14] == '4' && strchr("89ab", a[19]), "uuid4: version 4, RFC 4122 variant");
    TAP_OK(strcmp(a, b) != 0, "two uuids differ");
    bool in_range = true;
    double sum = 0;
    for (int i = 0; i < 1000; i++) {
        double r = md_random01();
        in_range = in_range && r >= 0 && r < 1;
        sum += r;
    }
    TAP_OK(in_range, "random01 in [0, 1)");
    TAP_OK(sum > 400 && sum < 600, "random01 averages about 0.5 over 1000 draws (%.1f)", sum);
    unsigned char big[4096] = {0};
    md_random_bytes(big, sizeof big);
    int zeros = 0;
    for (size_t i = 0; i < sizeof big; i++)
        zeros += big[i] == 0;
    TAP_OK(zeros < 64, "random_bytes fills the whole buffer (%d zero bytes of 4096)", zeros);
}

int main(void)
{
    test_rand();
    test_json_paths();
    test_buf_err();
    test_xdg_and_log();
    return tap_done();
}
