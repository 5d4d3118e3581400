/* Windows over one kind: count, filter, sort, offset/limit, all inside
 * SQLite, plus the per-kind expression indexes that keep them fast.
 *
 * The kind and the JSON paths are written into the SQL text as literals
 * (quoted), not bound: SQLite uses a partial index (WHERE kind = 'x') or
 * an expression index (json_extract(json, '$.p')) only when the query
 * spells the same literal.  Values the user types (filter text, parent,
 * scope) are always bound.
 *
 * A window is read in two steps: first the seq numbers of the window in
 * order (walks only the index when there is no filter), then each row by
 * its seq.  Skipping 99,950 rows so never reads 99,950 JSON documents. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache_internal.h"

/* When every row of the kind has the same parent (a top-level kind, or one
 * parent's children cached), "every parent" is that parent: the query can
 * then use the (profile, region, parent, column) indexes. */
int md_cache_single_parent(struct md_cache *c, const struct md_scope *s, const char *kind,
                           char **out)
{
    *out = NULL;
    sqlite3_stmt *lo = c->st_parent_lo, *hi = c->st_parent_hi;
    sqlite3_stmt *sts[2] = {lo, hi};
    for (int i = 0; i < 2; i++) {
        sqlite3_bind_text(sts[i], 1, s && s->profile ? s->profile : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(sts[i], 2, s && s->region ? s->region : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(sts[i], 3, kind, -1, SQLITE_STATIC);
    }
    int rc = sqlite3_step(lo);
    int rc2 = rc == SQLITE_ROW ? sqlite3_step(hi) : SQLITE_DONE;
    if (rc == SQLITE_ROW && rc2 == SQLITE_ROW) {
        const char *a = (const char *)sqlite3_column_text(lo, 0);
        const char *b = (const char *)sqlite3_column_text(hi, 0);
        if (a && b && strcmp(a, b) == 0)
            *out = strdup(a);
    }
    int ret = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? SQLITE_OK : rc;
    if (ret == SQLITE_OK && rc2 != SQLITE_ROW && rc2 != SQLITE_DONE)
        ret = rc2;
    for (int i = 0; i < 2; i++) {
        sqlite3_reset(sts[i]);
        sqlite3_clear_bindings(sts[i]);
    }
    return ret;
}

struct built {
    struct md_buf sql;
    char *parent;        /* bound as ?3 when not NULL */
    char *needle;        /* bound as ?4 when not NULL */
};

/* Idempotent: build() frees on its errors and callers free again. */
static void built_free(struct built *b)
{
    md_buf_free(&b->sql);
    free(b->parent);
    free(b->needle);
    b->parent = b->needle = NULL;
}

/* Whether the raw-text prefilter may be used for this needle.  Not when
 * it could be a number (numbers are matched in their SQL text form, which
 * need not be spelled as in the raw JSON: 1e3 vs 1000.0), nor when it has
 * JSON punctuation (an object or array value is matched in its minified
 * form, the raw text may have spaces). */
static bool prefilter_ok(const char *t)
{
    bool numeric = true;
    for (const char *p = t; *p; p++) {
        if (strchr("{}[]:,\"", *p))
            return false;
        if (!strchr("0123456789.+-eE", *p))
            numeric = false;
    }
    return !numeric;
}

/* select is "count(*)" or "seq"; with_order adds ORDER BY and LIMIT. */
static md_status build(struct md_cache *c, const struct md_scope *s, const struct md_cache_query *q,
                       const char *select, bool with_order, struct built *b, struct md_err *err)
{
    memset(b, 0, sizeof *b);
    if (!q || !q->kind)
        return md_err_set(err, MD_ERR_INVALID, "cache query without a kind");
    if (q->parent) {
        b->parent = strdup(q->parent);
        if (!b->parent)
            return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    } else if (with_order) {
        int rc = md_cache_single_parent(c, s, q->kind, &b->parent);
        if (rc != SQLITE_OK)
            return md_cache_sqlerr(c, rc, err, "reading the cache");
    }
    int r = md_buf_printf(&b->sql, "SELECT %s FROM resources WHERE profile = ?1 AND region = ?2"
                                   " AND kind = ", select);
    r |= md_cache_sql_quote(&b->sql, q->kind);
    if (b->parent)
        r |= md_buf_puts(&b->sql, " AND parent = ?3");
    if (q->filter_text && q->filter_text[0]) {
        b->needle = strdup(q->filter_text);
        if (!b->needle)
            r = -1;
        /* Most rows fail the cheap scan of the raw text and are never
         * parsed; the rest are tested column by column. */
        if (q->nfilter_paths > 0 && prefilter_ok(q->filter_text))
            r |= md_buf_puts(&b->sql, " AND md_json_may_contain(json, ?4)");
        r |= md_buf_puts(&b->sql, " AND (");
        if (q->nfilter_paths == 0) {
            /* No columns named: match anywhere in the object. */
            r |= md_buf_puts(&b->sql, "md_icontains(json, ?4)");
        }
        for (size_t i = 0; i < q->nfilter_paths; i++) {
            if (!md_cache_path_valid(q->filter_paths[i])) {
                built_free(b);
                return md_err_set(err, MD_ERR_INVALID, "bad JSON path: %s",
                                  q->filter_paths[i] ? q->filter_paths[i] : "(null)");
            }
            r |= md_buf_puts(&b->sql, i ? " OR md_icontains(" : "md_icontains(");
            r |= md_cache_path_expr(&b->sql, q->filter_paths[i]);
            r |= md_buf_puts(&b->sql, ", ?4)");
        }
        r |= md_buf_puts(&b->sql, ")");
    }
    if (with_order && q->sort_path && q->sort_path[0] && !md_cache_path_valid(q->sort_path)) {
        built_free(b);
        return md_err_set(err, MD_ERR_INVALID, "bad JSON path: %s", q->sort_path);
    }
    if (with_order) {
        const char *dir = q->sort_desc ? " DESC" : "";
        if (q->sort_path && q->sort_path[0]) {
            r |= md_buf_puts(&b->sql, " ORDER BY ");
            r |= md_cache_path_expr(&b->sql, q->sort_path);
            r |= md_buf_printf(&b->sql, " COLLATE NOCASE%s, seq%s", dir, dir);
        } else {
            r |= md_buf_printf(&b->sql, " ORDER BY seq%s", dir);
        }
        r |= md_buf_puts(&b->sql, " LIMIT ?5 OFFSET ?6");
    }
    if (r != 0) {
        built_free(b);
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    return MD_OK;
}

static sqlite3_stmt *prepare_built(struct md_cache *c, const struct md_scope *s,
                                   const struct built *b, struct md_err *err)
{
    int rc;
    sqlite3_stmt *st = md_cache_stmt(c, b->sql.data, &rc);
    if (!st) {
        /* A malformed JSON path is the caller's mistake, not a cache fault. */
        if ((rc & 0xff) == SQLITE_ERROR && strstr(sqlite3_errmsg(c->db), "path"))
            md_err_set(err, MD_ERR_INVALID, "bad JSON path: %s", sqlite3_errmsg(c->db));
        else
            md_cache_sqlerr(c, rc, err, "querying the cache");
        return NULL;
    }
    sqlite3_bind_text(st, 1, s && s->profile ? s->profile : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, s && s->region ? s->region : "", -1, SQLITE_TRANSIENT);
    if (b->parent)
        sqlite3_bind_text(st, 3, b->parent, -1, SQLITE_TRANSIENT);
    if (b->needle)
        sqlite3_bind_text(st, 4, b->needle, -1, SQLITE_TRANSIENT);
    return st;
}

static md_status step_error(struct md_cache *c, int rc, struct md_err *err)
{
    const char *m = sqlite3_errmsg(c->db);
    if ((rc & 0xff) == SQLITE_ERROR && (strstr(m, "JSON path") || strstr(m, "malformed JSON")))
        return md_err_set(err, MD_ERR_INVALID, "cache query: %s", m);
    return md_cache_sqlerr(c, rc, err, "querying the cache");
}

md_status md_cache_count(struct md_cache *c, const struct md_scope *s,
                         const struct md_cache_query *q, long *n, struct md_err *err)
{
    *n = 0;
    struct built b;
    md_status st = build(c, s, q, "count(*)", false, &b, err);
    if (st != MD_OK)
        return st;
    sqlite3_stmt *stmt = prepare_built(c, s, &b, err);
    if (!stmt) {
        built_free(&b);
        return err ? err->code : MD_ERR_CACHE;
    }
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        *n = (long)sqlite3_column_int64(stmt, 0);
        st = MD_OK;
    } else {
        st = step_error(c, rc, err);
    }
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    built_free(&b);
    return st;
}

md_status md_cache_query(struct md_cache *c, const struct md_scope *s,
                         const struct md_cache_query *q, md_cache_row_fn fn, void *ctx,
                         struct md_err *err)
{
    /* One read transaction around both steps: the window and its rows come
     * from the same snapshot even while a worker commits. */
    bool own_txn = c->txn_depth == 0 && sqlite3_get_autocommit(c->db);
    if (own_txn && sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        return md_cache_sqlerr(c, sqlite3_errcode(c->db), err, "querying the cache");
    struct built b;
    md_status st = build(c, s, q, "seq", true, &b, err);
    sqlite3_int64 *seqs = NULL;
    size_t nseq = 0, cap = 0;
    sqlite3_stmt *stmt = st == MD_OK ? prepare_built(c, s, &b, err) : NULL;
    if (st == MD_OK && !stmt)
        st = err ? err->code : MD_ERR_CACHE;
    if (stmt) {
        sqlite3_bind_int64(stmt, 5, q->limit > 0 ? q->limit : -1);
        sqlite3_bind_int64(stmt, 6, q->offset > 0 ? q->offset : 0);
        int rc;
        while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
            if (nseq == cap) {
                size_t ncap = cap ? cap * 2 : 64;
                sqlite3_int64 *p = realloc(seqs, ncap * sizeof *p);
                if (!p) {
                    rc = SQLITE_NOMEM;
                    break;
                }
                seqs = p;
                cap = ncap;
            }
            seqs[nseq++] = sqlite3_column_int64(stmt, 0);
        }
        if (rc != SQLITE_DONE)
            st = rc == SQLITE_NOMEM ? md_err_set(err, MD_ERR_NOMEM, "out of memory")
                                    : step_error(c, rc, err);
        sqlite3_reset(stmt);
        sqlite3_clear_bindings(stmt);
    }
    built_free(&b);

    sqlite3_stmt *row = c->st_row_by_seq;
    for (size_t i = 0; st == MD_OK && i < nseq; i++) {
        sqlite3_bind_int64(row, 1, seqs[i]);
        int rc = sqlite3_step(row);
        if (rc == SQLITE_ROW) {
            struct md_cache_row r = {
                .kind = (const char *)sqlite3_column_text(row, 0),
                .id = (const char *)sqlite3_column_text(row, 1),
                .parent = (const char *)sqlite3_column_text(row, 2),
                .json = (const char *)sqlite3_column_text(row, 3),
                .fetched_at_ms = sqlite3_column_int64(row, 4),
            };
            int stop = fn ? fn(ctx, &r) : 0;
            sqlite3_reset(row);
            if (stop)
                break;
        } else {
            sqlite3_reset(row);
            if (rc != SQLITE_DONE)
                st = md_cache_sqlerr(c, rc, err, "reading the cache");
        }
    }
    sqlite3_clear_bindings(row);
    free(seqs);
    if (own_txn)
        sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
    return st;
}

md_status md_cache_query_plan(struct md_cache *c, const struct md_scope *s,
                              const struct md_cache_query *q, char **plan_out, struct md_err *err)
{
    *plan_out = NULL;
    struct built b;
    md_status st = build(c, s, q, "seq", true, &b, err);
    if (st != MD_OK)
        return st;
    struct md_buf sql = MD_BUF_INIT, out = MD_BUF_INIT;
    md_buf_printf(&sql, "EXPLAIN QUERY PLAN %s", b.sql.data);
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2(c->db, sql.data ? sql.data : "", -1, &stmt, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(stmt, 1, s && s->profile ? s->profile : "", -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(stmt, 2, s && s->region ? s->region : "", -1, SQLITE_TRANSIENT);
        if (b.parent)
            sqlite3_bind_text(stmt, 3, b.parent, -1, SQLITE_TRANSIENT);
        if (b.needle)
            sqlite3_bind_text(stmt, 4, b.needle, -1, SQLITE_TRANSIENT);
        while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
            md_buf_printf(&out, "%s\n", (const char *)sqlite3_column_text(stmt, 3));
        if (rc == SQLITE_DONE)
            rc = SQLITE_OK;
    }
    if (rc != SQLITE_OK)
        st = md_cache_sqlerr(c, rc, err, "explaining a cache query");
    sqlite3_finalize(stmt);
    md_buf_free(&sql);
    built_free(&b);
    if (st == MD_OK)
        *plan_out = md_buf_steal(&out);
    md_buf_free(&out);
    return st;
}

/* Index names are derived from (kind, path), so asking twice is a no-op. */
static uint64_t fnv1a(uint64_t h, const char *s)
{
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

md_status md_cache_index_paths(struct md_cache *c, const char *kind, const char *const *paths,
                               size_t n, struct md_err *err)
{
    if (!kind)
        return md_err_set(err, MD_ERR_INVALID, "index without a kind");
    md_status st = md_cache_begin(c, err);
    if (st != MD_OK)
        return st;
    struct md_buf sql = MD_BUF_INIT;
    for (size_t i = 0; st == MD_OK && i < n; i++) {
        if (!md_cache_path_valid(paths[i])) {
            st = md_err_set(err, MD_ERR_INVALID, "bad JSON path: %s", paths[i] ? paths[i] : "(null)");
            break;
        }
        uint64_t h = fnv1a(fnv1a(14695981039346656037ULL, kind) ^ 0xff, paths[i]);
        md_buf_reset(&sql);
        int r = md_buf_printf(&sql,
                              "CREATE INDEX IF NOT EXISTS resources_x%016llx"
                              " ON resources(profile, region, parent, ",
                              (unsigned long long)h);
        r |= md_cache_path_expr(&sql, paths[i]);
        r |= md_buf_puts(&sql, " COLLATE NOCASE) WHERE kind = ");
        r |= md_cache_sql_quote(&sql, kind);
        if (r != 0) {
            st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
            break;
        }
        int rc = sqlite3_exec(c->db, sql.data, NULL, NULL, NULL);
        if (rc != SQLITE_OK) {
            char what[300];
            snprintf(what, sizeof what, "indexing %s by %s", kind, paths[i]);
            st = (rc & 0xff) == SQLITE_ERROR
                     ? md_err_set(err, MD_ERR_INVALID, "%s: %s", what, sqlite3_errmsg(c->db))
                     : md_cache_sqlerr(c, rc, err, what);
        }
    }
    md_buf_free(&sql);
    if (st != MD_OK) {
        md_cache_rollback(c);
        return st;
    }
    return md_cache_commit(c, err);
}
