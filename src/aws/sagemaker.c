#include "aws/sagemaker.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/client.h"
#include "aws/paginate.h"
#include "cache/last_exec.h"
#include "cache/rewrite.h"
#include "net/http.h"
#include "util/rawjson.h"
#include "kind/kind.h"
#include "util/json.h"

#define SM_PREFIX "SageMaker"
#define SM_JSON "1.1"

/* How one kind is listed.  parent_member names the list call's input that
 * holds the parent id; describe_* say how to read one object in full. */
struct sm_list {
    const char *kind;
    const char *op;
    const char *result_key;
    const char *parent_member;
    const char *sort_by;            /* NULL: the call has no SortBy */
    const char *describe_op;        /* NULL: the list item is the cached object */
    const char *describe_member;    /* input member, read from the list item */
    bool describe_always;           /* the kind caches the describe output */
    bool newest_first;              /* paging may stop early once caught up */
    /* The list call's creation-time filters (exclusive bounds): a running
     * object older than where an incremental listing stopped is listed
     * again through a window around its CreationTime.  running: the
     * statuses in which the kind's objects still change (the cache looks
     * for each: fewer words, fewer scans of the kind's rows). */
    const char *time_after, *time_before;
    const char *running[4];
};

#define CREATION_WINDOW "CreationTimeAfter", "CreationTimeBefore"
#define JOB_RUNNING {"InProgress", "Stopping"}

static const struct sm_list sm_lists[] = {
    {"pipelines", "ListPipelines", "PipelineSummaries", NULL, "CreationTime", NULL, NULL, false, false},
    {"pipeline-executions", "ListPipelineExecutions", "PipelineExecutionSummaries", "PipelineName",
     "CreationTime", "DescribePipelineExecution", "PipelineExecutionArn", true, true,
     "CreatedAfter", "CreatedBefore", {"Executing", "Stopping"}},
    {"pipeline-steps", "ListPipelineExecutionSteps", "PipelineExecutionSteps",
     "PipelineExecutionArn", NULL, NULL, NULL, false, false},
    {"training-jobs", "ListTrainingJobs", "TrainingJobSummaries", NULL, "CreationTime",
     "DescribeTrainingJob", "TrainingJobName", false, true, CREATION_WINDOW, JOB_RUNNING},
    {"processing-jobs", "ListProcessingJobs", "ProcessingJobSummaries", NULL, "CreationTime",
     "DescribeProcessingJob", "ProcessingJobName", false, true, CREATION_WINDOW, JOB_RUNNING},
    {"labeling-jobs", "ListLabelingJobs", "LabelingJobSummaryList", NULL, "CreationTime",
     "DescribeLabelingJob", "LabelingJobName", false, true, CREATION_WINDOW,
     {"Initializing", "InProgress", "Stopping"}},
    {"monitoring-schedules", "ListMonitoringSchedules", "MonitoringScheduleSummaries", NULL,
     "CreationTime", "DescribeMonitoringSchedule", "MonitoringScheduleName", false, false},
    {"monitoring-executions", "ListMonitoringExecutions", "MonitoringExecutionSummaries",
     "MonitoringScheduleName", "ScheduledTime", NULL, NULL, false, true, CREATION_WINDOW,
     {"Pending", "InProgress", "Stopping"}},
    {"endpoints", "ListEndpoints", "Endpoints", NULL, "CreationTime", NULL, NULL, false, false},
    {"tracking-servers", "ListMlflowTrackingServers", "TrackingServerSummaries", NULL,
     "CreationTime", NULL, NULL, false, false},
};

static const struct sm_list *sm_list_find(const char *kind)
{
    for (size_t i = 0; i < sizeof sm_lists / sizeof sm_lists[0]; i++)
        if (!strcmp(sm_lists[i].kind, kind))
            return &sm_lists[i];
    return NULL;
}

bool md_sm_handles(const char *kind)
{
    return sm_list_find(kind) != NULL;
}

/* Statuses after which an object never changes again. */
static bool status_final(const char *s)
{
    static const char *const final[] = {"Completed", "CompletedWithViolations", "Failed",
                                        "Stopped", "Succeeded", NULL};
    for (int i = 0; s && final[i]; i++)
        if (!strcmp(s, final[i]))
            return true;
    return false;
}

static bool sm_cancelled(void *ctx)
{
    struct md_sm_ctx *x = ctx;
    return x->cancelled && x->cancelled(x->cancel_ctx);
}

static md_status sm_client(struct md_sm_ctx *x, void *curl, struct md_aws_client *c,
                           struct md_endpoint *ep, struct md_http_opts *http, struct md_err *err)
{
    return md_aws_client_init(c, x->env, x->settings, "sagemaker", curl,
                              x->cancelled ? sm_cancelled : NULL, x, ep, http, err);
}

/* The members of a listed object that a page's handling reads. */
enum { M_ID, M_STATUS, M_SORT, M_TIME, M_DESCRIBE, M_COUNT };

/* Where each of them is (a util/json.h path) for kind and spec, and its
 * name when it is a plain top-level member (else NULL); NULL paths for
 * members the listing does not need. */
struct item_members {
    char path[M_COUNT][128];
    const char *name[M_COUNT];
    bool used[M_COUNT];
    bool plain;                 /* every used one is a plain top-level member */
};

/* One page's worth of work, carried between pages. */
struct sm_sync {
    struct md_sm_ctx *x;
    struct md_aws_client *client;
    const struct sm_list *spec;
    const struct md_kind *kind;
    const char *parent;
    bool caught_up_allowed;     /* a previous full listing exists */
    struct md_sm_stats *stats;
    char **ids;                 /* every id seen, for the prune after a full listing */
    size_t nids, capids;
    /* A CLI listing writes its pages in one transaction (one commit instead
     * of one per page), renewed after BATCH_MS so that a long listing does
     * not keep the screen's workers waiting for the write lock. */
    bool batched;
    bool renewed;               /* the transaction was committed mid-listing */
    long long batch_start_ms;
    struct md_sm_listed *listed;    /* NULL, or where the stored objects go, in order */
    double *sort_values;            /* listed: each object's sort column */
    bool sortable;                  /* listed: every object had a number there */
    /* A listing read from both ends (md_aws_pager_finish_pair): for each
     * id, the end it came from and its SortBy member; the front's oldest
     * and the back's newest so far; which end reached its last page. */
    struct item_members members;
    bool pair;
    unsigned char *end_of;
    double *time_of;
    double front_min, back_max;
    bool seen[2];
    bool untimed;                   /* an object without a number in SortBy */
    int ended;                      /* -1, or 0/1 */
};

