/* An ONNX model as mldeck reads it: the graph (nodes, attributes,
 * initializers, inputs/outputs with shapes), opset imports and the metadata
 * properties, decoded from the protobuf wire format by our own reader.
 * Tensor data is converted once at load: float16/double -> float32,
 * int8..int64/bool -> int64.  Everything lives in one allocation pool that
 * md_onnx_free releases. */
#ifndef MD_YOLO_ONNX_H
#define MD_YOLO_ONNX_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define MD_ONNX_MAXDIM 8
/* Refuse any single tensor larger than this many elements (1 GiB of float). */
#define MD_ONNX_MAX_ELEMS ((size_t)1 << 28)

enum md_dtype { MD_DT_NONE = 0, MD_DT_F32 = 1, MD_DT_I64 = 7 };

struct md_onnx_tensor {
    const char *name;
    int onnx_type;              /* TensorProto.DataType as stored */
    int dtype;                  /* MD_DT_F32 or MD_DT_I64 after conversion */
    int ndim;
    int64_t dims[MD_ONNX_MAXDIM];
    size_t numel;
    void *data;                 /* float * or int64_t *, numel elements */
};

enum md_onnx_attr_type {
    MD_ATTR_FLOAT = 1, MD_ATTR_INT = 2, MD_ATTR_STRING = 3, MD_ATTR_TENSOR = 4,
    MD_ATTR_GRAPH = 5, MD_ATTR_FLOATS = 6, MD_ATTR_INTS = 7, MD_ATTR_STRINGS = 8,
};

struct md_onnx_attr {
    const char *name;
    int type;
    float f;
    int64_t i;
    const char *s;              /* NUL-terminated copy */
    size_t s_len;
    struct md_onnx_tensor *t;
    float *floats;
    size_t n_floats;
    int64_t *ints;
    size_t n_ints;
};

struct md_onnx_node {
    const char *name;
    const char *op_type;
    const char *domain;
    const char **inputs;        /* "" for an omitted optional input */
    int n_inputs;
    const char **outputs;
    int n_outputs;
    struct md_onnx_attr *attrs;
    int n_attrs;
};

struct md_onnx_value_info {
    const char *name;
    int elem_type;
    int has_shape;
    int ndim;
    int64_t dims[MD_ONNX_MAXDIM];   /* -1 for a symbolic dimension */
};

struct md_onnx_kv {
    const char *key, *value;
};

struct md_onnx_model {
    int64_t ir_version;
    int64_t opset;              /* default ("" / "ai.onnx") domain; 0 if absent */
    const char *producer;
    struct md_onnx_node *nodes;
    int n_nodes;
    struct md_onnx_tensor *inits;
    int n_inits;
    struct md_onnx_value_info *inputs;
    int n_inputs;
    struct md_onnx_value_info *outputs;
    int n_outputs;
    struct md_onnx_kv *meta;
    int n_meta;
    struct md_onnx_pool *pool;  /* private */
};

/* Decodes an ONNX model from memory.  On success *out is owned by the
 * caller (md_onnx_free).  The bytes are not referenced after return. */
md_status md_onnx_parse(const void *data, size_t len, struct md_onnx_model **out,
                        struct md_err *err);
/* Reads a file (at most 2 GiB) and parses it. */
md_status md_onnx_load_file(const char *path, struct md_onnx_model **out,
                            struct md_err *err);
void md_onnx_free(struct md_onnx_model *m);

const char *md_onnx_meta(const struct md_onnx_model *m, const char *key);
const struct md_onnx_attr *md_onnx_attr_find(const struct md_onnx_node *n, const char *name);

#endif
