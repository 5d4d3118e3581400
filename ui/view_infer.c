/* The inference pane (`6`, `:inference`): pick a model and an image, run
 * mldeck's YOLO engine on a sync worker, and draw the image in the terminal
 * with half blocks, the boxes on top, the detection list and the latency
 * beside it, and — when the image has YOLO labels — true positives, false
 * positives and misses at IoU 0.5.
 *
 * The engine state (loaded model, last image and result) lives for the
 * whole session, not in the view: leaving the pane and coming back keeps
 * it, and a job still running when the view goes away finds it on return.
 * While a job runs it owns the model; its event gives it back. */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/workspace.h"
#include "data/image.h"
#include "net/mfa_broker.h"
#include "ui/app.h"
#include "ui/infer_fetch.h"
#include "ui/infer_files.h"
#include "ui/infer_match.h"
#include "ui/infer_pixels.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/xdg.h"
#include "yolo/yolo.h"

static const struct md_view_class infer_class;

#define DEFAULT_MODEL_REL "models/aerial4_yolo11n_320.onnx"
#define DEMO_IMAGES_REL "demo/images/images/val"
#define MATCH_IOU 0.5
#define LIST_W 48

/* ---- the worker job ------------------------------------------------------ */

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s && s[1] ? s + 1 : p;
}

struct infer_job {
    /* in */
    char *model_src;               /* NULL: keep the lent model */
    char *image_src;               /* NULL: load the model only */
    struct md_yolo_model *model;   /* lent by the engine, returned in the event */
    int threads;
    struct md_yolo_opts opts;
    struct md_fetch_ctx fetch;
    struct md_worker *worker;
    /* the model download, written by the worker, shown by the pane */
    _Atomic unsigned long long dl_got, dl_total;
    /* out */
    bool model_loaded;             /* model_src was loaded (model replaced) */
    char *model_path;              /* the local file loaded */
    bool image_failed;             /* the error is the image's */
    char *image_path;              /* the local image */
    struct md_image img;
    struct md_yolo_result res;
    bool have_res;
    float *raw;
    int raw_nc, raw_na;
    struct md_label *labels;
    int nlabels;
    char labels_path[1024];
    char labels_err[300];
};

static void job_orphaned(struct infer_job *j);

static void job_free(void *arg)
{
    struct infer_job *j = arg;
    if (!j)
        return;
    job_orphaned(j);
    free(j->model_src);
    free(j->image_src);
    if (j->model)
        md_yolo_model_free(j->model);
    free(j->model_path);
    free(j->image_path);
    md_image_free(&j->img);
    if (j->have_res)
        md_yolo_result_free(&j->res);
    free(j->raw);
    free(j->labels);
    free(j);
}

static bool job_cancelled(void *ctx)
{
    return md_worker_cancelled(ctx);
}

static void job_progress(void *ctx, unsigned long long got, unsigned long long total)
{
    struct infer_job *j = ctx;
    j->dl_total = total;
    j->dl_got = got;
}

