#include "app/model_fetch.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "aws/client.h"
#include "aws/s3.h"
#include "mlflow/client.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/xdg.h"
#include "yolo/archive.h"
#include "yolo/onnx.h"

/* runs:/ -> models:/ -> runs:/ ... chains longer than this are a loop. */
#define MAX_DEPTH 4

/* ---- parsing ------------------------------------------------------------- */

static bool starts(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

static bool ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && !strcmp(s + a - b, suf);
}

static const char *base_of(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

md_status md_s3_uri_split(const char *uri, char *bucket, size_t bn, char **key, struct md_err *err)
{
    *key = NULL;
    if (strncmp(uri, "s3://", 5) != 0)
        return md_err_set(err, MD_ERR_INVALID, "%s: not an s3://BUCKET/KEY URI", uri);
    const char *b = uri + 5, *slash = strchr(b, '/');
    if (!slash || slash == b || !slash[1] || (size_t)(slash - b) >= bn)
        return md_err_set(err, MD_ERR_INVALID, "%s: expected s3://BUCKET/KEY", uri);
    snprintf(bucket, bn, "%.*s", (int)(slash - b), b);
    if (!(*key = strdup(slash + 1)))
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    return MD_OK;
}

void md_etag_file_name(const char *etag, char *out, size_t n)
{
    size_t o = 0;
    for (const char *p = etag ? etag : ""; *p && o + 1 < n; p++)
        if ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F') ||
            *p == '-')
            out[o++] = *p;
    if (n)
        out[o] = '\0';
}

/* "scheme:/..." with a scheme as RFC 3986 spells it. */
static bool has_scheme(const char *s)
{
    if (!isalpha((unsigned char)*s))
        return false;
    const char *p = s;
    while (isalnum((unsigned char)*p) || *p == '+' || *p == '.' || *p == '-')
        p++;
    return p[0] == ':' && p[1] == '/';
}

/* A path inside a run or an artifact store: no "..", no empty segment
 * inside, no control bytes.  Trailing slashes are dropped. */
static md_status clean_rel(const char *what, const char *in, char **out, struct md_err *err)
{
    *out = NULL;
    while (*in == '/')
        in++;
    size_t n = strlen(in);
    while (n && in[n - 1] == '/')
        n--;
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)in[i] < 0x20)
            return md_err_set(err, MD_ERR_INVALID, "%s: control character in the path", what);
        if (in[i] == '/' && in[i + 1] == '/')
            return md_err_set(err, MD_ERR_INVALID, "%s: empty path segment", what);
    }
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && in[j] != '/')
            j++;
        if (j - i == 2 && in[i] == '.' && in[i + 1] == '.')
            return md_err_set(err, MD_ERR_INVALID, "%s: '..' is not allowed in the path", what);
        i = j + 1;
    }
    if (!(*out = strndup(in, n)))
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    return MD_OK;
}

static bool id_char(char c)
{
    return isalnum((unsigned char)c) || c == '-' || c == '_';
}

