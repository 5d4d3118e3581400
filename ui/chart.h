/* The terminal line chart (widget): several series overlaid in braille
 * dots (2x4 per cell) with distinct colours, or with one marker character
 * per series (* o + # @ % & =) in ASCII locales and in monochrome; axes with
 * ticks and labels, a legend, NaN points as a marker on the top row (never
 * as 0), missing steps as gaps, min/max per column so spikes survive.
 * Options (smoothing, log y, outliers, x window) are data/chart_math.h's.
 *
 *   struct md_chart_series s[] = {{"run-a", xs, ys, n}, {"run-b", ...}};
 *   struct md_chart_opts o = {.smooth = 0.6, .xfmt = MD_CHART_X_NUMBER};
 *   md_chart_draw(&app->term, rect, s, 2, &o, "metrics/mAP50B");
 */
#ifndef MD_UI_CHART_H
#define MD_UI_CHART_H

#include "data/chart_math.h"
#include "ui/app.h"

/* Draws into r (title may be NULL).  Returns false when nothing could be
 * drawn (rect too small, too many series, out of memory): the rect then
 * holds a one-line reason. */
bool md_chart_draw(const struct md_term *t, struct md_rect r, const struct md_chart_series *s,
                   size_t n, const struct md_chart_opts *o, const char *title);

/* The attribute series i is drawn with (its colour; bold/underline cycle
 * in monochrome) and its marker in marker mode, for views that print the
 * series' names elsewhere. */
attr_t md_chart_series_attr(const struct md_term *t, size_t i);
const char *md_chart_series_marker(size_t i);

#endif
