/* Models and images from S3 for the inference pane, run on a sync worker:
 * HEAD for the ETag, then GET into $XDG_CACHE_HOME/mldeck/{models,images}
 * named by the ETag, so a second use of the same object is free.  A
 * SageMaker model.tar.gz is unpacked once (src/yolo/archive.h) and its
 * .onnx kept as "<etag>.onnx".  For an image, the YOLO label file beside
 * it (images/ -> labels/, .txt) is fetched too when it exists. */
#ifndef MD_UI_INFER_FETCH_H
#define MD_UI_INFER_FETCH_H

#include <stdbool.h>
#include <stddef.h>

#include "net/awsenv.h"
#include "util/err.h"
#include "util/settings.h"

/* "s3://bucket/key" -> bucket and key (malloc'd *key).  MD_ERR_INVALID
 * when it is not such a URI. */
md_status md_s3_uri_split(const char *uri, char *bucket, size_t bn, char **key, struct md_err *err);

/* A file name for an ETag: its hex digits and dashes only ("" when none). */
void md_etag_file_name(const char *etag, char *out, size_t n);

struct md_fetch_ctx {
    const struct md_aws_env *env;     /* NULL: AWS not configured (an error) */
    const struct md_settings *settings;
    void *curl;                       /* the worker's handle */
    bool (*cancelled)(void *);
    void *cancel_ctx;
    const char *cache_dir;            /* NULL = $XDG_CACHE_HOME/mldeck */
};

/* The local .onnx for an S3 model: a .onnx or model.tar.gz key, or a
 * folder (a registry version's source) holding best.onnx, a single .onnx
 * or model.tar.gz.  *path malloc'd; *cached true when no download was
 * needed. */
md_status md_fetch_model(const struct md_fetch_ctx *c, const char *uri, char **path, bool *cached,
                         struct md_err *err);
/* The local copy of an S3 image (and of its label file when there is one). */
md_status md_fetch_image(const struct md_fetch_ctx *c, const char *uri, char **path, bool *cached,
                         struct md_err *err);

#endif
