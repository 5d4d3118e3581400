/* Ground truth for the inference pane: YOLO label files ("class cx cy w h"
 * per line, normalised to the image size) found next to an image, and the
 * matching of detections to them at an IoU threshold, class-aware, the way
 * detection metrics count true positives, false positives and misses.
 * Pure code (no curses), unit-tested and fuzzed (tests/fuzz/fuzz_yolo_labels.c). */
#ifndef MD_UI_INFER_MATCH_H
#define MD_UI_INFER_MATCH_H

#include <stddef.h>

#include "util/err.h"

#define MD_LABELS_MAX 10000

struct md_label {
    int cls;
    double x1, y1, x2, y2;      /* image pixels */
};

/* Parses a label file's bytes for an image of img_w x img_h.  Blank lines
 * and '#' comments are skipped; a line must hold exactly five numbers (a
 * class id 0..9999, then cx cy w h in 0..1, small overshoots clipped).
 * *out is malloc'd (NULL when there are no labels; caller frees);
 * MD_ERR_PARSE names the first bad line. */
md_status md_labels_parse(const char *text, size_t len, int img_w, int img_h,
                          struct md_label **out, int *n, struct md_err *err);

/* Reads and parses path (at most 1 MiB). */
md_status md_labels_load(const char *path, int img_w, int img_h, struct md_label **out, int *n,
                         struct md_err *err);

/* The label file for an image, if one exists: "<dir>/<stem>.txt", then the
 * YOLO layout ".../images/<sub>/<stem>.ext" -> ".../labels/<sub>/<stem>.txt".
 * Returns 1 and writes the path when found, else 0. */
int md_labels_path_for(const char *image_path, char *out, size_t n);

double md_iou(double ax1, double ay1, double ax2, double ay2, double bx1, double by1, double bx2,
              double by2);

/* One detection as the matcher sees it. */
struct md_match_det {
    int cls;
    float conf;
    double x1, y1, x2, y2;
};

enum md_match_state { MD_MATCH_FP = 0, MD_MATCH_TP = 1 };

struct md_match_counts {
    int tp, fp, miss;
};

/* Greedy matching in decreasing confidence: each detection takes the
 * unmatched label of its class with the highest IoU >= thr (TP), else it
 * is a FP.  det_state[i] gets MD_MATCH_TP/FP, det_label[i] the label index
 * or -1 (may be NULL); label_hit[j] 1 when label j was found, 0 for a
 * miss.  Arrays are the caller's, sized nd / nl.  Returns 0, -1 when out
 * of memory. */
int md_match(const struct md_match_det *dets, int nd, const struct md_label *labels, int nl,
             double thr, int *det_state, int *det_label, int *label_hit,
             struct md_match_counts *counts);

#endif
