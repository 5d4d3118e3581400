/* Builds and runs the execution plan (see graph.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "yolo/graph.h"
#include "yolo/blas.h"

/* Bytes the arena may plan before we call the model absurd. */
#define MD_MAX_ARENA ((size_t)4 << 30)
#define ALIGN 64

size_t md_dtype_size(int dtype)
{
    return dtype == MD_DT_I64 ? 8 : 4;
}

static int root_of(const struct md_plan *p, int v, size_t *off)
{
    size_t o = 0;
    int guard = 0;
    while (p->vals[v].parent >= 0 && guard++ < 100000) {
        o += p->vals[v].poff;
        v = p->vals[v].parent;
    }
    if (off)
        *off = o;
    return v;
}

void *md_plan_ptr(struct md_plan *p, int v)
{
    if (v < 0)
        return NULL;
    if (p->vals[v].cdata)
        return p->vals[v].cdata;
    size_t off;
    int r = root_of(p, v, &off);
    return p->arena + p->vals[r].off + off;
}

const struct md_onnx_attr *md_step_attr(const struct md_step *s, const char *name)
{
    return md_onnx_attr_find(s->node, name);
}

int64_t md_step_attr_int(const struct md_step *s, const char *name, int64_t dflt)
{
    const struct md_onnx_attr *a = md_onnx_attr_find(s->node, name);
    return a ? a->i : dflt;
}

md_status md_step_set_out(struct md_plan *p, struct md_step *s, int k, int dtype, int ndim,
                          const int64_t *dims, struct md_err *err)
{
    if (k >= s->n_out || s->out[k] < 0)
        return MD_OK;
    struct md_val *v = &p->vals[s->out[k]];
    if (ndim < 0 || ndim > MD_MAXDIM)
        return md_err_set(err, MD_ERR_UNSUPPORTED, "node '%s' (%s): more than %d dimensions",
                          s->node->name, s->node->op_type, MD_MAXDIM);
    size_t n = 1;
    for (int i = 0; i < ndim; i++) {
        if (dims[i] < 0 || dims[i] > INT32_MAX)
            return md_err_set(err, MD_ERR_PARSE, "node '%s' (%s): invalid output dimension",
                              s->node->name, s->node->op_type);
        if (dims[i] && n > MD_ONNX_MAX_ELEMS / (size_t)dims[i])
            return md_err_set(err, MD_ERR_PARSE, "node '%s' (%s): output too large",
                              s->node->name, s->node->op_type);
        n *= (size_t)dims[i];
        v->dims[i] = dims[i];
    }
    v->dtype = dtype;
    v->ndim = ndim;
    v->numel = n;
    return MD_OK;
}

/* ---- value table ---- */

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 1099511628211ull;
    return h;
}

static int val_find(const struct md_plan *p, const char *name)
{
    size_t mask = p->hash_cap - 1;
    for (size_t i = hash_str(name) & mask;; i = (i + 1) & mask) {
        int v = p->hash[i];
        if (v < 0)
            return -1;
        if (strcmp(p->vals[v].name, name) == 0)
            return v;
    }
}

static int val_add(struct md_plan *p, const char *name)
{
    if (p->n_vals == p->cap_vals)
        return -1;  /* sized up front */
    int v = p->n_vals++;
    struct md_val *x = &p->vals[v];
    memset(x, 0, sizeof *x);
    x->name = name;
    x->producer = -1;
    x->parent = -1;
    x->first = 1 << 30;
    x->last = -1;
    size_t mask = p->hash_cap - 1;
    size_t i = hash_str(name) & mask;
    while (p->hash[i] >= 0)
        i = (i + 1) & mask;
    p->hash[i] = v;
    return v;
}

static void print_profile(const struct md_plan *p);

void md_plan_free(struct md_plan *p)
{
    if (!p)
        return;
    if (p->step_ms && p->profile_runs)
        print_profile(p);
    for (int i = 0; i < p->n_vals; i++)
        if (p->vals[i].own_cdata)
            free(p->vals[i].cdata);
    for (int i = 0; i < p->n_steps; i++) {
        free(p->steps[i].in);
        free(p->steps[i].out);
        free(p->steps[i].conv.wk);
        free(p->steps[i].conv.wp);
        free(p->steps[i].conv.koff);
        free(p->steps[i].conv.wu);
        free(p->steps[i].conv.wkoff);
    }
    free(p->xbuf);
    free(p->steps);
    free(p->vals);
    free(p->hash);
    free(p->arena);
    free(p->scratch);
    free(p->step_ms);
    md_pool_free(p->pool);
    free(p);
}

