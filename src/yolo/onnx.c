#include "yolo/onnx.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "yolo/pb.h"

/* ---- allocation pool: every piece of a model is freed together ---- */

struct md_onnx_pool {
    struct md_onnx_pool *next;
    size_t used, cap;
    max_align_t data[];
};

static void *pool_alloc(struct md_onnx_model *m, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    struct md_onnx_pool *p = m->pool;
    if (!p || p->cap - p->used < n) {
        size_t cap = n > 65536 ? n : 65536;
        p = malloc(sizeof *p + cap);
        if (!p)
            return NULL;
        p->used = 0;
        p->cap = cap;
        if (n > 65536 && m->pool) {     /* big block: keep the current chunk open */
            p->next = m->pool->next;
            m->pool->next = p;
        } else {
            p->next = m->pool;
            m->pool = p;
        }
    }
    void *r = (char *)p->data + p->used;
    p->used += n;
    memset(r, 0, n);
    return r;
}

static void *pool_calloc(struct md_onnx_model *m, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size / 2)
        return NULL;
    size_t n = count * size;
    return pool_alloc(m, n ? n : 1);
}

static const char *pool_str(struct md_onnx_model *m, const uint8_t *s, size_t n)
{
    char *r = pool_alloc(m, n + 1);
    if (r) {
        memcpy(r, s, n);
        r[n] = 0;
    }
    return r;
}

void md_onnx_free(struct md_onnx_model *m)
{
    if (!m)
        return;
    struct md_onnx_pool *p = m->pool;
    while (p) {
        struct md_onnx_pool *n = p->next;
        free(p);
        p = n;
    }
    free(m);
}

/* ---- decoding context ---- */

struct dec {
    struct md_onnx_model *m;
    struct md_err *err;
};

#define BAD(what) md_err_set(d->err, MD_ERR_PARSE, "not a valid ONNX file: malformed %s", what)
#define NOMEM() md_err_set(d->err, MD_ERR_NOMEM, "out of memory reading the ONNX model")

/* Counts the elements of a repeated scalar field (packed or not). */
static int count_repeated(const uint8_t *msg, size_t len, uint32_t num, int elem_wire,
                          size_t *count)
{
    struct md_pb r;
    struct md_pb_field f;
    int rc;
    size_t n = 0;
    md_pb_init(&r, msg, len);
    while ((rc = md_pb_next(&r, &f)) > 0) {
        if (f.num != num)
            continue;
        if (f.wire == MD_PB_LEN) {
            if (elem_wire == MD_PB_I32) {
                if (f.len % 4)
                    return -1;
                n += f.len / 4;
            } else if (elem_wire == MD_PB_I64) {
                if (f.len % 8)
                    return -1;
                n += f.len / 8;
            } else {
                const uint8_t *p = f.data, *e = f.data + f.len;
                uint64_t v;
                while (p < e) {
                    if (md_pb_varint(&p, e, &v) < 0)
                        return -1;
                    n++;
                }
            }
        } else if (f.wire == elem_wire) {
            n++;
        } else {
            return -1;
        }
    }
    if (rc < 0)
        return -1;
    *count = n;
    return 0;
}

/* Fills out[] (cap elements) with the raw 64-bit values of a repeated field. */
static void read_repeated(const uint8_t *msg, size_t len, uint32_t num, int elem_wire,
                          uint64_t *out, size_t cap)
{
    struct md_pb r;
    struct md_pb_field f;
    size_t n = 0;
    md_pb_init(&r, msg, len);
    while (md_pb_next(&r, &f) > 0 && n < cap) {
        if (f.num != num)
            continue;
        if (f.wire == MD_PB_LEN) {
            const uint8_t *p = f.data, *e = f.data + f.len;
            while (p < e && n < cap) {
                if (elem_wire == MD_PB_I32) {
                    uint32_t u;
                    memcpy(&u, p, 4);
                    p += 4;
                    out[n++] = u;
                } else if (elem_wire == MD_PB_I64) {
                    memcpy(&out[n++], p, 8);
                    p += 8;
                } else {
                    if (md_pb_varint(&p, e, &out[n++]) < 0)
                        return;
                }
            }
        } else {
            out[n++] = f.v;
        }
    }
}

static float half_to_float(uint16_t h)
{
    int s = h >> 15, e = (h >> 10) & 31, mant = h & 1023;
    float v;
    if (e == 0)
        v = ldexpf((float)mant, -24);
    else if (e == 31)
        v = mant ? NAN : INFINITY;
    else
        v = ldexpf((float)(mant | 1024), e - 25);
    return s ? -v : v;
}

