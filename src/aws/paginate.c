#include "aws/paginate.h"

#include <stdlib.h>
#include <string.h>

const struct md_paginator md_paginators[] = {
    /* SageMaker: every paginated operation is NextToken -> NextToken, MaxResults. */
    {"sagemaker", "*", "NextToken", "NextToken", "MaxResults", NULL, NULL, false},
    {"sagemaker", "Search", "NextToken", "NextToken", "MaxResults", "Results", NULL, false},
    {"logs", "DescribeLogGroups", "nextToken", "nextToken", "limit", "logGroups", NULL, false},
    {"logs", "DescribeLogStreams", "nextToken", "nextToken", "limit", "logStreams", NULL, false},
    {"logs", "FilterLogEvents", "nextToken", "nextToken", "limit", "events,searchedLogStreams",
     NULL, false},
    /* Not in the model: the forward token comes back unchanged at the end. */
    {"logs", "GetLogEvents", "nextToken", "nextForwardToken", "limit", "events", NULL, true},
    {"events", "ListRules", "NextToken", "NextToken", "Limit", "Rules", NULL, false},
    {"events", "ListTargetsByRule", "NextToken", "NextToken", "Limit", "Targets", NULL, false},
    {"cloudwatch", "ListMetrics", "NextToken", "NextToken", NULL, "Metrics,OwningAccounts", NULL,
     false},
    {"cloudwatch", "GetMetricData", "NextToken", "NextToken", "MaxDatapoints",
     "MetricDataResults,Messages", NULL, false},
    {"cloudwatch", "DescribeAlarmHistory", "NextToken", "NextToken", "MaxRecords",
     "AlarmHistoryItems", NULL, false},
    {"cloudwatch", "ListDashboards", "NextToken", "NextToken", NULL, "DashboardEntries", NULL,
     false},
    {"s3", "ListObjectsV2", "ContinuationToken", "NextContinuationToken", "MaxKeys",
     "Contents,CommonPrefixes", "IsTruncated", false},
    {NULL, NULL, NULL, NULL, NULL, NULL, NULL, false},
};

const struct md_paginator *md_paginator_find(const char *service, const char *op)
{
    const struct md_paginator *wild = NULL;
    for (const struct md_paginator *p = md_paginators; p->service; p++) {
        if (strcmp(p->service, service) != 0)
            continue;
        if (!strcmp(p->op, op))
            return p;
        if (!strcmp(p->op, "*") && !strncmp(op, "List", 4))
            wild = p;
    }
    return wild;
}

md_status md_aws_json_paginate(struct md_aws_client *c, const char *model_service,
                               const char *target_prefix, const char *json_version,
                               const char *op, const cJSON *input, int max_pages,
                               md_page_fn fn, void *ctx, struct md_err *err)
{
    const struct md_paginator *pg = md_paginator_find(model_service, op);
    cJSON *in = input ? cJSON_Duplicate(input, 1) : cJSON_CreateObject();
    if (!in)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    md_status st = MD_OK;
    char *sent = NULL;      /* token sent with the current request */
    for (int page = 1;; page++) {
        cJSON *out = NULL;
        st = md_aws_json_call(c, target_prefix, op, json_version, in, &out, err);
        if (st != MD_OK)
            break;
        bool stop = false;
        st = fn(ctx, out, &stop, err);
        if (st != MD_OK || stop || !pg || (max_pages > 0 && page >= max_pages)) {
            cJSON_Delete(out);
            break;
        }
        const cJSON *tok = cJSON_GetObjectItemCaseSensitive(out, pg->output_token);
        bool more = cJSON_IsString(tok) && tok->valuestring[0];
        if (more && pg->more_results) {
            const cJSON *m = cJSON_GetObjectItemCaseSensitive(out, pg->more_results);
            more = cJSON_IsTrue(m);
        }
        /* A token that comes back unchanged ends the stream (GetLogEvents)
         * and, for any op, guards against a server that loops. */
        if (more && sent && !strcmp(sent, tok->valuestring))
            more = false;
        if (!more) {
            cJSON_Delete(out);
            break;
        }
        free(sent);
        sent = strdup(tok->valuestring);
        cJSON_Delete(out);
        if (!sent) {
            st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
            break;
        }
        cJSON_DeleteItemFromObjectCaseSensitive(in, pg->input_token);
        if (!cJSON_AddStringToObject(in, pg->input_token, sent)) {
            st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
            break;
        }
    }
    free(sent);
    cJSON_Delete(in);
    return st;
}
