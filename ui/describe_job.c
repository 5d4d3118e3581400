#include "ui/describe_job.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/json.h"

#define LABEL_W 13

bool md_jobsum_handles(const struct md_kind *k)
{
    return k && (!strcmp(k->name, "training-jobs") || !strcmp(k->name, "processing-jobs"));
}

bool md_jobsum_is_summary(const struct md_kind *k, const cJSON *obj)
{
    if (!md_jobsum_handles(k) || !cJSON_IsObject(obj))
        return false;
    /* Members only the describe output has. */
    if (!strcmp(k->name, "training-jobs"))
        return !md_json_get(obj, "$.AlgorithmSpecification");
    return !md_json_get(obj, "$.AppSpecification");
}

/* The colour role of a status word (md_tone_role's mapping, kept here so
 * this file needs no terminal code). */
static enum md_role tone_role(const char *status)
{
    switch (md_status_tone(status)) {
    case MD_TONE_OK: return MD_ROLE_OK;
    case MD_TONE_RUNNING: return MD_ROLE_RUNNING;
    case MD_TONE_WARN: return MD_ROLE_WARN;
    case MD_TONE_FAIL: return MD_ROLE_FAIL;
    case MD_TONE_MUTED: return MD_ROLE_MUTED;
    default: return MD_ROLE_NORMAL;
    }
}

/* ---- a line builder: text plus coloured spans ------------------------------ */

struct lb {
    struct md_jobsum_line *v;
    size_t n, cap;
    struct md_buf text;
    struct md_jobsum_span *sp;
    size_t nsp, spcap;
    bool oom;
    const struct md_kind *k;
    bool utf8;
    int w;
    time_t now;
};

/* Appends text (control characters become spaces: one summary line is
 * one screen line) in role. */
static void put(struct lb *b, enum md_role role, bool bold, const char *s)
{
    if (b->oom || !s || !*s)
        return;
    size_t off = b->text.len, len = strlen(s);
    if (md_buf_append(&b->text, s, len) < 0) {
        b->oom = true;
        return;
    }
    for (size_t i = off; i < b->text.len; i++)
        if ((unsigned char)b->text.data[i] < 32 || b->text.data[i] == 127)
            b->text.data[i] = ' ';
    if (role == MD_ROLE_NORMAL && !bold)
        return;
    if (b->nsp == b->spcap) {
        size_t nc = b->spcap ? b->spcap * 2 : 8;
        struct md_jobsum_span *ns = realloc(b->sp, nc * sizeof *ns);
        if (!ns) {
            b->oom = true;
            return;
        }
        b->sp = ns;
        b->spcap = nc;
    }
    b->sp[b->nsp++] = (struct md_jobsum_span){off, len, role, bold};
}