enum {
    OT_FLOAT = 1, OT_UINT8 = 2, OT_INT8 = 3, OT_UINT16 = 4, OT_INT16 = 5, OT_INT32 = 6,
    OT_INT64 = 7, OT_STRING = 8, OT_BOOL = 9, OT_FLOAT16 = 10, OT_DOUBLE = 11,
    OT_UINT32 = 12, OT_UINT64 = 13,
};

static size_t ot_size(int t)
{
    switch (t) {
    case OT_FLOAT: case OT_INT32: case OT_UINT32: return 4;
    case OT_UINT8: case OT_INT8: case OT_BOOL: return 1;
    case OT_UINT16: case OT_INT16: case OT_FLOAT16: return 2;
    case OT_INT64: case OT_DOUBLE: case OT_UINT64: return 8;
    default: return 0;
    }
}

static const char *ot_name(int t)
{
    static const char *names[] = {"undefined", "float", "uint8", "int8", "uint16", "int16",
                                  "int32", "int64", "string", "bool", "float16", "double",
                                  "uint32", "uint64", "complex64", "complex128", "bfloat16"};
    return t >= 0 && t < (int)(sizeof names / sizeof *names) ? names[t] : "unknown";
}

/* Converts one element of a raw little-endian buffer. */
static double raw_elem(const uint8_t *p, int t)
{
    switch (t) {
    case OT_FLOAT: { float v; memcpy(&v, p, 4); return v; }
    case OT_DOUBLE: { double v; memcpy(&v, p, 8); return v; }
    case OT_FLOAT16: { uint16_t v; memcpy(&v, p, 2); return half_to_float(v); }
    case OT_UINT8: case OT_BOOL: return *p;
    case OT_INT8: return (int8_t)*p;
    case OT_UINT16: { uint16_t v; memcpy(&v, p, 2); return v; }
    case OT_INT16: { int16_t v; memcpy(&v, p, 2); return v; }
    case OT_INT32: { int32_t v; memcpy(&v, p, 4); return v; }
    case OT_UINT32: { uint32_t v; memcpy(&v, p, 4); return v; }
    default: return 0;
    }
}

static md_status decode_tensor(struct dec *d, const uint8_t *msg, size_t len,
                               struct md_onnx_tensor *t)
{
    struct md_pb r;
    struct md_pb_field f;
    int rc;
    const uint8_t *raw = NULL;
    size_t raw_len = 0;
    int has_raw = 0, external = 0;

    size_t ndims;
    if (count_repeated(msg, len, 1, MD_PB_VARINT, &ndims) < 0)
        return BAD("tensor dims");
    if (ndims > MD_ONNX_MAXDIM)
        return md_err_set(d->err, MD_ERR_UNSUPPORTED, "tensor with %zu dimensions (at most %d supported)",
                          ndims, MD_ONNX_MAXDIM);
    uint64_t dims[MD_ONNX_MAXDIM];
    read_repeated(msg, len, 1, MD_PB_VARINT, dims, ndims);
    t->ndim = (int)ndims;

    md_pb_init(&r, msg, len);
    while ((rc = md_pb_next(&r, &f)) > 0) {
        switch (f.num) {
        case 2: t->onnx_type = (int)f.v; break;
        case 8:
            if (f.wire != MD_PB_LEN)
                return BAD("tensor name");
            t->name = pool_str(d->m, f.data, f.len);
            break;
        case 9:
            if (f.wire != MD_PB_LEN)
                return BAD("tensor raw_data");
            raw = f.data;
            raw_len = f.len;
            has_raw = 1;
            break;
        case 13: external = 1; break;
        case 14: if (f.v == 1) external = 1; break;
        default: break;
        }
    }
    if (rc < 0)
        return BAD("tensor");
    if (!t->name)
        t->name = "";
    if (external)
        return md_err_set(d->err, MD_ERR_UNSUPPORTED,
                          "tensor '%s' keeps its data in an external file; "
                          "models with external data are not supported (export with all weights inside the .onnx)",
                          t->name);
    size_t numel = 1;
    for (int i = 0; i < t->ndim; i++) {
        if (dims[i] > (uint64_t)INT32_MAX)
            return md_err_set(d->err, MD_ERR_PARSE, "tensor '%s' has an absurd dimension %llu",
                              t->name, (unsigned long long)dims[i]);
        t->dims[i] = (int64_t)dims[i];
        if (dims[i] && numel > MD_ONNX_MAX_ELEMS / dims[i])
            return md_err_set(d->err, MD_ERR_PARSE, "tensor '%s' is too large", t->name);
        numel *= dims[i];
    }
    if (numel > MD_ONNX_MAX_ELEMS)
        return md_err_set(d->err, MD_ERR_PARSE, "tensor '%s' is too large", t->name);
    t->numel = numel;