static md_status check_attrs(const struct md_onnx_node *n, const struct md_op *op, struct md_err *err)
{
    for (int i = 0; i < n->n_attrs; i++) {
        int ok = 0;
        for (const char *const *a = op->attrs; *a; a++)
            if (strcmp(*a, n->attrs[i].name) == 0)
                ok = 1;
        if (!ok)
            return md_err_set(err, MD_ERR_UNSUPPORTED,
                              "node '%s' (%s): attribute '%s' is not supported by mldeck",
                              n->name, n->op_type, n->attrs[i].name);
    }
    return MD_OK;
}

/* ---- storage sharing ---- */

static size_t val_bytes(const struct md_val *v)
{
    return v->numel * md_dtype_size(v->dtype);
}

static int is_runtime(const struct md_plan *p, int v)
{
    return v >= 0 && !p->vals[v].cdata && !p->vals[v].is_input;
}

/* Concat and Split along an axis whose leading dimensions are all 1 work on
 * contiguous blocks, so their pieces can share storage. */
static int contiguous_axis(const struct md_val *v, int axis)
{
    for (int i = 0; i < axis; i++)
        if (v->dims[i] != 1)
            return 0;
    return 1;
}

static void share_storage(struct md_plan *p)
{
    /* 1. Concat inputs become views of the output. */
    for (int i = 0; i < p->n_steps; i++) {
        struct md_step *s = &p->steps[i];
        if (strcmp(s->op->name, "Concat") || !is_runtime(p, s->out[0]))
            continue;
        struct md_val *o = &p->vals[s->out[0]];
        if (!contiguous_axis(o, (int)s->iparam[0]))
            continue;
        size_t at = 0;
        for (int k = 0; k < s->n_in; k++) {
            int x = s->in[k], dup = 0;
            for (int q = 0; q < s->n_in; q++)
                dup += s->in[q] == x;
            if (dup == 1 && is_runtime(p, x) && p->vals[x].parent < 0 && x != s->out[0] &&
                root_of(p, s->out[0], NULL) != x) {
                p->vals[x].parent = s->out[0];
                p->vals[x].poff = at;
            }
            at += val_bytes(&p->vals[x]);
        }
    }
    /* 2. Split outputs become views of the input, or the input moves to
     *    where its pieces already are. */
    for (int i = 0; i < p->n_steps; i++) {
        struct md_step *s = &p->steps[i];
        if (strcmp(s->op->name, "Split") || !is_runtime(p, s->in[0]))
            continue;
        struct md_val *x = &p->vals[s->in[0]];
        if (!contiguous_axis(x, (int)s->iparam[0]))
            continue;
        int n_root = 0, consistent = 1, r0 = -1;
        size_t at = 0, base = 0;
        for (int k = 0; k < s->n_out; k++) {
            int o = s->out[k];
            if (o < 0) {
                consistent = 0;
                continue;
            }
            if (p->vals[o].parent < 0) {
                n_root++;
            } else {
                size_t off;
                int r = root_of(p, o, &off);
                if (k == 0) {
                    r0 = r;
                    base = off;
                } else if (r != r0 || off != base + at) {
                    consistent = 0;
                }
            }
            at += val_bytes(&p->vals[o]);
        }
        if (n_root == 0 && consistent && x->parent < 0 && r0 >= 0 && r0 != s->in[0]) {
            x->parent = r0;
            x->poff = base;
            continue;
        }
        at = 0;
        for (int k = 0; k < s->n_out; k++) {
            int o = s->out[k];
            if (o < 0)
                continue;
            if (p->vals[o].parent < 0 && is_runtime(p, o) && root_of(p, s->in[0], NULL) != o) {
                p->vals[o].parent = s->in[0];
                p->vals[o].poff = at;
            }
            at += val_bytes(&p->vals[o]);
        }
    }
    /* 3. Reshape-like outputs are the input under another shape. */
    for (int i = 0; i < p->n_steps; i++) {
        struct md_step *s = &p->steps[i];
        const char *n = s->op->name;
        if (strcmp(n, "Reshape") && strcmp(n, "Identity") && strcmp(n, "Flatten") &&
            strcmp(n, "Squeeze") && strcmp(n, "Unsqueeze"))
            continue;
        int x = s->in[0], o = s->out[0];
        if (!is_runtime(p, o) || p->vals[x].cdata)
            continue;
        if (p->vals[o].parent < 0 && root_of(p, x, NULL) != o) {
            p->vals[o].parent = x;
            p->vals[o].poff = 0;
        } else if (p->vals[x].parent < 0 && !p->vals[x].is_input && root_of(p, o, NULL) != x) {
            p->vals[x].parent = o;
            p->vals[x].poff = 0;
        }
    }
    /* Steps whose outputs already sit where they belong have nothing to do. */
    for (int i = 0; i < p->n_steps; i++) {
        struct md_step *s = &p->steps[i];
        const char *n = s->op->name;
        int view_op = !strcmp(n, "Reshape") || !strcmp(n, "Identity") || !strcmp(n, "Flatten") ||
                      !strcmp(n, "Squeeze") || !strcmp(n, "Unsqueeze");
        int cat = !strcmp(n, "Concat"), split = !strcmp(n, "Split");
        if (!view_op && !cat && !split)
            continue;
        size_t ro, xo;
        int skip = 1;
        if (view_op) {
            skip = root_of(p, s->in[0], &xo) == root_of(p, s->out[0], &ro) && xo == ro;
        } else {
            int big = cat ? s->out[0] : s->in[0];
            int rb = root_of(p, big, &ro);
            size_t at = 0;
            int *pieces = cat ? s->in : s->out, np = cat ? s->n_in : s->n_out;
            if (!contiguous_axis(&p->vals[big], (int)s->iparam[0]))
                skip = 0;
            for (int k = 0; k < np && skip; k++) {
                if (pieces[k] < 0 || p->vals[pieces[k]].cdata) {
                    skip = 0;
                    break;
                }
                int r = root_of(p, pieces[k], &xo);
                if (r != rb || xo != ro + at)
                    skip = 0;
                at += val_bytes(&p->vals[pieces[k]]);
            }
        }
        s->skip = skip;
    }
}

