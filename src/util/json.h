/* The one JSON access helper (over cJSON).
 *
 * Paths use SQLite's JSON path syntax so the same column definition can be
 * evaluated in C and inside SQL (json_extract):
 *     $.PipelineExecutionStatus     $.a.b[0].c     $."key.with.dots"
 * plus one extension that SQLite lacks, for lists of {key, value} objects
 * (MLflow params, metrics and tags, AWS Tags):
 *     $.data.params[?key=lr0].value   first element whose "key" equals "lr0"
 * A leading "$" is optional.  md_json_path_is_sql() says whether a path can
 * be handed to SQLite as is. */
#ifndef MD_JSON_H
#define MD_JSON_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

const cJSON *md_json_get(const cJSON *root, const char *path);
/* String value at path, or def when missing or not a string. */
const char *md_json_str(const cJSON *root, const char *path, const char *def);
/* Number at path (numbers, or strings that parse fully as numbers such as
 * MLflow's "NaN"), else def. */
double md_json_num(const cJSON *root, const char *path, double def);
bool md_json_path_is_sql(const char *path);

/* Parses a whole file; returns a cJSON tree the caller frees with
 * cJSON_Delete, or NULL with err filled (file name and byte offset). */
cJSON *md_json_load_file(const char *path, struct md_err *err);
/* Parses a buffer of len bytes (need not be NUL-terminated). */
cJSON *md_json_parse(const char *data, size_t len, struct md_err *err);

#endif
