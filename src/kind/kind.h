/* The one resource model.  Everything an operator browses is a kind,
 * described once in the table in kinds.c: how it is titled, its parent and
 * child kinds, its columns (JSON paths + formatters) and its actions.  The
 * generic resource view, the CLI's `ls`, the cache's indexes and the demo
 * loader all read this table; a new kind is a new table entry. */
#ifndef MD_KIND_H
#define MD_KIND_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

enum md_fmt {
    MD_FMT_TEXT,      /* string as is (numbers printed plainly) */
    MD_FMT_STATUS,    /* string, coloured by md_status_tone() */
    MD_FMT_AGE,       /* timestamp -> "3h", "2d" relative to now */
    MD_FMT_TIME,      /* timestamp -> "2026-11-20 14:03" (UTC) */
    MD_FMT_DURATION,  /* seconds (number) -> "1h02m" */
    MD_FMT_SPAN,      /* path .. path2 timestamps -> duration; live (to now) when path2 is missing */
    MD_FMT_BYTES,     /* number -> "1.2 GiB" */
    MD_FMT_INT,
    MD_FMT_FLOAT,     /* number (or "NaN" string) -> "0.9270"; NaN shown as "NaN" */
    MD_FMT_PERCENT,   /* 0..1 -> "42%" */
    MD_FMT_COUNT,     /* array length */
    MD_FMT_KEYS,      /* an object's member names: step Metadata -> "TrainingJob" */
    MD_FMT_ARN_NAME,  /* last segment of an ARN: ".../training-job/NAME" -> "NAME" */
};

/* How a timestamp is encoded in this kind's API. */
enum md_time_enc {
    MD_TIME_EPOCH_S,   /* SageMaker: epoch seconds, maybe fractional */
    MD_TIME_EPOCH_MS,  /* MLflow, CloudWatch Logs: epoch milliseconds */
    MD_TIME_ISO8601,   /* S3, STS: "2026-11-20T14:03:00.000Z" */
};

/* Colour class for a status word; the UI maps tones to colour pairs. */
enum md_tone { MD_TONE_NONE, MD_TONE_OK, MD_TONE_RUNNING, MD_TONE_WARN, MD_TONE_FAIL, MD_TONE_MUTED };

struct md_column {
    const char *title;
    const char *path;         /* util/json.h path syntax */
    enum md_fmt fmt;
    int width;                /* preferred width in cells; 0 = share the rest */
    const char *path2;        /* MD_FMT_SPAN: end timestamp; MD_FMT_INT: a flag that,
                                 when true, marks the number a lower bound ("1000+");
                                 MD_FMT_TEXT, MD_FMT_ARN_NAME: where the value is when
                                 path has none (a step's training or processing job) */
    bool hidden;              /* filterable and sortable, not shown by default */
    bool derived;             /* mldeck's own member of the cached object (not in the
                                 API's reply): the CLI's listings leave it out */
};

struct md_action {
    int key;                  /* default key in the resource view */
    const char *name;         /* command name: ":stop", `mldeck <name>` */
    const char *label;        /* "Stop execution" */
    bool confirm;             /* ask first (dialog defaults to Cancel) */
    bool mutating;            /* changes the account: refused under --read-only, audited */
    bool no_row;              /* makes something new: works without a selected row
                                 (the row, when there is one, is a template) */
};

struct md_kind {
    const char *name;         /* canonical, plural: "pipeline-executions" */
    const char *title;        /* "Executions" */
    const char *aliases;      /* space-separated: "executions pe" */
    const char *pane;         /* datasets|labeling|pipelines|experiments|drift|inference */
    const char *parent;       /* parent kind name, NULL for a top-level kind */
    const char *child;        /* kind that Enter opens, NULL if none */
    const char *id_path;      /* unique id within (scope, kind) */
    const char *label_path;   /* what the breadcrumb shows for a row */
    const char *copy_path;    /* what `y` copies: ARN, URI, run id */
    enum md_time_enc time_enc;
    const struct md_column *columns;
    size_t ncolumns;
    const struct md_action *actions;
    size_t nactions;
    int sort_column;          /* default sort */
    bool sort_desc;
    /* Added after the first contract; every field below may be left zero. */
    const char *status_path;  /* the row's status word: row tone, live spans */
    bool id_in_parent;        /* the API id is unique only within the parent:
                                 cache id = "<parent>/<value at id_path>" */
    const char *source;       /* the API call whose output is the cached object */
    const char *summary;      /* one line for help, `mldeck kinds` and the docs */
};

