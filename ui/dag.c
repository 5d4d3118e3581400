#include "ui/dag.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void md_dag_free(struct md_dag *g)
{
    free(g->nodes);
    free(g->edges);
    free(g->base);
    memset(g, 0, sizeof *g);
}

int md_dag_find(const struct md_dag *g, const char *name)
{
    for (int i = 0; i < g->nreal; i++)
        if (!strcmp(g->nodes[i].name, name))
            return i;
    return -1;
}

struct parse {
    struct md_dag *g;
    const cJSON *steps[MD_DAG_MAX_STEPS];
    int cap_edges;
};

static int add_node(struct md_dag *g, const char *name, const char *type, bool dummy)
{
    struct md_dag_node *nv = realloc(g->nodes, (size_t)(g->n + 1) * sizeof *nv);
    if (!nv)
        return -1;
    g->nodes = nv;
    struct md_dag_node *d = &g->nodes[g->n];
    memset(d, 0, sizeof *d);
    snprintf(d->name, sizeof d->name, "%s", name);
    snprintf(d->type, sizeof d->type, "%s", type);
    d->dummy = dummy;
    return g->n++;
}

static void add_edge(struct md_dag *g, int from, int to, enum md_dag_edge_kind kind)
{
    if (from < 0 || to < 0 || from == to)
        return;
    for (int i = 0; i < g->nedges; i++)
        if (g->edges[i].from == from && g->edges[i].to == to) {
            if (kind != MD_DAG_DEP)
                g->edges[i].kind = kind;
            return;
        }
    struct md_dag_edge *ne = realloc(g->edges, (size_t)(g->nedges + 1) * sizeof *ne);
    if (!ne)
        return;
    g->edges = ne;
    g->edges[g->nedges++] = (struct md_dag_edge){from, to, kind};
}

/* Steps, depth first: a Condition's branches nest whole steps. */
static md_status collect(struct parse *p, const cJSON *arr, int depth, struct md_err *err)
{
    if (depth > 16)
        return md_err_set(err, MD_ERR_PARSE, "pipeline definition: conditions nested too deep");
    const cJSON *s;
    cJSON_ArrayForEach(s, arr) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(s, "Name");
        if (!cJSON_IsString(name) || !name->valuestring[0])
            return md_err_set(err, MD_ERR_PARSE, "pipeline definition: a step has no Name");
        if (md_dag_find(p->g, name->valuestring) >= 0)
            continue;
        if (p->g->n >= MD_DAG_MAX_STEPS)
            return md_err_set(err, MD_ERR_PARSE, "pipeline definition: more than %d steps",
                              MD_DAG_MAX_STEPS);
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(s, "Type");
        int i = add_node(p->g, name->valuestring, cJSON_IsString(type) ? type->valuestring : "?",
                         false);
        if (i < 0)
            return md_err_set(err, MD_ERR_NOMEM, "out of memory");
        p->steps[i] = s;
        p->g->nreal = p->g->n;
        const cJSON *args = cJSON_GetObjectItemCaseSensitive(s, "Arguments");
        md_status st = MD_OK;
        const cJSON *br = cJSON_GetObjectItemCaseSensitive(args, "IfSteps");
        if (cJSON_IsArray(br))
            st = collect(p, br, depth + 1, err);
        br = cJSON_GetObjectItemCaseSensitive(args, "ElseSteps");
        if (st == MD_OK && cJSON_IsArray(br))
            st = collect(p, br, depth + 1, err);
        if (st != MD_OK)
            return st;
    }
    return MD_OK;
}

/* {"Get": "Steps.Train.ModelArtifacts..."} anywhere under j, except in a
 * Condition's nested branches (those belong to the branch steps). */
static void refs(struct md_dag *g, const cJSON *j, int to, int depth)
{
    if (!j || depth > 64)
        return;
    if (cJSON_IsObject(j)) {
        const cJSON *get = cJSON_GetObjectItemCaseSensitive(j, "Get");
        if (cJSON_IsString(get) && !strncmp(get->valuestring, "Steps.", 6)) {
            char name[256];
            size_t k = 0;
            for (const char *c = get->valuestring + 6; *c && *c != '.' && *c != '[' &&
                                                       k + 1 < sizeof name; c++)
                name[k++] = *c;
            name[k] = '\0';
            add_edge(g, md_dag_find(g, name), to, MD_DAG_DEP);
        }
    }
    const cJSON *c;
    cJSON_ArrayForEach(c, j) {
        if (c->string && (!strcmp(c->string, "IfSteps") || !strcmp(c->string, "ElseSteps")))
            continue;
        refs(g, c, to, depth + 1);
    }
}

