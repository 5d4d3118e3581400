#include "aws/train_request.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "aws/proto.h"
#include "util/json.h"

/* SageMaker's documented ceiling for MaxRuntimeInSeconds: 28 days. */
#define MAX_RUNTIME_S (28L * 86400L)

static const struct {
    const char *label, *type;
} field_info[MD_TF_COUNT] = {
    [MD_TF_NAME] = {"Job name", "Name"},
    [MD_TF_IMAGE] = {"Training image", "URI"},
    [MD_TF_ROLE] = {"Role ARN", "ARN"},
    [MD_TF_INSTANCE_TYPE] = {"Instance type", "ml.*"},
    [MD_TF_INSTANCE_COUNT] = {"Instance count", "Integer"},
    [MD_TF_VOLUME] = {"Volume (GB)", "Integer"},
    [MD_TF_EPOCHS] = {"epochs", "Integer"},
    [MD_TF_IMGSZ] = {"imgsz", "Integer"},
    [MD_TF_BATCH] = {"batch", "Number"},
    [MD_TF_MODEL] = {"model", "String"},
    [MD_TF_HP_MORE] = {"More hyperparameters", "k=v ..."},
    [MD_TF_TRAIN] = {"Channel train", "S3 URI"},
    [MD_TF_VAL] = {"Channel val", "S3 URI"},
    [MD_TF_CHANNELS_MORE] = {"More channels", "n=s3:// ..."},
    [MD_TF_OUTPUT] = {"Output path", "S3 URI"},
    [MD_TF_MAX_RUNTIME] = {"Max runtime (s)", "Integer"},
    [MD_TF_SPOT] = {"Managed spot", "yes/no"},
    [MD_TF_CHECKPOINT] = {"Checkpoint S3 URI", "S3 URI"},
    [MD_TF_MAX_WAIT] = {"Max wait (s)", "Integer"},
};

/* The hyperparameters that have their own field. */
static const struct {
    enum md_train_field f;
    const char *key;
} hp_fields[] = {
    {MD_TF_EPOCHS, "epochs"}, {MD_TF_IMGSZ, "imgsz"}, {MD_TF_BATCH, "batch"},
    {MD_TF_MODEL, "model"},
};
#define N_HP_FIELDS (sizeof hp_fields / sizeof hp_fields[0])

const char *md_train_field_label(enum md_train_field f)
{
    return f < MD_TF_COUNT ? field_info[f].label : "?";
}

const char *md_train_field_type(enum md_train_field f)
{
    return f < MD_TF_COUNT ? field_info[f].type : "";
}

void md_train_spec_free(struct md_train_spec *s)
{
    cJSON_Delete(s->metric_definitions);
    cJSON_Delete(s->environment);
    s->metric_definitions = s->environment = NULL;
}

static void set(struct md_train_spec *s, enum md_train_field f, const char *text)
{
    snprintf(s->v[f], MD_TRAIN_VALUE_MAX, "%s", text ? text : "");
}

void md_train_spec_init(struct md_train_spec *s, double now)
{
    memset(s, 0, sizeof *s);
    time_t t = (time_t)now;
    struct tm tm;
    gmtime_r(&t, &tm);
    char name[64];
    strftime(name, sizeof name, "yolo11-train-%Y%m%d-%H%M%S", &tm);
    set(s, MD_TF_NAME, name);
    set(s, MD_TF_INSTANCE_TYPE, "ml.g5.xlarge");
    set(s, MD_TF_INSTANCE_COUNT, "1");
    set(s, MD_TF_VOLUME, "50");
    set(s, MD_TF_EPOCHS, "100");
    set(s, MD_TF_IMGSZ, "640");
    set(s, MD_TF_BATCH, "16");
    set(s, MD_TF_MODEL, "yolo11n.pt");
    set(s, MD_TF_MAX_RUNTIME, "86400");
    set(s, MD_TF_SPOT, "no");
}

static void set_num(struct md_train_spec *s, enum md_train_field f, const cJSON *obj,
                    const char *path)
{
    const cJSON *n = md_json_get(obj, path);
    if (cJSON_IsNumber(n) && n->valuedouble >= 0 && n->valuedouble < 1e12)
        snprintf(s->v[f], MD_TRAIN_VALUE_MAX, "%.0f", n->valuedouble);
}

