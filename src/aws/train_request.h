/* A standalone YOLO11 training job: the fields an operator fills (the
 * CLI's `mldeck train` flags, the TUI's form), their typed validation and
 * the CreateTrainingJob request built from them — one implementation for
 * both.  Values are text as typed; validation says which field is wrong
 * and why, in a message that reads well beside the field and on stderr. */
#ifndef MD_AWS_TRAIN_REQUEST_H
#define MD_AWS_TRAIN_REQUEST_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

enum md_train_field {
    MD_TF_NAME,            /* TrainingJobName */
    MD_TF_IMAGE,           /* AlgorithmSpecification.TrainingImage */
    MD_TF_ROLE,            /* RoleArn */
    MD_TF_INSTANCE_TYPE,   /* ResourceConfig */
    MD_TF_INSTANCE_COUNT,
    MD_TF_VOLUME,          /* VolumeSizeInGB */
    MD_TF_EPOCHS,          /* HyperParameters */
    MD_TF_IMGSZ,
    MD_TF_BATCH,
    MD_TF_MODEL,
    MD_TF_HP_MORE,         /* more hyperparameters: "key=value key=value" */
    MD_TF_TRAIN,           /* channel "train": s3:// URI */
    MD_TF_VAL,             /* channel "val" (optional) */
    MD_TF_CHANNELS_MORE,   /* more channels: "name=s3://... name=s3://..." */
    MD_TF_OUTPUT,          /* OutputDataConfig.S3OutputPath */
    MD_TF_MAX_RUNTIME,     /* StoppingCondition.MaxRuntimeInSeconds */
    MD_TF_SPOT,            /* EnableManagedSpotTraining: "yes"/"no" */
    MD_TF_CHECKPOINT,      /* CheckpointConfig.S3Uri (spot needs one) */
    MD_TF_MAX_WAIT,        /* StoppingCondition.MaxWaitTimeInSeconds (spot) */
    MD_TF_COUNT
};

#define MD_TRAIN_VALUE_MAX 2600

struct md_train_spec {
    char v[MD_TF_COUNT][MD_TRAIN_VALUE_MAX];
    /* Kept from a cloned job and sent as they were (NULL = none); owned. */
    cJSON *metric_definitions;    /* AlgorithmSpecification.MetricDefinitions */
    cJSON *environment;           /* Environment */
};

/* The field's label ("Instance type") and short type hint ("S3 URI"). */
const char *md_train_field_label(enum md_train_field f);
const char *md_train_field_type(enum md_train_field f);
/* The defaults: instance ml.g5.xlarge x1, 50 GB, epochs 100, imgsz 640,
 * batch 16, model yolo11n.pt, max runtime 86400 s, no spot; name
 * "yolo11-train-YYYYMMDD-HHMMSS" for now (UTC).  s is overwritten (free
 * a spec that holds clone data first); md_train_spec_free releases it. */
void md_train_spec_init(struct md_train_spec *s, double now);
void md_train_spec_free(struct md_train_spec *s);
/* Takes what an operator keeps from a previous job (a DescribeTrainingJob
 * object): image, role, resources, hyperparameters, channels, output path,
 * stopping condition, spot and checkpoint, metric definitions and
 * environment.  The name stays (a new job needs a new name). */
void md_train_spec_clone(struct md_train_spec *s, const cJSON *job);

/* Checks one field (cross-field rules are reported on the later field:
 * spot without a checkpoint on the checkpoint, max wait below max runtime
 * on the max wait).  The message names no flag or key. */
md_status md_train_check_field(const struct md_train_spec *s, enum md_train_field f,
                               struct md_err *err);
/* Checks every field; *bad (may be NULL) receives the first wrong one. */
md_status md_train_check(const struct md_train_spec *s, enum md_train_field *bad,
                         struct md_err *err);
/* The CreateTrainingJob request (a new object the caller deletes), after
 * md_train_check. */
md_status md_train_request(const struct md_train_spec *s, cJSON **out, enum md_train_field *bad,
                           struct md_err *err);

/* "key=value key=value" -> a new JSON object of strings (values may not
 * contain spaces; a repeated key is an error).  what names the list in
 * messages ("hyperparameter", "channel"). */
md_status md_train_pairs_parse(const char *text, const char *what, cJSON **out,
                               struct md_err *err);
/* The inverse, into out (n bytes); false when it did not fit or a value
 * has a space (such an object cannot be written this way). */
bool md_train_pairs_format(const cJSON *obj, char *out, size_t n);

/* Sends CreateTrainingJob (request from md_train_request) with client cl
 * (aws/proto.h).  CreateTrainingJob has no idempotency token: when a retry
 * after a lost reply meets the job the first attempt created, the job's
 * DescribeTrainingJob reply stands for the lost one and this is success.
 * *result: the reply (caller deletes). */
struct md_aws_client;
md_status md_train_create(struct md_aws_client *cl, const cJSON *request, cJSON **result,
                          struct md_err *err);

/* Small checks shared with the describe view and the tests. */
bool md_train_name_ok(const char *name);
bool md_train_s3_uri_ok(const char *uri);

#endif
