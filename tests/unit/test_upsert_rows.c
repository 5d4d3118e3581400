/* md_cache_upsert_rows tries new-looking rows as plain inserts first: the
 * result must be what one md_cache_upsert per row gives, for every mix of
 * new, unchanged and changed rows, keys repeated in one batch, and a bad
 * row in the middle (all or nothing). */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache/cache.h"
#include "../tap.h"

static const struct md_scope scope = {"prod", "eu-west-1"};

/* Every row of kind "k" as "id|parent|json|fetched_at|seq" lines, by seq. */
static char *dump(const char *db)
{
    sqlite3 *h;
    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        return strdup("(cannot open)");
    sqlite3_stmt *st;
    sqlite3_prepare_v2(h, "SELECT id, parent, json, fetched_at, seq FROM resources"
                          " WHERE kind = 'k' ORDER BY seq", -1, &st, NULL);
    size_t cap = 4096, len = 0;
    char *out = calloc(1, cap);
    while (out && sqlite3_step(st) == SQLITE_ROW) {
        char line[512];
        int n = snprintf(line, sizeof line, "%s|%s|%s|%lld|%lld\n", sqlite3_column_text(st, 0),
                         sqlite3_column_text(st, 1), sqlite3_column_text(st, 2),
                         sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 4));
        if (len + (size_t)n + 1 > cap) {
            cap = (cap + (size_t)n) * 2;
            char *p = realloc(out, cap);
            if (!p)
                break;
            out = p;
        }
        memcpy(out + len, line, (size_t)n + 1);
        len += (size_t)n;
    }
    sqlite3_finalize(st);
    sqlite3_close(h);
    return out;
}

struct step {
    const char *id, *parent, *json;
    long long at;
};

/* Applies the batches to two caches, one with md_cache_upsert_rows and
 * one with md_cache_upsert row by row; returns whether both end the same. */
static int same_result(const char *name, const struct step *const *batches, const size_t *sizes,
                       size_t nbatches, const char *dir)
{
    char a[512], b[512];
    snprintf(a, sizeof a, "%s/%s-rows.db", dir, name);
    snprintf(b, sizeof b, "%s/%s-one.db", dir, name);
    struct md_cache *ca = NULL, *cb = NULL;
    struct md_err err;
    if (md_cache_open(a, &ca, &err) != MD_OK || md_cache_open(b, &cb, &err) != MD_OK) {
        md_cache_close(ca);
        return 0;
    }
    for (size_t k = 0; k < nbatches; k++) {
        struct md_cache_row rows[128];
        for (size_t i = 0; i < sizes[k]; i++)
            rows[i] = (struct md_cache_row){"k", batches[k][i].id, batches[k][i].parent,
                                            batches[k][i].json, batches[k][i].at};
        md_status sa = md_cache_upsert_rows(ca, &scope, rows, sizes[k], &err);
        /* the reference: the same all-or-nothing batch, one upsert per row */
        md_status sb = md_cache_begin(cb, &err);
        for (size_t i = 0; sb == MD_OK && i < sizes[k]; i++)
            sb = md_cache_upsert(cb, &scope, &rows[i], &err);
        if (sb == MD_OK)
            sb = md_cache_commit(cb, &err);
        else
            md_cache_rollback(cb);
        if (sa != sb) {
            tap_diag("batch %zu: %s vs %s", k, md_status_name(sa), md_status_name(sb));
            md_cache_close(ca);
            md_cache_close(cb);
            return 0;
        }
    }
    md_cache_close(ca);
    md_cache_close(cb);
    char *da = dump(a), *db = dump(b);
    int same = da && db && strcmp(da, db) == 0;
    if (!same)
        tap_diag("rows:\n%s\none by one:\n%s", da ? da : "", db ? db : "");
    free(da);
    free(db);
    return same;
}

