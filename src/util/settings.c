#include "util/settings.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/xdg.h"

void md_settings_defaults(struct md_settings *s)
{
    memset(s, 0, sizeof *s);
    snprintf(s->profile, sizeof s->profile, "default");
    s->workers = 3;
    s->threads = 0;
    s->refresh_seconds = 15;
}

static bool parse_bool(const char *v, bool *out)
{
    if (!strcasecmp(v, "true") || !strcasecmp(v, "yes") || !strcasecmp(v, "on") || !strcmp(v, "1"))
        *out = true;
    else if (!strcasecmp(v, "false") || !strcasecmp(v, "no") || !strcasecmp(v, "off") || !strcmp(v, "0"))
        *out = false;
    else
        return false;
    return true;
}

static bool parse_int(const char *v, int lo, int hi, int *out)
{
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || end == v || *end || n < lo || n > hi)
        return false;
    *out = (int)n;
    return true;
}

#define COPY(field, v) snprintf(field, sizeof field, "%s", v)

md_status md_settings_set(struct md_settings *s, const char *key, const char *v, struct md_err *err)
{
    bool ok = true;
    if (!strcmp(key, "profile"))
        COPY(s->profile, v);
    else if (!strcmp(key, "region"))
        COPY(s->region, v);
    else if (!strcmp(key, "endpoint_url"))
        COPY(s->endpoint_url, v);
    else if (!strcmp(key, "mlflow_uri"))
        COPY(s->mlflow_uri, v);
    else if (!strcmp(key, "cache"))
        COPY(s->cache_path, v);
    else if (!strcmp(key, "read_only"))
        ok = parse_bool(v, &s->read_only);
    else if (!strcmp(key, "no_color"))
        ok = parse_bool(v, &s->no_color);
    else if (!strcmp(key, "ascii"))
        ok = parse_bool(v, &s->ascii);
    else if (!strcmp(key, "workers"))
        ok = parse_int(v, 1, 16, &s->workers);
    else if (!strcmp(key, "threads"))
        ok = parse_int(v, 0, 256, &s->threads);
    else if (!strcmp(key, "refresh_seconds"))
        ok = parse_int(v, 1, 86400, &s->refresh_seconds);
    else if (!strcmp(key, "list_ends"))
        ok = !strcmp(v, "auto") ? (s->list_ends = 0, true) : parse_int(v, 1, 2, &s->list_ends);
    else
        return md_err_set(err, MD_ERR_INVALID, "unknown setting '%s'", key);
    if (!ok)
        return md_err_set(err, MD_ERR_INVALID, "bad value '%s' for setting '%s'", v, key);
    return MD_OK;
}

static char *trim(char *p)
{
    while (isspace((unsigned char)*p))
        p++;
    char *e = p + strlen(p);
    while (e > p && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return p;
}

static md_status read_config(struct md_settings *s, const char *path, bool must_exist,
                             struct md_err *err)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        if (!must_exist && errno == ENOENT)
            return MD_OK;
        return md_err_set(err, MD_ERR_IO, "%s: %s", path, strerror(errno));
    }
    COPY(s->config_path, path);
    char line[2048];
    int lineno = 0;
    md_status st = MD_OK;
    while (st == MD_OK && fgets(line, sizeof line, f)) {
        lineno++;
        char *p = trim(line);
        if (!*p || *p == '#' || *p == ';')
            continue;
        char *eq = strchr(p, '=');
        if (!eq) {
            st = md_err_set(err, MD_ERR_INVALID, "%s:%d: expected 'key = value'", path, lineno);
            break;
        }
        *eq = '\0';
        char *v = trim(eq + 1);
        size_t vl = strlen(v);
        if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') {
            v[vl - 1] = '\0';
            v++;
        }
        st = md_settings_set(s, trim(p), v, err);
        if (st != MD_OK)
            md_err_wrap(err, "%s:%d", path, lineno);
    }
    fclose(f);
    return st;
}

md_status md_settings_load(struct md_settings *s, const char *path, struct md_err *err)
{
    char def[PATH_MAX];
    bool must = path != NULL;
    if (!path) {
        const char *env = getenv("MLDECK_CONFIG");
        if (env && *env) {
            path = env;
            must = true;
        } else {
            const char *base = getenv("XDG_CONFIG_HOME");
            const char *home = getenv("HOME");
            if (base && base[0] == '/')
                snprintf(def, sizeof def, "%s/mldeck/config", base);
            else if (home && *home)
                snprintf(def, sizeof def, "%s/.config/mldeck/config", home);
            else
                def[0] = '\0';
            path = def[0] ? def : NULL;
        }
    }
    if (path) {
        md_status st = read_config(s, path, must, err);
        if (st != MD_OK)
            return st;
    }
    const char *v;
    /* botocore reads the older name first */
    if ((v = getenv("AWS_DEFAULT_PROFILE")) && *v)
        COPY(s->profile, v);
    else if ((v = getenv("AWS_PROFILE")) && *v)
        COPY(s->profile, v);
    if ((v = getenv("MLFLOW_TRACKING_URI")) && *v)
        COPY(s->mlflow_uri, v);
    if ((v = getenv("MLDECK_LIST_ENDS")) && *v) {
        md_status st = md_settings_set(s, "list_ends", v, err);
        if (st != MD_OK) {
            md_err_wrap(err, "MLDECK_LIST_ENDS");
            return st;
        }
    }
    /* NO_COLOR: present and non-empty disables colour (no-color.org). */
    if ((v = getenv("NO_COLOR")) && *v)
        s->no_color = true;
    return MD_OK;
}
