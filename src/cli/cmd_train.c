/* mldeck train: launch a standalone YOLO11 training job, and mldeck
 * pipeline upsert: create or update a pipeline from a definition file.
 * Both are changes to the account: confirmation (or --yes), the read-only
 * gate and the audit log, through md_action_run. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "action/action.h"
#include "app/action_job.h"
#include "aws/client.h"
#include "aws/sagemaker.h"
#include "cli/cli.h"
#include "kind/kind.h"
#include "util/buf.h"
#include "util/json.h"

static const struct md_action act_train = {0, "create-training-job", "Create training job", true, true};
static const struct md_action act_upsert = {0, "upsert-pipeline", "Create or update pipeline", true, true};

struct call {
    const struct md_settings *settings;
    struct md_aws_env *env;
    const char *op;             /* CreateTrainingJob / CreatePipeline / UpdatePipeline */
    const char *name_member;    /* "TrainingJobName" / "PipelineName" */
    const char *describe_op;    /* to recognise our own create after a lost reply */
    char *account;
};

static md_status run_create(void *ctx, const struct md_action_req *req, cJSON **result,
                            char *request_id, struct md_err *err)
{
    struct call *c = ctx;
    struct md_aws_client cl;
    struct md_endpoint ep;
    struct md_http_opts http;
    md_status st = md_aws_client_init(&cl, c->env, c->settings, "sagemaker", NULL, NULL, NULL,
                                      &ep, &http, err);
    if (st != MD_OK)
        return st;
    st = md_aws_json_call(&cl, "SageMaker", c->op, "1.1", req->params, result, err);
    snprintf(request_id, 80, "%s", cl.last.request_id[0] ? cl.last.request_id : err->request_id);
    /* These calls have no idempotency token.  When a retry after a lost
     * reply meets the object our first attempt created, that is success. */
    if (st != MD_OK && cl.last.attempts > 1 && c->describe_op &&
        (!strcmp(err->svc_code, "ResourceInUse") || strstr(err->msg, "must be unique") ||
         strstr(err->msg, "already exists"))) {
        cJSON *in = cJSON_CreateObject();
        cJSON_AddStringToObject(in, c->name_member, req->target);
        struct md_err e2;
        if (md_aws_json_call(&cl, "SageMaker", c->describe_op, "1.1", in, result, &e2) == MD_OK) {
            md_err_clear(err);
            st = MD_OK;
        }
        cJSON_Delete(in);
    }
    if (st == MD_OK && *result) {
        const char *arn = md_json_str(*result, "$.TrainingJobArn", NULL);
        if (!arn)
            arn = md_json_str(*result, "$.PipelineArn", NULL);
        md_arn_account(arn, c->account, 32);
    }
    return st;
}


/* Shows the request, asks, runs it through the one action path, prints the reply. */
static int perform(struct md_cli *cli, const struct md_kind *k, const struct md_action *a,
                   struct call *c, const char *target, cJSON *params, bool yes)
{
    struct md_action_req req = {k, a, target, params};
    struct md_err err;
    int rc = MD_EXIT_OK;
    if (md_action_gate(cli->settings, &req, &err) != MD_OK) {
        rc = md_cli_fail(cli, &err);
        goto out;
    }
    char *text = cJSON_Print(params);
    fprintf(cli->err, "%s: %s\n%s\n", a->label, c->op, text ? text : "{}");
    cJSON_free(text);
    char q[512];
    snprintf(q, sizeof q, "%s %s?", a->label, target);
    if (!yes && !md_cli_confirm(cli, q)) {
        rc = MD_EXIT_REFUSED;
        goto out;
    }
    md_http_global_init();
    if (md_aws_env_open(cli->settings, NULL, &c->env, &err) != MD_OK) {
        rc = md_cli_fail(cli, &err);
        goto out;
    }
    const char *region = "";
    md_aws_env_region(c->env, &region, &err);
    char account[32] = "";
    c->account = account;
    struct md_action_scope scope = {c->env->profile.name, account, region};
    cJSON *result = NULL;
    if (md_action_run(cli->settings, &scope, &req, run_create, c, &result, &err) != MD_OK) {
        rc = md_cli_fail(cli, &err);
    } else {
        char *r = cJSON_Print(result);
        fprintf(cli->out, "%s\n", r ? r : "{}");
        cJSON_free(r);
    }
    cJSON_Delete(result);
out:
    md_aws_env_free(c->env);
    cJSON_Delete(params);
    return rc;
}

