/* mldeck infer MODEL IMAGE... : run a YOLO detection model on images.
 * MODEL is any form src/app/model_fetch.h takes (a path, s3://, runs:/,
 * models:/, mlflow-artifacts:/, training-job:); remote models are
 * downloaded (and cached) first, with a line on stderr. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "app/model_fetch.h"
#include "cli/cli.h"
#include "net/awsenv.h"
#include "net/http.h"
#include "data/image.h"
#include "yolo/yolo.h"

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

static int parse_float(const char *s, float lo, float hi, float *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= lo && v <= hi))
        return -1;
    *out = (float)v;
    return 0;
}

static int parse_int(const char *s, long lo, long hi, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

static const uint8_t palette[][3] = {
    {255, 56, 56}, {72, 249, 10}, {0, 194, 255}, {255, 157, 151}, {255, 178, 29}, {207, 210, 49},
    {146, 204, 23}, {61, 219, 134}, {26, 147, 52}, {0, 212, 187}, {44, 153, 168}, {52, 69, 147},
    {100, 115, 255}, {0, 24, 236}, {132, 56, 255}, {82, 0, 133}, {203, 56, 255}, {255, 149, 200},
};

static md_status write_annotated(const char *path, const struct md_image *src,
                                 const struct md_yolo_model *m, const struct md_yolo_result *r,
                                 struct md_err *err)
{
    struct md_image img = {src->w, src->h, malloc((size_t)src->w * src->h * 3)};
    if (!img.rgb)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    memcpy(img.rgb, src->rgb, (size_t)src->w * src->h * 3);
    int side = img.w > img.h ? img.w : img.h;
    int thick = side >= 1200 ? 3 : side >= 500 ? 2 : 1, scale = side >= 1200 ? 2 : 1;
    static const uint8_t white[3] = {255, 255, 255};
    for (int i = r->n - 1; i >= 0; i--) {
        const struct md_yolo_det *d = &r->dets[i];
        const uint8_t *col = palette[d->cls % (int)(sizeof palette / sizeof *palette)];
        int x1 = (int)d->x1, y1 = (int)d->y1, x2 = (int)d->x2, y2 = (int)d->y2;
        md_image_draw_rect(&img, x1, y1, x2, y2, thick, col);
        char label[128];
        snprintf(label, sizeof label, "%s %.2f", md_yolo_class_name(m, d->cls), d->conf);
        int tw = md_image_text_width(label, scale), th = 9 * scale;
        int ty = y1 - th >= 0 ? y1 - th : y1;
        md_image_fill_rect(&img, x1, ty, x1 + tw + scale, ty + th - 1, col);
        md_image_draw_text(&img, x1 + scale, ty + scale, label, scale, white);
    }
    md_status st = md_image_write_png(path, &img, err);
    md_image_free(&img);
    return st;
}

static int is_dir(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static void usage(struct md_cli *cli)
{
    fprintf(cli->err,
            "usage: mldeck infer MODEL IMAGE... [--conf C] [--iou I] [--max-det K] [--threads N]\n"
            "                    [--json] [--out FILE.png|DIR] [--raw-output FILE]\n"
            "MODEL is one of:\n"
            "  PATH                    a .onnx, a SageMaker model.tar.gz, or a folder\n"
            "  s3://BUCKET/KEY         an object or a folder (AWS profile/region)\n"
            "  training-job:NAME       a SageMaker training job's model artifact\n"
            "  runs:/RUN_ID[/PATH]     an MLflow run's artifact (file or folder)\n"
            "  models:/NAME/VERSION    an MLflow registry version (also models:/NAME@ALIAS)\n"
            "  mlflow-artifacts:/PATH  MLflow's proxied artifact store\n"
            "In a folder: best.onnx (also under weights/), else the only .onnx, else\n"
            "model.tar.gz.  MLflow forms use --mlflow URI / MLFLOW_TRACKING_URI.  Downloads\n"
            "are cached in $XDG_CACHE_HOME/mldeck/models; progress goes to stderr.\n");
}

static void note_stderr(void *ctx, const char *line)
{
    struct md_cli *cli = ctx;
    fprintf(cli->err, "mldeck: %s\n", line);
    fflush(cli->err);
}

/* The AWS environment, opened the first time S3 or SageMaker is needed
 * (s3://, training-job:, an MLflow run whose artifacts are in S3): an
 * MLflow-only user never waits for the region lookup. */