    int ot = t->onnx_type;
    int is_float = ot == OT_FLOAT || ot == OT_FLOAT16 || ot == OT_DOUBLE;
    int is_int = ot == OT_UINT8 || ot == OT_INT8 || ot == OT_UINT16 || ot == OT_INT16 ||
                 ot == OT_INT32 || ot == OT_INT64 || ot == OT_BOOL || ot == OT_UINT32 ||
                 ot == OT_UINT64;
    if (!is_float && !is_int)
        return md_err_set(d->err, MD_ERR_UNSUPPORTED, "tensor '%s' has data type %s, which mldeck does not support",
                          t->name, ot_name(ot));
    t->dtype = is_float ? MD_DT_F32 : MD_DT_I64;

    /* Validate the stored size against numel before allocating anything. */
    uint32_t field = 0;
    int wire = 0;
    if (has_raw) {
        if (raw_len != numel * ot_size(ot))
            return md_err_set(d->err, MD_ERR_PARSE,
                              "tensor '%s': raw_data holds %zu bytes, its shape needs %zu",
                              t->name, raw_len, numel * ot_size(ot));
    } else {
        switch (ot) {
        case OT_FLOAT: field = 4; wire = MD_PB_I32; break;
        case OT_DOUBLE: field = 10; wire = MD_PB_I64; break;
        case OT_INT64: field = 7; wire = MD_PB_VARINT; break;
        case OT_UINT32: case OT_UINT64: field = 11; wire = MD_PB_VARINT; break;
        default: field = 5; wire = MD_PB_VARINT; break;   /* int32_data holds the small types */
        }
        size_t n;
        if (count_repeated(msg, len, field, wire, &n) < 0)
            return BAD("tensor data");
        if (n != numel)
            return md_err_set(d->err, MD_ERR_PARSE, "tensor '%s' holds %zu values, its shape needs %zu",
                              t->name, n, numel);
    }
    t->data = pool_calloc(d->m, numel ? numel : 1, t->dtype == MD_DT_F32 ? 4 : 8);
    if (!t->data)
        return NOMEM();
    if (has_raw) {
        size_t es = ot_size(ot);
        if (ot == OT_FLOAT) {
            memcpy(t->data, raw, numel * 4);
        } else if (ot == OT_INT64 || ot == OT_UINT64) {
            memcpy(t->data, raw, numel * 8);
        } else {
            for (size_t i = 0; i < numel; i++) {
                double v = raw_elem(raw + i * es, ot);
                if (t->dtype == MD_DT_F32)
                    ((float *)t->data)[i] = (float)v;
                else
                    ((int64_t *)t->data)[i] = (int64_t)v;
            }
        }
        return MD_OK;
    }
    if (numel == 0)
        return MD_OK;
    uint64_t *tmp = malloc(numel * sizeof *tmp);
    if (!tmp)
        return NOMEM();
    read_repeated(msg, len, field, wire, tmp, numel);
    for (size_t i = 0; i < numel; i++) {
        uint64_t u = tmp[i];
        if (ot == OT_FLOAT) {
            uint32_t b = (uint32_t)u;
            float v;
            memcpy(&v, &b, 4);
            ((float *)t->data)[i] = v;
        } else if (ot == OT_DOUBLE) {
            double v;
            memcpy(&v, &u, 8);
            ((float *)t->data)[i] = (float)v;
        } else if (ot == OT_FLOAT16) {
            ((float *)t->data)[i] = half_to_float((uint16_t)u);
        } else if (ot == OT_INT32 || ot == OT_INT16 || ot == OT_INT8) {
            ((int64_t *)t->data)[i] = (int32_t)(uint32_t)u;
        } else {
            ((int64_t *)t->data)[i] = (int64_t)u;
        }
    }
    free(tmp);
    return MD_OK;
}