md_status md_model_src_parse(const char *s, struct md_model_src *o, struct md_err *err)
{
    memset(o, 0, sizeof *o);
    if (!s || !*s)
        return md_err_set(err, MD_ERR_INVALID, "no model given");
    md_status st = MD_OK;
    if (starts(s, "s3://")) {
        char bucket[256];
        o->kind = MD_MODEL_SRC_S3;
        st = md_s3_uri_split(s, bucket, sizeof bucket, &o->b, err);
        if (st == MD_OK && !(o->a = strdup(bucket)))
            st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
    } else if (starts(s, "training-job:")) {
        const char *n = s + strlen("training-job:");
        size_t len = strlen(n);
        bool ok = len > 0 && len <= 63 && isalnum((unsigned char)n[0]);
        for (size_t i = 0; ok && i < len; i++)
            ok = isalnum((unsigned char)n[i]) || n[i] == '-';
        o->kind = MD_MODEL_SRC_TRAINING_JOB;
        if (!ok)
            st = md_err_set(err, MD_ERR_INVALID,
                            "%s: expected training-job:NAME (1-63 letters, digits and dashes)", s);
        else if (!(o->a = strdup(n)))
            st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
    } else if (starts(s, "runs:")) {
        const char *r = s + 5;
        o->kind = MD_MODEL_SRC_RUNS;
        if (r[0] != '/' || r[1] == '/')
            return md_err_set(err, MD_ERR_INVALID, "%s: expected runs:/RUN_ID[/PATH]", s);
        r++;
        size_t idn = 0;
        while (r[idn] && r[idn] != '/')
            idn++;
        if (idn == 0)
            return md_err_set(err, MD_ERR_INVALID,
                              "%s: runs:/ needs a run id: runs:/RUN_ID[/PATH]", s);
        for (size_t i = 0; i < idn; i++)
            if (!id_char(r[i]) || idn > 64)
                return md_err_set(err, MD_ERR_INVALID, "%s: '%.*s' is not a run id", s,
                                  (int)(idn > 64 ? 64 : idn), r);
        if (!(o->a = strndup(r, idn)))
            return md_err_set(err, MD_ERR_NOMEM, "out of memory");
        st = clean_rel(s, r + idn, &o->b, err);
    } else if (starts(s, "models:")) {
        const char *r = s + 7;
        o->kind = MD_MODEL_SRC_MODELS;
        if (r[0] != '/' || r[1] == '/' || !r[1])
            return md_err_set(err, MD_ERR_INVALID,
                              "%s: expected models:/NAME/VERSION or models:/NAME@ALIAS", s);
        r++;
        const char *slash = strchr(r, '/');
        if (slash) {
            const char *v = slash + 1;
            size_t vn = strlen(v);
            if (slash == r)
                return md_err_set(err, MD_ERR_INVALID, "%s: models:/ needs a model name", s);
            if (vn == 0)
                return md_err_set(err, MD_ERR_INVALID,
                                  "%s: models:/NAME/ needs a version: models:/NAME/VERSION or "
                                  "models:/NAME@ALIAS", s);
            bool digits = vn <= 18;
            for (size_t i = 0; digits && i < vn; i++)
                digits = isdigit((unsigned char)v[i]);
            if (!digits)
                return md_err_set(err, MD_ERR_INVALID,
                                  "%s: '%s' is not a version number (stages and 'latest' are not "
                                  "supported: give a version or an @alias)", s, v);
            o->a = strndup(r, (size_t)(slash - r));
            o->b = strdup(v);
        } else {
            const char *at = strrchr(r, '@');
            if (!at)
                return md_err_set(err, MD_ERR_INVALID,
                                  "%s: models:/NAME needs a version: models:/NAME/VERSION or "
                                  "models:/NAME@ALIAS", s);
            if (at == r || !at[1])
                return md_err_set(err, MD_ERR_INVALID,
                                  "%s: expected models:/NAME@ALIAS (name and alias non-empty)", s);
            o->alias = true;
            o->a = strndup(r, (size_t)(at - r));
            o->b = strdup(at + 1);
        }
        if (!o->a || !o->b)
            st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
    } else if (starts(s, "mlflow-artifacts:")) {
        const char *r = s + strlen("mlflow-artifacts:");
        o->kind = MD_MODEL_SRC_MLFLOW_ARTIFACTS;
        if (r[0] != '/')
            return md_err_set(err, MD_ERR_INVALID, "%s: expected mlflow-artifacts:/PATH", s);
        /* mlflow-artifacts://host:port/PATH names the server: mldeck always
         * asks its own tracking server, so the authority is skipped. */
        if (r[1] == '/') {
            r = strchr(r + 2, '/');
            if (!r)
                return md_err_set(err, MD_ERR_INVALID, "%s: expected mlflow-artifacts:/PATH", s);
        }
        st = clean_rel(s, r, &o->a, err);
        if (st == MD_OK && !o->a[0])
            st = md_err_set(err, MD_ERR_INVALID, "%s: mlflow-artifacts: needs a path", s);
    } else if (starts(s, "file:")) {
        const char *p = s + 5;
        o->kind = MD_MODEL_SRC_LOCAL;
        if (starts(p, "//")) {
            p += 2;
            if (starts(p, "localhost/"))
                p += 9;
            else if (*p != '/')
                return md_err_set(err, MD_ERR_INVALID,
                                  "%s: only local file: URIs (file:///path) can be read", s);
        }
        if (!*p)
            return md_err_set(err, MD_ERR_INVALID, "%s: file: needs a path", s);
        if (!(o->a = strdup(p)))
            st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
    } else if (has_scheme(s)) {
        return md_err_set(err, MD_ERR_INVALID,
                          "%s: unsupported model location (use a path, s3://, runs:/, models:/, "
                          "mlflow-artifacts:/ or training-job:)", s);
    } else {
        o->kind = MD_MODEL_SRC_LOCAL;
        if (!(o->a = strdup(s)))
            st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    if (st == MD_OK && !o->b && !(o->b = strdup("")))
        st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
    return st;
}

void md_model_src_free(struct md_model_src *s)
{
    if (!s)
        return;
    free(s->a);
    free(s->b);
    s->a = s->b = NULL;
}

bool md_model_src_is_remote(const char *s)
{
    return s && ((has_scheme(s) && !starts(s, "file:")) || starts(s, "training-job:"));
}

bool md_model_src_needs_mlflow(const char *s)
{
    return s && (starts(s, "runs:") || starts(s, "models:") || starts(s, "mlflow-artifacts:"));
}

/* ---- the folder rule ----------------------------------------------------- */

int md_model_pick(const char *const *paths, size_t n, bool *only_pt, int *n_onnx)
{
    int best = -1, onnx = -1, targz = -1, nonnx = 0;
    bool pt = false;
    for (size_t i = 0; i < n; i++) {
        const char *b = base_of(paths[i]);
        if (!strcmp(b, "best.onnx") && (best < 0 || strlen(paths[i]) < strlen(paths[best])))
            best = (int)i;
        if (ends_with(b, ".onnx")) {
            onnx = (int)i;
            nonnx++;
        }
        if (!strcmp(b, "model.tar.gz") && targz < 0)
            targz = (int)i;
        if (ends_with(b, ".pt"))
            pt = true;
    }
    if (only_pt)
        *only_pt = pt && nonnx == 0 && targz < 0;
    if (n_onnx)
        *n_onnx = nonnx;
    return best >= 0 ? best : nonnx == 1 ? onnx : nonnx == 0 ? targz : -1;
}

/* The error for a folder without a model in it. */
static md_status no_model(const char *where, const char *const *paths, size_t n,
                          struct md_err *err)
{
    bool pt;
    int nonnx;
    md_model_pick(paths, n, &pt, &nonnx);
    if (pt)
        return md_err_set(err, MD_ERR_UNSUPPORTED,
                          "no ONNX model, only PyTorch .pt weights: export it (yolo export "
                          "model=best.pt format=onnx) and log best.onnx (in %s)", where);
    if (nonnx > 1)
        return md_err_set(err, MD_ERR_NOTFOUND,
                          "%d .onnx files and no best.onnx: name the one to use (in %s)", nonnx,
                          where);
    return md_err_set(err, MD_ERR_NOTFOUND,
                      "no best.onnx, single .onnx or model.tar.gz in the folder %s", where);
}

/* A single PyTorch weights file named directly. */
static md_status pt_refusal(const char *where, struct md_err *err)
{
    return md_err_set(err, MD_ERR_UNSUPPORTED,
                      "PyTorch weights, not ONNX: export them (yolo export model=best.pt "
                      "format=onnx) (%s)", where);
}

/* ---- the cache ------------------------------------------------------------ */

struct fetch {
    const struct md_fetch_ctx *c;
    char dir[1200];             /* the models cache folder, made on first use */
    struct md_mlflow *ml;       /* opened on first use */
};

static bool file_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
}

