/* mldeck awscurl: send one SigV4-signed request with the resolved
 * credentials and print the reply, like the awscurl tool.  Operators use it
 * to poke VPC endpoints and private APIs; --dry-run shows exactly what
 * would be signed. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cli/cli.h"
#include "net/awsconfig.h"
#include "net/creds.h"
#include "net/http.h"
#include "net/rawreq.h"
#include "net/region.h"
#include "net/retry.h"
#include "net/sigv4.h"
#include "net/url.h"
#include "util/buf.h"

static const char usage_text[] =
    "usage: mldeck awscurl [--service S] [--region R] [-X METHOD] [-H 'Name: value']...\n"
    "                      [-d BODY|@FILE|@-] [-i] [-v] [--dry-run] [--date YYYYMMDDTHHMMSSZ]\n"
    "                      [--unsigned-payload] [--scheme https|http] (URL | --request FILE|-)\n";

struct opts {
    const char *service;
    const char *method;
    const char *data;
    const char *request_file;
    const char *date;
    const char *scheme;
    const char *url;
    const char **headers;
    int nheaders;
    bool include;
    bool verbose;
    bool dry_run;
    bool unsigned_payload;
};

/* Reads a whole file ("-" = stdin) into b. */
static md_status read_all(const char *path, struct md_buf *b, struct md_err *err)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f)
        return md_err_set(err, MD_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    char chunk[65536];
    size_t n;
    md_status st = MD_OK;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (md_buf_append(b, chunk, n) < 0) {
            st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
            break;
        }
    if (st == MD_OK && ferror(f))
        st = md_err_set(err, MD_ERR_IO, "reading %s: %s", path, strerror(errno));
    if (f != stdin)
        fclose(f);
    if (st == MD_OK && md_buf_reserve(b, 0) < 0)
        st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
    return st;
}

/* A region-shaped DNS label: us-east-1, eu-central-2, us-gov-west-1, cn-north-1. */
static bool region_label(const char *l)
{
    int dashes = 0;
    size_t n = strlen(l);
    if (n < 6 || !isdigit((unsigned char)l[n - 1]) || !isalpha((unsigned char)l[0]))
        return false;
    for (const char *c = l; *c; c++) {
        if (*c == '-')
            dashes++;
        else if (!islower((unsigned char)*c) && !isdigit((unsigned char)*c))
            return false;
    }
    /* the partition prefix ("us", "cn", "eusc") is letters only: "s3-eu-west-1" is not a region */
    for (const char *c = l; *c != '-'; c++)
        if (!islower((unsigned char)*c))
            return false;
    return dashes >= 2 && l[n - 2] == '-';
}

/* Service and region from an AWS host name: <svc>.<region>.amazonaws.com,
 * api.sagemaker.<region>..., runtime.sagemaker..., bucket.s3.<region>...,
 * s3.amazonaws.com, <id>.execute-api.<region>..., VPC endpoint names
 * (vpce-x.api.sagemaker.<region>.vpce.amazonaws.com), global sts/iam. */
