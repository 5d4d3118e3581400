#include "local/mlruns.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "local/mlruns_yaml.h"
#include "util/buf.h"

#define META_MAX (4u << 20)       /* meta.yaml, params, tags */
#define METRIC_MAX (512u << 20)   /* one metric file */

struct md_mlruns {
    char root[PATH_MAX];
};

bool md_mlruns_is_local_uri(const char *uri)
{
    if (!uri || !*uri)
        return false;
    if (!strncmp(uri, "file:", 5))
        return true;
    return strstr(uri, "://") == NULL && strncmp(uri, "arn:", 4) != 0 &&
           strcmp(uri, "databricks") != 0;
}

md_status md_mlruns_open(const char *uri, struct md_mlruns **out, struct md_err *err)
{
    *out = NULL;
    const char *path = uri;
    if (!strncmp(path, "file://", 7)) {
        path += 7;
        /* file://localhost/x and file:///x */
        if (!strncmp(path, "localhost/", 10))
            path += 9;
        else if (*path != '/')
            return md_err_set(err, MD_ERR_INVALID, "%s: only local file: URIs are supported",
                              uri);
    } else if (!strncmp(path, "file:", 5)) {
        path += 5;
    }
    if (!*path)
        return md_err_set(err, MD_ERR_INVALID, "empty file store path");
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return md_err_set(err, MD_ERR_NOTFOUND, "%s: not an MLflow file store folder (%s)",
                          path, errno ? strerror(errno) : "not a folder");
    struct md_mlruns *m = calloc(1, sizeof *m);
    if (!m)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    if (snprintf(m->root, sizeof m->root, "%s", path) >= (int)sizeof m->root) {
        free(m);
        return md_err_set(err, MD_ERR_INVALID, "path too long");
    }
    size_t n = strlen(m->root);
    while (n > 1 && m->root[n - 1] == '/')
        m->root[--n] = '\0';
    *out = m;
    return MD_OK;
}

void md_mlruns_close(struct md_mlruns *m)
{
    free(m);
}

const char *md_mlruns_root(const struct md_mlruns *m)
{
    return m->root;
}

const char *md_mlruns_status_name(int status)
{
    switch (status) {
    case 1: return "RUNNING";
    case 2: return "SCHEDULED";
    case 3: return "FINISHED";
    case 4: return "FAILED";
    case 5: return "KILLED";
    default: return "UNKNOWN";
    }
}

/* ---- small helpers -------------------------------------------------------- */

/* One path component a caller gave us (id, model name): no traversal. */
static bool safe_component(const char *s)
{
    return s && *s && strcmp(s, ".") != 0 && strcmp(s, "..") != 0 && !strchr(s, '/');
}

/* A key that becomes a relative path (params/tags/metrics keys have '/'). */
static bool safe_relpath(const char *s, bool allow_empty)
{
    if (!s)
        return false;
    if (!*s)
        return allow_empty;
    if (*s == '/')
        return false;
    const char *p = s;
    while (*p) {
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
            return false;
        p += n;
        if (*p == '/')
            p++;
        if (e && !*p)
            return false;   /* trailing slash */
    }
    return true;
}

__attribute__((format(printf, 3, 4)))
static int path_fmt(char *out, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vsnprintf(out, n, fmt, ap);
    va_end(ap);
    return r >= 0 && (size_t)r < n ? 0 : -1;
}

/* Reads a whole file (at most max bytes) into b. */
static md_status read_file(const char *path, size_t max, struct md_buf *b, struct md_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return md_err_set(err, errno == ENOENT ? MD_ERR_NOTFOUND : MD_ERR_IO, "%s: %s", path,
                          strerror(errno));
    md_buf_reset(b);
    char chunk[65536];
    for (;;) {
        ssize_t r = read(fd, chunk, sizeof chunk);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            close(fd);
            return md_err_set(err, MD_ERR_IO, "%s: %s", path, strerror(e));
        }
        if (r == 0)
            break;
        if (b->len + (size_t)r > max) {
            close(fd);
            return md_err_set(err, MD_ERR_PARSE, "%s: larger than %zu bytes", path, max);
        }
        if (md_buf_append(b, chunk, (size_t)r) < 0) {
            close(fd);
            return md_err_set(err, MD_ERR_NOMEM, "out of memory");
        }
    }
    close(fd);
    if (md_buf_append(b, "", 0) < 0)   /* NUL-terminate even when empty */
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    return MD_OK;
}

static md_status read_yaml(const char *path, cJSON **out, struct md_err *err)
{
    struct md_buf b = MD_BUF_INIT;
    md_status st = read_file(path, META_MAX, &b, err);
    if (st == MD_OK)
        st = md_mlruns_yaml_parse(b.data, b.len, path, out, err);
    md_buf_free(&b);
    return st;
}

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names in dir (no . and ..); *out is a NULL-terminated array. */
static md_status list_dir(const char *dir, char ***out, size_t *n, struct md_err *err)
{
    *out = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return md_err_set(err, errno == ENOENT ? MD_ERR_NOTFOUND : MD_ERR_IO, "%s: %s", dir,
                          strerror(errno));
    size_t cap = 16;
    char **v = malloc(cap * sizeof *v);
    if (!v) {
        closedir(d);
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (*n + 1 >= cap) {
            cap *= 2;
            char **nv = realloc(v, cap * sizeof *nv);
            if (!nv)
                goto nomem;
            v = nv;
        }
        if (!(v[*n] = strdup(e->d_name)))
            goto nomem;
        (*n)++;
    }
    closedir(d);
    qsort(v, *n, sizeof *v, cmp_str);
    v[*n] = NULL;
    *out = v;
    return MD_OK;
nomem:
    for (size_t i = 0; i < *n; i++)
        free(v[i]);
    free(v);
    closedir(d);
    *n = 0;
    return md_err_set(err, MD_ERR_NOMEM, "out of memory");
}

