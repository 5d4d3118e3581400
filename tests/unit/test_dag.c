/* The pipeline-definition graph (ui/dag.c): steps, edges from DependsOn,
 * property references and Condition branches, the transitive reduction,
 * layers, dummies for long edges, placement, and bad input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/tap.h"
#include "ui/dag.h"
#include "util/buf.h"

static bool has_edge(const struct md_dag *g, const char *a, const char *b, enum md_dag_edge_kind k)
{
    int x = md_dag_find(g, a), y = md_dag_find(g, b);
    for (int e = 0; e < g->nbase; e++)
        if (g->base[e].from == x && g->base[e].to == y && g->base[e].kind == k)
            return true;
    return false;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct md_buf b = MD_BUF_INIT;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        md_buf_append(&b, chunk, n);
    fclose(f);
    md_buf_append(&b, "", 1);
    return b.data;
}

static void test_template(void)
{
    const char *src = getenv("MLDECK_SRCDIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/data/templates/yolo11-train-pipeline.json", src ? src : ".");
    char *text = slurp(path);
    if (!text) {
        TAP_OK(1, "# SKIP no template at %s", path);
        return;
    }
    struct md_dag g;
    struct md_err err;
    TAP_EQ_INT(md_dag_parse(text, &g, &err), MD_OK, "the team's YOLO11 definition parses");
    TAP_EQ_INT(g.nreal, 6, "six steps, the branches' nested steps included");
    TAP_OK(md_dag_find(&g, "RegisterModel") >= 0 && md_dag_find(&g, "MAPTooLow") >= 0,
           "If and Else steps are found inside the condition");
    TAP_OK(has_edge(&g, "Preprocess", "TrainYOLO11", MD_DAG_DEP), "Get Steps.Preprocess... is an edge");
    TAP_OK(has_edge(&g, "CheckMAP", "RegisterModel", MD_DAG_IF), "IfSteps edge");
    TAP_OK(has_edge(&g, "CheckMAP", "MAPTooLow", MD_DAG_ELSE), "ElseSteps edge");
    TAP_OK(!has_edge(&g, "TrainYOLO11", "RegisterModel", MD_DAG_DEP),
           "the model reference of RegisterModel is implied by the path: not drawn");
    md_dag_layout(&g, 20, 2);
    TAP_EQ_INT(g.nlayers, 5, "five layers (preprocess, train, evaluate, check, branches)");
    int r = md_dag_find(&g, "RegisterModel"), f = md_dag_find(&g, "MAPTooLow");
    TAP_OK(g.nodes[r].layer == 4 && g.nodes[f].layer == 4, "both branches on the last layer");
    TAP_OK(g.nodes[r].order == 0 && g.nodes[f].order == 1, "If left of Else");
    TAP_OK(g.nodes[f].x >= g.nodes[r].x + 22, "boxes do not overlap (width + gap)");
    TAP_EQ_INT(g.width, 42, "graph width: two boxes and a gap");
    md_dag_layout(&g, 10, 2);
    TAP_EQ_INT(g.width, 22, "a second layout with narrower boxes");
    md_dag_free(&g);
    free(text);
}

static void test_long_edge(void)
{
    /* A -> B -> C -> H -> ... with side steps whose edges span layers
     * (Z -> H, W -> V) and a reference inside Std:JsonGet. */
    const char *def = "{\"Steps\": ["
        "{\"Name\": \"A\", \"Type\": \"Processing\"},"
        "{\"Name\": \"B\", \"Type\": \"Training\", \"DependsOn\": [\"A\"]},"
        "{\"Name\": \"C\", \"Type\": \"Processing\", \"Arguments\": {\"X\": {\"Get\": \"Steps.B.ModelArtifacts\"}}},"
        "{\"Name\": \"H\", \"Type\": \"Lambda\", \"DependsOn\": [\"C\"],"
        " \"Arguments\": {\"Y\": {\"Std:JsonGet\": {\"PropertyFile\": {\"Get\": \"Steps.Z.PropertyFiles.R\"}}}}},"
        "{\"Name\": \"Z\", \"Type\": \"Processing\"},"
        "{\"Name\": \"W\", \"Type\": \"Processing\", \"DependsOn\": [\"A\", \"nosuch\", \"W\"]},"
        "{\"Name\": \"V\", \"Type\": \"Processing\", \"DependsOn\": [\"W\", \"C\"]}"
        "]}";
    struct md_dag g;
    struct md_err err;
    TAP_EQ_INT(md_dag_parse(def, &g, &err), MD_OK, "a hand-made definition parses");
    TAP_OK(has_edge(&g, "Z", "H", MD_DAG_DEP), "a PropertyFile reference inside Std:JsonGet is an edge");
    TAP_OK(md_dag_find(&g, "nosuch") < 0, "unknown DependsOn names are ignored");
    md_dag_layout(&g, 8, 2);
    int v = md_dag_find(&g, "V"), w = md_dag_find(&g, "W");
    TAP_EQ_INT(g.nodes[v].layer, 3, "V after C (layer 3)");
    TAP_EQ_INT(g.nodes[w].layer, 1, "W right after A");
    int dummies = 0;
    for (int i = 0; i < g.n; i++)
        dummies += g.nodes[i].dummy;
    TAP_OK(dummies >= 2, "long edges (Z->H, W->V) pass through dummies (%d)", dummies);
    for (int e = 0; e < g.nedges; e++) {
        int la = g.nodes[g.edges[e].from].layer, lb = g.nodes[g.edges[e].to].layer;
        if (lb != la + 1) {
            TAP_OK(0, "every drawn edge joins adjacent layers (%d -> %d)", la, lb);
            md_dag_free(&g);
            return;
        }
    }
    TAP_OK(1, "every drawn edge joins adjacent layers");
    md_dag_free(&g);
}

