/* The parameters a SageMaker pipeline definition declares (its
 * "Parameters" list: Name, Type, DefaultValue, EnumValues) and the typed
 * validation of the values an operator gives for a new execution — one
 * implementation for the CLI's -p name=value and the TUI's launch form. */
#ifndef MD_AWS_PIPELINE_PARAMS_H
#define MD_AWS_PIPELINE_PARAMS_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "util/err.h"

enum md_param_type { MD_PARAM_STRING, MD_PARAM_INTEGER, MD_PARAM_FLOAT, MD_PARAM_BOOLEAN };

struct md_pipeline_param {
    char name[256];
    enum md_param_type type;
    char default_value[1024];   /* as text, "" when there is none */
    int has_default;
    char **enum_values;         /* NULL when free */
    size_t nenum;
};

struct md_pipeline_params {
    struct md_pipeline_param *v;
    size_t n;
};

/* Parses a pipeline definition (the JSON text of PipelineDefinition).
 * Caller frees with md_pipeline_params_free. */
md_status md_pipeline_params_parse(const char *definition, struct md_pipeline_params *out,
                                   struct md_err *err);
void md_pipeline_params_free(struct md_pipeline_params *p);
const struct md_pipeline_param *md_pipeline_param_find(const struct md_pipeline_params *p,
                                                       const char *name);
const char *md_param_type_name(enum md_param_type t);

/* Checks value against the parameter's type (and enum values); on success
 * writes the canonical text to send (SageMaker takes every value as a
 * string: "true"/"false" for booleans) into out. */
md_status md_pipeline_param_check(const struct md_pipeline_param *p, const char *value,
                                  char *out, size_t n, struct md_err *err);

/* Builds StartPipelineExecution's PipelineParameters from "name=value"
 * strings (unknown names and bad values are errors naming the parameter and
 * listing what is allowed).  Parameters left out keep the definition's
 * defaults (not sent).  Returns a new JSON array. */
md_status md_pipeline_params_build(const struct md_pipeline_params *p, char *const *assigns,
                                   size_t nassigns, cJSON **out, struct md_err *err);

#endif
