/* The local SQLite cache: the one source of truth the screen reads.
 *
 * One table of resources keyed by (profile, region, kind, id) with the parent
 * id, the object as JSON exactly as the API returned it, and fetched_at.
 * Each thread opens its own md_cache (one SQLite connection, WAL mode) and
 * uses it from that thread only (md_cache_interrupt excepted).  Writers
 * wait for each other (busy timeout), readers never wait.
 * Callbacks receive pointers that are valid only during the call, and must
 * not write through the same md_cache.  A NULL scope (or NULL profile /
 * region) means "" — global.  JSON paths use util/json.h syntax, including
 * [?key=value]; a malformed path is MD_ERR_INVALID.
 *
 * Additions since the first contract: md_cache_interrupt,
 * md_cache_in_transaction.  Schema and file
 * handling: see schema.c and /work/helpers/docs/cache.md. */
#ifndef MD_CACHE_H
#define MD_CACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

struct md_cache;

/* Which account a row belongs to.  The demo uses profile "demo". */
struct md_scope {
    const char *profile;
    const char *region;
};

struct md_cache_row {
    const char *kind;
    const char *id;
    const char *parent;       /* "" for top-level kinds */
    const char *json;
    long long fetched_at_ms;
};

/* Opens (creating 0700 dir / 0600 file) and migrates the cache at path;
 * path NULL means $XDG_CACHE_HOME/mldeck/cache.db.  A corrupt, truncated or
 * foreign file, or one from a newer mldeck, is renamed to
 * "<path>.corrupt-<unixtime>" and rebuilt; the one-line warning is then
 * available from md_cache_warning().  Errors (unwritable folder, a folder
 * at path) leave files alone and return MD_ERR_IO / MD_ERR_CACHE. */
md_status md_cache_open(const char *path, struct md_cache **out, struct md_err *err);

/* md_cache_open with flags.  MD_CACHE_SOLE: the caller's process opens no
 * other connection to this cache while c is open (a CLI command).  A file
 * that does not exist yet is then built under a private name beside it
 * ("<path>.new-<pid>"), with no journal file and no syncs, and published by
 * md_cache_close: one sync, then a link to path, which fails harmlessly if
 * another process made the cache meanwhile (this one's rows are then
 * dropped; they are a cache).  Nobody ever sees a half-built file, and a
 * first listing writes its rows once instead of to a WAL and then to the
 * file.  Private files of processes that died are removed at the next
 * such open. */
enum { MD_CACHE_SOLE = 1 };
md_status md_cache_open_flags(const char *path, unsigned flags, struct md_cache **out,
                              struct md_err *err);
void md_cache_close(struct md_cache *c);
/* The cache's path (the published one, while a new file is built aside). */
const char *md_cache_file(const struct md_cache *c);
const char *md_cache_warning(const struct md_cache *c);  /* NULL when none */
int md_cache_schema_version(struct md_cache *c);

/* Makes the SQL statement running on c (from another thread) stop soon
 * with an error; the only md_cache call that may be made from a thread
 * other than c's owner.  md_sync_stop uses it to end long index builds. */
void md_cache_interrupt(struct md_cache *c);

/* Write transactions (BEGIN IMMEDIATE); nested calls are savepoints, so a
 * rollback inside undoes only the inner part. */
md_status md_cache_begin(struct md_cache *c, struct md_err *err);
md_status md_cache_commit(struct md_cache *c, struct md_err *err);
md_status md_cache_rollback(struct md_cache *c);
/* Whether a transaction begun with md_cache_begin is still open. */
bool md_cache_in_transaction(const struct md_cache *c);

/* Inserts or replaces one row (row->kind/id/parent/json; parent NULL = "";
 * fetched_at_ms 0 = now).  JSON that does not parse is MD_ERR_INVALID.  An
 * unchanged object only gets its new fetched_at (cheap). */
md_status md_cache_upsert(struct md_cache *c, const struct md_scope *s,
                          const struct md_cache_row *row, struct md_err *err);
