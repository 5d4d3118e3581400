/* Ground truth in the inference pane (ui/infer_match.c): YOLO label files,
 * where they are found, IoU, and the class-aware greedy matching at 0.5
 * that gives true positives, false positives and misses. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../tap.h"
#include "ui/infer_match.h"

static int near(double a, double b)
{
    return fabs(a - b) < 1e-6;
}

static void test_parse(void)
{
    struct md_label *l = NULL;
    int n = -1;
    struct md_err err;
    const char *ok = "2 0.5 0.5 0.25 0.5\n\n# comment\n  0 0.1 0.2 0.1 0.2  \r\n1 1 1 0.5 0.5";
    md_status st = md_labels_parse(ok, strlen(ok), 320, 200, &l, &n, &err);
    TAP_EQ_INT(st, MD_OK, "parse: a good file");
    TAP_EQ_INT(n, 3, "parse: three boxes (blank, comment, CRLF fine)");
    if (n == 3) {
        TAP_OK(l[0].cls == 2 && near(l[0].x1, 120) && near(l[0].x2, 200) && near(l[0].y1, 50) &&
                   near(l[0].y2, 150),
               "parse: normalised centre/size -> pixel corners");
        TAP_OK(l[1].cls == 0 && near(l[1].x1, 16) && near(l[1].y2, 60), "parse: second box");
        TAP_OK(near(l[2].x2, 320) && near(l[2].y2, 200) && near(l[2].x1, 240),
               "parse: boxes at the edge are clipped to the image");
    }
    free(l);

    st = md_labels_parse("", 0, 10, 10, &l, &n, &err);
    TAP_OK(st == MD_OK && n == 0 && l == NULL, "parse: an empty file is no labels");

    struct {
        const char *text, *why;
    } bad[] = {
        {"0 0.5 0.5 0.1\n", "four numbers"},
        {"0 0.5 0.5 0.1 0.1 0.3\n", "six numbers (segmentation polygon)"},
        {"car 0.5 0.5 0.1 0.1\n", "a class name"},
        {"-1 0.5 0.5 0.1 0.1\n", "negative class"},
        {"1.5 0.5 0.5 0.1 0.1\n", "fractional class"},
        {"0 50 60 10 10\n", "pixel coordinates"},
        {"0 0.5 0.5 nan 0.1\n", "NaN"},
        {"0 0.5 0.5 0.1 0.1x\n", "trailing garbage"},
        {"0 0.5 0.5 1e999 0.1\n", "overflow"},
        {"0\t0.5 0.5 0.1 0.1 junk\n", "words after the numbers"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        l = NULL;
        st = md_labels_parse(bad[i].text, strlen(bad[i].text), 100, 100, &l, &n, &err);
        TAP_OK(st == MD_ERR_PARSE && l == NULL && strstr(err.msg, "line 1"),
               "parse: refuses %s (%s)", bad[i].why, err.msg);
    }
    const char *second = "0 0.5 0.5 0.1 0.1\n0 0.5\n";
    st = md_labels_parse(second, strlen(second), 100, 100, &l, &n, &err);
    TAP_OK(st == MD_ERR_PARSE && strstr(err.msg, "line 2"), "parse: names the bad line (2)");
    st = md_labels_parse(ok, strlen(ok), 0, 100, &l, &n, &err);
    TAP_EQ_INT(st, MD_ERR_INVALID, "parse: an image without size is refused");
    /* Embedded NUL and no final newline. */
    const char nul[] = "0 0.5 0.5 0.1 0.1\n\0 junk";
    st = md_labels_parse(nul, sizeof nul - 1, 100, 100, &l, &n, &err);
    TAP_EQ_INT(st, MD_ERR_PARSE, "parse: a NUL byte is garbage");
    /* Too many boxes. */
    size_t big = (MD_LABELS_MAX + 1) * 20;
    char *many = malloc(big + 1);
    size_t off = 0;
    for (int i = 0; i <= MD_LABELS_MAX; i++)
        off += (size_t)snprintf(many + off, big + 1 - off, "0 0.5 0.5 0.1 0.1\n");
    st = md_labels_parse(many, off, 100, 100, &l, &n, &err);
    TAP_EQ_INT(st, MD_ERR_PARSE, "parse: more than %d boxes is refused", MD_LABELS_MAX);
    free(many);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void test_paths(void)
{
    char dir[] = "/tmp/md-infer-match-XXXXXX";
    if (!mkdtemp(dir)) {
        TAP_OK(0, "mkdtemp");
        return;
    }
    char p[600], q[600], out[1024];
    snprintf(p, sizeof p, "%s/images", dir);
    mkdir(p, 0700);
    snprintf(p, sizeof p, "%s/images/val", dir);
    mkdir(p, 0700);
    snprintf(p, sizeof p, "%s/labels", dir);
    mkdir(p, 0700);
    snprintf(p, sizeof p, "%s/labels/val", dir);
    mkdir(p, 0700);
    snprintf(p, sizeof p, "%s/images/val/a.jpg", dir);
    write_file(p, "x");
    TAP_EQ_INT(md_labels_path_for(p, out, sizeof out), 0, "paths: no labels anywhere");
    snprintf(q, sizeof q, "%s/labels/val/a.txt", dir);
    write_file(q, "0 0.5 0.5 0.2 0.2\n");
    TAP_EQ_INT(md_labels_path_for(p, out, sizeof out), 1, "paths: YOLO layout images/ -> labels/");
    TAP_EQ_STR(out, q, "paths: the labels/val/a.txt path");
    snprintf(q, sizeof q, "%s/images/val/a.txt", dir);
    write_file(q, "1 0.5 0.5 0.2 0.2\n");
    md_labels_path_for(p, out, sizeof out);
    TAP_EQ_STR(out, q, "paths: a .txt beside the image wins");
    snprintf(p, sizeof p, "%s/images/val/noext", dir);
    write_file(p, "x");
    TAP_EQ_INT(md_labels_path_for(p, out, sizeof out), 0, "paths: an extension-less file finds none");
    TAP_EQ_INT(md_labels_path_for("images.jpg", out, sizeof out), 0, "paths: relative, no folder");

    struct md_label *l;
    int n;
    struct md_err err;
    snprintf(p, sizeof p, "%s/labels/val/a.txt", dir);
    md_status st = md_labels_load(p, 100, 50, &l, &n, &err);
    TAP_OK(st == MD_OK && n == 1 && near(l[0].x1, 40) && near(l[0].y1, 20), "load: a label file");
    free(l);
    snprintf(p, sizeof p, "%s/missing.txt", dir);
    st = md_labels_load(p, 100, 50, &l, &n, &err);
    TAP_EQ_INT(st, MD_ERR_NOTFOUND, "load: a missing file");
    snprintf(p, sizeof p, "%s/bad.txt", dir);
    write_file(p, "0 0.5 0.5\n");
    st = md_labels_load(p, 100, 50, &l, &n, &err);
    TAP_OK(st == MD_ERR_PARSE && strstr(err.msg, "bad.txt"), "load: errors name the file (%s)",
           err.msg);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        tap_diag("cleanup failed");
}