int main(void)
{
    char dir[] = "/tmp/md-upsert-rows-XXXXXX";
    if (!mkdtemp(dir)) {
        printf("1..0 # SKIP no temporary folder\n");
        return 0;
    }

    /* new rows only (a first sync) */
    static const struct step fresh[] = {{"a", "", "{\"n\":1}", 10}, {"b", "", "{\"n\":2}", 10},
                                        {"c", "", "{\"n\":3}", 10}};
    const struct step *b1[] = {fresh};
    size_t s1[] = {3};
    TAP_OK(same_result("fresh", b1, s1, 1, dir), "new rows only");

    /* a second batch mixing unchanged (touched), changed, new and moved rows */
    static const struct step mix[] = {
        {"d", "", "{\"n\":4}", 20},     /* new after nothing */
        {"a", "", "{\"n\":1}", 20},     /* unchanged after a new one: tried as insert first */
        {"e", "", "{\"n\":5}", 20},     /* new after a touched one */
        {"f", "", "{\"n\":6}", 20},     /* new after a new one */
        {"b", "", "{\"n\":22}", 20},    /* changed after a new one */
        {"c", "p2", "{\"n\":3}", 20},   /* same json, new parent */
        {"g", "", "{\"n\":7}", 20},
        {"g", "", "{\"n\":77}", 21},    /* the same key twice in one batch */
    };
    const struct step *b2[] = {fresh, mix};
    size_t s2[] = {3, 8};
    TAP_OK(same_result("mix", b2, s2, 2, dir),
           "unchanged, changed, re-parented, new and repeated keys: same rows, fetched_at and seq");

    /* a bad row after a new one: the batch is all or nothing */
    static const struct step bad[] = {{"h", "", "{\"n\":8}", 30}, {"i", "", "{not json", 30},
                                      {"j", "", "{\"n\":9}", 30}};
    const struct step *b3[] = {fresh, bad};
    size_t s3[] = {3, 3};
    TAP_OK(same_result("bad", b3, s3, 2, dir), "an invalid row after a new one rolls the batch back");
    static const struct step nokey[] = {{"h", "", "{\"n\":8}", 30}, {NULL, "", "{}", 30}};
    const struct step *b4[] = {fresh, nokey};
    size_t s4[] = {3, 2};
    TAP_OK(same_result("nokey", b4, s4, 2, dir), "a row without an id after a new one: refused");

    /* Long batches: runs of new rows go in as multi-row inserts; a run
     * holding a key already there, a repeated key or a bad row is undone
     * and stored row by row. */
    static char ids[4][80][16], jsons[4][80][32];
    static struct step big[4][80];
    for (int b = 0; b < 4; b++)
        for (int i = 0; i < 80; i++) {
            snprintf(ids[b][i], sizeof ids[b][i], "r%03d", b == 0 ? i : 40 + i);
            snprintf(jsons[b][i], sizeof jsons[b][i], "{\"b\":%d,\"i\":%d}", b, i);
            big[b][i] = (struct step){ids[b][i], "", jsons[b][i], 100 + b};
        }
    /* batch 1: r040..r119 overlaps batch 0 (r000..r079) from its start */
    /* batch 2: a repeated key inside what would be a run */
    big[2][30].id = big[2][20].id;
    /* batch 3: a bad row in the middle of a run */
    big[3][50].json = "{\"broken\":";
    const struct step *b5[] = {big[0], big[1], big[2], big[3]};
    size_t s5[] = {80, 80, 80, 80};
    TAP_OK(same_result("runs", b5, s5, 4, dir),
           "80-row batches: all new, overlapping, a repeated key, a bad row in a run");
    static const struct step tail[] = {{"t1", "", "{\"n\":1}", 5}};
    static struct step after_old[40];
    static char aoid[40][16];
    after_old[0] = (struct step){"r000", "", "{\"b\":0,\"i\":0}", 200};  /* unchanged: touched */
    for (int i = 1; i < 40; i++) {
        snprintf(aoid[i], sizeof aoid[i], "n%03d", i);
        after_old[i] = (struct step){aoid[i], "p", "{}", 200};
    }
    after_old[39] = (struct step){"r001", "", "{\"changed\":1}", 200};    /* old key at a run's end */
    const struct step *b6[] = {big[0], tail, after_old};
    size_t s6[] = {80, 1, 40};
    TAP_OK(same_result("tail", b6, s6, 3, dir),
           "a touched row, new rows, and an old key at the end of a would-be run");

    /* and the direct check of what a row ends as */
    char p[600];
    snprintf(p, sizeof p, "%s/mix-rows.db", dir);
    char *d = dump(p);
    TAP_OK(d && strstr(d, "a||{\"n\":1}|20|1\n") != NULL, "an unchanged row keeps its seq and gets the new fetched_at");
    TAP_OK(d && strstr(d, "b||{\"n\":22}|20|2\n") != NULL, "a changed row keeps its seq, new json");
    TAP_OK(d && strstr(d, "g||{\"n\":77}|21|") != NULL, "a key twice in a batch: the last one wins");
    free(d);

    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        tap_diag("could not remove %s", dir);
    return tap_done();
}
