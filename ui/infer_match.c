#include "ui/infer_match.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Reads one number at *p (no locale surprises: strtod on a bounded copy). */
static int read_num(const char **p, const char *end, double *v)
{
    const char *s = *p;
    while (s < end && (*s == ' ' || *s == '\t'))
        s++;
    char buf[64];
    size_t n = 0;
    while (s + n < end && !isspace((unsigned char)s[n]) && n + 1 < sizeof buf) {
        buf[n] = s[n];
        n++;
    }
    if (n == 0 || (s + n < end && !isspace((unsigned char)s[n])))
        return 0;
    buf[n] = '\0';
    char *e;
    errno = 0;
    double d = strtod(buf, &e);
    if (*e || errno == ERANGE || !isfinite(d))
        return 0;
    *v = d;
    *p = s + n;
    return 1;
}

static double clip01(double v)
{
    return v < 0 ? 0 : v > 1 ? 1 : v;
}

md_status md_labels_parse(const char *text, size_t len, int img_w, int img_h,
                          struct md_label **out, int *n, struct md_err *err)
{
    *out = NULL;
    *n = 0;
    if (img_w <= 0 || img_h <= 0)
        return md_err_set(err, MD_ERR_INVALID, "labels: the image has no size");
    struct md_label *v = NULL;
    int cnt = 0, cap = 0, lineno = 0;
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        lineno++;
        const char *s = p;
        p = nl ? nl + 1 : end;
        while (s < le && isspace((unsigned char)*s))
            s++;
        const char *e = le;
        while (e > s && isspace((unsigned char)e[-1]))
            e--;
        if (s == e || *s == '#')
            continue;
        double f[5];
        int k = 0;
        const char *q = s;
        while (k < 5 && read_num(&q, e, &f[k]))
            k++;
        while (q < e && isspace((unsigned char)*q))
            q++;
        if (k < 5 || q != e) {
            free(v);
            return md_err_set(err, MD_ERR_PARSE,
                              "line %d: expected 5 numbers: class cx cy w h", lineno);
        }
        if (f[0] < 0 || f[0] > 9999 || f[0] != floor(f[0])) {
            free(v);
            return md_err_set(err, MD_ERR_PARSE, "line %d: class id must be 0..9999", lineno);
        }
        /* Normalised coordinates: a little overshoot is rounding, more is
         * a pixel-coordinate file we must not misread. */
        for (int i = 1; i < 5; i++)
            if (f[i] < -0.01 || f[i] > 1.01) {
                free(v);
                return md_err_set(err, MD_ERR_PARSE,
                                  "line %d: coordinates must be normalised (0..1)", lineno);
            }
        if (cnt == MD_LABELS_MAX) {
            free(v);
            return md_err_set(err, MD_ERR_PARSE, "labels: more than %d boxes", MD_LABELS_MAX);
        }
        if (cnt == cap) {
            int nc = cap ? cap * 2 : 16;
            struct md_label *nv = realloc(v, (size_t)nc * sizeof *nv);
            if (!nv) {
                free(v);
                return md_err_set(err, MD_ERR_NOMEM, "out of memory");
            }
            v = nv;
            cap = nc;
        }
        double cx = clip01(f[1]), cy = clip01(f[2]), w = clip01(f[3]), h = clip01(f[4]);
        struct md_label *l = &v[cnt++];
        l->cls = (int)f[0];
        l->x1 = fmax(0, (cx - w / 2) * img_w);
        l->x2 = fmin(img_w, (cx + w / 2) * img_w);
        l->y1 = fmax(0, (cy - h / 2) * img_h);
        l->y2 = fmin(img_h, (cy + h / 2) * img_h);
    }
    *out = v;
    *n = cnt;
    return MD_OK;
}

md_status md_labels_load(const char *path, int img_w, int img_h, struct md_label **out, int *n,
                         struct md_err *err)
{
    *out = NULL;
    *n = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return md_err_set(err, errno == ENOENT ? MD_ERR_NOTFOUND : MD_ERR_IO, "%s: %s", path,
                          strerror(errno));
    size_t cap = 1u << 20;
    char *buf = malloc(cap + 1);
    if (!buf) {
        fclose(f);
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    size_t len = fread(buf, 1, cap + 1, f);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return md_err_set(err, MD_ERR_IO, "%s: read error", path);
    }
    if (len > cap) {
        free(buf);
        return md_err_set(err, MD_ERR_PARSE, "%s: larger than 1 MiB, not a label file", path);
    }
    md_status st = md_labels_parse(buf, len, img_w, img_h, out, n, err);
    free(buf);
    if (st != MD_OK)
        md_err_wrap(err, "%s", path);
    return st;
}