/* Activation buffers are walked with large strides (one row per input
 * channel): on 4 KiB pages a 14 MiB arena overflows the TLB.  Big buffers
 * are aligned to 2 MiB and offered to transparent huge pages; small ones
 * are 64-byte aligned.  Freed with free(). */
#define HUGE_PAGE ((size_t)2 << 20)

void *md_plan_alloc(size_t bytes)
{
    if (bytes < HUGE_PAGE)
        return aligned_alloc(ALIGN, bytes ? (bytes + ALIGN - 1) & ~(size_t)(ALIGN - 1) : ALIGN);
    size_t n = (bytes + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    void *b = aligned_alloc(HUGE_PAGE, n);
#ifdef MADV_HUGEPAGE
    if (b && !getenv("MLDECK_YOLO_NO_HUGEPAGES"))
        madvise(b, n, MADV_HUGEPAGE);
#endif
    return b;
}

/* ---- arena: offsets from lifetimes ---- */

struct placed {
    size_t off, size;
    int first, last;
};

static int by_size_desc(const void *a, const void *b)
{
    const struct md_val *const *x = a, *const *y = b;
    size_t sx = val_bytes(*x), sy = val_bytes(*y);
    return sx < sy ? 1 : sx > sy ? -1 : 0;
}

static md_status plan_arena(struct md_plan *p, struct md_err *err)
{
    for (int i = 0; i < p->n_vals; i++) {
        p->vals[i].first = 1 << 30;
        p->vals[i].last = -1;
    }
    for (int i = 0; i < p->n_steps; i++) {
        struct md_step *s = &p->steps[i];
        for (int k = 0; k < s->n_in; k++)
            if (s->in[k] >= 0 && !p->vals[s->in[k]].cdata) {
                struct md_val *r = &p->vals[root_of(p, s->in[k], NULL)];
                r->first = i < r->first ? i : r->first;
                r->last = i > r->last ? i : r->last;
            }
        for (int k = 0; k < s->n_out; k++)
            if (s->out[k] >= 0 && !p->vals[s->out[k]].cdata) {
                struct md_val *r = &p->vals[root_of(p, s->out[k], NULL)];
                r->first = i < r->first ? i : r->first;
                r->last = i > r->last ? i : r->last;
            }
    }
    for (int i = 0; i < p->n_vals; i++) {
        struct md_val *v = &p->vals[i];
        if (v->cdata)
            continue;
        struct md_val *r = &p->vals[root_of(p, i, NULL)];
        if (v->is_input)
            r->first = -1;
        if (v->is_output)
            r->last = p->n_steps;
    }
    struct md_val **roots = calloc((size_t)p->n_vals + 1, sizeof *roots);
    struct placed *pl = calloc((size_t)p->n_vals + 1, sizeof *pl);
    if (!roots || !pl) {
        free(roots);
        free(pl);
        return md_err_set(err, MD_ERR_NOMEM, "out of memory planning the arena");
    }
    int nr = 0;
    for (int i = 0; i < p->n_vals; i++) {
        struct md_val *v = &p->vals[i];
        if (!v->cdata && v->parent < 0 && v->last >= v->first && v->dtype)
            roots[nr++] = v;
    }
    qsort(roots, (size_t)nr, sizeof *roots, by_size_desc);
    size_t total = 0;
    int np = 0;
    for (int i = 0; i < nr; i++) {
        struct md_val *v = roots[i];
        size_t size = (val_bytes(v) + ALIGN - 1) & ~(size_t)(ALIGN - 1);
        size_t off = 0;
        /* lowest offset that overlaps no placed value alive at the same time */
        for (int again = 1; again;) {
            again = 0;
            for (int j = 0; j < np; j++) {
                if (pl[j].last < v->first || pl[j].first > v->last)
                    continue;
                if (off < pl[j].off + pl[j].size && pl[j].off < off + size) {
                    off = pl[j].off + pl[j].size;
                    again = 1;
                }
            }
        }
        v->off = off;
        pl[np++] = (struct placed){off, size, v->first, v->last};
        if (off + size > total)
            total = off + size;
    }
    free(roots);
    free(pl);
    if (total > MD_MAX_ARENA)
        return md_err_set(err, MD_ERR_UNSUPPORTED, "the model needs %zu MiB of intermediate memory (limit %zu MiB)",
                          total >> 20, MD_MAX_ARENA >> 20);
    p->arena_size = total;
    p->arena = md_plan_alloc(total);
    if (!p->arena)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory allocating %zu MiB for the model", total >> 20);
    memset(p->arena, 0, total);
    return MD_OK;
}

static md_status alloc_scratch(struct md_plan *p, struct md_err *err)
{
    size_t need = 16;
    for (int i = 0; i < p->n_steps; i++) {
        struct md_step *s = &p->steps[i];
        size_t n = 0;
        if (s->op->run == md_conv_run)
            n = md_conv_scratch(&s->conv);
        else if (!strcmp(s->op->name, "MaxPool"))   /* row maxima + one padded row */
            n = (size_t)(p->vals[s->in[0]].dims[2] * p->vals[s->out[0]].dims[3]) +
                (size_t)(p->vals[s->out[0]].dims[3] + s->iparam[1]);
        need = n > need ? n : need;
    }
    need = (need + 15) & ~(size_t)15;
    size_t xneed = 16;
    for (int i = 0; i < p->n_steps; i++)
        if (p->steps[i].op->run == md_conv_run) {
            size_t n = md_conv_shared_scratch(&p->steps[i].conv);
            xneed = n > xneed ? n : xneed;
        }
    if (!p->xbuf) {
        p->xbuf = md_plan_alloc(((xneed + 15) & ~(size_t)15) * sizeof(float));
        if (!p->xbuf)
            return md_err_set(err, MD_ERR_NOMEM, "out of memory allocating scratch space");
    }
    free(p->scratch);
    p->scratch_per_thread = need;
    p->scratch = md_plan_alloc(need * sizeof(float) * (size_t)p->nthreads);
    if (!p->scratch)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory allocating scratch space");
    return MD_OK;
}

md_status md_plan_set_threads(struct md_plan *p, int nthreads, struct md_err *err)
{
    if (nthreads < 1)
        nthreads = 1;
    if (nthreads > 256)
        nthreads = 256;
    if (p->pool && p->nthreads == nthreads)
        return MD_OK;
    md_pool_free(p->pool);
    p->pool = md_pool_new(nthreads);
    if (!p->pool)
        return md_err_set(err, MD_ERR_NOMEM, "cannot start %d threads", nthreads);
    p->nthreads = md_pool_threads(p->pool);
    return alloc_scratch(p, err);
}

/* ---- building ---- */

static md_status topo_order(struct md_plan *p, int *order, struct md_err *err)
{
    struct md_onnx_model *m = p->model;
    int n = m->n_nodes;
    int *pending = calloc((size_t)n + 1, sizeof *pending);
    int *queue = calloc((size_t)n + 1, sizeof *queue);
    /* consumers: for each value, the nodes that read it (CSR) */
    int *cstart = calloc((size_t)p->n_vals + 2, sizeof *cstart);
    int nedges = 0;
    md_status st = MD_OK;
    if (!pending || !queue || !cstart) {
        st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (int i = 0; i < n; i++)
        for (int k = 0; k < m->nodes[i].n_inputs; k++)
            if (m->nodes[i].inputs[k][0])
                nedges++;
    int *cnode = calloc((size_t)nedges + 1, sizeof *cnode), *fill = calloc((size_t)p->n_vals + 1, sizeof *fill);
    if (!cnode || !fill) {
        free(cnode);
        free(fill);
        st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (int i = 0; i < n; i++)
        for (int k = 0; k < m->nodes[i].n_inputs; k++) {
            const char *nm = m->nodes[i].inputs[k];
            if (!nm[0])
                continue;
            int v = val_find(p, nm);
            cstart[v + 1]++;
            if (p->vals[v].producer >= 0)
                pending[i]++;
        }
    for (int v = 0; v < p->n_vals; v++)
        cstart[v + 1] += cstart[v];
    for (int i = 0; i < n; i++)
        for (int k = 0; k < m->nodes[i].n_inputs; k++) {
            const char *nm = m->nodes[i].inputs[k];
            if (!nm[0])
                continue;
            int v = val_find(p, nm);
            cnode[cstart[v] + fill[v]++] = i;
        }
    int qh = 0, qt = 0;
    for (int i = 0; i < n; i++)
        if (!pending[i])
            queue[qt++] = i;
    while (qh < qt) {
        int i = queue[qh++];
        order[qh - 1] = i;
        for (int k = 0; k < m->nodes[i].n_outputs; k++) {
            const char *nm = m->nodes[i].outputs[k];
            if (!nm[0])
                continue;
            int v = val_find(p, nm);
            for (int e = cstart[v]; e < cstart[v + 1]; e++)
                if (--pending[cnode[e]] == 0)
                    queue[qt++] = cnode[e];
        }
    }
    if (qt != n) {
        int bad = 0;
        for (int i = 0; i < n; i++)
            if (pending[i] > 0) {
                bad = i;
                break;
            }
        st = md_err_set(err, MD_ERR_PARSE, "the graph has a cycle (node '%s' (%s) depends on its own output)",
                        m->nodes[bad].name, m->nodes[bad].op_type);
    }
    free(cnode);
    free(fill);
out:
    free(pending);
    free(queue);
    free(cstart);
    return st;
}

/* Conv -> Sigmoid -> Mul(conv, sigmoid) is SiLU: fold both into the Conv. */
static void find_fusions(struct md_plan *p, int *fused_into, int *act)
{
    struct md_onnx_model *m = p->model;
    int n = m->n_nodes;
    /* the single consumer node of a value, or -1 / -2 (none / several) */
    int *only = malloc(sizeof(int) * (size_t)p->n_vals * 2 + 2);
    if (!only)
        return;
    int *second = only + p->n_vals;
    for (int v = 0; v < p->n_vals; v++)
        only[v] = second[v] = -1;
    for (int i = 0; i < n; i++)
        for (int k = 0; k < m->nodes[i].n_inputs; k++) {
            const char *nm = m->nodes[i].inputs[k];
            if (!nm[0])
                continue;
            int v = val_find(p, nm);
            if (only[v] == -1)
                only[v] = i;
            else if (second[v] == -1 && only[v] != i)
                second[v] = i;
            else if (only[v] != i && second[v] != i)
                second[v] = -2;   /* three or more */
        }
    for (int i = 0; i < n; i++) {
        const struct md_onnx_node *c = &m->nodes[i];
        if (strcmp(c->op_type, "Conv") || c->n_outputs != 1)
            continue;
        int x = val_find(p, c->outputs[0]);
        if (x < 0 || p->vals[x].is_output)
            continue;
        int a = only[x], b = second[x];
        if (a < 0)
            continue;
        if (b == -1 && !strcmp(m->nodes[a].op_type, "Sigmoid")) {
            act[i] = MD_ACT_SIGMOID;
            fused_into[a] = i;
            continue;
        }
        if (b < 0)
            continue;
        int sg = !strcmp(m->nodes[a].op_type, "Sigmoid") ? a : !strcmp(m->nodes[b].op_type, "Sigmoid") ? b : -1;
        int mu = sg == a ? b : a;
        if (sg < 0 || strcmp(m->nodes[mu].op_type, "Mul") || m->nodes[sg].n_outputs != 1 ||
            m->nodes[mu].n_inputs != 2)
            continue;
        int sv = val_find(p, m->nodes[sg].outputs[0]);
        if (sv < 0 || p->vals[sv].is_output || only[sv] != mu || second[sv] != -1)
            continue;
        int i0 = val_find(p, m->nodes[mu].inputs[0]), i1 = val_find(p, m->nodes[mu].inputs[1]);
        if (!((i0 == x && i1 == sv) || (i0 == sv && i1 == x)))
            continue;
        act[i] = MD_ACT_SILU;
        fused_into[sg] = i;
        fused_into[mu] = i;
    }
    free(only);
}

static md_status add_step(struct md_plan *p, const struct md_onnx_node *n, const struct md_op *op,
                          int act, const char *out_name, struct md_err *err)
{
    struct md_step *s = &p->steps[p->n_steps];
    memset(s, 0, sizeof *s);
    s->node = n;
    s->op = op;
    s->act = act;
    s->in = malloc(sizeof(int) * (size_t)(n->n_inputs + 1));
    s->out = malloc(sizeof(int) * (size_t)(n->n_outputs + 1));
    if (!s->in || !s->out) {
        free(s->in);
        free(s->out);
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    p->n_steps++;
    if (n->n_inputs < op->min_in || n->n_inputs > op->max_in || n->n_outputs < 1 ||
        n->n_outputs > op->max_out || !n->outputs[0][0])
        return md_err_set(err, MD_ERR_PARSE, "node '%s' (%s): %d inputs and %d outputs is not a valid %s",
                          n->name, n->op_type, n->n_inputs, n->n_outputs, n->op_type);
    for (int k = 0; k < op->min_in; k++)
        if (!n->inputs[k][0])
            return md_err_set(err, MD_ERR_PARSE, "node '%s' (%s): required input %d is missing",
                              n->name, n->op_type, k + 1);
    s->n_in = n->n_inputs;
    s->n_out = n->n_outputs;
    for (int k = 0; k < n->n_inputs; k++) {
        s->in[k] = n->inputs[k][0] ? val_find(p, n->inputs[k]) : -1;
        if (s->in[k] >= 0 && !p->vals[s->in[k]].dtype)
            return md_err_set(err, MD_ERR_PARSE, "node '%s' (%s): input '%s' has no known shape",
                              n->name, n->op_type, n->inputs[k]);
    }
    for (int k = 0; k < n->n_outputs; k++)
        s->out[k] = n->outputs[k][0] ? val_find(p, k == 0 && out_name ? out_name : n->outputs[k]) : -1;
    md_status st = op->prepare(p, s, err);
    if (st)
        return st;
    int all_const = op->can_fold;
    for (int k = 0; k < s->n_in && all_const; k++)
        if (s->in[k] >= 0 && !p->vals[s->in[k]].cdata)
            all_const = 0;
    if (!op->run || all_const) {
        if (op->run) {
            s->fold = 1;
            for (int k = 0; k < s->n_out; k++) {
                if (s->out[k] < 0)
                    continue;
                struct md_val *o = &p->vals[s->out[k]];
                o->cdata = calloc(o->numel ? o->numel : 1, md_dtype_size(o->dtype));
                if (!o->cdata)
                    return md_err_set(err, MD_ERR_NOMEM, "out of memory folding constants");
                o->own_cdata = 1;
            }
            op->run(p, s);
        }
        p->n_steps--;
        free(s->in);
        free(s->out);
    }
    return MD_OK;
}

md_status md_plan_build(struct md_onnx_model *m, int nthreads, struct md_plan **out, struct md_err *err)
{
    *out = NULL;
    md_status st = md_blas_load(err);  /* the convolutions may call it */
    if (st != MD_OK)
        return st;
    struct md_plan *p = calloc(1, sizeof *p);
    if (!p)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    p->model = m;
    p->opset = (int)m->opset;
    p->input = p->output = -1;
    st = MD_OK;
    int *order = NULL, *fused = NULL, *act = NULL;

    size_t nv = (size_t)m->n_inits + (size_t)m->n_inputs + 1;
    for (int i = 0; i < m->n_nodes; i++)
        nv += (size_t)m->nodes[i].n_outputs;
    p->cap_vals = (int)nv;
    p->vals = calloc(nv, sizeof *p->vals);
    p->hash_cap = 16;
    while (p->hash_cap < nv * 2)
        p->hash_cap <<= 1;
    p->hash = malloc(p->hash_cap * sizeof *p->hash);
    p->steps = calloc((size_t)m->n_nodes + 1, sizeof *p->steps);
    order = calloc((size_t)m->n_nodes + 1, sizeof *order);
    fused = malloc(sizeof(int) * ((size_t)m->n_nodes + 1));
    act = calloc((size_t)m->n_nodes + 1, sizeof *act);
    if (!p->vals || !p->hash || !p->steps || !order || !fused || !act) {
        st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
        goto fail;
    }
    memset(p->hash, 0xff, p->hash_cap * sizeof *p->hash);
    for (int i = 0; i < m->n_nodes; i++)
        fused[i] = -1;

    for (int i = 0; i < m->n_inits; i++) {
        struct md_onnx_tensor *t = &m->inits[i];
        int v = val_find(p, t->name);
        if (v < 0)
            v = val_add(p, t->name);
        struct md_val *x = &p->vals[v];
        x->dtype = t->dtype;
        x->ndim = t->ndim;
        memcpy(x->dims, t->dims, sizeof x->dims);
        x->numel = t->numel;
        x->cdata = t->data ? t->data : (void *)"";
    }
    for (int i = 0; i < m->n_inputs; i++) {
        struct md_onnx_value_info *vi = &m->inputs[i];
        if (val_find(p, vi->name) >= 0)
            continue;   /* an initializer listed as an input */
        if (p->input >= 0) {
            st = md_err_set(err, MD_ERR_UNSUPPORTED, "the model has more than one input ('%s')", vi->name);
            goto fail;
        }
        int v = val_add(p, vi->name);
        struct md_val *x = &p->vals[v];
        if (vi->elem_type != 1 || !vi->has_shape || vi->ndim != 4) {
            st = md_err_set(err, MD_ERR_UNSUPPORTED, "input '%s' must be a float32 tensor [1,3,H,W]", vi->name);
            goto fail;
        }
        for (int k = 0; k < 4; k++)
            if (vi->dims[k] <= 0) {
                st = md_err_set(err, MD_ERR_UNSUPPORTED,
                                "input '%s' has a dynamic shape; export the model with a fixed image size",
                                vi->name);
                goto fail;
            }
        if (vi->dims[0] != 1 || vi->dims[1] != 3 || vi->dims[2] > 8192 || vi->dims[3] > 8192) {
            st = md_err_set(err, MD_ERR_UNSUPPORTED, "input '%s' must be [1,3,H,W] with H,W <= 8192", vi->name);
            goto fail;
        }
        x->dtype = MD_DT_F32;
        x->ndim = 4;
        memcpy(x->dims, vi->dims, sizeof x->dims);
        x->numel = (size_t)(vi->dims[1] * vi->dims[2] * vi->dims[3]);
        x->is_input = 1;
        p->input = v;
    }
    if (p->input < 0) {
        st = md_err_set(err, MD_ERR_UNSUPPORTED, "the model has no image input");
        goto fail;
    }
    for (int i = 0; i < m->n_nodes; i++) {
        const struct md_onnx_node *n = &m->nodes[i];
        if (n->domain[0] && strcmp(n->domain, "ai.onnx")) {
            st = md_err_set(err, MD_ERR_UNSUPPORTED, "node '%s': operator %s of domain '%s' is not supported",
                            n->name, n->op_type, n->domain);
            goto fail;
        }
        const struct md_op *op = md_op_find(n->op_type);
        if (!op) {
            st = md_err_set(err, MD_ERR_UNSUPPORTED, "node '%s': operator %s is not supported by mldeck",
                            n->name, n->op_type);
            goto fail;
        }
        if ((st = check_attrs(n, op, err)))
            goto fail;
        for (int k = 0; k < n->n_outputs; k++) {
            if (!n->outputs[k][0])
                continue;
            int v = val_find(p, n->outputs[k]);
            if (v >= 0) {
                st = md_err_set(err, MD_ERR_PARSE, "node '%s' (%s): output '%s' is produced twice",
                                n->name, n->op_type, n->outputs[k]);
                goto fail;
            }
            v = val_add(p, n->outputs[k]);
            p->vals[v].producer = i;
        }
    }
    for (int i = 0; i < m->n_nodes; i++)
        for (int k = 0; k < m->nodes[i].n_inputs; k++) {
            const char *nm = m->nodes[i].inputs[k];
            if (nm[0] && val_find(p, nm) < 0) {
                st = md_err_set(err, MD_ERR_PARSE, "node '%s' (%s) reads '%s', which nothing produces",
                                m->nodes[i].name, m->nodes[i].op_type, nm);
                goto fail;
            }
        }
    if (m->n_outputs != 1) {
        st = md_err_set(err, MD_ERR_UNSUPPORTED,
                        "the model has %d outputs; a detection model has one ([1, 4+classes, anchors])",
                        m->n_outputs);
        goto fail;
    }
    p->output = val_find(p, m->outputs[0].name);
    if (p->output < 0) {
        st = md_err_set(err, MD_ERR_PARSE, "output '%s' is not produced by any node", m->outputs[0].name);
        goto fail;
    }
    p->vals[p->output].is_output = 1;
    if ((st = topo_order(p, order, err)))
        goto fail;
    find_fusions(p, fused, act);
    for (int i = 0; i < m->n_nodes; i++) {
        int ni = order[i];
        if (fused[ni] >= 0)
            continue;
        const struct md_onnx_node *n = &m->nodes[ni];
        const char *out_name = NULL;
        if (act[ni] == MD_ACT_SILU) {
            /* the Mul consuming this conv is where the fused result lands */
            for (int j = 0; j < m->n_nodes; j++)
                if (fused[j] == ni && !strcmp(m->nodes[j].op_type, "Mul"))
                    out_name = m->nodes[j].outputs[0];
        } else if (act[ni] == MD_ACT_SIGMOID) {
            for (int j = 0; j < m->n_nodes; j++)
                if (fused[j] == ni)
                    out_name = m->nodes[j].outputs[0];
        }
        if ((st = add_step(p, n, md_op_find(n->op_type), act[ni], out_name, err)))
            goto fail;
    }
    struct md_val *o = &p->vals[p->output];
    if (o->cdata || o->dtype != MD_DT_F32) {
        st = md_err_set(err, MD_ERR_UNSUPPORTED, "the output does not depend on the input");
        goto fail;
    }
    share_storage(p);
    if ((st = plan_arena(p, err)))
        goto fail;
    if ((st = md_plan_set_threads(p, nthreads, err)))
        goto fail;
    const char *prof = getenv("MLDECK_YOLO_PROFILE");
    if (prof && prof[0] && strcmp(prof, "0"))
        p->step_ms = calloc((size_t)p->n_steps + 1, sizeof *p->step_ms);   /* NULL: no profile */
    free(order);
    free(fused);
    free(act);
    *out = p;
    return MD_OK;
fail:
    free(order);
    free(fused);
    free(act);
    md_plan_free(p);
    return st;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* MLDECK_YOLO_PROFILE: mean wall time per run of every step, then per
 * operator (Conv split by kind), to stderr when the model is freed. */
static void print_profile(const struct md_plan *p)
{
    struct { const char *name; double ms; int n; } agg[48];
    int na = 0;
    double total = 0;
    fprintf(stderr, "mldeck yolo profile: %d runs, %d threads (ms per run)\n", p->profile_runs, p->nthreads);
    for (int i = 0; i < p->n_steps; i++) {
        const struct md_step *s = &p->steps[i];
        double ms = p->step_ms[i] / p->profile_runs;
        total += ms;
        const char *kind = s->op->name;
        char shape[96] = "";
        if (s->op->run == md_conv_run) {
            const struct md_conv *c = &s->conv;
            kind = c->wino ? "Conv wino" : c->depthwise ? "Conv dw" : c->direct ? "Conv 1x1" : c->kh == 3 && c->sh == 1 ? "Conv 3x3/1"
                   : c->kh == 3 && c->sh == 2 ? "Conv 3x3/2" : "Conv other";
            snprintf(shape, sizeof shape, "%dx%dx%d -> %dx%dx%d k%d s%d g%d", c->cin, c->ih, c->iw, c->cout,
                     c->oh, c->ow, c->kh, c->sh, c->group);
        }
        if (!s->skip)
            fprintf(stderr, "%4d %8.3f  %-12s %-40.40s %s\n", i, ms, kind, s->node->name, shape);
        int k = 0;
        while (k < na && strcmp(agg[k].name, kind))
            k++;
        if (k == na && na < 48)
            agg[na++] = (typeof(agg[0])){kind, 0, 0};
        if (k < na) {
            agg[k].ms += ms;
            agg[k].n += !s->skip;
        }
    }
    fprintf(stderr, "per operator:\n");
    for (int k = 0; k < na; k++)
        if (agg[k].n)
            fprintf(stderr, "  %-12s %4d steps %8.3f ms %5.1f %%\n", agg[k].name, agg[k].n, agg[k].ms,
                    total > 0 ? 100 * agg[k].ms / total : 0);
    fprintf(stderr, "  total %.3f ms\n", total);
}

void md_plan_run(struct md_plan *p)
{
    if (p->step_ms)
        p->profile_runs++;
    for (int i = 0; i < p->n_steps; i++) {
        struct md_step *s = &p->steps[i];
        if (s->skip)
            continue;
        if (p->step_ms) {
            double t0 = now_ms();
            s->op->run(p, s);
            p->step_ms[i] += now_ms() - t0;
        } else {
            s->op->run(p, s);
        }
    }
}
