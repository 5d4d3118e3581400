/* Kind lookup and the column formatters shared by the resource view, the
 * CLI and the detail views.  The table itself lives in kinds.c. */
#include "kind/kind.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kind/table.h"
#include "util/json.h"


size_t md_kind_count(void)
{
    return md_nkinds;
}

const struct md_kind *md_kind_at(size_t i)
{
    return i < md_nkinds ? &md_kinds[i] : NULL;
}

/* True when word is one of the space-separated words in list. */
static bool word_in(const char *list, const char *word)
{
    size_t wl = strlen(word);
    const char *p = list;
    while (p && *p) {
        while (*p == ' ')
            p++;
        const char *e = p;
        while (*e && *e != ' ')
            e++;
        if ((size_t)(e - p) == wl && wl > 0 && strncasecmp(p, word, wl) == 0)
            return true;
        p = e;
    }
    return false;
}

const struct md_kind *md_kind_find(const char *name_or_alias)
{
    if (!name_or_alias || !*name_or_alias)
        return NULL;
    const char *n = name_or_alias;
    if (*n == ':')      /* the command palette passes ":pipelines" as typed */
        n++;
    for (size_t i = 0; i < md_nkinds; i++)
        if (strcasecmp(md_kinds[i].name, n) == 0)
            return &md_kinds[i];
    for (size_t i = 0; i < md_nkinds; i++)
        if (md_kinds[i].aliases && word_in(md_kinds[i].aliases, n))
            return &md_kinds[i];
    return NULL;
}

const struct md_kind *md_kind_child(const struct md_kind *k)
{
    return k && k->child ? md_kind_find(k->child) : NULL;
}

const struct md_kind *md_kind_parent(const struct md_kind *k)
{
    return k && k->parent ? md_kind_find(k->parent) : NULL;
}

const struct md_action *md_kind_action_by_key(const struct md_kind *k, int key)
{
    if (!k)
        return NULL;
    for (size_t i = 0; i < k->nactions; i++)
        if (k->actions[i].key == key)
            return &k->actions[i];
    return NULL;
}

const struct md_action *md_kind_action_by_name(const struct md_kind *k, const char *name)
{
    if (!k || !name)
        return NULL;
    if (*name == ':')
        name++;
    for (size_t i = 0; i < k->nactions; i++)
        if (strcasecmp(k->actions[i].name, name) == 0)
            return &k->actions[i];
    return NULL;
}

const struct md_column *md_kind_column_by_title(const struct md_kind *k, const char *title)
{
    if (!k || !title)
        return NULL;
    for (size_t i = 0; i < k->ncolumns; i++)
        if (strcasecmp(k->columns[i].title, title) == 0)
            return &k->columns[i];
    return NULL;
}

static const char *const panes[] = {"datasets", "labeling", "pipelines",
                                    "experiments", "drift", "inference"};

size_t md_pane_count(void)
{
    return sizeof panes / sizeof panes[0];
}

const char *md_pane_at(size_t i)
{
    return i < md_pane_count() ? panes[i] : NULL;
}

const struct md_kind *md_pane_kind(const char *pane)
{
    if (!pane)
        return NULL;
    for (size_t i = 0; i < md_nkinds; i++)
        if (md_kinds[i].pane && strcasecmp(md_kinds[i].pane, pane) == 0 && !md_kinds[i].parent)
            return &md_kinds[i];
    return NULL;
}

/* ---- status tones ---------------------------------------------------- */

struct tone_word {
    const char *word;
    enum md_tone tone;
};

/* SageMaker (PascalCase), MLflow (UPPER) and lifecycle words; compared
 * case-insensitively. */
