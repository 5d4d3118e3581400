/* The step graph of a SageMaker pipeline definition, laid out in layers for
 * the terminal (no curses here: unit-tested and fuzzed).  Edges come from
 * DependsOn, from property references ({"Get": "Steps.X...."}, also inside
 * Std:JsonGet/PropertyFile) and from Condition steps' IfSteps/ElseSteps
 * (which nest whole step definitions).  Drawn edges are the transitive
 * reduction (an edge implied by a longer path is not drawn); edges that
 * span several layers pass through one-cell dummy nodes. */
#ifndef MD_UI_DAG_H
#define MD_UI_DAG_H

#include <stdbool.h>

#include "util/err.h"

#define MD_DAG_MAX_STEPS 256

enum md_dag_edge_kind { MD_DAG_DEP, MD_DAG_IF, MD_DAG_ELSE };

struct md_dag_node {
    char name[256];           /* "" for a dummy */
    char type[64];            /* "Training", "Condition"... */
    bool dummy;
    int layer, order;         /* order within the layer, left to right */
    int x, w;                 /* column and width after md_dag_layout */
};

struct md_dag_edge {
    int from, to;             /* node indexes; between adjacent layers after layout */
    enum md_dag_edge_kind kind;
};

struct md_dag {
    struct md_dag_node *nodes;
    int n, nreal;             /* real steps are nodes [0, nreal) in definition order */
    struct md_dag_edge *edges;
    int nedges;
    int nlayers;
    int width;                /* after md_dag_layout */
    struct md_dag_edge *base; /* the parsed edges (layout splits copies of them) */
    int nbase;
};

/* Parses the PipelineDefinition JSON text into g (caller frees with
 * md_dag_free, also on error).  Bad input is MD_ERR_PARSE with a message,
 * never a crash. */
md_status md_dag_parse(const char *definition, struct md_dag *g, struct md_err *err);
/* Assigns layers (longest path from the sources), inserts dummies for long
 * edges, orders each layer (barycentre of the parents) and places the
 * boxes: real nodes box_w wide, dummies 1, gap cells between. */
void md_dag_layout(struct md_dag *g, int box_w, int gap);
void md_dag_free(struct md_dag *g);
/* The real node called name, or -1. */
int md_dag_find(const struct md_dag *g, const char *name);

#endif
