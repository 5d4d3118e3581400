/* Model locations (src/app/model_fetch.h): parsing every MODEL form and
 * refusing malformed ones with a message that says what was expected, the
 * folder rule (best.onnx, weights/, the only .onnx, model.tar.gz, .pt
 * only), and local files and folders through md_fetch_model, including a
 * missing MLflow tracking URI.  The remote forms against a server are
 * tests/mlflow/test_model_sources.py. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../tap.h"
#include "app/model_fetch.h"

static void good(const char *s, enum md_model_src_kind kind, const char *a, const char *b,
                 bool alias)
{
    struct md_model_src o;
    struct md_err err;
    md_err_clear(&err);
    md_status st = md_model_src_parse(s, &o, &err);
    TAP_OK(st == MD_OK && o.kind == kind && o.a && !strcmp(o.a, a) && o.b && !strcmp(o.b, b) &&
               o.alias == alias,
           "%s -> kind %d '%s' '%s'%s (%s)", s, (int)kind, a, b, alias ? " alias" : "",
           st == MD_OK ? "ok" : err.msg);
    md_model_src_free(&o);
}

static void bad(const char *s, const char *why)
{
    struct md_model_src o;
    struct md_err err;
    md_err_clear(&err);
    md_status st = md_model_src_parse(s, &o, &err);
    TAP_OK(st == MD_ERR_INVALID && strstr(err.msg, why) != NULL, "'%s' refused: %s", s, err.msg);
    md_model_src_free(&o);
}

static void test_parse(void)
{
    const char *run = "ae9d632f5d87465bacb36832a1a8582f";
    char buf[200];
    good("data/models/x.onnx", MD_MODEL_SRC_LOCAL, "data/models/x.onnx", "", false);
    good("/abs/model.tar.gz", MD_MODEL_SRC_LOCAL, "/abs/model.tar.gz", "", false);
    good("file:///abs/best.onnx", MD_MODEL_SRC_LOCAL, "/abs/best.onnx", "", false);
    good("file://localhost/abs/best.onnx", MD_MODEL_SRC_LOCAL, "/abs/best.onnx", "", false);
    good("file:rel/best.onnx", MD_MODEL_SRC_LOCAL, "rel/best.onnx", "", false);
    good("weird:name.onnx", MD_MODEL_SRC_LOCAL, "weird:name.onnx", "", false);
    good("s3://drone-ml/jobs/j1/output/model.tar.gz", MD_MODEL_SRC_S3, "drone-ml",
         "jobs/j1/output/model.tar.gz", false);
    good("training-job:yolo11-aerial4-0042", MD_MODEL_SRC_TRAINING_JOB, "yolo11-aerial4-0042", "",
         false);
    snprintf(buf, sizeof buf, "runs:/%s/weights", run);
    good(buf, MD_MODEL_SRC_RUNS, run, "weights", false);
    snprintf(buf, sizeof buf, "runs:/%s/weights/best.onnx/", run);
    good(buf, MD_MODEL_SRC_RUNS, run, "weights/best.onnx", false);
    snprintf(buf, sizeof buf, "runs:/%s", run);
    good(buf, MD_MODEL_SRC_RUNS, run, "", false);
    snprintf(buf, sizeof buf, "runs:/%s/", run);
    good(buf, MD_MODEL_SRC_RUNS, run, "", false);
    good("models:/drone-yolo11/1", MD_MODEL_SRC_MODELS, "drone-yolo11", "1", false);
    good("models:/drone yolo11/12", MD_MODEL_SRC_MODELS, "drone yolo11", "12", false);
    good("models:/drone-yolo11@champion", MD_MODEL_SRC_MODELS, "drone-yolo11", "champion", true);
    good("models:/a@b@c", MD_MODEL_SRC_MODELS, "a@b", "c", true);
    good("mlflow-artifacts:/1/abc/artifacts/weights", MD_MODEL_SRC_MLFLOW_ARTIFACTS,
         "1/abc/artifacts/weights", "", false);
    good("mlflow-artifacts:///1/abc/artifacts", MD_MODEL_SRC_MLFLOW_ARTIFACTS, "1/abc/artifacts",
         "", false);
    good("mlflow-artifacts://mlflow.internal:5000/1/abc/artifacts", MD_MODEL_SRC_MLFLOW_ARTIFACTS,
         "1/abc/artifacts", "", false);

    bad("", "no model");
    bad("runs:/", "needs a run id");
    bad("runs:", "runs:/RUN_ID");
    bad("runs://abc/x", "runs:/RUN_ID");
    bad("runs:/ab cd/x", "is not a run id");
    bad("runs:/abc/../../etc/passwd", "'..'");
    bad("runs:/abc/weights//best.onnx", "empty path segment");
    bad("runs:/abc/we\x01ights", "control character");
    bad("runs:/0123456789012345678901234567890123456789012345678901234567890123456789/x",
        "is not a run id");
    bad("models:/", "models:/NAME/VERSION");
    bad("models:", "models:/NAME/VERSION");
    bad("models:/drone-yolo11", "needs a version");
    bad("models:/drone-yolo11/", "needs a version");
    bad("models://drone-yolo11/1", "models:/NAME/VERSION");
    bad("models:/drone-yolo11/Production", "not a version number");
    bad("models:/drone-yolo11/latest", "not a version number");
    bad("models:/drone-yolo11/1/extra", "not a version number");
    bad("models:/drone-yolo11/-1", "not a version number");
    bad("models:/drone-yolo11/99999999999999999999", "not a version number");
    bad("models:/@champion", "NAME@ALIAS");
    bad("models:/drone@", "NAME@ALIAS");
    bad("models:/1", "needs a version");
    bad("mlflow-artifacts:", "mlflow-artifacts:/PATH");
    bad("mlflow-artifacts:/", "needs a path");
    bad("mlflow-artifacts://hostonly", "mlflow-artifacts:/PATH");
    bad("mlflow-artifacts:/1/../x", "'..'");
    bad("s3://bucket-only", "s3://BUCKET/KEY");
    bad("s3:///key", "s3://BUCKET/KEY");
    bad("training-job:", "training-job:NAME");
    bad("training-job:-dash", "training-job:NAME");
    bad("training-job:has_underscore", "training-job:NAME");
    bad("training-job:0123456789012345678901234567890123456789012345678901234567890123", "1-63");
    bad("file:", "needs a path");
    bad("file://otherhost/x.onnx", "only local");
    bad("gs://bucket/model.onnx", "unsupported model location");
    bad("https://example.com/model.onnx", "unsupported model location");

    TAP_OK(md_model_src_is_remote("runs:/a") && md_model_src_is_remote("s3://b/k") &&
               md_model_src_is_remote("models:/m/1") && md_model_src_is_remote("training-job:j") &&
               md_model_src_is_remote("mlflow-artifacts:/x"),
           "the remote forms are remote");
    TAP_OK(!md_model_src_is_remote("a/b.onnx") && !md_model_src_is_remote("file:///a.onnx") &&
               !md_model_src_is_remote("/x/y") && !md_model_src_is_remote(NULL) &&
               !md_model_src_is_remote("training-job-model.onnx"),
           "paths and file: are local");
    TAP_OK(md_model_src_needs_mlflow("runs:/a") && md_model_src_needs_mlflow("models:/m/1") &&
               md_model_src_needs_mlflow("mlflow-artifacts:/x") &&
               !md_model_src_needs_mlflow("s3://b/k") && !md_model_src_needs_mlflow("x.onnx"),
           "runs:/, models:/ and mlflow-artifacts:/ need MLflow");
}

static int pick(const char *const *p, size_t n, bool *pt, int *nonnx)
{
    return md_model_pick(p, n, pt, nonnx);
}

static void test_pick(void)
{
    bool pt;
    int n;
    const char *a[] = {"args.yaml", "weights/last.onnx", "weights/best.onnx", "results.csv"};
    TAP_EQ_INT(pick(a, 4, &pt, &n), 2, "best.onnx wins over last.onnx");
    const char *b[] = {"weights/best.onnx", "best.onnx"};
    TAP_EQ_INT(pick(b, 2, &pt, &n), 1, "the top-level best.onnx before weights/best.onnx");
    const char *c[] = {"model/args.yaml", "model/aerial.onnx"};
    TAP_EQ_INT(pick(c, 2, &pt, &n), 1, "the only .onnx");
    const char *d[] = {"a.onnx", "b.onnx", "model.tar.gz"};
    TAP_OK(pick(d, 3, &pt, &n) == -1 && n == 2 && !pt, "two .onnx, no best: none (n_onnx 2)");
    const char *e[] = {"output/model.tar.gz", "output/other.tar.gz"};
    TAP_EQ_INT(pick(e, 2, &pt, &n), 0, "model.tar.gz when there is no .onnx");
    const char *f[] = {"weights/best.pt", "weights/last.pt", "args.yaml"};
    TAP_OK(pick(f, 3, &pt, &n) == -1 && pt && n == 0, "only .pt: none, only_pt set");
    const char *g[] = {"weights/best.pt", "model.tar.gz"};
    TAP_OK(pick(g, 2, &pt, &n) == 1 && !pt, ".pt beside model.tar.gz: the archive");
    TAP_OK(pick(NULL, 0, &pt, &n) == -1 && !pt && n == 0, "an empty folder: none");
    const char *h[] = {"notbest.onnx.bak", "xbest.onnx", "best.onnx.txt"};
    TAP_OK(pick(h, 3, &pt, &n) == 1 && n == 1, "only exact names count (xbest.onnx is one .onnx)");
    TAP_OK(pick(h, 3, NULL, NULL) == 1, "the out-parameters may be NULL");
}

static void touch(const char *dir, const char *name, const char *text)
{
    char p[600];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static md_status fetch(const char *src, char **path, struct md_err *err)
{
    static struct md_settings s;   /* no MLflow URI, no AWS */
    struct md_fetch_ctx c = {0};
    c.settings = &s;
    bool cached = false;
    md_err_clear(err);
    return md_fetch_model(&c, src, path, &cached, err);
}