static const struct tone_word tone_words[] = {
    {"Succeeded", MD_TONE_OK},       {"Completed", MD_TONE_OK},
    {"Complete", MD_TONE_OK},        {"FINISHED", MD_TONE_OK},
    {"READY", MD_TONE_OK},           {"InService", MD_TONE_OK},
    {"Scheduled", MD_TONE_OK},       {"active", MD_TONE_OK},
    {"Created", MD_TONE_OK},         {"Started", MD_TONE_OK},
    {"Updated", MD_TONE_OK},         {"Available", MD_TONE_OK},
    {"InUse", MD_TONE_OK},           {"True", MD_TONE_OK},

    {"Executing", MD_TONE_RUNNING},  {"InProgress", MD_TONE_RUNNING},
    {"Starting", MD_TONE_RUNNING},   {"Stopping", MD_TONE_RUNNING},
    {"RUNNING", MD_TONE_RUNNING},    {"Pending", MD_TONE_RUNNING},
    {"PENDING_REGISTRATION", MD_TONE_RUNNING},
    {"Initializing", MD_TONE_RUNNING}, {"Creating", MD_TONE_RUNNING},
    {"Updating", MD_TONE_RUNNING},   {"SystemUpdating", MD_TONE_RUNNING},
    {"RollingBack", MD_TONE_RUNNING}, {"Deleting", MD_TONE_RUNNING},
    {"Downloading", MD_TONE_RUNNING}, {"Training", MD_TONE_RUNNING},
    {"Uploading", MD_TONE_RUNNING},  {"LaunchingMLInstances", MD_TONE_RUNNING},
    {"PreparingTrainingStack", MD_TONE_RUNNING},
    {"DownloadingTrainingImage", MD_TONE_RUNNING},
    {"Restarting", MD_TONE_RUNNING}, {"Provisioning", MD_TONE_RUNNING},

    {"CompletedWithViolations", MD_TONE_WARN}, {"MaxRuntimeExceeded", MD_TONE_WARN},
    {"MaxWaitTimeExceeded", MD_TONE_WARN},     {"Interrupted", MD_TONE_WARN},
    {"False", MD_TONE_WARN},

    {"Failed", MD_TONE_FAIL},        {"FAILED_REGISTRATION", MD_TONE_FAIL},
    {"OutOfService", MD_TONE_FAIL},  {"UpdateRollbackFailed", MD_TONE_FAIL},
    {"CreateFailed", MD_TONE_FAIL},  {"UpdateFailed", MD_TONE_FAIL},
    {"DeleteFailed", MD_TONE_FAIL},  {"StopFailed", MD_TONE_FAIL},
    {"StartFailed", MD_TONE_FAIL},   {"Error", MD_TONE_FAIL},

    {"Stopped", MD_TONE_MUTED},      {"KILLED", MD_TONE_MUTED},
    {"deleted", MD_TONE_MUTED},      {"Archived", MD_TONE_MUTED},
    {"Inactive", MD_TONE_MUTED},
};

enum md_tone md_status_tone(const char *status)
{
    if (!status || !*status)
        return MD_TONE_NONE;
    for (size_t i = 0; i < sizeof tone_words / sizeof tone_words[0]; i++)
        if (strcasecmp(tone_words[i].word, status) == 0)
            return tone_words[i].tone;
    return MD_TONE_NONE;
}

enum md_tone md_kind_row_tone(const struct md_kind *k, const cJSON *obj)
{
    if (!k || !k->status_path)
        return MD_TONE_NONE;
    return md_status_tone(md_json_str(obj, k->status_path, NULL));
}

bool md_kind_row_running(const struct md_kind *k, const cJSON *obj)
{
    if (md_kind_row_tone(k, obj) == MD_TONE_RUNNING)
        return true;
    for (size_t i = 0; k && i < k->ncolumns; i++) {
        const struct md_column *c = &k->columns[i];
        if (c->fmt == MD_FMT_STATUS && !c->hidden &&
            md_status_tone(md_json_str(obj, c->path, NULL)) == MD_TONE_RUNNING)
            return true;
    }
    return false;
}

/* ---- ids --------------------------------------------------------------- */

/* A JSON scalar as text: strings as is, integral numbers without a
 * fraction.  False for anything else. */
static bool scalar_text(const cJSON *v, char *out, size_t n)
{
    if (cJSON_IsString(v) && v->valuestring[0]) {
        snprintf(out, n, "%s", v->valuestring);
        return true;
    }
    if (cJSON_IsNumber(v) && isfinite(v->valuedouble)) {
        double d = v->valuedouble;
        if (d == floor(d) && fabs(d) < 9e15)
            snprintf(out, n, "%.0f", d);
        else
            snprintf(out, n, "%.17g", d);
        return true;
    }
    return false;
}

bool md_kind_row_id(const struct md_kind *k, const cJSON *obj, const char *parent,
                    char *out, size_t n)
{
    if (!k || !k->id_path || !out || n == 0)
        return false;
    char id[1024];
    if (!scalar_text(md_json_get(obj, k->id_path), id, sizeof id))
        return false;
    return md_kind_row_id_str(k, id, parent, out, n);
}