static void test_iou(void)
{
    TAP_OK(near(md_iou(0, 0, 10, 10, 0, 0, 10, 10), 1), "iou: identical = 1");
    TAP_OK(near(md_iou(0, 0, 10, 10, 20, 20, 30, 30), 0), "iou: disjoint = 0");
    TAP_OK(near(md_iou(0, 0, 10, 10, 10, 0, 20, 10), 0), "iou: touching edges = 0");
    TAP_OK(near(md_iou(0, 0, 10, 10, 5, 0, 15, 10), 50.0 / 150.0), "iou: half overlap = 1/3");
    TAP_OK(near(md_iou(0, 0, 10, 10, 2, 2, 8, 8), 36.0 / 100.0), "iou: contained = area ratio");
    TAP_OK(near(md_iou(0, 0, 0, 0, 0, 0, 0, 0), 0), "iou: empty boxes = 0 (no division by 0)");
    TAP_OK(near(md_iou(0, 0, 10, 10, 0.0 / 0.0, 0, 5, 5), 0), "iou: NaN gives 0");
}

static void test_match(void)
{
    struct md_label labels[] = {
        {0, 0, 0, 10, 10},      /* matched by d0 */
        {0, 100, 100, 110, 110},/* missed: d2 is the wrong class */
        {1, 50, 50, 60, 60},    /* two candidates d3 (better) and d4 */
        {1, 200, 200, 210, 210},/* missed: d5 overlaps too little */
    };
    struct md_match_det dets[] = {
        {0, 0.9f, 0, 0, 10, 10},
        {0, 0.8f, 1, 1, 11, 11},        /* duplicate of label 0: FP (label taken) */
        {1, 0.7f, 100, 100, 110, 110},  /* right place, wrong class: FP */
        {1, 0.6f, 50, 50, 60, 60},
        {1, 0.95f, 52, 52, 61, 61},     /* most confident, IoU 0.55 -> takes label 2 */
        {1, 0.5f, 205, 205, 215, 215},  /* IoU 25/175 < 0.5: FP */
    };
    int nd = 6, nl = 4, state[6], which[6], hit[4];
    struct md_match_counts c;
    TAP_EQ_INT(md_match(dets, nd, labels, nl, 0.5, state, which, hit, &c), 0, "match: runs");
    TAP_OK(c.tp == 2 && c.fp == 4 && c.miss == 2, "match: TP 2, FP 4, miss 2 (got %d/%d/%d)", c.tp,
           c.fp, c.miss);
    TAP_OK(state[0] == MD_MATCH_TP && which[0] == 0, "match: d0 -> label 0");
    TAP_OK(state[1] == MD_MATCH_FP && which[1] == -1, "match: a duplicate is a false positive");
    TAP_OK(state[2] == MD_MATCH_FP, "match: class-aware (the right box with the wrong class)");
    TAP_OK(state[4] == MD_MATCH_TP && which[4] == 2 && state[3] == MD_MATCH_FP,
           "match: in confidence order, not list order");
    TAP_OK(state[5] == MD_MATCH_FP, "match: IoU below 0.5 is not a match");
    TAP_OK(hit[0] && !hit[1] && hit[2] && !hit[3], "match: misses are the unmatched labels");

    /* Exactly at the threshold counts (>=). */
    struct md_label half[] = {{0, 0, 0, 10, 10}};
    struct md_match_det edge[] = {{0, 0.5f, 0, 0, 10, 5}}; /* IoU 0.5 */
    md_match(edge, 1, half, 1, 0.5, state, NULL, hit, &c);
    TAP_OK(c.tp == 1, "match: IoU == 0.5 is a true positive");
    md_match(edge, 1, half, 1, 0.51, state, NULL, hit, &c);
    TAP_OK(c.fp == 1 && c.miss == 1, "match: a stricter threshold rejects it");

    /* The best IoU wins among labels of the class. */
    struct md_label two[] = {{0, 0, 0, 10, 10}, {0, 2, 2, 12, 12}};
    struct md_match_det one[] = {{0, 0.9f, 2, 2, 12, 12}};
    md_match(one, 1, two, 2, 0.5, state, which, hit, &c);
    TAP_OK(which[0] == 1 && hit[1] && !hit[0], "match: the label with the highest IoU is taken");

    md_match(NULL, 0, labels, nl, 0.5, state, which, hit, &c);
    TAP_OK(c.tp == 0 && c.fp == 0 && c.miss == 4, "match: no detections = every label missed");
    md_match(dets, nd, NULL, 0, 0.5, state, which, hit, &c);
    TAP_OK(c.tp == 0 && c.fp == 6 && c.miss == 0, "match: no labels = every detection a FP");
}

int main(void)
{
    test_parse();
    test_paths();
    test_iou();
    test_match();
    return tap_done();
}