static md_status job_run(struct md_worker *w, void *arg, struct md_err *err)
{
    struct infer_job *j = arg;
    j->fetch.curl = md_worker_curl(w);
    j->fetch.progress = job_progress;
    j->fetch.progress_ctx = j;
    j->fetch.cancelled = job_cancelled;
    j->fetch.cancel_ctx = w;
    md_status st;
    if (j->model_src) {
        char *local = NULL;
        bool cached;
        /* Local files, folders and every remote form (s3://, runs:/,
         * models:/, mlflow-artifacts:/, training-job:). */
        st = md_fetch_model(&j->fetch, j->model_src, &local, &cached, err);
        if (st != MD_OK)
            return st;
        struct md_yolo_model *m = NULL;
        st = md_yolo_model_load(local, j->threads, &m, err);
        if (st != MD_OK) {
            md_err_wrap(err, "model %s", local);
            free(local);
            return st;
        }
        if (j->model)
            md_yolo_model_free(j->model);
        j->model = m;
        j->model_path = local;
        j->model_loaded = true;
    }
    if (!j->image_src)
        return MD_OK;
    if (!j->model)
        return md_err_set(err, MD_ERR_INVALID, "no model is loaded (o opens one)");
    j->image_failed = true;
    if (!strncmp(j->image_src, "s3://", 5)) {
        bool cached;
        st = md_fetch_image(&j->fetch, j->image_src, &j->image_path, &cached, err);
        if (st != MD_OK)
            return st;
    } else if (!(j->image_path = strdup(j->image_src))) {
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    st = md_image_load(j->image_path, &j->img, err);
    if (st != MD_OK)
        return st;
    j->image_failed = false;
    st = md_yolo_detect(j->model, &j->img, &j->opts, &j->res, err);
    if (st != MD_OK)
        return st;
    j->have_res = true;
    /* The raw output, so a new threshold needs only the post-processing. */
    const struct md_yolo_info *info = md_yolo_model_info(j->model);
    size_t nraw = (size_t)(4 + info->n_classes) * (size_t)info->n_anchors;
    j->raw = malloc(nraw * sizeof *j->raw);
    if (j->raw) {
        memcpy(j->raw, md_yolo_output(j->model), nraw * sizeof *j->raw);
        j->raw_nc = info->n_classes;
        j->raw_na = info->n_anchors;
    }
    if (md_labels_path_for(j->image_path, j->labels_path, sizeof j->labels_path)) {
        struct md_err lerr;
        md_err_clear(&lerr);
        if (md_labels_load(j->labels_path, j->img.w, j->img.h, &j->labels, &j->nlabels, &lerr) !=
            MD_OK) {
            /* The list is narrow: the file's name, not its folder. */
            size_t pl = strlen(j->labels_path);
            const char *m = lerr.msg;
            if (!strncmp(m, j->labels_path, pl))
                snprintf(j->labels_err, sizeof j->labels_err, "%s%s", base_name(j->labels_path),
                         m + pl);
            else
                snprintf(j->labels_err, sizeof j->labels_err, "%s", m);
        }
    } else {
        j->labels_path[0] = '\0';
    }
    return MD_OK;
}

/* ---- the engine (session-wide) ------------------------------------------- */

static struct engine {
    bool init;
    struct md_yolo_model *model;   /* NULL while lent to a job */
    bool closing;                  /* the process is ending: jobs free their model */
    unsigned group;                /* sync job group of every inference view */
    char model_src[1024];
    char loaded_src[1024];         /* what the loaded model came from */
    char model_label[256];
    char model_desc[160];
    char **names;
    int nc;
    /* the job in flight and the one asked for meanwhile */
    struct infer_job *inflight;
    double started_ms;
    char running[300];
    bool pending;
    char *pend_model, *pend_image;
    /* the image and its result */
    char image_src[1024];
    char image_label[256];
    struct md_image img;
    unsigned gen;                  /* bumps when img changes */
    float *raw;
    int raw_nc, raw_na;
    struct md_yolo_letterbox lb;
    struct md_yolo_det *dets;
    int ndets;
    double pre_ms, inf_ms, post_ms;
    float conf;
    struct md_label *labels;
    int nlabels;
    char labels_path[1024];
    char labels_err[300];
    int *det_state, *det_label, *label_hit;
    struct md_match_counts counts;
    char error[600];
    int sel;                       /* selected row of the list (detections, then misses) */
    bool highlight;
    int list_top;
    /* the folder of the image, for n/p */
    char **folder;
    int nfolder, folder_idx;
} E;

static const char *data_path(const char *rel, char *out, size_t n)
{
    snprintf(out, n, "%s/%s", md_data_dir(), rel);
    return out;
}


static void free_names(void)
{
    for (int i = 0; i < E.nc; i++)
        free(E.names[i]);
    free(E.names);
    E.names = NULL;
    E.nc = 0;
}

static const char *class_name(int cls, char *buf, size_t n)
{
    if (cls >= 0 && cls < E.nc && E.names[cls])
        return E.names[cls];
    snprintf(buf, n, "%d", cls);
    return buf;
}

static void clear_result(void)
{
    free(E.dets);
    E.dets = NULL;
    E.ndets = 0;
    free(E.raw);
    E.raw = NULL;
    free(E.labels);
    E.labels = NULL;
    E.nlabels = 0;
    E.labels_path[0] = E.labels_err[0] = '\0';
    free(E.det_state);
    free(E.det_label);
    free(E.label_hit);
    E.det_state = E.det_label = E.label_hit = NULL;
    memset(&E.counts, 0, sizeof E.counts);
    md_image_free(&E.img);
    memset(&E.img, 0, sizeof E.img);
    E.gen++;
    E.sel = 0;
    E.highlight = false;
    E.list_top = 0;
}

static void rematch(void)
{
    free(E.det_state);
    free(E.det_label);
    free(E.label_hit);
    E.det_state = E.det_label = E.label_hit = NULL;
    memset(&E.counts, 0, sizeof E.counts);
    if (!E.labels_path[0] || E.labels_err[0])
        return;
    int nd = E.ndets, nl = E.nlabels;
    struct md_match_det *md = nd ? calloc((size_t)nd, sizeof *md) : NULL;
    E.det_state = calloc((size_t)nd + 1, sizeof *E.det_state);
    E.det_label = calloc((size_t)nd + 1, sizeof *E.det_label);
    E.label_hit = calloc((size_t)nl + 1, sizeof *E.label_hit);
    if ((nd && !md) || !E.det_state || !E.det_label || !E.label_hit) {
        free(md);
        return;
    }
    for (int i = 0; i < nd; i++)
        md[i] = (struct md_match_det){E.dets[i].cls, E.dets[i].conf, E.dets[i].x1, E.dets[i].y1,
                                      E.dets[i].x2, E.dets[i].y2};
    md_match(md, nd, E.labels, nl, MATCH_IOU, E.det_state, E.det_label, E.label_hit, &E.counts);
    free(md);
}

static void engine_release(void);

static void engine_init(void)
{
    if (E.init)
        return;
    memset(&E, 0, sizeof E);
    E.init = true;
    E.conf = 0.25f;
    atexit(engine_release);
}

/* Starts a job; while one runs, the newest request waits (older ones are
 * replaced: only what the operator asked for last matters). */
static void submit(struct md_app *app, struct md_view *v, const char *model_arg,
                   const char *image_arg)
{
    /* Copies: the arguments may be the engine's own fields. */
    char mbuf[1024], ibuf[1024];
    const char *model_src = model_arg ? strncpy(mbuf, model_arg, sizeof mbuf - 1) : NULL;
    const char *image_src = image_arg ? strncpy(ibuf, image_arg, sizeof ibuf - 1) : NULL;
    mbuf[sizeof mbuf - 1] = ibuf[sizeof ibuf - 1] = '\0';
    if (E.inflight) {
        free(E.pend_model);
        free(E.pend_image);
        E.pend_model = model_src ? strdup(model_src) : NULL;
        E.pend_image = image_src ? strdup(image_src) : NULL;
        E.pending = true;
        md_app_msg(app, MD_MSG_INFO, "queued: runs when the current job ends");
        return;
    }
    if (!app->sync) {
        snprintf(E.error, sizeof E.error,
                 "inference runs on the sync workers, which start only when a provider is "
                 "configured (--demo, an AWS profile/region or an MLflow URI)");
        return;
    }
    if (!model_src && !E.model && !E.model_src[0]) {
        snprintf(E.error, sizeof E.error, "no model is loaded (o opens one)");
        return;
    }
    struct infer_job *j = calloc(1, sizeof *j);
    if (!j) {
        md_app_msg(app, MD_MSG_ERROR, "out of memory");
        return;
    }
    /* A model that failed to load is retried with the image. */
    const char *msrc = model_src ? model_src : E.model ? NULL : E.model_src;
    j->model_src = msrc ? strdup(msrc) : NULL;
    j->image_src = image_src ? strdup(image_src) : NULL;
    j->model = E.model;
    j->threads = app->settings->threads;
    j->opts = (struct md_yolo_opts)MD_YOLO_OPTS_DEFAULT;
    j->opts.conf = E.conf;
    j->fetch.env = app->ws ? app->ws->aws : NULL;
    j->fetch.settings = app->settings;
    if (app->ws && app->ws->mfa) {
        j->fetch.mfa_prompt = md_mfa_broker_prompt;
        j->fetch.mfa_ctx = app->ws->mfa;
    }
    /* The model is lent to the job; if the job cannot be queued,
     * md_app_submit_call frees it through job_free, which gives it back. */
    E.model = NULL;
    E.inflight = j;
    if (!md_app_submit_call(app, v, job_run, j, job_free)) {
        E.inflight = NULL;
        md_app_msg(app, MD_MSG_ERROR, "could not queue the inference job");
        return;
    }
    E.started_ms = md_now_ms();
    /* A remote model is named in full: "1" says nothing of models:/m/1. */
    const char *mname = msrc && md_model_src_is_remote(msrc) ? msrc : msrc ? base_name(msrc) : "";
    if (msrc && image_src)
        snprintf(E.running, sizeof E.running, "loading %s, then running on %s", mname,
                 base_name(image_src));
    else if (msrc)
        snprintf(E.running, sizeof E.running, "loading %s", mname);
    else
        snprintf(E.running, sizeof E.running, "running on %s", base_name(image_src));
    if (model_src)
        snprintf(E.model_src, sizeof E.model_src, "%s", model_src);
    E.error[0] = '\0';
}

/* The image a finished job was about becomes the pane's (so the header
 * never names an image whose result is not on screen yet). */
static void take_image_name(const struct infer_job *j)
{
    if (!j->image_src)
        return;
    snprintf(E.image_src, sizeof E.image_src, "%s", j->image_src);
    snprintf(E.image_label, sizeof E.image_label, "%s", base_name(j->image_src));
}

static void run_pending(struct md_app *app, struct md_view *v)
{
    if (!E.pending || E.inflight)
        return;
    E.pending = false;
    char *m = E.pend_model, *i = E.pend_image;
    E.pend_model = E.pend_image = NULL;
    submit(app, v, m, i);
    free(m);
    free(i);
}

/* The images of the current image's folder, for n/p.  Re-read after each
 * job (files come and go); the position follows the image on screen unless
 * the operator has already stepped on (a request is waiting). */
static void refresh_folder(void)
{
    const char *src = E.image_src;
    int keep = E.folder_idx;
    md_free_list(E.folder, E.nfolder);
    E.folder = NULL;
    E.nfolder = 0;
    E.folder_idx = -1;
    if (!src[0] || !strncmp(src, "s3://", 5))
        return;     /* n/p walk local folders only */
    int n = md_image_siblings(src, &E.folder, &E.folder_idx);
    E.nfolder = n > 0 ? n : 0;
    if (E.pending && keep >= 0 && keep < E.nfolder)
        E.folder_idx = keep;
}

/* The engine's new model m came from job j: keep its class names. */
static void take_model(struct infer_job *j, const struct md_yolo_model *m)
{
    const struct md_yolo_info *info = md_yolo_model_info(m);
    free_names();
    E.names = calloc((size_t)info->n_classes + 1, sizeof *E.names);
    if (E.names) {
        E.nc = info->n_classes;
        for (int i = 0; i < E.nc; i++) {
            const char *nm = md_yolo_class_name(m, i);
            E.names[i] = strdup(nm ? nm : "?");
        }
    }
    snprintf(E.loaded_src, sizeof E.loaded_src, "%s", j->model_src ? j->model_src : "");
    /* A downloaded model's file is named by its ETag: show where it came from. */
    bool remote = md_model_src_is_remote(j->model_src);
    snprintf(E.model_label, sizeof E.model_label, "%s",
             remote ? j->model_src : base_name(j->model_path));
    snprintf(E.model_desc, sizeof E.model_desc, "%dx%d, %d classes", info->imgsz_w,
             info->imgsz_h, info->n_classes);
}

/* The job's event will not reach the pane (it was left, or the process is
 * ending): the lent model goes back to the engine, unless we are closing. */
/* A job that was cancelled or lost its pane runs again when the pane is
 * next shown (unless something newer was asked for meanwhile). */
static void requeue(const struct infer_job *j)
{
    if (E.closing || E.pending || (!j->image_src && !j->model_src))
        return;
    E.pend_model = j->model_src && !j->model_loaded ? strdup(j->model_src) : NULL;
    E.pend_image = j->image_src ? strdup(j->image_src) : NULL;
    E.pending = E.pend_model || E.pend_image;
}

static void job_orphaned(struct infer_job *j)
{
    if (E.inflight != j)
        return;
    E.inflight = NULL;
    if (!E.closing && !E.model && j->model) {
        E.model = j->model;
        j->model = NULL;
        if (j->model_loaded)
            take_model(j, E.model);
    }
    requeue(j);
}

static void submit(struct md_app *app, struct md_view *v, const char *model_src,
                   const char *image_src);
static md_status repost_with(float conf);

static void infer_event(struct md_app *app, struct md_view *v, struct md_sync_event *ev)
{
    if (ev->type != MD_JOB_CALL || !E.inflight || ev->arg != E.inflight)
        return;
    struct infer_job *j = ev->arg;
    ev->arg = NULL;     /* freed here */
    E.inflight = NULL;
    E.model = j->model;     /* back to the engine, the new one if it was replaced */
    j->model = NULL;
    if (j->model_loaded && E.model)
        take_model(j, E.model);
    char line[700];
    /* A result that was computed is shown even if the job was marked
     * cancelled meanwhile (the pane was left and opened again). */
    bool done = ev->status == MD_OK || (ev->status == MD_ERR_CANCELLED && j->have_res);
    if (done || j->image_failed)
        take_image_name(j);
    if (done && j->have_res) {
        clear_result();
        E.img = j->img;
        memset(&j->img, 0, sizeof j->img);
        E.gen++;
        E.dets = j->res.dets;
        E.ndets = j->res.n;
        j->res.dets = NULL;
        j->res.n = 0;
        E.lb = j->res.lb;
        E.pre_ms = j->res.preprocess_ms;
        E.inf_ms = j->res.inference_ms;
        E.post_ms = j->res.postprocess_ms;
        E.raw = j->raw;
        j->raw = NULL;
        E.raw_nc = j->raw_nc;
        E.raw_na = j->raw_na;
        E.labels = j->labels;
        j->labels = NULL;
        E.nlabels = j->nlabels;
        snprintf(E.labels_path, sizeof E.labels_path, "%s", j->labels_path);
        snprintf(E.labels_err, sizeof E.labels_err, "%s", j->labels_err);
        /* The threshold moved while the job ran: apply the new one. */
        if (j->opts.conf != E.conf)
            repost_with(E.conf);
        rematch();
        E.error[0] = '\0';
        md_app_msg(app, MD_MSG_INFO, "%s: %d detection%s in %.1f ms", E.image_label, E.ndets,
                   E.ndets == 1 ? "" : "s", E.pre_ms + E.inf_ms + E.post_ms);
    } else if (ev->status == MD_OK) {
        E.error[0] = '\0';
        md_app_msg(app, MD_MSG_INFO, "model %s loaded (%s)", E.model_label, E.model_desc);
    } else if (ev->status == MD_ERR_CANCELLED) {
        requeue(j);
    } else {
        md_err_line(&ev->err, line, sizeof line);
        if (j->image_failed) {
            clear_result();
            snprintf(E.error, sizeof E.error, "image %s: %s", E.image_label, line);
        } else if (j->model_src && !j->model_loaded && E.model) {
            /* The new model did not load: the previous one stays. */
            snprintf(E.error, sizeof E.error, "still using %s: %s", E.model_label, line);
            snprintf(E.model_src, sizeof E.model_src, "%s", E.loaded_src);
        } else {
            snprintf(E.error, sizeof E.error, "%s", line);
        }
        md_app_msg(app, MD_MSG_ERROR, "%s", E.error);
    }
    job_free(j);
    refresh_folder();
    run_pending(app, v);
}

/* At exit (after the sync workers are gone, so no job holds the model). */
static void engine_release(void)
{
    if (!E.init)
        return;
    E.closing = true;
    if (E.model)
        md_yolo_model_free(E.model);
    E.model = NULL;
    E.inflight = NULL;
    clear_result();
    free_names();
    free(E.pend_model);
    free(E.pend_image);
    md_free_list(E.folder, E.nfolder);
    memset(&E, 0, sizeof E);
}

/* The post-processing alone (threshold + NMS) on the kept raw output. */
static md_status repost_with(float conf)
{
    struct md_yolo_opts o = MD_YOLO_OPTS_DEFAULT;
    o.conf = conf;
    struct md_yolo_result r;
    memset(&r, 0, sizeof r);
    struct md_err err;
    md_err_clear(&err);
    double t0 = md_now_ms();
    md_status st = md_yolo_nms(E.raw, E.raw_nc, E.raw_na, &o, &E.lb, &r, &err);
    if (st != MD_OK)
        return st;
    free(E.dets);
    E.dets = r.dets;
    E.ndets = r.n;
    E.post_ms = md_now_ms() - t0;
    E.sel = 0;
    E.highlight = false;
    E.list_top = 0;
    return MD_OK;
}

static void repost(struct md_app *app)
{
    if (!E.raw) {
        md_app_msg(app, MD_MSG_INFO, "threshold %.2f (applies to the next run)", E.conf);
        return;
    }
    if (repost_with(E.conf) != MD_OK) {
        md_app_msg(app, MD_MSG_ERROR, "post-processing failed at threshold %.2f", E.conf);
        return;
    }
    rematch();
    md_app_msg(app, MD_MSG_INFO, "confidence >= %.2f: %d detection%s", E.conf, E.ndets,
               E.ndets == 1 ? "" : "s");
}

/* ---- colour: pairs for half blocks --------------------------------------- */

enum px_mode { PX_MONO, PX_8, PX_256 };

static struct {
    bool ready;
    int base, limit, next, levels;
    int map[256 * 256];        /* (fg << 8 | bg) -> pair, 0 = not yet */
    int base8;
} P;

static void pairs_init(void)
{
    if (P.ready)
        return;
    P.ready = true;
    long cp = COLOR_PAIRS;
    if (cp > 65536)
        cp = 65536;
#if !NCURSES_EXT_COLORS
    if (cp > 32767)
        cp = 32767;
#endif
    /* Pair numbers: the low ones belong to the colour roles (ui/term.c) and
     * other views.  24 small pairs (< 256, so COLOR_PAIR() can hold them)
     * for the ramp colours and the class colours, then the half-block
     * pairs at the top of the range. */
    P.base8 = cp >= 256 ? 200 : 40;
    if (cp > 4096) {
        P.base = 1024;
        P.limit = (int)cp - 1;
    } else {
        P.base = cp >= 256 ? 64 : 0;
        P.limit = cp >= 256 ? 199 : -1;
    }
    P.next = P.base;
    P.levels = P.limit > P.base ? md_px_levels_for_pairs(P.limit - P.base + 1) : 0;
    bool c256 = COLORS >= 256;
    for (int k = 0; k < 8 && P.base8 + 23 < cp; k++) {
        uint8_t c[3];
        md_px_class_rgb(k, c);
        short cc = (short)(c256 ? md_px_xterm256(c[0], c[1], c[2]) : md_px_basic8(c[0], c[1], c[2]));
        init_pair((short)(P.base8 + k), (short)k, -1);              /* ramp glyphs */
        init_pair((short)(P.base8 + 8 + k), cc, -1);                /* class names */
        init_pair((short)(P.base8 + 16 + k), COLOR_BLACK, cc);      /* labels on the image */
    }
}

static int pair_for(int fg, int bg)
{
    int key = (fg & 255) << 8 | (bg & 255);
    if (P.map[key])
        return P.map[key];
    if (P.next > P.limit)
        return 0;
#if NCURSES_EXT_COLORS
    if (init_extended_pair(P.next, fg, bg) == ERR)
        return 0;
#else
    if (init_pair((short)P.next, (short)fg, (short)bg) == ERR)
        return 0;
#endif
    P.map[key] = P.next;
    return P.next++;
}

static void set_pair(int pair, attr_t extra)
{
    attr_set(extra, (short)(pair <= 32767 ? pair : 0), &pair);
}

static enum px_mode px_mode(struct md_app *app)
{
    if (app->term.colour == MD_COLOUR_NONE)
        return PX_MONO;
    pairs_init();
    if (app->term.colour == MD_COLOUR_8 || P.levels == 0)
        return PX_8;
    return PX_256;
}

static bool truecolor(struct md_app *app)
{
    const char *ct = getenv("COLORTERM");
    return app->term.colour != MD_COLOUR_NONE && ct &&
           (!strcmp(ct, "truecolor") || !strcmp(ct, "24bit"));
}

/* ---- drawing ------------------------------------------------------------- */

/* What the last frame put in the image area, for the truecolor pass. */
static struct {
    bool drawn;                /* this frame drew an image */
    int y, x, cols, rows, sub_h;
    uint8_t *grid;             /* cols x sub_h RGB, with boxes */
    size_t grid_cap;
    int *pair;                 /* per cell: the pair drawn, -1 = not an image cell */
    size_t pair_cap;
    bool *cover;               /* per cell: still showing the image after the frame */
    size_t cover_cap;
    unsigned long prev_geom;   /* image, place and terminal size of that pass */
    bool prev_valid;
    unsigned long *row_hash;   /* per image row: the whole screen line at that pass */
    size_t row_cap;
} F;

static void release_frame(void)
{
    free(F.grid);
    free(F.pair);
    free(F.cover);
    free(F.row_hash);
    memset(&F, 0, sizeof F);
}

/* A class's colour: its name in the list (label false) or a label on the
 * image (label true: black on the class colour). */
static attr_t class_attr(struct md_app *app, int cls, bool label)
{
    if (px_mode(app) == PX_MONO || P.base8 + 23 >= COLOR_PAIRS)
        return label ? A_REVERSE | A_BOLD : A_BOLD;
    return COLOR_PAIR(P.base8 + (label ? 16 : 8) + (cls & 7)) | A_BOLD;
}

static void put_label(struct md_app *app, int y, int x, int w, const char *text, int cls)
{
    md_put(y, x, w, text, class_attr(app, cls, true), false);
}

static void draw_cell(enum px_mode m, bool utf8, int y, int x, const uint8_t *top,
                      const uint8_t *bot, int *pair_out)
{
    *pair_out = -1;
    if (m == PX_256) {
        if (utf8) {
            int p = pair_for(md_px_quant(top[0], top[1], top[2], P.levels),
                             md_px_quant(bot[0], bot[1], bot[2], P.levels));
            set_pair(p, A_NORMAL);
            mvaddstr(y, x, "\xe2\x96\x80");
            *pair_out = p;
        } else {
            int c = md_px_quant((uint8_t)((top[0] + bot[0]) / 2), (uint8_t)((top[1] + bot[1]) / 2),
                                (uint8_t)((top[2] + bot[2]) / 2), P.levels);
            int p = pair_for(c, c);
            set_pair(p, A_NORMAL);
            mvaddch(y, x, ' ');
            *pair_out = p;
        }
        return;
    }
    uint8_t avg[3] = {(uint8_t)((top[0] + bot[0]) / 2), (uint8_t)((top[1] + bot[1]) / 2),
                      (uint8_t)((top[2] + bot[2]) / 2)};
    char ch = md_px_ramp(avg[0], avg[1], avg[2]);
    if (m == PX_8) {
        int k = md_px_basic8(avg[0], avg[1], avg[2]);
        attrset(COLOR_PAIR(P.base8 + k));
    } else {
        attrset(A_NORMAL);
    }
    mvaddch(y, x, (chtype)(unsigned char)ch);
}

/* The image with its boxes, centred in r. */
static void draw_image(struct md_app *app, struct md_rect r)
{
    if (!E.img.rgb || r.w < 4 || r.h < 2)
        return;
    struct md_px_fit fit;
    md_px_fit(E.img.w, E.img.h, r.w, r.h, &fit);
    size_t gsz = (size_t)fit.cols * (size_t)fit.sub_h * 3;
    size_t ncell = (size_t)fit.cols * (size_t)fit.rows;
    if (gsz + 6 * (size_t)fit.cols > F.grid_cap) {
        uint8_t *g = realloc(F.grid, gsz + 6 * (size_t)fit.cols);
        if (!g)
            return;
        F.grid = g;
        F.grid_cap = gsz + 6 * (size_t)fit.cols;
    }
    if (ncell > F.pair_cap) {
        int *p = realloc(F.pair, ncell * sizeof *p);
        if (!p)
            return;
        F.pair = p;
        F.pair_cap = ncell;
    }
    md_px_resample(E.img.rgb, E.img.w, E.img.h, &fit, F.grid);
    /* An odd number of sub-rows leaves the last cell's bottom half: black. */
    memset(F.grid + gsz, 0, 3 * (size_t)fit.cols);
    int c1, s1, c2, s2;
    for (int j = 0; j < E.nlabels && E.label_hit; j++) {
        if (E.label_hit[j])
            continue;
        uint8_t col[3];
        md_px_class_rgb(E.labels[j].cls, col);
        md_px_map_box(&fit, E.labels[j].x1, E.labels[j].y1, E.labels[j].x2, E.labels[j].y2, &c1,
                      &s1, &c2, &s2);
        md_px_outline(F.grid, fit.cols, fit.sub_h, c1, s1, c2, s2, col, true);
    }
    for (int i = E.ndets - 1; i >= 0; i--) {
        uint8_t col[3];
        md_px_class_rgb(E.dets[i].cls, col);
        bool hl = E.highlight && i == E.sel;
        if (hl)
            col[0] = col[1] = col[2] = 255;
        md_px_map_box(&fit, E.dets[i].x1, E.dets[i].y1, E.dets[i].x2, E.dets[i].y2, &c1, &s1,
                      &c2, &s2);
        md_px_outline(F.grid, fit.cols, fit.sub_h, c1, s1, c2, s2, col, false);
        if (hl && c2 - c1 > 2 && s2 - s1 > 2)
            md_px_outline(F.grid, fit.cols, fit.sub_h, c1 + 1, s1 + 1, c2 - 1, s2 - 1, col, false);
    }
    int oy = r.y + (r.h - fit.rows) / 2, ox = r.x + (r.w - fit.cols) / 2;
    enum px_mode m = px_mode(app);
    bool utf8 = app->term.utf8;
    for (int cy = 0; cy < fit.rows; cy++)
        for (int cx = 0; cx < fit.cols; cx++) {
            const uint8_t *top = F.grid + ((size_t)(2 * cy) * (size_t)fit.cols + (size_t)cx) * 3;
            const uint8_t *bot = top + (size_t)fit.cols * 3;
            draw_cell(m, utf8, oy + cy, ox + cx, top, bot, &F.pair[(size_t)cy * (size_t)fit.cols + (size_t)cx]);
        }
    attrset(A_NORMAL);
    /* Class names on the boxes' top edges (above them when there is room). */
    char nb[16];
    for (int i = E.ndets - 1; i >= 0; i--) {
        md_px_map_box(&fit, E.dets[i].x1, E.dets[i].y1, E.dets[i].x2, E.dets[i].y2, &c1, &s1,
                      &c2, &s2);
        int ly = s1 / 2 > 0 ? s1 / 2 - 1 : s2 / 2 + 1;
        if (ly >= fit.rows)
            ly = s1 / 2;
        const char *nm = class_name(E.dets[i].cls, nb, sizeof nb);
        bool hl = E.highlight && i == E.sel;
        int w = (int)strlen(nm);
        if (!hl && w > c2 - c1 + 3)
            w = c2 - c1 + 3 > 3 ? c2 - c1 + 3 : 3;
        if (ox + c1 + w > ox + fit.cols)
            w = fit.cols - c1;
        if (w <= 0)
            continue;
        put_label(app, oy + ly, ox + c1, w, nm, E.dets[i].cls);
        for (int k = 0; k < w && c1 + k < fit.cols; k++)
            F.pair[(size_t)ly * (size_t)fit.cols + (size_t)(c1 + k)] = -1;
    }
    F.drawn = true;
    F.y = oy;
    F.x = ox;
    F.cols = fit.cols;
    F.rows = fit.rows;
    F.sub_h = fit.sub_h;
}

/* Rows of the side list: detections, then the misses. */
static int list_rows(void)
{
    int n = E.ndets;
    if (E.label_hit)
        n += E.counts.miss;
    return n;
}

static int miss_at(int k)
{
    for (int j = 0; j < E.nlabels; j++)
        if (!E.label_hit[j] && k-- == 0)
            return j;
    return -1;
}

static void draw_list(struct md_app *app, struct md_rect r)
{
    int y = r.y;
    char line[256], nb[16];
    attr_t norm = md_attr(MD_ROLE_NORMAL), title = md_attr(MD_ROLE_TITLE);
    snprintf(line, sizeof line, "Detections: %d  (conf >= %.2f)", E.ndets, E.conf);
    md_put(y++, r.x, r.w, line, title, true);
    if (E.labels_err[0]) {
        snprintf(line, sizeof line, "labels: %s", E.labels_err);
        md_put(y++, r.x, r.w, line, md_attr(MD_ROLE_WARN), false);
    } else if (E.labels_path[0] && E.label_hit) {
        int x = r.x;
        snprintf(line, sizeof line, "TP %d", E.counts.tp);
        x += md_put(y, x, r.w, line, md_attr(MD_ROLE_OK), false);
        snprintf(line, sizeof line, "  FP %d", E.counts.fp);
        x += md_put(y, x, r.x + r.w - x, line, md_attr(MD_ROLE_FAIL), false);
        snprintf(line, sizeof line, "  miss %d", E.counts.miss);
        x += md_put(y, x, r.x + r.w - x, line, md_attr(MD_ROLE_WARN), false);
        snprintf(line, sizeof line, "  (%d labels, IoU %.1f)", E.nlabels, MATCH_IOU);
        md_put(y++, x, r.x + r.w - x, line, md_attr(MD_ROLE_MUTED), false);
    } else {
        md_put(y++, r.x, r.w, "no labels next to this image", md_attr(MD_ROLE_MUTED), false);
    }
    snprintf(line, sizeof line, "  %-11s %-5s %5s %5s %5s %5s", "class", "conf", "x1", "y1", "x2",
             "y2");
    md_put(y++, r.x, r.w, line, md_attr(MD_ROLE_MUTED), false);
    int body = r.y + r.h - y;
    int n = list_rows();
    if (body <= 0)
        return;
    if (E.sel >= n)
        E.sel = n > 0 ? n - 1 : 0;
    if (E.sel < E.list_top)
        E.list_top = E.sel;
    if (E.sel >= E.list_top + body)
        E.list_top = E.sel - body + 1;
    for (int k = E.list_top; k < n && y < r.y + r.h; k++, y++) {
        bool sel = k == E.sel;
        attr_t a = sel ? md_attr(MD_ROLE_SELECTED) : norm;
        if (k < E.ndets) {
            const struct md_yolo_det *d = &E.dets[k];
            const char *mark = !E.det_state ? "  "
                               : E.det_state[k] == MD_MATCH_TP ? "TP" : "FP";
            snprintf(line, sizeof line, "%c %-11.11s %.3f %5.0f %5.0f %5.0f %5.0f %s",
                     sel && E.highlight ? '*' : ' ', class_name(d->cls, nb, sizeof nb), d->conf,
                     d->x1, d->y1, d->x2, d->y2, mark);
            md_put(y, r.x, r.w, line, a, true);
            if (!sel && E.det_state)
                md_put(y, r.x + 44, r.w - 44, mark,
                       md_attr(E.det_state[k] == MD_MATCH_TP ? MD_ROLE_OK : MD_ROLE_FAIL), false);
            if (!sel)
                md_put(y, r.x + 2, 11 < r.w - 2 ? 11 : r.w - 2, class_name(d->cls, nb, sizeof nb),
                       class_attr(app, d->cls, false), false);
        } else {
            int j = miss_at(k - E.ndets);
            if (j < 0)
                continue;
            const struct md_label *l = &E.labels[j];
            snprintf(line, sizeof line, "  %-11.11s   -   %5.0f %5.0f %5.0f %5.0f miss",
                     class_name(l->cls, nb, sizeof nb), l->x1, l->y1, l->x2, l->y2);
            md_put(y, r.x, r.w, line, sel ? a : md_attr(MD_ROLE_WARN), true);
        }
    }
}

static void draw_info(struct md_app *app, struct md_rect r, int *used)
{
    char line[700];
    int y = r.y;
    int x = r.x;
    x += md_put(y, x, r.w, "model ", md_attr(MD_ROLE_MUTED), false);
    if (E.model_label[0])
        snprintf(line, sizeof line, "%s (%s)", E.model_label, E.model_desc);
    else
        snprintf(line, sizeof line, "%s", E.model_src[0] ? base_name(E.model_src) : "none");
    x += md_put(y, x, r.x + r.w - x, line, md_attr(MD_ROLE_NORMAL) | A_BOLD, false);
    x += md_put(y, x, r.x + r.w - x, "  image ", md_attr(MD_ROLE_MUTED), false);
    if (E.img.rgb)
        snprintf(line, sizeof line, "%s %dx%d", E.image_label, E.img.w, E.img.h);
    else
        snprintf(line, sizeof line, "%s", E.image_label[0] ? E.image_label : "none");
    x += md_put(y, x, r.x + r.w - x, line, md_attr(MD_ROLE_NORMAL) | A_BOLD, false);
    if (E.nfolder > 0 && E.folder_idx >= 0) {
        snprintf(line, sizeof line, " [%d/%d]", E.folder_idx + 1, E.nfolder);
        md_put(y, x, r.x + r.w - x, line, md_attr(MD_ROLE_MUTED), false);
    }
    y++;
    x = r.x;
    if (E.inflight) {
        static const char *const spin[] = {"|", "/", "-", "\\"};
        double s = (md_now_ms() - E.started_ms) / 1000.0;
        unsigned long long got = E.inflight->dl_got, total = E.inflight->dl_total;
        if (got && total)   /* a model being downloaded: its progress first (the name is long) */
            snprintf(line, sizeof line, "%s running... (%.1f s, %.1f of %.1f MB) %s",
                     spin[(int)(s * 4) & 3], s, (double)got / 1e6, (double)total / 1e6,
                     E.running);
        else
            snprintf(line, sizeof line, "%s running... %s (%.1f s)", spin[(int)(s * 4) & 3],
                     E.running, s);
        md_put(y, x, r.w, line, md_attr(MD_ROLE_RUNNING), false);
    } else if (E.error[0]) {
        md_put(y, x, r.w, E.error, md_attr(MD_ROLE_ERROR), false);
    } else if (E.img.rgb) {
        snprintf(line, sizeof line,
                 "latency: preprocess %.1f ms  inference %.1f ms  postprocess %.1f ms",
                 E.pre_ms, E.inf_ms, E.post_ms);
        md_put(y, x, r.w, line, md_attr(MD_ROLE_INFO), false);
    } else {
        md_put(y, x, r.w, "i opens an image, o a model (? lists the keys)",
               md_attr(MD_ROLE_MUTED), false);
    }
    *used = 2;
}

static int draw_prompt(struct md_app *app, struct md_view *v, struct md_rect r);

static void infer_draw(struct md_app *app, struct md_view *v, struct md_rect r)
{
    F.drawn = false;
    int used = 0;
    draw_info(app, r, &used);
    struct md_rect body = {r.y + used + 1, r.x, r.h - used - 1, r.w};
    body.h -= draw_prompt(app, v, body);
    if (body.h < 3)
        return;
    struct md_rect img = body, list = body;
    if (body.w >= 2 * LIST_W - 10) {
        img.w = body.w - LIST_W - 1;
        list.x = body.x + img.w + 1;
        list.w = LIST_W;
    } else {
        img.h = body.h * 3 / 5;
        list.y = body.y + img.h;
        list.h = body.h - img.h;
    }
    if (E.img.rgb)
        draw_image(app, img);
    else if (E.error[0] && img.h > 2)
        md_put(img.y + img.h / 2, img.x + 2, img.w - 2, "(no image: see the error above)",
               md_attr(MD_ROLE_MUTED), false);
    if (E.img.rgb || E.ndets)
        draw_list(app, list);
}

/* The terminal may be non-blocking (it shares its file description with
 * stdin): wait for room instead of dropping the rest of a large frame. */
static void write_all(const char *p, size_t len)
{
    size_t off = 0;
    int stalls = 0;
    while (p && off < len) {
        ssize_t w = write(STDOUT_FILENO, p + off, len - off);
        if (w > 0) {
            off += (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && stalls++ < 50) {
            struct pollfd pfd = {.fd = STDOUT_FILENO, .events = POLLOUT};
            poll(&pfd, 1, 100);
            continue;
        }
        break;
    }
}

/* After curses has written the frame: repaint the image cells in 24-bit
 * colour straight to the terminal.  Cells that something else covers now
 * (a dialog, the help, a label) are left to curses.  Nothing is written
 * when no line under the image changed since the last pass. */
static void infer_after_refresh(struct md_app *app, struct md_view *v)
{
    if (!F.drawn || !truecolor(app)) {
        F.drawn = false;
        return;
    }
    F.drawn = false;
    unsigned long geom = 1469598103934665603UL;
#define MIX(v) (geom = (geom ^ (unsigned long)(v)) * 1099511628211UL)
    MIX(E.gen);
    MIX(F.y);
    MIX(F.x);
    MIX(F.cols);
    MIX(F.rows);
    MIX(F.sub_h);
    MIX(app->rows);
    MIX(app->cols);
    MIX(app->term.utf8);
#undef MIX
    size_t ncell = (size_t)F.cols * (size_t)F.rows;
    if (ncell > F.cover_cap) {
        bool *c = realloc(F.cover, ncell);
        if (!c)
            return;
        F.cover = c;
        F.cover_cap = ncell;
        F.prev_valid = false;
    }
    if ((size_t)F.rows > F.row_cap) {
        unsigned long *h = realloc(F.row_hash, (size_t)F.rows * sizeof *h);
        if (!h)
            return;
        F.row_hash = h;
        F.row_cap = (size_t)F.rows;
        F.prev_valid = false;
    }
    bool full = !F.prev_valid || geom != F.prev_geom;
    /* Curses may move lines (scroll regions) and rewrite cells around what
     * changed, even beside the image: when any line the image sits on
     * changed, the whole image is painted again; when none did, curses
     * wrote nothing there and the last 24-bit pass still stands. */
    cchar_t line[1024];
    int lw = app->cols < 1024 ? app->cols : 1024;
    for (int cy = 0; cy < F.rows; cy++) {
        unsigned long h = 1469598103934665603UL;
        if (mvin_wchnstr(F.y + cy, 0, line, lw) != ERR) {
            const unsigned char *p = (const unsigned char *)line;
            for (size_t k = 0; k < (size_t)lw * sizeof line[0]; k++)
                h = (h ^ p[k]) * 1099511628211UL;
        }
        if (h != F.row_hash[cy])
            full = true;
        F.row_hash[cy] = h;
    }
    bool *cover = F.cover;
    for (int cy = 0; cy < F.rows; cy++)
        for (int cx = 0; cx < F.cols; cx++) {
            size_t i = (size_t)cy * (size_t)F.cols + (size_t)cx;
            int want = F.pair[i];
            bool mine = false;
            if (want >= 0) {
                cchar_t cc;
                wchar_t wch[CCHARW_MAX + 1];
                attr_t at;
                short sp;
                int ext = 0;
                if (mvin_wch(F.y + cy, F.x + cx, &cc) != ERR &&
                    getcchar(&cc, wch, &at, &sp, &ext) != ERR) {
                    int got = ext ? ext : sp;
                    mine = got == want && wch[0] == (app->term.utf8 ? 0x2580 : L' ');
                }
            }
            cover[i] = mine;
        }
    struct md_buf b = MD_BUF_INIT;
    char sgr[64];
    size_t painted = 0;
    for (int cy = 0; cy < F.rows; cy++) {
        bool in_run = false;
        for (int cx = 0; cx < F.cols; cx++) {
            size_t i = (size_t)cy * (size_t)F.cols + (size_t)cx;
            const uint8_t *top = F.grid + ((size_t)(2 * cy) * (size_t)F.cols + (size_t)cx) * 3;
            const uint8_t *bot = top + (size_t)F.cols * 3;
            bool need = cover[i] && full;
            if (!need) {
                in_run = false;
                continue;
            }
            if (!painted++)
                md_buf_puts(&b, "\0337");
            if (!in_run)
                md_buf_printf(&b, "\033[%d;%dH", F.y + cy + 1, F.x + cx + 1);
            in_run = true;
            if (app->term.utf8) {
                md_px_sgr_truecolor(sgr, sizeof sgr, top, bot);
                md_buf_puts(&b, sgr);
                md_buf_puts(&b, "\xe2\x96\x80");
            } else {
                uint8_t avg[3] = {(uint8_t)((top[0] + bot[0]) / 2),
                                  (uint8_t)((top[1] + bot[1]) / 2),
                                  (uint8_t)((top[2] + bot[2]) / 2)};
                md_px_sgr_truecolor(sgr, sizeof sgr, avg, avg);
                md_buf_puts(&b, sgr);
                md_buf_puts(&b, " ");
            }
        }
    }
    F.prev_geom = geom;
    F.prev_valid = true;
    if (painted) {
        md_buf_puts(&b, "\033[0m\0338");
        fflush(stdout);
        write_all(b.data, b.len);
    }
    md_buf_free(&b);
}

/* ---- model and image choices --------------------------------------------- */

static void open_model(struct md_app *app, struct md_view *v, const char *src)
{
    char def[1200];
    if (!src || !*src)
        src = data_path(DEFAULT_MODEL_REL, def, sizeof def);
    if (md_model_src_is_remote(src) && app->settings->demo) {
        md_app_msg(app, MD_MSG_ERROR,
                   "downloads need an AWS account or an MLflow server: the demo cannot fetch %s; "
                   "the shipped model stays loaded",
                   src);
        return;
    }
    submit(app, v, src, E.image_src[0] ? E.image_src : NULL);
}

static void open_image(struct md_app *app, struct md_view *v, const char *src)
{
    if (!src || !*src)
        return;
    if (!strncmp(src, "s3://", 5) && app->settings->demo) {
        md_app_msg(app, MD_MSG_ERROR, "downloads need an AWS account: the demo cannot reach S3");
        return;
    }
    submit(app, v, NULL, src);
}

static void step_image(struct md_app *app, struct md_view *v, int dir)
{
    if (E.nfolder <= 0)
        refresh_folder();
    if (E.nfolder <= 0) {
        md_app_msg(app, MD_MSG_INFO, "no other images in this folder");
        return;
    }
    int i = E.folder_idx < 0 ? (dir > 0 ? 0 : E.nfolder - 1)
                             : (E.folder_idx + dir + E.nfolder) % E.nfolder;
    E.folder_idx = i;
    char path[4096];
    snprintf(path, sizeof path, "%s", E.folder[i]);
    open_image(app, v, path);
}

/* Picking a row of a kind's table (training job, model version, dataset
 * object): the generic table view with Enter redirected. */
enum pick_what { PICK_TRAINING, PICK_VERSION, PICK_OBJECT, PICK_MODEL };

/* The one picker open (it sits on top of the pane).  Its class is a copy
 * of whatever class md_table_new gave the kind (some panes wrap the table
 * and keep their state in v->priv, so the picker keeps its own here). */
static struct {
    struct md_view *v;
    enum pick_what what;
    const struct md_view_class *orig;
    struct md_view_class cls;
} pick;

static void picker_free(struct md_view *v)
{
    const struct md_view_class *orig = pick.orig;
    if (pick.v == v)
        pick.v = NULL;
    orig->free(v);
}

static void picker_crumb(struct md_app *app, struct md_view *v, char *out, size_t n)
{
    char inner[400];
    pick.orig->crumb(app, v, inner, sizeof inner);
    snprintf(out, n, "%s (Enter chooses)", inner);
}

/* The local copy of a demo dataset object: the demo's S3 keys
 * "datasets/aerial4/<path>" are the files data/demo/images/<path>. */
static bool demo_object_path(const char *key, char *out, size_t n)
{
    const char *pre = "datasets/aerial4/";
    if (strncmp(key, pre, strlen(pre)) != 0)
        return false;
    snprintf(out, n, "%s/demo/images/%s", md_data_dir(), key + strlen(pre));
    struct stat st;
    return stat(out, &st) == 0;
}

static void picked(struct md_app *app, struct md_view *v, enum pick_what what, const cJSON *obj)
{
    char uri[2048];
    if (what == PICK_TRAINING) {
        const char *s = md_json_str(obj, "$.ModelArtifacts.S3ModelArtifacts", NULL);
        const char *name = md_json_str(obj, "$.TrainingJobName", "the job");
        if (!s) {
            md_app_msg(app, MD_MSG_ERROR, "%s has no model artifact (not completed?)", name);
            return;
        }
        if (app->settings->demo) {
            md_app_msg(app, MD_MSG_ERROR,
                       "downloads need an AWS account: the demo cannot fetch %s; the shipped "
                       "model stays loaded",
                       s);
            return;
        }
        open_model(app, v, s);
    } else if (what == PICK_VERSION) {
        const char *s = md_json_str(obj, "$.source", NULL);
        if (!s) {
            md_app_msg(app, MD_MSG_ERROR, "this version has no source");
            return;
        }
        if (app->settings->demo) {
            md_app_msg(app, MD_MSG_ERROR,
                       "downloads need an AWS account: the demo cannot fetch %s; the shipped "
                       "model stays loaded",
                       s);
            return;
        }
        /* s3://, runs:/, models:/, mlflow-artifacts:/ or a local path: a
         * file, or a folder in which the worker finds the model. */
        snprintf(uri, sizeof uri, "%s", s);
        open_model(app, v, uri);
    } else {
        const char *key = md_json_str(obj, "$.Key", NULL);
        char local[4096];
        if (!key)
            return;
        if (!md_is_image_name(key)) {
            md_app_msg(app, MD_MSG_ERROR, "%s is not a PNG or JPEG image", key);
            return;
        }
        if (app->settings->demo) {
            if (!demo_object_path(key, local, sizeof local)) {
                md_app_msg(app, MD_MSG_ERROR, "downloads need an AWS account: the demo has no "
                                              "local copy of %s", key);
                return;
            }
            open_image(app, v, local);
            return;
        }
        const char *bucket = md_json_str(obj, "$.Bucket", NULL);
        if (!bucket) {
            md_app_msg(app, MD_MSG_ERROR,
                       "the datasets bucket is not known to this build: i opens s3://BUCKET/%s",
                       key);
            return;
        }
        snprintf(uri, sizeof uri, "s3://%s/%s", bucket, key);
        open_image(app, v, uri);
    }
}

static void open_picker_of(struct md_app *app, enum pick_what what, const char *parent);

static bool picker_action(struct md_app *app, struct md_view *v, enum md_act act,
                          const struct md_binding *b)
{
    if (act != MD_ACT_OPEN || pick.v != v)
        return pick.orig->action(app, v, act, b);
    const struct md_row *row = md_table_selected(v);
    if (!row || !row->obj) {
        md_app_msg(app, MD_MSG_INFO, "no row selected");
        return true;
    }
    enum pick_what what = pick.what;
    cJSON *obj = cJSON_Duplicate(row->obj, 1);
    md_app_pop(app);    /* frees v: only the copy is used below */
    if (what == PICK_MODEL) {
        /* A registered model: its versions are the next list. */
        const char *name = md_json_str(obj, "$.name", NULL);
        if (name)
            open_picker_of(app, PICK_VERSION, name);
        cJSON_Delete(obj);
        return true;
    }
    struct md_view *iv = md_app_top(app);
    if (obj && iv && iv->cls == &infer_class)
        picked(app, iv, what, obj);
    cJSON_Delete(obj);
    return true;
}

/* parent: the registered model whose versions are listed (NULL: every
 * cached version). */
static void open_picker_of(struct md_app *app, enum pick_what what, const char *parent)
{
    const char *kind = what == PICK_TRAINING  ? "training-jobs"
                       : what == PICK_VERSION ? "model-versions"
                       : what == PICK_MODEL   ? "registered-models"
                                              : "objects";
    const struct md_kind *k = md_kind_find(kind);
    if (pick.v) {
        md_app_msg(app, MD_MSG_INFO, "a list to choose from is already open");
        return;
    }
    struct md_view *v = k ? md_table_new(app, k, parent, parent) : NULL;
    if (!v) {
        md_app_msg(app, MD_MSG_ERROR, "out of memory");
        return;
    }
    pick.v = v;
    pick.what = what;
    pick.orig = v->cls;
    pick.cls = *v->cls;
    pick.cls.name = "infer-picker";
    pick.cls.action = picker_action;
    pick.cls.crumb = picker_crumb;
    pick.cls.free = picker_free;
    v->cls = &pick.cls;
    md_app_push(app, v);
    if (what == PICK_OBJECT)
        md_table_set_filter(app, v, "key:images/");
    md_app_msg(app, MD_MSG_INFO, "Enter chooses %s, Esc goes back",
               what == PICK_TRAINING  ? "the job's model"
               : what == PICK_VERSION ? "the version"
               : what == PICK_MODEL   ? "the registered model (its versions come next)"
                                      : "the image");
}

static void open_picker(struct md_app *app, enum pick_what what)
{
    /* A live MLflow server lists versions per registered model: choose the
     * model first.  The demo's cache holds every version: one list. */
    if (what == PICK_VERSION && !app->settings->demo)
        what = PICK_MODEL;
    open_picker_of(app, what, NULL);
}

/* ---- the prompt ---------------------------------------------------------- */

/* The pane's own one-line prompt for a file name (Tab completes it): the
 * view's key hook sees every key while it is open. */
struct infer_view {
    bool asking;
    enum { PROMPT_MODEL, PROMPT_IMAGE } what;
    char line[1024];
    size_t len;
    char hint[1024];
};

static void ask(struct md_app *app, struct md_view *v, int what)
{
    struct infer_view *iv = v->priv;
    iv->asking = true;
    iv->what = what;
    iv->hint[0] = '\0';
    const char *cur = what == PROMPT_MODEL ? E.model_src : E.image_src;
    /* Start in the current file's folder, so Tab lists its neighbours. */
    const char *slash = strrchr(cur, '/');
    if (slash && !md_model_src_is_remote(cur))
        snprintf(iv->line, sizeof iv->line, "%.*s", (int)(slash - cur + 1), cur);
    else
        iv->line[0] = '\0';
    iv->len = strlen(iv->line);
    app->msg[0] = '\0';
}

static void prompt_accept(struct md_app *app, struct md_view *v)
{
    struct infer_view *iv = v->priv;
    char path[1024];
    const char *p = iv->line;
    while (*p == ' ')
        p++;
    snprintf(path, sizeof path, "%s", p);
    size_t n = strlen(path);
    while (n && path[n - 1] == ' ')
        path[--n] = '\0';
    if (path[0] == '~' && path[1] == '/' && getenv("HOME")) {
        char tmp[1024];
        snprintf(tmp, sizeof tmp, "%s%s", getenv("HOME"), path + 1);
        snprintf(path, sizeof path, "%s", tmp);
        n = strlen(path);
    }
    if (iv->what == PROMPT_MODEL) {
        struct stat st;
        if (path[0] && !md_model_src_is_remote(path) && strncmp(path, "file:", 5) != 0 &&
            stat(path, &st) != 0) {
            md_app_msg(app, MD_MSG_ERROR, "%s: no such file", path);
            return;
        }
        open_model(app, v, path);
        return;
    }
    if (!path[0])
        return;
    struct stat st;
    if (strncmp(path, "s3://", 5) != 0 && stat(path, &st) != 0) {
        md_app_msg(app, MD_MSG_ERROR, "%s: no such file", path);
        return;
    }
    if (strncmp(path, "s3://", 5) != 0 && S_ISDIR(st.st_mode)) {
        /* A folder: its first image. */
        char probe[1100], **list = NULL;
        int idx;
        snprintf(probe, sizeof probe, "%s%s.", path, path[n - 1] == '/' ? "" : "/");
        int cnt = md_image_siblings(probe, &list, &idx);
        if (cnt <= 0) {
            md_app_msg(app, MD_MSG_ERROR, "%s: no PNG or JPEG images here", path);
            md_free_list(list, cnt > 0 ? cnt : 0);
            return;
        }
        snprintf(path, sizeof path, "%s", list[0]);
        md_free_list(list, cnt);
    }
    open_image(app, v, path);
}

static bool infer_key(struct md_app *app, struct md_view *v, int key)
{
    struct infer_view *iv = v->priv;
    if (!iv->asking)
        return false;
    switch (key) {
    case 27:
        iv->asking = false;
        return true;
    case '\n':
    case '\r':
    case KEY_ENTER:
        iv->asking = false;
        prompt_accept(app, v);
        return true;
    case '\t': {
        char out[1024];
        int n;
        if (md_model_src_is_remote(iv->line)) {
            snprintf(iv->hint, sizeof iv->hint, "remote locations are not completed");
            return true;
        }
        n = md_path_complete(iv->line, out, sizeof out, iv->hint, sizeof iv->hint);
        if (n == 0)
            snprintf(iv->hint, sizeof iv->hint, "no file starts with \"%s\"", iv->line);
        snprintf(iv->line, sizeof iv->line, "%s", out);
        iv->len = strlen(iv->line);
        if (n == 1)
            iv->hint[0] = '\0';
        return true;
    }
    case KEY_BACKSPACE:
    case 127:
    case 8:
        if (iv->len == 0) {
            iv->asking = false;
            return true;
        }
        do
            iv->len--;
        while (iv->len > 0 && ((unsigned char)iv->line[iv->len] & 0xC0) == 0x80);
        iv->line[iv->len] = '\0';
        return true;
    case 21: /* C-u */
        iv->len = 0;
        iv->line[0] = '\0';
        return true;
    case 23: /* C-w: back to the previous '/' */
        while (iv->len > 0 && iv->line[iv->len - 1] == '/')
            iv->len--;
        while (iv->len > 0 && iv->line[iv->len - 1] != '/')
            iv->len--;
        iv->line[iv->len] = '\0';
        return true;
    default:
        if (key >= 32 && key < 256 && key != 127 && iv->len + 1 < sizeof iv->line) {
            iv->line[iv->len++] = (char)key;
            iv->line[iv->len] = '\0';
        }
        return true;
    }
}

static int draw_prompt(struct md_app *app, struct md_view *v, struct md_rect r)
{
    struct infer_view *iv = v->priv;
    if (!iv->asking || r.h < 3)
        return 0;
    int y = r.y + r.h - 1;
    int rows = 2;
    const char *what = iv->what == PROMPT_MODEL
                           ? "model: .onnx/model.tar.gz path, s3://, runs:/, models:/, "
                             "mlflow-artifacts:/ or training-job:; empty = the shipped model"
                           : "image: PNG/JPEG path (or a folder) or s3://BUCKET/KEY";
    char head[400];
    snprintf(head, sizeof head, " %s   Tab completes, Enter opens, Esc cancels", what);
    if (iv->hint[0]) {
        md_fill(y - 2, r.x, r.w, md_attr(MD_ROLE_DIALOG));
        md_put(y - 2, r.x + 1, r.w - 1, iv->hint, md_attr(MD_ROLE_DIALOG), false);
        rows = 3;
    }
    md_put(y - 1, r.x, r.w, head, md_attr(MD_ROLE_DIALOG) | A_BOLD, true);
    md_fill(y, r.x, r.w, md_attr(MD_ROLE_NORMAL));
    const char *label = iv->what == PROMPT_MODEL ? "model> " : "image> ";
    int x = md_put(y, r.x, r.w, label, md_attr(MD_ROLE_CRUMB), false);
    const char *text = iv->line;
    while (md_text_width(text) > r.w - x - 2 && *text)
        text++;
    x += md_put(y, r.x + x, r.w - x - 1, text, md_attr(MD_ROLE_NORMAL), false);
    md_put(y, r.x + x, 1, " ", A_REVERSE, false);
    return rows;
}

/* ---- keys ---------------------------------------------------------------- */

static bool infer_action(struct md_app *app, struct md_view *v, enum md_act act,
                         const struct md_binding *b)
{
    int n = list_rows();
    switch (act) {
    case MD_ACT_OPEN_MODEL: ask(app, v, PROMPT_MODEL); break;
    case MD_ACT_OPEN_IMAGE: ask(app, v, PROMPT_IMAGE); break;
    case MD_ACT_MODEL_FROM_JOB: open_picker(app, PICK_TRAINING); break;
    case MD_ACT_MODEL_FROM_REGISTRY: open_picker(app, PICK_VERSION); break;
    case MD_ACT_IMAGE_FROM_DATASET: open_picker(app, PICK_OBJECT); break;
    case MD_ACT_NEXT_IMAGE: step_image(app, v, +1); break;
    case MD_ACT_PREV_IMAGE: step_image(app, v, -1); break;
    case MD_ACT_CONF_UP:
    case MD_ACT_CONF_DOWN: {
        bool up = act == MD_ACT_CONF_UP;
        /* Fine steps below 0.10, where low-confidence boxes pile up. */
        float step = (E.conf < 0.095f || (E.conf < 0.105f && !up)) ? 0.01f : 0.05f;
        float c = E.conf + (up ? step : -step);
        c = roundf(c * 100.0f) / 100.0f;
        if (c < 0.01f)
            c = 0.01f;
        if (c > 0.95f)
            c = 0.95f;
        E.conf = c;
        repost(app);
        break;
    }
    case MD_ACT_RERUN:
        if (E.image_src[0])
            submit(app, v, NULL, E.image_src);
        else
            md_app_msg(app, MD_MSG_INFO, "no image yet: i opens one");
        break;
    case MD_ACT_HIGHLIGHT:
        if (E.sel < E.ndets) {
            E.highlight = !E.highlight;
            if (E.highlight) {
                char nb[16];
                const struct md_yolo_det *d = &E.dets[E.sel];
                md_app_msg(app, MD_MSG_INFO, "%s %.3f at %.0f,%.0f-%.0f,%.0f (%.0fx%.0f px)",
                           class_name(d->cls, nb, sizeof nb), d->conf, d->x1, d->y1, d->x2, d->y2,
                           d->x2 - d->x1, d->y2 - d->y1);
            }
        }
        break;
    case MD_ACT_DOWN: if (E.sel + 1 < n) E.sel++; break;
    case MD_ACT_UP: if (E.sel > 0) E.sel--; break;
    case MD_ACT_TOP: E.sel = 0; break;
    case MD_ACT_BOTTOM: E.sel = n > 0 ? n - 1 : 0; break;
    default: return false;
    }
    return true;
}

static void infer_crumb(struct md_app *app, struct md_view *v, char *out, size_t n)
{
    snprintf(out, n, "inference");
}

static void infer_free(struct md_view *v)
{
    free(v->priv);
    release_frame();
}

static const struct md_view_class infer_class = {
    .name = "inference",
    .ctx = MD_CTX_INFER,
    .draw = infer_draw,
    .action = infer_action,
    .crumb = infer_crumb,
    .free = infer_free,
    .key = infer_key,
    .event = infer_event,
    .after_refresh = infer_after_refresh,
};

struct md_view *md_infer_new(struct md_app *app)
{
    struct md_view *v = md_view_new(&infer_class, sizeof(struct infer_view));
    if (!v)
        return NULL;
    bool first = !E.init;
    engine_init();
    /* Every inference view uses the engine's group, so a job still running
     * when the pane was left reports to the pane opened again. */
    if (!E.group)
        E.group = ++app->next_group;
    v->group = E.group;
    if (first) {
        /* The shipped drone model on the first demo image: the pane shows
         * something useful at once. */
        char model[1200], dir[1200], probe[1300], **list = NULL;
        int idx;
        data_path(DEFAULT_MODEL_REL, model, sizeof model);
        data_path(DEMO_IMAGES_REL, dir, sizeof dir);
        snprintf(probe, sizeof probe, "%s/.", dir);
        int cnt = md_image_siblings(probe, &list, &idx);
        snprintf(E.model_src, sizeof E.model_src, "%s", model);
        submit(app, v, model, cnt > 0 ? list[0] : NULL);
        md_free_list(list, cnt > 0 ? cnt : 0);
    } else {
        run_pending(app, v);
    }
    return v;
}