static void set_str(struct md_train_spec *s, enum md_train_field f, const cJSON *obj,
                    const char *path)
{
    const char *v = md_json_str(obj, path, NULL);
    if (v)
        set(s, f, v);
}

void md_train_spec_clone(struct md_train_spec *s, const cJSON *job)
{
    if (!cJSON_IsObject(job))
        return;
    set_str(s, MD_TF_IMAGE, job, "$.AlgorithmSpecification.TrainingImage");
    set_str(s, MD_TF_ROLE, job, "$.RoleArn");
    set_str(s, MD_TF_INSTANCE_TYPE, job, "$.ResourceConfig.InstanceType");
    set_num(s, MD_TF_INSTANCE_COUNT, job, "$.ResourceConfig.InstanceCount");
    set_num(s, MD_TF_VOLUME, job, "$.ResourceConfig.VolumeSizeInGB");
    set_str(s, MD_TF_OUTPUT, job, "$.OutputDataConfig.S3OutputPath");
    set_num(s, MD_TF_MAX_RUNTIME, job, "$.StoppingCondition.MaxRuntimeInSeconds");

    const cJSON *hp = md_json_get(job, "$.HyperParameters");
    if (cJSON_IsObject(hp)) {
        cJSON *more = cJSON_CreateObject();
        for (const cJSON *it = hp->child; it; it = it->next) {
            if (!cJSON_IsString(it) || !it->string)
                continue;
            bool own = false;
            for (size_t i = 0; i < N_HP_FIELDS; i++)
                if (!strcmp(it->string, hp_fields[i].key)) {
                    set(s, hp_fields[i].f, it->valuestring);
                    own = true;
                }
            if (!own && more)
                cJSON_AddStringToObject(more, it->string, it->valuestring);
        }
        if (more && !md_train_pairs_format(more, s->v[MD_TF_HP_MORE], MD_TRAIN_VALUE_MAX))
            s->v[MD_TF_HP_MORE][0] = '\0';
        cJSON_Delete(more);
    }

    const cJSON *chans = md_json_get(job, "$.InputDataConfig");
    cJSON *more = cJSON_CreateObject();
    const cJSON *ch;
    cJSON_ArrayForEach(ch, chans) {
        const char *name = md_json_str(ch, "$.ChannelName", NULL);
        const char *uri = md_json_str(ch, "$.DataSource.S3DataSource.S3Uri", NULL);
        if (!name || !uri)
            continue;
        if (!strcmp(name, "train"))
            set(s, MD_TF_TRAIN, uri);
        else if (!strcmp(name, "val"))
            set(s, MD_TF_VAL, uri);
        else if (more)
            cJSON_AddStringToObject(more, name, uri);
    }
    if (more && !md_train_pairs_format(more, s->v[MD_TF_CHANNELS_MORE], MD_TRAIN_VALUE_MAX))
        s->v[MD_TF_CHANNELS_MORE][0] = '\0';
    cJSON_Delete(more);

    bool spot = cJSON_IsTrue(md_json_get(job, "$.EnableManagedSpotTraining"));
    set(s, MD_TF_SPOT, spot ? "yes" : "no");
    s->v[MD_TF_CHECKPOINT][0] = '\0';
    s->v[MD_TF_MAX_WAIT][0] = '\0';
    set_str(s, MD_TF_CHECKPOINT, job, "$.CheckpointConfig.S3Uri");
    if (spot)
        set_num(s, MD_TF_MAX_WAIT, job, "$.StoppingCondition.MaxWaitTimeInSeconds");

    cJSON_Delete(s->metric_definitions);
    cJSON_Delete(s->environment);
    const cJSON *md = md_json_get(job, "$.AlgorithmSpecification.MetricDefinitions");
    const cJSON *env = md_json_get(job, "$.Environment");
    s->metric_definitions = cJSON_IsArray(md) && cJSON_GetArraySize(md) ? cJSON_Duplicate(md, 1)
                                                                          : NULL;
    s->environment = cJSON_IsObject(env) && env->child ? cJSON_Duplicate(env, 1) : NULL;
}