static void free_list(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* MLflow keeps ids as strings; an unquoted numeric id in YAML is a number. */
static char *id_string(const cJSON *j)
{
    if (cJSON_IsString(j))
        return strdup(j->valuestring);
    if (cJSON_IsNumber(j)) {
        char tmp[64];
        snprintf(tmp, sizeof tmp, "%.0f", j->valuedouble);
        return strdup(tmp);
    }
    return NULL;
}

static const char *str_field(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static void add_copy(cJSON *dst, const char *name, const cJSON *src)
{
    if (src && !cJSON_IsNull(src))
        cJSON_AddItemToObject(dst, name, cJSON_Duplicate(src, true));
}

/* Calls fn for every file under dir with its key: the path below dir, the
 * MLflow way of storing keys that contain '/' (params, tags, metrics).
 * Sorted by name; a missing dir has no keys.  buf holds the file's bytes
 * (at most max) when fn runs. */
typedef md_status (*key_file_fn)(const char *path, const char *key,
                                 const struct md_buf *buf, cJSON *list, struct md_err *err);

static md_status walk_keys(const char *dir, const char *prefix, size_t max, key_file_fn fn,
                           cJSON *list, struct md_err *err)
{
    char **names;
    size_t n;
    md_status st = list_dir(dir, &names, &n, err);
    if (st == MD_ERR_NOTFOUND) {
        md_err_clear(err);
        return MD_OK;
    }
    if (st != MD_OK)
        return st;
    struct md_buf b = MD_BUF_INIT;
    for (size_t i = 0; i < n && st == MD_OK; i++) {
        char path[PATH_MAX], key[PATH_MAX];
        if (path_fmt(path, sizeof path, "%s/%s", dir, names[i]) ||
            path_fmt(key, sizeof key, "%s%s", prefix, names[i])) {
            st = md_err_set(err, MD_ERR_INVALID, "%s/%s: path too long", dir, names[i]);
            break;
        }
        if (is_dir(path)) {
            char sub[PATH_MAX];
            if (path_fmt(sub, sizeof sub, "%s/", key)) {
                st = md_err_set(err, MD_ERR_INVALID, "%s: key too long", path);
                break;
            }
            st = walk_keys(path, sub, max, fn, list, err);
            continue;
        }
        st = read_file(path, max, &b, err);
        if (st == MD_OK)
            st = fn(path, key, &b, list, err);
    }
    md_buf_free(&b);
    free_list(names, n);
    return st;
}

/* A {key, value} object per file (params, tags). */
static md_status kv_file(const char *path, const char *key, const struct md_buf *b,
                         cJSON *list, struct md_err *err)
{
    (void)path;
    cJSON *o = cJSON_CreateObject();
    if (!o || !cJSON_AddStringToObject(o, "key", key) ||
        !cJSON_AddStringToObject(o, "value", b->data ? b->data : "")) {
        cJSON_Delete(o);
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    cJSON_AddItemToArray(list, o);
    return MD_OK;
}

static md_status kv_dir(const char *dir, const char *prefix, cJSON *list, struct md_err *err)
{
    return walk_keys(dir, prefix, META_MAX, kv_file, list, err);
}

/* The meta.yaml of an experiment, run, model or version folder; path
 * receives its file name for error messages. */
static md_status read_meta(const char *dir, char *path, size_t n, cJSON **meta, struct md_err *err)
{
    *meta = NULL;
    if (path_fmt(path, n, "%s/meta.yaml", dir))
        return md_err_set(err, MD_ERR_INVALID, "%s: path too long", dir);
    return read_yaml(path, meta, err);
}

/* ---- experiments -------------------------------------------------------- */

static md_status experiment_at(const char *dir, cJSON **out, struct md_err *err)
{
    char path[PATH_MAX];
    *out = NULL;
    cJSON *meta;
    md_status st = read_meta(dir, path, sizeof path, &meta, err);
    if (st != MD_OK)
        return st;
    cJSON *e = cJSON_CreateObject();
    char *id = id_string(cJSON_GetObjectItemCaseSensitive(meta, "experiment_id"));
    if (!e || !id) {
        free(id);
        cJSON_Delete(e);
        cJSON_Delete(meta);
        return md_err_set(err, MD_ERR_PARSE, "%s: no experiment_id", path);
    }
    cJSON_AddStringToObject(e, "experiment_id", id);
    free(id);
    add_copy(e, "name", cJSON_GetObjectItemCaseSensitive(meta, "name"));
    add_copy(e, "artifact_location", cJSON_GetObjectItemCaseSensitive(meta, "artifact_location"));
    add_copy(e, "lifecycle_stage", cJSON_GetObjectItemCaseSensitive(meta, "lifecycle_stage"));
    add_copy(e, "last_update_time", cJSON_GetObjectItemCaseSensitive(meta, "last_update_time"));
    add_copy(e, "creation_time", cJSON_GetObjectItemCaseSensitive(meta, "creation_time"));
    cJSON_Delete(meta);
    cJSON *tags = cJSON_CreateArray();
    if (path_fmt(path, sizeof path, "%s/tags", dir) == 0)
        st = kv_dir(path, "", tags, err);
    if (st != MD_OK) {
        cJSON_Delete(tags);
        cJSON_Delete(e);
        return st;
    }
    if (cJSON_GetArraySize(tags) > 0)
        cJSON_AddItemToObject(e, "tags", tags);
    else
        cJSON_Delete(tags);
    *out = e;
    return MD_OK;
}

/* Calls fn for each experiment folder under base (root or root/.trash). */
static md_status each_experiment_dir(const char *base, bool top,
                                     md_status (*fn)(void *ctx, const char *dir, const char *name,
                                                     struct md_err *err),
                                     void *ctx, struct md_err *err)
{
    char **names;
    size_t n;
    md_status st = list_dir(base, &names, &n, err);
    if (st == MD_ERR_NOTFOUND && !top) {
        md_err_clear(err);
        return MD_OK;
    }
    if (st != MD_OK)
        return st;
    for (size_t i = 0; i < n && st == MD_OK; i++) {
        if (names[i][0] == '.' || (top && !strcmp(names[i], "models")))
            continue;
        char dir[PATH_MAX], meta[PATH_MAX];
        if (path_fmt(dir, sizeof dir, "%s/%s", base, names[i]) ||
            path_fmt(meta, sizeof meta, "%s/meta.yaml", dir) || !is_file(meta))
            continue;
        st = fn(ctx, dir, names[i], err);
    }
    free_list(names, n);
    return st;
}

struct exp_list {
    cJSON *arr;
};

static md_status add_experiment(void *ctx, const char *dir, const char *name, struct md_err *err)
{
    struct exp_list *l = ctx;
    cJSON *e;
    md_status st = experiment_at(dir, &e, err);
    if (st == MD_ERR_PARSE || st == MD_ERR_NOTFOUND) {
        /* A damaged experiment is skipped, as MLflow's FileStore does. */
        md_err_clear(err);
        return MD_OK;
    }
    if (st != MD_OK)
        return st;
    cJSON_AddItemToArray(l->arr, e);
    return MD_OK;
}

md_status md_mlruns_experiments(struct md_mlruns *m, bool include_deleted, cJSON **out,
                                struct md_err *err)
{
    struct exp_list l = {cJSON_CreateArray()};
    if (!l.arr)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    md_status st = each_experiment_dir(m->root, true, add_experiment, &l, err);
    if (st == MD_OK && include_deleted) {
        char trash[PATH_MAX];
        if (path_fmt(trash, sizeof trash, "%s/.trash", m->root) == 0)
            st = each_experiment_dir(trash, false, add_experiment, &l, err);
    }
    if (st != MD_OK) {
        cJSON_Delete(l.arr);
        return st;
    }
    *out = l.arr;
    return MD_OK;
}

/* Folder of experiment id (active, else .trash); false if none. */
static bool experiment_dir(const struct md_mlruns *m, const char *id, char *out, size_t n)
{
    if (!safe_component(id) || !strcmp(id, "models") || id[0] == '.')
        return false;
    char meta[PATH_MAX];
    if (path_fmt(out, n, "%s/%s", m->root, id) == 0 &&
        path_fmt(meta, sizeof meta, "%s/meta.yaml", out) == 0 && is_file(meta))
        return true;
    if (path_fmt(out, n, "%s/.trash/%s", m->root, id) == 0 &&
        path_fmt(meta, sizeof meta, "%s/meta.yaml", out) == 0 && is_file(meta))
        return true;
    return false;
}

md_status md_mlruns_experiment(struct md_mlruns *m, const char *id, cJSON **out,
                               struct md_err *err)
{
    char dir[PATH_MAX];
    *out = NULL;
    if (!experiment_dir(m, id, dir, sizeof dir))
        return md_err_set(err, MD_ERR_NOTFOUND, "No Experiment with id=%s exists", id);
    return experiment_at(dir, out, err);
}

/* ---- metrics ---------------------------------------------------------------- */

static cJSON *metric_value(double v)
{
    if (isnan(v))
        return cJSON_CreateString("NaN");
    if (isinf(v))
        return cJSON_CreateString(v > 0 ? "Infinity" : "-Infinity");
    return cJSON_CreateNumber(v);
}

static bool parse_ll(const char *s, size_t n, long long *out)
{
    char tmp[32];
    if (n == 0 || n >= sizeof tmp)
        return false;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    char *end;
    errno = 0;
    long long v = strtoll(tmp, &end, 10);
    if (*end || errno)
        return false;
    *out = v;
    return true;
}

static bool parse_double(const char *s, size_t n, double *out)
{
    char tmp[64];
    if (n == 0 || n >= sizeof tmp)
        return false;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    /* Python writes nan, inf, -inf; strtod takes those and also hex, which we refuse. */
    for (size_t i = 0; i < n; i++)
        if (tmp[i] == 'x' || tmp[i] == 'X')
            return false;
    char *end;
    errno = 0;
    double v = strtod(tmp, &end);
    if (*end || (errno == ERANGE && !isinf(v) && v != 0))
        return false;
    *out = v;
    return true;
}

md_status md_mlruns_parse_metric_file(const char *data, size_t len, const char *key,
                                      const char *name, cJSON *arr, struct md_err *err)
{
    size_t pos = 0, lineno = 0;
    while (pos < len) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - data) : len;
        lineno++;
        const char *f[4];
        size_t fl[4];
        int nf = 0;
        size_t i = pos;
        while (i < end) {
            while (i < end && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r'))
                i++;
            if (i >= end)
                break;
            size_t s = i;
            while (i < end && data[i] != ' ' && data[i] != '\t' && data[i] != '\r')
                i++;
            if (nf == 4) {
                nf++;
                break;
            }
            f[nf] = data + s;
            fl[nf] = i - s;
            nf++;
        }
        pos = nl ? end + 1 : len;
        if (nf == 0)
            continue;
        long long ts, step = 0;
        double v;
        if (nf < 2 || nf > 3)
            return md_err_set(err, MD_ERR_PARSE, "%s line %zu: expected 'timestamp value step'",
                              name, lineno);
        if (!parse_ll(f[0], fl[0], &ts))
            return md_err_set(err, MD_ERR_PARSE, "%s line %zu: bad timestamp '%.*s'", name,
                              lineno, (int)(fl[0] > 40 ? 40 : fl[0]), f[0]);
        if (!parse_double(f[1], fl[1], &v))
            return md_err_set(err, MD_ERR_PARSE, "%s line %zu: bad value '%.*s'", name, lineno,
                              (int)(fl[1] > 40 ? 40 : fl[1]), f[1]);
        if (nf == 3 && !parse_ll(f[2], fl[2], &step))
            return md_err_set(err, MD_ERR_PARSE, "%s line %zu: bad step '%.*s'", name, lineno,
                              (int)(fl[2] > 40 ? 40 : fl[2]), f[2]);
        cJSON *o = cJSON_CreateObject();
        cJSON *val = metric_value(v);
        if (!o || !val || !cJSON_AddStringToObject(o, "key", key)) {
            cJSON_Delete(o);
            cJSON_Delete(val);
            return md_err_set(err, MD_ERR_NOMEM, "out of memory");
        }
        cJSON_AddItemToObject(o, "value", val);
        cJSON_AddNumberToObject(o, "timestamp", (double)ts);
        cJSON_AddNumberToObject(o, "step", (double)step);
        cJSON_AddItemToArray(arr, o);
    }
    return MD_OK;
}

static double metric_num(const cJSON *v)
{
    if (cJSON_IsNumber(v))
        return v->valuedouble;
    if (cJSON_IsString(v))
        return !strcmp(v->valuestring, "Infinity") ? INFINITY
             : !strcmp(v->valuestring, "-Infinity") ? -INFINITY : NAN;
    return NAN;
}

/* MLflow's FileStore: the latest value is the max of (step, timestamp, value). */
static const cJSON *latest_of(const cJSON *hist)
{
    const cJSON *best = NULL, *p;
    cJSON_ArrayForEach(p, hist) {
        if (!best) {
            best = p;
            continue;
        }
        double s1 = cJSON_GetObjectItemCaseSensitive(p, "step")->valuedouble;
        double s0 = cJSON_GetObjectItemCaseSensitive(best, "step")->valuedouble;
        double t1 = cJSON_GetObjectItemCaseSensitive(p, "timestamp")->valuedouble;
        double t0 = cJSON_GetObjectItemCaseSensitive(best, "timestamp")->valuedouble;
        double v1 = metric_num(cJSON_GetObjectItemCaseSensitive(p, "value"));
        double v0 = metric_num(cJSON_GetObjectItemCaseSensitive(best, "value"));
        if (s1 > s0 || (s1 == s0 && (t1 > t0 || (t1 == t0 && v1 > v0))))
            best = p;
    }
    return best;
}

/* The latest point of one metric file (every metric file under a run's
 * metrics folder, keys with '/' = subfolders). */
static md_status latest_metric_file(const char *path, const char *key,
                                    const struct md_buf *b, cJSON *list, struct md_err *err)
{
    cJSON *hist = cJSON_CreateArray();
    if (!hist)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    md_status st = md_mlruns_parse_metric_file(b->data, b->len, key, path, hist, err);
    const cJSON *last = st == MD_OK ? latest_of(hist) : NULL;
    if (last)
        cJSON_AddItemToArray(list, cJSON_Duplicate(last, true));
    cJSON_Delete(hist);
    return st;
}

static md_status latest_metrics(const char *dir, const char *prefix, cJSON *list,
                                struct md_err *err)
{
    return walk_keys(dir, prefix, METRIC_MAX, latest_metric_file, list, err);
}

/* ---- runs ---------------------------------------------------------------------- */

static md_status run_at(const char *dir, cJSON **out, struct md_err *err)
{
    char path[PATH_MAX];
    *out = NULL;
    cJSON *meta;
    md_status st = read_meta(dir, path, sizeof path, &meta, err);
    if (st != MD_OK)
        return st;
    cJSON *run = cJSON_CreateObject();
    cJSON *info = cJSON_AddObjectToObject(run, "info");
    cJSON *data = cJSON_AddObjectToObject(run, "data");
    cJSON *metrics = cJSON_CreateArray(), *params = cJSON_CreateArray(),
          *tags = cJSON_CreateArray();
    char *rid = id_string(cJSON_GetObjectItemCaseSensitive(meta, "run_uuid"));
    if (!rid)
        rid = id_string(cJSON_GetObjectItemCaseSensitive(meta, "run_id"));
    char *eid = id_string(cJSON_GetObjectItemCaseSensitive(meta, "experiment_id"));
    if (!run || !info || !data || !metrics || !params || !tags || !rid || !eid) {
        st = md_err_set(err, MD_ERR_PARSE, "%s: no run_uuid or experiment_id", path);
        goto out;
    }
    if (path_fmt(path, sizeof path, "%s/params", dir) == 0)
        st = kv_dir(path, "", params, err);
    if (st == MD_OK && path_fmt(path, sizeof path, "%s/tags", dir) == 0)
        st = kv_dir(path, "", tags, err);
    if (st == MD_OK && path_fmt(path, sizeof path, "%s/metrics", dir) == 0)
        st = latest_metrics(path, "", metrics, err);
    if (st != MD_OK)
        goto out;

    cJSON_AddStringToObject(info, "run_uuid", rid);
    cJSON_AddStringToObject(info, "experiment_id", eid);
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(meta, "run_name");
    if (cJSON_IsString(name) && name->valuestring[0]) {
        cJSON_AddStringToObject(info, "run_name", name->valuestring);
    } else {
        const cJSON *t;
        cJSON_ArrayForEach(t, tags) {
            if (!strcmp(cJSON_GetObjectItemCaseSensitive(t, "key")->valuestring, "mlflow.runName"))
                cJSON_AddStringToObject(info, "run_name",
                                        cJSON_GetObjectItemCaseSensitive(t, "value")->valuestring);
        }
    }
    const cJSON *user = cJSON_GetObjectItemCaseSensitive(meta, "user_id");
    if (cJSON_IsString(user))
        cJSON_AddStringToObject(info, "user_id", user->valuestring);
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(meta, "status");
    if (cJSON_IsNumber(status))
        cJSON_AddStringToObject(info, "status", md_mlruns_status_name((int)status->valuedouble));
    else if (cJSON_IsString(status))
        cJSON_AddStringToObject(info, "status", status->valuestring);
    add_copy(info, "start_time", cJSON_GetObjectItemCaseSensitive(meta, "start_time"));
    add_copy(info, "end_time", cJSON_GetObjectItemCaseSensitive(meta, "end_time"));
    add_copy(info, "artifact_uri", cJSON_GetObjectItemCaseSensitive(meta, "artifact_uri"));
    add_copy(info, "lifecycle_stage", cJSON_GetObjectItemCaseSensitive(meta, "lifecycle_stage"));
    cJSON_AddStringToObject(info, "run_id", rid);

    if (cJSON_GetArraySize(metrics) > 0) {
        cJSON_AddItemToObject(data, "metrics", metrics);
        metrics = NULL;
    }
    if (cJSON_GetArraySize(params) > 0) {
        cJSON_AddItemToObject(data, "params", params);
        params = NULL;
    }
    if (cJSON_GetArraySize(tags) > 0) {
        cJSON_AddItemToObject(data, "tags", tags);
        tags = NULL;
    }
    cJSON_AddObjectToObject(run, "inputs");
    *out = run;
    run = NULL;
out:
    cJSON_Delete(metrics);
    cJSON_Delete(params);
    cJSON_Delete(tags);
    cJSON_Delete(run);
    cJSON_Delete(meta);
    free(rid);
    free(eid);
    return st;
}

md_status md_mlruns_runs(struct md_mlruns *m, const char *exp_id, cJSON **out,
                         struct md_err *err)
{
    char dir[PATH_MAX];
    *out = NULL;
    if (!experiment_dir(m, exp_id, dir, sizeof dir))
        return md_err_set(err, MD_ERR_NOTFOUND, "No Experiment with id=%s exists", exp_id);
    char **names;
    size_t n;
    md_status st = list_dir(dir, &names, &n, err);
    if (st != MD_OK)
        return st;
    cJSON *arr = cJSON_CreateArray();
    if (!arr)
        st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n && st == MD_OK; i++) {
        if (!strcmp(names[i], "tags") || names[i][0] == '.')
            continue;
        char rdir[PATH_MAX], meta[PATH_MAX];
        if (path_fmt(rdir, sizeof rdir, "%s/%s", dir, names[i]) ||
            path_fmt(meta, sizeof meta, "%s/meta.yaml", rdir) || !is_file(meta))
            continue;
        cJSON *run;
        st = run_at(rdir, &run, err);
        if (st == MD_ERR_PARSE) {
            /* One damaged run does not hide the others (MLflow skips it too). */
            md_err_clear(err);
            st = MD_OK;
            continue;
        }
        if (st == MD_OK)
            cJSON_AddItemToArray(arr, run);
    }
    free_list(names, n);
    if (st != MD_OK) {
        cJSON_Delete(arr);
        return st;
    }
    *out = arr;
    return MD_OK;
}

/* Folder of run_id: searched in every experiment (active and .trash). */
struct find_run {
    const char *id;
    char dir[PATH_MAX];
    bool found;
};

static md_status find_run_in(void *ctx, const char *dir, const char *name, struct md_err *err)
{
    struct find_run *f = ctx;
    char meta[PATH_MAX];
    if (f->found)
        return MD_OK;
    if (path_fmt(f->dir, sizeof f->dir, "%s/%s", dir, f->id) == 0 &&
        path_fmt(meta, sizeof meta, "%s/meta.yaml", f->dir) == 0 && is_file(meta))
        f->found = true;
    return MD_OK;
}

static md_status run_dir(struct md_mlruns *m, const char *run_id, char *out, size_t n,
                         struct md_err *err)
{
    if (!safe_component(run_id) || run_id[0] == '.')
        return md_err_set(err, MD_ERR_NOTFOUND, "Run with id=%s not found", run_id ? run_id : "");
    struct find_run f = {run_id, "", false};
    md_status st = each_experiment_dir(m->root, true, find_run_in, &f, err);
    if (st == MD_OK && !f.found) {
        char trash[PATH_MAX];
        if (path_fmt(trash, sizeof trash, "%s/.trash", m->root) == 0)
            st = each_experiment_dir(trash, false, find_run_in, &f, err);
    }
    if (st != MD_OK)
        return st;
    if (!f.found)
        return md_err_set(err, MD_ERR_NOTFOUND, "Run with id=%s not found", run_id);
    snprintf(out, n, "%s", f.dir);
    return MD_OK;
}

md_status md_mlruns_run(struct md_mlruns *m, const char *run_id, cJSON **out,
                        struct md_err *err)
{
    char dir[PATH_MAX];
    *out = NULL;
    md_status st = run_dir(m, run_id, dir, sizeof dir, err);
    return st != MD_OK ? st : run_at(dir, out, err);
}

md_status md_mlruns_metric_history(struct md_mlruns *m, const char *run_id, const char *key,
                                   cJSON **out, struct md_err *err)
{
    char dir[PATH_MAX], path[PATH_MAX];
    *out = NULL;
    if (!safe_relpath(key, false))
        return md_err_set(err, MD_ERR_INVALID, "invalid metric key '%s'", key ? key : "");
    md_status st = run_dir(m, run_id, dir, sizeof dir, err);
    if (st != MD_OK)
        return st;
    cJSON *arr = cJSON_CreateArray();
    if (!arr)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    if (path_fmt(path, sizeof path, "%s/metrics/%s", dir, key) || !is_file(path)) {
        *out = arr;     /* a key the run never logged: empty, as the server answers */
        return MD_OK;
    }
    struct md_buf b = MD_BUF_INIT;
    st = read_file(path, METRIC_MAX, &b, err);
    if (st == MD_OK)
        st = md_mlruns_parse_metric_file(b.data, b.len, key, path, arr, err);
    md_buf_free(&b);
    if (st != MD_OK) {
        cJSON_Delete(arr);
        return st;
    }
    *out = arr;
    return MD_OK;
}

/* ---- model registry -------------------------------------------------------------- */

/* alias -> version from meta.yaml's "aliases" map and the aliases/ folder. */
static cJSON *model_aliases(const char *mdir, const cJSON *meta, struct md_err *err)
{
    cJSON *map = cJSON_CreateObject();
    const cJSON *a;
    cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(meta, "aliases")) {
        char *v = id_string(a);
        if (v && a->string)
            cJSON_AddStringToObject(map, a->string, v);
        free(v);
    }
    char path[PATH_MAX];
    cJSON *files = cJSON_CreateArray();
    if (path_fmt(path, sizeof path, "%s/aliases", mdir) == 0 &&
        kv_dir(path, "", files, err) == MD_OK) {
        cJSON_ArrayForEach(a, files) {
            const char *k = cJSON_GetObjectItemCaseSensitive(a, "key")->valuestring;
            const char *v = cJSON_GetObjectItemCaseSensitive(a, "value")->valuestring;
            cJSON_DeleteItemFromObjectCaseSensitive(map, k);
            cJSON_AddStringToObject(map, k, v);
        }
    }
    md_err_clear(err);
    cJSON_Delete(files);
    return map;
}

