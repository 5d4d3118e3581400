/* The AWS shared config and credentials files (~/.aws/config,
 * ~/.aws/credentials), read exactly as the AWS CLI reads them: Python's
 * RawConfigParser plus botocore's profile map.
 *
 * INI rules (RawConfigParser defaults, strict mode):
 *   - "[name]" starts a section; "[DEFAULT]" is special: its keys are
 *     inherited by every section.  A duplicate section or a duplicate key in
 *     one section is an error, as is a key line before any section.
 *   - "key = value" or "key: value" (first '=' or ':' splits); key names are
 *     case-insensitive (stored lower-case), values keep their case.
 *   - Lines whose first non-blank character is '#' or ';' are comments; a
 *     '#' later in a line is part of the value.
 *   - A line indented deeper than its key line continues the value (joined
 *     with '\n').  When the key line's own value is empty the block is a
 *     nested sub-section ("s3 =\n  addressing_style = path"): each line
 *     "k = v" (only '=' splits, keys keep their case).
 * Profile map (botocore configloader.build_profile_map):
 *   - config file: "[default]", "[profile NAME]" (split shell-style, so
 *     "[profile "a b"]" is profile "a b"), "[sso-session NAME]",
 *     "[services NAME]"; other sections are not profiles.
 *   - credentials file: "[NAME]" is profile NAME (no "profile " prefix).
 *   - For one profile in both files, a key in the credentials file wins.
 */
#ifndef MD_AWSCONFIG_H
#define MD_AWSCONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

struct md_ini_pair {
    char *key;
    char *value;
};

struct md_ini_entry {
    char *key;                  /* lower-cased */
    char *value;                /* continuation lines joined with '\n' */
    struct md_ini_pair *sub;    /* nested block, or NULL */
    size_t nsub;
    int line;
};

struct md_ini_section {
    char *name;                 /* as written between the brackets */
    struct md_ini_entry *entries;
    size_t n, cap;
    int line;
};

struct md_ini {
    struct md_ini_section *sections;
    size_t n, cap;
    struct md_ini_section defaults;   /* [DEFAULT]; n == 0 when absent */
};

/* Parses len bytes; name (a path, for messages) may be NULL.  On success
 * *out is a tree the caller frees with md_ini_free.  Bad input is
 * MD_ERR_PARSE with "name:line: why". */
md_status md_ini_parse(const char *data, size_t len, const char *name, struct md_ini **out,
                       struct md_err *err);
/* Reads a file.  A missing file gives an empty tree and *found = false. */
md_status md_ini_load(const char *path, bool *found, struct md_ini **out, struct md_err *err);
void md_ini_free(struct md_ini *ini);
/* The section named exactly name, or NULL. */
const struct md_ini_section *md_ini_section(const struct md_ini *ini, const char *name);
/* key (any case) in section s, else in [DEFAULT]; NULL when absent. */
const struct md_ini_entry *md_ini_entry(const struct md_ini *ini, const struct md_ini_section *s,
                                        const char *key);
/* Value of a nested key ("s3 =\n  addressing_style = path"), or NULL. */
const char *md_ini_entry_sub(const struct md_ini_entry *e, const char *subkey);

/* Python's os.path.expandvars + expanduser: "$VAR", "${VAR}" (unknown
 * variables stay as written) and a leading "~" / "~user".  Returns false
 * when the result does not fit in n bytes. */
bool md_expand_path(const char *in, char *out, size_t n);

/* Which file a value came from. */
enum md_awscfg_file { MD_AWSCFG_CONFIG, MD_AWSCFG_CREDENTIALS };

struct md_awsconfig {
    struct md_ini *config;          /* never NULL (empty when no file) */
    struct md_ini *credentials;     /* never NULL */
    char config_path[1024];
    char credentials_path[1024];
    bool config_found, credentials_found;
};

/* Loads AWS_CONFIG_FILE (default ~/.aws/config) and
 * AWS_SHARED_CREDENTIALS_FILE (default ~/.aws/credentials).  Missing files
 * are fine; unreadable or malformed ones are errors.  Caller frees with
 * md_awsconfig_free. */
md_status md_awsconfig_load(struct md_awsconfig **out, struct md_err *err);
/* Same with explicit paths (NULL = the default for that file). */
md_status md_awsconfig_load_paths(const char *config_path, const char *credentials_path,
                                  struct md_awsconfig **out, struct md_err *err);
void md_awsconfig_free(struct md_awsconfig *cfg);

/* The config-file section of a profile / sso-session / services block, or
 * NULL.  When the name appears twice the later section wins, as in botocore. */
const struct md_ini_section *md_awsconfig_profile_section(const struct md_awsconfig *cfg,
                                                          const char *profile);
const struct md_ini_section *md_awsconfig_prefixed_section(const struct md_awsconfig *cfg,
                                                           const char *prefix,
                                                           const char *name);
/* Which map a config-file section belongs to: "profile", "sso-session",
 * "services" (name gets the map key), or NULL for a section that is none of
 * these.  "[default]" is the profile "default". */
const char *md_awsconfig_section_kind(const char *section, char *name, size_t n);
/* True when the profile is defined in either file. */
bool md_awsconfig_has_profile(const struct md_awsconfig *cfg, const char *profile);
/* A profile key, credentials file first, then config file; NULL if unset.
 * *from (may be NULL) says which file it came from. */
const char *md_awsconfig_get(const struct md_awsconfig *cfg, const char *profile,
                             const char *key, enum md_awscfg_file *from);
/* The same key looked up in one file only. */
const char *md_awsconfig_get_in(const struct md_awsconfig *cfg, enum md_awscfg_file which,
                                const char *profile, const char *key);
/* The whole entry (for nested blocks), merged as md_awsconfig_get. */
const struct md_ini_entry *md_awsconfig_entry(const struct md_awsconfig *cfg, const char *profile,
                                              const char *key, enum md_awscfg_file *from);
/* A key of "[sso-session NAME]" or "[services NAME]" (config file only). */
const char *md_awsconfig_sso_session_get(const struct md_awsconfig *cfg, const char *session,
                                         const char *key);
/* "[services NAME]" nested value: services_get(cfg, "local", "s3", "endpoint_url"). */
const char *md_awsconfig_services_get(const struct md_awsconfig *cfg, const char *services,
                                      const char *service_key, const char *subkey);
/* botocore's ensure_boolean: true only for "true" in any case. */
bool md_awscfg_is_true(const char *v);

#endif