#define BATCH_MS 250
/* The first reply's round trip from which a listing is read from both ends. */
#define PAIR_MIN_MS 10.0

static long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Keeps a copy of a stored object for md_sm_list, with its value in the
 * kind's sort column (sortable: it had a number there). */
static md_status keep_listed(struct sm_sync *s, const char *text, double sort_value,
                             bool sortable, struct md_err *err)
{
    struct md_sm_listed *l = s->listed;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        char **v = realloc(l->json, cap * sizeof *v);
        if (v)
            l->json = v;
        double *d = v ? realloc(s->sort_values, cap * sizeof *d) : NULL;
        if (d)
            s->sort_values = d;
        if (!v || !d)
            return md_err_set(err, MD_ERR_NOMEM, "out of memory");
        l->cap = cap;
    }
    if (!sortable)
        s->sortable = false;
    s->sort_values[l->n] = sortable ? sort_value : 0;
    if (!(l->json[l->n] = strdup(text)))
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    l->n++;
    return MD_OK;
}

/* Keeps id for the prune, and for a listing from both ends the end it
 * came from and its time (timed: the SortBy member was a number). */
static md_status keep_id(struct sm_sync *s, const char *id, int end, double t, bool timed,
                         struct md_err *err)
{
    if (s->nids == s->capids) {
        size_t cap = s->capids ? s->capids * 2 : 256;
        char **p = realloc(s->ids, cap * sizeof *p);
        if (p)
            s->ids = p;
        unsigned char *e = p && s->pair ? realloc(s->end_of, cap) : NULL;
        if (e)
            s->end_of = e;
        double *tv = e ? realloc(s->time_of, cap * sizeof *tv) : NULL;
        if (tv)
            s->time_of = tv;
        if (!p || (s->pair && !tv))
            return md_err_set(err, MD_ERR_NOMEM, "out of memory");
        s->capids = cap;
    }
    if (!(s->ids[s->nids] = strdup(id)))
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    if (s->pair) {
        s->untimed = s->untimed || !timed;
        s->end_of[s->nids] = (unsigned char)end;
        s->time_of[s->nids] = t;
        if (end == 0 && (!s->seen[0] || t < s->front_min))
            s->front_min = t;
        if (end == 1 && (!s->seen[1] || t > s->back_max))
            s->back_max = t;
        s->seen[end] = true;
    }
    s->nids++;
    return MD_OK;
}

/* After a page of a listing read from both ends: done when either end
 * reached its last page (it alone holds every object), or when they have
 * crossed.  The front (newest first) holds every object newer than its
 * oldest, front_min; the back (oldest first) every object older than its
 * newest, back_max.  Once front_min < back_max every object is in one or
 * the other; at front_min == back_max objects of that very time might
 * still be missing, so that is not enough. */
static bool pair_done(struct sm_sync *s, const struct md_page *pg)
{
    if (pg->last) {
        s->ended = pg->end;
        return true;
    }
    return !s->untimed && s->seen[0] && s->seen[1] && s->front_min < s->back_max;
}

/* The objects of a listing read from both ends, once, newest first: the
 * front's down to (not including) front_min, then the back's from
 * front_min down, i.e. the back's in reverse (every object at front_min
 * is the back's: it is older than back_max).  Or one end's alone when it
 * reached its last page.  Rewrites ids (and listed, when it keeps one
 * object per id) in that order. */