static void putf(struct lb *b, enum md_role role, bool bold, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void putf(struct lb *b, enum md_role role, bool bold, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    put(b, role, bold, buf);
}

static void end_line(struct lb *b)
{
    if (b->oom)
        return;
    if (b->n == b->cap) {
        size_t nc = b->cap ? b->cap * 2 : 32;
        struct md_jobsum_line *nv = realloc(b->v, nc * sizeof *nv);
        if (!nv) {
            b->oom = true;
            return;
        }
        b->v = nv;
        b->cap = nc;
    }
    char *text = b->text.data ? md_buf_steal(&b->text) : strdup("");
    if (!text) {
        b->oom = true;
        return;
    }
    b->v[b->n++] = (struct md_jobsum_line){text, b->sp, b->nsp};
    b->sp = NULL;
    b->nsp = b->spcap = 0;
}

/* "Label        " in the muted role. */
static void label(struct lb *b, const char *name)
{
    putf(b, MD_ROLE_MUTED, false, "%-*s", LABEL_W, name);
}

static void section(struct lb *b, const char *title)
{
    end_line(b);
    put(b, MD_ROLE_TITLE, true, title);
    end_line(b);
}

/* A "Label  value" line when the value exists. */
static void field(struct lb *b, const char *name, const char *value)
{
    if (!value || !*value)
        return;
    label(b, name);
    put(b, MD_ROLE_NORMAL, false, value);
    end_line(b);
}

static bool when(const struct lb *b, const cJSON *obj, const char *path, double *t)
{
    return md_kind_time(b->k, obj, path, t);
}

static void clock_of(double t, char *out, size_t n)
{
    char iso[40];
    md_fmt_iso8601(t, iso, sizeof iso);   /* 2026-11-20T14:03:05.000Z */
    snprintf(out, n, "%.8s", strlen(iso) >= 19 ? iso + 11 : "-");
}

static const char *glyph(const struct lb *b, const char *status)
{
    switch (md_status_tone(status)) {
    case MD_TONE_OK: return b->utf8 ? "✓" : "+";
    case MD_TONE_FAIL: return b->utf8 ? "✗" : "x";
    case MD_TONE_RUNNING: return b->utf8 ? "▶" : ">";
    case MD_TONE_WARN: return b->utf8 ? "■" : "=";
    default: return b->utf8 ? "·" : ".";
    }
}

static void status_line(struct lb *b, const char *status, const char *secondary)
{
    label(b, "Status");
    enum md_role role = tone_role(status);
    putf(b, role, true, "%s %s", glyph(b, status), status ? status : "-");
    if (secondary && *secondary && (!status || strcmp(secondary, status) != 0)) {
        put(b, MD_ROLE_MUTED, false, "  secondary ");
        put(b, tone_role(secondary), false, secondary);
    }
    end_line(b);
}

static void failure(struct lb *b, const char *reason, const char *name)
{
    if (!reason || !*reason)
        return;
    label(b, name);
    put(b, MD_ROLE_FAIL, true, reason);
    end_line(b);
}

/* Created / started / ended and the duration (to now while it runs). */
static void times(struct lb *b, const cJSON *obj, const char *start_path, const char *end_path)
{
    double created = 0, start = 0, end = 0;
    char t1[40], t2[40], d[32];
    bool has_c = when(b, obj, "$.CreationTime", &created);
    bool has_s = when(b, obj, start_path, &start);
    bool has_e = when(b, obj, end_path, &end);
    if (!has_c && !has_s)
        return;
    label(b, "Times (UTC)");
    md_fmt_time(has_c ? created : start, t1, sizeof t1);
    putf(b, MD_ROLE_NORMAL, false, "created %s", t1);
    if (has_e) {
        md_fmt_time(end, t2, sizeof t2);
        putf(b, MD_ROLE_NORMAL, false, "  ended %s", t2);
    }
    md_fmt_duration((has_e ? end : (double)b->now) - (has_c ? created : start), d, sizeof d);
    putf(b, has_e ? MD_ROLE_NORMAL : MD_ROLE_RUNNING, false, "  %s %s", has_e ? "took" : "running",
         d);
    end_line(b);
}

/* A key/value table of an object of strings (hyperparameters, environment). */
static void kv_table(struct lb *b, const cJSON *obj)
{
    int kw = 0;
    for (const cJSON *it = obj ? obj->child : NULL; it; it = it->next)
        if (it->string && (int)strlen(it->string) > kw)
            kw = (int)strlen(it->string);
    if (kw > 32)
        kw = 32;
    for (const cJSON *it = obj ? obj->child : NULL; it; it = it->next) {
        if (!it->string)
            continue;
        putf(b, MD_ROLE_NORMAL, false, "  %-*s  ", kw, it->string);
        if (cJSON_IsString(it))
            put(b, MD_ROLE_INFO, false, it->valuestring);
        else if (cJSON_IsNumber(it))
            putf(b, MD_ROLE_INFO, false, "%g", it->valuedouble);
        else
            put(b, MD_ROLE_INFO, false, cJSON_IsTrue(it) ? "true" : cJSON_IsFalse(it) ? "false" : "?");
        end_line(b);
    }
}

/* A list of name -> URI rows (channels, processing inputs/outputs). */
static void uri_rows(struct lb *b, const cJSON *arr, const char *name_path, const char *uri_path,
                     const char *extra_path, const char *arrow)
{
    int nw = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, arr) {
        int l = (int)strlen(md_json_str(it, name_path, "-"));
        if (l > nw)
            nw = l;
    }
    if (nw > 24)
        nw = 24;
    cJSON_ArrayForEach(it, arr) {
        putf(b, MD_ROLE_NORMAL, true, "  %-*s", nw, md_json_str(it, name_path, "-"));
        putf(b, MD_ROLE_MUTED, false, " %s ", arrow);
        put(b, MD_ROLE_INFO, false, md_json_str(it, uri_path, "-"));
        const char *extra = extra_path ? md_json_str(it, extra_path, NULL) : NULL;
        if (extra)
            putf(b, MD_ROLE_MUTED, false, "  (%s)", extra);
        end_line(b);
    }
}

