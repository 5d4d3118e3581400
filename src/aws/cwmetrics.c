#include "aws/cwmetrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"

#define CW_PREFIX "GraniteServiceVersion20100801"
#define CW_JSON "1.0"

/* Instance metrics SageMaker publishes beside the algorithm's. */
static bool instance_metric(const char *name)
{
    static const char *const inst[] = {"CPUUtilization", "MemoryUtilization", "GPUUtilization",
                                       "GPUMemoryUtilization", "DiskUtilization", NULL};
    for (int i = 0; inst[i]; i++)
        if (!strcmp(inst[i], name))
            return true;
    return false;
}

void md_series_set_free(struct md_series_set *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->v[i].t);
        free(s->v[i].v);
    }
    free(s->v);
    s->v = NULL;
    s->n = 0;
}

const struct md_series *md_series_find(const struct md_series_set *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->v[i].name, name))
            return &s->v[i];
    return NULL;
}

static int series_push(struct md_series *s, double t, double v)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        double *nt = realloc(s->t, cap * sizeof *nt);
        if (!nt)
            return -1;
        s->t = nt;
        double *nv = realloc(s->v, cap * sizeof *nv);
        if (!nv)
            return -1;
        s->v = nv;
        s->cap = cap;
    }
    s->t[s->n] = t;
    s->v[s->n] = v;
    s->n++;
    return 0;
}

static cJSON *host_dims(const char *job)
{
    char host[512];
    snprintf(host, sizeof host, "%s/algo-1", job);
    cJSON *dims = cJSON_CreateArray();
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "Name", "Host");
    cJSON_AddStringToObject(d, "Value", host);
    cJSON_AddItemToArray(dims, d);
    return dims;
}

/* ListMetrics, every page: the names the job has published. */
static md_status list_names(struct md_aws_client *c, const char *job, struct md_series_set *out,
                            struct md_err *err)
{
    char token[2048] = "";
    for (int page = 0; page < 50; page++) {
        cJSON *in = cJSON_CreateObject(), *rep = NULL;
        cJSON_AddStringToObject(in, "Namespace", MD_CW_TRAINING_NAMESPACE);
        cJSON_AddItemToObject(in, "Dimensions", host_dims(job));
        if (token[0])
            cJSON_AddStringToObject(in, "NextToken", token);
        md_status st = md_aws_json_call(c, CW_PREFIX, "ListMetrics", CW_JSON, in, &rep, err);
        cJSON_Delete(in);
        if (st != MD_OK)
            return st;
        const cJSON *m;
        cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(rep, "Metrics")) {
            const char *name = md_json_str(m, "$.MetricName", NULL);
            if (!name || md_series_find(out, name))
                continue;
            struct md_series *v = realloc(out->v, (out->n + 1) * sizeof *v);
            if (!v) {
                cJSON_Delete(rep);
                return md_err_set(err, MD_ERR_NOMEM, "out of memory");
            }
            out->v = v;
            memset(&v[out->n], 0, sizeof v[out->n]);
            snprintf(v[out->n].name, sizeof v[out->n].name, "%s", name);
            v[out->n].instance = instance_metric(name);
            out->n++;
        }
        const char *next = md_json_str(rep, "$.NextToken", "");
        bool more = next[0] && strcmp(next, token) != 0;
        snprintf(token, sizeof token, "%s", next);
        cJSON_Delete(rep);
        if (!more)
            break;
    }
    return MD_OK;
}

md_status md_cw_training_metrics(struct md_aws_client *c, const char *job, double start,
                                 double end, int period, struct md_series_set *out,
                                 struct md_err *err)
{
    memset(out, 0, sizeof *out);
    if (period < 60 || period % 60)
        return md_err_set(err, MD_ERR_INVALID, "period must be a multiple of 60 seconds");
    if (end <= start)
        return md_err_set(err, MD_ERR_INVALID, "the time range is empty");
    md_status st = list_names(c, job, out, err);
    if (st != MD_OK || out->n == 0)
        return st;
    /* One GetMetricData call carries up to 500 queries; a job has a few
     * dozen metrics at most. */
    size_t nq = out->n < 500 ? out->n : 500;
    char token[4096] = "";
    for (int page = 0; page < 1000; page++) {
        cJSON *in = cJSON_CreateObject(), *rep = NULL;
        cJSON *qs = cJSON_AddArrayToObject(in, "MetricDataQueries");
        for (size_t i = 0; i < nq; i++) {
            char id[16];
            snprintf(id, sizeof id, "m%zu", i);
            cJSON *q = cJSON_CreateObject();
            cJSON_AddStringToObject(q, "Id", id);
            cJSON *ms = cJSON_AddObjectToObject(q, "MetricStat");
            cJSON *m = cJSON_AddObjectToObject(ms, "Metric");
            cJSON_AddStringToObject(m, "Namespace", MD_CW_TRAINING_NAMESPACE);
            cJSON_AddStringToObject(m, "MetricName", out->v[i].name);
            cJSON_AddItemToObject(m, "Dimensions", host_dims(job));
            cJSON_AddNumberToObject(ms, "Period", period);
            cJSON_AddStringToObject(ms, "Stat", "Average");
            cJSON_AddBoolToObject(q, "ReturnData", 1);
            cJSON_AddItemToArray(qs, q);
        }
        cJSON_AddNumberToObject(in, "StartTime", start);
        cJSON_AddNumberToObject(in, "EndTime", end);
        cJSON_AddStringToObject(in, "ScanBy", "TimestampAscending");
        if (token[0])
            cJSON_AddStringToObject(in, "NextToken", token);
        st = md_aws_json_call(c, CW_PREFIX, "GetMetricData", CW_JSON, in, &rep, err);
        cJSON_Delete(in);
        if (st != MD_OK)
            break;
        const cJSON *r;
        cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(rep, "MetricDataResults")) {
            const char *id = md_json_str(r, "$.Id", "");
            char *end_id;
            unsigned long idx = id[0] == 'm' ? strtoul(id + 1, &end_id, 10) : (unsigned long)-1;
            if (idx >= nq)
                continue;
            const cJSON *ts = cJSON_GetObjectItemCaseSensitive(r, "Timestamps");
            const cJSON *vs = cJSON_GetObjectItemCaseSensitive(r, "Values");
            int n = cJSON_GetArraySize(ts);
            if (n != cJSON_GetArraySize(vs))
                continue; /* malformed: the two lists must pair up */
            for (int k = 0; k < n; k++) {
                const cJSON *t = cJSON_GetArrayItem(ts, k), *v = cJSON_GetArrayItem(vs, k);
                if (cJSON_IsNumber(t) && cJSON_IsNumber(v) &&
                    series_push(&out->v[idx], t->valuedouble, v->valuedouble) < 0) {
                    cJSON_Delete(rep);
                    return md_err_set(err, MD_ERR_NOMEM, "out of memory");
                }
            }
        }
        const char *next = md_json_str(rep, "$.NextToken", "");
        bool more = next[0] && strcmp(next, token) != 0;
        snprintf(token, sizeof token, "%s", next);
        cJSON_Delete(rep);
        if (!more)
            break;
    }
    if (st != MD_OK)
        md_series_set_free(out);
    return st;
}