static void note(const struct md_fetch_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void note(const struct md_fetch_ctx *c, const char *fmt, ...)
{
    if (!c->note)
        return;
    char line[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    c->note(c->note_ctx, line);
}

static const char *human(unsigned long long n, char *buf, size_t bn)
{
    if (n >= 1000000ULL)
        snprintf(buf, bn, "%.1f MB", (double)n / 1e6);
    else if (n >= 1000ULL)
        snprintf(buf, bn, "%.1f kB", (double)n / 1e3);
    else
        snprintf(buf, bn, "%llu bytes", n);
    return buf;
}

static md_status cache_dir(const struct md_fetch_ctx *c, const char *sub, char *out, size_t n,
                           struct md_err *err)
{
    char base[1024];
    if (c->cache_dir)
        snprintf(base, sizeof base, "%s", c->cache_dir);
    else if (md_xdg_dir(MD_XDG_CACHE, base, sizeof base, err) != MD_OK)
        return err->code;
    snprintf(out, n, "%s/%s", base, sub);
    if (md_mkdir_p(out, 0700) != 0)
        return md_err_set(err, MD_ERR_IO, "%s: %s", out, strerror(errno));
    return MD_OK;
}

/* Temporary files of downloads that never finished (the process was
 * killed): removed once they are an hour old.  A running download keeps
 * its file's mtime fresh. */
static void sweep_stale(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    time_t now = time(NULL);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strstr(e->d_name, ".part") && !strstr(e->d_name, ".download"))
            continue;
        char p[1500];
        struct stat st;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (lstat(p, &st) == 0 && S_ISREG(st.st_mode) && now - st.st_mtime > 3600)
            unlink(p);
    }
    closedir(d);
}

static md_status models_dir(struct fetch *f, struct md_err *err)
{
    if (f->dir[0])
        return MD_OK;
    md_status st = cache_dir(f->c, "models", f->dir, sizeof f->dir, err);
    if (st == MD_OK)
        sweep_stale(f->dir);
    return st;
}

/* A temporary name beside final, unique to this process. */
static void part_name(const char *final, char *out, size_t n)
{
    snprintf(out, n, "%s.part%ld", final, (long)getpid());
}

/* Writes bytes to path through a temporary name, so a half-written file
 * never looks cached. */
static md_status write_atomic(const char *path, const void *data, size_t len, struct md_err *err)
{
    char tmp[4200];
    part_name(path, tmp, sizeof tmp);
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return md_err_set(err, MD_ERR_IO, "%s: %s", tmp, strerror(errno));
    bool ok = fwrite(data, 1, len, f) == len;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return md_err_set(err, MD_ERR_IO, "%s: %s", path, strerror(e));
    }
    return MD_OK;
}

static md_status copy_file(const char *from, const char *to, struct md_err *err)
{
    FILE *in = fopen(from, "rb");
    if (!in)
        return md_err_set(err, MD_ERR_IO, "%s: %s", from, strerror(errno));
    FILE *out = fopen(to, "wb");
    if (!out) {
        fclose(in);
        return md_err_set(err, MD_ERR_IO, "%s: %s", to, strerror(errno));
    }
    char chunk[65536];
    size_t r;
    bool ok = true;
    while (ok && (r = fread(chunk, 1, sizeof chunk, in)) > 0)
        ok = fwrite(chunk, 1, r, out) == r;
    ok = !ferror(in) && ok;
    fclose(in);
    ok = fclose(out) == 0 && ok;
    if (!ok) {
        unlink(to);
        return md_err_set(err, MD_ERR_IO, "%s: write failed", to);
    }
    return MD_OK;
}

/* A downloaded file (dl, removed in every case) becomes the cached model
 * final: a model.tar.gz is unpacked first; the .onnx must parse, so a
 * garbage or cut download is an error and nothing is cached. */
static md_status finish_download(const char *what, const char *dl, const char *final,
                                 struct md_err *err)
{
    char tmp[4200];
    part_name(final, tmp, sizeof tmp);
    md_status st = MD_OK;
    if (md_yolo_is_gzip(dl) == 1) {
        char *inner = NULL, *tmpdir = NULL;
        st = md_yolo_extract_onnx(dl, &inner, &tmpdir, err);
        if (st == MD_OK)
            st = copy_file(inner, tmp, err);
        if (tmpdir)
            md_yolo_remove_tree(tmpdir);
        free(inner);
        free(tmpdir);
        unlink(dl);
    } else if (rename(dl, tmp) != 0) {
        st = md_err_set(err, MD_ERR_IO, "%s: %s", tmp, strerror(errno));
        unlink(dl);
    }
    if (st == MD_OK) {
        struct md_onnx_model *om = NULL;
        st = md_onnx_load_file(tmp, &om, err);
        md_onnx_free(om);
        if (st != MD_OK) {
            /* The reader names the temporary file: say why, not where. */
            char why[sizeof err->msg];
            size_t tl = strlen(tmp);
            snprintf(why, sizeof why, "%s",
                     !strncmp(err->msg, tmp, tl) && err->msg[tl] == ':' ? err->msg + tl + 2
                                                                        : err->msg);
            md_err_set(err, st, "%s: the downloaded file is not a usable ONNX model (%s)", what,
                       why);
        }
    }
    if (st == MD_OK && rename(tmp, final) != 0)
        st = md_err_set(err, MD_ERR_IO, "%s: %s", final, strerror(errno));
    if (st != MD_OK)
        unlink(tmp);
    return st;
}