bool md_kind_row_id_str(const struct md_kind *k, const char *id, const char *parent, char *out,
                        size_t n)
{
    if (!k || !id || !id[0] || !out || n == 0)
        return false;
    int w;
    if (k->id_in_parent)
        w = snprintf(out, n, "%s/%s", parent ? parent : "", id);
    else
        w = snprintf(out, n, "%s", id);
    return w >= 0 && (size_t)w < n;
}

/* ---- time ---------------------------------------------------------------- */

static bool parse_digits(const char **p, int count, int *out)
{
    int v = 0;
    for (int i = 0; i < count; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return false;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += count;
    *out = v;
    return true;
}

static bool is_leap(long y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian); no timegm() so the
 * result never depends on TZ. */
static long days_from_civil(long y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

bool md_parse_iso8601(const char *s, double *epoch)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (!s || !epoch)
        return false;
    const char *p = s;
    int Y, M, D, h, m, sec;
    if (!parse_digits(&p, 4, &Y) || *p++ != '-' || !parse_digits(&p, 2, &M) || *p++ != '-' ||
        !parse_digits(&p, 2, &D))
        return false;
    if (*p != 'T' && *p != 't' && *p != ' ')
        return false;
    p++;
    if (!parse_digits(&p, 2, &h) || *p++ != ':' || !parse_digits(&p, 2, &m) || *p++ != ':' ||
        !parse_digits(&p, 2, &sec))
        return false;
    if (M < 1 || M > 12 || D < 1 || h > 23 || m > 59 || sec > 60)
        return false;
    int dim = mdays[M - 1] + (M == 2 && is_leap(Y));
    if (D > dim)
        return false;
    double frac = 0, scale = 0.1;
    if (*p == '.' || *p == ',') {
        p++;
        if (!isdigit((unsigned char)*p))
            return false;
        while (isdigit((unsigned char)*p)) {
            frac += (*p - '0') * scale;
            scale /= 10;
            p++;
        }
    }
    long offset = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1, oh, om;
        p++;
        if (!parse_digits(&p, 2, &oh))
            return false;
        if (*p == ':')
            p++;
        if (!parse_digits(&p, 2, &om) || oh > 23 || om > 59)
            return false;
        offset = sign * (oh * 3600L + om * 60L);
    } else {
        return false;
    }
    if (*p != '\0')
        return false;
    double days = (double)days_from_civil(Y, M, D);
    *epoch = days * 86400.0 + h * 3600.0 + m * 60.0 + sec + frac - (double)offset;
    return true;
}

/* Splits epoch seconds into a UTC calendar date and time of day. */
static void civil_from_epoch(double epoch, long *y, int *mo, int *d, int *h, int *mi, int *s)
{
    double fl = floor(epoch);
    long long t = (long long)fl;
    long long days = t / 86400, rem = t % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    *h = (int)(rem / 3600);
    *mi = (int)(rem % 3600 / 60);
    *s = (int)(rem % 60);
    long long z = days + 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    long long doe = z - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *mo = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (long)(yoe + era * 400 + (*mo <= 2));
}

void md_fmt_time(double epoch, char *out, size_t n)
{
    if (!out || n == 0)
        return;
    if (!isfinite(epoch) || fabs(epoch) > 1e13) {
        snprintf(out, n, "-");
        return;
    }
    long y;
    int mo, d, h, mi, s;
    civil_from_epoch(epoch, &y, &mo, &d, &h, &mi, &s);
    snprintf(out, n, "%04ld-%02d-%02d %02d:%02d", y, mo, d, h, mi);
}

void md_fmt_iso8601(double epoch, char *out, size_t n)
{
    if (!out || n == 0)
        return;
    if (!isfinite(epoch) || fabs(epoch) > 1e13) {
        snprintf(out, n, "-");
        return;
    }
    long y;
    int mo, d, h, mi, s;
    civil_from_epoch(epoch, &y, &mo, &d, &h, &mi, &s);
    int ms = (int)((epoch - floor(epoch)) * 1000.0 + 0.5);
    if (ms > 999)
        ms = 999;
    snprintf(out, n, "%04ld-%02d-%02dT%02d:%02d:%02d.%03dZ", y, mo, d, h, mi, s, ms);
}

/* A whole string that parses as a finite or non-finite number. */
static bool str_number(const char *s, double *out)
{
    if (!s || !*s)
        return false;
    char *end;
    errno = 0;
    double d = strtod(s, &end);
    if (*end != '\0' || end == s)
        return false;
    *out = d;
    return true;
}

