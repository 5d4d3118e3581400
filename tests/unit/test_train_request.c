/* The standalone training job request (src/aws/train_request.h): defaults,
 * every field's validation, the spot/checkpoint/max-wait rules, the request
 * built from the fields, cloning a previous job, and the name=value lists. */
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "aws/train_request.h"
#include "util/json.h"

static void set(struct md_train_spec *s, enum md_train_field f, const char *v)
{
    snprintf(s->v[f], MD_TRAIN_VALUE_MAX, "%s", v);
}

/* A spec that passes: the defaults plus the required fields. */
static void valid(struct md_train_spec *s)
{
    md_train_spec_init(s, 1795176000.0);
    set(s, MD_TF_IMAGE, "123456789012.dkr.ecr.eu-west-1.amazonaws.com/yolo11-train:8.3");
    set(s, MD_TF_ROLE, "arn:aws:iam::123456789012:role/drone-ml-sagemaker");
    set(s, MD_TF_TRAIN, "s3://drone-ml-data/datasets/aerial4/train/");
    set(s, MD_TF_OUTPUT, "s3://drone-ml-artifacts/training/");
}

/* field f = v is refused, on field f, with a message containing want. */
static void refused(enum md_train_field f, const char *v, const char *want, const char *what)
{
    struct md_train_spec s;
    valid(&s);
    set(&s, f, v);
    struct md_err err;
    md_err_clear(&err);
    enum md_train_field bad = MD_TF_COUNT;
    cJSON *req = NULL;
    md_status st = md_train_request(&s, &req, &bad, &err);
    TAP_OK(st == MD_ERR_INVALID && bad == f && !req && strstr(err.msg, want),
           "%s is refused on its field (%s)", what, err.msg);
    cJSON_Delete(req);
    md_train_spec_free(&s);
}

static void accepted(enum md_train_field f, const char *v, const char *what)
{
    struct md_train_spec s;
    valid(&s);
    set(&s, f, v);
    struct md_err err;
    md_err_clear(&err);
    TAP_EQ_INT(md_train_check_field(&s, f, &err), MD_OK, "%s is accepted %s", what, err.msg);
    md_train_spec_free(&s);
}

