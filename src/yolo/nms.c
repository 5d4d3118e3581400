/* Ultralytics non_max_suppression + scale_boxes for one image:
 * candidates whose best class score > conf, best class (first on ties),
 * at most 30000 by score, class-aware NMS by offsetting boxes by
 * class * 7680 (IoU > iou suppresses), max_det kept, then boxes moved out
 * of the letterbox and clipped to the image.  Float32 arithmetic as in
 * torch. */
#include <stdlib.h>
#include <string.h>

#include "yolo/yolo.h"

#define MAX_NMS 30000
#define MAX_WH 7680.0f

struct cand {
    float b[4];     /* xyxy in letterbox pixels */
    float conf;
    int cls;
};

static int by_conf_desc(const void *a, const void *b)
{
    const struct cand *x = a, *y = b;
    return x->conf < y->conf ? 1 : x->conf > y->conf ? -1 : 0;
}

md_status md_yolo_nms(const float *raw, int nc, int n, const struct md_yolo_opts *o,
                      const struct md_yolo_letterbox *lb, struct md_yolo_result *res,
                      struct md_err *err)
{
    res->dets = NULL;
    res->n = 0;
    struct cand *c = malloc(sizeof *c * (size_t)(n ? n : 1));
    if (!c)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    int nc_ = 0;
    for (int a = 0; a < n; a++) {
        float best = raw[(size_t)4 * n + a];
        int bc = 0;
        for (int k = 1; k < nc; k++) {
            float v = raw[(size_t)(4 + k) * n + a];
            if (v > best) {
                best = v;
                bc = k;
            }
        }
        if (!(best > o->conf))
            continue;
        float cx = raw[a], cy = raw[(size_t)n + a], w = raw[(size_t)2 * n + a], h = raw[(size_t)3 * n + a];
        float dw = w / 2, dh = h / 2;
        struct cand *k = &c[nc_++];
        k->b[0] = cx - dw;
        k->b[1] = cy - dh;
        k->b[2] = cx + dw;
        k->b[3] = cy + dh;
        k->conf = best;
        k->cls = bc;
    }
    qsort(c, (size_t)nc_, sizeof *c, by_conf_desc);
    if (nc_ > MAX_NMS)
        nc_ = MAX_NMS;
    /* offset boxes (float32, like torch) and their areas */
    float *ob = malloc(sizeof(float) * 5 * (size_t)(nc_ ? nc_ : 1));
    unsigned char *dead = calloc((size_t)(nc_ ? nc_ : 1), 1);
    int *keep = malloc(sizeof(int) * (size_t)(nc_ ? nc_ : 1));
    if (!ob || !dead || !keep) {
        free(c);
        free(ob);
        free(dead);
        free(keep);
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    for (int i = 0; i < nc_; i++) {
        float off = (float)c[i].cls * MAX_WH;
        float *b = ob + 5 * i;
        for (int k = 0; k < 4; k++)
            b[k] = c[i].b[k] + off;
        b[4] = (b[2] - b[0]) * (b[3] - b[1]);
    }
    int nk = 0;
    for (int i = 0; i < nc_ && nk < o->max_det; i++) {
        if (dead[i])
            continue;
        keep[nk++] = i;
        const float *bi = ob + 5 * i;
        for (int j = i + 1; j < nc_; j++) {
            if (dead[j] || c[j].cls != c[i].cls)
                continue;   /* other classes never overlap after the offset */
            const float *bj = ob + 5 * j;
            float xx1 = bi[0] > bj[0] ? bi[0] : bj[0], yy1 = bi[1] > bj[1] ? bi[1] : bj[1];
            float xx2 = bi[2] < bj[2] ? bi[2] : bj[2], yy2 = bi[3] < bj[3] ? bi[3] : bj[3];
            float w = xx2 - xx1, h = yy2 - yy1;
            w = w > 0 ? w : 0;
            h = h > 0 ? h : 0;
            float inter = w * h;
            float iou = inter / (bi[4] + bj[4] - inter);
            if (iou > o->iou)
                dead[j] = 1;
        }
    }
    res->dets = malloc(sizeof *res->dets * (size_t)(nk ? nk : 1));
    if (!res->dets) {
        free(c);
        free(ob);
        free(dead);
        free(keep);
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    /* scale_boxes: gain = min ratio, pad as in the letterbox */
    float gain = (float)lb->ratio, padx = (float)lb->pad_x, pady = (float)lb->pad_y;
    float W = (float)lb->src_w, H = (float)lb->src_h;
    for (int i = 0; i < nk; i++) {
        const struct cand *k = &c[keep[i]];
        struct md_yolo_det *d = &res->dets[i];
        float x1 = (k->b[0] - padx) / gain, y1 = (k->b[1] - pady) / gain;
        float x2 = (k->b[2] - padx) / gain, y2 = (k->b[3] - pady) / gain;
        d->x1 = x1 < 0 ? 0 : x1 > W ? W : x1;
        d->y1 = y1 < 0 ? 0 : y1 > H ? H : y1;
        d->x2 = x2 < 0 ? 0 : x2 > W ? W : x2;
        d->y2 = y2 < 0 ? 0 : y2 > H ? H : y2;
        d->conf = k->conf;
        d->cls = k->cls;
    }
    res->n = nk;
    res->img_w = lb->src_w;
    res->img_h = lb->src_h;
    res->lb = *lb;
    free(c);
    free(ob);
    free(dead);
    free(keep);
    return MD_OK;
}

void md_yolo_result_free(struct md_yolo_result *res)
{
    if (res) {
        free(res->dets);
        res->dets = NULL;
        res->n = 0;
    }
}