static md_status version_at(const char *vdir, const cJSON *aliases, cJSON **out,
                            struct md_err *err)
{
    char path[PATH_MAX];
    *out = NULL;
    cJSON *meta;
    md_status st = read_meta(vdir, path, sizeof path, &meta, err);
    if (st != MD_OK)
        return st;
    cJSON *v = cJSON_CreateObject();
    char *ver = id_string(cJSON_GetObjectItemCaseSensitive(meta, "version"));
    if (!v || !ver) {
        free(ver);
        cJSON_Delete(v);
        cJSON_Delete(meta);
        return md_err_set(err, MD_ERR_PARSE, "%s: no version", path);
    }
    add_copy(v, "name", cJSON_GetObjectItemCaseSensitive(meta, "name"));
    cJSON_AddStringToObject(v, "version", ver);
    static const char *const fields[] = {"creation_timestamp", "last_updated_timestamp",
                                         "current_stage", "description", "source", "run_id",
                                         "status", "status_message", "user_id"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        add_copy(v, fields[i], cJSON_GetObjectItemCaseSensitive(meta, fields[i]));
    cJSON *tags = cJSON_CreateArray();
    if (path_fmt(path, sizeof path, "%s/tags", vdir) == 0)
        st = kv_dir(path, "", tags, err);
    if (st == MD_OK && cJSON_GetArraySize(tags) > 0)
        cJSON_AddItemToObject(v, "tags", tags);
    else
        cJSON_Delete(tags);
    add_copy(v, "run_link", cJSON_GetObjectItemCaseSensitive(meta, "run_link"));
    cJSON *al = cJSON_CreateArray();
    const cJSON *a;
    cJSON_ArrayForEach(a, aliases) {
        if (cJSON_IsString(a) && !strcmp(a->valuestring, ver))
            cJSON_AddItemToArray(al, cJSON_CreateString(a->string));
    }
    if (cJSON_GetArraySize(al) > 0)
        cJSON_AddItemToObject(v, "aliases", al);
    else
        cJSON_Delete(al);
    free(ver);
    cJSON_Delete(meta);
    if (st != MD_OK) {
        cJSON_Delete(v);
        return st;
    }
    *out = v;
    return MD_OK;
}

static int cmp_version_desc(const void *a, const void *b)
{
    const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
    double vx = atof(cJSON_GetObjectItemCaseSensitive(x, "version")->valuestring);
    double vy = atof(cJSON_GetObjectItemCaseSensitive(y, "version")->valuestring);
    return vx < vy ? 1 : vx > vy ? -1 : 0;
}

/* Versions of the model in mdir appended to arr (highest version first). */
static md_status versions_of(const char *mdir, cJSON *arr, struct md_err *err)
{
    char path[PATH_MAX];
    cJSON *meta;
    md_status st = read_meta(mdir, path, sizeof path, &meta, err);
    if (st != MD_OK)
        return st;
    cJSON *aliases = model_aliases(mdir, meta, err);
    cJSON_Delete(meta);
    char **names;
    size_t n;
    st = list_dir(mdir, &names, &n, err);
    if (st != MD_OK) {
        cJSON_Delete(aliases);
        return st;
    }
    cJSON **tmp = calloc(n + 1, sizeof *tmp);
    size_t k = 0;
    for (size_t i = 0; i < n && st == MD_OK && tmp; i++) {
        if (strncmp(names[i], "version-", 8) != 0)
            continue;
        char vdir[PATH_MAX];
        if (path_fmt(vdir, sizeof vdir, "%s/%s", mdir, names[i]))
            continue;
        cJSON *v;
        st = version_at(vdir, aliases, &v, err);
        if (st == MD_ERR_PARSE || st == MD_ERR_NOTFOUND) {
            md_err_clear(err);
            st = MD_OK;
            continue;
        }
        if (st == MD_OK)
            tmp[k++] = v;
    }
    if (!tmp && st == MD_OK)
        st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
    if (tmp) {
        qsort(tmp, k, sizeof *tmp, cmp_version_desc);
        for (size_t i = 0; i < k; i++)
            cJSON_AddItemToArray(arr, tmp[i]);
        free(tmp);
    }
    free_list(names, n);
    cJSON_Delete(aliases);
    return st;
}

md_status md_mlruns_model_versions(struct md_mlruns *m, const char *name, cJSON **out,
                                   struct md_err *err)
{
    char models[PATH_MAX], mdir[PATH_MAX];
    *out = cJSON_CreateArray();
    if (!*out)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    if (path_fmt(models, sizeof models, "%s/models", m->root))
        return MD_OK;
    md_status st = MD_OK;
    if (name) {
        if (!safe_component(name) ||
            path_fmt(mdir, sizeof mdir, "%s/%s", models, name) || !is_dir(mdir)) {
            cJSON_Delete(*out);
            *out = NULL;
            return md_err_set(err, MD_ERR_NOTFOUND, "Registered Model with name=%s not found",
                              name);
        }
        st = versions_of(mdir, *out, err);
    } else {
        char **names;
        size_t n;
        st = list_dir(models, &names, &n, err);
        if (st == MD_ERR_NOTFOUND) {
            md_err_clear(err);
            return MD_OK;
        }
        for (size_t i = 0; i < n && st == MD_OK; i++) {
            if (path_fmt(mdir, sizeof mdir, "%s/%s", models, names[i]) == 0 && is_dir(mdir)) {
                st = versions_of(mdir, *out, err);
                if (st == MD_ERR_PARSE || st == MD_ERR_NOTFOUND) {
                    md_err_clear(err);
                    st = MD_OK;
                }
            }
        }
        free_list(names, n);
    }
    if (st != MD_OK) {
        cJSON_Delete(*out);
        *out = NULL;
    }
    return st;
}

static md_status model_at(const char *mdir, cJSON **out, struct md_err *err)
{
    char path[PATH_MAX];
    *out = NULL;
    cJSON *meta;
    md_status st = read_meta(mdir, path, sizeof path, &meta, err);
    if (st != MD_OK)
        return st;
    cJSON *mod = cJSON_CreateObject();
    add_copy(mod, "name", cJSON_GetObjectItemCaseSensitive(meta, "name"));
    add_copy(mod, "creation_timestamp", cJSON_GetObjectItemCaseSensitive(meta, "creation_timestamp"));
    add_copy(mod, "last_updated_timestamp",
             cJSON_GetObjectItemCaseSensitive(meta, "last_updated_timestamp"));
    add_copy(mod, "description", cJSON_GetObjectItemCaseSensitive(meta, "description"));
    cJSON *aliases = model_aliases(mdir, meta, err);
    cJSON_Delete(meta);

    /* latest version per stage, lowest version first */
    cJSON *all = cJSON_CreateArray();
    st = versions_of(mdir, all, err);
    if (st == MD_OK) {
        cJSON *latest = cJSON_CreateArray();
        int n = cJSON_GetArraySize(all);
        for (int i = n - 1; i >= 0; i--) {
            const cJSON *v = cJSON_GetArrayItem(all, i);
            const char *stage = str_field(v, "current_stage");
            bool newer = false;
            for (int j = 0; j < i; j++)
                if (!strcmp(str_field(cJSON_GetArrayItem(all, j), "current_stage"), stage))
                    newer = true;
            if (!newer) {
                cJSON *c = cJSON_Duplicate(v, true);
                cJSON_DeleteItemFromObjectCaseSensitive(c, "aliases");
                cJSON_AddItemToArray(latest, c);
            }
        }
        if (cJSON_GetArraySize(latest) > 0)
            cJSON_AddItemToObject(mod, "latest_versions", latest);
        else
            cJSON_Delete(latest);
    }
    cJSON_Delete(all);
    cJSON *tags = cJSON_CreateArray();
    if (st == MD_OK && path_fmt(path, sizeof path, "%s/tags", mdir) == 0)
        st = kv_dir(path, "", tags, err);
    if (cJSON_GetArraySize(tags) > 0)
        cJSON_AddItemToObject(mod, "tags", tags);
    else
        cJSON_Delete(tags);
    cJSON *al = cJSON_CreateArray();
    const cJSON *a;
    cJSON_ArrayForEach(a, aliases) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "alias", a->string);
        cJSON_AddStringToObject(o, "version", a->valuestring);
        cJSON_AddItemToArray(al, o);
    }
    if (cJSON_GetArraySize(al) > 0)
        cJSON_AddItemToObject(mod, "aliases", al);
    else
        cJSON_Delete(al);
    cJSON_Delete(aliases);
    if (st != MD_OK) {
        cJSON_Delete(mod);
        return st;
    }
    *out = mod;
    return MD_OK;
}

