/* mldeck metrics training-job NAME [--metric M] [--json|--tsv]: the
 * CloudWatch metrics of a training job (reached from `mldeck metrics`,
 * whose two-argument form is MLflow's RUN_ID KEY). */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "aws/client.h"
#include "aws/cwmetrics.h"
#include "aws/proto.h"
#include "cli/cli.h"
#include "cli/ls.h"
#include "kind/kind.h"
#include "util/json.h"

/* The job's time range: from its creation to its end (or now). */
static md_status job_range(const struct md_aws_env *env, const struct md_settings *s,
                           const char *job, double *start, double *end, struct md_err *err)
{
    struct md_aws_client c;
    struct md_endpoint ep;
    struct md_http_opts http;
    md_status st = md_aws_client_init(&c, env, s, "sagemaker", NULL, NULL, NULL, &ep, &http, err);
    cJSON *in = cJSON_CreateObject(), *d = NULL;
    cJSON_AddStringToObject(in, "TrainingJobName", job);
    if (st == MD_OK)
        st = md_aws_json_call(&c, "SageMaker", "DescribeTrainingJob", "1.1", in, &d, err);
    cJSON_Delete(in);
    if (st != MD_OK)
        return st;
    *start = md_json_num(d, "$.CreationTime", 0) - 60;
    double e = md_json_num(d, "$.TrainingEndTime", 0);
    *end = (e > 0 ? e : (double)time(NULL)) + 120;
    cJSON_Delete(d);
    return MD_OK;
}

int md_cli_training_metrics(struct md_cli *cli, int argc, char **argv)
{
    const char *job = NULL, *only = NULL;
    enum md_ls_format fmt = MD_LS_TABLE;
    for (int i = 2; i < argc; i++) {
        if (md_ls_format_flag(argv[i], &fmt))
            continue;
        if (!strcmp(argv[i], "--metric") && i + 1 < argc)
            only = argv[++i];
        else if (argv[i][0] != '-' && !job)
            job = argv[i];
        else
            job = NULL, i = argc;
    }
    if (!job) {
        fprintf(cli->err, "usage: mldeck metrics training-job NAME [--metric M] [--json|--tsv]\n");
        return MD_EXIT_USAGE;
    }
    struct md_err err;
    struct md_aws_env *env = NULL;
    md_http_global_init();
    md_status st = md_aws_env_open(cli->settings, NULL, &env, &err);
    double start = 0, end = 0;
    if (st == MD_OK)
        st = job_range(env, cli->settings, job, &start, &end, &err);
    struct md_series_set set = {0};
    if (st == MD_OK) {
        struct md_aws_client c;
        struct md_endpoint ep;
        struct md_http_opts http;
        st = md_aws_client_init(&c, env, cli->settings, "monitoring", NULL, NULL, NULL, &ep, &http,
                                &err);
        if (st == MD_OK)
            st = md_cw_training_metrics(&c, job, start, end, 60, &set, &err);
    }
    md_aws_env_free(env);
    if (st != MD_OK)
        return md_cli_fail(cli, &err);
    if (only && !md_series_find(&set, only)) {
        md_err_set(&err, MD_ERR_NOTFOUND, "%s has no metric '%s'", job, only);
        md_series_set_free(&set);
        return md_cli_fail(cli, &err);
    }
    if (fmt == MD_LS_JSON) {
        /* GetMetricData's own field names, one result per metric. */
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "TrainingJobName", job);
        cJSON *rs = cJSON_AddArrayToObject(o, "MetricDataResults");
        for (size_t i = 0; i < set.n; i++) {
            if (only && strcmp(set.v[i].name, only))
                continue;
            cJSON *r = cJSON_CreateObject();
            cJSON_AddStringToObject(r, "Label", set.v[i].name);
            cJSON_AddItemToObject(r, "Timestamps", cJSON_CreateDoubleArray(set.v[i].t, (int)set.v[i].n));
            cJSON_AddItemToObject(r, "Values", cJSON_CreateDoubleArray(set.v[i].v, (int)set.v[i].n));
            cJSON_AddItemToArray(rs, r);
        }
        char *text = cJSON_PrintUnformatted(o);
        fprintf(cli->out, "%s\n", text ? text : "{}");
        cJSON_free(text);
        cJSON_Delete(o);
    } else if (fmt == MD_LS_TSV) {
        fprintf(cli->out, "metric\ttimestamp\tvalue\n");
        for (size_t i = 0; i < set.n; i++)
            for (size_t k = 0; k < set.v[i].n && (!only || !strcmp(set.v[i].name, only)); k++) {
                char when[40];
                md_fmt_iso8601(set.v[i].t[k], when, sizeof when);
                fprintf(cli->out, "%s\t%s\t%.10g\n", set.v[i].name, when, set.v[i].v[k]);
            }
    } else {
        fprintf(cli->out, "%-28s %7s %12s %12s %12s\n", "METRIC", "POINTS", "LAST", "MIN", "MAX");
        for (size_t i = 0; i < set.n; i++) {
            const struct md_series *s = &set.v[i];
            if (only && strcmp(s->name, only))
                continue;
            double lo = DBL_MAX, hi = -DBL_MAX;
            for (size_t k = 0; k < s->n; k++) {
                lo = fmin(lo, s->v[k]);
                hi = fmax(hi, s->v[k]);
            }
            if (s->n)
                fprintf(cli->out, "%-28s %7zu %12.5g %12.5g %12.5g\n", s->name, s->n,
                        s->v[s->n - 1], lo, hi);
            else
                fprintf(cli->out, "%-28s %7d %12s %12s %12s\n", s->name, 0, "-", "-", "-");
        }
    }
    md_series_set_free(&set);
    return MD_EXIT_OK;
}