struct lazy_aws {
    struct md_cli *cli;
    struct md_aws_env *env;
    bool tried;
};

static const struct md_aws_env *open_aws(void *ctx)
{
    struct lazy_aws *l = ctx;
    if (!l->tried) {
        struct md_err aerr;
        md_err_clear(&aerr);
        l->tried = true;
        if (md_aws_env_open(l->cli->settings, NULL, &l->env, &aerr) != MD_OK)
            l->env = NULL;
    }
    return l->env;
}

/* The local file of MODEL (downloaded when remote).  *path malloc'd. */
static md_status model_file(struct md_cli *cli, const char *model, char **path,
                            struct md_err *err)
{
    struct lazy_aws aws = {cli, NULL, false};
    struct md_fetch_ctx c = {0};
    md_http_global_init();
    c.lazy_env = open_aws;
    c.lazy_env_ctx = &aws;
    c.settings = cli->settings;
    c.mfa_prompt = md_cli_mfa_prompt;
    c.note = note_stderr;
    c.note_ctx = cli;
    bool cached;
    md_status st = md_fetch_model(&c, model, path, &cached, err);
    md_aws_env_free(aws.env);
    return st;
}

int md_cmd_infer(struct md_cli *cli, int argc, char **argv)
{
    struct md_yolo_opts o = MD_YOLO_OPTS_DEFAULT;
    int threads = 0, json = 0;
    const char *out = NULL, *raw_out = NULL, *model_path = NULL;
    const char **images = calloc((size_t)argc + 1, sizeof *images);
    int n_images = 0;
    if (!images)
        return MD_EXIT_ERROR;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int bad = 0;
        if (!strcmp(a, "--json")) {
            json = 1;
            continue;
        }
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(cli);
            free(images);
            return MD_EXIT_OK;
        }
        if (!strcmp(a, "--conf") || !strcmp(a, "--iou") || !strcmp(a, "--max-det") ||
            !strcmp(a, "--threads") || !strcmp(a, "--out") || !strcmp(a, "--raw-output")) {
            if (!v) {
                fprintf(cli->err, "mldeck infer: %s needs a value\n", a);
                free(images);
                return MD_EXIT_USAGE;
            }
            i++;
            if (!strcmp(a, "--conf"))
                bad = parse_float(v, 0, 1, &o.conf);
            else if (!strcmp(a, "--iou"))
                bad = parse_float(v, 0, 1, &o.iou);
            else if (!strcmp(a, "--max-det"))
                bad = parse_int(v, 1, 100000, &o.max_det);
            else if (!strcmp(a, "--threads"))
                bad = parse_int(v, 1, 256, &threads);
            else if (!strcmp(a, "--out"))
                out = v;
            else
                raw_out = v;
            if (bad) {
                fprintf(cli->err, "mldeck infer: invalid value '%s' for %s\n", v, a);
                free(images);
                return MD_EXIT_USAGE;
            }
            continue;
        }
        if (a[0] == '-' && a[1]) {
            fprintf(cli->err, "mldeck infer: unknown option '%s'\n", a);
            usage(cli);
            free(images);
            return MD_EXIT_USAGE;
        }
        if (!model_path)
            model_path = a;
        else
            images[n_images++] = a;
    }
    if (!model_path || !n_images) {
        usage(cli);
        free(images);
        return MD_EXIT_USAGE;
    }
    int out_dir = out && is_dir(out);
    if (out && n_images > 1 && !out_dir) {
        fprintf(cli->err, "mldeck infer: --out must be a directory when there are several images\n");
        free(images);
        return MD_EXIT_USAGE;
    }

    struct md_err err = {0};
    struct md_yolo_model *m;
    char *local = NULL;
    md_status st = model_file(cli, model_path, &local, &err);
    if (st == MD_OK)
        st = md_yolo_model_load(local, threads, &m, &err);
    free(local);
    if (st) {
        free(images);
        return md_cli_fail(cli, &err);
    }
    const struct md_yolo_info *info = md_yolo_model_info(m);
    FILE *raw_fp = NULL;
    if (raw_out && !(raw_fp = fopen(raw_out, "wb"))) {
        md_err_set(&err, MD_ERR_IO, "%s: %s", raw_out, strerror(errno));
        md_yolo_model_free(m);
        free(images);
        return md_cli_fail(cli, &err);
    }
    int rc = MD_EXIT_OK;
    for (int i = 0; i < n_images; i++) {
        struct md_image img;
        struct md_yolo_result r;
        md_err_clear(&err);
        if ((st = md_image_load(images[i], &img, &err))) {
            rc = md_cli_fail(cli, &err);
            continue;
        }
        if ((st = md_yolo_detect(m, &img, &o, &r, &err))) {
            rc = md_cli_fail(cli, &err);
            md_image_free(&img);
            continue;
        }
        if (raw_fp) {
            size_t n = (size_t)(4 + info->n_classes) * (size_t)info->n_anchors;
            if (fwrite(md_yolo_output(m), sizeof(float), n, raw_fp) != n) {
                md_err_set(&err, MD_ERR_IO, "%s: write failed", raw_out);
                rc = md_cli_fail(cli, &err);
            }
        }
        if (json) {
            fprintf(cli->out, "{\"image\": ");
            json_str(cli->out, images[i]);
            fprintf(cli->out, ", \"width\": %d, \"height\": %d, \"detections\": [", img.w, img.h);
            for (int k = 0; k < r.n; k++) {
                const struct md_yolo_det *d = &r.dets[k];
                fprintf(cli->out, "%s{\"class_id\": %d, \"class_name\": ", k ? ", " : "", d->cls);
                json_str(cli->out, md_yolo_class_name(m, d->cls));
                fprintf(cli->out, ", \"confidence\": %.6g, \"box\": [%.3f, %.3f, %.3f, %.3f]}", d->conf,
                        d->x1, d->y1, d->x2, d->y2);
            }
            fprintf(cli->out,
                    "], \"timing_ms\": {\"preprocess\": %.3f, \"inference\": %.3f, \"postprocess\": %.3f}}\n",
                    r.preprocess_ms, r.inference_ms, r.postprocess_ms);
        } else {
            for (int k = 0; k < r.n; k++) {
                const struct md_yolo_det *d = &r.dets[k];
                if (n_images > 1)
                    fprintf(cli->out, "%s ", images[i]);
                fprintf(cli->out, "%s %.4f %.1f %.1f %.1f %.1f\n", md_yolo_class_name(m, d->cls), d->conf,
                        d->x1, d->y1, d->x2, d->y2);
            }
        }
        if (out) {
            char path[4096];
            if (out_dir) {
                const char *base = strrchr(images[i], '/');
                base = base ? base + 1 : images[i];
                const char *dot = strrchr(base, '.');
                int bl = dot ? (int)(dot - base) : (int)strlen(base);
                snprintf(path, sizeof path, "%s/%.*s.png", out, bl, base);
            } else {
                snprintf(path, sizeof path, "%s", out);
            }
            if ((st = write_annotated(path, &img, m, &r, &err)))
                rc = md_cli_fail(cli, &err);
        }
        fflush(cli->out);
        md_yolo_result_free(&r);
        md_image_free(&img);
    }
    if (raw_fp && fclose(raw_fp)) {
        md_err_set(&err, MD_ERR_IO, "%s: %s", raw_out, strerror(errno));
        rc = md_cli_fail(cli, &err);
    }
    md_yolo_model_free(m);
    free(images);
    return rc;
}
