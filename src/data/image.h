/* Decoded 8-bit RGB images: PNG (libpng) and JPEG (libjpeg, EXIF orientation
 * applied), PNG writing, and the bilinear resize that matches OpenCV's
 * INTER_LINEAR on 8-bit images (the YOLO letterbox needs its exact pixels). */
#ifndef MD_DATA_IMAGE_H
#define MD_DATA_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* Refuse images with more pixels than this (a 16k x 4k frame), before
 * allocating anything. */
#define MD_IMAGE_MAX_PIXELS ((size_t)1 << 26)
#define MD_IMAGE_MAX_SIDE 65535

struct md_image {
    int w, h;
    uint8_t *rgb;       /* w*h*3 bytes, rows top to bottom, R G B; malloc'd */
};

/* Decodes PNG or JPEG (chosen by the file's first bytes).  Grey, grey+alpha,
 * palette, RGB and RGBA (alpha dropped), 8 or 16 bits.  img->rgb is owned by
 * the caller (md_image_free).  Corrupt or truncated data is MD_ERR_PARSE. */
md_status md_image_load(const char *path, struct md_image *img, struct md_err *err);
md_status md_image_decode(const void *data, size_t len, struct md_image *img, struct md_err *err);
void md_image_free(struct md_image *img);

/* Writes img as an 8-bit RGB PNG. */
md_status md_image_write_png(const char *path, const struct md_image *img, struct md_err *err);

/* Resizes interleaved 8-bit pixels (cn channels) exactly like OpenCV's
 * cv::resize(..., INTER_LINEAR) on CV_8U data (11-bit fixed point). */
md_status md_image_resize_linear(const uint8_t *src, int sw, int sh, uint8_t *dst, int dw, int dh,
                                 int cn, struct md_err *err);

/* EXIF orientation (1..8) from a JPEG APP1 payload ("Exif\0\0" + TIFF); 1 if absent. */
int md_exif_orientation(const uint8_t *app1, size_t len);
/* Applies an EXIF orientation to img (replacing img->rgb); 0 ok, -1 no memory. */
int md_image_orient(struct md_image *img, int orientation);

/* Drawing for annotated outputs. */
void md_image_draw_rect(struct md_image *img, int x1, int y1, int x2, int y2, int thick,
                        const uint8_t rgb[3]);
void md_image_fill_rect(struct md_image *img, int x1, int y1, int x2, int y2, const uint8_t rgb[3]);
/* Draws ASCII text with a built-in 5x7 font scaled by `scale`; returns its width. */
int md_image_draw_text(struct md_image *img, int x, int y, const char *text, int scale,
                       const uint8_t rgb[3]);
int md_image_text_width(const char *text, int scale);

#endif
