/* A ready md_aws_client for one service, from the process's resolved AWS
 * environment (net/awsenv.h) and the operator's settings (--insecure,
 * --debug).  Every provider builds its clients here. */
#ifndef MD_AWS_CLIENT_H
#define MD_AWS_CLIENT_H

#include "aws/proto.h"
#include "net/awsenv.h"
#include "util/settings.h"

/* ep and http are storage the client points into: keep them alive as long
 * as c.  curl is the caller's handle (NULL = a temporary one per call).
 * cancelled/cancel_ctx (may be NULL) abort transfers and backoff sleeps. */
md_status md_aws_client_init(struct md_aws_client *c, const struct md_aws_env *env,
                             const struct md_settings *s, const char *service, void *curl,
                             bool (*cancelled)(void *), void *cancel_ctx,
                             struct md_endpoint *ep, struct md_http_opts *http,
                             struct md_err *err);

#endif