bool md_kind_time(const struct md_kind *k, const cJSON *obj, const char *path, double *out)
{
    const cJSON *v = md_json_get(obj, path);
    enum md_time_enc enc = k ? k->time_enc : MD_TIME_EPOCH_S;
    double d;
    if (cJSON_IsNumber(v)) {
        d = v->valuedouble;
    } else if (cJSON_IsString(v)) {
        if (md_parse_iso8601(v->valuestring, &d)) {
            *out = d;
            return true;
        }
        if (!str_number(v->valuestring, &d))
            return false;
    } else {
        return false;
    }
    if (!isfinite(d))
        return false;
    if (enc == MD_TIME_EPOCH_MS)
        d /= 1000.0;
    *out = d;
    return true;
}

/* ---- plain formatters -------------------------------------------------- */

void md_fmt_age(double seconds, char *out, size_t n)
{
    if (!out || n == 0)
        return;
    if (isnan(seconds)) {
        snprintf(out, n, "-");
        return;
    }
    if (seconds < 0)   /* a clock a little ahead of ours */
        seconds = 0;
    double s = floor(seconds);
    if (s < 60)
        snprintf(out, n, "%.0fs", s);
    else if (s < 3600)
        snprintf(out, n, "%.0fm", floor(s / 60));
    else if (s < 86400)
        snprintf(out, n, "%.0fh", floor(s / 3600));
    else if (s < 30 * 86400.0)
        snprintf(out, n, "%.0fd", floor(s / 86400));
    else if (s < 365 * 86400.0)
        snprintf(out, n, "%.0fmo", floor(s / (30 * 86400.0)));
    else if (s < 1e6 * 365 * 86400.0)
        snprintf(out, n, "%.0fy", floor(s / (365 * 86400.0)));
    else
        snprintf(out, n, "ages");
}

void md_fmt_duration(double seconds, char *out, size_t n)
{
    if (!out || n == 0)
        return;
    if (!isfinite(seconds) || seconds < 0 || seconds > 1e12) {
        snprintf(out, n, "-");
        return;
    }
    long long s = (long long)floor(seconds);
    if (s < 60)
        snprintf(out, n, "%llds", s);
    else if (s < 3600)
        snprintf(out, n, "%lldm%02llds", s / 60, s % 60);
    else if (s < 86400)
        snprintf(out, n, "%lldh%02lldm", s / 3600, s % 3600 / 60);
    else
        snprintf(out, n, "%lldd%02lldh", s / 86400, s % 86400 / 3600);
}

void md_fmt_bytes(double bytes, char *out, size_t n)
{
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    if (!out || n == 0)
        return;
    if (!isfinite(bytes) || bytes < 0) {
        snprintf(out, n, "-");
        return;
    }
    if (bytes < 1024) {
        snprintf(out, n, "%.0f B", floor(bytes));
        return;
    }
    double v = bytes / 1024;
    size_t u = 0;
    while (v >= 1024 && u + 1 < sizeof units / sizeof units[0]) {
        v /= 1024;
        u++;
    }
    if (v < 10)
        snprintf(out, n, "%.1f %s", floor(v * 10) / 10, units[u]);
    else
        snprintf(out, n, "%.0f %s", floor(v), units[u]);
}

/* ---- column formatting ------------------------------------------------- */

/* Copies s into out for one table cell: control characters become spaces
 * and a cut never splits a UTF-8 sequence. */
static void put_cell(char *out, size_t n, const char *s)
{
    size_t k = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p && k + 1 < n) {
        size_t len = 1;
        if (*p >= 0xF0)
            len = 4;
        else if (*p >= 0xE0)
            len = 3;
        else if (*p >= 0xC0)
            len = 2;
        if (k + len >= n)
            break;
        if (len == 1) {
            out[k++] = (*p < 0x20 || *p == 0x7F) ? ' ' : (char)*p;
            p++;
            continue;
        }
        size_t i;
        for (i = 1; i < len; i++)
            if ((p[i] & 0xC0) != 0x80)
                break;
        if (i < len) {   /* broken sequence: show a '?' and resync */
            out[k++] = '?';
            p++;
            continue;
        }
        memcpy(out + k, p, len);
        k += len;
        p += len;
    }
    out[k] = '\0';
}

