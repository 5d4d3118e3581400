/* Protocol-buffer wire-format reader: just enough to walk ONNX messages.
 * Every read is bounds-checked against the message it belongs to; a
 * malformed field makes the reader fail, never read past the end. */
#ifndef MD_YOLO_PB_H
#define MD_YOLO_PB_H

#include <stddef.h>
#include <stdint.h>

enum { MD_PB_VARINT = 0, MD_PB_I64 = 1, MD_PB_LEN = 2, MD_PB_I32 = 5 };

struct md_pb {
    const uint8_t *p, *end;
};

/* One decoded field: for MD_PB_LEN, data/len point inside the message. */
struct md_pb_field {
    uint32_t num;
    int wire;
    uint64_t v;              /* varint, fixed32 or fixed64 value */
    const uint8_t *data;
    size_t len;
};

static inline void md_pb_init(struct md_pb *r, const void *data, size_t len)
{
    r->p = data;
    r->end = r->p + len;
}

/* 1: a field was read; 0: end of message; -1: malformed. */
int md_pb_next(struct md_pb *r, struct md_pb_field *f);

/* Reads one varint from [*p, end); -1 if truncated or longer than 10 bytes. */
int md_pb_varint(const uint8_t **p, const uint8_t *end, uint64_t *out);

#endif
