/* mldeck train: launch a standalone YOLO11 training job, and mldeck
 * pipeline upsert: create or update a pipeline from a definition file.
 * Both are changes to the account: confirmation (or --yes), the read-only
 * gate and the audit log, through md_action_run. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "action/action.h"
#include "app/action_job.h"
#include "aws/client.h"
#include "aws/sagemaker.h"
#include "aws/train_request.h"
#include "cli/cli.h"
#include "kind/kind.h"
#include "local/demo.h"
#include "util/buf.h"
#include "util/json.h"

static const struct md_action act_train = {0, "create-training-job", "Create training job", true, true};
static const struct md_action act_upsert = {0, "upsert-pipeline", "Create or update pipeline", true, true};

struct call {
    const struct md_settings *settings;
    struct md_aws_env *env;
    const char *op;             /* CreateTrainingJob / CreatePipeline / UpdatePipeline */
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
    /* CreateTrainingJob has no idempotency token: md_train_create knows
     * its own job again after a lost reply. */
    if (!strcmp(c->op, "CreateTrainingJob"))
        st = md_train_create(&cl, req->params, result, err);
    else
        st = md_aws_json_call(&cl, "SageMaker", c->op, "1.1", req->params, result, err);
    snprintf(request_id, 80, "%s", cl.last.request_id[0] ? cl.last.request_id : err->request_id);
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
    /* The demo workspace never reaches an account (it would have sent this
     * to AWS, or to --endpoint-url). */
    if (cli->settings->demo) {
        md_demo_refuse(k->name, a->name, &err);
        rc = md_cli_fail(cli, &err);
        goto out;
    }
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
            "                    [--channel NAME=S3URI]...\n"
            "                    [--max-runtime SECONDS] [--spot --checkpoint S3URI [--max-wait SECONDS]]\n"
            "                    [--yes]\n");
    return MD_EXIT_USAGE;
}

/* The flag that sets each field, for messages. */
static const char *const field_flag[MD_TF_COUNT] = {
    [MD_TF_NAME] = "NAME", [MD_TF_IMAGE] = "--image", [MD_TF_ROLE] = "--role-arn",
    [MD_TF_INSTANCE_TYPE] = "--instance-type", [MD_TF_INSTANCE_COUNT] = "--instance-count",
    [MD_TF_VOLUME] = "--volume-size", [MD_TF_EPOCHS] = "--epochs", [MD_TF_IMGSZ] = "--imgsz",
    [MD_TF_BATCH] = "--batch", [MD_TF_MODEL] = "--model", [MD_TF_HP_MORE] = "-H",
    [MD_TF_TRAIN] = "--train", [MD_TF_VAL] = "--val", [MD_TF_CHANNELS_MORE] = "--channel",
    [MD_TF_OUTPUT] = "--output", [MD_TF_MAX_RUNTIME] = "--max-runtime", [MD_TF_SPOT] = "--spot",
    [MD_TF_CHECKPOINT] = "--checkpoint", [MD_TF_MAX_WAIT] = "--max-wait",
};

static const struct {
    const char *flag;
    enum md_train_field f;
} value_flags[] = {
    {"--image", MD_TF_IMAGE}, {"--role-arn", MD_TF_ROLE}, {"--train", MD_TF_TRAIN},
    {"--val", MD_TF_VAL}, {"--output", MD_TF_OUTPUT}, {"--instance-type", MD_TF_INSTANCE_TYPE},
    {"--checkpoint", MD_TF_CHECKPOINT}, {"--instance-count", MD_TF_INSTANCE_COUNT},
    {"--volume-size", MD_TF_VOLUME}, {"--max-runtime", MD_TF_MAX_RUNTIME},
    {"--max-wait", MD_TF_MAX_WAIT}, {"--epochs", MD_TF_EPOCHS}, {"--imgsz", MD_TF_IMGSZ},
    {"--batch", MD_TF_BATCH}, {"--model", MD_TF_MODEL},
};