md_status md_mlruns_registered_models(struct md_mlruns *m, cJSON **out, struct md_err *err)
{
    char models[PATH_MAX];
    *out = cJSON_CreateArray();
    if (!*out)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    if (path_fmt(models, sizeof models, "%s/models", m->root))
        return MD_OK;
    char **names;
    size_t n;
    md_status st = list_dir(models, &names, &n, err);
    if (st == MD_ERR_NOTFOUND) {
        md_err_clear(err);
        return MD_OK;
    }
    for (size_t i = 0; i < n && st == MD_OK; i++) {
        char mdir[PATH_MAX], meta[PATH_MAX];
        if (path_fmt(mdir, sizeof mdir, "%s/%s", models, names[i]) ||
            path_fmt(meta, sizeof meta, "%s/meta.yaml", mdir) || !is_file(meta))
            continue;
        cJSON *mod;
        st = model_at(mdir, &mod, err);
        if (st == MD_ERR_PARSE) {
            md_err_clear(err);
            st = MD_OK;
            continue;
        }
        if (st == MD_OK)
            cJSON_AddItemToArray(*out, mod);
    }
    free_list(names, n);
    if (st != MD_OK) {
        cJSON_Delete(*out);
        *out = NULL;
    }
    return st;
}

/* ---- artifacts ------------------------------------------------------------------------ */

