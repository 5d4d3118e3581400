/* The small YAML subset MLflow's FileStore writes in meta.yaml files
 * (yaml.safe_dump of flat dicts), read into a cJSON object:
 *
 *   key: plain scalar          -> number, true/false, null (null, ~, empty), else string
 *   key: 'single ''quoted'''   -> string
 *   key: "double \"quoted\""   -> string (\n \t \\ \" \uXXXX escapes)
 *   key: []   key: {}          -> empty array / object
 *   key:                        followed by indented "sub: value" lines -> object
 *   key:                        followed by "- item" lines (same or deeper indent) -> array
 *   continuation lines of long plain or quoted scalars are folded with a space
 *   # comments, "---" and "..." document markers are skipped
 *
 * Integers beyond 2^53 stay strings so 18-digit ids are never rounded.
 * Anything else (anchors, tags, flow collections with content, multi-line
 * block scalars) is an MD_ERR_PARSE naming the line. */
#ifndef MD_LOCAL_MLRUNS_YAML_H
#define MD_LOCAL_MLRUNS_YAML_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "util/err.h"

/* Parses len bytes (need not be NUL-terminated); *out is a cJSON object the
 * caller frees with cJSON_Delete.  name is used in error messages. */
md_status md_mlruns_yaml_parse(const char *data, size_t len, const char *name, cJSON **out,
                               struct md_err *err);

#endif
