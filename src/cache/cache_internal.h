/* What the files of src/cache share: the connection struct, the schema
 * (migrations), the SQL function for util/json.h paths and the query
 * builder.  Nothing outside src/cache (and its tests) includes this. */
#ifndef MD_CACHE_INTERNAL_H
#define MD_CACHE_INTERNAL_H

#include <sqlite3.h>
#include <stdbool.h>

#include "cache/cache.h"
#include "util/buf.h"

/* "MLDK": PRAGMA application_id of every cache file mldeck writes, so that
 * a foreign SQLite file at our path is recognised as not ours. */
#define MD_CACHE_APPLICATION_ID 0x4D4C444B

/* One forward migration: the SQL that takes the schema from version-1 to
 * version.  The list is in schema.c; to change the schema, append an
 * entry (never edit a released one) and bump nothing else. */
struct md_cache_migration {
    int version;
    const char *what;
    const char *sql;
    /* NULL, or a query answering 1 when the file already has what sql
     * makes: then the step only records its version (a file created after
     * an earlier step's SQL changed). */
    const char *done_when;
};

const struct md_cache_migration *md_cache_migrations(int *n);
int md_cache_latest_version(void);

/* Brings the open connection from its user_version up to the latest
 * inside write transactions (one per step).  MD_OK, or err filled and
 * *rc the SQLite result code that stopped it. */
md_status md_cache_migrate(sqlite3 *db, int *rc, struct md_err *err);

/* Registers md_json(json, path): util/json.h's md_json_get as an SQL
 * function (deterministic, so expression indexes may use it).  Every
 * connection that writes rows must have it, which md_cache_open ensures. */
int md_cache_register_functions(sqlite3 *db);

/* Case-insensitive (ASCII letters) substring test used by filters. */
bool md_cache_icontains(const char *h, size_t hn, const char *n, size_t nn);

/* Appends the SQL expression that evaluates a util/json.h path over the
 * json column: json_extract(json,'$.a.b') for plain SQL paths, md_json()
 * for paths with the [?key=value] extension. */
int md_cache_path_expr(struct md_buf *b, const char *path);
/* Whether path is well-formed util/json.h syntax.  SQLite checks a path
 * only as far as the document it walks goes, so a typo would otherwise
 * pass silently on rows that lack the first key. */
bool md_cache_path_valid(const char *path);
/* Appends s as an SQL string literal ('...' with quotes doubled). */
int md_cache_sql_quote(struct md_buf *b, const char *s);

/* EXPLAIN QUERY PLAN of the window query q would run (one line per step,
 * malloc'd, caller frees): lets tests and benches see an index is used. */
md_status md_cache_query_plan(struct md_cache *c, const struct md_scope *s,
                              const struct md_cache_query *q, char **plan_out, struct md_err *err);

#define MD_CACHE_STMT_SLOTS 8

struct md_cache_stmt_slot {
    char *sql;
    sqlite3_stmt *st;
    unsigned long used;
};

struct md_cache {
    sqlite3 *db;
    char *path;                 /* the file open: while built aside, the private one */
    char *final;                /* NULL, or built aside: where md_cache_close publishes it */
    char warning[768];
    int txn_depth;
    bool txn_failed;
    /* fixed statements, prepared once at open */
    sqlite3_stmt *st_upsert, *st_touch, *st_get, *st_delete, *st_meta_get, *st_meta_set,
        *st_meta_del, *st_fetched, *st_row_by_seq, *st_parent_lo, *st_parent_hi;
    /* built queries (count, window) keyed by their SQL text */
    struct md_cache_stmt_slot slots[MD_CACHE_STMT_SLOTS];
    unsigned long tick;
};

/* Fills err from the connection's last error; SQLITE_CORRUPT also drops
 * the marker that makes the next md_cache_open check the whole file. */
md_status md_cache_sqlerr(struct md_cache *c, int rc, struct md_err *err, const char *what);
/* When every row of (scope, kind) has the same parent, *out is a copy of
 * it (caller frees), else NULL: "every parent" can then use the
 * per-parent indexes.  Two index probes.  SQLite result code. */
int md_cache_single_parent(struct md_cache *c, const struct md_scope *s, const char *kind,
                           char **out);
/* Prepared statement for sql from the per-connection cache (reset, unbound). */
sqlite3_stmt *md_cache_stmt(struct md_cache *c, const char *sql, int *rc);

#endif