/* ---- local files --------------------------------------------------------- */

/* Regular files of dir (names, plus "weights/<name>" for its weights/
 * subfolder), malloc'd array of malloc'd strings. */
static void list_local(const char *dir, const char *prefix, char ***names, size_t *n)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char full[4200];
        struct stat st;
        snprintf(full, sizeof full, "%s/%s", dir, e->d_name);
        if (stat(full, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode) && !prefix[0] && !strcmp(e->d_name, "weights")) {
            list_local(full, "weights/", names, n);
            continue;
        }
        if (!S_ISREG(st.st_mode))
            continue;
        char **nn = realloc(*names, (*n + 1) * sizeof *nn);
        if (!nn)
            break;
        *names = nn;
        size_t len = strlen(prefix) + strlen(e->d_name) + 1;
        if ((nn[*n] = malloc(len)) != NULL) {
            snprintf(nn[*n], len, "%s%s", prefix, e->d_name);
            (*n)++;
        }
    }
    closedir(d);
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static md_status local_model(const char *path, char **out, bool *cached, struct md_err *err)
{
    struct stat st;
    *cached = true;
    if (stat(path, &st) != 0)
        return md_err_set(err, MD_ERR_NOTFOUND, "%s: %s", path, strerror(errno));
    if (!S_ISDIR(st.st_mode)) {
        if (ends_with(path, ".pt"))
            return pt_refusal(path, err);
        if (!(*out = strdup(path)))
            return md_err_set(err, MD_ERR_NOMEM, "out of memory");
        return MD_OK;
    }
    char **names = NULL;
    size_t n = 0;
    list_local(path, "", &names, &n);
    int i = md_model_pick((const char *const *)names, n, NULL, NULL);
    md_status rc;
    if (i < 0) {
        rc = no_model(path, (const char *const *)names, n, err);
    } else {
        size_t len = strlen(path) + strlen(names[i]) + 2;
        if ((*out = malloc(len)) != NULL) {
            snprintf(*out, len, "%s%s%s", path, ends_with(path, "/") ? "" : "/", names[i]);
            rc = MD_OK;
        } else {
            rc = md_err_set(err, MD_ERR_NOMEM, "out of memory");
        }
    }
    free_names(names, n);
    return rc;
}

/* ---- S3 ------------------------------------------------------------------ */

struct s3_conn {
    struct md_aws_client cl;
    struct md_endpoint ep;
    struct md_http_opts http;
};

static const struct md_aws_env *aws_env(const struct md_fetch_ctx *c)
{
    return c->env ? c->env : c->lazy_env ? c->lazy_env(c->lazy_env_ctx) : NULL;
}

static md_status connect_aws(const struct md_fetch_ctx *c, const char *service,
                             struct s3_conn *s, struct md_err *err)
{
    const struct md_aws_env *env = aws_env(c);
    if (!env)
        return md_err_set(err, MD_ERR_AUTH,
                          "S3 downloads need an AWS account (no profile/region is configured)");
    return md_aws_client_init(&s->cl, env, c->settings, service, c->curl, c->cancelled,
                              c->cancel_ctx, &s->ep, &s->http, err);
}

/* HEAD the object: its ETag as a file name, and its size. */
static md_status head_etag(struct s3_conn *s, const char *bucket, const char *key, char *name,
                           size_t n, unsigned long long *size, struct md_err *err)
{
    struct md_http_response resp;
    memset(&resp, 0, sizeof resp);
    md_status st = md_s3_head_object(&s->cl, bucket, key, &resp, err);
    if (st == MD_OK) {
        md_etag_file_name(md_headers_get(&resp.headers, "ETag"), name, n);
        const char *cl = md_headers_get(&resp.headers, "Content-Length");
        if (size)
            *size = cl ? strtoull(cl, NULL, 10) : 0;
        if (!name[0])
            st = md_err_set(err, MD_ERR_PARSE, "s3://%s/%s: the object has no ETag", bucket, key);
    }
    md_http_response_free(&resp);
    if (st != MD_OK)
        md_err_wrap(err, "s3://%s/%s", bucket, key);
    return st;
}

static md_status get_to(struct s3_conn *s, const char *bucket, const char *key, const char *path,
                        struct md_err *err)
{
    struct md_http_response resp;
    memset(&resp, 0, sizeof resp);
    md_status st = md_s3_get_object(&s->cl, bucket, key, NULL, &resp, err);
    if (st == MD_OK)     /* (an error already names the object) */
        st = write_atomic(path, resp.body.data ? resp.body.data : "", resp.body.len, err);
    md_http_response_free(&resp);
    return st;
}

/* Models are fetched in ranges of this size, so memory stays bounded
 * whatever the model's size. */
#define S3_PART ((unsigned long long)8 << 20)

/* GET the object into path part by part (Range requests, each retried on
 * its own).  Every part must carry the ETag the HEAD saw, so an object
 * replaced midway is an error rather than a mix of two files.  size 0
 * (unknown): one GET. */