static void test_local(void)
{
    char dir[] = "/tmp/mldeck-model-src-XXXXXX";
    if (!mkdtemp(dir)) {
        TAP_OK(0, "mkdtemp");
        return;
    }
    char sub[600], p[700], *path = NULL;
    struct md_err err;
    snprintf(sub, sizeof sub, "%s/weights", dir);
    mkdir(sub, 0700);
    touch(sub, "best.pt", "pt");
    touch(sub, "last.pt", "pt");
    touch(dir, "args.yaml", "imgsz: 320\n");
    md_status st = fetch(dir, &path, &err);
    TAP_OK(st == MD_ERR_UNSUPPORTED && strstr(err.msg, "yolo export model=best.pt format=onnx") &&
               !path,
           "a folder with only .pt: export message (%s)", err.msg);
    snprintf(p, sizeof p, "%s/best.pt", sub);
    st = fetch(p, &path, &err);
    TAP_OK(st == MD_ERR_UNSUPPORTED && strstr(err.msg, "PyTorch"), "best.pt named: refused (%s)",
           err.msg);
    touch(sub, "best.onnx", "x");
    touch(sub, "last.onnx", "x");
    st = fetch(dir, &path, &err);
    snprintf(p, sizeof p, "%s/weights/best.onnx", dir);
    TAP_OK(st == MD_OK && path && !strcmp(path, p), "a folder: weights/best.onnx (%s)",
           path ? path : err.msg);
    free(path);
    path = NULL;
    char uri[800];
    snprintf(uri, sizeof uri, "file://%s", dir);
    st = fetch(uri, &path, &err);
    TAP_OK(st == MD_OK && path && !strcmp(path, p), "file:// of the folder: the same");
    free(path);
    path = NULL;
    snprintf(p, sizeof p, "%s/weights/best.onnx", dir);
    unlink(p);
    st = fetch(dir, &path, &err);
    TAP_OK(st == MD_OK && path && strstr(path, "weights/last.onnx"), "no best.onnx: the only .onnx");
    free(path);
    path = NULL;
    touch(dir, "other.onnx", "x");
    st = fetch(dir, &path, &err);
    TAP_OK(st == MD_ERR_NOTFOUND && strstr(err.msg, "2 .onnx files and no best.onnx"),
           "two .onnx without best.onnx: say so (%s)", err.msg);
    snprintf(p, sizeof p, "%s/missing.onnx", dir);
    st = fetch(p, &path, &err);
    TAP_OK(st == MD_ERR_NOTFOUND && strstr(err.msg, "missing.onnx"), "a missing file: not found");
    st = fetch("runs:/abc/weights", &path, &err);
    TAP_OK(st == MD_ERR_INVALID && strstr(err.msg, "MLFLOW_TRACKING_URI"),
           "runs:/ without a tracking URI: says how to set one (%s)", err.msg);
    st = fetch("models:/m/1", &path, &err);
    TAP_OK(st == MD_ERR_INVALID && strstr(err.msg, "--mlflow"), "models:/ too");
    st = fetch("s3://bucket/k/best.onnx", &path, &err);
    TAP_OK(st == MD_ERR_AUTH && strstr(err.msg, "AWS account"), "s3:// without AWS: refused");
    st = fetch("training-job:job-1", &path, &err);
    TAP_OK(st == MD_ERR_AUTH && strstr(err.msg, "training-job:job-1"),
           "training-job: without AWS: refused, named");
    TAP_OK(path == NULL, "no path is returned on errors");
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    TAP_EQ_INT(system(cmd), 0, "cleanup");
}

int main(void)
{
    test_parse();
    test_pick();
    test_local();
    return tap_done();
}