static void fmt_number_plain(double d, char *out, size_t n)
{
    if (isnan(d))
        snprintf(out, n, "NaN");
    else if (isinf(d))
        snprintf(out, n, d > 0 ? "inf" : "-inf");
    else if (d == floor(d) && fabs(d) < 9e15)
        snprintf(out, n, "%.0f", d);
    else
        snprintf(out, n, "%g", d);
}

/* The number a value stands for: a JSON number, or a string MLflow uses
 * ("NaN", "Infinity", "640").  False when it is neither. */
static bool value_number(const cJSON *v, double *out)
{
    if (cJSON_IsNumber(v)) {
        *out = v->valuedouble;
        return true;
    }
    if (cJSON_IsString(v)) {
        const char *s = v->valuestring;
        if (strcmp(s, "NaN") == 0) {
            *out = NAN;
            return true;
        }
        if (strcmp(s, "Infinity") == 0) {
            *out = INFINITY;
            return true;
        }
        if (strcmp(s, "-Infinity") == 0) {
            *out = -INFINITY;
            return true;
        }
        return str_number(s, out);
    }
    return false;
}

/* Scalar members of an object joined by ":" ("champion:1", "imgsz:640"). */
static void object_scalars(const cJSON *o, char *out, size_t n)
{
    size_t k = 0;
    out[0] = '\0';
    const cJSON *m;
    cJSON_ArrayForEach(m, o) {
        char part[256];
        if (cJSON_IsString(m))
            snprintf(part, sizeof part, "%s", m->valuestring);
        else if (cJSON_IsNumber(m))
            fmt_number_plain(m->valuedouble, part, sizeof part);
        else if (cJSON_IsBool(m))
            snprintf(part, sizeof part, "%s", cJSON_IsTrue(m) ? "true" : "false");
        else
            continue;
        int w = snprintf(out + k, n - k, "%s%s", k ? ":" : "", part);
        if (w < 0 || (size_t)w >= n - k)
            return;
        k += (size_t)w;
    }
}

static void fmt_text(const cJSON *v, char *out, size_t n)
{
    char tmp[1024];
    if (cJSON_IsString(v)) {
        put_cell(out, n, v->valuestring);
    } else if (cJSON_IsNumber(v)) {
        fmt_number_plain(v->valuedouble, out, n);
    } else if (cJSON_IsBool(v)) {
        snprintf(out, n, "%s", cJSON_IsTrue(v) ? "true" : "false");
    } else if (cJSON_IsArray(v)) {
        size_t k = 0;
        tmp[0] = '\0';
        const cJSON *el;
        cJSON_ArrayForEach(el, v) {
            char part[256];
            if (cJSON_IsObject(el))
                object_scalars(el, part, sizeof part);
            else if (cJSON_IsString(el))
                snprintf(part, sizeof part, "%s", el->valuestring);
            else if (cJSON_IsNumber(el))
                fmt_number_plain(el->valuedouble, part, sizeof part);
            else
                continue;
            int w = snprintf(tmp + k, sizeof tmp - k, "%s%s", k ? "," : "", part);
            if (w < 0 || (size_t)w >= sizeof tmp - k)
                break;
            k += (size_t)w;
        }
        put_cell(out, n, tmp);
    } else if (cJSON_IsObject(v)) {
        char *s = cJSON_PrintUnformatted(v);
        put_cell(out, n, s ? s : "{}");
        free(s);
    } else {
        snprintf(out, n, "-");
    }
}

static void fmt_float(double d, char *out, size_t n)
{
    if (isnan(d) || isinf(d))
        fmt_number_plain(d, out, n);
    else if (fabs(d) < 1e4)
        snprintf(out, n, "%.4f", d);
    else if (fabs(d) < 1e9)
        snprintf(out, n, "%.1f", d);
    else
        snprintf(out, n, "%.4g", d);
}

bool md_column_has_fallback(const struct md_column *c)
{
    return c->path2 && (c->fmt == MD_FMT_TEXT || c->fmt == MD_FMT_ARN_NAME);
}

const cJSON *md_column_value(const struct md_column *c, const cJSON *obj)
{
    const cJSON *v = md_json_get(obj, c->path);
    if ((!v || cJSON_IsNull(v)) && md_column_has_fallback(c))
        v = md_json_get(obj, c->path2);
    return v;
}

