/* 100,000 rows of one kind: one-transaction upsert, then count, windows
 * sorted by a column (first and last), filters and prune, each checked
 * against what the generator knows, and timed (printed as diagnostics,
 * never asserted: the machine is shared).  Also checks the query plans use
 * the expression indexes instead of sorting 100,000 rows. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../tap.h"
#include "cache/cache.h"
#include "cache/cache_internal.h"

#define N 100000
#define STRIDE 7919   /* prime, coprime with N: i -> (i * STRIDE) % N is a permutation */

static const struct md_scope scope = {"bench", "eu-west-1"};
static const char *const statuses[] = {"Succeeded", "Failed", "Executing", "Stopped", "Stopping"};
static const char *const teams[] = {"vision", "platform", "labeling"};
static int inverse[N];   /* rank -> i */

/* CPU time of this (single-threaded) process: on a shared, loaded machine
 * it says more about the cache than wall time does. */
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int rank_of(int i)
{
    return (int)(((long long)i * STRIDE) % N);
}

static void make_json(int i, char *out, size_t n)
{
    int r = rank_of(i);
    snprintf(out, n,
             "{\"Name\":\"run-%06d\",\"Status\":\"%s\",\"Score\":%d.%d,"
             "\"Started\":%lld,\"Tags\":[{\"Key\":\"team\",\"Value\":\"%s\"},"
             "{\"Key\":\"batch\",\"Value\":\"b%03d\"}],"
             "\"Config\":{\"epochs\":%d,\"imgsz\":640,\"optimizer\":\"SGD\","
             "\"notes\":\"synthetic row %d for the cache test; %s\"}}",
             r, statuses[i % 5], (r % 1000) / 10, (r % 1000) % 10, 1760000000000LL + i * 1000LL,
             teams[i % 3], i % 1000, 50 + i % 250, i,
             "padding to bring the object near the size of a typical listing entry..........");
}

struct window {
    char ids[100][16];
    char names[100][16];
    double scores[100];
    int n;
};

static int window_fn(void *ctx, const struct md_cache_row *r)
{
    struct window *w = ctx;
    if (w->n >= 100)
        return 1;
    snprintf(w->ids[w->n], sizeof w->ids[0], "%s", r->id);
    const char *p = strstr(r->json, "\"Name\":\"");
    snprintf(w->names[w->n], sizeof w->names[0], "%.10s", p ? p + 8 : "?");
    p = strstr(r->json, "\"Score\":");
    w->scores[w->n] = p ? strtod(p + 8, NULL) : -1;
    w->n++;
    return 0;
}

static bool run_window(struct md_cache *c, const struct md_cache_query *q, struct window *w,
                       double *secs)
{
    struct md_err err;
    memset(w, 0, sizeof *w);
    double t0 = now_s();
    md_status st = md_cache_query(c, &scope, q, window_fn, w, &err);
    *secs = now_s() - t0;
    if (st != MD_OK)
        tap_diag("query: %s", err.msg);
    return st == MD_OK;
}

static long run_count(struct md_cache *c, const struct md_cache_query *q, double *secs)
{
    struct md_err err;
    long n = -1;
    double t0 = now_s();
    if (md_cache_count(c, &scope, q, &n, &err) != MD_OK)
        tap_diag("count: %s", err.msg);
    *secs = now_s() - t0;
    return n;
}

static void expect_index(struct md_cache *c, const struct md_cache_query *q, const char *label)
{
    char *plan = NULL;
    struct md_err err;
    if (md_cache_query_plan(c, &scope, q, &plan, &err) != MD_OK) {
        TAP_OK(0, "%s: plan: %s", label, err.msg);
        return;
    }
    TAP_OK(strstr(plan, "resources_x") && !strstr(plan, "TEMP B-TREE"),
           "%s: walks an expression index, no sort", label);
    for (char *line = strtok(plan, "\n"); line; line = strtok(NULL, "\n"))
        tap_diag("  plan: %s", line);
    free(plan);
}

