/* Loading the demo workspace into a cache, with every timestamp moved so
 * the data looks like today.  The provider half (refresh/action through a
 * worker) is in demo_provider.c so that this file links without src/sync. */
#include "local/demo.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache/last_exec.h"
#include "cache/run_count.h"
#include "kind/kind.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/xdg.h"

#define META_SHIFT "demo.shift_s"
#define META_ANCHOR "demo.anchor"

const char *md_demo_dir(void)
{
    static char dir[4096];
    snprintf(dir, sizeof dir, "%s/demo", md_data_dir());
    return dir;
}

md_status md_demo_refuse(const char *kind, const char *action, struct md_err *err)
{
    const struct md_kind *k = md_kind_find(kind);
    const struct md_action *a = md_kind_action_by_name(k, action);
    char what[128];
    snprintf(what, sizeof what, "%s", a && a->label ? a->label : (action ? action : "do that"));
    /* "Stop execution" reads as "cannot stop execution" */
    if (what[0] && isupper((unsigned char)what[0]) &&
        !(what[1] && isupper((unsigned char)what[1])))
        what[0] = (char)tolower((unsigned char)what[0]);
    return md_err_set(err, MD_ERR_DEMO,
                      "the demo workspace cannot %s; run without --demo to use your AWS account",
                      what);
}

/* ---- time shifting ------------------------------------------------------ */

enum enc { ENC_S, ENC_MS, ENC_ISO };

struct shifter {
    enum enc enc;
    double shift_s;           /* whole seconds */
    const cJSON *keys;        /* array of member names holding timestamps */
};

static bool is_time_key(const struct shifter *sh, const char *name)
{
    const cJSON *k;
    cJSON_ArrayForEach(k, sh->keys) {
        if (cJSON_IsString(k) && strcmp(k->valuestring, name) == 0)
            return true;
    }
    return false;
}

static md_status shift_value(const struct shifter *sh, cJSON *v, struct md_err *err)
{
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (!isfinite(d))
            return MD_OK;
        if (sh->enc == ENC_MS) {
            cJSON_SetNumberValue(v, d + sh->shift_s * 1000.0);
        } else {
            /* keep SageMaker's millisecond fraction printable as is */
            cJSON_SetNumberValue(v, round((d + sh->shift_s) * 1000.0) / 1000.0);
        }
        return MD_OK;
    }
    if (cJSON_IsString(v)) {
        double t;
        if (!md_parse_iso8601(v->valuestring, &t))
            return md_err_set(err, MD_ERR_PARSE, "timestamp \"%.40s\" is not ISO 8601",
                              v->valuestring);
        char buf[40];
        md_fmt_iso8601(t + sh->shift_s, buf, sizeof buf);
        if (!cJSON_SetValuestring(v, buf))
            return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    return MD_OK;
}

static md_status shift_tree(const struct shifter *sh, cJSON *node, int depth,
                            struct md_err *err)
{
    if (depth > 64)
        return md_err_set(err, MD_ERR_PARSE, "object nested too deeply");
    cJSON *child;
    cJSON_ArrayForEach(child, node) {
        if (cJSON_IsObject(node) && child->string && is_time_key(sh, child->string) &&
            !cJSON_IsObject(child) && !cJSON_IsArray(child)) {
            md_status st = shift_value(sh, child, err);
            if (st != MD_OK)
                return md_err_wrap(err, "%s", child->string);
        } else if (cJSON_IsObject(child) || cJSON_IsArray(child)) {
            md_status st = shift_tree(sh, child, depth + 1, err);
            if (st != MD_OK)
                return st;
        }
    }
    return MD_OK;
}

/* ---- compact printing ------------------------------------------------------ */

/* cJSON_PrintUnformatted spends most of the demo's start-up formatting
 * numbers (sprintf + sscanf per number); the demo's numbers are mostly
 * integers (epoch ms, steps), which take a fast path here.  Output is the
 * same JSON text cJSON would write, minus its exotic float formatting. */
static int put_num(struct md_buf *b, double d)
{
    char tmp[40];
    if (!isfinite(d))
        return md_buf_puts(b, "null");
    if (d == floor(d) && fabs(d) < 1e15) {
        long long v = (long long)d;
        char *p = tmp + sizeof tmp;
        *--p = '\0';
        unsigned long long u = v < 0 ? (unsigned long long)(-v) : (unsigned long long)v;
        do {
            *--p = (char)('0' + u % 10);
            u /= 10;
        } while (u);
        if (v < 0)
            *--p = '-';
        return md_buf_puts(b, p);
    }
    snprintf(tmp, sizeof tmp, "%.15g", d);
    if (strtod(tmp, NULL) != d)
        snprintf(tmp, sizeof tmp, "%.17g", d);
    return md_buf_puts(b, tmp);
}