/* ---- the timeline ------------------------------------------------------------ */

struct phase {
    const char *status, *message;
    double start, end;
    bool live;                /* no end yet: runs to now */
};

/* One row per phase: status, start, end, duration, then a bar whose offset
 * and length are the phase's share of the whole span, scaled to the pane;
 * the status message on the next line. */
static void timeline(struct lb *b, const struct phase *ph, size_t n)
{
    if (!n)
        return;
    double t0 = ph[0].start, t1 = ph[0].end;
    for (size_t i = 0; i < n; i++) {
        if (ph[i].start < t0)
            t0 = ph[i].start;
        if (ph[i].end > t1)
            t1 = ph[i].end;
    }
    double total = t1 - t0;
    int sw = 12;
    for (size_t i = 0; i < n; i++)
        if (ph[i].status && (int)strlen(ph[i].status) + 2 > sw)
            sw = (int)strlen(ph[i].status) + 2;
    if (sw > 20)
        sw = 20;
    /* "  Status      hh:mm:ss hh:mm:ss  1h02m |bar|" */
    int fixed = 2 + sw + 9 + 9 + 7 + 2;
    int barw = b->w - fixed - 1;
    if (barw < 10)
        barw = 10;
    const char *full = b->utf8 ? "█" : "#", *empty = b->utf8 ? "·" : ".";
    for (size_t i = 0; i < n; i++) {
        const struct phase *p = &ph[i];
        char s1[16], s2[16], d[32];
        clock_of(p->start, s1, sizeof s1);
        if (p->live)
            snprintf(s2, sizeof s2, "now");
        else
            clock_of(p->end, s2, sizeof s2);
        md_fmt_duration(p->end - p->start, d, sizeof d);
        enum md_role role = tone_role(p->status);
        if (role == MD_ROLE_NORMAL)
            role = MD_ROLE_RUNNING;
        putf(b, MD_ROLE_NORMAL, false, "  ");
        putf(b, role, true, "%-*s", sw, p->status ? p->status : "-");
        putf(b, MD_ROLE_NORMAL, false, "%-8s %-8s %6s  ", s1, s2, d);
        int from = total > 0 ? (int)floor((p->start - t0) / total * barw) : 0;
        int len = total > 0 ? (int)ceil((p->end - p->start) / total * barw) : barw;
        if (len < 1)
            len = 1;
        if (from >= barw)
            from = barw - 1;
        if (from + len > barw)
            len = barw - from;
        struct md_buf bar = MD_BUF_INIT;
        for (int c = 0; c < from; c++)
            md_buf_puts(&bar, empty);
        if (bar.data)
            put(b, MD_ROLE_MUTED, false, bar.data);
        md_buf_reset(&bar);
        for (int c = 0; c < len; c++)
            md_buf_puts(&bar, full);
        if (bar.data)
            put(b, role, false, bar.data);
        md_buf_reset(&bar);
        for (int c = from + len; c < barw; c++)
            md_buf_puts(&bar, empty);
        if (bar.len)
            put(b, MD_ROLE_MUTED, false, bar.data);
        md_buf_free(&bar);
        end_line(b);
        if (p->message && *p->message) {
            putf(b, MD_ROLE_NORMAL, false, "  %*s", sw, "");
            put(b, MD_ROLE_MUTED, false, p->message);
            end_line(b);
        }
    }
}