size_t md_kind_count(void);
const struct md_kind *md_kind_at(size_t i);
/* By canonical name or alias; NULL when unknown. */
const struct md_kind *md_kind_find(const char *name_or_alias);
const struct md_kind *md_kind_child(const struct md_kind *k);
const struct md_action *md_kind_action_by_key(const struct md_kind *k, int key);
const struct md_action *md_kind_action_by_name(const struct md_kind *k, const char *name);

/* Formats column c of obj into out.  A missing value prints "-" and a NaN
 * prints "NaN" so the two are never confused.  tone (may be NULL) receives
 * the colour class.  now is the reference time for ages and live spans. */
void md_kind_format(const struct md_kind *k, const struct md_column *c, const cJSON *obj,
                    time_t now, char *out, size_t n, enum md_tone *tone);

/* The value column c shows for obj before formatting: at path, or at the
 * fallback path2 for the formats that have one; NULL when missing. */
const cJSON *md_column_value(const struct md_column *c, const cJSON *obj);
/* Whether path2 is where c's value is when path has none. */
bool md_column_has_fallback(const struct md_column *c);

/* Timestamp at path as epoch seconds (double); returns false if missing. */
bool md_kind_time(const struct md_kind *k, const cJSON *obj, const char *path, double *out);

enum md_tone md_status_tone(const char *status);

/* The cache id of obj (listed under parent, "" or NULL for top-level kinds)
 * into out; false when the object has no id.  Numbers print as integers. */
bool md_kind_row_id(const struct md_kind *k, const cJSON *obj, const char *parent,
                    char *out, size_t n);
/* The same from the id member's text when it is a string (empty: false). */
bool md_kind_row_id_str(const struct md_kind *k, const char *id, const char *parent, char *out,
                        size_t n);
const struct md_kind *md_kind_parent(const struct md_kind *k);
/* The row's status tone (MD_TONE_NONE when the kind has no status_path). */
enum md_tone md_kind_row_tone(const struct md_kind *k, const cJSON *obj);
/* Whether something shown in the row is still running: its status, or
 * another status column (a pipeline's last execution, a schedule's last
 * run).  Views showing such rows refresh on their own. */
bool md_kind_row_running(const struct md_kind *k, const cJSON *obj);
/* Column by title, case-insensitive (the `col:value` filter); NULL if none. */
const struct md_column *md_kind_column_by_title(const struct md_kind *k, const char *title);

/* The six panes, in the order of the keys 1..6. */
size_t md_pane_count(void);
const char *md_pane_at(size_t i);
/* The kind a pane opens on (its first top-level kind); NULL for panes that
 * are a special view only (inference). */
const struct md_kind *md_pane_kind(const char *pane);

/* Shared formatters, also used by detail views and the CLI. */
void md_fmt_age(double seconds, char *out, size_t n);      /* "45s" "3m" "2h" "5d" "3mo" */
void md_fmt_duration(double seconds, char *out, size_t n); /* "12s" "4m03s" "1h02m" "2d03h" */
void md_fmt_bytes(double bytes, char *out, size_t n);      /* "512 B" "1.2 KiB" */
void md_fmt_time(double epoch, char *out, size_t n);     /* "2026-11-20 14:03" UTC */
/* "2026-11-20T14:03:00Z", fractions, "z", "+02:00"/"+0200" offsets, a space
 * instead of T; false (and *epoch untouched) on anything else. */
bool md_parse_iso8601(const char *s, double *epoch);
/* Epoch seconds -> "2026-11-20T14:03:00.000Z" (the form S3 returns). */
void md_fmt_iso8601(double epoch, char *out, size_t n);

#endif