static void infer_from_host(const char *host, char *svc, size_t sn, char *region, size_t rn)
{
    svc[0] = region[0] = '\0';
    char h[256];
    snprintf(h, sizeof h, "%s", host);
    char *colon = strchr(h, ':');
    if (colon)
        *colon = '\0';
    for (char *c = h; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    char *labels[32];
    int n = 0;
    for (char *save = NULL, *t = strtok_r(h, ".", &save); t && n < 32; t = strtok_r(NULL, ".", &save))
        labels[n++] = t;
    int aws = -1, reg = -1;
    for (int i = 0; i < n; i++)
        if (!strcmp(labels[i], "amazonaws")) {
            aws = i;
            break;
        }
    if (aws < 1)
        return;
    for (int i = 0; i < aws; i++)
        if (region_label(labels[i]))
            reg = i;
    if (reg >= 0)
        snprintf(region, rn, "%s", labels[reg]);
    for (int i = 0; i < aws; i++) {
        if (!strcmp(labels[i], "s3") || !strncmp(labels[i], "s3-", 3)) {
            snprintf(svc, sn, "s3");
            if (!region[0] && !strncmp(labels[i], "s3-", 3) && region_label(labels[i] + 3))
                snprintf(region, rn, "%s", labels[i] + 3);
            if (!region[0])
                snprintf(region, rn, "us-east-1");
            return;
        }
    }
    int si = reg >= 1 ? reg - 1 : aws - 1;
    if (reg == 0)
        return;
    snprintf(svc, sn, "%s", labels[si]);
    char *fips = strstr(svc, "-fips");
    if (fips)
        *fips = '\0';
    if (!region[0])
        snprintf(region, rn, "us-east-1");     /* global endpoints: sts, iam */
}

static md_status parse_args(int argc, char **argv, struct opts *o, struct md_err *err)
{
    memset(o, 0, sizeof *o);
    o->headers = calloc((size_t)argc + 1, sizeof *o->headers);
    if (!o->headers)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
#define NEED_ARG()                                                                       \
    do {                                                                                 \
        if (i + 1 >= argc)                                                               \
            return md_err_set(err, MD_ERR_INVALID, "awscurl: %s needs a value", a);      \
    } while (0)
        if (!strcmp(a, "--service")) { NEED_ARG(); o->service = argv[++i]; }
        else if (!strcmp(a, "-X") || !strcmp(a, "--method")) { NEED_ARG(); o->method = argv[++i]; }
        else if (!strcmp(a, "-H") || !strcmp(a, "--header")) { NEED_ARG(); o->headers[o->nheaders++] = argv[++i]; }
        else if (!strcmp(a, "-d") || !strcmp(a, "--data") || !strcmp(a, "--data-binary")) { NEED_ARG(); o->data = argv[++i]; }
        else if (!strcmp(a, "--request")) { NEED_ARG(); o->request_file = argv[++i]; }
        else if (!strcmp(a, "--date")) { NEED_ARG(); o->date = argv[++i]; }
        else if (!strcmp(a, "--scheme")) { NEED_ARG(); o->scheme = argv[++i]; }
        else if (!strcmp(a, "-i") || !strcmp(a, "--include")) o->include = true;
        else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) o->verbose = true;
        else if (!strcmp(a, "--dry-run")) o->dry_run = true;
        else if (!strcmp(a, "--unsigned-payload")) o->unsigned_payload = true;
        else if (a[0] == '-' && a[1]) return md_err_set(err, MD_ERR_INVALID, "awscurl: unknown option %s", a);
        else if (!o->url) o->url = a;
        else return md_err_set(err, MD_ERR_INVALID, "awscurl: more than one URL (%s)", a);
#undef NEED_ARG
    }
    if (!o->url == !o->request_file)
        return md_err_set(err, MD_ERR_INVALID, "awscurl: give a URL or --request FILE (one of them)");
    if (o->request_file && (o->method || o->nheaders || o->data))
        return md_err_set(err, MD_ERR_INVALID, "awscurl: --request takes the method, headers and body "
                                               "from the file; drop -X, -H and -d");
    if (o->scheme && strcmp(o->scheme, "https") != 0 && strcmp(o->scheme, "http") != 0)
        return md_err_set(err, MD_ERR_INVALID, "awscurl: --scheme is https or http");
    if (o->date && md_sigv4_parse_amz_date(o->date) < 0)
        return md_err_set(err, MD_ERR_INVALID, "awscurl: --date wants YYYYMMDDTHHMMSSZ, e.g. 20150830T123600Z");
    return MD_OK;
}