/* ---- checks --------------------------------------------------------------- */

bool md_train_name_ok(const char *name)
{
    /* [a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}: alphanumerics joined by hyphens. */
    size_t len = strlen(name), alnum = 0;
    if (len < 1 || len > 63 || !isalnum((unsigned char)name[0]) ||
        !isalnum((unsigned char)name[len - 1]))
        return false;
    for (size_t i = 0; i < len; i++) {
        if (isalnum((unsigned char)name[i]))
            alnum++;
        else if (name[i] != '-')
            return false;
    }
    return alnum <= 63;
}

static bool bucket_ok(const char *b, size_t len)
{
    if (len < 3 || len > 63 || !isalnum((unsigned char)b[0]) ||
        !isalnum((unsigned char)b[len - 1]))
        return false;
    for (size_t i = 0; i < len; i++)
        if (!(islower((unsigned char)b[i]) || isdigit((unsigned char)b[i]) || b[i] == '.' ||
              b[i] == '-'))
            return false;
    return true;
}

static bool has_space_or_ctl(const char *s)
{
    for (; *s; s++)
        if (isspace((unsigned char)*s) || (unsigned char)*s < 32 || *s == 127)
            return true;
    return false;
}

bool md_train_s3_uri_ok(const char *uri)
{
    if (strncmp(uri, "s3://", 5) != 0 || strlen(uri) > 1024 || has_space_or_ctl(uri))
        return false;
    const char *b = uri + 5, *slash = strchr(b, '/');
    size_t blen = slash ? (size_t)(slash - b) : strlen(b);
    return bucket_ok(b, blen);
}

static bool role_ok(const char *s)
{
    /* arn:aws[a-z\-]*:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+ */
    size_t len = strlen(s);
    if (len < 20 || len > 2048 || strncmp(s, "arn:aws", 7) != 0)
        return false;
    const char *p = s + 7;
    while (islower((unsigned char)*p) || *p == '-')
        p++;
    if (strncmp(p, ":iam::", 6) != 0)
        return false;
    p += 6;
    for (int i = 0; i < 12; i++, p++)
        if (!isdigit((unsigned char)*p))
            return false;
    if (strncmp(p, ":role", 5) != 0)
        return false;
    p += 5;
    if (*p == '/')
        p++;
    if (!*p)
        return false;
    for (; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("_+=,.@-/", *p))
            return false;
    return true;
}

static bool instance_type_ok(const char *s)
{
    /* ml.<family>.<size>, e.g. ml.g5.xlarge, ml.p4d.24xlarge */
    if (strncmp(s, "ml.", 3) != 0)
        return false;
    const char *p = s + 3, *dot = strchr(p, '.');
    if (!dot || dot == p || !dot[1] || strchr(dot + 1, '.'))
        return false;
    for (const char *q = p; *q; q++)
        if (q != dot && !islower((unsigned char)*q) && !isdigit((unsigned char)*q) && *q != '-')
            return false;
    return true;
}

static bool parse_long(const char *s, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || !*s || *end || isspace((unsigned char)*s))
        return false;
    *out = v;
    return true;
}

static md_status check_int(const struct md_train_spec *s, enum md_train_field f, long lo, long hi,
                           long *out, struct md_err *err)
{
    const char *v = s->v[f];
    long n;
    if (!parse_long(v, &n) || n < lo || n > hi)
        return md_err_set(err, MD_ERR_INVALID, "%s must be a whole number from %ld to %ld, not \"%.40s\"",
                          field_info[f].label, lo, hi, v);
    if (out)
        *out = n;
    return MD_OK;
}

static int spot_value(const char *v)
{
    if (!*v || !strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcmp(v, "0"))
        return 0;
    if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcmp(v, "1"))
        return 1;
    return -1;
}

static bool is_own_hp(const char *key)
{
    for (size_t i = 0; i < N_HP_FIELDS; i++)
        if (!strcmp(key, hp_fields[i].key))
            return true;
    return false;
}

