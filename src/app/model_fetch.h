/* Where a detection model comes from, and its local file: shared by
 * `mldeck infer MODEL ...` and the inference pane (which calls it on a sync
 * worker).  A MODEL is one of
 *
 *   PATH, file:PATH                 a local .onnx / model.tar.gz, or a folder
 *   s3://BUCKET/KEY                 an object (.onnx, .gz) or a folder
 *   training-job:NAME               DescribeTrainingJob's ModelArtifacts.S3ModelArtifacts
 *   runs:/RUN_ID[/PATH]             a run's artifact (file or folder; no PATH = its root)
 *   models:/NAME/VERSION            a registry version (get-download-uri)
 *   models:/NAME@ALIAS              the version an alias points to
 *   mlflow-artifacts:/PATH          MLflow's proxied artifact store (a server
 *                                   run with --artifacts-destination)
 *
 * runs:/ and models:/ resolve through the MLflow tracking server of the
 * settings (or ctx->mlflow_uri) to one of: mlflow-artifacts:/ (downloaded
 * through the tracking server, streamed to disk), s3:// (through S3 with
 * the AWS environment, in 8 MiB ranges), a local path, or a path on the
 * server's own disk (then through its /get-artifact endpoint).  A models:/
 * version must be READY.
 *
 * In a folder the model is best.onnx (also under weights/), else the only
 * .onnx, else model.tar.gz; a folder with only PyTorch weights (best.pt)
 * is refused with the export command to run.
 *
 * Downloads land in $XDG_CACHE_HOME/mldeck/models (or ctx->cache_dir/models):
 * S3 objects as <etag>.onnx (a HEAD decides whether the copy is current),
 * MLflow artifacts as mlflow-<hash>.onnx, the hash over the tracking
 * server, the artifact's location and its size (run artifacts do not
 * change).  A model.tar.gz is stored unpacked.  A download is written under
 * a temporary name, checked (size as listed, ONNX that parses) and only
 * then renamed, so a half-downloaded or garbage file never looks cached. */
#ifndef MD_APP_MODEL_FETCH_H
#define MD_APP_MODEL_FETCH_H

#include <stdbool.h>
#include <stddef.h>

#include "net/awsenv.h"
#include "util/err.h"
#include "util/settings.h"

enum md_model_src_kind {
    MD_MODEL_SRC_LOCAL,             /* a = path */
    MD_MODEL_SRC_S3,                /* a = bucket, b = key */
    MD_MODEL_SRC_TRAINING_JOB,      /* a = job name */
    MD_MODEL_SRC_RUNS,              /* a = run id, b = path in the run ("" = root) */
    MD_MODEL_SRC_MODELS,            /* a = model name, b = version or alias */
    MD_MODEL_SRC_MLFLOW_ARTIFACTS,  /* a = path in the artifact store */
};

struct md_model_src {
    enum md_model_src_kind kind;
    char *a, *b;                    /* malloc'd; b "" when unused */
    bool alias;                     /* models:/NAME@ALIAS */
};

/* Parses a MODEL string.  MD_ERR_INVALID with a message saying what form
 * was expected ("runs:/ needs a run id: runs:/RUN_ID/PATH", ...).  Free
 * with md_model_src_free (also after an error). */
md_status md_model_src_parse(const char *s, struct md_model_src *out, struct md_err *err);
void md_model_src_free(struct md_model_src *s);
/* True for every form but a local path (something may be downloaded). */
bool md_model_src_is_remote(const char *s);
/* True for the forms that need an MLflow tracking URI (runs:/, models:/,
 * mlflow-artifacts:/). */
bool md_model_src_needs_mlflow(const char *s);

/* The folder rule over a folder's file paths (relative or full): the index
 * of the model file, or -1 (then *only_pt says whether PyTorch .pt weights
 * were there, *n_onnx how many .onnx without a best.onnx). */
int md_model_pick(const char *const *paths, size_t n, bool *only_pt, int *n_onnx);

/* "s3://bucket/key" -> bucket and key (malloc'd *key).  MD_ERR_INVALID
 * when it is not such a URI. */
md_status md_s3_uri_split(const char *uri, char *bucket, size_t bn, char **key, struct md_err *err);

/* A file name for an ETag: its hex digits and dashes only ("" when none). */
void md_etag_file_name(const char *etag, char *out, size_t n);

struct md_fetch_ctx {
    const struct md_aws_env *env;     /* NULL: AWS not configured (S3 is an error) */
    /* Or, when env is NULL: called the first time S3 or SageMaker is really
     * needed (the CLI opens the AWS environment only then); NULL = none. */
    const struct md_aws_env *(*lazy_env)(void *ctx);
    void *lazy_env_ctx;
    const struct md_settings *settings;
    void *curl;                       /* the worker's handle (NULL = a temporary one) */
    bool (*cancelled)(void *);
    void *cancel_ctx;
    const char *cache_dir;            /* NULL = $XDG_CACHE_HOME/mldeck */
    const char *mlflow_uri;           /* NULL = settings->mlflow_uri */
    /* Who asks for an MFA code when a SageMaker tracking server's profile
     * needs one (NULL = such a profile fails with a clear error). */
    md_mfa_prompt_fn mfa_prompt;
    void *mfa_ctx;
    /* One line per step worth telling ("downloading X (12.3 MB)", "using
     * the cached copy of X"); NULL = silent. */
    void (*note)(void *ctx, const char *line);
    void *note_ctx;
    /* Bytes of the current download so far, and its size (0 = unknown);
     * called from the fetching thread as data arrives.  NULL = none. */
    void (*progress)(void *ctx, unsigned long long got, unsigned long long total);
    void *progress_ctx;
};

/* The local file of a model (any MODEL form above).  *path malloc'd: a
 * .onnx, or for a local folder/archive the file md_yolo_model_load takes;
 * *cached true when nothing was downloaded. */
md_status md_fetch_model(const struct md_fetch_ctx *c, const char *src, char **path, bool *cached,
                         struct md_err *err);
/* The local copy of an S3 image (and of its label file when there is one). */
md_status md_fetch_image(const struct md_fetch_ctx *c, const char *uri, char **path, bool *cached,
                         struct md_err *err);

#endif