static void training_timeline(struct lb *b, const cJSON *obj)
{
    const cJSON *tr = md_json_get(obj, "$.SecondaryStatusTransitions");
    int n = cJSON_GetArraySize(tr);
    if (n <= 0)
        return;
    struct phase *ph = calloc((size_t)n, sizeof *ph);
    if (!ph) {
        b->oom = true;
        return;
    }
    size_t k = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, tr) {
        struct phase *p = &ph[k];
        if (!when(b, it, "$.StartTime", &p->start))
            continue;
        p->status = md_json_str(it, "$.Status", "-");
        p->message = md_json_str(it, "$.StatusMessage", NULL);
        if (!when(b, it, "$.EndTime", &p->end)) {
            p->end = (double)b->now;
            p->live = true;
        }
        if (p->end < p->start)
            p->end = p->start;
        k++;
    }
    if (k) {
        char day[40];
        md_fmt_time(ph[0].start, day, sizeof day);
        char title[80];
        snprintf(title, sizeof title, "Timeline (secondary status, UTC, from %s)", day);
        section(b, title);
        timeline(b, ph, k);
    }
    free(ph);
}

static void metrics(struct lb *b, const cJSON *obj)
{
    const cJSON *fm = md_json_get(obj, "$.FinalMetricDataList");
    if (cJSON_GetArraySize(fm) <= 0)
        return;
    section(b, "Final metrics");
    int nw = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, fm) {
        int l = (int)strlen(md_json_str(it, "$.MetricName", "-"));
        if (l > nw)
            nw = l;
    }
    if (nw > 28)
        nw = 28;
    cJSON_ArrayForEach(it, fm) {
        putf(b, MD_ROLE_NORMAL, false, "  %-*s  ", nw, md_json_str(it, "$.MetricName", "-"));
        const cJSON *v = md_json_get(it, "$.Value");
        if (cJSON_IsNumber(v) && isfinite(v->valuedouble))
            putf(b, MD_ROLE_INFO, true, "%.4f", v->valuedouble);
        else
            put(b, MD_ROLE_WARN, false, "NaN");   /* a missing or NaN value, never 0 */
        end_line(b);
    }
}

/* ---- the two kinds ------------------------------------------------------------ */