/* Appends "key=value" to a pairs field (-H, --channel). */
static bool add_pair(struct md_train_spec *s, enum md_train_field f, const char *kv)
{
    const char *eq = strchr(kv, '=');
    if (!eq || eq == kv || strpbrk(kv, " \t"))
        return false;
    size_t used = strlen(s->v[f]);
    int w = snprintf(s->v[f] + used, MD_TRAIN_VALUE_MAX - used, "%s%s", used ? " " : "", kv);
    return w > 0 && (size_t)w < MD_TRAIN_VALUE_MAX - used;
}

int md_cmd_train(struct md_cli *cli, int argc, char **argv)
{
    struct md_train_spec spec;
    md_train_spec_init(&spec, (double)time(NULL));
    spec.v[MD_TF_NAME][0] = '\0';
    bool yes = false, named = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--yes") || !strcmp(a, "-y")) {
            yes = true;
            continue;
        }
        if (!strcmp(a, "--spot")) {
            snprintf(spec.v[MD_TF_SPOT], MD_TRAIN_VALUE_MAX, "yes");
            continue;
        }
        if (a[0] != '-') {
            if (named) {
                fprintf(cli->err, "mldeck train: one job name only (%s?)\n", a);
                return usage_train(cli);
            }
            snprintf(spec.v[MD_TF_NAME], MD_TRAIN_VALUE_MAX, "%s", a);
            named = true;
            continue;
        }
        if (!v)
            return usage_train(cli);
        bool known = false;
        for (size_t k = 0; k < sizeof value_flags / sizeof value_flags[0]; k++)
            if (!strcmp(a, value_flags[k].flag)) {
                snprintf(spec.v[value_flags[k].f], MD_TRAIN_VALUE_MAX, "%s", v);
                known = true;
            }
        if (!known && !strcmp(a, "-H")) {
            /* -H epochs=5 is the same as --epochs 5. */
            known = false;
            for (size_t k = 0; k < sizeof value_flags / sizeof value_flags[0]; k++) {
                const char *key = value_flags[k].flag + 2;
                size_t kl = strlen(key);
                if (value_flags[k].f >= MD_TF_EPOCHS && value_flags[k].f <= MD_TF_MODEL &&
                    !strncmp(v, key, kl) && v[kl] == '=') {
                    snprintf(spec.v[value_flags[k].f], MD_TRAIN_VALUE_MAX, "%s", v + kl + 1);
                    known = true;
                }
            }
            if (!known && !add_pair(&spec, MD_TF_HP_MORE, v)) {
                fprintf(cli->err, "mldeck train: -H takes KEY=VALUE (no spaces): %s\n", v);
                return usage_train(cli);
            }
            known = true;
        } else if (!known && !strcmp(a, "--channel")) {
            if (!add_pair(&spec, MD_TF_CHANNELS_MORE, v)) {
                fprintf(cli->err, "mldeck train: --channel takes NAME=S3URI: %s\n", v);
                return usage_train(cli);
            }
            known = true;
        }
        if (!known) {
            fprintf(cli->err, "mldeck train: unknown option %s\n", a);
            return usage_train(cli);
        }
        i++;
    }
    if (!named || !spec.v[MD_TF_IMAGE][0] || !spec.v[MD_TF_ROLE][0] || !spec.v[MD_TF_TRAIN][0] ||
        !spec.v[MD_TF_OUTPUT][0])
        return usage_train(cli);
    cJSON *p = NULL;
    enum md_train_field bad = MD_TF_NAME;
    struct md_err err;
    if (md_train_request(&spec, &p, &bad, &err) != MD_OK) {
        fprintf(cli->err, "mldeck train: %s: %s\n", field_flag[bad], err.msg);
        md_train_spec_free(&spec);
        return MD_EXIT_USAGE;
    }
    md_train_spec_free(&spec);
    const struct md_kind *k = md_kind_find("training-jobs");
    const struct md_action *a = k ? md_kind_action_by_name(k, "create-training-job") : NULL;
    struct call c = {cli->settings, NULL, "CreateTrainingJob", NULL};
    char name[64];
    snprintf(name, sizeof name, "%s", md_json_str(p, "$.TrainingJobName", ""));
    return perform(cli, k, a ? a : &act_train, &c, name, p, yes);
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
    struct call c = {cli->settings, NULL, exists ? "UpdatePipeline" : "CreatePipeline", NULL};
    return perform(cli, md_kind_find("pipelines"), &act_upsert, &c, name, p, yes);
}