static int usage_train(struct md_cli *cli)
{
    fprintf(cli->err,
            "usage: mldeck train NAME --image URI --role-arn ARN --train S3URI --output S3URI\n"
            "                    [--val S3URI] [--instance-type T] [--instance-count N] [--volume-size GB]\n"
            "                    [--epochs N] [--imgsz N] [--batch N] [--model M] [-H KEY=VALUE]...\n"
            "                    [--max-runtime SECONDS] [--spot --checkpoint S3URI [--max-wait SECONDS]]\n"
            "                    [--yes]\n");
    return MD_EXIT_USAGE;
}

static bool parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || !*s || *end || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

static cJSON *channel(const char *name, const char *uri)
{
    cJSON *ch = cJSON_CreateObject();
    cJSON_AddStringToObject(ch, "ChannelName", name);
    cJSON *ds = cJSON_AddObjectToObject(ch, "DataSource");
    cJSON *s3 = cJSON_AddObjectToObject(ds, "S3DataSource");
    cJSON_AddStringToObject(s3, "S3DataType", "S3Prefix");
    cJSON_AddStringToObject(s3, "S3Uri", uri);
    cJSON_AddStringToObject(s3, "S3DataDistributionType", "FullyReplicated");
    return ch;
}

int md_cmd_train(struct md_cli *cli, int argc, char **argv)
{
    const char *name = NULL, *image = NULL, *role = NULL, *train = NULL, *val = NULL,
               *output = NULL, *itype = "ml.g5.xlarge", *checkpoint = NULL;
    long count = 1, volume = 50, runtime = 86400, maxwait = 0;
    bool spot = false, yes = false;
    cJSON *hp = cJSON_CreateObject();
    const struct { const char *flag, *key, *def; } hps[] = {
        {"--epochs", "epochs", "100"}, {"--imgsz", "imgsz", "640"},
        {"--batch", "batch", "16"}, {"--model", "model", "yolo11n.pt"},
    };
    for (size_t i = 0; i < sizeof hps / sizeof hps[0]; i++)
        cJSON_AddStringToObject(hp, hps[i].key, hps[i].def);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool took = true;
        if (!strcmp(a, "--yes") || !strcmp(a, "-y")) { yes = true; took = false; }
        else if (!strcmp(a, "--spot")) { spot = true; took = false; }
        else if (!v) { cJSON_Delete(hp); return usage_train(cli); }
        else if (!strcmp(a, "--image")) image = v;
        else if (!strcmp(a, "--role-arn")) role = v;
        else if (!strcmp(a, "--train")) train = v;
        else if (!strcmp(a, "--val")) val = v;
        else if (!strcmp(a, "--output")) output = v;
        else if (!strcmp(a, "--instance-type")) itype = v;
        else if (!strcmp(a, "--checkpoint")) checkpoint = v;
        else if (!strcmp(a, "--instance-count") && parse_long(v, 1, 100, &count)) ;
        else if (!strcmp(a, "--volume-size") && parse_long(v, 1, 16384, &volume)) ;
        else if (!strcmp(a, "--max-runtime") && parse_long(v, 1, 28 * 86400, &runtime)) ;
        else if (!strcmp(a, "--max-wait") && parse_long(v, 1, 28 * 86400, &maxwait)) ;
        else if (!strcmp(a, "-H") && strchr(v, '=') && v[0] != '=') {
            char key[256];
            snprintf(key, sizeof key, "%.*s", (int)(strchr(v, '=') - v), v);
            cJSON_DeleteItemFromObjectCaseSensitive(hp, key);
            cJSON_AddStringToObject(hp, key, strchr(v, '=') + 1);
        } else {
            bool hpflag = false;
            for (size_t h = 0; h < sizeof hps / sizeof hps[0]; h++)
                if (!strcmp(a, hps[h].flag)) {
                    cJSON_ReplaceItemInObjectCaseSensitive(hp, hps[h].key, cJSON_CreateString(v));
                    hpflag = true;
                }
            if (!hpflag) {
                if (a[0] == '-' || name) {
                    fprintf(cli->err, "mldeck train: bad option or value: %s %s\n", a, v);
                    cJSON_Delete(hp);
                    return usage_train(cli);
                }
                name = a;
                took = false;
            }
        }
        if (took)
            i++;
    }
    if (!name || !image || !role || !train || !output) {
        cJSON_Delete(hp);
        return usage_train(cli);
    }
    if (spot && !checkpoint) {
        fprintf(cli->err, "mldeck train: --spot needs --checkpoint S3URI so an interrupted job can resume\n");
        cJSON_Delete(hp);
        return MD_EXIT_USAGE;
    }
    if (maxwait && maxwait < runtime) {
        fprintf(cli->err, "mldeck train: --max-wait must be at least --max-runtime\n");
        cJSON_Delete(hp);
        return MD_EXIT_USAGE;
    }
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "TrainingJobName", name);
    cJSON_AddItemToObject(p, "HyperParameters", hp);
    cJSON *alg = cJSON_AddObjectToObject(p, "AlgorithmSpecification");
    cJSON_AddStringToObject(alg, "TrainingImage", image);
    cJSON_AddStringToObject(alg, "TrainingInputMode", "File");
    cJSON_AddStringToObject(p, "RoleArn", role);
    cJSON *chans = cJSON_AddArrayToObject(p, "InputDataConfig");
    cJSON_AddItemToArray(chans, channel("train", train));
    if (val)
        cJSON_AddItemToArray(chans, channel("val", val));
    cJSON *out = cJSON_AddObjectToObject(p, "OutputDataConfig");
    cJSON_AddStringToObject(out, "S3OutputPath", output);
    cJSON *rc = cJSON_AddObjectToObject(p, "ResourceConfig");
    cJSON_AddStringToObject(rc, "InstanceType", itype);
    cJSON_AddNumberToObject(rc, "InstanceCount", (double)count);
    cJSON_AddNumberToObject(rc, "VolumeSizeInGB", (double)volume);
    cJSON *stop = cJSON_AddObjectToObject(p, "StoppingCondition");
    cJSON_AddNumberToObject(stop, "MaxRuntimeInSeconds", (double)runtime);
    if (spot) {
        cJSON_AddNumberToObject(stop, "MaxWaitTimeInSeconds", (double)(maxwait ? maxwait : 2 * runtime));
        cJSON_AddBoolToObject(p, "EnableManagedSpotTraining", 1);
        cJSON *cp = cJSON_AddObjectToObject(p, "CheckpointConfig");
        cJSON_AddStringToObject(cp, "S3Uri", checkpoint);
        cJSON_AddStringToObject(cp, "LocalPath", "/opt/ml/checkpoints");
    }
    struct call c = {cli->settings, NULL, "CreateTrainingJob", "TrainingJobName",
                     "DescribeTrainingJob", NULL};
    return perform(cli, md_kind_find("training-jobs"), &act_train, &c, name, p, yes);
}

