/* PNG and JPEG decoding to 8-bit RGB, and PNG writing. */
#include "data/image.h"

#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
/* jpeglib.h needs stdio.h first */
#include <jpeglib.h>
#include <png.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void md_image_free(struct md_image *img)
{
    if (img) {
        free(img->rgb);
        img->rgb = NULL;
        img->w = img->h = 0;
    }
}

static md_status check_size(uint64_t w, uint64_t h, const char *kind, struct md_err *err)
{
    if (w == 0 || h == 0)
        return md_err_set(err, MD_ERR_PARSE, "%s image has no pixels", kind);
    if (w > MD_IMAGE_MAX_SIDE || h > MD_IMAGE_MAX_SIDE || w * h > MD_IMAGE_MAX_PIXELS)
        return md_err_set(err, MD_ERR_UNSUPPORTED, "%s image of %llux%llu pixels is too large", kind,
                          (unsigned long long)w, (unsigned long long)h);
    return MD_OK;
}

/* ---- PNG ---- */

struct png_src {
    const uint8_t *p;
    size_t len, at;
};

struct png_errctx {
    jmp_buf jb;
    char msg[200];
};

static void png_read_mem(png_structp png, png_bytep out, png_size_t n)
{
    struct png_src *s = png_get_io_ptr(png);
    if (n > s->len - s->at)
        png_error(png, "truncated file");
    memcpy(out, s->p + s->at, n);
    s->at += n;
}

static void png_on_error(png_structp png, png_const_charp msg)
{
    struct png_errctx *e = png_get_error_ptr(png);
    snprintf(e->msg, sizeof e->msg, "%s", msg);
    longjmp(e->jb, 1);
}

static void png_on_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

