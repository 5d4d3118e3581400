#include "aws/pipeline_params.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"

const char *md_param_type_name(enum md_param_type t)
{
    switch (t) {
    case MD_PARAM_INTEGER: return "Integer";
    case MD_PARAM_FLOAT: return "Float";
    case MD_PARAM_BOOLEAN: return "Boolean";
    default: return "String";
    }
}

static int parse_type(const char *s, enum md_param_type *t)
{
    if (!s || !strcmp(s, "String"))
        *t = MD_PARAM_STRING;
    else if (!strcmp(s, "Integer"))
        *t = MD_PARAM_INTEGER;
    else if (!strcmp(s, "Float"))
        *t = MD_PARAM_FLOAT;
    else if (!strcmp(s, "Boolean"))
        *t = MD_PARAM_BOOLEAN;
    else
        return -1;
    return 0;
}

static void default_text(const cJSON *d, char *out, size_t n)
{
    if (cJSON_IsString(d))
        snprintf(out, n, "%s", d->valuestring);
    else if (cJSON_IsBool(d))
        snprintf(out, n, "%s", cJSON_IsTrue(d) ? "true" : "false");
    else if (cJSON_IsNumber(d)) {
        double v = d->valuedouble;
        if (v == floor(v) && fabs(v) < 1e15)
            snprintf(out, n, "%.0f", v);
        else
            snprintf(out, n, "%.17g", v);
    } else
        out[0] = '\0';
}