md_status md_train_pairs_parse(const char *text, const char *what, cJSON **out,
                               struct md_err *err)
{
    *out = NULL;
    cJSON *obj = cJSON_CreateObject();
    if (!obj)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    const char *p = text;
    while (*p) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        size_t len = strcspn(p, " \t");
        const char *eq = memchr(p, '=', len);
        if (!eq || eq == p) {
            cJSON_Delete(obj);
            return md_err_set(err, MD_ERR_INVALID, "%s \"%.*s\": write name=value", what,
                              (int)(len > 60 ? 60 : len), p);
        }
        char key[300];
        snprintf(key, sizeof key, "%.*s", (int)(eq - p), p);
        if ((size_t)(eq - p) >= sizeof key) {
            cJSON_Delete(obj);
            return md_err_set(err, MD_ERR_INVALID, "%s name \"%.40s...\" is too long", what, key);
        }
        if (cJSON_GetObjectItemCaseSensitive(obj, key)) {
            cJSON_Delete(obj);
            return md_err_set(err, MD_ERR_INVALID, "%s \"%s\" is given twice", what, key);
        }
        char *value = strndup(eq + 1, len - (size_t)(eq - p) - 1);
        if (!value || !cJSON_AddStringToObject(obj, key, value)) {
            free(value);
            cJSON_Delete(obj);
            return md_err_set(err, MD_ERR_NOMEM, "out of memory");
        }
        free(value);
        p += len;
    }
    *out = obj;
    return MD_OK;
}

bool md_train_pairs_format(const cJSON *obj, char *out, size_t n)
{
    size_t used = 0;
    if (n)
        out[0] = '\0';
    for (const cJSON *it = obj ? obj->child : NULL; it; it = it->next) {
        if (!cJSON_IsString(it) || !it->string)
            continue;
        if (strpbrk(it->valuestring, " \t") || strpbrk(it->string, " \t="))
            return false;
        int w = snprintf(out + used, n - used, "%s%s=%s", used ? " " : "", it->string,
                         it->valuestring);
        if (w < 0 || (size_t)w >= n - used)
            return false;
        used += (size_t)w;
    }
    return true;
}

static md_status check_hp_more(const struct md_train_spec *s, struct md_err *err)
{
    cJSON *obj = NULL;
    md_status st = md_train_pairs_parse(s->v[MD_TF_HP_MORE], "hyperparameter", &obj, err);
    if (st != MD_OK)
        return st;
    int n = 0;
    for (const cJSON *it = obj->child; it && st == MD_OK; it = it->next, n++) {
        if (is_own_hp(it->string))
            st = md_err_set(err, MD_ERR_INVALID, "hyperparameter \"%s\" has its own field",
                            it->string);
        else if (strlen(it->string) > 256)
            st = md_err_set(err, MD_ERR_INVALID, "hyperparameter names are at most 256 characters");
        else if (strlen(it->valuestring) > 2500)
            st = md_err_set(err, MD_ERR_INVALID, "hyperparameter \"%s\": values are at most 2500 "
                                                 "characters", it->string);
    }
    if (st == MD_OK && n + (int)N_HP_FIELDS > 100)
        st = md_err_set(err, MD_ERR_INVALID, "at most 100 hyperparameters (%d given)",
                        n + (int)N_HP_FIELDS);
    cJSON_Delete(obj);
    return st;
}

static bool channel_name_ok(const char *s)
{
    size_t len = strlen(s);
    if (len < 1 || len > 64)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr(".-_", *s))
            return false;
    return true;
}

static md_status check_channels_more(const struct md_train_spec *s, struct md_err *err)
{
    cJSON *obj = NULL;
    md_status st = md_train_pairs_parse(s->v[MD_TF_CHANNELS_MORE], "channel", &obj, err);
    if (st != MD_OK)
        return st;
    int n = 0;
    for (const cJSON *it = obj->child; it && st == MD_OK; it = it->next, n++) {
        if (!strcmp(it->string, "train") || !strcmp(it->string, "val"))
            st = md_err_set(err, MD_ERR_INVALID, "channel \"%s\" has its own field", it->string);
        else if (!channel_name_ok(it->string))
            st = md_err_set(err, MD_ERR_INVALID, "channel name \"%.64s\": 1-64 of A-Z a-z 0-9 . - _",
                            it->string);
        else if (!md_train_s3_uri_ok(it->valuestring))
            st = md_err_set(err, MD_ERR_INVALID, "channel %s: \"%.60s\" is not an s3://bucket/prefix URI",
                            it->string, it->valuestring);
    }
    if (st == MD_OK && n + 2 > 20)
        st = md_err_set(err, MD_ERR_INVALID, "at most 20 input channels");
    cJSON_Delete(obj);
    return st;
}