void md_kind_format(const struct md_kind *k, const struct md_column *c, const cJSON *obj,
                    time_t now, char *out, size_t n, enum md_tone *tone)
{
    enum md_tone t = MD_TONE_NONE;
    if (!out || n == 0)
        return;
    out[0] = '\0';
    if (!c || !c->path || !obj) {
        snprintf(out, n, "-");
        if (tone)
            *tone = MD_TONE_MUTED;
        return;
    }
    const cJSON *v = md_column_value(c, obj);
    bool missing = !v || cJSON_IsNull(v);
    double d = 0, a = 0, b = 0;

    switch (c->fmt) {
    case MD_FMT_SPAN:
        /* handled below: a span can exist while its end is missing */
        break;
    default:
        if (missing) {
            snprintf(out, n, "-");
            if (tone)
                *tone = MD_TONE_MUTED;
            return;
        }
    }

    switch (c->fmt) {
    case MD_FMT_TEXT:
        fmt_text(v, out, n);
        break;
    case MD_FMT_STATUS:
        fmt_text(v, out, n);
        t = cJSON_IsString(v) ? md_status_tone(v->valuestring) : MD_TONE_NONE;
        break;
    case MD_FMT_AGE:
        if (md_kind_time(k, obj, c->path, &a))
            md_fmt_age((double)now - a, out, n);
        else
            fmt_text(v, out, n);
        break;
    case MD_FMT_TIME:
        if (md_kind_time(k, obj, c->path, &a))
            md_fmt_time(a, out, n);
        else
            fmt_text(v, out, n);
        break;
    case MD_FMT_DURATION:
        if (value_number(v, &d))
            md_fmt_duration(d, out, n);
        else
            fmt_text(v, out, n);
        break;
    case MD_FMT_SPAN: {
        if (!md_kind_time(k, obj, c->path, &a)) {
            snprintf(out, n, "-");
            t = MD_TONE_MUTED;
            break;
        }
        bool has_end = c->path2 && md_kind_time(k, obj, c->path2, &b);
        bool live = !has_end || md_kind_row_tone(k, obj) == MD_TONE_RUNNING;
        if (live) {
            b = (double)now;
            t = MD_TONE_RUNNING;
        }
        md_fmt_duration(b - a < 0 ? 0 : b - a, out, n);
        break;
    }
    case MD_FMT_BYTES:
        if (value_number(v, &d))
            md_fmt_bytes(d, out, n);
        else
            fmt_text(v, out, n);
        break;
    case MD_FMT_INT:
        if (value_number(v, &d)) {
            if (isfinite(d) && fabs(d) < 9e15)
                snprintf(out, n, "%.0f%s", d,
                         c->path2 && cJSON_IsTrue(md_json_get(obj, c->path2)) ? "+" : "");
            else
                fmt_number_plain(d, out, n);
        } else {
            fmt_text(v, out, n);
        }
        break;
    case MD_FMT_FLOAT:
        if (value_number(v, &d)) {
            fmt_float(d, out, n);
            if (isnan(d))
                t = MD_TONE_WARN;
        } else {
            fmt_text(v, out, n);
        }
        break;
    case MD_FMT_PERCENT:
        if (value_number(v, &d) && isfinite(d))
            snprintf(out, n, "%.0f%%", d * 100);
        else if (value_number(v, &d))
            fmt_number_plain(d, out, n);
        else
            fmt_text(v, out, n);
        break;
    case MD_FMT_COUNT:
        if (cJSON_IsArray(v) || cJSON_IsObject(v))
            snprintf(out, n, "%d", cJSON_GetArraySize(v));
        else
            fmt_text(v, out, n);
        break;
    case MD_FMT_KEYS:
        if (cJSON_IsObject(v)) {
            char tmp[512];
            size_t kk = 0;
            tmp[0] = '\0';
            const cJSON *m;
            cJSON_ArrayForEach(m, v) {
                int w = snprintf(tmp + kk, sizeof tmp - kk, "%s%s", kk ? "," : "", m->string);
                if (w < 0 || (size_t)w >= sizeof tmp - kk)
                    break;
                kk += (size_t)w;
            }
            put_cell(out, n, kk ? tmp : "-");
        } else {
            fmt_text(v, out, n);
        }
        break;
    case MD_FMT_ARN_NAME:
        if (cJSON_IsString(v)) {
            const char *s = v->valuestring, *slash = strrchr(s, '/');
            put_cell(out, n, slash && strncmp(s, "arn:", 4) == 0 ? slash + 1 : s);
        } else {
            fmt_text(v, out, n);
        }
        break;
    }
    if (tone)
        *tone = t;
}