/* Upserts n rows in one transaction (a savepoint inside md_cache_begin):
 * all or nothing. */
md_status md_cache_upsert_rows(struct md_cache *c, const struct md_scope *s,
                               const struct md_cache_row *rows, size_t n, struct md_err *err);
/* After a complete listing: deletes rows of (kind, parent) not in keep_ids
 * (parent NULL = every parent of the kind; n 0 = delete them all). */
md_status md_cache_prune(struct md_cache *c, const struct md_scope *s, const char *kind,
                         const char *parent, const char *const *keep_ids, size_t n,
                         struct md_err *err);
/* The same, sparing rows fetched at or after before_ms (wall clock, ms):
 * what another worker wrote while the listing ran (an execution an action
 * just started) is newer than the listing and stays. */
md_status md_cache_prune_before(struct md_cache *c, const struct md_scope *s, const char *kind,
                                const char *parent, const char *const *keep_ids, size_t n,
                                long long before_ms, struct md_err *err);
md_status md_cache_delete(struct md_cache *c, const struct md_scope *s, const char *kind,
                          const char *id, struct md_err *err);

/* One object; *json_out is malloc'd (caller frees), NULL + MD_ERR_NOTFOUND if absent. */
md_status md_cache_get(struct md_cache *c, const struct md_scope *s, const char *kind,
                       const char *id, char **json_out, long long *fetched_at_ms,
                       struct md_err *err);

/* A window over one kind, filtered and sorted inside SQLite.
 * Filter: ASCII case-insensitive substring of any of filter_paths' values
 * (numbers in their SQL text form); without paths, of the whole object.
 * Sort: case-insensitive for text, numbers before text, missing values
 * first (last when desc); ties in insertion order (reversed when desc).
 * Fast paths: the kind's sort_path indexed (md_cache_index_paths) and one
 * parent given, or parent NULL on a kind whose rows share one parent. */
struct md_cache_query {
    const char *kind;
    const char *parent;                 /* NULL = every parent */
    const char *const *filter_paths;    /* JSON paths the filter text is matched against */
    size_t nfilter_paths;
    const char *filter_text;            /* case-insensitive substring; NULL/"" = no filter */
    const char *sort_path;              /* NULL = insertion order */
    bool sort_desc;
    long offset;
    long limit;                         /* <= 0 = no limit */
};

typedef int (*md_cache_row_fn)(void *ctx, const struct md_cache_row *row); /* non-zero stops */

md_status md_cache_count(struct md_cache *c, const struct md_scope *s,
                         const struct md_cache_query *q, long *n, struct md_err *err);
md_status md_cache_query(struct md_cache *c, const struct md_scope *s,
                         const struct md_cache_query *q, md_cache_row_fn fn, void *ctx,
                         struct md_err *err);
/* Oldest fetched_at of (kind, parent) rows (parent NULL = every parent), 0
 * when there are none: the age the header shows. */
md_status md_cache_fetched_at(struct md_cache *c, const struct md_scope *s, const char *kind,
                              const char *parent, long long *oldest_ms, struct md_err *err);

/* Small key/value store for sync watermarks and UI preferences (per scope).
 * get: *value_out malloc'd (caller frees), MD_ERR_NOTFOUND when absent;
 * set: value NULL deletes the key. */
md_status md_cache_meta_get(struct md_cache *c, const struct md_scope *s, const char *key,
                            char **value_out, struct md_err *err);
md_status md_cache_meta_set(struct md_cache *c, const struct md_scope *s, const char *key,
                            const char *value, struct md_err *err);

/* Creates the expression indexes that make sorting kind k by its columns
 * fast (idempotent: cheap when they exist).  Each is a partial index over
 * the kind's rows only, but every insert of any kind checks every partial
 * index's condition, so index what is sorted by, not every column.  The
 * sync layer indexes each kind's default sort column at start; use
 * md_sync_submit_index for the others (it runs here, on a worker). */
md_status md_cache_index_paths(struct md_cache *c, const char *kind, const char *const *paths,
                               size_t n, struct md_err *err);

#endif
