#include "ui/clip.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

char *md_base64(const void *data, size_t len)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *p = data;
    size_t outlen = 4 * ((len + 2) / 3);
    char *out = malloc(outlen + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    size_t i = 0;
    for (; i + 2 < len; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
        out[o++] = tbl[v >> 18 & 63];
        out[o++] = tbl[v >> 12 & 63];
        out[o++] = tbl[v >> 6 & 63];
        out[o++] = tbl[v & 63];
    }
    if (i < len) {
        unsigned v = (unsigned)p[i] << 16 | (i + 1 < len ? (unsigned)p[i + 1] << 8 : 0);
        out[o++] = tbl[v >> 18 & 63];
        out[o++] = tbl[v >> 12 & 63];
        out[o++] = i + 1 < len ? tbl[v >> 6 & 63] : '=';
        out[o++] = '=';
    }
    out[o] = '\0';
    return out;
}

char *md_osc52(const char *text, bool in_tmux)
{
    char *b64 = md_base64(text, strlen(text));
    if (!b64)
        return NULL;
    struct md_buf b = MD_BUF_INIT;
    int rc;
    if (in_tmux)
        rc = md_buf_printf(&b, "\033Ptmux;\033\033]52;c;%s\a\033\\", b64);
    else
        rc = md_buf_printf(&b, "\033]52;c;%s\a", b64);
    free(b64);
    if (rc < 0) {
        md_buf_free(&b);
        return NULL;
    }
    return md_buf_steal(&b);
}