static md_status build_request(const struct opts *o, struct md_http_request *req, struct md_err *err)
{
    struct md_buf b = MD_BUF_INIT;
    md_status st;
    if (o->request_file) {
        st = read_all(o->request_file, &b, err);
        if (st == MD_OK)
            st = md_rawreq_parse(b.data, b.len, o->scheme ? o->scheme : "https", req, err);
        md_buf_free(&b);
        return st;
    }
    const char *method = o->method ? o->method : (o->data ? "POST" : "GET");
    if (strlen(method) >= sizeof req->method)
        return md_err_set(err, MD_ERR_INVALID, "awscurl: method too long");
    if (md_http_request_init(req, method, o->url) < 0)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    struct md_url u;
    st = md_url_parse(o->url, &u, err);
    if (st != MD_OK)
        return st;
    md_url_free(&u);
    for (int i = 0; i < o->nheaders; i++) {
        const char *h = o->headers[i];
        const char *colon = strchr(h, ':');
        if (!colon || colon == h)
            return md_err_set(err, MD_ERR_INVALID, "awscurl: -H wants 'Name: value', got '%s'", h);
        char name[256];
        size_t nl = (size_t)(colon - h);
        if (nl >= sizeof name)
            return md_err_set(err, MD_ERR_INVALID, "awscurl: header name too long");
        memcpy(name, h, nl);
        name[nl] = '\0';
        const char *v = colon + 1;
        while (*v == ' ' || *v == '\t')
            v++;
        if (md_headers_add(&req->headers, name, v) < 0)
            return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    if (o->data) {
        if (o->data[0] == '@') {
            st = read_all(o->data + 1, &b, err);
            if (st == MD_OK && md_http_request_set_body(req, b.data, b.len) < 0)
                st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
            md_buf_free(&b);
            if (st != MD_OK)
                return st;
        } else if (md_http_request_set_body(req, o->data, strlen(o->data)) < 0) {
            return md_err_set(err, MD_ERR_NOMEM, "out of memory");
        }
    }
    return MD_OK;
}

/* Prints text with the session token's value replaced. */
static void print_redacted(FILE *f, const char *text, const char *token)
{
    size_t tl = token ? strlen(token) : 0;
    const char *p = text;
    while (*p) {
        const char *hit = tl ? strstr(p, token) : NULL;
        if (!hit) {
            fputs(p, f);
            break;
        }
        fwrite(p, 1, (size_t)(hit - p), f);
        fputs("<redacted>", f);
        p = hit + tl;
    }
}

static void print_signed_request(FILE *f, const struct md_http_request *req, const char *token)
{
    struct md_url u;
    if (md_url_parse(req->url, &u, NULL) == MD_OK) {
        fprintf(f, "%s %s%s%s HTTP/1.1\n", req->method, u.path[0] ? u.path : "/",
                u.query ? "?" : "", u.query ? u.query : "");
        md_url_free(&u);
    }
    for (size_t i = 0; i < req->headers.n; i++) {
        const struct md_http_header *h = &req->headers.v[i];
        if (!strcasecmp(h->name, "X-Amz-Security-Token"))
            fprintf(f, "%s: <redacted>\n", h->name);
        else {
            fprintf(f, "%s: ", h->name);
            print_redacted(f, h->value, token);
            fputc('\n', f);
        }
    }
}

static void trace_stderr(void *ctx, const char *line)
{
    fprintf(stderr, "%s\n", line);
}

int md_cmd_awscurl(struct md_cli *cli, int argc, char **argv)
{
    struct opts o;
    struct md_err err;
    md_err_clear(&err);
    struct md_http_request req;
    memset(&req, 0, sizeof req);
    struct md_http_response resp = {0};
    struct md_awsconfig *cfg = NULL;
    struct md_creds_provider *prov = NULL;
    struct md_aws_creds creds;
    memset(&creds, 0, sizeof creds);
    int rc = MD_EXIT_OK;
    md_status st = parse_args(argc, argv, &o, &err);
    if (st != MD_OK) {
        fputs(usage_text, cli->err);
        rc = md_cli_fail(cli, &err);
        goto out;
    }
    st = build_request(&o, &req, &err);
    if (st != MD_OK) {
        rc = md_cli_fail(cli, &err);
        goto out;
    }

    /* Service and region: flags, else the host name, else the profile. */
    struct md_url u;
    char host_svc[64] = "", host_region[64] = "";
    if (md_url_parse(req.url, &u, &err) != MD_OK) {
        rc = md_cli_fail(cli, &err);
        goto out;
    }
    const char *hosthdr = md_headers_get(&req.headers, "Host");
    infer_from_host(hosthdr ? hosthdr : u.host, host_svc, sizeof host_svc, host_region,
                    sizeof host_region);
    md_url_free(&u);
    const char *service = o.service ? o.service : host_svc[0] ? host_svc : NULL;
    if (!service) {
        md_err_set(&err, MD_ERR_INVALID,
                   "awscurl: cannot tell the service from the host name; pass --service (e.g. "
                   "execute-api, sagemaker, s3)");
        rc = md_cli_fail(cli, &err);
        goto out;
    }
    st = md_awsconfig_load(&cfg, &err);
    if (st != MD_OK) {
        rc = md_cli_fail(cli, &err);
        goto out;
    }
    char region[64];
    if (cli->settings->region[0]) {
        snprintf(region, sizeof region, "%s", cli->settings->region);
    } else if (host_region[0] && !o.service) {
        snprintf(region, sizeof region, "%s", host_region);
    } else {
        struct md_profile_choice pc;
        md_profile_choose(cli->settings, &pc);
        struct md_region r;
        if (md_region_resolve_local(cli->settings, cfg, pc.name, &r, &err) == MD_OK)
            snprintf(region, sizeof region, "%s", r.name);
        else if (host_region[0])
            snprintf(region, sizeof region, "%s", host_region);
        else {
            rc = md_cli_fail(cli, &err);
            goto out;
        }
    }

    struct md_creds_opts co = {0};
    co.insecure = cli->settings->insecure;
    co.debug = cli->settings->debug;
    co.mfa_prompt = md_cli_mfa_prompt;  /* an mfa_serial profile asks on the terminal */
    st = md_creds_provider_new(cli->settings, cfg, &co, &prov, &err);
    if (st == MD_OK)
        st = md_creds_get(prov, &creds, &err);
    if (st != MD_OK) {
        rc = md_cli_fail(cli, &err);
        goto out;
    }

    struct md_http_opts ho;
    md_http_opts_init(&ho);
    ho.insecure = cli->settings->insecure;
    /* AWS_CA_BUNDLE, else the profile's ca_bundle */
    struct md_profile_choice pch;
    md_profile_choose(cli->settings, &pch);
    char ca_bundle[1024];
    md_creds_ca_bundle(cfg, pch.name, ca_bundle, sizeof ca_bundle);
    if (ca_bundle[0])
        ho.ca_bundle = ca_bundle;
    ho.debug = cli->settings->debug;
    if (o.verbose) {
        ho.trace = trace_stderr;
        ho.trace_ctx = NULL;
    }
    if (cli->settings->insecure)
        fprintf(cli->err, "mldeck: warning: --insecure: TLS certificates are not verified\n");

    struct md_sigv4_params sp = {
        .service = service, .region = region, .creds = &creds,
        .now = o.date ? md_sigv4_parse_amz_date(o.date) : 0,
        .unsigned_payload = o.unsigned_payload,
    };
    if (o.unsigned_payload && !md_sigv4_is_s3(service))
        fprintf(cli->err, "mldeck: warning: --unsigned-payload only applies to S3; the body is hashed\n");

    if (o.dry_run) {
        struct md_sigv4_trace tr;
        st = md_sigv4_sign(&req, &sp, &tr, &err);
        if (st != MD_OK) {
            rc = md_cli_fail(cli, &err);
            goto out;
        }
        const char *tok = creds.session_token[0] ? creds.session_token : NULL;
        fprintf(cli->out, "--- canonical request ---\n");
        print_redacted(cli->out, tr.canonical_request, tok);
        fprintf(cli->out, "\n--- string to sign ---\n%s\n--- signed request ---\n", tr.string_to_sign);
        print_signed_request(cli->out, &req, tok);
        if (req.body.len) {
            fputc('\n', cli->out);
            fwrite(req.body.data, 1, req.body.len, cli->out);
            if (req.body.data[req.body.len - 1] != '\n')
                fputc('\n', cli->out);
        }
        md_sigv4_trace_free(&tr);
        goto out;
    }

    /* One attempt, like curl: the request goes out exactly as given
     * (no SDK retry headers), signed once with the current or --date time. */
    st = md_sigv4_sign(&req, &sp, NULL, &err);
    if (st == MD_OK)
        st = md_http_perform(NULL, &req, &ho, &resp, &err);
    if (st == MD_OK && (resp.status < 200 || resp.status >= 300))
        st = md_aws_error_parse(&resp, &err);
    if (resp.status > 0) {
        if (o.include) {
            fprintf(cli->out, "HTTP/1.1 %d\r\n", resp.status);
            for (size_t i = 0; i < resp.headers.n; i++)
                fprintf(cli->out, "%s: %s\r\n", resp.headers.v[i].name, resp.headers.v[i].value);
            fprintf(cli->out, "\r\n");
        }
        fwrite(resp.body.data ? resp.body.data : "", 1, resp.body.len, cli->out);
        fflush(cli->out);
    }
    if (st != MD_OK)
        rc = md_cli_fail(cli, &err);

out:
    md_aws_creds_wipe(&creds);
    md_http_request_free(&req);
    md_http_response_free(&resp);
    md_creds_provider_free(prov);
    md_awsconfig_free(cfg);
    free(o.headers);
    return rc;
}