int main(void)
{
    char tmp[256], db[300];
    snprintf(tmp, sizeof tmp, "%s/md-cache-big-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(tmp)) {
        printf("Bail out! mkdtemp: %s\n", strerror(errno));
        return 1;
    }
    snprintf(db, sizeof db, "%s/cache.db", tmp);
    for (int i = 0; i < N; i++)
        inverse[rank_of(i)] = i;

    struct md_cache *c;
    struct md_err err;
    if (md_cache_open(db, &c, &err) != MD_OK) {
        printf("Bail out! open: %s\n", err.msg);
        return 1;
    }
    /* As in real use: the kind's sortable columns are indexed at start-up,
     * before rows arrive, so the timed upsert includes index upkeep. */
    const char *sortable[] = {"$.Name", "$.Status", "$.Score", "$.Started",
                              "$.Tags[?Key=team].Value"};
    TAP_EQ_INT(md_cache_index_paths(c, "runs", sortable, 5, &err), MD_OK, "index 5 columns");

    char json[1024], id[16];
    double t0 = now_s();
    md_status st = md_cache_begin(c, &err);
    size_t bytes = 0;
    for (int i = 0; i < N && st == MD_OK; i++) {
        snprintf(id, sizeof id, "i%06d", i);
        make_json(i, json, sizeof json);
        bytes += strlen(json);
        struct md_cache_row r = {"runs", id, "", json, 1000 + i};
        st = md_cache_upsert(c, &scope, &r, &err);
    }
    if (st == MD_OK)
        st = md_cache_commit(c, &err);
    double t_upsert = now_s() - t0;
    TAP_EQ_INT(st, MD_OK, "100,000 upserts in one transaction");
    if (st != MD_OK)
        tap_diag("%s", err.msg);
    tap_diag("rows average %zu bytes of JSON", bytes / N);

    double t_count, t_first, t_last, t_fcount, t_fwin, t_desc, t_num, t_tag, t_tagcount;
    struct md_cache_query all = {.kind = "runs"};
    TAP_EQ_INT(run_count(c, &all, &t_count), N, "count");

    struct window w;
    struct md_cache_query q = {.kind = "runs", .sort_path = "$.Name", .offset = 0, .limit = 50};
    TAP_OK(run_window(c, &q, &w, &t_first), "first window by Name");
    TAP_EQ_INT(w.n, 50, "first window has 50 rows");
    bool ok = w.n == 50;
    for (int k = 0; k < w.n && ok; k++) {
        char want[16];
        snprintf(want, sizeof want, "i%06d", inverse[k]);
        ok = strcmp(w.ids[k], want) == 0;
        if (!ok)
            tap_diag("row %d: got %s want %s", k, w.ids[k], want);
    }
    TAP_OK(ok, "first window holds ranks 0..49 in order");
    expect_index(c, &q, "sort by Name");

    q.offset = N - 50;
    q.limit = 100;
    TAP_OK(run_window(c, &q, &w, &t_last), "last window by Name (offset 99,950)");
    TAP_EQ_INT(w.n, 50, "last window has the 50 remaining rows");
    ok = w.n == 50;
    for (int k = 0; k < w.n && ok; k++) {
        char want[16];
        snprintf(want, sizeof want, "i%06d", inverse[N - 50 + k]);
        ok = strcmp(w.ids[k], want) == 0;
    }
    TAP_OK(ok, "last window holds ranks 99,950..99,999 in order");

    q = (struct md_cache_query){.kind = "runs", .sort_path = "$.Name", .sort_desc = true, .limit = 10};
    run_window(c, &q, &w, &t_desc);
    char want[16];
    snprintf(want, sizeof want, "i%06d", inverse[N - 1]);
    TAP_EQ_STR(w.n ? w.ids[0] : "", want, "desc window starts at the highest name");
    expect_index(c, &q, "sort by Name desc");

    q = (struct md_cache_query){.kind = "runs", .sort_path = "$.Score", .sort_desc = true, .limit = 100};
    run_window(c, &q, &w, &t_num);
    ok = w.n == 100 && w.scores[0] == 99.9;
    for (int k = 1; k < w.n && ok; k++)
        ok = w.scores[k] <= w.scores[k - 1] &&
             (w.scores[k] < w.scores[k - 1] || strcmp(w.ids[k], w.ids[k - 1]) < 0);
    TAP_OK(ok, "numeric sort desc, ties in reverse insertion order");
    expect_index(c, &q, "sort by Score");

    const char *fpaths[] = {"$.Name", "$.Status", "$.Tags[?Key=team].Value"};
    q = (struct md_cache_query){.kind = "runs", .filter_paths = fpaths, .nfilter_paths = 2,
                                .filter_text = "STOPPED", .sort_path = "$.Name", .limit = 50};
    TAP_EQ_INT(run_count(c, &q, &t_fcount), N / 5, "filtered count (Stopped: 1 in 5)");
    run_window(c, &q, &w, &t_fwin);
    TAP_EQ_INT(w.n, 50, "filtered window");
    q.filter_text = "top";
    double t_dummy;
    TAP_EQ_INT(run_count(c, &q, &t_dummy), 2 * N / 5, "substring inside a word");
    q.filter_text = "run-0000";
    TAP_EQ_INT(run_count(c, &q, &t_dummy), 100, "filter on the Name column");

    q = (struct md_cache_query){.kind = "runs", .filter_paths = fpaths + 2, .nfilter_paths = 1,
                                .filter_text = "vision"};
    TAP_EQ_INT(run_count(c, &q, &t_tagcount), (N + 2) / 3, "filter over a [?Key=] path");
    q = (struct md_cache_query){.kind = "runs", .sort_path = "$.Tags[?Key=team].Value", .limit = 50};
    run_window(c, &q, &w, &t_tag);
    TAP_EQ_INT(w.n, 50, "window sorted by a [?Key=] path");
    expect_index(c, &q, "sort by a [?Key=] path");

    /* A column without an index: SQLite sorts (the first time a UI sorts
     * by a new column, before md_sync_submit_index has built its index). */
    double t_unindexed;
    q = (struct md_cache_query){.kind = "runs", .sort_path = "$.Config.epochs", .sort_desc = true,
                                .limit = 50};
    run_window(c, &q, &w, &t_unindexed);
    TAP_EQ_INT(w.n, 50, "window sorted by an unindexed column");
    TAP_OK(w.n && strstr(w.names[0], "run-") != NULL, "rows returned");

    long long oldest = 0;
    double ta = now_s();
    md_cache_fetched_at(c, &scope, "runs", "", &oldest, &err);
    double t_age = now_s() - ta;
    TAP_EQ_INT(oldest, 1000, "oldest fetched_at");
    ta = now_s();
    md_cache_fetched_at(c, &scope, "runs", NULL, &oldest, &err);
    double t_age_all = now_s() - ta;
    TAP_EQ_INT(oldest, 1000, "oldest fetched_at, every parent");

    if (getenv("MLDECK_KEEP_TMP")) {
        tap_diag("kept %s", db);
        md_cache_close(c);
        return tap_done();
    }
    /* A second refresh of the same listing: every row updated. */
    t0 = now_s();
    st = md_cache_begin(c, &err);
    for (int i = 0; i < N && st == MD_OK; i++) {
        snprintf(id, sizeof id, "i%06d", i);
        make_json(i, json, sizeof json);
        struct md_cache_row r = {"runs", id, "", json, 5000 + i};
        st = md_cache_upsert(c, &scope, &r, &err);
    }
    if (st == MD_OK)
        st = md_cache_commit(c, &err);
    double t_update = now_s() - t0;
    TAP_EQ_INT(st, MD_OK, "100,000 updates in one transaction");
    TAP_EQ_INT(run_count(c, &all, &t_dummy), N, "updates do not add rows");

    /* Prune to the even ids. */
    const char **keep = malloc(sizeof *keep * (N / 2));
    char (*ids)[16] = malloc(16 * (size_t)(N / 2));
    for (int i = 0; i < N / 2; i++) {
        snprintf(ids[i], 16, "i%06d", 2 * i);
        keep[i] = ids[i];
    }
    t0 = now_s();
    TAP_EQ_INT(md_cache_prune(c, &scope, "runs", "", keep, N / 2, &err), MD_OK, "prune");
    double t_prune = now_s() - t0;
    TAP_EQ_INT(run_count(c, &all, &t_dummy), N / 2, "prune kept half");
    char *j = NULL;
    TAP_EQ_INT(md_cache_get(c, &scope, "runs", "i000001", &j, NULL, &err), MD_ERR_NOTFOUND,
               "odd id pruned");
    TAP_EQ_INT(md_cache_get(c, &scope, "runs", "i000002", &j, NULL, &err), MD_OK, "even id kept");
    free(j);
    free(keep);
    free(ids);
    md_cache_close(c);

    tap_diag("CPU time with %d rows (5 expression indexes):", N);
    tap_diag("  upsert 100k, one transaction   %8.1f ms", t_upsert * 1e3);
    tap_diag("  update 100k, one transaction   %8.1f ms", t_update * 1e3);
    tap_diag("  count                          %8.2f ms", t_count * 1e3);
    tap_diag("  first window (50) by Name      %8.2f ms", t_first * 1e3);
    tap_diag("  last window (offset 99,950)    %8.2f ms", t_last * 1e3);
    tap_diag("  first window by Name desc      %8.2f ms", t_desc * 1e3);
    tap_diag("  first window by Score desc     %8.2f ms", t_num * 1e3);
    tap_diag("  filtered count (2 paths)       %8.2f ms", t_fcount * 1e3);
    tap_diag("  filtered first window          %8.2f ms", t_fwin * 1e3);
    tap_diag("  filtered count ([?Key=] path)  %8.2f ms", t_tagcount * 1e3);
    tap_diag("  window by [?Key=] path         %8.2f ms", t_tag * 1e3);
    tap_diag("  window by an unindexed column  %8.2f ms", t_unindexed * 1e3);
    tap_diag("  oldest fetched_at              %8.3f ms", t_age * 1e3);
    tap_diag("  oldest fetched_at, parent NULL %8.3f ms", t_age_all * 1e3);
    tap_diag("  prune to 50k                   %8.1f ms", t_prune * 1e3);

    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd) != 0)
        tap_diag("could not remove %s", tmp);
    return tap_done();
}
