#include "yolo/pb.h"

#include <string.h>

int md_pb_varint(const uint8_t **p, const uint8_t *end, uint64_t *out)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        if (*p >= end)
            return -1;
        uint8_t b = *(*p)++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return 0;
        }
    }
    return -1;
}

int md_pb_next(struct md_pb *r, struct md_pb_field *f)
{
    if (r->p >= r->end)
        return 0;
    uint64_t key;
    if (md_pb_varint(&r->p, r->end, &key) < 0)
        return -1;
    f->num = (uint32_t)(key >> 3);
    f->wire = (int)(key & 7);
    f->data = NULL;
    f->len = 0;
    f->v = 0;
    if (f->num == 0 || key >> 32)
        return -1;
    switch (f->wire) {
    case MD_PB_VARINT:
        return md_pb_varint(&r->p, r->end, &f->v) < 0 ? -1 : 1;
    case MD_PB_I64:
        if (r->end - r->p < 8)
            return -1;
        memcpy(&f->v, r->p, 8);
        r->p += 8;
        return 1;
    case MD_PB_I32: {
        if (r->end - r->p < 4)
            return -1;
        uint32_t u;
        memcpy(&u, r->p, 4);
        f->v = u;
        r->p += 4;
        return 1;
    }
    case MD_PB_LEN: {
        uint64_t n;
        if (md_pb_varint(&r->p, r->end, &n) < 0)
            return -1;
        if (n > (uint64_t)(r->end - r->p))
            return -1;
        f->data = r->p;
        f->len = (size_t)n;
        r->p += n;
        return 1;
    }
    default:
        return -1;   /* groups (3, 4) are not used by ONNX */
    }
}