static int put_str(struct md_buf *b, const char *s)
{
    if (md_buf_reserve(b, strlen(s) + 2) < 0)
        return -1;
    int rc = md_buf_append(b, "\"", 1);
    const char *run = s;
    for (const char *p = s; rc == 0; p++) {
        unsigned char c = (unsigned char)*p;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        rc = md_buf_append(b, run, (size_t)(p - run));
        if (rc || c == '\0')
            break;
        char esc[8];
        switch (c) {
        case '"': rc = md_buf_puts(b, "\\\""); break;
        case '\\': rc = md_buf_puts(b, "\\\\"); break;
        case '\n': rc = md_buf_puts(b, "\\n"); break;
        case '\r': rc = md_buf_puts(b, "\\r"); break;
        case '\t': rc = md_buf_puts(b, "\\t"); break;
        case '\b': rc = md_buf_puts(b, "\\b"); break;
        case '\f': rc = md_buf_puts(b, "\\f"); break;
        default:
            snprintf(esc, sizeof esc, "\\u%04x", c);
            rc = md_buf_puts(b, esc);
        }
        run = p + 1;
    }
    return rc ? rc : md_buf_append(b, "\"", 1);
}

static int put_json(struct md_buf *b, const cJSON *v, int depth)
{
    if (depth > 64)
        return -1;
    if (cJSON_IsNumber(v))
        return put_num(b, v->valuedouble);
    if (cJSON_IsString(v))
        return put_str(b, v->valuestring);
    if (cJSON_IsTrue(v))
        return md_buf_puts(b, "true");
    if (cJSON_IsFalse(v))
        return md_buf_puts(b, "false");
    if (cJSON_IsNull(v))
        return md_buf_puts(b, "null");
    bool obj = cJSON_IsObject(v);
    if (!obj && !cJSON_IsArray(v))
        return -1;
    int rc = md_buf_append(b, obj ? "{" : "[", 1);
    const cJSON *c;
    bool first = true;
    cJSON_ArrayForEach(c, v) {
        if (rc)
            break;
        if (!first)
            rc = md_buf_append(b, ",", 1);
        first = false;
        if (obj && !rc) {
            rc = put_str(b, c->string ? c->string : "");
            if (!rc)
                rc = md_buf_append(b, ":", 1);
        }
        if (!rc)
            rc = put_json(b, c, depth + 1);
    }
    return rc ? rc : md_buf_append(b, obj ? "}" : "]", 1);
}

/* Compact JSON text of v, malloc'd (caller frees), NULL on failure. */
static char *print_compact(const cJSON *v)
{
    struct md_buf b = MD_BUF_INIT;
    if (put_json(&b, v, 0) < 0) {
        md_buf_free(&b);
        return NULL;
    }
    return md_buf_steal(&b);
}

/* ---- one kind file --------------------------------------------------------- */

struct row_set {
    struct md_cache_row *rows;
    char **owned;             /* id, parent and json strings to free */
    size_t n, cap, nowned;
};

static void row_set_free(struct row_set *rs)
{
    for (size_t i = 0; i < rs->nowned; i++)
        free(rs->owned[i]);
    free(rs->owned);
    free(rs->rows);
    memset(rs, 0, sizeof *rs);
}

static int row_set_add(struct row_set *rs, const char *kind, char *id, char *parent, char *json)
{
    if (rs->n == rs->cap) {
        size_t cap = rs->cap ? rs->cap * 2 : 256;
        struct md_cache_row *r = realloc(rs->rows, cap * sizeof *r);
        if (!r)
            return -1;
        rs->rows = r;
        char **o = realloc(rs->owned, cap * 3 * sizeof *o);
        if (!o)
            return -1;
        rs->owned = o;
        rs->cap = cap;
    }
    rs->owned[rs->nowned++] = id;
    rs->owned[rs->nowned++] = parent;
    rs->owned[rs->nowned++] = json;
    rs->rows[rs->n++] = (struct md_cache_row){
        .kind = kind, .id = id, .parent = parent, .json = json, .fetched_at_ms = 0};
    return 0;
}