static md_status pair_settle(struct sm_sync *s, struct md_err *err)
{
    size_t n = s->nids, m = 0;
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    bool *kept = calloc(n ? n : 1, sizeof *kept);
    if (!order || !kept) {
        free(order);
        free(kept);
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        if (s->end_of[i] == 0 && (s->ended == 0 || (s->ended < 0 && s->time_of[i] > s->front_min)))
            order[m++] = i;
    for (size_t i = n; i-- > 0;)
        if (s->end_of[i] == 1 && (s->ended == 1 || (s->ended < 0 && s->time_of[i] <= s->front_min)))
            order[m++] = i;
    struct md_sm_listed *l = s->listed;
    bool with_listed = l && l->n == n;
    char **ids = malloc((m ? m : 1) * sizeof *ids);
    char **json = with_listed ? malloc((m ? m : 1) * sizeof *json) : NULL;
    double *sv = with_listed ? malloc((m ? m : 1) * sizeof *sv) : NULL;
    if (!ids || (with_listed && (!json || !sv))) {
        free(order);
        free(kept);
        free(ids);
        free(json);
        free(sv);
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    for (size_t j = 0; j < m; j++) {
        size_t i = order[j];
        kept[i] = true;
        ids[j] = s->ids[i];
        if (with_listed) {
            json[j] = l->json[i];
            sv[j] = s->sort_values[i];
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (kept[i])
            continue;
        free(s->ids[i]);
        if (with_listed)
            free(l->json[i]);
    }
    free(s->ids);
    s->ids = ids;
    s->nids = s->capids = m;
    if (with_listed) {
        free(l->json);
        l->json = json;
        l->n = l->cap = m;
        free(s->sort_values);
        s->sort_values = sv;
    } else if (l) {
        md_sm_listed_free(l);       /* not one object per id: read the cache */
        s->listed = NULL;
    }
    s->stats->listed = (int)m;
    free(order);
    free(kept);
    return MD_OK;
}

/* True when the cached copy of this object is final and has the status the
 * list reports: nothing about it can have changed. */
static bool settled(struct sm_sync *s, const char *id, const char *status)
{
    if (!s->kind->status_path || !status)
        return false;
    char *json = NULL;
    long long at;
    struct md_err e;
    if (md_cache_get(s->x->cache, s->x->scope, s->kind->name, id, &json, &at, &e) != MD_OK)
        return false;
    bool same = false;
    cJSON *cached = cJSON_Parse(json);
    if (cached) {
        const char *old = md_json_str(cached, s->kind->status_path, NULL);
        same = old && !strcmp(old, status) && status_final(old);
        /* A row that holds only the list summary is not settled for kinds
         * whose cached object is the describe output. */
        if (same && s->spec->describe_always && s->spec->describe_op &&
            !cJSON_GetObjectItemCaseSensitive(cached, "LastModifiedTime"))
            same = false;
        cJSON_Delete(cached);
    }
    free(json);
    return same;
}

static md_status describe_one(struct md_aws_client *c, const struct sm_list *spec,
                              const char *value, cJSON **out, struct md_err *err)
{
    cJSON *in = cJSON_CreateObject();
    if (!in || !cJSON_AddStringToObject(in, spec->describe_member, value)) {
        cJSON_Delete(in);
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    md_status st = md_aws_json_call(c, SM_PREFIX, spec->describe_op, SM_JSON, in, out, err);
    cJSON_Delete(in);
    return st;
}

/* ---- one listed object ---------------------------------------------------- */

/* path: a util/json.h path, whose leading "$" is optional (a member name
 * is a path). */
static void member_set(struct item_members *im, int m, const char *path)
{
    if (!path)
        return;
    im->used[m] = true;
    int w = snprintf(im->path[m], sizeof im->path[m], "%s%s", path[0] == '$' ? "" : "$.", path);
    const char *n = im->path[m] + 2;
    bool simple = w > 0 && (size_t)w < sizeof im->path[m] && !strncmp(im->path[m], "$.", 2) &&
                  *n && !strpbrk(n, ".[]?*'\"\\ ");
    im->name[m] = simple ? n : NULL;
    if (!simple)
        im->plain = false;
}

static void item_members_init(struct item_members *im, const struct md_kind *k,
                              const struct sm_list *spec, bool pair)
{
    memset(im, 0, sizeof *im);
    im->plain = true;
    member_set(im, M_ID, k->id_path);
    member_set(im, M_STATUS, k->status_path);
    member_set(im, M_SORT, k->ncolumns ? k->columns[k->sort_column].path : NULL);
    member_set(im, M_TIME, pair ? spec->sort_by : NULL);
    member_set(im, M_DESCRIBE, spec->describe_op ? spec->describe_member : NULL);
}

/* A listed object: read off its text in one pass when every member wanted
 * is a plain top-level one (no cJSON tree at all: the tree of a page cost
 * more than the rest of its handling but the cache's), else from a parse. */
struct item {
    const struct item_members *im;
    const char *text;           /* as the service sent it; NULL: tree only */
    size_t len;
    const cJSON *tree;          /* NULL until wanted */
    cJSON *own;                 /* a parse of text, when made */
    bool raw;                   /* val[] holds the members */
    const char *val[M_COUNT];
    size_t vlen[M_COUNT];
};

static void item_open(struct item *it, const struct item_members *im, const char *text,
                      const cJSON *tree)
{
    memset(it, 0, sizeof *it);
    it->im = im;
    it->text = text;
    it->len = text ? strlen(text) : 0;
    it->tree = tree;
    if (!tree && text && im->plain) {
        /* Two of them may be one member (the id and the describe call's
         * input): md_rawjson_members fills both. */
        const char *keys[M_COUNT];
        int slot[M_COUNT], n = 0;
        for (int m = 0; m < M_COUNT; m++)
            if (im->used[m]) {
                slot[n] = m;
                keys[n++] = im->name[m];
            }
        const char *v[M_COUNT];
        size_t l[M_COUNT];
        if (n && md_rawjson_members(text, it->len, keys, (size_t)n, v, l) == 0) {
            it->raw = true;
            for (int j = 0; j < n; j++) {
                it->val[slot[j]] = v[j];
                it->vlen[slot[j]] = l[j];
            }
        }
    }
}

static const cJSON *item_tree(struct item *it)
{
    if (!it->tree && it->text)
        it->tree = it->own = cJSON_ParseWithLength(it->text, it->len);
    return it->tree;
}

static void item_close(struct item *it)
{
    cJSON_Delete(it->own);
}

/* Member m when it is a non-empty string: copied into buf (n bytes) when
 * read off the text, else pointing into the tree (valid until item_close). */
static const char *item_str(struct item *it, int m, char *buf, size_t n)
{
    if (it->raw) {
        const char *v = it->val[m];
        size_t l = it->vlen[m];
        if (!v || *v != '"')
            return NULL;
        if (l > 2 && l - 2 < n && !memchr(v, '\\', l)) {
            memcpy(buf, v + 1, l - 2);
            buf[l - 2] = '\0';
            return buf;
        }
        /* an escape, or longer than buf: the parser decodes it */
    }
    const char *v = md_json_str(item_tree(it), it->im->path[m], NULL);
    return v && v[0] ? v : NULL;
}

/* Member m when it is a number. */
static bool item_num(struct item *it, int m, double *out)
{
    if (it->raw) {
        const char *v = it->val[m];
        if (!v || !(*v == '-' || (*v >= '0' && *v <= '9')))
            return false;
        char *end;
        *out = strtod(v, &end);    /* LC_NUMERIC is "C" (ui/main.c) */
        return end == v + it->vlen[m];
    }
    const cJSON *v = md_json_get(item_tree(it), it->im->path[m]);
    if (!cJSON_IsNumber(v))
        return false;
    *out = v->valuedouble;
    return true;
}

/* The cache id of the object (as md_kind_row_id). */
static bool item_id(struct item *it, const struct md_kind *k, const char *parent, char *out,
                    size_t n)
{
    char buf[1024];
    if (it->raw && it->val[M_ID] && *it->val[M_ID] != '"')
        return md_kind_row_id(k, item_tree(it), parent, out, n);    /* a number */
    const char *id = item_str(it, M_ID, buf, sizeof buf);
    return id && md_kind_row_id_str(k, id, parent, out, n);
}

/* One object of a page: its id kept, then (unless already had) described
 * when it must be, kept for md_sm_list, and made into a row (*made). */
static md_status sync_item(struct sm_sync *s, struct item *it, int end, char *id, size_t idn,
                           struct md_cache_row *row, char **printed, bool *made,
                           struct md_err *err)
{
    *made = false;
    if (!item_id(it, s->kind, s->parent, id, idn))
        return MD_OK;   /* an object without its id member: nothing to key it by */
    double t = 0;
    bool timed = s->pair && item_num(it, M_TIME, &t);
    md_status st = keep_id(s, id, end, t, timed, err);
    if (st != MD_OK)
        return st;
    char sbuf[128];
    const char *status = s->kind->status_path ? item_str(it, M_STATUS, sbuf, sizeof sbuf) : NULL;
    /* Only after a complete first listing can a page be "already had". */
    if (s->spec->newest_first && s->caught_up_allowed && settled(s, id, status))
        return MD_OK;
    cJSON *full = NULL;
    /* A CLI listing (list_only) prints the list call's own objects:
     * running jobs are described by the screen's refreshes, not here. */
    bool describe = s->spec->describe_op &&
                    (s->spec->describe_always || (!status_final(status) && !s->x->list_only));
    if (describe) {
        char dbuf[1024];
        const char *v = item_str(it, M_DESCRIBE, dbuf, sizeof dbuf);
        if (!v)
            return MD_OK;
        st = describe_one(s->client, s->spec, v, &full, err);
        if (st == MD_ERR_NOTFOUND) {    /* deleted between list and describe */
            md_err_clear(err);
            return MD_OK;
        }
        if (st != MD_OK)
            return st;
        s->stats->described++;
    }
    const char *text = !full ? it->text : NULL;
    if (!text) {
        const cJSON *obj = full ? full : item_tree(it);
        text = *printed = obj ? cJSON_PrintUnformatted(obj) : NULL;
        if (!text) {
            cJSON_Delete(full);
            return md_err_set(err, MD_ERR_NOMEM, "out of memory");
        }
    }
    if (s->listed) {
        double v = 0;
        bool sortable = false;
        if (full) {
            const cJSON *x = s->members.used[M_SORT] ? md_json_get(full, s->members.path[M_SORT])
                                                     : NULL;
            sortable = cJSON_IsNumber(x);
            v = sortable ? x->valuedouble : 0;
        } else {
            sortable = s->members.used[M_SORT] && item_num(it, M_SORT, &v);
        }
        st = keep_listed(s, text, v, sortable, err);
    }
    cJSON_Delete(full);
    if (st != MD_OK)
        return st;
    *row = (struct md_cache_row){s->kind->name, id, s->parent ? s->parent : "", text, 0};
    *made = true;
    return MD_OK;
}

/* Describe replies carry ResponseMetadata-free objects, but SageMaker puts
 * nothing else in them, so the reply is the object.  A list item is stored
 * as the text the service sent (util/rawjson.h): printing it again from the
 * parsed tree cost more than the rest of the page's work.  The page is
 * parsed only when its text cannot be cut into items. */
static md_status sync_page(void *ctx, const struct md_page *pg, bool *stop, struct md_err *err)
{
    struct sm_sync *s = ctx;
    struct md_rawjson_items raw;
    const cJSON *items = NULL;
    size_t n;
    if (md_rawjson_array_items(pg->raw, pg->raw_len, s->spec->result_key, &raw) == 0) {
        n = raw.n;
    } else {
        md_rawjson_items_free(&raw);
        const cJSON *page = md_page_json(pg, err);
        if (!page)
            return err ? err->code : MD_ERR_PARSE;
        items = cJSON_GetObjectItemCaseSensitive(page, s->spec->result_key);
        n = (size_t)cJSON_GetArraySize(items);
    }
    struct md_cache_row *rows = calloc(n ? n : 1, sizeof *rows);
    char **jsons = calloc(n ? n : 1, sizeof *jsons);
    char (*ids)[1024] = calloc(n ? n : 1, sizeof *ids);
    md_status st = MD_OK;
    size_t nrows = 0;
    if (!rows || !jsons || !ids) {
        st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
        goto out;
    }
    s->stats->pages++;
    const cJSON *tree = items ? items->child : NULL;
    for (size_t k = 0; k < n; k++, tree = tree ? tree->next : NULL) {
        if (sm_cancelled(s->x)) {
            st = md_err_set(err, MD_ERR_CANCELLED, "cancelled");
            goto out;
        }
        s->stats->listed++;
        struct item it;
        item_open(&it, &s->members, items ? NULL : raw.text + raw.off[k], tree);
        bool made;
        st = sync_item(s, &it, pg->end, ids[nrows], sizeof ids[0], &rows[nrows], &jsons[nrows],
                       &made, err);
        item_close(&it);
        if (st != MD_OK)
            goto out;
        nrows += made;
    }
    if (nrows) {
        st = md_cache_upsert_rows(s->x->cache, s->x->scope, rows, nrows, err);
        s->stats->written += (int)nrows;
        if (st == MD_OK && s->batched && mono_ms() - s->batch_start_ms > BATCH_MS) {
            st = md_cache_commit(s->x->cache, err);
            if (st == MD_OK)
                st = md_cache_begin(s->x->cache, err);
            s->batched = st == MD_OK;
            s->renewed = true;
            s->batch_start_ms = mono_ms();
        }
    } else if (s->spec->newest_first && s->caught_up_allowed && n > 0) {
        *stop = true; /* a whole page we already had: the rest is older */
    }
    if (st == MD_OK && s->pair && pair_done(s, pg))
        *stop = true;
out:
    if (!items)
        md_rawjson_items_free(&raw);
    for (size_t i = 0; i < n && jsons; i++)
        cJSON_free(jsons[i]);
    free(jsons);
    free(rows);
    free(ids);
    return st;
}

static void full_key(char *out, size_t n, const char *kind, const char *parent)
{
    snprintf(out, n, "sagemaker.full.%s.%s", kind, parent ? parent : "");
}

/* True when the listed objects, in listing order, are in the order the
 * cache query of the kind's default sort returns them: sort value
 * monotonic with no ties or near-ties (ties are ordered by insertion in the
 * cache, and SQLite's and strtod's conversions may differ by an ulp), no id
 * twice. */
static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool listed_in_cache_order(const struct sm_sync *s)
{
    const struct md_sm_listed *l = s->listed;
    if (!s->sortable || l->n != s->nids)
        return false;
    for (size_t i = 1; i < l->n; i++) {
        double a = s->sort_values[i - 1], b = s->sort_values[i];
        double gap = s->kind->sort_desc ? a - b : b - a;
        /* 1e-13 relative: a thousand times the one-ulp disagreement
         * possible between SQLite's and strtod's reading of the same text,
         * and still far below a millisecond at today's epoch seconds. */
        if (!(gap > 1e-13 * (fabs(a) > 1 ? fabs(a) : 1)))
            return false;
    }
    if (s->nids < 2)
        return true;
    char **ids = malloc(s->nids * sizeof *ids);
    if (!ids)
        return false;
    memcpy(ids, s->ids, s->nids * sizeof *ids);
    qsort(ids, s->nids, sizeof *ids, cmp_str);
    bool unique = true;
    for (size_t i = 1; i < s->nids && unique; i++)
        unique = strcmp(ids[i - 1], ids[i]) != 0;
    free(ids);
    return unique;
}

void md_sm_listed_free(struct md_sm_listed *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        free(l->json[i]);
    free(l->json);
    memset(l, 0, sizeof *l);
}

static md_status refresh(struct md_sm_ctx *x, const char *kindname, const char *parent,
                         bool full, struct md_sm_stats *stats, struct md_sm_listed *listed,
                         struct md_err *err);

md_status md_sm_refresh(struct md_sm_ctx *x, const char *kindname, const char *parent, bool full,
                        struct md_sm_stats *stats, struct md_err *err)
{
    return refresh(x, kindname, parent, full, stats, NULL, err);
}

md_status md_sm_list(struct md_sm_ctx *x, const char *kindname, const char *parent, bool full,
                     struct md_sm_listed *listed, struct md_err *err)
{
    memset(listed, 0, sizeof *listed);
    bool was = x->list_only;
    x->list_only = true;
    md_status st = refresh(x, kindname, parent, full, NULL, listed, err);
    x->list_only = was;
    return st;
}

/* Reads the listing of in from both ends: front (started) newest first,
 * and a second listing oldest first over a client and handle of its own;
 * sync_page sees the pages of both. */
static md_status pair_listing(struct md_sm_ctx *x, struct md_aws_pager *front, const cJSON *in,
                              struct sm_sync *s, struct md_err *err)
{
    const char *op = s->spec->op;
    md_status st = MD_OK;
    void *curl = md_http_handle_new();
    struct md_aws_client c2;
    struct md_endpoint ep2;
    struct md_http_opts http2;
    cJSON *back_in = cJSON_Duplicate(in, 1);
    struct md_aws_pager *back = NULL;
    if (!curl || !back_in || !cJSON_ReplaceItemInObjectCaseSensitive(
                                  back_in, "SortOrder", cJSON_CreateString("Ascending")))
        st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
    if (st == MD_OK)
        st = sm_client(x, curl, &c2, &ep2, &http2, err);
    if (st == MD_OK)
        st = md_aws_pager_start(&c2, "sagemaker", SM_PREFIX, SM_JSON, op, back_in, 0, &back, err);
    cJSON_Delete(back_in);
    if (st == MD_OK)
        st = md_aws_pager_finish_pair(front, back, sync_page, s, err);
    else
        md_aws_pager_cancel(front);
    md_http_handle_free(curl);
    return st;
}

/* ---- running objects an incremental listing did not reach ----------------- */

/* A listing that stopped at the first page it already had never sees an
 * object older than that page: a job that still ran at the last refresh
 * would stay "InProgress" in the cache after it finished.  Each such one is
 * listed again on its own, through the list call's creation-time window
 * around it (so a CLI listing keeps the list call's objects, and the
 * screen's describes it as it describes any running one). */
/* The creation times of the cached running objects the listing did not
 * see.  Each row is found once: a status matches one of the kind's words
 * only. */
struct stale {
    struct sm_sync *s;
    double *times;
    size_t n, cap;
    bool nomem;
};

static bool seen(const struct sm_sync *s, const char *id)
{
    for (size_t i = 0; i < s->nids; i++)
        if (!strcmp(s->ids[i], id))
            return true;
    return false;
}

static int keep_stale(void *ctx, const struct md_cache_row *row)
{
    struct stale *st = ctx;
    if (seen(st->s, row->id))
        return 0;
    cJSON *obj = cJSON_Parse(row->json);
    const char *status = md_json_str(obj, st->s->kind->status_path, NULL);
    double t = md_json_num(obj, "$.CreationTime", NAN);
    bool running = status && !status_final(status) && isfinite(t);
    cJSON_Delete(obj);
    if (!running)
        return 0;
    if (st->n == st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 8;
        double *times = realloc(st->times, cap * sizeof *times);
        if (!times) {
            st->nomem = true;
            return 1;
        }
        st->times = times;
        st->cap = cap;
    }
    st->times[st->n++] = t;
    return 0;
}

static md_status poll_stale(struct sm_sync *s, const cJSON *in, struct md_err *err)
{
    const char *paths[] = {s->kind->status_path};
    struct stale st = {s};
    md_status rc = MD_OK;
    const char *const *running = s->spec->running;
    for (size_t i = 0; rc == MD_OK && !st.nomem && i < 4 && running[i]; i++) {
        struct md_cache_query q = {.kind = s->kind->name, .parent = s->parent ? s->parent : "",
                                   .filter_paths = paths, .nfilter_paths = 1,
                                   .filter_text = running[i]};
        rc = md_cache_query(s->x->cache, s->x->scope, &q, keep_stale, &st, err);
    }
    if (rc == MD_OK && st.nomem)
        rc = md_err_set(err, MD_ERR_NOMEM, "out of memory");
    for (size_t i = 0; rc == MD_OK && i < st.n; i++) {
        cJSON *win = cJSON_Duplicate(in, 1);
        /* a second either side: the bounds are exclusive, and a time the
         * service printed to milliseconds is not rounded away */
        if (!win || !cJSON_AddNumberToObject(win, s->spec->time_after, st.times[i] - 1) ||
            !cJSON_AddNumberToObject(win, s->spec->time_before, st.times[i] + 1))
            rc = md_err_set(err, MD_ERR_NOMEM, "out of memory");
        if (rc == MD_OK)
            rc = md_aws_json_paginate_pages(s->client, "sagemaker", SM_PREFIX, SM_JSON,
                                            s->spec->op, win, 0, false, sync_page, s, err);
        cJSON_Delete(win);
    }
    free(st.times);
    return rc;
}

/* ---- pipelines' last executions (cache/last_exec.h) ----------------------- */

/* The cached pipelines that carry mldeck's member, by name, as they were
 * before a listing replaced them with the service's text. */
static int memo_row(void *ctx, const struct md_cache_row *row)
{
    if (!strstr(row->json, "\"mldeck\""))
        return 0;
    cJSON *obj = cJSON_Parse(row->json);
    if (obj && !cJSON_AddItemToObject(ctx, row->id, obj))
        cJSON_Delete(obj);
    return 0;
}

static cJSON *last_exec_memo(struct md_sm_ctx *x)
{
    cJSON *memo = cJSON_CreateObject();
    struct md_cache_query q = {.kind = "pipelines"};
    struct md_err e;
    if (memo)
        md_cache_query(x->cache, x->scope, &q, memo_row, memo, &e);
    return memo;
}

struct last_pass {
    struct md_sm_ctx *x;
    struct md_aws_client *c;
    const cJSON *memo;
    md_status failed;           /* the first request that failed: no more are sent */
    struct md_err err;
};

/* One pipeline: what was known of its last execution is carried over, and
 * the service is asked again only when that is out of date or still
 * running (one ListPipelineExecutions, newest first, one result). */
static md_status last_exec_of(void *ctx, const struct md_cache_row *row, cJSON *pipeline,
                              bool *changed, struct md_err *err)
{
    struct last_pass *p = ctx;
    md_status st = MD_OK;
    if (!cJSON_GetObjectItemCaseSensitive(pipeline, "mldeck")) {
        const cJSON *before = cJSON_GetObjectItemCaseSensitive(p->memo, row->id);
        if (before && (st = md_last_exec_carry(pipeline, before, err)) != MD_OK)
            return st;
        *changed = before != NULL;
    }
    /* A CLI listing only carries what the screen knew over: it prints
     * the list call's objects, without this member. */
    if (p->x->list_only || p->failed != MD_OK ||
        !cJSON_GetObjectItemCaseSensitive(pipeline, "LastExecutionTime") ||
        md_last_exec_settled(pipeline))
        return MD_OK;
    if (sm_cancelled(p->x))
        return md_err_set(err, MD_ERR_CANCELLED, "cancelled");
    cJSON *in = cJSON_CreateObject();
    if (!in || !cJSON_AddStringToObject(in, "PipelineName", row->id) ||
        !cJSON_AddStringToObject(in, "SortBy", "CreationTime") ||
        !cJSON_AddStringToObject(in, "SortOrder", "Descending") ||
        !cJSON_AddNumberToObject(in, "MaxResults", 1)) {
        cJSON_Delete(in);
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    cJSON *out = NULL;
    struct md_err e;
    md_err_clear(&e);
    st = md_aws_json_call(p->c, SM_PREFIX, "ListPipelineExecutions", SM_JSON, in, &out, &e);
    cJSON_Delete(in);
    if (st == MD_ERR_NOTFOUND)  /* deleted since the listing */
        return MD_OK;
    if (st != MD_OK) {
        /* the rest keep what was known; the refresh reports this */
        p->failed = st;
        p->err = e;
        return MD_OK;
    }
    const cJSON *first = cJSON_GetArrayItem(
        cJSON_GetObjectItemCaseSensitive(out, "PipelineExecutionSummaries"), 0);
    if (cJSON_IsObject(first)) {
        st = md_last_exec_set(pipeline, first, err);
        *changed = true;
    }
    cJSON_Delete(out);
    return st;
}

static md_status note_last_executions(struct md_sm_ctx *x, struct md_aws_client *c,
                                      const cJSON *memo, struct md_err *err)
{
    struct last_pass p = {x, c, memo, MD_OK};
    md_status st = md_cache_rewrite_kind(x->cache, x->scope, "pipelines", last_exec_of, &p, err);
    if (st == MD_OK && p.failed != MD_OK) {
        md_err_wrap(&p.err, "the pipelines' last executions");
        if (err)
            *err = p.err;
        st = p.failed;
    }
    return st;
}

static md_status refresh(struct md_sm_ctx *x, const char *kindname, const char *parent,
                         bool full, struct md_sm_stats *stats, struct md_sm_listed *listed,
                         struct md_err *err)
{
    struct md_sm_stats local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    const struct sm_list *spec = sm_list_find(kindname);
    const struct md_kind *kind = md_kind_find(kindname);
    if (!spec || !kind)
        return md_err_set(err, MD_ERR_UNSUPPORTED, "SageMaker does not list '%s'", kindname);
    if (spec->parent_member && (!parent || !parent[0]))
        return md_err_set(err, MD_ERR_INVALID, "%s needs a parent %s", kindname,
                          spec->parent_member);

    struct md_aws_client c;
    struct md_endpoint ep;
    struct md_http_opts http;
    md_status st = sm_client(x, x->curl, &c, &ep, &http, err);
    if (st != MD_OK)
        return st;

    cJSON *in = cJSON_CreateObject();
    if (!in)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    if (spec->parent_member)
        cJSON_AddStringToObject(in, spec->parent_member, parent);
    if (spec->sort_by) {
        cJSON_AddStringToObject(in, "SortBy", spec->sort_by);
        cJSON_AddStringToObject(in, "SortOrder", "Descending");
    }
    cJSON_AddNumberToObject(in, "MaxResults", 100);

    /* Rows written from here on by anyone else are newer than this listing:
     * its prune spares them (an execution an action starts meanwhile). */
    struct timespec t0;
    clock_gettime(CLOCK_REALTIME, &t0);
    long long listing_start_ms = (long long)t0.tv_sec * 1000 + t0.tv_nsec / 1000000;

    /* No cache yet (the CLI): the first page is requested now and the cache
     * opened while it comes; whether the next pages are read ahead is
     * known only then. */
    struct md_aws_pager *pager = NULL;
    if (!x->cache) {
        st = x->open_cache ? md_aws_pager_start(&c, "sagemaker", SM_PREFIX, SM_JSON, spec->op, in,
                                                0, &pager, err)
                           : md_err_set(err, MD_ERR_INTERNAL, "a refresh without a cache");
        if (st == MD_OK)
            st = x->open_cache(x, err);
        if (st != MD_OK) {
            md_aws_pager_cancel(pager);
            cJSON_Delete(in);
            return st;
        }
    }

    /* The screen's pipelines list shows each one's last execution, which
     * the listing replaces with the service's text: kept aside first. */
    bool last_execs = !strcmp(kindname, "pipelines");
    cJSON *memo = last_execs ? last_exec_memo(x) : NULL;

    char key[1200];
    full_key(key, sizeof key, kindname, parent);
    char *mark = NULL;
    struct md_err e;
    bool had_full = md_cache_meta_get(x->cache, x->scope, key, &mark, &e) == MD_OK && mark;
    free(mark);
    struct sm_sync s = {x, &c, spec, kind, parent, had_full && !full, stats, NULL, 0, 0};
    bool reads_all = !s.caught_up_allowed || !spec->newest_first;
    /* Whether the cache held no object of (kind, parent) before: then, with
     * the write lock held from here to the end, the listing is the whole
     * of them afterwards. */
    bool none_before = false;
    if (x->list_only && !md_cache_in_transaction(x->cache) &&
        md_cache_begin(x->cache, &e) == MD_OK) {
        s.batched = true;
        s.batch_start_ms = mono_ms();
        long long oldest = 0;
        none_before = md_cache_fetched_at(x->cache, x->scope, kindname, parent ? parent : "",
                                          &oldest, &e) == MD_OK && oldest == 0;
    }
    bool outer = s.batched;
    s.listed = listed && none_before && reads_all ? listed : NULL;
    s.sortable = true;
    /* Read-ahead when every page will be read and the page handler makes no
     * request of its own (it would share the fetching thread's handle). */
    bool handler_calls = spec->describe_op && (spec->describe_always || !x->list_only);
    bool read_ahead = reads_all && !handler_calls;
    /* A listing read to its end over a slow link is read from both ends
     * at once, newest and oldest first, until the two meet: half the round
     * trips in a row.  Over a fast one (a round trip short next to the
     * client's millisecond of work on a page) the second stream of
     * requests would only compete for the same CPUs. */
    if (read_ahead && spec->sort_by && !pager)
        st = md_aws_pager_start(&c, "sagemaker", SM_PREFIX, SM_JSON, spec->op, in, 0, &pager,
                                err);
    int ends = x->settings ? x->settings->list_ends : 0;
    s.pair = st == MD_OK && pager && read_ahead && spec->sort_by && ends != 1 &&
             (ends == 2 || md_aws_pager_first_ms(pager) >= PAIR_MIN_MS);
    item_members_init(&s.members, kind, spec, s.pair);
    s.ended = -1;
    if (st == MD_OK && s.pair)
        st = pair_listing(x, pager, in, &s, err);
    else if (st == MD_OK)
        st = pager ? md_aws_pager_finish(pager, read_ahead, sync_page, &s, err)
                   : md_aws_json_paginate_pages(&c, "sagemaker", SM_PREFIX, SM_JSON, spec->op, in,
                                                0, read_ahead, sync_page, &s, err);
    if (st == MD_OK && s.pair)
        st = pair_settle(&s, err);
    if (st == MD_OK && !reads_all && spec->time_after && kind->status_path)
        st = poll_stale(&s, in, err);
    cJSON_Delete(in);

    /* Only a listing read to its end may delete what the account no longer
     * has; with the incremental shortcut on, paging may have stopped at the
     * first page we already had.  Nothing to delete when the cache had none
     * of these objects and nobody else could write in between. */
    bool alone = s.batched && !s.renewed;
    if (st == MD_OK && reads_all) {
        stats->complete = true;
        if (!(none_before && alone))
            st = md_cache_prune_before(x->cache, x->scope, kindname, parent ? parent : "",
                                       (const char *const *)s.ids, s.nids, listing_start_ms,
                                       err);
        if (st == MD_OK)
            st = md_cache_meta_set(x->cache, x->scope, key, "1", err);
    }
    if (s.batched) {
        /* Pages stored before an error stay stored, as they did when each
         * page was its own transaction. */
        struct md_err ce;
        md_status cst = md_cache_commit(x->cache, st == MD_OK ? err : &ce);
        if (st == MD_OK)
            st = cst;
        alone = alone && cst == MD_OK;
    } else if (outer && md_cache_in_transaction(x->cache)) {
        md_cache_rollback(x->cache);    /* a renewal failed half-way */
    }
    if (st == MD_OK && last_execs)
        st = note_last_executions(x, &c, memo, err);
    cJSON_Delete(memo);
    /* An execution listing refreshes its pipeline's last one for free. */
    if (st == MD_OK && !x->list_only && !strcmp(kindname, "pipeline-executions"))
        st = md_cache_last_exec_update(x->cache, x->scope, parent, err);
    if (s.listed && !(st == MD_OK && alone && listed_in_cache_order(&s)))
        md_sm_listed_free(listed);      /* the caller reads the cache back */
    free(s.sort_values);
    free(s.end_of);
    free(s.time_of);
    for (size_t i = 0; i < s.nids; i++)
        free(s.ids[i]);
    free(s.ids);
    return st;
}

/* ---- actions ------------------------------------------------------------- */

struct sm_action {
    const char *kind;
    const char *action;
    const char *op;
    const char *id_member;      /* input member that takes the object id */
    bool token;                 /* the operation takes a ClientRequestToken */
};

static const struct sm_action sm_actions[] = {
    {"pipelines", "start-execution", "StartPipelineExecution", "PipelineName", true},
    {"pipeline-executions", "stop-execution", "StopPipelineExecution", "PipelineExecutionArn", true},
    {"pipeline-executions", "retry-execution", "RetryPipelineExecution", "PipelineExecutionArn", true},
    {"training-jobs", "stop-training-job", "StopTrainingJob", "TrainingJobName", false},
    {"processing-jobs", "stop-processing-job", "StopProcessingJob", "ProcessingJobName", false},
    {"labeling-jobs", "stop-labeling-job", "StopLabelingJob", "LabelingJobName", false},
    {"monitoring-schedules", "stop-monitoring-schedule", "StopMonitoringSchedule",
     "MonitoringScheduleName", false},
    {"monitoring-schedules", "start-monitoring-schedule", "StartMonitoringSchedule",
     "MonitoringScheduleName", false},
};

/* Re-reads one object after an action (or for `describe`) and caches it. */
static md_status refresh_one(struct md_sm_ctx *x, struct md_aws_client *c, const char *kindname,
                             const char *id, const char *parent_hint, cJSON **out,
                             struct md_err *err)
{
    const struct sm_list *spec = sm_list_find(kindname);
    const struct md_kind *kind = md_kind_find(kindname);
    if (!spec || !kind)
        return md_err_set(err, MD_ERR_UNSUPPORTED, "SageMaker does not describe '%s'", kindname);
    if (!spec->describe_op) {
        /* Kinds without a Describe call are re-read by listing their parent. */
        return md_sm_refresh(x, kindname, parent_hint, true, NULL, err);
    }
    cJSON *obj = NULL;
    md_status st = describe_one(c, spec, id, &obj, err);
    if (st != MD_OK)
        return st;
    char rid[1024];
    char *json = cJSON_PrintUnformatted(obj);
    const char *parent = "";
    char parent_buf[512] = "";
    /* Executions are filed under their pipeline's name. */
    if (spec->parent_member && !strcmp(spec->parent_member, "PipelineName")) {
        const char *arn = md_json_str(obj, "$.PipelineArn", "");
        const char *slash = strrchr(arn, '/');
        snprintf(parent_buf, sizeof parent_buf, "%s", slash ? slash + 1 : "");
        parent = parent_buf;
    }
    if (json && md_kind_row_id(kind, obj, parent, rid, sizeof rid)) {
        struct md_cache_row row = {kind->name, rid, parent, json, 0};
        st = md_cache_upsert(x->cache, x->scope, &row, err);
    }
    cJSON_free(json);
    if (out)
        *out = obj;
    else
        cJSON_Delete(obj);
    return st;
}

md_status md_sm_action(struct md_sm_ctx *x, const char *kind, const char *id,
                       const char *action, const cJSON *params, cJSON **result,
                       char *request_id, struct md_err *err)
{
    if (result)
        *result = NULL;
    struct md_aws_client c;
    struct md_endpoint ep;
    struct md_http_opts http;
    md_status st = sm_client(x, x->curl, &c, &ep, &http, err);
    if (st != MD_OK)
        return st;
    if (!strcmp(action, "describe"))
        return refresh_one(x, &c, kind, id, NULL, result, err);

    const struct sm_action *a = NULL;
    for (size_t i = 0; i < sizeof sm_actions / sizeof sm_actions[0]; i++)
        if (!strcmp(sm_actions[i].kind, kind) && !strcmp(sm_actions[i].action, action))
            a = &sm_actions[i];
    if (!a)
        return md_err_set(err, MD_ERR_UNSUPPORTED, "no action '%s' on %s", action, kind);

    cJSON *in = params ? cJSON_Duplicate(params, 1) : cJSON_CreateObject();
    if (!cJSON_IsObject(in)) {
        cJSON_Delete(in);
        return md_err_set(err, MD_ERR_INVALID, "%s: parameters must be a JSON object", action);
    }
    cJSON_DeleteItemFromObjectCaseSensitive(in, a->id_member);
    cJSON_AddStringToObject(in, a->id_member, id);
    /* The token makes a retried call safe: the service answers a repeat of
     * the same token with the same execution instead of starting another. */
    if (a->token && !cJSON_GetObjectItemCaseSensitive(in, "ClientRequestToken")) {
        char tok[37];
        md_aws_idempotency_token(tok);
        cJSON_AddStringToObject(in, "ClientRequestToken", tok);
    }
    cJSON *out = NULL;
    st = md_aws_json_call(&c, SM_PREFIX, a->op, SM_JSON, in, &out, err);
    cJSON_Delete(in);
    if (request_id)
        snprintf(request_id, 80, "%s", c.last.request_id);
    if (st != MD_OK)
        return st;
    /* As botocore does: the reply carries its request id, for the audit. */
    cJSON *meta = cJSON_AddObjectToObject(out, "ResponseMetadata");
    cJSON_AddStringToObject(meta, "RequestId", c.last.request_id);

    /* Show the new state at once: the execution just started or stopping,
     * the job now Stopping. */
    const char *arn = md_json_str(out, "$.PipelineExecutionArn", NULL);
    struct md_err e;
    if (arn)
        refresh_one(x, &c, "pipeline-executions", arn, NULL, NULL, &e);
    else if (strcmp(kind, "pipelines") != 0)
        refresh_one(x, &c, kind, id, NULL, NULL, &e);
    if (result)
        *result = out;
    else
        cJSON_Delete(out);
    return MD_OK;
}

/* ---- the sync layer's provider -------------------------------------------- */

static bool prov_handles(const struct md_provider *p, const char *kind)
{
    return md_sm_handles(kind);
}

static bool worker_cancelled(void *w)
{
    return md_worker_cancelled(w);
}

static void worker_ctx(const struct md_provider *p, struct md_worker *w, struct md_sm_ctx *x)
{
    const struct md_sm_provider_state *st = p->state;
    *x = (struct md_sm_ctx){st->env, st->settings, md_worker_cache(w), md_worker_scope(w),
                            md_worker_curl(w), worker_cancelled, w};
}

static md_status prov_refresh(const struct md_provider *p, struct md_worker *w, const char *kind,
                              const char *parent, struct md_err *err)
{
    struct md_sm_ctx x;
    worker_ctx(p, w, &x);
    return md_sm_refresh(&x, kind, parent, false, NULL, err);
}

static md_status prov_action(const struct md_provider *p, struct md_worker *w, const char *kind,
                             const char *id, const char *action, const cJSON *params,
                             cJSON **result, struct md_err *err)
{
    struct md_sm_ctx x;
    worker_ctx(p, w, &x);
    char rid[80];
    return md_sm_action(&x, kind, id, action, params, result, rid, err);
}

void md_sm_provider_init(struct md_provider *p, struct md_sm_provider_state *st)
{
    *p = (struct md_provider){"sagemaker", prov_handles, prov_refresh, prov_action, st};
}