static bool reaches(const struct md_dag *g, int from, int to, int skip_edge, char *seen)
{
    if (from == to)
        return true;
    if (seen[from])
        return false;
    seen[from] = 1;
    for (int e = 0; e < g->nedges; e++)
        if (e != skip_edge && g->edges[e].from == from && reaches(g, g->edges[e].to, to, skip_edge, seen))
            return true;
    return false;
}

/* Cycles are invalid in a pipeline; drawn anyway, the edges that close a
 * cycle (found by depth-first search) are dropped. */
static void drop_cycles(struct md_dag *g)
{
    for (int e = 0; e < g->nedges;) {
        char seen[MD_DAG_MAX_STEPS] = {0};
        if (reaches(g, g->edges[e].to, g->edges[e].from, e, seen)) {
            g->edges[e] = g->edges[--g->nedges];
            continue;
        }
        e++;
    }
}

static void reduce(struct md_dag *g)
{
    for (int e = 0; e < g->nedges;) {
        char seen[MD_DAG_MAX_STEPS] = {0};
        if (reaches(g, g->edges[e].from, g->edges[e].to, e, seen)) {
            /* A branch edge keeps its meaning on the node, not the line. */
            g->edges[e] = g->edges[--g->nedges];
            continue;
        }
        e++;
    }
}

md_status md_dag_parse(const char *definition, struct md_dag *g, struct md_err *err)
{
    memset(g, 0, sizeof *g);
    cJSON *root = definition ? cJSON_Parse(definition) : NULL;
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return md_err_set(err, MD_ERR_PARSE, "pipeline definition is not a JSON object");
    }
    const cJSON *steps = cJSON_GetObjectItemCaseSensitive(root, "Steps");
    if (!cJSON_IsArray(steps)) {
        cJSON_Delete(root);
        return md_err_set(err, MD_ERR_PARSE, "pipeline definition has no Steps list");
    }
    struct parse p = {.g = g};
    md_status st = collect(&p, steps, 0, err);
    if (st == MD_OK) {
        for (int i = 0; i < g->nreal; i++) {
            const cJSON *s = p.steps[i];
            const cJSON *d;
            cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(s, "DependsOn"))
                if (cJSON_IsString(d))
                    add_edge(g, md_dag_find(g, d->valuestring), i, MD_DAG_DEP);
            const cJSON *args = cJSON_GetObjectItemCaseSensitive(s, "Arguments");
            refs(g, args, i, 0);
            refs(g, cJSON_GetObjectItemCaseSensitive(s, "PropertyFiles"), i, 0);
            const char *br[2] = {"IfSteps", "ElseSteps"};
            for (int b = 0; b < 2; b++) {
                const cJSON *c;
                cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(args, br[b])) {
                    const cJSON *nm = cJSON_GetObjectItemCaseSensitive(c, "Name");
                    if (cJSON_IsString(nm))
                        add_edge(g, i, md_dag_find(g, nm->valuestring),
                                 b == 0 ? MD_DAG_IF : MD_DAG_ELSE);
                }
            }
        }
        drop_cycles(g);
        reduce(g);
        g->base = malloc((size_t)(g->nedges + 1) * sizeof *g->base);
        if (!g->base)
            st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
        else if (g->nedges)
            memcpy(g->base, g->edges, (size_t)g->nedges * sizeof *g->base);
        g->nbase = g->nedges;
    }
    cJSON_Delete(root);
    return st;
}

static int cmp_double(double a, double b)
{
    return a < b ? -1 : a > b;
}