static md_status parse_enc(const char *s, enum enc *out)
{
    if (s && strcmp(s, "epoch_s") == 0)
        *out = ENC_S;
    else if (s && strcmp(s, "epoch_ms") == 0)
        *out = ENC_MS;
    else if (s && strcmp(s, "iso8601") == 0)
        *out = ENC_ISO;
    else
        return MD_ERR_PARSE;
    return MD_OK;
}

/* Walks a parsed kind document: shifts each row of parent (every row when
 * parent is NULL) and hands its cache id, parent and compact JSON to fn. */
static md_status demo_rows(const struct md_kind *k, cJSON *doc, const char *parent,
                           double shift_s, md_demo_row_fn fn, void *ctx, struct md_err *err)
{
    struct shifter sh = {.shift_s = shift_s, .keys = md_json_get(doc, "$.time_keys")};
    const cJSON *rows = md_json_get(doc, "$.rows");
    if (parse_enc(md_json_str(doc, "$.time_encoding", NULL), &sh.enc) != MD_OK ||
        !cJSON_IsArray(sh.keys) || !cJSON_IsArray(rows))
        return md_err_set(err, MD_ERR_PARSE,
                          "not a demo kind file (time_encoding, time_keys, rows)");
    size_t idx = 0;
    cJSON *row;
    cJSON_ArrayForEach(row, (cJSON *)rows) {
        const char *p = md_json_str(row, "$.parent", NULL);
        cJSON *obj = cJSON_GetObjectItemCaseSensitive(row, "object");
        if (!p || !cJSON_IsObject(obj))
            return md_err_set(err, MD_ERR_PARSE, "row %zu has no parent/object", idx);
        idx++;
        if (parent && strcmp(parent, p) != 0)
            continue;
        md_status st = shift_tree(&sh, obj, 0, err);
        if (st != MD_OK)
            return md_err_wrap(err, "row %zu", idx - 1);
        char id[1024];
        if (!md_kind_row_id(k, obj, p, id, sizeof id))
            return md_err_set(err, MD_ERR_PARSE, "row %zu has no id at %s", idx - 1, k->id_path);
        char *json = print_compact(obj);
        if (!json)
            return md_err_set(err, MD_ERR_NOMEM, "row %zu: out of memory", idx - 1);
        int stop = fn(ctx, id, p, json);
        free(json);
        if (stop)
            return md_err_set(err, MD_ERR_CANCELLED, "stopped at row %zu", idx - 1);
    }
    return MD_OK;
}

md_status md_demo_parse_rows(const char *kind, const char *text, size_t len, const char *parent,
                             double shift_s, md_demo_row_fn fn, void *ctx, struct md_err *err)
{
    const struct md_kind *k = md_kind_find(kind);
    if (!k)
        return md_err_set(err, MD_ERR_INVALID, "unknown kind \"%s\"", kind ? kind : "");
    cJSON *doc = md_json_parse(text, len, err);
    if (!doc)
        return err ? err->code : MD_ERR_PARSE;
    md_status st = demo_rows(k, doc, parent, shift_s, fn, ctx, err);
    cJSON_Delete(doc);
    return st;
}

struct collect {
    struct row_set rs;
    const char *kind;
};

static int collect_row(void *ctx, const char *id, const char *parent, const char *json)
{
    struct collect *c = ctx;
    char *i = strdup(id), *p = strdup(parent), *j = strdup(json);
    if (!i || !p || !j || row_set_add(&c->rs, c->kind, i, p, j) < 0) {
        free(i);
        free(p);
        free(j);
        return 1;
    }
    return 0;
}

md_status md_demo_load_kind(struct md_cache *cache, const struct md_scope *scope, const char *dir,
                            const char *kind, const char *parent, double shift_s, size_t *nrows,
                            struct md_err *err)
{
    if (nrows)
        *nrows = 0;
    const struct md_kind *k = md_kind_find(kind);
    if (!k)
        return md_err_set(err, MD_ERR_INVALID, "unknown kind \"%s\"", kind ? kind : "");
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.json", dir, k->name);
    FILE *probe = fopen(path, "rb");
    if (!probe)
        return MD_OK;   /* the demo has no rows of this kind */
    fclose(probe);