int main(void)
{
    struct md_train_spec s;
    struct md_err err;
    md_train_spec_init(&s, 1795176000.0); /* 2026-11-20 12:00:00 UTC */
    TAP_EQ_STR(s.v[MD_TF_NAME], "yolo11-train-20261120-120000", "default name from the time (UTC)");
    TAP_OK(md_train_name_ok(s.v[MD_TF_NAME]), "the default name is a valid job name");
    TAP_EQ_STR(s.v[MD_TF_INSTANCE_TYPE], "ml.g5.xlarge", "default instance ml.g5.xlarge");
    TAP_EQ_STR(s.v[MD_TF_INSTANCE_COUNT], "1", "default count 1");
    TAP_EQ_STR(s.v[MD_TF_VOLUME], "50", "default volume 50");
    TAP_EQ_STR(s.v[MD_TF_EPOCHS], "100", "default epochs 100");
    TAP_EQ_STR(s.v[MD_TF_IMGSZ], "640", "default imgsz 640");
    TAP_EQ_STR(s.v[MD_TF_BATCH], "16", "default batch 16");
    TAP_EQ_STR(s.v[MD_TF_MODEL], "yolo11n.pt", "default model yolo11n.pt");
    TAP_EQ_STR(s.v[MD_TF_MAX_RUNTIME], "86400", "default max runtime 86400");
    TAP_EQ_STR(s.v[MD_TF_SPOT], "no", "no spot by default");
    enum md_train_field bad = MD_TF_COUNT;
    TAP_EQ_INT(md_train_check(&s, &bad, &err), MD_ERR_INVALID, "defaults alone are not enough");
    TAP_EQ_INT(bad, MD_TF_IMAGE, "the image is the first missing field");

    /* A valid request, as sent. */
    valid(&s);
    cJSON *req = NULL;
    TAP_EQ_INT(md_train_request(&s, &req, &bad, &err), MD_OK, "a complete spec builds");
    TAP_EQ_STR(md_json_str(req, "$.TrainingJobName", ""), "yolo11-train-20261120-120000", "name");
    TAP_EQ_STR(md_json_str(req, "$.HyperParameters.epochs", ""), "100", "epochs as a string");
    TAP_EQ_STR(md_json_str(req, "$.HyperParameters.imgsz", ""), "640", "imgsz");
    TAP_EQ_STR(md_json_str(req, "$.HyperParameters.batch", ""), "16", "batch");
    TAP_EQ_STR(md_json_str(req, "$.HyperParameters.model", ""), "yolo11n.pt", "model");
    TAP_EQ_STR(md_json_str(req, "$.AlgorithmSpecification.TrainingInputMode", ""), "File",
               "File input mode");
    TAP_EQ_INT(cJSON_GetArraySize(md_json_get(req, "$.InputDataConfig")), 1,
               "one channel without val");
    TAP_EQ_STR(md_json_str(req, "$.InputDataConfig[0].ChannelName", ""), "train", "train channel");
    TAP_EQ_STR(md_json_str(req, "$.InputDataConfig[0].DataSource.S3DataSource.S3Uri", ""),
               "s3://drone-ml-data/datasets/aerial4/train/", "its S3 URI");
    TAP_EQ_INT((int)md_json_num(req, "$.ResourceConfig.InstanceCount", 0), 1, "count as a number");
    TAP_EQ_INT((int)md_json_num(req, "$.ResourceConfig.VolumeSizeInGB", 0), 50, "volume");
    TAP_EQ_INT((int)md_json_num(req, "$.StoppingCondition.MaxRuntimeInSeconds", 0), 86400,
               "max runtime");
    TAP_OK(!md_json_get(req, "$.StoppingCondition.MaxWaitTimeInSeconds") &&
               !md_json_get(req, "$.EnableManagedSpotTraining") &&
               !md_json_get(req, "$.CheckpointConfig"),
           "no spot members without spot");
    cJSON_Delete(req);

    /* Spot: needs a checkpoint; max wait defaults to twice the runtime and
     * may not be below it. */
    set(&s, MD_TF_SPOT, "yes");
    TAP_EQ_INT(md_train_request(&s, &req, &bad, &err), MD_ERR_INVALID, "spot without a checkpoint");
    TAP_OK(bad == MD_TF_CHECKPOINT && strstr(err.msg, "checkpoint"),
           "is reported on the checkpoint field (%s)", err.msg);
    set(&s, MD_TF_CHECKPOINT, "s3://drone-ml-artifacts/checkpoints/run1/");
    set(&s, MD_TF_MAX_RUNTIME, "3600");
    TAP_EQ_INT(md_train_request(&s, &req, &bad, &err), MD_OK, "spot with a checkpoint builds");
    TAP_OK(cJSON_IsTrue(md_json_get(req, "$.EnableManagedSpotTraining")), "spot is enabled");
    TAP_EQ_INT((int)md_json_num(req, "$.StoppingCondition.MaxWaitTimeInSeconds", 0), 7200,
               "max wait defaults to twice the runtime");
    TAP_EQ_STR(md_json_str(req, "$.CheckpointConfig.S3Uri", ""),
               "s3://drone-ml-artifacts/checkpoints/run1/", "checkpoint URI");
    TAP_EQ_STR(md_json_str(req, "$.CheckpointConfig.LocalPath", ""), "/opt/ml/checkpoints",
               "checkpoint local path");
    cJSON_Delete(req);
    set(&s, MD_TF_MAX_WAIT, "3599");
    TAP_EQ_INT(md_train_request(&s, &req, &bad, &err), MD_ERR_INVALID, "max wait below runtime");
    TAP_OK(bad == MD_TF_MAX_WAIT && strstr(err.msg, "at least the max runtime"),
           "is reported on max wait (%s)", err.msg);
    set(&s, MD_TF_MAX_WAIT, "3600");
    TAP_EQ_INT(md_train_request(&s, &req, &bad, &err), MD_OK, "max wait equal to runtime is fine");
    TAP_EQ_INT((int)md_json_num(req, "$.StoppingCondition.MaxWaitTimeInSeconds", 0), 3600,
               "and is sent as given");
    cJSON_Delete(req);
    set(&s, MD_TF_SPOT, "no");
    set(&s, MD_TF_MAX_WAIT, "");
    TAP_EQ_INT(md_train_request(&s, &req, &bad, &err), MD_OK, "a checkpoint without spot");
    TAP_OK(md_json_get(req, "$.CheckpointConfig") && !md_json_get(req, "$.EnableManagedSpotTraining"),
           "is sent without spot");
    cJSON_Delete(req);
    md_train_spec_free(&s);

    /* Every field's own rule. */
    refused(MD_TF_NAME, "", "required", "an empty name");
    refused(MD_TF_NAME, "yolo_11", "letters and digits", "a name with _");
    refused(MD_TF_NAME, "-yolo", "letters and digits", "a name starting with -");
    refused(MD_TF_NAME, "yolo-", "letters and digits", "a name ending with -");
    refused(MD_TF_NAME, "yolo 11", "letters and digits", "a name with a space");
    refused(MD_TF_NAME, "a234567890123456789012345678901234567890123456789012345678901234",
            "letters and digits", "a 64-character name");
    accepted(MD_TF_NAME, "a23456789012345678901234567890123456789012345678901234567890123",
             "a 63-character name");
    accepted(MD_TF_NAME, "y--11", "a name with two hyphens in a row");
    accepted(MD_TF_NAME, "Y", "a one-letter name");
    refused(MD_TF_IMAGE, "", "required", "an empty image");
    refused(MD_TF_IMAGE, "repo/yolo 11:1", "no spaces", "an image with a space");
    refused(MD_TF_ROLE, "drone-ml-sagemaker", "not an IAM role ARN", "a bare role name");
    refused(MD_TF_ROLE, "arn:aws:iam::12345678901:role/x", "not an IAM role ARN", "an 11-digit account");
    refused(MD_TF_ROLE, "arn:aws:iam::123456789012:user/x", "not an IAM role ARN", "a user ARN");
    accepted(MD_TF_ROLE, "arn:aws-cn:iam::123456789012:role/service-role/SageMaker+Exec",
             "a role ARN in a path (aws-cn)");
    refused(MD_TF_INSTANCE_TYPE, "g5.xlarge", "ml.FAMILY.SIZE", "an instance type without ml.");
    refused(MD_TF_INSTANCE_TYPE, "ml.g5", "ml.FAMILY.SIZE", "an instance type without a size");
    accepted(MD_TF_INSTANCE_TYPE, "ml.p4d.24xlarge", "ml.p4d.24xlarge");
    refused(MD_TF_INSTANCE_COUNT, "0", "from 1 to 100", "0 instances");
    refused(MD_TF_INSTANCE_COUNT, "two", "whole number", "a count in words");
    refused(MD_TF_VOLUME, "16385", "from 1 to 16384", "a too large volume");
    refused(MD_TF_VOLUME, "50GB", "whole number", "a volume with a unit");
    refused(MD_TF_EPOCHS, "1.5", "whole number", "fractional epochs");
    refused(MD_TF_EPOCHS, "99999999999999999999", "whole number", "an overflowing epoch count");
    refused(MD_TF_EPOCHS, " 5", "whole number", "a number with a leading space");
    refused(MD_TF_IMGSZ, "650", "multiple of 32", "imgsz 650");
    refused(MD_TF_IMGSZ, "16", "from 32 to 8192", "imgsz 16");
    accepted(MD_TF_IMGSZ, "1280", "imgsz 1280");
    refused(MD_TF_BATCH, "0", "batch must be", "batch 0");
    refused(MD_TF_BATCH, "2.5", "batch must be", "batch 2.5");
    refused(MD_TF_BATCH, "-2", "batch must be", "batch -2");
    accepted(MD_TF_BATCH, "-1", "batch -1 (auto)");
    accepted(MD_TF_BATCH, "0.7", "batch 0.7 (memory fraction)");
    refused(MD_TF_MODEL, "", "model is required", "an empty model");
    refused(MD_TF_TRAIN, "", "required", "no train channel");
    refused(MD_TF_TRAIN, "/data/train", "not an s3://", "a local train path");
    refused(MD_TF_TRAIN, "s3://Drone_Data/train/", "not an s3://", "a bucket with capitals");
    refused(MD_TF_TRAIN, "s3://ab/train/", "not an s3://", "a 2-character bucket");
    refused(MD_TF_VAL, "https://example.com/val", "not an s3://", "an https val channel");
    accepted(MD_TF_VAL, "", "no val channel");
    refused(MD_TF_OUTPUT, "", "required", "no output path");
    refused(MD_TF_OUTPUT, "s3://drone ml/out", "not an s3://", "a bucket with a space");
    accepted(MD_TF_OUTPUT, "s3://drone-ml-artifacts", "a bucket without a prefix");
    refused(MD_TF_MAX_RUNTIME, "0", "from 1 to 2419200", "a zero runtime");
    refused(MD_TF_MAX_RUNTIME, "2419201", "from 1 to 2419200", "more than 28 days");
    refused(MD_TF_SPOT, "maybe", "yes or no", "spot maybe");
    refused(MD_TF_CHECKPOINT, "file:///ckpt", "not an s3://", "a non-S3 checkpoint");
    refused(MD_TF_MAX_WAIT, "soon", "whole number", "a max wait in words");
    refused(MD_TF_HP_MORE, "lr0", "name=value", "a hyperparameter without =");
    refused(MD_TF_HP_MORE, "lr0=0.01 lr0=0.02", "given twice", "a hyperparameter given twice");
    refused(MD_TF_HP_MORE, "epochs=5", "its own field", "epochs among the extra hyperparameters");
    refused(MD_TF_CHANNELS_MORE, "test=/local", "not an s3://", "a channel with a local path");
    refused(MD_TF_CHANNELS_MORE, "train=s3://drone-ml-data/x/", "its own field", "a second train channel");
    refused(MD_TF_CHANNELS_MORE, "bad/name=s3://drone-ml-data/x/", "channel name", "a bad channel name");

    /* More hyperparameters and channels go into the request. */
    valid(&s);
    set(&s, MD_TF_HP_MORE, "lr0=0.005  data=\"aerial4.yaml\"");
    set(&s, MD_TF_VAL, "s3://drone-ml-data/datasets/aerial4/val/");
    set(&s, MD_TF_CHANNELS_MORE, "test=s3://drone-ml-data/datasets/aerial4/test/");
    TAP_EQ_INT(md_train_request(&s, &req, &bad, &err), MD_OK, "extra hyperparameters and channels");
    TAP_EQ_STR(md_json_str(req, "$.HyperParameters.lr0", ""), "0.005", "lr0 is sent");
    TAP_EQ_STR(md_json_str(req, "$.HyperParameters.data", ""), "\"aerial4.yaml\"",
               "a quoted value is sent as typed");
    TAP_EQ_INT(cJSON_GetArraySize(md_json_get(req, "$.InputDataConfig")), 3, "three channels");
    TAP_EQ_STR(md_json_str(req, "$.InputDataConfig[2].ChannelName", ""), "test", "the extra channel");
    cJSON_Delete(req);
    md_train_spec_free(&s);

    /* Cloning a previous job (the demo's shape: SDK-quoted values). */
    const char *job_text =
        "{\"TrainingJobName\":\"yolo11-a\",\"RoleArn\":\"arn:aws:iam::111122223333:role/r\","
        "\"AlgorithmSpecification\":{\"TrainingImage\":\"img:1\",\"TrainingInputMode\":\"File\","
        "\"MetricDefinitions\":[{\"Name\":\"mAP50\",\"Regex\":\"mAP50: ([0-9.]+)\"}]},"
        "\"HyperParameters\":{\"epochs\":\"150\",\"imgsz\":\"320\",\"model\":\"\\\"yolo11s.pt\\\"\","
        "\"sagemaker_program\":\"\\\"train.py\\\"\"},"
        "\"InputDataConfig\":[{\"ChannelName\":\"train\",\"DataSource\":{\"S3DataSource\":{"
        "\"S3Uri\":\"s3://bkt/train/\"}}},{\"ChannelName\":\"val\",\"DataSource\":{\"S3DataSource\":{"
        "\"S3Uri\":\"s3://bkt/val/\"}}},{\"ChannelName\":\"calib\",\"DataSource\":{\"S3DataSource\":{"
        "\"S3Uri\":\"s3://bkt/calib/\"}}}],"
        "\"OutputDataConfig\":{\"S3OutputPath\":\"s3://bkt/out/\"},"
        "\"ResourceConfig\":{\"InstanceType\":\"ml.g5.2xlarge\",\"InstanceCount\":2,\"VolumeSizeInGB\":100},"
        "\"StoppingCondition\":{\"MaxRuntimeInSeconds\":21600,\"MaxWaitTimeInSeconds\":43200},"
        "\"EnableManagedSpotTraining\":true,\"CheckpointConfig\":{\"S3Uri\":\"s3://bkt/ckpt/\"},"
        "\"Environment\":{\"WANDB_MODE\":\"offline\"}}";
    cJSON *job = cJSON_Parse(job_text);
    md_train_spec_init(&s, 1795176000.0);
    md_train_spec_clone(&s, job);
    TAP_EQ_STR(s.v[MD_TF_NAME], "yolo11-train-20261120-120000", "a clone keeps a new name");
    TAP_EQ_STR(s.v[MD_TF_IMAGE], "img:1", "clone: image");
    TAP_EQ_STR(s.v[MD_TF_ROLE], "arn:aws:iam::111122223333:role/r", "clone: role");
    TAP_EQ_STR(s.v[MD_TF_INSTANCE_TYPE], "ml.g5.2xlarge", "clone: instance type");
    TAP_EQ_STR(s.v[MD_TF_INSTANCE_COUNT], "2", "clone: count");
    TAP_EQ_STR(s.v[MD_TF_VOLUME], "100", "clone: volume");
    TAP_EQ_STR(s.v[MD_TF_EPOCHS], "150", "clone: epochs");
    TAP_EQ_STR(s.v[MD_TF_BATCH], "16", "clone: a hyperparameter the job did not set keeps its default");
    TAP_EQ_STR(s.v[MD_TF_MODEL], "\"yolo11s.pt\"", "clone: model as the job had it");
    TAP_EQ_STR(s.v[MD_TF_HP_MORE], "sagemaker_program=\"train.py\"", "clone: other hyperparameters");
    TAP_EQ_STR(s.v[MD_TF_TRAIN], "s3://bkt/train/", "clone: train channel");
    TAP_EQ_STR(s.v[MD_TF_VAL], "s3://bkt/val/", "clone: val channel");
    TAP_EQ_STR(s.v[MD_TF_CHANNELS_MORE], "calib=s3://bkt/calib/", "clone: other channels");
    TAP_EQ_STR(s.v[MD_TF_OUTPUT], "s3://bkt/out/", "clone: output path");
    TAP_EQ_STR(s.v[MD_TF_MAX_RUNTIME], "21600", "clone: max runtime");
    TAP_EQ_STR(s.v[MD_TF_SPOT], "yes", "clone: spot");
    TAP_EQ_STR(s.v[MD_TF_CHECKPOINT], "s3://bkt/ckpt/", "clone: checkpoint");
    TAP_EQ_STR(s.v[MD_TF_MAX_WAIT], "43200", "clone: max wait");
    TAP_EQ_INT(md_train_request(&s, &req, &bad, &err), MD_OK, "a clone builds as it is (%s)", err.msg);
    TAP_EQ_STR(md_json_str(req, "$.AlgorithmSpecification.MetricDefinitions[0].Name", ""), "mAP50",
               "the clone keeps the metric definitions");
    TAP_EQ_STR(md_json_str(req, "$.Environment.WANDB_MODE", ""), "offline",
               "and the environment");
    cJSON_Delete(req);
    md_train_spec_clone(&s, job); /* again: replaces what the first clone kept */
    md_train_spec_free(&s);
    md_train_spec_init(&s, 0);
    md_train_spec_clone(&s, NULL);
    TAP_EQ_STR(s.v[MD_TF_EPOCHS], "100", "cloning nothing changes nothing");
    cJSON *odd = cJSON_Parse("{\"HyperParameters\":[1],\"InputDataConfig\":{\"a\":1},"
                             "\"ResourceConfig\":{\"InstanceCount\":\"x\"}}");
    md_train_spec_clone(&s, odd);
    TAP_EQ_STR(s.v[MD_TF_INSTANCE_COUNT], "1", "a job of odd shape changes nothing it cannot read");
    cJSON_Delete(odd);
    md_train_spec_free(&s);
    cJSON_Delete(job);

    /* name=value lists. */
    cJSON *o = NULL;
    TAP_EQ_INT(md_train_pairs_parse("  a=1   b=x=y ", "hyperparameter", &o, &err), MD_OK, "pairs parse");
    TAP_EQ_STR(md_json_str(o, "$.b", ""), "x=y", "a value may hold =");
    char text[64];
    TAP_OK(md_train_pairs_format(o, text, sizeof text) && !strcmp(text, "a=1 b=x=y"),
           "pairs format back (%s)", text);
    TAP_OK(!md_train_pairs_format(o, text, 5), "a too small buffer is reported");
    cJSON_Delete(o);
    TAP_EQ_INT(md_train_pairs_parse("=1", "channel", &o, &err), MD_ERR_INVALID, "an empty name");
    TAP_OK(!o, "leaves nothing");
    TAP_EQ_INT(md_train_pairs_parse("", "channel", &o, &err), MD_OK, "an empty list");
    TAP_OK(o && !o->child, "is an empty object");
    cJSON_Delete(o);
    o = cJSON_Parse("{\"k\":\"with space\"}");
    TAP_OK(!md_train_pairs_format(o, text, sizeof text), "a value with a space cannot be written");
    cJSON_Delete(o);
    return tap_done();
}