void md_dag_layout(struct md_dag *g, int box_w, int gap)
{
    int n = g->nreal;
    g->n = n;   /* drop dummies of an earlier layout */
    if (g->base) {
        struct md_dag_edge *ne = realloc(g->edges, (size_t)(g->nbase + 1) * sizeof *ne);
        if (!ne)
            return;
        g->edges = ne;
        if (g->nbase)
            memcpy(g->edges, g->base, (size_t)g->nbase * sizeof *ne);
        g->nedges = g->nbase;
    }
    /* Longest path from the sources; the graph is acyclic now. */
    for (int i = 0; i < n; i++)
        g->nodes[i].layer = 0;
    for (int pass = 0; pass < n; pass++) {
        bool moved = false;
        for (int e = 0; e < g->nedges; e++) {
            struct md_dag_node *a = &g->nodes[g->edges[e].from], *b = &g->nodes[g->edges[e].to];
            if (b->layer < a->layer + 1) {
                b->layer = a->layer + 1;
                moved = true;
            }
        }
        if (!moved)
            break;
    }
    g->nlayers = 0;
    for (int i = 0; i < n; i++)
        if (g->nodes[i].layer + 1 > g->nlayers)
            g->nlayers = g->nodes[i].layer + 1;
    /* Long edges become chains through dummies, one per layer crossed. */
    int ne = g->nedges;
    for (int e = 0; e < ne; e++) {
        int from = g->edges[e].from, to = g->edges[e].to;
        int la = g->nodes[from].layer, lb = g->nodes[to].layer;
        if (lb - la <= 1)
            continue;
        int prev = from;
        for (int l = la + 1; l < lb; l++) {
            int d = add_node(g, "", "", true);
            if (d < 0)
                break;
            g->nodes[d].layer = l;
            if (prev == from) {
                g->edges[e].to = d;
            } else {
                add_edge(g, prev, d, MD_DAG_DEP);
            }
            prev = d;
        }
        if (prev != from)
            add_edge(g, prev, to, g->edges[e].kind);
    }
    /* Order: definition order first, then each layer by the mean order of
     * its parents (two sweeps settle the usual pipelines). */
    int *count = calloc((size_t)g->nlayers + 1, sizeof *count);
    double *key = calloc((size_t)g->n + 1, sizeof *key);
    if (!count || !key) {
        free(count);
        free(key);
        return;
    }
    for (int i = 0; i < g->n; i++)
        g->nodes[i].order = count[g->nodes[i].layer]++;
    for (int sweep = 0; sweep < 2; sweep++) {
        for (int l = 1; l < g->nlayers; l++) {
            for (int i = 0; i < g->n; i++) {
                if (g->nodes[i].layer != l)
                    continue;
                double sum = 0;
                int np = 0;
                for (int e = 0; e < g->nedges; e++)
                    if (g->edges[e].to == i) {
                        sum += g->nodes[g->edges[e].from].order;
                        np++;
                    }
                key[i] = np ? sum / np + g->nodes[i].order * 1e-3 : g->nodes[i].order;
            }
            /* Re-number the layer by key (insertion sort over its members). */
            for (int i = 0; i < g->n; i++) {
                if (g->nodes[i].layer != l)
                    continue;
                int rank = 0;
                for (int j = 0; j < g->n; j++)
                    if (j != i && g->nodes[j].layer == l &&
                        (cmp_double(key[j], key[i]) < 0 || (key[j] == key[i] && j < i)))
                        rank++;
                g->nodes[i].order = rank;
            }
        }
    }
    /* Place: each layer centred on the widest. */
    int *lw = calloc((size_t)g->nlayers + 1, sizeof *lw);
    if (lw) {
        for (int i = 0; i < g->n; i++) {
            struct md_dag_node *d = &g->nodes[i];
            d->w = d->dummy ? 1 : box_w;
            lw[d->layer] += d->w + (count[d->layer] > 1 ? gap : 0);
        }
        g->width = 0;
        for (int l = 0; l < g->nlayers; l++) {
            if (count[l] > 1)
                lw[l] -= gap;
            if (lw[l] > g->width)
                g->width = lw[l];
        }
        for (int l = 0; l < g->nlayers; l++) {
            int x = (g->width - lw[l]) / 2;
            for (int o = 0; o < g->n; o++)
                for (int i = 0; i < g->n; i++)
                    if (g->nodes[i].layer == l && g->nodes[i].order == o) {
                        g->nodes[i].x = x;
                        x += g->nodes[i].w + gap;
                    }
        }
    }
    free(lw);
    free(count);
    free(key);
}
