#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "aws/pipeline_params.h"
#include "util/json.h"

int main(void)
{
    /* The YOLO11 training pipeline the team runs (data/templates). */
    const char *dir = getenv("MLDECK_DATA_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/templates/yolo11-train-pipeline.json", dir ? dir : "data");
    struct md_err err;
    cJSON *def = md_json_load_file(path, &err);
    if (!def)
        tap_skip_all("template not found");
    char *text = cJSON_PrintUnformatted(def);
    cJSON_Delete(def);

    struct md_pipeline_params pp;
    TAP_EQ_INT(md_pipeline_params_parse(text, &pp, &err), MD_OK, "template parameters parse");
    TAP_EQ_INT(pp.n, 14, "14 parameters");
    const struct md_pipeline_param *epochs = md_pipeline_param_find(&pp, "Epochs");
    TAP_OK(epochs && epochs->type == MD_PARAM_INTEGER && !strcmp(epochs->default_value, "100"),
           "Epochs is an Integer with default 100");
    const struct md_pipeline_param *spot = md_pipeline_param_find(&pp, "UseSpotInstances");
    TAP_OK(spot && spot->type == MD_PARAM_BOOLEAN && !strcmp(spot->default_value, "true"),
           "UseSpotInstances is a Boolean defaulting to true");
    const struct md_pipeline_param *appr = md_pipeline_param_find(&pp, "ModelApprovalStatus");
    TAP_OK(appr && appr->nenum == 3, "enum values are read");

    char out[64];
    TAP_EQ_INT(md_pipeline_param_check(epochs, "150", out, sizeof out, &err), MD_OK, "150 is an Integer");
    TAP_EQ_INT(md_pipeline_param_check(epochs, "1.5", out, sizeof out, &err), MD_ERR_INVALID, "1.5 is not");
    TAP_EQ_INT(md_pipeline_param_check(epochs, "", out, sizeof out, &err), MD_ERR_INVALID, "empty is not");
    TAP_EQ_INT(md_pipeline_param_check(epochs, "99999999999999999999", out, sizeof out, &err),
               MD_ERR_INVALID, "overflow is not");
    const struct md_pipeline_param *lr = md_pipeline_param_find(&pp, "LearningRate");
    TAP_EQ_INT(md_pipeline_param_check(lr, "1e-3", out, sizeof out, &err), MD_OK, "1e-3 is a Float");
    TAP_EQ_INT(md_pipeline_param_check(lr, "nan", out, sizeof out, &err), MD_ERR_INVALID, "nan is not a Float");
    TAP_EQ_INT(md_pipeline_param_check(spot, "TRUE", out, sizeof out, &err), MD_OK, "TRUE is a Boolean");
    TAP_EQ_STR(out, "true", "booleans are sent as lower-case text");
    TAP_EQ_INT(md_pipeline_param_check(spot, "yes", out, sizeof out, &err), MD_ERR_INVALID, "yes is not");
    TAP_EQ_INT(md_pipeline_param_check(appr, "Approved", out, sizeof out, &err), MD_OK, "enum member ok");
    TAP_EQ_INT(md_pipeline_param_check(appr, "Maybe", out, sizeof out, &err), MD_ERR_INVALID, "non-member refused");
    TAP_OK(strstr(err.msg, "PendingManualApproval") != NULL, "the error lists the allowed values");

    char *assigns[] = {"Epochs=10", "ImageSize=320", "Epochs=20"};
    cJSON *arr = NULL;
    TAP_EQ_INT(md_pipeline_params_build(&pp, assigns, 3, &arr, &err), MD_OK, "build parameters");
    TAP_EQ_INT(cJSON_GetArraySize(arr), 2, "a repeated name keeps one entry");
    TAP_EQ_STR(md_json_str(arr, "$[?Name=Epochs].Value", NULL), "20", "the last value wins");
    cJSON_Delete(arr);
    char *bad[] = {"NoEquals"};
    TAP_EQ_INT(md_pipeline_params_build(&pp, bad, 1, &arr, &err), MD_ERR_INVALID, "name=value required");
    char *unknown[] = {"Nope=1"};
    TAP_EQ_INT(md_pipeline_params_build(&pp, unknown, 1, &arr, &err), MD_ERR_INVALID, "unknown name refused");
    TAP_OK(strstr(err.msg, "MAPThreshold") != NULL, "the error lists the pipeline's parameters");
    md_pipeline_params_free(&pp);

    TAP_EQ_INT(md_pipeline_params_parse("{not json", &pp, &err), MD_ERR_PARSE, "a malformed definition is an error");
    TAP_EQ_INT(md_pipeline_params_parse("{\"Parameters\":[{\"Name\":\"x\",\"Type\":\"Matrix\"}]}", &pp, &err),
               MD_ERR_PARSE, "an unknown type is an error");
    TAP_EQ_INT(md_pipeline_params_parse("{\"Steps\":[]}", &pp, &err), MD_OK, "no Parameters is fine");
    TAP_EQ_INT(pp.n, 0, "and has none");
    md_pipeline_params_free(&pp);
    cJSON_free(text);
    return tap_done();
}
