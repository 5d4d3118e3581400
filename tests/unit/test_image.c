/* Image loading: PNG/JPEG decoding of the shared test images, grey/RGBA
 * conversion, EXIF orientation, corrupt/truncated/absurd files refused,
 * PNG writing round trip, the OpenCV-style bilinear resize, and the
 * letterbox geometry rule. */
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "data/image.h"
#include "yolo/yolo.h"

static uint8_t *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    rewind(f);
    uint8_t *b = malloc(*n + 1);
    if (fread(b, 1, *n, f) != *n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    return b;
}

static uint32_t crc32_of(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
    }
    return c ^ 0xffffffffu;
}

static void be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* A JPEG with an APP1/EXIF orientation segment inserted after SOI. */
static uint8_t *with_orientation(const uint8_t *jpg, size_t n, int o, int big_endian, size_t *out_n)
{
    uint8_t app[64];
    size_t k = 0;
    app[k++] = 0xff;
    app[k++] = 0xe1;
    size_t len_at = k;
    k += 2;
    memcpy(app + k, "Exif\0\0", 6);
    k += 6;
    size_t tiff = k;
    if (big_endian) {
        memcpy(app + k, "MM\0*\0\0\0\x08", 8);
    } else {
        memcpy(app + k, "II*\0\x08\0\0\0", 8);
    }
    k += 8;
    uint8_t ifd[18] = {0};
    if (big_endian) {
        ifd[1] = 1;                     /* one entry */
        ifd[2] = 0x01; ifd[3] = 0x12;   /* tag 0x0112 */
        ifd[5] = 3;                     /* SHORT */
        ifd[9] = 1;                     /* count 1 */
        ifd[11] = (uint8_t)o;
    } else {
        ifd[0] = 1;
        ifd[2] = 0x12; ifd[3] = 0x01;
        ifd[4] = 3;
        ifd[6] = 1;
        ifd[10] = (uint8_t)o;
    }
    memcpy(app + k, ifd, sizeof ifd);
    k += sizeof ifd;
    (void)tiff;
    size_t seg = k - 2;
    app[len_at] = (uint8_t)(seg >> 8);
    app[len_at + 1] = (uint8_t)seg;
    uint8_t *r = malloc(n + k);
    memcpy(r, jpg, 2);
    memcpy(r + 2, app, k);
    memcpy(r + 2 + k, jpg + 2, n - 2);
    *out_n = n + k;
    return r;
}

static int px_eq(const struct md_image *a, int ax, int ay, const struct md_image *b, int bx, int by)
{
    return !memcmp(a->rgb + ((size_t)ay * a->w + ax) * 3, b->rgb + ((size_t)by * b->w + bx) * 3, 3);
}

static void test_orientation(const uint8_t *jpg, size_t n, const struct md_image *base)
{
    int W = base->w, H = base->h;
    for (int o = 1; o <= 8; o++) {
        size_t m;
        uint8_t *j = with_orientation(jpg, n, o, o % 2, &m);
        struct md_image img;
        struct md_err err = {0};
        if (!TAP_OK(md_image_decode(j, m, &img, &err) == MD_OK, "EXIF orientation %d decodes (%s)", o, err.msg)) {
            free(j);
            continue;
        }
        int swap = o >= 5;
        TAP_OK(img.w == (swap ? H : W) && img.h == (swap ? W : H), "orientation %d: size %dx%d", o, img.w, img.h);
        /* where the source's top-left pixel ends up */
        int x = 0, y = 0;
        switch (o) {
        case 2: x = W - 1; break;
        case 3: x = W - 1; y = H - 1; break;
        case 4: y = H - 1; break;
        case 6: x = H - 1; break;
        case 7: x = H - 1; y = W - 1; break;
        case 8: y = W - 1; break;
        default: break;
        }
        int probe_x = W / 3, probe_y = H / 5, px = probe_x, py = probe_y;   /* and an interior pixel */
        switch (o) {
        case 2: px = W - 1 - probe_x; break;
        case 3: px = W - 1 - probe_x; py = H - 1 - probe_y; break;
        case 4: py = H - 1 - probe_y; break;
        case 5: px = probe_y; py = probe_x; break;
        case 6: px = H - 1 - probe_y; py = probe_x; break;
        case 7: px = H - 1 - probe_y; py = W - 1 - probe_x; break;
        case 8: px = probe_y; py = W - 1 - probe_x; break;
        default: break;
        }
        TAP_OK(px_eq(&img, x, y, base, 0, 0) && px_eq(&img, px, py, base, probe_x, probe_y),
               "orientation %d moves pixels as EXIF says", o);
        md_image_free(&img);
        free(j);
    }
}

static md_status decode_png_of(const uint8_t *px, int w, int h, png_uint_32 format, struct md_image *img,
                               struct md_err *err)
{
    png_image pi;
    memset(&pi, 0, sizeof pi);
    pi.version = PNG_IMAGE_VERSION;
    pi.width = (png_uint_32)w;
    pi.height = (png_uint_32)h;
    pi.format = format;
    png_alloc_size_t n = 0;
    png_image_write_to_memory(&pi, NULL, &n, 0, px, 0, NULL);
    uint8_t *buf = malloc(n);
    png_image_write_to_memory(&pi, buf, &n, 0, px, 0, NULL);
    md_status st = md_image_decode(buf, n, img, err);
    free(buf);
    return st;
}