static void training(struct lb *b, const cJSON *obj)
{
    put(b, MD_ROLE_TITLE, true, md_json_str(obj, "$.TrainingJobName", "training job"));
    end_line(b);
    status_line(b, md_json_str(obj, "$.TrainingJobStatus", NULL),
                md_json_str(obj, "$.SecondaryStatus", NULL));
    failure(b, md_json_str(obj, "$.FailureReason", NULL), "Failure");
    char buf[512];
    const char *itype = md_json_str(obj, "$.ResourceConfig.InstanceType", NULL);
    if (itype) {
        snprintf(buf, sizeof buf, "%s x%.0f, %.0f GB volume", itype,
                 md_json_num(obj, "$.ResourceConfig.InstanceCount", 1),
                 md_json_num(obj, "$.ResourceConfig.VolumeSizeInGB", 0));
        field(b, "Instances", buf);
    }
    double train_s = md_json_num(obj, "$.TrainingTimeInSeconds", -1);
    double bill_s = md_json_num(obj, "$.BillableTimeInSeconds", -1);
    bool spot = cJSON_IsTrue(md_json_get(obj, "$.EnableManagedSpotTraining"));
    label(b, "Spot");
    put(b, spot ? MD_ROLE_OK : MD_ROLE_NORMAL, false, spot ? "managed spot" : "on-demand");
    if (train_s >= 0 || bill_s >= 0) {
        char t[32] = "-", bl[32] = "-";
        if (train_s >= 0)
            md_fmt_duration(train_s, t, sizeof t);
        if (bill_s >= 0)
            md_fmt_duration(bill_s, bl, sizeof bl);
        putf(b, MD_ROLE_NORMAL, false, "  training %s, billable %s", t, bl);
        if (spot && train_s > 0 && bill_s >= 0 && bill_s <= train_s)
            putf(b, MD_ROLE_OK, true, "  saved %.0f%%", (1.0 - bill_s / train_s) * 100.0);
    }
    end_line(b);
    double rt = md_json_num(obj, "$.StoppingCondition.MaxRuntimeInSeconds", -1);
    double mw = md_json_num(obj, "$.StoppingCondition.MaxWaitTimeInSeconds", -1);
    if (rt > 0) {
        char r1[32], r2[32];
        md_fmt_duration(rt, r1, sizeof r1);
        if (mw > 0) {
            md_fmt_duration(mw, r2, sizeof r2);
            snprintf(buf, sizeof buf, "max runtime %s, max wait %s", r1, r2);
        } else {
            snprintf(buf, sizeof buf, "max runtime %s", r1);
        }
        field(b, "Stopping", buf);
    }
    times(b, obj, "$.TrainingStartTime", "$.TrainingEndTime");
    field(b, "Image", md_json_str(obj, "$.AlgorithmSpecification.TrainingImage", NULL));
    field(b, "Output path", md_json_str(obj, "$.OutputDataConfig.S3OutputPath", NULL));
    field(b, "Model", md_json_str(obj, "$.ModelArtifacts.S3ModelArtifacts", NULL));
    field(b, "Checkpoints", md_json_str(obj, "$.CheckpointConfig.S3Uri", NULL));
    field(b, "MLflow run", md_json_str(obj, "$.MlflowDetails.MlflowRunId", NULL));

    const cJSON *hp = md_json_get(obj, "$.HyperParameters");
    if (cJSON_IsObject(hp) && hp->child) {
        section(b, "Hyperparameters");
        kv_table(b, hp);
    }
    const cJSON *ch = md_json_get(obj, "$.InputDataConfig");
    if (cJSON_GetArraySize(ch) > 0) {
        section(b, "Input channels");
        uri_rows(b, ch, "$.ChannelName", "$.DataSource.S3DataSource.S3Uri", NULL,
                 b->utf8 ? "←" : "<-");
    }
    training_timeline(b, obj);
    metrics(b, obj);
}