static void test_bad(void)
{
    struct md_dag g;
    struct md_err err;
    const char *bad[] = {
        NULL, "", "[]", "{", "{\"Steps\": 3}", "{\"Steps\": [{\"Type\": \"Fail\"}]}",
        "{\"Steps\": [{\"Name\": \"\"}]}", "{\"Steps\": [7]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        md_status st = md_dag_parse(bad[i], &g, &err);
        TAP_EQ_INT(st, MD_ERR_PARSE, "bad definition %zu is MD_ERR_PARSE (%s)", i, err.msg);
        md_dag_free(&g);
    }
    /* A cycle: drawn anyway, without the edge that closes it. */
    const char *cyc = "{\"Steps\": [{\"Name\": \"A\", \"DependsOn\": [\"B\"]},"
                      "{\"Name\": \"B\", \"DependsOn\": [\"A\"]}]}";
    TAP_EQ_INT(md_dag_parse(cyc, &g, &err), MD_OK, "a cycle still parses");
    TAP_EQ_INT(g.nbase, 1, "one of its edges is dropped");
    md_dag_layout(&g, 8, 2);
    TAP_EQ_INT(g.nlayers, 2, "and it lays out in two layers");
    md_dag_free(&g);
    /* Duplicate names and deep nesting. */
    struct md_buf b = MD_BUF_INIT;
    md_buf_append(&b, "{\"Steps\": [", 11);
    for (int i = 0; i < 20; i++) {
        char s[128];
        int n = snprintf(s, sizeof s, "{\"Name\": \"C%d\", \"Type\": \"Condition\", \"Arguments\": {\"IfSteps\": [", i);
        md_buf_append(&b, s, (size_t)n);
    }
    for (int i = 0; i < 20; i++)
        md_buf_append(&b, "]}}", 3);
    md_buf_append(&b, "]}", 3);
    TAP_EQ_INT(md_dag_parse(b.data, &g, &err), MD_ERR_PARSE, "conditions nested 20 deep are refused");
    md_dag_free(&g);
    md_buf_free(&b);
    const char *dup = "{\"Steps\": [{\"Name\": \"A\"}, {\"Name\": \"A\"}, {\"Name\": \"B\", \"DependsOn\": [\"A\", \"A\"]}]}";
    TAP_EQ_INT(md_dag_parse(dup, &g, &err), MD_OK, "duplicate names parse");
    TAP_EQ_INT(g.nreal, 2, "a repeated name is one step");
    TAP_EQ_INT(g.nbase, 1, "a repeated dependency is one edge");
    md_dag_free(&g);
}

int main(void)
{
    test_template();
    test_long_edge();
    test_bad();
    return tap_done();
}