md_status md_pipeline_params_parse(const char *definition, struct md_pipeline_params *out,
                                   struct md_err *err)
{
    memset(out, 0, sizeof *out);
    cJSON *def = cJSON_Parse(definition ? definition : "");
    if (!cJSON_IsObject(def)) {
        cJSON_Delete(def);
        return md_err_set(err, MD_ERR_PARSE, "the pipeline definition is not a JSON object");
    }
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(def, "Parameters");
    int n = cJSON_GetArraySize(params);
    md_status st = MD_OK;
    if (n > 0 && !(out->v = calloc((size_t)n, sizeof *out->v))) {
        cJSON_Delete(def);
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    const cJSON *p;
    cJSON_ArrayForEach(p, params) {
        struct md_pipeline_param *q = &out->v[out->n];
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(p, "Name");
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(p, "Type");
        if (!cJSON_IsString(name) || parse_type(cJSON_IsString(type) ? type->valuestring : NULL,
                                                &q->type) < 0) {
            st = md_err_set(err, MD_ERR_PARSE, "pipeline parameter %zu has no Name or an unknown Type",
                            out->n + 1);
            break;
        }
        snprintf(q->name, sizeof q->name, "%s", name->valuestring);
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(p, "DefaultValue");
        q->has_default = d != NULL;
        default_text(d, q->default_value, sizeof q->default_value);
        const cJSON *ev = cJSON_GetObjectItemCaseSensitive(p, "EnumValues");
        int ne = cJSON_GetArraySize(ev);
        if (ne > 0 && (q->enum_values = calloc((size_t)ne, sizeof *q->enum_values))) {
            const cJSON *e;
            cJSON_ArrayForEach(e, ev)
                if (cJSON_IsString(e))
                    q->enum_values[q->nenum++] = strdup(e->valuestring);
        }
        out->n++;
    }
    cJSON_Delete(def);
    if (st != MD_OK)
        md_pipeline_params_free(out);
    return st;
}

void md_pipeline_params_free(struct md_pipeline_params *p)
{
    for (size_t i = 0; i < p->n; i++) {
        for (size_t j = 0; j < p->v[i].nenum; j++)
            free(p->v[i].enum_values[j]);
        free(p->v[i].enum_values);
    }
    free(p->v);
    memset(p, 0, sizeof *p);
}

const struct md_pipeline_param *md_pipeline_param_find(const struct md_pipeline_params *p,
                                                       const char *name)
{
    for (size_t i = 0; i < p->n; i++)
        if (!strcmp(p->v[i].name, name))
            return &p->v[i];
    return NULL;
}

md_status md_pipeline_param_check(const struct md_pipeline_param *p, const char *value,
                                  char *out, size_t n, struct md_err *err)
{
    char *end;
    errno = 0;
    switch (p->type) {
    case MD_PARAM_INTEGER: {
        long long v = strtoll(value, &end, 10);
        if (!*value || *end || errno)
            return md_err_set(err, MD_ERR_INVALID, "parameter %s is an Integer; '%s' is not",
                              p->name, value);
        snprintf(out, n, "%lld", v);
        break;
    }
    case MD_PARAM_FLOAT: {
        double v = strtod(value, &end);
        if (!*value || *end || errno || !isfinite(v))
            return md_err_set(err, MD_ERR_INVALID, "parameter %s is a Float; '%s' is not",
                              p->name, value);
        snprintf(out, n, "%s", value);
        break;
    }
    case MD_PARAM_BOOLEAN:
        if (!strcasecmp(value, "true"))
            snprintf(out, n, "true");
        else if (!strcasecmp(value, "false"))
            snprintf(out, n, "false");
        else
            return md_err_set(err, MD_ERR_INVALID,
                              "parameter %s is a Boolean: true or false, not '%s'", p->name, value);
        break;
    default:
        snprintf(out, n, "%s", value);
    }
    if (p->nenum) {
        for (size_t i = 0; i < p->nenum; i++)
            if (!strcmp(p->enum_values[i], out))
                return MD_OK;
        struct md_buf b = MD_BUF_INIT;
        for (size_t i = 0; i < p->nenum; i++)
            md_buf_printf(&b, "%s%s", i ? ", " : "", p->enum_values[i]);
        md_err_set(err, MD_ERR_INVALID, "parameter %s must be one of: %s", p->name,
                   b.data ? b.data : "");
        md_buf_free(&b);
        return MD_ERR_INVALID;
    }
    return MD_OK;
}

md_status md_pipeline_params_build(const struct md_pipeline_params *p, char *const *assigns,
                                   size_t nassigns, cJSON **out, struct md_err *err)
{
    *out = NULL;
    cJSON *arr = cJSON_CreateArray();
    if (!arr)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < nassigns; i++) {
        const char *eq = strchr(assigns[i], '=');
        if (!eq || eq == assigns[i]) {
            cJSON_Delete(arr);
            return md_err_set(err, MD_ERR_INVALID, "'%s': expected name=value", assigns[i]);
        }
        char name[256];
        snprintf(name, sizeof name, "%.*s", (int)(eq - assigns[i]), assigns[i]);
        const struct md_pipeline_param *q = md_pipeline_param_find(p, name);
        if (!q) {
            struct md_buf b = MD_BUF_INIT;
            for (size_t k = 0; k < p->n; k++)
                md_buf_printf(&b, "%s%s", k ? ", " : "", p->v[k].name);
            md_err_set(err, MD_ERR_INVALID, "the pipeline has no parameter '%s' (it has: %s)", name,
                       b.data ? b.data : "none");
            md_buf_free(&b);
            cJSON_Delete(arr);
            return MD_ERR_INVALID;
        }
        char val[1024];
        md_status st = md_pipeline_param_check(q, eq + 1, val, sizeof val, err);
        if (st != MD_OK) {
            cJSON_Delete(arr);
            return st;
        }
        /* a repeated name: the last one wins, as on a command line */
        cJSON *item;
        int idx = 0;
        cJSON_ArrayForEach(item, arr) {
            const cJSON *nm = cJSON_GetObjectItemCaseSensitive(item, "Name");
            if (cJSON_IsString(nm) && !strcmp(nm->valuestring, name))
                break;
            idx++;
        }
        if (item)
            cJSON_DeleteItemFromArray(arr, idx);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "Name", name);
        cJSON_AddStringToObject(o, "Value", val);
        cJSON_AddItemToArray(arr, o);
    }
    *out = arr;
    return MD_OK;
}
