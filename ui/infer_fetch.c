#include "ui/infer_fetch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aws/client.h"
#include "aws/s3.h"
#include "util/xdg.h"
#include "yolo/archive.h"

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

static bool file_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
}

/* Writes bytes to path through a temporary name, so a half-written file
 * never looks cached. */
static md_status write_atomic(const char *path, const void *data, size_t len, struct md_err *err)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.part%ld", path, (long)getpid());
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
    FILE *f = fopen(from, "rb");
    if (!f)
        return md_err_set(err, MD_ERR_IO, "%s: %s", from, strerror(errno));
    char *buf = NULL;
    size_t len = 0, cap = 0;
    char chunk[65536];
    size_t r;
    while ((r = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (len + r > cap) {
            size_t nc = cap ? cap * 2 : 1u << 20;
            while (nc < len + r)
                nc *= 2;
            char *nb = realloc(buf, nc);
            if (!nb) {
                free(buf);
                fclose(f);
                return md_err_set(err, MD_ERR_NOMEM, "out of memory");
            }
            buf = nb;
            cap = nc;
        }
        memcpy(buf + len, chunk, r);
        len += r;
    }
    fclose(f);
    md_status st = write_atomic(to, buf ? buf : "", len, err);
    free(buf);
    return st;
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

struct s3_conn {
    struct md_aws_client cl;
    struct md_endpoint ep;
    struct md_http_opts http;
};

static md_status connect_s3(const struct md_fetch_ctx *c, struct s3_conn *s, struct md_err *err)
{
    if (!c->env)
        return md_err_set(err, MD_ERR_AUTH,
                          "S3 downloads need an AWS account (no profile/region is configured)");
    return md_aws_client_init(&s->cl, c->env, c->settings, "s3", c->curl, c->cancelled,
                              c->cancel_ctx, &s->ep, &s->http, err);
}

/* HEAD the object: its ETag as a file name. */
static md_status head_etag(struct s3_conn *s, const char *bucket, const char *key, char *name,
                           size_t n, struct md_err *err)
{
    struct md_http_response resp;
    memset(&resp, 0, sizeof resp);
    md_status st = md_s3_head_object(&s->cl, bucket, key, &resp, err);
    if (st == MD_OK) {
        md_etag_file_name(md_headers_get(&resp.headers, "ETag"), name, n);
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
    if (st == MD_OK)
        st = write_atomic(path, resp.body.data ? resp.body.data : "", resp.body.len, err);
    else
        md_err_wrap(err, "s3://%s/%s", bucket, key);
    md_http_response_free(&resp);
    return st;
}

static bool ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && !strcmp(s + a - b, suf);
}

/* A folder (a registry version's source, a run's artifacts): the model in
 * it — best.onnx, else the only .onnx, else model.tar.gz.  *key is
 * replaced by the object's key. */
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
    const char *best = NULL, *onnx = NULL, *targz = NULL;
    int n_onnx = 0;
    for (size_t i = 0; st == MD_OK && i < l.n; i++) {
        const char *k = l.objects[i].key;
        if (ends_with(k, "/best.onnx") && !best)
            best = k;
        if (ends_with(k, ".onnx")) {
            onnx = k;
            n_onnx++;
        }
        if (ends_with(k, "/model.tar.gz") && !targz)
            targz = k;
    }
    const char *pick = best ? best : n_onnx == 1 ? onnx : targz;
    if (st == MD_OK && !pick)
        st = md_err_set(err, MD_ERR_NOTFOUND,
                        "s3://%s/%s: no best.onnx, single .onnx or model.tar.gz in this folder",
                        bucket, prefix);
    if (st == MD_OK) {
        char *k = strdup(pick);
        if (!k) {
            st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
        } else {
            free(*key);
            *key = k;
        }
    }
    md_s3_list_free(&l);
    free(prefix);
    return st;
}

md_status md_fetch_model(const struct md_fetch_ctx *c, const char *uri, char **path, bool *cached,
                         struct md_err *err)
{
    *path = NULL;
    *cached = false;
    char bucket[256], dir[1200], etag[128], onnx[1400], dl[1400];
    char *key = NULL;
    struct s3_conn s;
    md_status st = md_s3_uri_split(uri, bucket, sizeof bucket, &key, err);
    if (st == MD_OK)
        st = connect_s3(c, &s, err);
    if (st == MD_OK)
        st = cache_dir(c, "models", dir, sizeof dir, err);
    if (st == MD_OK && !ends_with(key, ".onnx") && !ends_with(key, ".gz"))
        st = pick_in_folder(&s, bucket, &key, err);
    if (st == MD_OK)
        st = head_etag(&s, bucket, key, etag, sizeof etag, err);
    if (st != MD_OK) {
        free(key);
        return st;
    }
    snprintf(onnx, sizeof onnx, "%s/%s.onnx", dir, etag);
    if (file_exists(onnx)) {
        *cached = true;
    } else {
        snprintf(dl, sizeof dl, "%s/%s.download", dir, etag);
        st = get_to(&s, bucket, key, dl, err);
        if (st == MD_OK && md_yolo_is_gzip(dl) == 1) {
            char *inner = NULL, *tmpdir = NULL;
            st = md_yolo_extract_onnx(dl, &inner, &tmpdir, err);
            if (st == MD_OK)
                st = copy_file(inner, onnx, err);
            if (tmpdir)
                md_yolo_remove_tree(tmpdir);
            free(inner);
            free(tmpdir);
            unlink(dl);
        } else if (st == MD_OK && rename(dl, onnx) != 0) {
            st = md_err_set(err, MD_ERR_IO, "%s: %s", onnx, strerror(errno));
            unlink(dl);
        }
    }
    free(key);
    if (st == MD_OK && !(*path = strdup(onnx)))
        st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
    return st;
}

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
        st = connect_s3(c, &s, err);
    if (st == MD_OK)
        st = cache_dir(c, "images", dir, sizeof dir, err);
    if (st == MD_OK)
        st = head_etag(&s, bucket, key, etag, sizeof etag, err);
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