static md_status decode_attr(struct dec *d, const uint8_t *msg, size_t len, struct md_onnx_attr *a)
{
    struct md_pb r;
    struct md_pb_field f;
    int rc;
    md_pb_init(&r, msg, len);
    while ((rc = md_pb_next(&r, &f)) > 0) {
        switch (f.num) {
        case 1:
            if (f.wire != MD_PB_LEN)
                return BAD("attribute name");
            a->name = pool_str(d->m, f.data, f.len);
            break;
        case 20: a->type = (int)f.v; break;
        case 2: {
            if (f.wire != MD_PB_I32)
                return BAD("attribute float");
            uint32_t b = (uint32_t)f.v;
            memcpy(&a->f, &b, 4);
            break;
        }
        case 3: a->i = (int64_t)f.v; break;
        case 4:
            if (f.wire != MD_PB_LEN)
                return BAD("attribute string");
            a->s = pool_str(d->m, f.data, f.len);
            a->s_len = f.len;
            break;
        case 5: {
            if (f.wire != MD_PB_LEN)
                return BAD("attribute tensor");
            a->t = pool_alloc(d->m, sizeof *a->t);
            if (!a->t)
                return NOMEM();
            md_status st = decode_tensor(d, f.data, f.len, a->t);
            if (st)
                return st;
            break;
        }
        default: break;
        }
    }
    if (rc < 0 || !a->name)
        return BAD("attribute");
    size_t n;
    if (count_repeated(msg, len, 8, MD_PB_VARINT, &n) < 0)
        return BAD("attribute ints");
    if (n) {
        uint64_t *tmp = pool_calloc(d->m, n, 8);
        if (!tmp)
            return NOMEM();
        read_repeated(msg, len, 8, MD_PB_VARINT, tmp, n);
        a->ints = (int64_t *)tmp;
        a->n_ints = n;
    }
    if (count_repeated(msg, len, 7, MD_PB_I32, &n) < 0)
        return BAD("attribute floats");
    if (n) {
        uint64_t *tmp = malloc(n * 8);
        a->floats = pool_calloc(d->m, n, 4);
        if (!tmp || !a->floats) {
            free(tmp);
            return NOMEM();
        }
        read_repeated(msg, len, 7, MD_PB_I32, tmp, n);
        for (size_t i = 0; i < n; i++) {
            uint32_t b = (uint32_t)tmp[i];
            memcpy(&a->floats[i], &b, 4);
        }
        free(tmp);
        a->n_floats = n;
    }
    if (!a->type) {     /* IR < 2 files omit the type: infer it */
        a->type = a->t ? MD_ATTR_TENSOR : a->s ? MD_ATTR_STRING : a->n_ints ? MD_ATTR_INTS
                  : a->n_floats ? MD_ATTR_FLOATS : MD_ATTR_INT;
    }
    return MD_OK;
}

/* Counts occurrences of length-delimited field `num`. */
static int count_msgs(const uint8_t *msg, size_t len, uint32_t num, int *count)
{
    struct md_pb r;
    struct md_pb_field f;
    int rc, n = 0;
    md_pb_init(&r, msg, len);
    while ((rc = md_pb_next(&r, &f)) > 0)
        if (f.num == num) {
            if (f.wire != MD_PB_LEN || n == INT_MAX)
                return -1;
            n++;
        }
    if (rc < 0)
        return -1;
    *count = n;
    return 0;
}

static md_status decode_node(struct dec *d, const uint8_t *msg, size_t len, struct md_onnx_node *n)
{
    int ni, no, na;
    if (count_msgs(msg, len, 1, &ni) || count_msgs(msg, len, 2, &no) || count_msgs(msg, len, 5, &na))
        return BAD("node");
    n->inputs = pool_calloc(d->m, (size_t)ni + 1, sizeof(char *));
    n->outputs = pool_calloc(d->m, (size_t)no + 1, sizeof(char *));
    n->attrs = pool_calloc(d->m, (size_t)na + 1, sizeof *n->attrs);
    if (!n->inputs || !n->outputs || !n->attrs)
        return NOMEM();
    struct md_pb r;
    struct md_pb_field f;
    int rc;
    md_pb_init(&r, msg, len);
    while ((rc = md_pb_next(&r, &f)) > 0) {
        if (f.wire != MD_PB_LEN)
            continue;
        switch (f.num) {
        case 1: n->inputs[n->n_inputs++] = pool_str(d->m, f.data, f.len); break;
        case 2: n->outputs[n->n_outputs++] = pool_str(d->m, f.data, f.len); break;
        case 3: n->name = pool_str(d->m, f.data, f.len); break;
        case 4: n->op_type = pool_str(d->m, f.data, f.len); break;
        case 7: n->domain = pool_str(d->m, f.data, f.len); break;
        case 5: {
            md_status st = decode_attr(d, f.data, f.len, &n->attrs[n->n_attrs++]);
            if (st)
                return st;
            break;
        }
        default: break;
        }
    }
    if (rc < 0 || !n->op_type)
        return BAD("node");
    if (!n->name)
        n->name = "";
    if (!n->domain)
        n->domain = "";
    return MD_OK;
}

