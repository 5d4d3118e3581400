#include "aws/client.h"

#include <string.h>

md_status md_aws_client_init(struct md_aws_client *c, const struct md_aws_env *env,
                             const struct md_settings *s, const char *service, void *curl,
                             bool (*cancelled)(void *), void *cancel_ctx,
                             struct md_endpoint *ep, struct md_http_opts *http,
                             struct md_err *err)
{
    md_status st = md_aws_env_endpoint(env, service, ep, err);
    if (st != MD_OK)
        return st;
    md_http_opts_init(http);
    http->insecure = s && s->insecure;
    http->debug = s && s->debug;
    http->cancelled = cancelled;
    http->cancel_ctx = cancel_ctx;
    if (env->ca_bundle[0])
        http->ca_bundle = env->ca_bundle;
    memset(c, 0, sizeof *c);
    c->curl = curl;
    c->service = ep->signing_name;
    c->region = ep->signing_region;
    c->endpoint = ep->url;
    c->get_creds = md_creds_get;
    c->creds_ctx = env->creds;
    c->http = http;
    c->retry = &env->retry;
    /* Custom S3 endpoints (s3rver, MinIO, VPC endpoints) rarely resolve
     * bucket sub-domains. */
    c->s3_path_style = ep->custom;
    return MD_OK;
}