/* ---- pipeline upsert -------------------------------------------------------- */

static char *read_file(const char *path, struct md_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        md_err_set(err, MD_ERR_IO, "%s: %s", path, strerror(errno));
        return NULL;
    }
    struct md_buf b = MD_BUF_INIT;
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len < (1u << 20))
        md_buf_append(&b, chunk, n);
    fclose(f);
    return md_buf_steal(&b);
}

int md_cmd_pipeline(struct md_cli *cli, int argc, char **argv)
{
    const char *name = NULL, *defpath = NULL, *role = NULL, *descr = NULL;
    bool yes = false;
    if (argc < 2 || strcmp(argv[1], "upsert") != 0) {
        fprintf(cli->err, "usage: mldeck pipeline upsert NAME --definition FILE --role-arn ARN "
                          "[--description D] [--yes]\n");
        return MD_EXIT_USAGE;
    }
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--definition") && i + 1 < argc) defpath = argv[++i];
        else if (!strcmp(argv[i], "--role-arn") && i + 1 < argc) role = argv[++i];
        else if (!strcmp(argv[i], "--description") && i + 1 < argc) descr = argv[++i];
        else if (!strcmp(argv[i], "--yes") || !strcmp(argv[i], "-y")) yes = true;
        else if (argv[i][0] != '-' && !name) name = argv[i];
        else name = NULL, i = argc;
    }
    if (!name || !defpath || !role) {
        fprintf(cli->err, "usage: mldeck pipeline upsert NAME --definition FILE --role-arn ARN "
                          "[--description D] [--yes]\n");
        return MD_EXIT_USAGE;
    }
    struct md_err err;
    char *def = read_file(defpath, &err);
    if (!def)
        return md_cli_fail(cli, &err);
    /* A definition that is not JSON would only come back as a
     * ValidationException: say so before anything is sent. */
    cJSON *parsed = md_json_parse(def, strlen(def), &err);
    if (!parsed || !cJSON_GetObjectItemCaseSensitive(parsed, "Steps")) {
        if (parsed)
            md_err_set(&err, MD_ERR_INVALID, "%s: a pipeline definition needs \"Steps\"", defpath);
        else
            md_err_wrap(&err, "%s", defpath);
        cJSON_Delete(parsed);
        free(def);
        return md_cli_fail(cli, &err);
    }
    char *compact = cJSON_PrintUnformatted(parsed);
    cJSON_Delete(parsed);
    free(def);

    /* Does it exist?  Decides Create or Update (a read: no confirmation). */
    struct md_aws_env *env = NULL;
    md_http_global_init();
    if (md_aws_env_open(cli->settings, NULL, &env, &err) != MD_OK) {
        md_aws_env_free(env);
        cJSON_free(compact);
        return md_cli_fail(cli, &err);
    }
    struct md_aws_client cl;
    struct md_endpoint ep;
    struct md_http_opts http;
    cJSON *in = cJSON_CreateObject(), *desc = NULL;
    cJSON_AddStringToObject(in, "PipelineName", name);
    md_status st = md_aws_client_init(&cl, env, cli->settings, "sagemaker", NULL, NULL, NULL, &ep,
                                      &http, &err);
    if (st == MD_OK)
        st = md_aws_json_call(&cl, "SageMaker", "DescribePipeline", "1.1", in, &desc, &err);
    cJSON_Delete(in);
    cJSON_Delete(desc);
    md_aws_env_free(env);
    bool exists = st == MD_OK;
    if (st != MD_OK && st != MD_ERR_NOTFOUND && strcmp(err.svc_code, "ResourceNotFound") != 0) {
        cJSON_free(compact);
        return md_cli_fail(cli, &err);
    }
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "PipelineName", name);
    cJSON_AddStringToObject(p, "PipelineDefinition", compact);
    cJSON_free(compact);
    cJSON_AddStringToObject(p, "RoleArn", role);
    if (descr)
        cJSON_AddStringToObject(p, "PipelineDescription", descr);
    if (!exists) {
        char tok[37];
        md_aws_idempotency_token(tok);
        cJSON_AddStringToObject(p, "ClientRequestToken", tok);
    }
    struct call c = {cli->settings, NULL, exists ? "UpdatePipeline" : "CreatePipeline",
                     "PipelineName", NULL, NULL};
    return perform(cli, md_kind_find("pipelines"), &act_upsert, &c, name, p, yes);
}
