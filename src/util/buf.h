/* A growable byte buffer.  Always NUL-terminated after a successful append,
 * so data can be used as a C string when it holds text.  Owner frees. */
#ifndef MD_BUF_H
#define MD_BUF_H

#include <stddef.h>

struct md_buf {
    char *data;
    size_t len;
    size_t cap;
};

#define MD_BUF_INIT {NULL, 0, 0}

int md_buf_reserve(struct md_buf *b, size_t extra);      /* 0 ok, -1 nomem */
int md_buf_append(struct md_buf *b, const void *p, size_t n);
int md_buf_puts(struct md_buf *b, const char *s);
int md_buf_printf(struct md_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void md_buf_reset(struct md_buf *b);                      /* len = 0, keeps memory */
void md_buf_free(struct md_buf *b);
/* Hands the memory to the caller (free()), leaving b empty. */
char *md_buf_steal(struct md_buf *b);

#endif