md_status md_mlruns_artifacts(struct md_mlruns *m, const char *run_id, const char *path,
                              cJSON **out, struct md_err *err)
{
    char dir[PATH_MAX], adir[PATH_MAX];
    *out = NULL;
    if (!path)
        path = "";
    while (*path == '/')
        path++;
    if (!safe_relpath(path, true))
        return md_err_set(err, MD_ERR_INVALID, "invalid artifact path '%s'", path);
    cJSON *run;
    md_status st = run_dir(m, run_id, dir, sizeof dir, err);
    if (st != MD_OK)
        return st;
    st = run_at(dir, &run, err);
    if (st != MD_OK)
        return st;
    cJSON *res = cJSON_CreateObject();
    add_copy(res, "root_uri", cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(run, "info"), "artifact_uri"));
    cJSON_Delete(run);
    if (path_fmt(adir, sizeof adir, "%s/artifacts%s%s", dir, *path ? "/" : "", path) ||
        !is_dir(adir)) {
        *out = res;
        return MD_OK;
    }
    char **names;
    size_t n;
    st = list_dir(adir, &names, &n, err);
    if (st != MD_OK) {
        cJSON_Delete(res);
        return st;
    }
    cJSON *files = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) {
        char full[PATH_MAX], rel[PATH_MAX];
        struct stat sb;
        if (path_fmt(full, sizeof full, "%s/%s", adir, names[i]) ||
            path_fmt(rel, sizeof rel, "%s%s%s", path, *path ? "/" : "", names[i]) ||
            stat(full, &sb) != 0)
            continue;
        cJSON *f = cJSON_CreateObject();
        cJSON_AddStringToObject(f, "path", rel);
        cJSON_AddBoolToObject(f, "is_dir", S_ISDIR(sb.st_mode));
        if (!S_ISDIR(sb.st_mode))
            cJSON_AddNumberToObject(f, "file_size", (double)sb.st_size);
        cJSON_AddItemToArray(files, f);
    }
    free_list(names, n);
    if (cJSON_GetArraySize(files) > 0)
        cJSON_AddItemToObject(res, "files", files);
    else
        cJSON_Delete(files);
    *out = res;
    return MD_OK;
}