    cJSON *doc = md_json_load_file(path, err);
    if (!doc)
        return err ? err->code : MD_ERR_PARSE;
    struct collect col = {.kind = k->name};
    md_status st = demo_rows(k, doc, parent, shift_s, collect_row, &col, err);
    cJSON_Delete(doc);
    if (st == MD_ERR_CANCELLED)
        st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
    if (st != MD_OK) {
        md_err_wrap(err, "%s", path);
        goto out;
    }
    struct row_set *rs = &col.rs;
    if (rs->n) {
        st = md_cache_upsert_rows(cache, scope, rs->rows, rs->n, err);
        if (st != MD_OK)
            goto out;
    }
    if (parent) {
        /* a refresh of one parent: rows that left the file leave the cache */
        const char **keep = malloc((rs->n ? rs->n : 1) * sizeof *keep);
        if (!keep) {
            st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
            goto out;
        }
        for (size_t i = 0; i < rs->n; i++)
            keep[i] = rs->rows[i].id;
        st = md_cache_prune(cache, scope, k->name, parent, keep, rs->n, err);
        free(keep);
        if (st != MD_OK)
            goto out;
    }
    if (!strcmp(k->name, "experiments") || !strcmp(k->name, "runs"))
        st = md_cache_run_count_update_all(cache, scope, err);
    else if (!strcmp(k->name, "pipelines") || !strcmp(k->name, "pipeline-executions"))
        st = md_cache_last_exec_update_all(cache, scope, err);
    if (st == MD_OK && nrows)
        *nrows = rs->n;
out:
    row_set_free(&col.rs);
    return st;
}

/* ---- the whole workspace ------------------------------------------------- */

