/* The rendered head of a training or processing job's describe: name,
 * coloured status, failure reason, resources and spot savings, times,
 * hyperparameters, input channels (inputs/outputs for processing), the
 * secondary-status transitions as a timeline with bars scaled to the pane
 * width, and the final metrics.  The describe view shows these lines above
 * the raw JSON; they are plain text (searchable with `/`) plus coloured
 * spans.  Built from the cached object only: no curses calls here. */
#ifndef MD_UI_DESCRIBE_JOB_H
#define MD_UI_DESCRIBE_JOB_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "kind/kind.h"
#include "util/err.h"
#include "ui/term.h"

struct md_jobsum_span {
    size_t off, len;          /* bytes of the line */
    enum md_role role;
    bool bold;
};

struct md_jobsum_line {
    char *text;
    struct md_jobsum_span *spans;
    size_t nspans;
};

/* True for the kinds that have a summary (training-jobs, processing-jobs). */
bool md_jobsum_handles(const struct md_kind *k);

/* Renders obj at width w (cells; layouts are made for >= 40) with UTF-8 or
 * ASCII glyphs; times relative to now (running phases end now).  Returns
 * the number of lines in *out (0 and NULL when out of memory); free with
 * md_jobsum_lines_free. */
size_t md_jobsum_render(const struct md_kind *k, const cJSON *obj, int w, bool utf8, time_t now,
                        struct md_jobsum_line **out);
void md_jobsum_lines_free(struct md_jobsum_line *lines, size_t n);

/* True when obj is a list summary (ListTrainingJobs / ListProcessingJobs
 * items are cached until a job is described): the summary needs the
 * describe output first. */
bool md_jobsum_is_summary(const struct md_kind *k, const cJSON *obj);

/* A worker job (md_job_fn) that describes one job through its provider
 * (the provider caches the reply) and keeps the reply in obj. */
struct md_workspace;
struct md_worker;
struct md_job_fetch {
    const struct md_workspace *ws;
    const struct md_kind *kind;
    char id[512];
    cJSON *obj;                 /* the describe output, set by the worker */
};
/* NULL when out of memory. */
struct md_job_fetch *md_job_fetch_new(const struct md_workspace *ws, const struct md_kind *k,
                                      const char *id);
md_status md_job_fetch_run(struct md_worker *w, void *arg, struct md_err *err);
void md_job_fetch_free(void *arg);

/* The role of byte off of line l (MD_ROLE_NORMAL outside every span). */
enum md_role md_jobsum_role_at(const struct md_jobsum_line *l, size_t off, bool *bold);

#endif
