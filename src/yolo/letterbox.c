/* Ultralytics LetterBox(auto=False, scaleup=True, center=True): scale to fit,
 * round the new size half to even (Python round), pad with 114 split as
 * round(d - 0.1) / round(d + 0.1), resize with OpenCV INTER_LINEAR. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "yolo/yolo.h"

void md_yolo_letterbox_geometry(int w, int h, int sh, int sw, struct md_yolo_letterbox *lb)
{
    double r = fmin((double)sh / h, (double)sw / w);
    lb->src_w = w;
    lb->src_h = h;
    lb->ratio = r;
    lb->new_w = (int)nearbyint(w * r);
    lb->new_h = (int)nearbyint(h * r);
    double dw = (sw - lb->new_w) / 2.0, dh = (sh - lb->new_h) / 2.0;
    lb->top = (int)nearbyint(dh - 0.1);
    lb->left = (int)nearbyint(dw - 0.1);
    lb->pad_x = (int)nearbyint((sw - w * r) / 2 - 0.1);
    lb->pad_y = (int)nearbyint((sh - h * r) / 2 - 0.1);
}

md_status md_yolo_letterbox(const struct md_image *img, int sh, int sw, float *out,
                            struct md_yolo_letterbox *lb, struct md_err *err)
{
    md_yolo_letterbox_geometry(img->w, img->h, sh, sw, lb);
    const uint8_t *px = img->rgb;
    uint8_t *tmp = NULL;
    if (lb->new_w != img->w || lb->new_h != img->h) {
        if (lb->new_w < 1 || lb->new_h < 1)
            return md_err_set(err, MD_ERR_INVALID, "image too small to letterbox");
        tmp = malloc((size_t)lb->new_w * lb->new_h * 3);
        if (!tmp)
            return md_err_set(err, MD_ERR_NOMEM, "out of memory");
        md_status st = md_image_resize_linear(img->rgb, img->w, img->h, tmp, lb->new_w, lb->new_h, 3, err);
        if (st) {
            free(tmp);
            return st;
        }
        px = tmp;
    }
    const float pad = 114.0f / 255.0f;
    size_t plane = (size_t)sh * sw;
    for (int c = 0; c < 3; c++) {
        float *o = out + c * plane;
        for (int y = 0; y < sh; y++) {
            float *row = o + (size_t)y * sw;
            int iy = y - lb->top;
            if (iy < 0 || iy >= lb->new_h) {
                for (int x = 0; x < sw; x++)
                    row[x] = pad;
                continue;
            }
            const uint8_t *src = px + (size_t)iy * lb->new_w * 3 + c;
            for (int x = 0; x < sw; x++) {
                int ix = x - lb->left;
                row[x] = ix >= 0 && ix < lb->new_w ? (float)src[ix * 3] / 255.0f : pad;
            }
        }
    }
    free(tmp);
    return MD_OK;
}