static md_status decode_value_info(struct dec *d, const uint8_t *msg, size_t len,
                                   struct md_onnx_value_info *v)
{
    struct md_pb r, r2, r3, r4;
    struct md_pb_field f, g, h, k;
    md_pb_init(&r, msg, len);
    int rc;
    while ((rc = md_pb_next(&r, &f)) > 0) {
        if (f.num == 1 && f.wire == MD_PB_LEN)
            v->name = pool_str(d->m, f.data, f.len);
        if (f.num != 2 || f.wire != MD_PB_LEN)
            continue;
        md_pb_init(&r2, f.data, f.len);          /* TypeProto */
        while (md_pb_next(&r2, &g) > 0) {
            if (g.num != 1 || g.wire != MD_PB_LEN)   /* tensor_type */
                continue;
            md_pb_init(&r3, g.data, g.len);
            while (md_pb_next(&r3, &h) > 0) {
                if (h.num == 1)
                    v->elem_type = (int)h.v;
                if (h.num != 2 || h.wire != MD_PB_LEN)   /* shape */
                    continue;
                v->has_shape = 1;
                md_pb_init(&r4, h.data, h.len);
                while (md_pb_next(&r4, &k) > 0) {
                    if (k.num != 1 || k.wire != MD_PB_LEN)
                        continue;
                    if (v->ndim >= MD_ONNX_MAXDIM)
                        return md_err_set(d->err, MD_ERR_UNSUPPORTED, "value with more than %d dimensions",
                                          MD_ONNX_MAXDIM);
                    struct md_pb r5;
                    struct md_pb_field q;
                    int64_t dv = -1;
                    md_pb_init(&r5, k.data, k.len);
                    while (md_pb_next(&r5, &q) > 0)
                        if (q.num == 1 && q.wire == MD_PB_VARINT)
                            dv = (int64_t)q.v;
                    v->dims[v->ndim++] = dv;
                }
            }
        }
    }
    if (rc < 0 || !v->name)
        return BAD("graph input/output");
    return MD_OK;
}

static md_status decode_graph(struct dec *d, const uint8_t *msg, size_t len)
{
    struct md_onnx_model *m = d->m;
    int nn, ni, nin, nout;
    if (count_msgs(msg, len, 1, &nn) || count_msgs(msg, len, 5, &ni) ||
        count_msgs(msg, len, 11, &nin) || count_msgs(msg, len, 12, &nout))
        return BAD("graph");
    m->nodes = pool_calloc(m, (size_t)nn + 1, sizeof *m->nodes);
    m->inits = pool_calloc(m, (size_t)ni + 1, sizeof *m->inits);
    m->inputs = pool_calloc(m, (size_t)nin + 1, sizeof *m->inputs);
    m->outputs = pool_calloc(m, (size_t)nout + 1, sizeof *m->outputs);
    if (!m->nodes || !m->inits || !m->inputs || !m->outputs)
        return NOMEM();
    struct md_pb r;
    struct md_pb_field f;
    int rc;
    md_status st = MD_OK;
    md_pb_init(&r, msg, len);
    while ((rc = md_pb_next(&r, &f)) > 0 && !st) {
        if (f.wire != MD_PB_LEN)
            continue;
        switch (f.num) {
        case 1: st = decode_node(d, f.data, f.len, &m->nodes[m->n_nodes++]); break;
        case 5: st = decode_tensor(d, f.data, f.len, &m->inits[m->n_inits++]); break;
        case 11: st = decode_value_info(d, f.data, f.len, &m->inputs[m->n_inputs++]); break;
        case 12: st = decode_value_info(d, f.data, f.len, &m->outputs[m->n_outputs++]); break;
        default: break;
        }
    }
    if (st)
        return st;
    if (rc < 0)
        return BAD("graph");
    return MD_OK;
}

md_status md_onnx_parse(const void *data, size_t len, struct md_onnx_model **out,
                        struct md_err *err)
{
    *out = NULL;
    struct md_onnx_model *m = calloc(1, sizeof *m);
    if (!m)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    struct dec dd = {m, err}, *d = &dd;
    struct md_pb r;
    struct md_pb_field f;
    int rc, have_graph = 0, nmeta;
    md_status st = MD_OK;