static void processing(struct lb *b, const cJSON *obj)
{
    put(b, MD_ROLE_TITLE, true, md_json_str(obj, "$.ProcessingJobName", "processing job"));
    end_line(b);
    status_line(b, md_json_str(obj, "$.ProcessingJobStatus", NULL), NULL);
    failure(b, md_json_str(obj, "$.FailureReason", NULL), "Failure");
    failure(b, md_json_str(obj, "$.ExitMessage", NULL), "Exit message");
    const char *itype = md_json_str(obj, "$.ProcessingResources.ClusterConfig.InstanceType", NULL);
    if (itype) {
        char buf[256];
        snprintf(buf, sizeof buf, "%s x%.0f, %.0f GB volume", itype,
                 md_json_num(obj, "$.ProcessingResources.ClusterConfig.InstanceCount", 1),
                 md_json_num(obj, "$.ProcessingResources.ClusterConfig.VolumeSizeInGB", 0));
        field(b, "Instances", buf);
    }
    double rt = md_json_num(obj, "$.StoppingCondition.MaxRuntimeInSeconds", -1);
    if (rt > 0) {
        char r1[32], buf[64];
        md_fmt_duration(rt, r1, sizeof r1);
        snprintf(buf, sizeof buf, "max runtime %s", r1);
        field(b, "Stopping", buf);
    }
    times(b, obj, "$.ProcessingStartTime", "$.ProcessingEndTime");
    field(b, "Image", md_json_str(obj, "$.AppSpecification.ImageUri", NULL));
    const cJSON *in = md_json_get(obj, "$.ProcessingInputs");
    if (cJSON_GetArraySize(in) > 0) {
        section(b, "Inputs");
        uri_rows(b, in, "$.InputName", "$.S3Input.S3Uri", "$.S3Input.LocalPath",
                 b->utf8 ? "←" : "<-");
    }
    const cJSON *out = md_json_get(obj, "$.ProcessingOutputConfig.Outputs");
    if (cJSON_GetArraySize(out) > 0) {
        section(b, "Outputs");
        uri_rows(b, out, "$.OutputName", "$.S3Output.S3Uri", "$.S3Output.LocalPath",
                 b->utf8 ? "→" : "->");
    }
    const cJSON *env = md_json_get(obj, "$.Environment");
    if (cJSON_IsObject(env) && env->child) {
        section(b, "Environment");
        kv_table(b, env);
    }
    /* No transitions in the API: the two phases its times give. */
    double created, start, end;
    if (when(b, obj, "$.CreationTime", &created) && when(b, obj, "$.ProcessingStartTime", &start)) {
        struct phase ph[2] = {
            {"Pending", "waiting for instances and the image", created, start, false},
            {md_json_str(obj, "$.ProcessingJobStatus", "Processing"), NULL, start, 0, false},
        };
        if (!when(b, obj, "$.ProcessingEndTime", &end)) {
            end = (double)b->now;
            ph[1].live = true;
        }
        ph[1].end = end < start ? start : end;
        if (ph[0].end < ph[0].start)
            ph[0].end = ph[0].start;
        section(b, "Timeline (from the job's times, UTC)");
        timeline(b, ph, 2);
    }
}

size_t md_jobsum_render(const struct md_kind *k, const cJSON *obj, int w, bool utf8, time_t now,
                        struct md_jobsum_line **out)
{
    *out = NULL;
    if (!md_jobsum_handles(k) || !cJSON_IsObject(obj))
        return 0;
    struct lb b = {.k = k, .utf8 = utf8, .w = w < 40 ? 40 : w, .now = now};
    if (!strcmp(k->name, "training-jobs"))
        training(&b, obj);
    else
        processing(&b, obj);
    /* The raw JSON follows. */
    end_line(&b);
    const char *rule = utf8 ? "──" : "--";
    struct md_buf r = MD_BUF_INIT;
    md_buf_printf(&r, "%s%s JSON (%s) ", rule, rule, k->source ? k->source : "API object");
    int used = 6 + (int)strlen(k->source ? k->source : "API object") + 8;
    for (int i = used; i < b.w - 1; i++)
        md_buf_puts(&r, utf8 ? "─" : "-");
    put(&b, MD_ROLE_MUTED, false, r.data);
    md_buf_free(&r);
    end_line(&b);
    md_buf_free(&b.text);
    free(b.sp);
    if (b.oom) {
        md_jobsum_lines_free(b.v, b.n);
        return 0;
    }
    *out = b.v;
    return b.n;
}

void md_jobsum_lines_free(struct md_jobsum_line *lines, size_t n)
{
    for (size_t i = 0; lines && i < n; i++) {
        free(lines[i].text);
        free(lines[i].spans);
    }
    free(lines);
}

enum md_role md_jobsum_role_at(const struct md_jobsum_line *l, size_t off, bool *bold)
{
    if (bold)
        *bold = false;
    for (size_t i = 0; l && i < l->nspans; i++)
        if (off >= l->spans[i].off && off < l->spans[i].off + l->spans[i].len) {
            if (bold)
                *bold = l->spans[i].bold;
            return l->spans[i].role;
        }
    return MD_ROLE_NORMAL;
}
