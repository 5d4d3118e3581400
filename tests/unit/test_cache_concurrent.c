/* Several connections on one file, as the UI and the workers use it:
 * fresh-file opens racing through the migrations, two writer threads and
 * a reader.  Nobody may see SQLITE_BUSY, and the reader never sees half of
 * a transaction. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "cache/cache.h"
#include "cache/cache_internal.h"

#define TXNS 40
#define ROWS_PER_TXN 250

static char db[300];
static const struct md_scope scope = {"prod", "eu-west-1"};
static atomic_int writers_done;

struct opener {
    pthread_t th;
    md_status st;
    int version;
    char msg[512];
};

static void *open_fn(void *arg)
{
    struct opener *o = arg;
    struct md_cache *c;
    struct md_err err;
    md_err_clear(&err);
    o->st = md_cache_open(db, &c, &err);
    snprintf(o->msg, sizeof o->msg, "%s", err.msg);
    if (o->st == MD_OK) {
        o->version = md_cache_schema_version(c);
        md_cache_close(c);
    }
    return NULL;
}

struct writer {
    pthread_t th;
    const char *kind;
    int failures;
    char msg[512];
};

static void *write_fn(void *arg)
{
    struct writer *w = arg;
    struct md_cache *c;
    struct md_err err;
    if (md_cache_open(db, &c, &err) != MD_OK) {
        snprintf(w->msg, sizeof w->msg, "open: %s", err.msg);
        w->failures++;
        atomic_fetch_add(&writers_done, 1);
        return NULL;
    }
    char id[32], json[256];
    for (int t = 0; t < TXNS; t++) {
        if (md_cache_begin(c, &err) != MD_OK) {
            w->failures++;
            snprintf(w->msg, sizeof w->msg, "begin: %s", err.msg);
            continue;
        }
        md_status st = MD_OK;
        for (int i = 0; i < ROWS_PER_TXN && st == MD_OK; i++) {
            snprintf(id, sizeof id, "%s-%d-%d", w->kind, t, i);
            snprintf(json, sizeof json, "{\"Name\":\"%s\",\"T\":%d,\"I\":%d}", id, t, i);
            struct md_cache_row r = {w->kind, id, "", json, 0};
            st = md_cache_upsert(c, &scope, &r, &err);
        }
        if (st == MD_OK)
            st = md_cache_meta_set(c, &scope, w->kind, id, &err);
        if (st == MD_OK)
            st = md_cache_commit(c, &err);
        else
            md_cache_rollback(c);
        if (st != MD_OK) {
            w->failures++;
            snprintf(w->msg, sizeof w->msg, "txn %d: %s", t, err.msg);
        }
    }
    md_cache_close(c);
    atomic_fetch_add(&writers_done, 1);
    return NULL;
}

static int count_rows(void *ctx, const struct md_cache_row *r)
{
    (void)r;
    (*(int *)ctx)++;
    return 0;
}

int main(void)
{
    char tmp[256];
    snprintf(tmp, sizeof tmp, "%s/md-cache-conc-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(tmp)) {
        printf("Bail out! mkdtemp: %s\n", strerror(errno));
        return 1;
    }
    snprintf(db, sizeof db, "%s/cache.db", tmp);

    /* Four connections create and migrate one fresh file at once. */
    struct opener op[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&op[i].th, NULL, open_fn, &op[i]);
    for (int i = 0; i < 4; i++) {
        pthread_join(op[i].th, NULL);
        TAP_EQ_INT(op[i].st, MD_OK, "racing open %d", i);
        if (op[i].st != MD_OK)
            tap_diag("%s", op[i].msg);
        TAP_EQ_INT(op[i].version, md_cache_latest_version(), "racing open %d sees the latest schema", i);
    }

    struct writer w[2] = {{.kind = "alpha"}, {.kind = "beta"}};
    struct md_cache *c;
    struct md_err err;
    if (md_cache_open(db, &c, &err) != MD_OK) {
        printf("Bail out! open: %s\n", err.msg);
        return 1;
    }
    for (int i = 0; i < 2; i++)
        pthread_create(&w[i].th, NULL, write_fn, &w[i]);

    int reads = 0, read_failures = 0, torn = 0, backwards = 0;
    long last = 0;
    char first_error[512] = "";
    while (atomic_load(&writers_done) < 2) {
        struct md_cache_query q = {.kind = "alpha", .sort_path = "$.Name", .limit = 40};
        long n = 0;
        if (md_cache_count(c, &scope, &q, &n, &err) != MD_OK) {
            if (!read_failures++)
                snprintf(first_error, sizeof first_error, "%s", err.msg);
            continue;
        }
        if (n % ROWS_PER_TXN != 0)
            torn++;
        if (n < last)
            backwards++;
        last = n;
        int got = 0;
        if (md_cache_query(c, &scope, &q, count_rows, &got, &err) != MD_OK) {
            if (!read_failures++)
                snprintf(first_error, sizeof first_error, "%s", err.msg);
        }
        char *v = NULL;
        md_status ms = md_cache_meta_get(c, &scope, "beta", &v, &err);
        if (ms != MD_OK && ms != MD_ERR_NOTFOUND && !read_failures++)
            snprintf(first_error, sizeof first_error, "%s", err.msg);
        free(v);
        reads++;
    }
    for (int i = 0; i < 2; i++) {
        pthread_join(w[i].th, NULL);
        TAP_EQ_INT(w[i].failures, 0, "writer %s never failed (no SQLITE_BUSY)", w[i].kind);
        if (w[i].failures)
            tap_diag("%s", w[i].msg);
    }
    TAP_EQ_INT(read_failures, 0, "reader never failed during %d reads", reads);
    if (read_failures)
        tap_diag("%s", first_error);
    TAP_EQ_INT(torn, 0, "reader never saw part of a transaction");
    TAP_EQ_INT(backwards, 0, "counts never went backwards");
    struct md_cache_query qa = {.kind = "alpha"}, qb = {.kind = "beta"};
    long na = 0, nb = 0;
    md_cache_count(c, &scope, &qa, &na, &err);
    md_cache_count(c, &scope, &qb, &nb, &err);
    TAP_EQ_INT(na, TXNS * ROWS_PER_TXN, "all alpha rows");
    TAP_EQ_INT(nb, TXNS * ROWS_PER_TXN, "all beta rows");
    md_cache_close(c);

    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd) != 0)
        tap_diag("could not remove %s", tmp);
    return tap_done();
}