static md_status check_s3(const struct md_train_spec *s, enum md_train_field f, bool required,
                          struct md_err *err)
{
    const char *v = s->v[f];
    if (!*v)
        return required ? md_err_set(err, MD_ERR_INVALID, "%s is required (s3://bucket/prefix)",
                                     field_info[f].label)
                        : MD_OK;
    if (!md_train_s3_uri_ok(v))
        return md_err_set(err, MD_ERR_INVALID, "%s \"%.60s\" is not an s3://bucket/prefix URI "
                                               "(bucket: 3-63 of a-z 0-9 . -)",
                          field_info[f].label, v);
    return MD_OK;
}

md_status md_train_check_field(const struct md_train_spec *s, enum md_train_field f,
                               struct md_err *err)
{
    const char *v = f < MD_TF_COUNT ? s->v[f] : "";
    long rt = 0, n = 0;
    md_status st;
    switch (f) {
    case MD_TF_NAME:
        if (!*v)
            return md_err_set(err, MD_ERR_INVALID, "a job name is required");
        if (!md_train_name_ok(v))
            return md_err_set(err, MD_ERR_INVALID, "job name \"%.70s\": 1-63 letters and digits, "
                                                   "joined by hyphens (no _ . or space)", v);
        return MD_OK;
    case MD_TF_IMAGE:
        if (!*v)
            return md_err_set(err, MD_ERR_INVALID, "a training image URI is required "
                                                   "(ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO:TAG)");
        if (strlen(v) > 255 || has_space_or_ctl(v))
            return md_err_set(err, MD_ERR_INVALID, "training image: at most 255 characters, "
                                                   "no spaces");
        return MD_OK;
    case MD_TF_ROLE:
        if (!*v)
            return md_err_set(err, MD_ERR_INVALID, "an IAM role ARN is required "
                                                   "(arn:aws:iam::ACCOUNT:role/NAME)");
        if (!role_ok(v))
            return md_err_set(err, MD_ERR_INVALID, "\"%.70s\" is not an IAM role ARN "
                                                   "(arn:aws:iam::123456789012:role/NAME)", v);
        return MD_OK;
    case MD_TF_INSTANCE_TYPE:
        if (!instance_type_ok(v))
            return md_err_set(err, MD_ERR_INVALID, "instance type \"%.40s\" is not of the form "
                                                   "ml.FAMILY.SIZE (ml.g5.xlarge)", v);
        return MD_OK;
    case MD_TF_INSTANCE_COUNT: return check_int(s, f, 1, 100, NULL, err);
    case MD_TF_VOLUME: return check_int(s, f, 1, 16384, NULL, err);
    case MD_TF_EPOCHS: return check_int(s, f, 1, 100000, NULL, err);
    case MD_TF_IMGSZ:
        if ((st = check_int(s, f, 32, 8192, &n, err)) != MD_OK)
            return st;
        if (n % 32)
            return md_err_set(err, MD_ERR_INVALID, "imgsz must be a multiple of 32 (the model's "
                                                   "stride), not %ld", n);
        return MD_OK;
    case MD_TF_BATCH: {
        /* YOLO takes a batch size, -1 for auto, or a fraction of GPU memory. */
        char *end;
        errno = 0;
        double d = strtod(v, &end);
        if (!*v || *end || errno || isspace((unsigned char)*v) ||
            !(d == -1 || (d > 0 && d < 1) || (d >= 1 && d <= 4096 && d == (long)d)))
            return md_err_set(err, MD_ERR_INVALID, "batch must be 1-4096, -1 (auto) or a GPU "
                                                   "memory fraction 0.0-1.0, not \"%.30s\"", v);
        return MD_OK;
    }
    case MD_TF_MODEL:
        if (!*v || strlen(v) > 2500 || has_space_or_ctl(v))
            return md_err_set(err, MD_ERR_INVALID, "model is required: a weights file or a model "
                                                   "yaml (yolo11n.pt, yolo11s.yaml), no spaces");
        return MD_OK;
    case MD_TF_HP_MORE: return check_hp_more(s, err);
    case MD_TF_TRAIN: return check_s3(s, f, true, err);
    case MD_TF_VAL: return check_s3(s, f, false, err);
    case MD_TF_CHANNELS_MORE: return check_channels_more(s, err);
    case MD_TF_OUTPUT: return check_s3(s, f, true, err);
    case MD_TF_MAX_RUNTIME: return check_int(s, f, 1, MAX_RUNTIME_S, NULL, err);
    case MD_TF_SPOT:
        if (spot_value(v) < 0)
            return md_err_set(err, MD_ERR_INVALID, "managed spot is yes or no, not \"%.20s\"", v);
        return MD_OK;
    case MD_TF_CHECKPOINT:
        if (spot_value(s->v[MD_TF_SPOT]) == 1 && !*v)
            return md_err_set(err, MD_ERR_INVALID, "managed spot training needs a checkpoint S3 "
                                                   "URI, so an interrupted job can resume");
        return check_s3(s, f, false, err);
    case MD_TF_MAX_WAIT:
        if (!*v)
            return MD_OK;
        if ((st = check_int(s, f, 1, 10L * MAX_RUNTIME_S, &n, err)) != MD_OK)
            return st;
        if (parse_long(s->v[MD_TF_MAX_RUNTIME], &rt) && n < rt)
            return md_err_set(err, MD_ERR_INVALID, "max wait (%ld s) must be at least the max "
                                                   "runtime (%ld s): it includes the training time",
                              n, rt);
        return MD_OK;
    case MD_TF_COUNT: break;
    }
    return md_err_set(err, MD_ERR_INVALID, "no such field");
}