static int is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

int md_labels_path_for(const char *image_path, char *out, size_t n)
{
    const char *slash = strrchr(image_path, '/');
    const char *base = slash ? slash + 1 : image_path;
    const char *dot = strrchr(base, '.');
    size_t stem_end = (size_t)((dot && dot != base ? dot : base + strlen(base)) - image_path);
    char cand[4096];
    if (stem_end + 5 >= sizeof cand)
        return 0;
    memcpy(cand, image_path, stem_end);
    memcpy(cand + stem_end, ".txt", 5);
    if (strcmp(cand, image_path) != 0 && is_file(cand)) {
        snprintf(out, n, "%s", cand);
        return 1;
    }
    /* YOLO layout: the last "images" directory component becomes "labels". */
    const char *seg = NULL;
    for (const char *s = image_path; (s = strstr(s, "images/")) != NULL; s++)
        if (s == image_path || s[-1] == '/')
            seg = s;
    if (!seg || (size_t)(seg - image_path) >= stem_end)
        return 0;
    size_t pre = (size_t)(seg - image_path);
    memcpy(cand, image_path, pre);
    memcpy(cand + pre, "labels", 6);
    size_t rest = stem_end - pre - 6;
    memcpy(cand + pre + 6, image_path + pre + 6, rest);
    memcpy(cand + pre + 6 + rest, ".txt", 5);
    if (is_file(cand)) {
        snprintf(out, n, "%s", cand);
        return 1;
    }
    return 0;
}

double md_iou(double ax1, double ay1, double ax2, double ay2, double bx1, double by1, double bx2,
              double by2)
{
    double iw = fmin(ax2, bx2) - fmax(ax1, bx1);
    double ih = fmin(ay2, by2) - fmax(ay1, by1);
    if (!(iw > 0) || !(ih > 0))
        return 0;
    double inter = iw * ih;
    double ua = (ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - inter;
    return ua > 0 ? inter / ua : 0;
}

struct order {
    float conf;
    int i;
};

static int by_conf_desc(const void *a, const void *b)
{
    const struct order *x = a, *y = b;
    if (x->conf != y->conf)
        return x->conf > y->conf ? -1 : 1;
    return x->i - y->i;
}

int md_match(const struct md_match_det *dets, int nd, const struct md_label *labels, int nl,
             double thr, int *det_state, int *det_label, int *label_hit,
             struct md_match_counts *counts)
{
    memset(counts, 0, sizeof *counts);
    for (int j = 0; j < nl; j++)
        label_hit[j] = 0;
    struct order *ord = nd ? malloc((size_t)nd * sizeof *ord) : NULL;
    if (nd && !ord)
        return -1;
    for (int i = 0; i < nd; i++) {
        ord[i].conf = dets[i].conf;
        ord[i].i = i;
    }
    if (nd > 1)
        qsort(ord, (size_t)nd, sizeof *ord, by_conf_desc);
    for (int k = 0; k < nd; k++) {
        int i = ord[k].i;
        const struct md_match_det *d = &dets[i];
        int best = -1;
        double best_iou = thr;
        for (int j = 0; j < nl; j++) {
            if (label_hit[j] || labels[j].cls != d->cls)
                continue;
            double iou = md_iou(d->x1, d->y1, d->x2, d->y2, labels[j].x1, labels[j].y1,
                                labels[j].x2, labels[j].y2);
            if (iou >= best_iou) {
                if (best < 0 || iou > best_iou) {
                    best = j;
                    best_iou = iou;
                }
            }
        }
        if (best >= 0) {
            label_hit[best] = 1;
            det_state[i] = MD_MATCH_TP;
            counts->tp++;
        } else {
            det_state[i] = MD_MATCH_FP;
            counts->fp++;
        }
        if (det_label)
            det_label[i] = best;
    }
    for (int j = 0; j < nl; j++)
        if (!label_hit[j])
            counts->miss++;
    free(ord);
    return 0;
}
