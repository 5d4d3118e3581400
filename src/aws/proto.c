#include "aws/proto.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "net/url.h"
#include "util/buf.h"
#include "util/rand.h"

void md_aws_idempotency_token(char out[37])
{
    md_uuid4(out);
}

char *md_aws_url(const struct md_aws_client *c, const char *path, const char *query)
{
    struct md_buf b = MD_BUF_INIT;
    const char *ep = c->endpoint ? c->endpoint : "";
    size_t el = strlen(ep);
    while (el && ep[el - 1] == '/')
        el--;
    int rc = md_buf_append(&b, ep, el);
    rc |= md_buf_puts(&b, path && *path ? path : "/");
    if (query && *query)
        rc |= md_buf_printf(&b, "?%s", query);
    if (rc) {
        md_buf_free(&b);
        return NULL;
    }
    return md_buf_steal(&b);
}

static md_status send(struct md_aws_client *c, struct md_http_request *req,
                      struct md_http_response *resp, struct md_err *err)
{
    struct md_aws_target t = {
        .service = c->service, .region = c->region, .creds = c->creds,
        .get_creds = c->get_creds, .creds_ctx = c->creds_ctx,
    };
    return md_aws_send(c->curl, req, &t, c->http, c->retry, resp, &c->last, err);
}

/* Members with the idempotencyToken trait in the models (a unit test checks
 * this table against ../shared/aws-models). */
static const struct {
    const char *prefix, *op, *member;
} idempotency_members[] = {
    {"SageMaker", "BatchAddClusterNodes", "ClientToken"},
    {"SageMaker", "CreateImageVersion", "ClientToken"},
    {"SageMaker", "CreateModelPackage", "ClientToken"},
    {"SageMaker", "CreatePartnerApp", "ClientToken"},
    {"SageMaker", "CreatePipeline", "ClientRequestToken"},
    {"SageMaker", "DeletePartnerApp", "ClientToken"},
    {"SageMaker", "DeletePipeline", "ClientRequestToken"},
    {"SageMaker", "RetryPipelineExecution", "ClientRequestToken"},
    {"SageMaker", "SendPipelineExecutionStepFailure", "ClientRequestToken"},
    {"SageMaker", "SendPipelineExecutionStepSuccess", "ClientRequestToken"},
    {"SageMaker", "StartPipelineExecution", "ClientRequestToken"},
    {"SageMaker", "StopPipelineExecution", "ClientRequestToken"},
    {"SageMaker", "UpdatePartnerApp", "ClientToken"},
    {"Logs_20140328", "PutQueryDefinition", "clientToken"},
    {NULL, NULL, NULL},
};

const char *md_aws_idempotency_member(const char *target_prefix, const char *op)
{
    for (int i = 0; idempotency_members[i].prefix; i++)
        if (!strcmp(idempotency_members[i].prefix, target_prefix) &&
            !strcmp(idempotency_members[i].op, op))
            return idempotency_members[i].member;
    return NULL;
}

md_status md_aws_json_call(struct md_aws_client *c, const char *target_prefix, const char *op,
                           const char *json_version, const cJSON *input, cJSON **output,
                           struct md_err *err)
{
    return md_aws_json_call_raw(c, target_prefix, op, json_version, input, output, NULL, err);
}