static md_status get_parts(const struct md_fetch_ctx *c, struct s3_conn *s, const char *bucket,
                           const char *key, unsigned long long size, const char *etag,
                           const char *path, struct md_err *err)
{
    if (size == 0)
        return get_to(s, bucket, key, path, err);
    FILE *f = fopen(path, "wb");
    if (!f)
        return md_err_set(err, MD_ERR_IO, "%s: %s", path, strerror(errno));
    md_status st = MD_OK;
    for (unsigned long long off = 0; st == MD_OK && off < size; off += S3_PART) {
        unsigned long long last = (off + S3_PART < size ? off + S3_PART : size) - 1;
        char range[64], tag[128];
        snprintf(range, sizeof range, "bytes=%llu-%llu", off, last);
        struct md_http_response resp;
        memset(&resp, 0, sizeof resp);
        st = md_s3_get_object(&s->cl, bucket, key, range, &resp, err);
        if (st == MD_OK) {
            md_etag_file_name(md_headers_get(&resp.headers, "ETag"), tag, sizeof tag);
            bool whole = resp.status == 200;    /* the server ignored the range */
            unsigned long long want = whole ? size : last - off + 1;
            if (strcmp(tag, etag) != 0)
                st = md_err_set(err, MD_ERR_PARSE,
                                "s3://%s/%s changed while it was downloaded (ETag %s, then %s)",
                                bucket, key, etag, tag);
            else if ((whole && off != 0) || resp.body.len != want)
                st = md_err_set(err, MD_ERR_PARSE,
                                "s3://%s/%s: got %zu bytes for %s (expected %llu)", bucket, key,
                                resp.body.len, range, want);
            else if (resp.body.len && fwrite(resp.body.data, 1, resp.body.len, f) != resp.body.len)
                st = md_err_set(err, MD_ERR_IO, "%s: %s", path, strerror(errno));
            if (st == MD_OK && c->progress)
                c->progress(c->progress_ctx, whole ? size : last + 1, size);
            if (whole)
                off = size;
        }
        md_http_response_free(&resp);
    }
    if (fclose(f) != 0 && st == MD_OK)
        st = md_err_set(err, MD_ERR_IO, "%s: %s", path, strerror(errno));
    if (st != MD_OK)
        unlink(path);
    return st;
}

/* A folder (a registry version's source, a run's artifacts): the model in
 * it by the folder rule.  *key is replaced by the object's key. */
static md_status pick_in_folder(struct s3_conn *s, const char *bucket, char **key,
                                struct md_err *err)
{
    size_t len = strlen(*key);
    char *prefix = malloc(len + 2);
    if (!prefix)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    snprintf(prefix, len + 2, "%s%s", *key, len && (*key)[len - 1] == '/' ? "" : "/");
    struct md_s3_list l;
    memset(&l, 0, sizeof l);
    md_status st = md_s3_list_all(&s->cl, bucket, prefix, NULL, 1000, 5, &l, err);
    const char **keys = st == MD_OK ? calloc(l.n + 1, sizeof *keys) : NULL;
    if (st == MD_OK && !keys)
        st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
    for (size_t i = 0; st == MD_OK && i < l.n; i++)
        keys[i] = l.objects[i].key;
    if (st == MD_OK) {
        int i = md_model_pick(keys, l.n, NULL, NULL);
        char where[1400];
        snprintf(where, sizeof where, "s3://%s/%s", bucket, prefix);
        if (i < 0) {
            st = no_model(where, keys, l.n, err);
        } else {
            char *k = strdup(keys[i]);
            if (!k) {
                st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
            } else {
                free(*key);
                *key = k;
            }
        }
    }
    free(keys);
    md_s3_list_free(&l);
    free(prefix);
    return st;
}

static md_status s3_model(struct fetch *f, const char *bucket, const char *key_in, char **path,
                          bool *cached, struct md_err *err)
{
    const struct md_fetch_ctx *c = f->c;
    char etag[128], onnx[1400], dl[1500], sz[32];
    unsigned long long size = 0;
    char *key = strdup(key_in);
    struct s3_conn s;
    if (!key)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    md_status st = connect_aws(c, "s3", &s, err);
    if (st == MD_OK)
        st = models_dir(f, err);
    if (st == MD_OK && ends_with(key, ".pt")) {
        char where[1400];
        snprintf(where, sizeof where, "s3://%s/%s", bucket, key);
        st = pt_refusal(where, err);
    }
    if (st == MD_OK && !ends_with(key, ".onnx") && !ends_with(key, ".gz"))
        st = pick_in_folder(&s, bucket, &key, err);
    if (st == MD_OK)
        st = head_etag(&s, bucket, key, etag, sizeof etag, &size, err);
    if (st != MD_OK) {
        free(key);
        return st;
    }
    snprintf(onnx, sizeof onnx, "%s/%s.onnx", f->dir, etag);
    if (file_exists(onnx)) {
        *cached = true;
        note(c, "using the cached copy of s3://%s/%s", bucket, key);
    } else {
        note(c, "downloading s3://%s/%s (%s)", bucket, key, human(size, sz, sizeof sz));
        snprintf(dl, sizeof dl, "%s/%s.download%ld", f->dir, etag, (long)getpid());
        st = get_parts(c, &s, bucket, key, size, etag, dl, err);
        if (st == MD_OK) {
            char what[1400];
            snprintf(what, sizeof what, "s3://%s/%s", bucket, key);
            st = finish_download(what, dl, onnx, err);
        }
    }
    free(key);
    if (st == MD_OK && !(*path = strdup(onnx)))
        st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
    return st;
}

