/* The experiments pane's views (helper experiments-ui): runs tables with
 * chosen metric/param columns, marks, the MLflow search filter and paging
 * (view_runs.c); model-version tables that jump to their run; the metric
 * chart (view_chart.c) and the run comparison (view_compare.c). */
#ifndef MD_UI_EXPERIMENTS_H
#define MD_UI_EXPERIMENTS_H

#include "ui/app.h"

/* Called by md_table_new for every new table: runs and model-versions
 * tables get the experiments pane's class (the generic table underneath);
 * any other view is returned as it is. */
struct md_view *md_experiments_wrap(struct md_app *app, struct md_view *v);

/* The metric chart of runs (cJSON run objects as runs/search returns
 * them; copied).  key NULL opens the metric picker first. */
struct md_view *md_metric_chart_new(struct md_app *app, const cJSON *const *runs, size_t n,
                                    const char *key);
/* Params and latest metrics of runs side by side (run objects copied). */
struct md_view *md_compare_new(struct md_app *app, const cJSON *const *runs, size_t n);

/* `:search EXPR` (what F types): the MLflow search of the runs table on
 * top; an empty EXPR clears it. */
void md_runs_search_command(struct md_app *app, const char *text);

/* Registers a sync job of view v (an ACTION submitted with v->group) so
 * its event comes back to v->cls->event like md_app_submit_call's. */
void md_app_track_job(struct md_app *app, struct md_view *v, unsigned long job);

/* Where `p` writes charts: $XDG_STATE_HOME/mldeck/charts (created), else
 * the current directory.  The file name is "<metric>-<UTC time>.png" with
 * unsafe characters replaced. */
void md_chart_png_path(const char *key, char *out, size_t n);

#endif