int main(void)
{
    struct md_err err = {0};
    struct md_image img;

    /* synthetic grey, grey+alpha and RGBA PNGs */
    uint8_t grey[4 * 3], ga[4 * 3 * 2], rgba[4 * 3 * 4];
    for (int i = 0; i < 12; i++) {
        grey[i] = (uint8_t)(i * 20);
        ga[2 * i] = (uint8_t)(i * 20);
        ga[2 * i + 1] = (uint8_t)(255 - i);
        for (int c = 0; c < 3; c++)
            rgba[4 * i + c] = (uint8_t)(i * 10 + c);
        rgba[4 * i + 3] = (uint8_t)(i * 7);
    }
    if (TAP_OK(decode_png_of(grey, 4, 3, PNG_FORMAT_GRAY, &img, &err) == MD_OK, "grey PNG decodes")) {
        TAP_OK(img.w == 4 && img.h == 3 && img.rgb[3 * 5] == 100 && img.rgb[3 * 5 + 1] == 100 &&
                   img.rgb[3 * 5 + 2] == 100, "grey is replicated to RGB");
        md_image_free(&img);
    }
    if (TAP_OK(decode_png_of(ga, 4, 3, PNG_FORMAT_GA, &img, &err) == MD_OK, "grey+alpha PNG decodes")) {
        TAP_OK(img.rgb[3 * 7] == 140 && img.rgb[3 * 7 + 2] == 140, "grey+alpha: alpha dropped");
        md_image_free(&img);
    }
    if (TAP_OK(decode_png_of(rgba, 4, 3, PNG_FORMAT_RGBA, &img, &err) == MD_OK, "RGBA PNG decodes")) {
        TAP_OK(img.rgb[3 * 6] == 60 && img.rgb[3 * 6 + 1] == 61 && img.rgb[3 * 6 + 2] == 62,
               "RGBA: colour kept, alpha dropped (not composited)");
        md_image_free(&img);
    }

    /* bad input */
    TAP_OK(md_image_decode("", 0, &img, &err) != MD_OK, "empty input: %s", err.msg);
    TAP_OK(md_image_decode("GIF89a....", 10, &img, &err) == MD_ERR_UNSUPPORTED, "unknown format: %s", err.msg);
    const uint8_t png_garbage[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 1, 2, 3, 4, 5, 6, 7, 8, 9};
    TAP_OK(md_image_decode(png_garbage, sizeof png_garbage, &img, &err) == MD_ERR_PARSE, "garbage PNG: %s",
           err.msg);
    /* a PNG header claiming 100000 x 100000 pixels */
    uint8_t huge[8 + 25];
    memcpy(huge, "\x89PNG\r\n\x1a\n", 8);
    be32(huge + 8, 13);
    memcpy(huge + 12, "IHDR", 4);
    be32(huge + 16, 100000);
    be32(huge + 20, 100000);
    huge[24] = 8;
    huge[25] = 2;
    huge[26] = huge[27] = huge[28] = 0;
    be32(huge + 29, crc32_of(huge + 12, 17));
    md_status st = md_image_decode(huge, sizeof huge, &img, &err);
    TAP_OK(st != MD_OK && err.msg[0], "PNG claiming 100000x100000 is refused before allocating: %s", err.msg);
    TAP_OK(md_image_load("/nonexistent/x.png", &img, &err) == MD_ERR_NOTFOUND, "missing file: %s", err.msg);

    const char *shared = getenv("MLDECK_SHARED");
    char path[1024];
    snprintf(path, sizeof path, "%s/models/images/test_00.jpg", shared ? shared : "");
    size_t jn = 0, pn = 0;
    uint8_t *jpg = shared ? slurp(path, &jn) : NULL;
    snprintf(path, sizeof path, "%s/models/images/test_00.png", shared ? shared : "");
    uint8_t *png = shared ? slurp(path, &pn) : NULL;
    if (jpg && png) {
        struct md_image pj, pp;
        TAP_OK(md_image_decode(jpg, jn, &pj, &err) == MD_OK && pj.w == 320 && pj.h == 320, "test_00.jpg decodes");
        TAP_OK(md_image_decode(png, pn, &pp, &err) == MD_OK && pp.w == 320 && pp.h == 320, "test_00.png decodes");
        /* truncations and corruption */
        int refused = 0, tries = 0;
        for (size_t cut = 0; cut < jn - 2; cut += jn / 23 + 1, tries++)
            if (md_image_decode(jpg, cut, &img, &err) != MD_OK && err.msg[0])
                refused++;
            else
                md_image_free(&img);
        TAP_EQ_INT(refused, tries, "JPEG truncated at %d points: clear error each time", tries);
        refused = tries = 0;
        for (size_t cut = 0; cut < pn - 12; cut += pn / 23 + 1, tries++)
            if (md_image_decode(png, cut, &img, &err) != MD_OK && err.msg[0])
                refused++;
            else
                md_image_free(&img);
        TAP_EQ_INT(refused, tries, "PNG truncated at %d points: clear error each time", tries);
        md_image_decode(jpg, jn / 2, &img, &err);
        TAP_OK(strstr(err.msg, "corrupt or truncated JPEG") != NULL, "message says what is wrong: %s", err.msg);
        uint8_t *bad = malloc(pn);
        memcpy(bad, png, pn);
        for (size_t i = pn / 2; i < pn / 2 + 64; i++)
            bad[i] ^= 0x5a;
        TAP_OK(md_image_decode(bad, pn, &img, &err) == MD_ERR_PARSE, "corrupted PNG data: %s", err.msg);
        free(bad);
        /* a JPEG whose frame header claims 65000 x 65000 */
        bad = malloc(jn);
        memcpy(bad, jpg, jn);
        for (size_t i = 2; i + 9 < jn; i++)
            if (bad[i] == 0xff && (bad[i + 1] == 0xc0 || bad[i + 1] == 0xc2)) {
                bad[i + 5] = 0xfd;
                bad[i + 6] = 0xe8;
                bad[i + 7] = 0xfd;
                bad[i + 8] = 0xe8;
                break;
            }
        st = md_image_decode(bad, jn, &img, &err);
        TAP_OK(st != MD_OK && err.msg[0], "JPEG claiming 65000x65000 is refused: %s", err.msg);
        free(bad);

        test_orientation(jpg, jn, &pj);

        /* PNG write round trip */
        char tmp[] = "/tmp/mldeck-test-image-XXXXXX";
        int fd = mkstemp(tmp);
        if (fd >= 0) {
            TAP_OK(md_image_write_png(tmp, &pp, &err) == MD_OK, "PNG written");
            struct md_image back;
            TAP_OK(md_image_load(tmp, &back, &err) == MD_OK && back.w == pp.w && back.h == pp.h &&
                       !memcmp(back.rgb, pp.rgb, (size_t)pp.w * pp.h * 3),
                   "PNG round trip is lossless");
            md_image_free(&back);
            remove(tmp);
        }
        md_image_free(&pj);
        md_image_free(&pp);
    } else {
        tap_diag("MLDECK_SHARED images not found: skipping file-based checks");
    }
    free(jpg);
    free(png);

    /* resize: a constant stays constant; an exact 2x downscale averages 2x2 */
    uint8_t src[8 * 6 * 3], dst[4 * 3 * 3];
    for (int i = 0; i < 8 * 6 * 3; i++)
        src[i] = 77;
    md_image_resize_linear(src, 8, 6, dst, 4, 3, 3, &err);
    int allc = 1;
    for (int i = 0; i < 36; i++)
        allc &= dst[i] == 77;
    TAP_OK(allc, "resize of a constant image is constant");
    for (int i = 0; i < 8 * 6 * 3; i++)
        src[i] = (uint8_t)((i * 37) % 251);
    md_image_resize_linear(src, 8, 6, dst, 4, 3, 3, &err);
    int area = 1;
    for (int y = 0; y < 3; y++)
        for (int x = 0; x < 4; x++)
            for (int c = 0; c < 3; c++) {
                int s = src[((2 * y) * 8 + 2 * x) * 3 + c] + src[((2 * y) * 8 + 2 * x + 1) * 3 + c] +
                        src[((2 * y + 1) * 8 + 2 * x) * 3 + c] + src[((2 * y + 1) * 8 + 2 * x + 1) * 3 + c];
                area &= dst[(y * 4 + x) * 3 + c] == (s + 2) >> 2;
            }
    TAP_OK(area, "exact 2x downscale equals OpenCV's INTER_AREA fast path ((a+b+c+d+2)>>2)");

    /* letterbox geometry: the rule in refs/ raw.json */
    struct md_yolo_letterbox lb;
    md_yolo_letterbox_geometry(640, 360, 320, 320, &lb);
    TAP_OK(lb.new_w == 320 && lb.new_h == 180 && lb.top == 70 && lb.left == 0, "640x360 into 320: 320x180, top 70");
    md_yolo_letterbox_geometry(640, 360, 640, 640, &lb);
    TAP_OK(lb.new_w == 640 && lb.new_h == 360 && lb.top == 140, "640x360 into 640: no resize, top 140");
    md_yolo_letterbox_geometry(333, 101, 320, 320, &lb);
    /* r = 320/333; h*r = 97.05 -> 97; dh = 111.5 -> top = round(111.4) = 111 */
    TAP_OK(lb.new_w == 320 && lb.new_h == 97 && lb.top == 111, "333x101 into 320: 320x97, top 111 (got %dx%d top %d)",
           lb.new_w, lb.new_h, lb.top);
    md_yolo_letterbox_geometry(100, 41, 64, 64, &lb);
    /* r = 0.64; h*r = 26.24 -> 26; dh = 19 -> top = round(18.9) = 19 */
    TAP_OK(lb.new_h == 26 && lb.top == 19, "100x41 into 64: 26 rows, top 19 (got %d, %d)", lb.new_h, lb.top);
    return tap_done();
}