md_status md_demo_shift(struct md_cache *cache, const struct md_scope *scope, const char *dir,
                        time_t now, double *shift_s, struct md_err *err)
{
    char *stored = NULL;
    if (cache && md_cache_meta_get(cache, scope, META_SHIFT, &stored, NULL) == MD_OK && stored) {
        char *end;
        double d = strtod(stored, &end);
        bool good = end != stored && *end == '\0' && isfinite(d);
        free(stored);
        if (good) {
            *shift_s = d;
            return MD_OK;
        }
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    cJSON *m = md_json_load_file(path, err);
    if (!m)
        return err ? err->code : MD_ERR_IO;
    double anchor = md_json_num(m, "$.anchor_epoch_s", NAN);
    cJSON_Delete(m);
    if (!isfinite(anchor))
        return md_err_set(err, MD_ERR_PARSE, "%s: no anchor_epoch_s", path);
    *shift_s = floor((double)now - anchor);
    return MD_OK;
}

md_status md_demo_load_dir(struct md_cache *cache, const struct md_scope *scope,
                           const char *dir, time_t now, struct md_demo_stats *stats,
                           struct md_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    cJSON *m = md_json_load_file(path, err);
    if (!m)
        return md_err_wrap(err, "the demo workspace is missing (set MLDECK_DATA_DIR)");
    md_status st = MD_OK;
    double anchor = md_json_num(m, "$.anchor_epoch_s", NAN);
    const cJSON *files = md_json_get(m, "$.files");
    if (!isfinite(anchor) || !cJSON_IsArray(files)) {
        st = md_err_set(err, MD_ERR_PARSE, "%s: no anchor_epoch_s or files", path);
        goto out;
    }
    double shift = floor((double)now - anchor);
    struct md_demo_stats s = {.shift_s = shift};
    const cJSON *f;
    cJSON_ArrayForEach(f, files) {
        const char *kind = md_json_str(f, "$.kind", NULL);
        if (!kind || !md_kind_find(kind))
            continue;   /* data for a kind this build does not know */
        size_t n = 0;
        st = md_demo_load_kind(cache, scope, dir, kind, NULL, shift, &n, err);
        if (st != MD_OK)
            goto out;
        s.rows += n;
        s.kinds++;
    }
    char buf[64];
    snprintf(buf, sizeof buf, "%.0f", shift);
    st = md_cache_meta_set(cache, scope, META_SHIFT, buf, err);
    if (st == MD_OK)
        st = md_cache_meta_set(cache, scope, META_ANCHOR, md_json_str(m, "$.anchor", ""), err);
    if (st == MD_OK && stats)
        *stats = s;
out:
    cJSON_Delete(m);
    return st;
}

md_status md_demo_job_logs(struct md_cache *cache, const struct md_scope *scope,
                           const char *group, const char *job, md_demo_log_fn fn, void *ctx,
                           struct md_err *err)
{
    if (!group || !job || !*job || !fn)
        return md_err_set(err, MD_ERR_INVALID, "logs: no log group or job");
    const char *dir = md_demo_dir();
    double shift;
    md_status st = md_demo_shift(cache, scope, dir, time(NULL), &shift, err);
    if (st != MD_OK)
        return st;
    char path[4096];
    snprintf(path, sizeof path, "%s/log-events.json", dir);
    FILE *probe = fopen(path, "rb");
    if (!probe)
        return MD_OK;
    fclose(probe);
    cJSON *doc = md_json_load_file(path, err);
    if (!doc)
        return err ? err->code : MD_ERR_PARSE;
    struct shifter sh = {.enc = ENC_MS, .shift_s = shift, .keys = md_json_get(doc, "$.time_keys")};
    const cJSON *rows = md_json_get(doc, "$.rows");
    if (!cJSON_IsArray(sh.keys) || !cJSON_IsArray(rows)) {
        cJSON_Delete(doc);
        return md_err_set(err, MD_ERR_PARSE, "%s: not a demo log file", path);
    }
    size_t gl = strlen(group), jl = strlen(job);
    cJSON *row;
    cJSON_ArrayForEach(row, (cJSON *)rows) {
        const char *p = md_json_str(row, "$.parent", "");
        if (strncmp(p, group, gl) != 0 || p[gl] != '/' || strncmp(p + gl + 1, job, jl) != 0 ||
            p[gl + 1 + jl] != '/')
            continue;
        cJSON *obj = cJSON_GetObjectItemCaseSensitive(row, "object");
        if (!cJSON_IsObject(obj) || (st = shift_tree(&sh, obj, 0, err)) != MD_OK) {
            if (st == MD_OK)
                st = md_err_set(err, MD_ERR_PARSE, "%s: a row has no object", path);
            break;
        }
        double ts = md_json_num(obj, "$.timestamp", -1);
        if (fn(ctx, p + gl + 1 + jl + 1, (long long)ts, md_json_str(obj, "$.message", "")))
            break;
    }
    cJSON_Delete(doc);
    return st;
}

md_status md_demo_monitoring_report(const char *processing_job_arn, const char *name,
                                    char **json_out, struct md_err *err)
{
    *json_out = NULL;
    if (!processing_job_arn || !name)
        return md_err_set(err, MD_ERR_INVALID, "monitoring report: no job or file name");
    char path[4096];
    snprintf(path, sizeof path, "%s/monitoring-reports.json", md_demo_dir());
    cJSON *doc = md_json_load_file(path, err);
    if (!doc)
        return err ? err->code : MD_ERR_IO;
    md_status st = md_err_set(err, MD_ERR_NOTFOUND, "%s: no %s in the demo", processing_job_arn,
                              name);
    const cJSON *row;
    cJSON_ArrayForEach(row, md_json_get(doc, "$.rows")) {
        if (strcmp(md_json_str(row, "$.parent", ""), processing_job_arn) != 0 ||
            strcmp(md_json_str(row, "$.object.name", ""), name) != 0)
            continue;
        const cJSON *content = md_json_get(row, "$.object.content");
        *json_out = content ? print_compact(content) : NULL;
        if (*json_out) {
            md_err_clear(err);
            st = MD_OK;
        } else {
            st = md_err_set(err, MD_ERR_PARSE, "%s: report without content", path);
        }
        break;
    }
    cJSON_Delete(doc);
    return st;
}

md_status md_demo_load_all(struct md_cache *cache, const struct md_scope *scope,
                           struct md_err *err)
{
    return md_demo_load_dir(cache, scope, md_demo_dir(), time(NULL), NULL, err);
}

md_status md_demo_open(const char *path, struct md_cache **out, struct md_err *err)
{
    *out = NULL;
    char file[4200];
    if (path && *path) {
        snprintf(file, sizeof file, "%s", path);
    } else {
        char dir[4096];
        md_status st = md_xdg_dir(MD_XDG_CACHE, dir, sizeof dir, err);
        if (st != MD_OK)
            return st;
        snprintf(file, sizeof file, "%s/demo.db", dir);
    }
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        char p[4300];
        snprintf(p, sizeof p, "%s%s", file, suffixes[i]);
        if (unlink(p) != 0 && errno != ENOENT)
            return md_err_set(err, MD_ERR_IO, "%s: %s", p, strerror(errno));
    }
    struct md_cache *c = NULL;
    md_status st = md_cache_open(file, &c, err);
    if (st != MD_OK)
        return st;
    const struct md_scope scope = {MD_DEMO_PROFILE, MD_DEMO_REGION};
    st = md_demo_load_all(c, &scope, err);
    if (st != MD_OK) {
        md_cache_close(c);
        return st;
    }
    *out = c;
    return MD_OK;
}