static md_status decode_png(const uint8_t *data, size_t len, struct md_image *img, struct md_err *err)
{
    struct png_src src = {data, len, 0};
    struct png_errctx ectx = {.msg = ""};
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &ectx, png_on_error, png_on_warning);
    if (!png)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    png_infop info = png_create_info_struct(png);
    /* volatile: they change between setjmp and a longjmp back */
    uint8_t *volatile pixels = NULL;
    png_bytep *volatile rows = NULL;
    if (!info) {
        png_destroy_read_struct(&png, NULL, NULL);
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    if (setjmp(ectx.jb)) {
        free(pixels);
        free(rows);
        png_destroy_read_struct(&png, &info, NULL);
        return md_err_set(err, MD_ERR_PARSE, "corrupt or truncated PNG: %s", ectx.msg);
    }
    png_set_read_fn(png, &src, png_read_mem);
    png_set_user_limits(png, MD_IMAGE_MAX_SIDE, MD_IMAGE_MAX_SIDE);
    png_read_info(png, info);
    png_uint_32 w = png_get_image_width(png, info), h = png_get_image_height(png, info);
    md_status st = check_size(w, h, "PNG", err);
    if (st) {
        png_destroy_read_struct(&png, &info, NULL);
        return st;
    }
    int ct = png_get_color_type(png, info), depth = png_get_bit_depth(png, info);
    if (depth == 16)
        png_set_strip_16(png);
    if (ct == PNG_COLOR_TYPE_PALETTE)
        png_set_palette_to_rgb(png);
    if (ct == PNG_COLOR_TYPE_GRAY && depth < 8)
        png_set_expand_gray_1_2_4_to_8(png);
    if (ct == PNG_COLOR_TYPE_GRAY || ct == PNG_COLOR_TYPE_GRAY_ALPHA)
        png_set_gray_to_rgb(png);
    png_set_strip_alpha(png);
    if (png_get_valid(png, info, PNG_INFO_tRNS))
        png_set_tRNS_to_alpha(png), png_set_strip_alpha(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    if (png_get_rowbytes(png, info) != (size_t)w * 3)
        png_error(png, "unexpected pixel layout");
    pixels = malloc((size_t)w * h * 3);
    rows = malloc(sizeof(png_bytep) * h);
    if (!pixels || !rows)
        png_error(png, "out of memory");
    for (png_uint_32 y = 0; y < h; y++)
        rows[y] = pixels + (size_t)y * w * 3;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    free(rows);
    png_destroy_read_struct(&png, &info, NULL);
    img->w = (int)w;
    img->h = (int)h;
    img->rgb = pixels;
    return MD_OK;
}

/* ---- JPEG ---- */

struct jpeg_errctx {
    struct jpeg_error_mgr mgr;
    jmp_buf jb;
    char msg[JMSG_LENGTH_MAX];
    int warned;
};

static void jpeg_on_error(j_common_ptr c)
{
    struct jpeg_errctx *e = (struct jpeg_errctx *)c->err;
    c->err->format_message(c, e->msg);
    longjmp(e->jb, 1);
}

static void jpeg_on_message(j_common_ptr c, int level)
{
    struct jpeg_errctx *e = (struct jpeg_errctx *)c->err;
    /* A warning means corrupt or missing data (e.g. a truncated file that
     * libjpeg would otherwise pad with grey): treat it as an error. */
    if (level < 0 && !e->warned) {
        e->warned = 1;
        c->err->format_message(c, e->msg);
    }
}

static md_status decode_jpeg(const uint8_t *data, size_t len, struct md_image *img, struct md_err *err)
{
    struct jpeg_decompress_struct cinfo;
    struct jpeg_errctx ectx;
    memset(&ectx, 0, sizeof ectx);
    uint8_t *volatile pixels = NULL;
    cinfo.err = jpeg_std_error(&ectx.mgr);
    ectx.mgr.error_exit = jpeg_on_error;
    ectx.mgr.emit_message = jpeg_on_message;
    if (setjmp(ectx.jb)) {
        free(pixels);
        jpeg_destroy_decompress(&cinfo);
        return md_err_set(err, MD_ERR_PARSE, "corrupt or truncated JPEG: %s", ectx.msg);
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)len);
    jpeg_save_markers(&cinfo, JPEG_APP0 + 1, 0xffff);
    jpeg_read_header(&cinfo, TRUE);
    md_status st = check_size(cinfo.image_width, cinfo.image_height, "JPEG", err);
    if (st) {
        jpeg_destroy_decompress(&cinfo);
        return st;
    }
    int orientation = 1;
    for (jpeg_saved_marker_ptr m = cinfo.marker_list; m; m = m->next)
        if (m->marker == JPEG_APP0 + 1) {
            int o = md_exif_orientation(m->data, m->data_length);
            if (o != 1) {
                orientation = o;
                break;
            }
        }
    int cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
    cinfo.out_color_space = cmyk ? JCS_CMYK : cinfo.num_components == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_start_decompress(&cinfo);
    size_t w = cinfo.output_width, h = cinfo.output_height;
    int nc = cinfo.output_components;
    pixels = malloc(w * h * 3);
    uint8_t *row = malloc(w * (size_t)nc);
    if (!pixels || !row) {
        free(row);
        snprintf(ectx.msg, sizeof ectx.msg, "out of memory");
        longjmp(ectx.jb, 1);
    }
    while (cinfo.output_scanline < h) {
        size_t y = cinfo.output_scanline;
        JSAMPROW rp = row;
        if (jpeg_read_scanlines(&cinfo, &rp, 1) != 1)
            break;
        uint8_t *d = pixels + y * w * 3;
        for (size_t x = 0; x < w; x++) {
            if (nc == 1) {
                d[3 * x] = d[3 * x + 1] = d[3 * x + 2] = row[x];
            } else if (nc == 4) {   /* Adobe CMYK is stored inverted */
                unsigned k = row[4 * x + 3];
                for (int c = 0; c < 3; c++)
                    d[3 * x + c] = (uint8_t)((row[4 * x + c] * k + 127) / 255);
            } else {
                memcpy(d + 3 * x, row + 3 * x, 3);
            }
        }
    }
    free(row);
    if (ectx.warned) {
        free(pixels);
        jpeg_destroy_decompress(&cinfo);
        return md_err_set(err, MD_ERR_PARSE, "corrupt or truncated JPEG: %s", ectx.msg);
    }
    jpeg_finish_decompress(&cinfo);
    int warned = ectx.warned;
    jpeg_destroy_decompress(&cinfo);
    if (warned) {
        free(pixels);
        return md_err_set(err, MD_ERR_PARSE, "corrupt or truncated JPEG: %s", ectx.msg);
    }
    img->w = (int)w;
    img->h = (int)h;
    img->rgb = pixels;
    if (md_image_orient(img, orientation) < 0) {
        md_image_free(img);
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    return MD_OK;
}

/* ---- EXIF orientation ---- */

static unsigned rd16(const uint8_t *p, int le)
{
    return le ? (unsigned)(p[0] | p[1] << 8) : (unsigned)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p, int le)
{
    return le ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24
              : (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

int md_exif_orientation(const uint8_t *d, size_t len)
{
    if (len < 14 || memcmp(d, "Exif\0\0", 6) != 0)
        return 1;
    const uint8_t *t = d + 6;
    size_t tl = len - 6;
    int le;
    if (!memcmp(t, "II*\0", 4))
        le = 1;
    else if (!memcmp(t, "MM\0*", 4))
        le = 0;
    else
        return 1;
    uint32_t ifd = rd32(t + 4, le);
    if (ifd > tl || tl - ifd < 2)
        return 1;
    unsigned n = rd16(t + ifd, le);
    for (unsigned i = 0; i < n; i++) {
        size_t e = (size_t)ifd + 2 + (size_t)i * 12;
        if (e + 12 > tl)
            return 1;
        if (rd16(t + e, le) == 0x0112) {
            unsigned type = rd16(t + e + 2, le);
            unsigned v = type == 3 ? rd16(t + e + 8, le) : type == 4 ? rd32(t + e + 8, le) : 1;
            return v >= 1 && v <= 8 ? (int)v : 1;
        }
    }
    return 1;
}

int md_image_orient(struct md_image *img, int o)
{
    if (o <= 1 || o > 8)
        return 0;
    int W = img->w, H = img->h;
    int swap = o >= 5;
    int ow = swap ? H : W, oh = swap ? W : H;
    uint8_t *dst = malloc((size_t)ow * oh * 3);
    if (!dst)
        return -1;
    for (int y = 0; y < oh; y++)
        for (int x = 0; x < ow; x++) {
            int sx, sy;
            switch (o) {
            case 2: sx = W - 1 - x; sy = y; break;
            case 3: sx = W - 1 - x; sy = H - 1 - y; break;
            case 4: sx = x; sy = H - 1 - y; break;
            case 5: sx = y; sy = x; break;
            case 6: sx = y; sy = H - 1 - x; break;
            case 7: sx = W - 1 - y; sy = H - 1 - x; break;
            default: sx = W - 1 - y; sy = x; break;   /* 8 */
            }
            memcpy(dst + ((size_t)y * ow + x) * 3, img->rgb + ((size_t)sy * W + sx) * 3, 3);
        }
    free(img->rgb);
    img->rgb = dst;
    img->w = ow;
    img->h = oh;
    return 0;
}

/* ---- entry points ---- */

md_status md_image_decode(const void *data, size_t len, struct md_image *img, struct md_err *err)
{
    const uint8_t *d = data;
    img->w = img->h = 0;
    img->rgb = NULL;
    if (len >= 8 && !memcmp(d, "\x89PNG\r\n\x1a\n", 8))
        return decode_png(d, len, img, err);
    if (len >= 3 && d[0] == 0xff && d[1] == 0xd8 && d[2] == 0xff)
        return decode_jpeg(d, len, img, err);
    return md_err_set(err, MD_ERR_UNSUPPORTED, "not a PNG or JPEG image");
}

md_status md_image_load(const char *path, struct md_image *img, struct md_err *err)
{
    img->w = img->h = 0;
    img->rgb = NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return md_err_set(err, errno == ENOENT ? MD_ERR_NOTFOUND : MD_ERR_IO, "%s: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fileno(fp), &sb) < 0 || !S_ISREG(sb.st_mode) || sb.st_size > ((off_t)1 << 30)) {
        fclose(fp);
        return md_err_set(err, MD_ERR_IO, "%s: not a regular file of at most 1 GiB", path);
    }
    size_t n = (size_t)sb.st_size;
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf) {
        fclose(fp);
        return md_err_set(err, MD_ERR_NOMEM, "%s: out of memory", path);
    }
    size_t got = fread(buf, 1, n, fp);
    fclose(fp);
    md_status st = got != n ? md_err_set(err, MD_ERR_IO, "short read") : md_image_decode(buf, n, img, err);
    free(buf);
    if (st)
        md_err_wrap(err, "%s", path);
    return st;
}

md_status md_image_write_png(const char *path, const struct md_image *img, struct md_err *err)
{
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return md_err_set(err, MD_ERR_IO, "%s: %s", path, strerror(errno));
    png_image pi;
    memset(&pi, 0, sizeof pi);
    pi.version = PNG_IMAGE_VERSION;
    pi.width = (png_uint_32)img->w;
    pi.height = (png_uint_32)img->h;
    pi.format = PNG_FORMAT_RGB;
    int ok = png_image_write_to_stdio(&pi, fp, 0, img->rgb, img->w * 3, NULL);
    int cerr = fclose(fp);
    if (!ok || cerr) {
        md_status st = md_err_set(err, MD_ERR_IO, "%s: cannot write PNG: %s", path,
                                  ok ? strerror(errno) : pi.message);
        png_image_free(&pi);
        return st;
    }
    return MD_OK;
}