static md_status training_job(struct fetch *f, const char *name, char **s3uri,
                              struct md_err *err)
{
    struct s3_conn s;
    if (!aws_env(f->c))
        return md_err_set(err, MD_ERR_AUTH,
                          "training-job:%s: needs an AWS account (no profile/region is "
                          "configured)", name);
    md_status st = connect_aws(f->c, "sagemaker", &s, err);
    if (st != MD_OK)
        return st;
    cJSON *in = cJSON_CreateObject(), *out = NULL;
    cJSON_AddStringToObject(in, "TrainingJobName", name);
    st = md_aws_json_call(&s.cl, "SageMaker", "DescribeTrainingJob", "1.1", in, &out, err);
    cJSON_Delete(in);
    /* SageMaker answers an unknown name with a ValidationException. */
    if (st != MD_OK && !strcmp(err->svc_code, "ValidationException") &&
        strstr(err->msg, "not found"))
        st = err->code = MD_ERR_NOTFOUND;
    if (st != MD_OK)
        return st;
    const char *u = md_json_str(out, "$.ModelArtifacts.S3ModelArtifacts", NULL);
    if (!u || !*u)
        st = md_err_set(err, MD_ERR_NOTFOUND, "training job %s has no model artifact (status %s)",
                        name, md_json_str(out, "$.TrainingJobStatus", "?"));
    else if (!(*s3uri = strdup(u)))
        st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
    cJSON_Delete(out);
    return st;
}

/* ---- MLflow --------------------------------------------------------------- */

static md_status open_mlflow(struct fetch *f, struct md_err *err)
{
    if (f->ml)
        return MD_OK;
    const char *uri = f->c->mlflow_uri;
    if ((!uri || !*uri) && f->c->settings)
        uri = f->c->settings->mlflow_uri;
    if (!uri || !*uri)
        return md_err_set(err, MD_ERR_INVALID,
                          "runs:/, models:/ and mlflow-artifacts:/ models need an MLflow tracking "
                          "server: set MLFLOW_TRACKING_URI or pass --mlflow URI");
    md_status st = md_mlflow_open_mfa(uri, f->c->settings, f->c->mfa_prompt, f->c->mfa_ctx,
                                      &f->ml, err);
    if (st != MD_OK)
        return st;
    md_mlflow_set_curl(f->ml, f->c->curl);
    md_mlflow_set_cancel(f->ml, f->c->cancelled, f->c->cancel_ctx);
    return MD_OK;
}

/* The cache file name of an MLflow artifact ("mlflow-artifacts:/PATH" or
 * "runs:/RUN/PATH"): run artifacts are immutable, so the server, where it
 * is and how big it is name it. */
static void artifact_key(const struct fetch *f, const char *path, unsigned long long size,
                         char *out, size_t n)
{
    char text[2400];
    int len = snprintf(text, sizeof text, "%s\n%s\n%llu", md_mlflow_base_url(f->ml), path, size);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdn = 0;
    EVP_Digest(text, (size_t)(len < (int)sizeof text ? len : (int)sizeof text - 1), md, &mdn,
               EVP_sha256(), NULL);
    size_t o = (size_t)snprintf(out, n, "mlflow-");
    for (unsigned int i = 0; i < 16 && i < mdn && o + 3 <= n; i++)
        o += (size_t)snprintf(out + o, n - o, "%02x", md[i]);
}

struct entry {
    char *path;                 /* full path in the store */
    bool is_dir;
    unsigned long long size;
};

static void free_entries(struct entry *e, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(e[i].path);
    free(e);
}

/* Where server-side artifacts are: the proxied store (run NULL: paths
 * are store paths), or one run's artifacts read by the tracking server
 * itself (paths relative to the run's root). */
struct store {
    const char *run;
};

/* "mlflow-artifacts:/PATH" or "runs:/RUN/PATH" into out. */
static void store_name(const struct store *w, const char *path, char *out, size_t n)
{
    if (w->run)
        snprintf(out, n, "runs:/%s/%s", w->run, path);
    else
        snprintf(out, n, "mlflow-artifacts:/%s", path);
}

/* The listing of a folder as full paths (the proxied service answers with
 * names, artifacts/list with run-relative paths: the name is kept). */
static md_status list_store(struct fetch *f, const struct store *w, const char *dir,
                            struct entry **out, size_t *n, struct md_err *err)
{
    cJSON *resp;
    md_status st = w->run ? md_mlflow_list_artifacts(f->ml, w->run, dir, &resp, err)
                          : md_mlflow_list_proxied_artifacts(f->ml, dir, &resp, err);
    if (st != MD_OK)
        return st;
    const cJSON *files = cJSON_GetObjectItemCaseSensitive(resp, "files"), *fi;
    cJSON_ArrayForEach(fi, files) {
        const char *p = md_json_str(fi, "$.path", NULL);
        if (!p || !*p)
            continue;
        struct entry *ne = realloc(*out, (*n + 1) * sizeof *ne);
        if (!ne) {
            st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
            break;
        }
        *out = ne;
        const char *b = base_of(p);
        size_t len = strlen(dir) + strlen(b) + 2;
        struct entry *e = &ne[*n];
        if (!(e->path = malloc(len))) {
            st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
            break;
        }
        snprintf(e->path, len, "%s%s%s", dir, dir[0] ? "/" : "", b);
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(fi, "is_dir");
        e->is_dir = cJSON_IsTrue(d);
        double sz = md_json_num(fi, "$.file_size", 0);
        e->size = sz > 0 && sz < 1e18 ? (unsigned long long)sz : 0;
        (*n)++;
    }
    cJSON_Delete(resp);
    return st;
}

/* Finds the artifact to download for path: the path itself when it is a
 * file, else the model in the folder (and its weights/ subfolder). */