md_status md_train_check(const struct md_train_spec *s, enum md_train_field *bad,
                         struct md_err *err)
{
    for (int f = 0; f < MD_TF_COUNT; f++) {
        md_status st = md_train_check_field(s, (enum md_train_field)f, err);
        if (st != MD_OK) {
            if (bad)
                *bad = (enum md_train_field)f;
            return st;
        }
    }
    return MD_OK;
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

md_status md_train_request(const struct md_train_spec *s, cJSON **out, enum md_train_field *bad,
                           struct md_err *err)
{
    *out = NULL;
    md_status st = md_train_check(s, bad, err);
    if (st != MD_OK)
        return st;
    cJSON *hp_more = NULL, *ch_more = NULL;
    st = md_train_pairs_parse(s->v[MD_TF_HP_MORE], "hyperparameter", &hp_more, err);
    if (st == MD_OK)
        st = md_train_pairs_parse(s->v[MD_TF_CHANNELS_MORE], "channel", &ch_more, err);
    if (st != MD_OK) {
        cJSON_Delete(hp_more);
        return st;
    }
    long count = 0, volume = 0, runtime = 0, maxwait = 0;
    parse_long(s->v[MD_TF_INSTANCE_COUNT], &count);
    parse_long(s->v[MD_TF_VOLUME], &volume);
    parse_long(s->v[MD_TF_MAX_RUNTIME], &runtime);
    if (s->v[MD_TF_MAX_WAIT][0])
        parse_long(s->v[MD_TF_MAX_WAIT], &maxwait);
    bool spot = spot_value(s->v[MD_TF_SPOT]) == 1;

    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "TrainingJobName", s->v[MD_TF_NAME]);
    /* SageMaker passes hyperparameters as strings. */
    cJSON *hp = cJSON_AddObjectToObject(p, "HyperParameters");
    for (size_t i = 0; i < N_HP_FIELDS; i++)
        cJSON_AddStringToObject(hp, hp_fields[i].key, s->v[hp_fields[i].f]);
    for (cJSON *it = hp_more->child; it; it = it->next)
        cJSON_AddStringToObject(hp, it->string, it->valuestring);
    cJSON *alg = cJSON_AddObjectToObject(p, "AlgorithmSpecification");
    cJSON_AddStringToObject(alg, "TrainingImage", s->v[MD_TF_IMAGE]);
    cJSON_AddStringToObject(alg, "TrainingInputMode", "File");
    if (s->metric_definitions)
        cJSON_AddItemToObject(alg, "MetricDefinitions", cJSON_Duplicate(s->metric_definitions, 1));
    cJSON_AddStringToObject(p, "RoleArn", s->v[MD_TF_ROLE]);
    cJSON *chans = cJSON_AddArrayToObject(p, "InputDataConfig");
    cJSON_AddItemToArray(chans, channel("train", s->v[MD_TF_TRAIN]));
    if (s->v[MD_TF_VAL][0])
        cJSON_AddItemToArray(chans, channel("val", s->v[MD_TF_VAL]));
    for (cJSON *it = ch_more->child; it; it = it->next)
        cJSON_AddItemToArray(chans, channel(it->string, it->valuestring));
    cJSON *o = cJSON_AddObjectToObject(p, "OutputDataConfig");
    cJSON_AddStringToObject(o, "S3OutputPath", s->v[MD_TF_OUTPUT]);
    cJSON *rc = cJSON_AddObjectToObject(p, "ResourceConfig");
    cJSON_AddStringToObject(rc, "InstanceType", s->v[MD_TF_INSTANCE_TYPE]);
    cJSON_AddNumberToObject(rc, "InstanceCount", (double)count);
    cJSON_AddNumberToObject(rc, "VolumeSizeInGB", (double)volume);
    cJSON *stop = cJSON_AddObjectToObject(p, "StoppingCondition");
    cJSON_AddNumberToObject(stop, "MaxRuntimeInSeconds", (double)runtime);
    if (spot) {
        /* Room for waiting on spot capacity: twice the runtime unless set. */
        cJSON_AddNumberToObject(stop, "MaxWaitTimeInSeconds",
                                (double)(maxwait ? maxwait : 2 * runtime));
        cJSON_AddBoolToObject(p, "EnableManagedSpotTraining", 1);
    }
    if (s->v[MD_TF_CHECKPOINT][0]) {
        cJSON *cp = cJSON_AddObjectToObject(p, "CheckpointConfig");
        cJSON_AddStringToObject(cp, "S3Uri", s->v[MD_TF_CHECKPOINT]);
        cJSON_AddStringToObject(cp, "LocalPath", "/opt/ml/checkpoints");
    }
    if (s->environment)
        cJSON_AddItemToObject(p, "Environment", cJSON_Duplicate(s->environment, 1));
    cJSON_Delete(hp_more);
    cJSON_Delete(ch_more);
    *out = p;
    return MD_OK;
}