md_status md_aws_json_call_raw(struct md_aws_client *c, const char *target_prefix,
                               const char *op, const char *json_version, const cJSON *input,
                               cJSON **output, struct md_buf *raw, struct md_err *err)
{
    if (output)
        *output = NULL;
    else if (!raw)
        return md_err_set(err, MD_ERR_INVALID, "%s: a call needs its output or its bytes", op);
    char *url = md_aws_url(c, "/", NULL);
    char *body = NULL;
    const char *tok_member = md_aws_idempotency_member(target_prefix, op);
    if (tok_member && !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(input, tok_member))) {
        /* The SDKs fill a missing idempotency token with a uuid4, once per
         * call: the body below is built once, so every retry carries it. */
        cJSON *copy = input ? cJSON_Duplicate(input, 1) : cJSON_CreateObject();
        char tok[37];
        md_aws_idempotency_token(tok);
        if (copy) {
            cJSON_DeleteItemFromObjectCaseSensitive(copy, tok_member);
            if (cJSON_AddStringToObject(copy, tok_member, tok))
                body = cJSON_PrintUnformatted(copy);
        }
        cJSON_Delete(copy);
    } else {
        body = input ? cJSON_PrintUnformatted(input) : strdup("{}");
    }
    struct md_http_request req;
    struct md_http_response resp = {0};
    md_status st = MD_OK;
    memset(&req, 0, sizeof req);
    if (!url || !body || md_http_request_init(&req, "POST", url) < 0) {
        st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
        goto out;
    }
    char target[256], ctype[64];
    snprintf(target, sizeof target, "%s.%s", target_prefix, op);
    snprintf(ctype, sizeof ctype, "application/x-amz-json-%s", json_version ? json_version : "1.1");
    if (md_headers_add(&req.headers, "Content-Type", ctype) < 0 ||
        md_headers_add(&req.headers, "X-Amz-Target", target) < 0 ||
        md_http_request_set_body(&req, body, strlen(body)) < 0) {
        st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
        goto out;
    }
    /* CloudWatch is awsQueryCompatible: in JSON mode the SDKs say so, and
     * errors then carry the query error code in x-amzn-query-error. */
    if (!strcmp(target_prefix, "GraniteServiceVersion20100801") &&
        md_headers_add(&req.headers, "x-amzn-query-mode", "true") < 0) {
        st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
        goto out;
    }
    st = send(c, &req, &resp, err);
    if (st != MD_OK) {
        md_err_wrap(err, "%s", op);
        goto out;
    }
    if (!output && raw) {
        /* The caller parses the bytes itself (on another thread). */
        md_buf_free(raw);
        *raw = resp.body;
        resp.body = (struct md_buf)MD_BUF_INIT;
        goto out;
    }
    cJSON *j = resp.body.len ? cJSON_ParseWithLength(resp.body.data, resp.body.len)
                             : cJSON_CreateObject();
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        st = md_err_set(err, MD_ERR_PARSE, "%s: the reply is not a JSON object", op);
        err->http_status = resp.status;
        const char *rid = md_headers_get(&resp.headers, "x-amzn-RequestId");
        if (rid)
            snprintf(err->request_id, sizeof err->request_id, "%s", rid);
        goto out;
    }
    *output = j;
    if (raw) {
        /* The body is handed over as it came: no copy of a large page. */
        md_buf_free(raw);
        *raw = resp.body;
        resp.body = (struct md_buf)MD_BUF_INIT;
    }
out:
    free(url);
    free(body);
    md_http_request_free(&req);
    md_http_response_free(&resp);
    return st;
}

md_status md_aws_query_call(struct md_aws_client *c, const char *action, const char *version,
                            const struct md_aws_param *params, size_t n, struct md_xml **out,
                            struct md_err *err)
{
    *out = NULL;
    struct md_buf form = MD_BUF_INIT;
    int rc = md_buf_puts(&form, "Action=");
    rc |= md_form_encode(&form, action, strlen(action));
    rc |= md_buf_puts(&form, "&Version=");
    rc |= md_form_encode(&form, version, strlen(version));
    for (size_t i = 0; i < n; i++) {
        rc |= md_buf_puts(&form, "&");
        rc |= md_form_encode(&form, params[i].name, strlen(params[i].name));
        rc |= md_buf_puts(&form, "=");
        const char *v = params[i].value ? params[i].value : "";
        rc |= md_form_encode(&form, v, strlen(v));
    }
    char *url = md_aws_url(c, "/", NULL);
    struct md_http_request req;
    struct md_http_response resp = {0};
    memset(&req, 0, sizeof req);
    md_status st = MD_OK;
    if (rc || !url || md_http_request_init(&req, "POST", url) < 0 ||
        md_headers_add(&req.headers, "Content-Type",
                       "application/x-www-form-urlencoded; charset=utf-8") < 0 ||
        md_http_request_set_body(&req, form.data, form.len) < 0) {
        st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
        goto out;
    }
    /* STS replies carry credentials: keep them out of the trace. */
    req.secret_body = !strcmp(c->service, "sts");
    st = send(c, &req, &resp, err);
    if (st != MD_OK) {
        md_err_wrap(err, "%s", action);
        goto out;
    }
    st = md_xml_parse(resp.body.data, resp.body.len, out, err);
    if (st != MD_OK)
        md_err_wrap(err, "%s reply", action);
out:
    md_buf_free(&form);
    free(url);
    md_http_request_free(&req);
    md_http_response_free(&resp);
    return st;
}

double md_aws_parse_time(const char *s)
{
    if (!s || !*s)
        return -1;
    const char *p = s;
    bool digits_only = true;
    for (const char *q = s; *q; q++)
        if (!isdigit((unsigned char)*q) && *q != '.')
            digits_only = false;
    if (digits_only) {
        char *end;
        double v = strtod(s, &end);
        return *end ? -1 : v;
    }
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    int n = 0;
    if (sscanf(p, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec, &n) != 6)
        return -1;
    p += n;
    double frac = 0;
    if (*p == '.') {
        char *end;
        frac = strtod(p, &end);
        p = end;
    }
    long off = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int hh, mm;
        if (sscanf(p + 1, "%2d:%2d", &hh, &mm) != 2)
            return -1;
        off = (hh * 3600L + mm * 60L) * (*p == '+' ? 1 : -1);
        p += 6;
    } else {
        return -1;
    }
    if (*p)
        return -1;
    if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (double)(timegm(&tm) - off) + frac;
}