static md_status resolve_store(struct fetch *f, const struct store *w, const char *path,
                               char **file, unsigned long long *size, struct md_err *err)
{
    struct entry *e = NULL;
    size_t n = 0;
    char where[1400];
    store_name(w, path, where, sizeof where);
    md_status st = list_store(f, w, path, &e, &n, err);
    if (st == MD_OK && n > 0) {
        for (size_t i = 0; st == MD_OK && i < n; i++)
            if (e[i].is_dir && !strcmp(base_of(e[i].path), "weights")) {
                char *sub = strdup(e[i].path);
                st = sub ? list_store(f, w, sub, &e, &n, err)
                         : md_err_set(err, MD_ERR_NOMEM, "out of memory");
                free(sub);
                break;
            }
        const char **paths = calloc(n + 1, sizeof *paths);
        size_t k = 0;
        int *idx = calloc(n + 1, sizeof *idx);
        if (st == MD_OK && (!paths || !idx))
            st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
        for (size_t i = 0; st == MD_OK && i < n; i++)
            if (!e[i].is_dir) {
                idx[k] = (int)i;
                paths[k++] = e[i].path;
            }
        if (st == MD_OK) {
            int pick = md_model_pick(paths, k, NULL, NULL);
            if (pick < 0) {
                st = no_model(where, paths, k, err);
            } else {
                *size = e[idx[pick]].size;
                if (!(*file = strdup(e[idx[pick]].path)))
                    st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
            }
        }
        free(paths);
        free(idx);
        free_entries(e, n);
        return st;
    }
    free_entries(e, n);
    if (st != MD_OK)
        return st;
    /* Not a folder with files: a file, if its parent lists it. */
    const char *slash = strrchr(path, '/');
    char *parent = slash ? strndup(path, (size_t)(slash - path)) : strdup("");
    if (!parent)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    e = NULL;
    n = 0;
    st = list_store(f, w, parent, &e, &n, err);
    const struct entry *hit = NULL;
    for (size_t i = 0; st == MD_OK && i < n; i++)
        if (!strcmp(e[i].path, path))
            hit = &e[i];
    if (st == MD_OK && !hit)
        st = md_err_set(err, MD_ERR_NOTFOUND, "no such artifact: %s", where);
    else if (st == MD_OK && hit->is_dir)
        st = md_err_set(err, MD_ERR_NOTFOUND, "empty folder: %s", where);
    else if (st == MD_OK && ends_with(path, ".pt")) {
        st = pt_refusal(where, err);
    } else if (st == MD_OK) {
        *size = hit->size;
        if (!(*file = strdup(path)))
            st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    free_entries(e, n);
    free(parent);
    return st;
}

struct progress_relay {
    const struct md_fetch_ctx *c;
    unsigned long long total;
};

static void relay_progress(void *ctx, unsigned long long got)
{
    const struct progress_relay *r = ctx;
    r->c->progress(r->c->progress_ctx, got, r->total);
}

/* A model from the tracking server: the proxied store, or (run set) a
 * run's artifacts that only the server can read. */
static md_status server_model(struct fetch *f, const char *run, const char *path, char **out,
                              bool *cached, struct md_err *err)
{
    char *file = NULL, name[64], final[1400], dl[1500], what[1400], sz[32];
    unsigned long long size = 0, got = 0;
    struct store w = {run};
    md_status st = open_mlflow(f, err);
    if (st == MD_OK)
        st = models_dir(f, err);
    if (st == MD_OK)
        st = resolve_store(f, &w, path, &file, &size, err);
    if (st != MD_OK)
        return st;
    store_name(&w, file, what, sizeof what);
    artifact_key(f, what, size, name, sizeof name);
    snprintf(final, sizeof final, "%s/%s.onnx", f->dir, name);
    if (file_exists(final)) {
        *cached = true;
        note(f->c, "using the cached copy of %s", what);
    } else {
        note(f->c, "downloading %s (%s)", what, size ? human(size, sz, sizeof sz) : "size unknown");
        snprintf(dl, sizeof dl, "%s/%s.download%ld", f->dir, name, (long)getpid());
        struct md_mlflow_download_opts o = {0};
        struct progress_relay relay = {f->c, size};
        o.max_bytes = size;
        if (f->c->progress) {
            o.progress = relay_progress;
            o.progress_ctx = &relay;
        }
        st = run ? md_mlflow_download_run_artifact(f->ml, run, file, dl, &o, &got, err)
                 : md_mlflow_download_proxied_artifact(f->ml, file, dl, &o, &got, err);
        if (st == MD_OK && size && got != size) {
            st = md_err_set(err, MD_ERR_PARSE, "%s: the download stopped at %llu of %llu bytes",
                            what, got, size);
            unlink(dl);
        }
        if (st == MD_OK)
            st = finish_download(what, dl, final, err);
    }
    free(file);
    if (st == MD_OK && !(*out = strdup(final)))
        st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
    return st;
}

/* ---- dispatch -------------------------------------------------------------- */

static md_status fetch_any(struct fetch *f, const char *src, int depth, char **path, bool *cached,
                           struct md_err *err);

/* root + "/" + sub, malloc'd. */
static char *join(const char *root, const char *sub)
{
    size_t rl = strlen(root);
    while (rl && root[rl - 1] == '/')
        rl--;
    size_t len = rl + strlen(sub) + 2;
    char *out = malloc(len);
    if (out)
        snprintf(out, len, "%.*s%s%s", (int)rl, root, sub[0] ? "/" : "", sub);
    return out;
}

/* A run's artifact root that is a path on the tracking server's machine
 * (file:/ or no scheme, absent here) when the tracking URI is a server. */
static bool server_side_path(const struct fetch *f, const char *root)
{
    if (md_mlflow_backend(f->ml) == MD_MLFLOW_FILE || (has_scheme(root) && !starts(root, "file:")))
        return false;
    const char *p = root;
    if (starts(p, "file://"))
        p += 7;
    else if (starts(p, "file:"))
        p += 5;
    struct stat st;
    return stat(p, &st) != 0;
}

static md_status fetch_parsed(struct fetch *f, const char *src, const struct md_model_src *s,
                              int depth, char **path, bool *cached, struct md_err *err)
{
    char *next = NULL;
    md_status st;
    switch (s->kind) {
    case MD_MODEL_SRC_LOCAL:
        return local_model(s->a, path, cached, err);
    case MD_MODEL_SRC_S3:
        return s3_model(f, s->a, s->b, path, cached, err);
    case MD_MODEL_SRC_MLFLOW_ARTIFACTS:
        return server_model(f, NULL, s->a, path, cached, err);
    case MD_MODEL_SRC_TRAINING_JOB:
        st = training_job(f, s->a, &next, err);
        break;
    case MD_MODEL_SRC_RUNS: {
        char *root = NULL;
        st = open_mlflow(f, err);
        if (st == MD_OK)
            st = md_mlflow_run_artifact_root(f->ml, s->a, &root, err);
        if (st == MD_OK && server_side_path(f, root)) {
            /* A server whose artifact root is one of its own folders: only
             * it can read them. */
            note(f->c, "%s: the run's artifacts (%s) are read through the tracking server", src,
                 root);
            free(root);
            return server_model(f, s->a, s->b, path, cached, err);
        }
        if (st == MD_OK && !(next = join(root, s->b)))
            st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
        free(root);
        break;
    }
    case MD_MODEL_SRC_MODELS:
    default: {
        /* The version first: one whose registration failed or is still
         * pending has no files to fetch, and says so. */
        cJSON *mv = NULL;
        st = open_mlflow(f, err);
        if (st == MD_OK)
            st = s->alias ? md_mlflow_get_model_version_by_alias(f->ml, s->a, s->b, &mv, err)
                          : md_mlflow_get_model_version(f->ml, s->a, s->b, &mv, err);
        const char *status = md_json_str(mv, "$.status", "READY");
        if (st == MD_OK && strcmp(status, "READY") != 0)
            st = md_err_set(err, MD_ERR_INVALID, "version %s is %s, not READY%s%s",
                            md_json_str(mv, "$.version", "?"), status,
                            md_json_str(mv, "$.status_message", NULL) ? ": " : "",
                            md_json_str(mv, "$.status_message", ""));
        if (st == MD_OK)
            st = md_mlflow_get_download_uri(f->ml, s->a, md_json_str(mv, "$.version", s->b),
                                            &next, err);
        cJSON_Delete(mv);
        break;
    }
    }
    if (st != MD_OK) {
        md_err_wrap(err, "%s", src);
        return st;
    }
    note(f->c, "%s is %s", src, next);
    st = fetch_any(f, next, depth + 1, path, cached, err);
    free(next);
    return st;
}

static md_status fetch_any(struct fetch *f, const char *src, int depth, char **path, bool *cached,
                           struct md_err *err)
{
    if (depth > MAX_DEPTH)
        return md_err_set(err, MD_ERR_INVALID, "%s: the model location refers back to itself",
                          src);
    struct md_model_src s;
    md_status st = md_model_src_parse(src, &s, err);
    if (st == MD_OK)
        st = fetch_parsed(f, src, &s, depth, path, cached, err);
    md_model_src_free(&s);
    return st;
}

md_status md_fetch_model(const struct md_fetch_ctx *c, const char *src, char **path, bool *cached,
                         struct md_err *err)
{
    *path = NULL;
    *cached = false;
    struct fetch f;
    memset(&f, 0, sizeof f);
    f.c = c;
    md_status st = fetch_any(&f, src, 0, path, cached, err);
    md_mlflow_close(f.ml);
    return st;
}

/* ---- images ---------------------------------------------------------------- */

/* The label key of an image key in the YOLO layout, or NULL. */
static char *label_key_for(const char *key)
{
    const char *seg = NULL;
    for (const char *s = key; (s = strstr(s, "images/")) != NULL; s++)
        if (s == key || s[-1] == '/')
            seg = s;
    const char *dot = strrchr(key, '.');
    if (!seg || !dot || dot < seg)
        return NULL;
    size_t len = strlen(key) + 16;
    char *out = malloc(len);
    if (out)
        snprintf(out, len, "%.*slabels%.*s.txt", (int)(seg - key), key, (int)(dot - seg - 6),
                 seg + 6);
    return out;
}

md_status md_fetch_image(const struct md_fetch_ctx *c, const char *uri, char **path, bool *cached,
                         struct md_err *err)
{
    *path = NULL;
    *cached = false;
    char bucket[256], dir[1200], etag[128], local[1400], lpath[1400];
    char *key = NULL;
    struct s3_conn s;
    md_status st = md_s3_uri_split(uri, bucket, sizeof bucket, &key, err);
    if (st == MD_OK)
        st = connect_aws(c, "s3", &s, err);
    if (st == MD_OK)
        st = cache_dir(c, "images", dir, sizeof dir, err);
    if (st == MD_OK)
        st = head_etag(&s, bucket, key, etag, sizeof etag, NULL, err);
    if (st != MD_OK) {
        free(key);
        return st;
    }
    const char *dot = strrchr(key, '.');
    const char *ext = dot && !strchr(dot, '/') && strlen(dot) < 8 ? dot : "";
    snprintf(local, sizeof local, "%s/%s%s", dir, etag, ext);
    if (file_exists(local))
        *cached = true;
    else
        st = get_to(&s, bucket, key, local, err);
    if (st == MD_OK) {
        /* Labels are optional: a missing one is not an error. */
        char *lk = label_key_for(key);
        snprintf(lpath, sizeof lpath, "%s/%s.txt", dir, etag);
        if (lk && !file_exists(lpath)) {
            struct md_err lerr;
            md_err_clear(&lerr);
            get_to(&s, bucket, lk, lpath, &lerr);
        }
        free(lk);
        if (!(*path = strdup(local)))
            st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    free(key);
    return st;
}
