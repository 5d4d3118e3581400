/* The cache schema as a list of forward migrations.
 *
 * A file's PRAGMA user_version is the number of migrations applied to it.
 * md_cache_migrate applies the missing ones in order, each in its own write
 * transaction together with the new user_version, so a crash leaves the
 * file at the previous version, never half-migrated.  A file whose version
 * is newer than this list is not ours to touch (md_cache_open moves it
 * aside).  To change the schema: append { N+1, "why", "SQL" } below. */
#include <stdio.h>

#include "cache/cache_internal.h"

/* The resources table as migration 1 makes it for a new file and as
 * migration 3 copies an older file's into: the two must stay the same. */
#define RESOURCES_COLUMNS \
    " (seq        INTEGER PRIMARY KEY," \
    "  profile    TEXT NOT NULL," \
    "  region     TEXT NOT NULL," \
    "  kind       TEXT NOT NULL," \
    "  id         TEXT NOT NULL," \
    "  parent     TEXT NOT NULL DEFAULT ''," \
    "  json       TEXT NOT NULL," \
    "  fetched_at INTEGER NOT NULL)"

static const struct md_cache_migration migrations[] = {
    {1, "resources and meta tables",
     /* seq is the rowid: insertion order, and the stable tie-break of
      * every sort.  The json column holds the object exactly as the API
      * returned it; columns are read from it with json_extract.  Files
      * created before schema 3 have CHECK (json_valid(json)) on it, which
      * migration 3 removes. */
     "CREATE TABLE resources" RESOURCES_COLUMNS ";"
     "CREATE UNIQUE INDEX resources_key ON resources(profile, region, kind, id);"
     "CREATE INDEX resources_parent ON resources(profile, region, kind, parent);"
     "CREATE TABLE meta ("
     "  profile TEXT NOT NULL,"
     "  region  TEXT NOT NULL,"
     "  key     TEXT NOT NULL,"
     "  value   TEXT NOT NULL,"
     "  PRIMARY KEY (profile, region, key)"
     ") WITHOUT ROWID;"},
    {2, "index for the age of a listing",
     /* md_cache_fetched_at (the header's "3h old") becomes one index probe
      * instead of a walk over every row of a 100,000-row kind; the index
      * also serves everything resources_parent did (same leading columns). */
     "CREATE INDEX resources_age ON resources(profile, region, kind, parent, fetched_at);"
     "DROP INDEX resources_parent;"},
    {3, "no CHECK on the json column",
     /* md_cache_upsert checks every row with md_rawjson_valid (never more
      * lenient than SQLite's json_valid) at a fraction of the constraint's
      * cost, which was a sixth of a 2,000-row listing.  A constraint cannot
      * be dropped in place: the table is copied (seq kept, so the order of
      * ties is kept) and its indexes made again; the expression indexes of
      * md_cache_index_paths go with the old table and come back on demand. */
     "CREATE TABLE resources_v3" RESOURCES_COLUMNS ";"
     "INSERT INTO resources_v3(seq, profile, region, kind, id, parent, json, fetched_at)"
     "  SELECT seq, profile, region, kind, id, parent, json, fetched_at FROM resources;"
     "DROP TABLE resources;"
     "ALTER TABLE resources_v3 RENAME TO resources;"
     "CREATE UNIQUE INDEX resources_key ON resources(profile, region, kind, id);"
     "CREATE INDEX resources_age ON resources(profile, region, kind, parent, fetched_at);",
     /* a file made by this version's migration 1 has no CHECK to drop */
     "SELECT count(*) = 0 FROM sqlite_schema WHERE type = 'table' AND name = 'resources'"
     " AND sql LIKE '%json_valid%'"},
};

const struct md_cache_migration *md_cache_migrations(int *n)
{
    *n = (int)(sizeof migrations / sizeof migrations[0]);
    return migrations;
}

int md_cache_latest_version(void)
{
    return migrations[sizeof migrations / sizeof migrations[0] - 1].version;
}

static int query_int(sqlite3 *db, const char *sql, int *v)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        return rc;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *v = sqlite3_column_int(st, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc;
}

static int user_version(sqlite3 *db, int *v)
{
    return query_int(db, "PRAGMA user_version", v);
}

static md_status fail(sqlite3 *db, int rc, struct md_err *err, const char *what)
{
    md_err_set(err, MD_ERR_CACHE, "%s: %s", what, sqlite3_errstr(rc));
    if (sqlite3_errcode(db) == rc)
        md_err_set(err, MD_ERR_CACHE, "%s: %s", what, sqlite3_errmsg(db));
    return MD_ERR_CACHE;
}

md_status md_cache_migrate(sqlite3 *db, int *rc_out, struct md_err *err)
{
    int latest = md_cache_latest_version();
    *rc_out = SQLITE_OK;
    for (;;) {
        int v = 0, rc = user_version(db, &v);
        *rc_out = rc;
        if (rc != SQLITE_OK)
            return fail(db, rc, err, "reading the schema version");
        if (v >= latest)
            return MD_OK;
        /* IMMEDIATE takes the write lock first: when several connections
         * open a fresh file at once, one migrates and the others wait on
         * the busy timeout, then see the new version below. */
        rc = *rc_out = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        if (rc != SQLITE_OK)
            return fail(db, rc, err, "locking the cache for migration");
        rc = *rc_out = user_version(db, &v);
        if (rc != SQLITE_OK || v >= latest) {
            sqlite3_exec(db, rc == SQLITE_OK ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL);
            if (rc != SQLITE_OK)
                return fail(db, rc, err, "reading the schema version");
            return MD_OK;
        }
        const struct md_cache_migration *m = &migrations[v];
        char pragmas[128];
        snprintf(pragmas, sizeof pragmas, "%sPRAGMA user_version = %d;",
                 v == 0 ? "PRAGMA application_id = 1296843851;" : "", m->version);
        _Static_assert(MD_CACHE_APPLICATION_ID == 1296843851, "application_id literal");
        int done = 0;
        rc = m->done_when ? query_int(db, m->done_when, &done) : SQLITE_OK;
        if (rc == SQLITE_OK && !done)
            rc = sqlite3_exec(db, m->sql, NULL, NULL, NULL);
        if (rc == SQLITE_OK)
            rc = sqlite3_exec(db, pragmas, NULL, NULL, NULL);
        if (rc == SQLITE_OK)
            rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
        if (rc != SQLITE_OK) {
            *rc_out = rc;
            char what[160];
            snprintf(what, sizeof what, "schema migration %d (%s)", m->version, m->what);
            md_status s = fail(db, rc, err, what);
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
            return s;
        }
    }
}