md_status md_train_create(struct md_aws_client *cl, const cJSON *request, cJSON **result,
                          struct md_err *err)
{
    *result = NULL;
    md_status st = md_aws_json_call(cl, "SageMaker", "CreateTrainingJob", "1.1", request, result,
                                    err);
    const char *name = md_json_str(request, "$.TrainingJobName", "");
    if (st != MD_OK && cl->last.attempts > 1 &&
        (!strcmp(err->svc_code, "ResourceInUse") || strstr(err->msg, "must be unique") ||
         strstr(err->msg, "already exists"))) {
        cJSON *in = cJSON_CreateObject(), *desc = NULL;
        cJSON_AddStringToObject(in, "TrainingJobName", name);
        struct md_err e2;
        /* Ours only if it is what we asked for (a retry after a throttle
         * may meet someone else's job of that name). */
        static const char *const same[] = {"$.RoleArn", "$.AlgorithmSpecification.TrainingImage",
                                           "$.OutputDataConfig.S3OutputPath"};
        bool ours = md_aws_json_call(cl, "SageMaker", "DescribeTrainingJob", "1.1", in, &desc,
                                     &e2) == MD_OK;
        for (size_t i = 0; ours && i < sizeof same / sizeof same[0]; i++)
            ours = !strcmp(md_json_str(desc, same[i], ""), md_json_str(request, same[i], "-"));
        if (!ours) {
            cJSON_Delete(desc);
            desc = NULL;
        }
        if (ours) {
            md_err_clear(err);
            cJSON_Delete(*result);
            *result = desc;
            st = MD_OK;
        }
        cJSON_Delete(in);
    }
    return st;
}