    if (count_msgs(data, len, 14, &nmeta)) {
        st = BAD("model");
        goto fail;
    }
    m->meta = pool_calloc(m, (size_t)nmeta + 1, sizeof *m->meta);
    if (!m->meta) {
        st = NOMEM();
        goto fail;
    }
    md_pb_init(&r, data, len);
    while ((rc = md_pb_next(&r, &f)) > 0) {
        if (f.num == 1 && f.wire == MD_PB_VARINT) {
            m->ir_version = (int64_t)f.v;
        } else if (f.num == 2 && f.wire == MD_PB_LEN) {
            m->producer = pool_str(m, f.data, f.len);
        } else if (f.num == 8 && f.wire == MD_PB_LEN) {
            struct md_pb r2;
            struct md_pb_field g;
            const uint8_t *dom = NULL;
            size_t dom_len = 0;
            int64_t ver = 0;
            md_pb_init(&r2, f.data, f.len);
            while (md_pb_next(&r2, &g) > 0) {
                if (g.num == 1 && g.wire == MD_PB_LEN) {
                    dom = g.data;
                    dom_len = g.len;
                } else if (g.num == 2 && g.wire == MD_PB_VARINT) {
                    ver = (int64_t)g.v;
                }
            }
            if (!dom || dom_len == 0 || (dom_len == 7 && memcmp(dom, "ai.onnx", 7) == 0))
                m->opset = ver;
        } else if (f.num == 7 && f.wire == MD_PB_LEN) {
            if (have_graph++) {
                st = BAD("model (two graphs)");
                goto fail;
            }
            if ((st = decode_graph(d, f.data, f.len)))
                goto fail;
        } else if (f.num == 14 && f.wire == MD_PB_LEN) {
            struct md_pb r2;
            struct md_pb_field g;
            struct md_onnx_kv *kv = &m->meta[m->n_meta++];
            md_pb_init(&r2, f.data, f.len);
            while (md_pb_next(&r2, &g) > 0) {
                if (g.wire != MD_PB_LEN)
                    continue;
                if (g.num == 1)
                    kv->key = pool_str(m, g.data, g.len);
                else if (g.num == 2)
                    kv->value = pool_str(m, g.data, g.len);
            }
            if (!kv->key)
                kv->key = "";
            if (!kv->value)
                kv->value = "";
        }
    }
    if (rc < 0) {
        st = BAD("model");
        goto fail;
    }
    if (!have_graph || m->n_nodes == 0) {
        st = md_err_set(err, MD_ERR_PARSE, "not a valid ONNX file: no graph");
        goto fail;
    }
    *out = m;
    return MD_OK;
fail:
    md_onnx_free(m);
    return st;
}

md_status md_onnx_load_file(const char *path, struct md_onnx_model **out, struct md_err *err)
{
    *out = NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return md_err_set(err, errno == ENOENT ? MD_ERR_NOTFOUND : MD_ERR_IO, "%s: %s", path,
                          strerror(errno));
    struct stat sb;
    if (fstat(fileno(fp), &sb) < 0 || !S_ISREG(sb.st_mode)) {
        fclose(fp);
        return md_err_set(err, MD_ERR_IO, "%s: not a regular file", path);
    }
    if (sb.st_size > (off_t)INT32_MAX) {
        fclose(fp);
        return md_err_set(err, MD_ERR_UNSUPPORTED, "%s: larger than 2 GiB", path);
    }
    size_t n = (size_t)sb.st_size;
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf) {
        fclose(fp);
        return md_err_set(err, MD_ERR_NOMEM, "%s: out of memory", path);
    }
    size_t got = fread(buf, 1, n, fp);
    fclose(fp);
    if (got != n) {
        free(buf);
        return md_err_set(err, MD_ERR_IO, "%s: short read", path);
    }
    md_status st = md_onnx_parse(buf, n, out, err);
    free(buf);
    if (st)
        md_err_wrap(err, "%s", path);
    return st;
}

const char *md_onnx_meta(const struct md_onnx_model *m, const char *key)
{
    for (int i = 0; i < m->n_meta; i++)
        if (strcmp(m->meta[i].key, key) == 0)
            return m->meta[i].value;
    return NULL;
}

const struct md_onnx_attr *md_onnx_attr_find(const struct md_onnx_node *n, const char *name)
{
    for (int i = 0; i < n->n_attrs; i++)
        if (strcmp(n->attrs[i].name, name) == 0)
            return &n->attrs[i];
    return NULL;
}
