/* Opening the cache file (and recovering from a damaged or foreign one),
 * transactions, and the row and meta operations.  Queries: query.c;
 * schema: schema.c. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cache/cache_internal.h"
#include "util/log.h"
#include "util/rawjson.h"
#include "util/xdg.h"

/* Long enough to wait out another connection's 100,000-row transaction:
 * in normal use nobody sees SQLITE_BUSY. */
#define MD_CACHE_BUSY_TIMEOUT_MS 60000
/* Files up to this size get a full PRAGMA quick_check at every open (about
 * a millisecond); bigger ones only after an operation hit SQLITE_CORRUPT
 * (the marker file), since the check reads the whole file (50 ms at 4 MiB
 * on a busy machine) and start-up to the first frame must stay short. */
#define MD_CACHE_QUICK_CHECK_MAX (256L << 10)

enum verdict { V_OK, V_BAD, V_ERROR };

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *scope_profile(const struct md_scope *s)
{
    return s && s->profile ? s->profile : "";
}

static const char *scope_region(const struct md_scope *s)
{
    return s && s->region ? s->region : "";
}

static void marker_path(const char *db, char *out, size_t n)
{
    snprintf(out, n, "%s.needs-check", db);
}

md_status md_cache_sqlerr(struct md_cache *c, int rc, struct md_err *err, const char *what)
{
    const char *msg = c && c->db && sqlite3_errcode(c->db) == rc ? sqlite3_errmsg(c->db)
                                                                  : sqlite3_errstr(rc);
    switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
        return md_err_set(err, MD_ERR_INVALID, "%s: %s", what, msg);
    case SQLITE_NOMEM:
        return md_err_set(err, MD_ERR_NOMEM, "%s: out of memory", what);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        if (c && c->path) {
            /* Have the next open check (and if need be rebuild) the file. */
            char m[PATH_MAX + 16];
            marker_path(c->path, m, sizeof m);
            int fd = open(m, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
            if (fd >= 0)
                close(fd);
        }
        return md_err_set(err, MD_ERR_CACHE,
                          "%s: the cache file is damaged (%s); restart mldeck to rebuild it",
                          what, msg);
    default:
        return md_err_set(err, MD_ERR_CACHE, "%s: %s", what, msg);
    }
}

sqlite3_stmt *md_cache_stmt(struct md_cache *c, const char *sql, int *rc)
{
    struct md_cache_stmt_slot *victim = &c->slots[0];
    c->tick++;
    for (int i = 0; i < MD_CACHE_STMT_SLOTS; i++) {
        struct md_cache_stmt_slot *sl = &c->slots[i];
        if (sl->sql && strcmp(sl->sql, sql) == 0) {
            sl->used = c->tick;
            sqlite3_reset(sl->st);
            sqlite3_clear_bindings(sl->st);
            *rc = SQLITE_OK;
            return sl->st;
        }
        if (!sl->sql || sl->used < victim->used)
            victim = sl;
        if (!sl->sql)
            break;
    }
    sqlite3_stmt *st = NULL;
    *rc = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
    if (*rc != SQLITE_OK)
        return NULL;
    char *copy = strdup(sql);
    if (!copy) {
        sqlite3_finalize(st);
        *rc = SQLITE_NOMEM;
        return NULL;
    }
    sqlite3_finalize(victim->st);
    free(victim->sql);
    victim->sql = copy;
    victim->st = st;
    victim->used = c->tick;
    return st;
}

/* ---- opening ---------------------------------------------------------- */

static md_status resolve_path(const char *path, char **out, struct md_err *err)
{
    char dir[PATH_MAX];
    if (path && path[0]) {
        *out = strdup(path);
        if (!*out)
            return md_err_set(err, MD_ERR_NOMEM, "out of memory");
        snprintf(dir, sizeof dir, "%s", path);
        char *slash = strrchr(dir, '/');
        if (slash && slash != dir) {
            *slash = '\0';
            struct stat st;
            if (stat(dir, &st) < 0 && md_mkdir_p(dir, 0700) < 0) {
                md_err_set(err, MD_ERR_IO, "cannot create %s: %s", dir, strerror(errno));
                free(*out);
                *out = NULL;
                return MD_ERR_IO;
            }
        }
        return MD_OK;
    }
    md_status st = md_xdg_dir(MD_XDG_CACHE, dir, sizeof dir, err);
    if (st != MD_OK)
        return st;
    /* Our own folder: tighten it if something created it world-readable. */
    struct stat sb;
    if (stat(dir, &sb) == 0 && sb.st_uid == geteuid() && (sb.st_mode & 077))
        chmod(dir, 0700);
    size_t n = strlen(dir) + sizeof "/cache.db";
    *out = malloc(n);
    if (!*out)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    snprintf(*out, n, "%s/cache.db", dir);
    return MD_OK;
}

static bool nonempty_file(const char *path, const char *suffix)
{
    char p[PATH_MAX + 16];
    struct stat st;
    snprintf(p, sizeof p, "%s%s", path, suffix);
    return stat(p, &st) == 0 && st.st_size > 0;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Looks at the file before SQLite does: creates it 0600 when missing, and
 * recognises garbage and truncated files from the 100-byte header. */
static enum verdict precheck(const char *path, char *why, size_t whyn, struct md_err *err)
{
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        md_err_set(err, MD_ERR_IO, "cannot open cache %s: %s", path, strerror(errno));
        return V_ERROR;
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        md_err_set(err, MD_ERR_IO, "cache %s is not a regular file", path);
        close(fd);
        return V_ERROR;
    }
    if ((st.st_mode & 077) && st.st_uid == geteuid())
        fchmod(fd, st.st_mode & 0600);
    if (st.st_size == 0) {
        close(fd);
        return V_OK;
    }
    unsigned char h[100];
    ssize_t got = pread(fd, h, sizeof h, 0);
    close(fd);
    if (got < 0) {
        md_err_set(err, MD_ERR_IO, "cannot read cache %s: %s", path, strerror(errno));
        return V_ERROR;
    }
    if (got < (ssize_t)sizeof h || memcmp(h, "SQLite format 3", 16) != 0) {
        snprintf(why, whyn, "is not an SQLite database");
        return V_BAD;
    }
    unsigned pgsz = (unsigned)h[16] << 8 | h[17];
    if (pgsz == 1)
        pgsz = 65536;
    if (pgsz < 512 || (pgsz & (pgsz - 1)) != 0) {
        snprintf(why, whyn, "has a damaged header");
        return V_BAD;
    }
    /* With a WAL or hot journal beside it the file may legitimately be
     * mid-checkpoint; SQLite's own recovery handles that case. */
    if (nonempty_file(path, "-wal") || nonempty_file(path, "-journal"))
        return V_OK;
    uint32_t pages = be32(h + 28), counter = be32(h + 24), valid_for = be32(h + 92);
    if (st.st_size % pgsz != 0 ||
        (pages > 0 && counter == valid_for && (uint64_t)st.st_size < (uint64_t)pages * pgsz)) {
        snprintf(why, whyn, "is truncated");
        return V_BAD;
    }
    return V_OK;
}

static enum verdict classify(sqlite3 *db, int rc, const char *what, char *why, size_t whyn,
                             struct md_err *err)
{
    int prim = rc & 0xff;
    const char *msg = db && sqlite3_errcode(db) == rc ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    if (prim == SQLITE_CORRUPT || prim == SQLITE_NOTADB || prim == SQLITE_FORMAT) {
        snprintf(why, whyn, "is damaged (%s)", msg);
        return V_BAD;
    }
    md_err_set(err, MD_ERR_CACHE, "%s: %s", what, msg);
    return V_ERROR;
}

static int pragma_int(sqlite3 *db, const char *sql, long long *v)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        return rc;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *v = sqlite3_column_int64(st, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc;
}

/* False when SQLite kept the connection open (a statement left running). */
static bool close_db(struct md_cache *c)
{
    sqlite3_stmt **fixed[] = {&c->st_upsert, &c->st_touch, &c->st_get, &c->st_delete, &c->st_meta_get,
                              &c->st_meta_set, &c->st_meta_del, &c->st_fetched,
                              &c->st_row_by_seq, &c->st_parent_lo, &c->st_parent_hi};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        sqlite3_finalize(*fixed[i]);
        *fixed[i] = NULL;
    }
    for (int i = 0; i < MD_CACHE_STMT_SLOTS; i++) {
        sqlite3_finalize(c->slots[i].st);
        free(c->slots[i].sql);
        c->slots[i].st = NULL;
        c->slots[i].sql = NULL;
    }
    bool closed = !c->db || sqlite3_close(c->db) == SQLITE_OK;
    c->db = NULL;
    c->txn_depth = 0;
    return closed;
}

static int prepare_fixed(struct md_cache *c)
{
    static const struct {
        size_t off;
        const char *sql;
    } tab[] = {
        {offsetof(struct md_cache, st_upsert),
         "INSERT INTO resources(profile, region, kind, id, parent, json, fetched_at)"
         " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
         " ON CONFLICT(profile, region, kind, id) DO UPDATE SET"
         " parent = excluded.parent, json = excluded.json, fetched_at = excluded.fetched_at"},
        /* An unchanged object only gets its new fetched_at: an UPDATE that
         * does not assign json leaves every expression index alone. */
        {offsetof(struct md_cache, st_touch),
         "UPDATE resources SET fetched_at = ?5"
         " WHERE profile = ?1 AND region = ?2 AND kind = ?3 AND id = ?4"
         " AND json = ?6 AND parent = ?7"},
        {offsetof(struct md_cache, st_get),
         "SELECT json, fetched_at FROM resources"
         " WHERE profile = ?1 AND region = ?2 AND kind = ?3 AND id = ?4"},
        {offsetof(struct md_cache, st_delete),
         "DELETE FROM resources WHERE profile = ?1 AND region = ?2 AND kind = ?3 AND id = ?4"},
        {offsetof(struct md_cache, st_meta_get),
         "SELECT value FROM meta WHERE profile = ?1 AND region = ?2 AND key = ?3"},
        {offsetof(struct md_cache, st_meta_set),
         "INSERT INTO meta(profile, region, key, value) VALUES (?1, ?2, ?3, ?4)"
         " ON CONFLICT(profile, region, key) DO UPDATE SET value = excluded.value"},
        {offsetof(struct md_cache, st_meta_del),
         "DELETE FROM meta WHERE profile = ?1 AND region = ?2 AND key = ?3"},
        {offsetof(struct md_cache, st_fetched),
         "SELECT min(fetched_at) FROM resources"
         " WHERE profile = ?1 AND region = ?2 AND kind = ?3 AND parent = ?4"},
        {offsetof(struct md_cache, st_row_by_seq),
         "SELECT kind, id, parent, json, fetched_at FROM resources WHERE seq = ?1"},
        {offsetof(struct md_cache, st_parent_lo),
         "SELECT parent FROM resources WHERE profile = ?1 AND region = ?2 AND kind = ?3"
         " ORDER BY parent LIMIT 1"},
        {offsetof(struct md_cache, st_parent_hi),
         "SELECT parent FROM resources WHERE profile = ?1 AND region = ?2 AND kind = ?3"
         " ORDER BY parent DESC LIMIT 1"},
    };
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++) {
        sqlite3_stmt **slot = (sqlite3_stmt **)((char *)c + tab[i].off);
        int rc = sqlite3_prepare_v3(c->db, tab[i].sql, -1, SQLITE_PREPARE_PERSISTENT, slot, NULL);
        if (rc != SQLITE_OK)
            return rc;
    }
    return SQLITE_OK;
}

/* Runs PRAGMA quick_check; V_BAD with why filled when the file is damaged. */
static enum verdict quick_check(struct md_cache *c, char *why, size_t whyn, struct md_err *err)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(c->db, "PRAGMA quick_check(1)", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return classify(c->db, rc, "checking the cache", why, whyn, err);
    rc = sqlite3_step(st);
    enum verdict v = V_OK;
    if (rc == SQLITE_ROW) {
        const char *res = (const char *)sqlite3_column_text(st, 0);
        if (!res || strcmp(res, "ok") != 0) {
            snprintf(why, whyn, "is damaged (%s)", res ? res : "quick_check failed");
            v = V_BAD;
        }
    } else {
        v = classify(c->db, rc, "checking the cache", why, whyn, err);
    }
    sqlite3_finalize(st);
    return v;
}

static void tighten(const char *path, const char *suffix)
{
    char p[PATH_MAX + 16];
    struct stat st;
    snprintf(p, sizeof p, "%s%s", path, suffix);
    if (stat(p, &st) == 0 && (st.st_mode & 077) && st.st_uid == geteuid())
        chmod(p, 0600);
}

static enum verdict try_open(struct md_cache *c, char *why, size_t whyn, struct md_err *err)
{
    enum verdict v = precheck(c->path, why, whyn, err);
    if (v != V_OK)
        return v;
    int rc = sqlite3_open_v2(c->path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK)
        return classify(c->db, rc, "opening the cache", why, whyn, err);
    sqlite3_extended_result_codes(c->db, 1);
    /* The per-kind indexes are partial (WHERE kind = 'x'): with them in the
     * schema, a statement whose kind is a bound parameter, once re-prepared
     * for any reason, was re-planned at every new binding in case the value
     * let it use one (about 20 us: each cached object read of an
     * incremental listing cost four times what it should).  The queries
     * that use those indexes carry the kind as a literal (query.c), so
     * bound values need not steer the planner. */
    sqlite3_db_config(c->db, SQLITE_DBCONFIG_ENABLE_QPSG, 1, (int *)NULL);
    sqlite3_busy_timeout(c->db, MD_CACHE_BUSY_TIMEOUT_MS);
    rc = md_cache_register_functions(c->db);
    if (rc != SQLITE_OK)
        return classify(c->db, rc, "opening the cache", why, whyn, err);

    /* The three values must come from one snapshot: another process may be
     * creating this cache right now, and a header read before its first
     * migration commits next to a schema read after it looks foreign. */
    long long app = 0, ver = 0, objects = 0;
    rc = sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = pragma_int(c->db, "PRAGMA application_id", &app);
    if (rc == SQLITE_OK)
        rc = pragma_int(c->db, "PRAGMA user_version", &ver);
    if (rc == SQLITE_OK)
        rc = pragma_int(c->db, "SELECT count(*) FROM sqlite_schema", &objects);
    sqlite3_exec(c->db, rc == SQLITE_OK ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return classify(c->db, rc, "reading the cache header", why, whyn, err);
    int latest = md_cache_latest_version();
    if (app != MD_CACHE_APPLICATION_ID && !(app == 0 && ver == 0 && objects == 0)) {
        snprintf(why, whyn, "belongs to another program (application_id %lld)", app);
        return V_BAD;
    }
    if (ver > latest) {
        snprintf(why, whyn, "was written by a newer mldeck (schema %lld, this one knows %d)",
                 ver, latest);
        return V_BAD;
    }

    /* A file built aside (MD_CACHE_SOLE) is nobody else's until it is
     * published: it needs no WAL, no journal file and no syncs; the one
     * sync before publishing makes it whole. */
    bool aside = c->final != NULL;
    if (aside)
        rc = sqlite3_exec(c->db, "PRAGMA synchronous = OFF; PRAGMA journal_mode = MEMORY;", NULL,
                          NULL, NULL);
    /* WAL: the UI reads while workers write.  NORMAL sync is safe in WAL
     * mode against crashes of the program (a power cut may lose the last
     * transactions, never consistency), which is right for a cache. */
    /* Switching a fresh file to WAL needs it to itself: when another process
     * is doing the same at this moment SQLite answers BUSY at once, without
     * the busy handler, so wait and try again (about 5 s in all). */
    /* A new file holds nothing yet: its switch to WAL and its schema need
     * neither a journal file nor syncs (six fsyncs and an unlink, about
     * 1 ms of every first start).  A crash in between leaves an empty or
     * damaged file, which the next start moves aside; nothing is lost.
     * Synchronous is NORMAL from the end of the migrations on. */
    if (app == 0 && ver == 0 && objects == 0 && !aside)
        sqlite3_exec(c->db, "PRAGMA synchronous = OFF; PRAGMA journal_mode = MEMORY;", NULL, NULL,
                     NULL);
    sqlite3_stmt *st;
    for (int attempt = 0; !aside; attempt++) {
        rc = sqlite3_prepare_v2(c->db, "PRAGMA journal_mode = WAL", -1, &st, NULL);
        if (rc == SQLITE_OK) {
            rc = sqlite3_step(st);
            if (rc == SQLITE_ROW) {
                const char *mode = (const char *)sqlite3_column_text(st, 0);
                rc = mode && strcmp(mode, "wal") == 0 ? SQLITE_OK : SQLITE_CANTOPEN;
            }
            sqlite3_finalize(st);
        }
        if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
            break;
        if (attempt >= 500)
            break;
        usleep(10 * 1000);
    }
    if (rc != SQLITE_OK)
        return classify(c->db, rc, aside ? "configuring the cache" : "switching the cache to WAL mode",
                        why, whyn, err);
    rc = sqlite3_exec(c->db,
                      "PRAGMA cache_size = -8192;"
                      "PRAGMA temp_store = MEMORY;"
                      "PRAGMA journal_size_limit = 33554432;",
                      NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return classify(c->db, rc, "configuring the cache", why, whyn, err);

    struct md_err merr;
    md_err_clear(&merr);
    int mrc = SQLITE_OK;
    if (md_cache_migrate(c->db, &mrc, &merr) != MD_OK) {
        int ec = mrc & 0xff;
        if (ec == SQLITE_ERROR || ec == SQLITE_CORRUPT || ec == SQLITE_NOTADB) {
            /* The file claims to be ours but its tables say otherwise. */
            snprintf(why, whyn, "has an unexpected schema (%s)", merr.msg);
            return V_BAD;
        }
        if (err)
            *err = merr;
        return V_ERROR;
    }
    rc = aside ? SQLITE_OK : sqlite3_exec(c->db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return classify(c->db, rc, "configuring the cache", why, whyn, err);
    rc = prepare_fixed(c);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(c->db, "CREATE TEMP TABLE md_keep(id TEXT PRIMARY KEY) WITHOUT ROWID",
                          NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        if ((rc & 0xff) == SQLITE_ERROR) {
            snprintf(why, whyn, "has an unexpected schema (%s)", sqlite3_errmsg(c->db));
            return V_BAD;
        }
        return classify(c->db, rc, "preparing cache statements", why, whyn, err);
    }

    char marker[PATH_MAX + 16];
    marker_path(c->path, marker, sizeof marker);
    struct stat sb;
    bool flagged = stat(marker, &sb) == 0;
    if (!aside &&
        (flagged || (stat(c->path, &sb) == 0 && sb.st_size <= MD_CACHE_QUICK_CHECK_MAX))) {
        v = quick_check(c, why, whyn, err);
        if (v != V_OK)
            return v;
        if (flagged)
            unlink(marker);
    }
    tighten(c->path, "-wal");
    tighten(c->path, "-shm");
    return V_OK;
}

/* Renames the damaged file (and its WAL/journal, which belong to it) to
 * <path>.corrupt-<unixtime> so that a new cache can start in its place. */
static md_status move_aside(struct md_cache *c, const char *why, struct md_err *err)
{
    char aside[PATH_MAX], p[PATH_MAX + 16], q[PATH_MAX + 16];
    long long t = (long long)time(NULL);
    struct stat st;
    snprintf(aside, sizeof aside, "%s.corrupt-%lld", c->path, t);
    for (int k = 1; lstat(aside, &st) == 0 && k < 1000; k++)
        snprintf(aside, sizeof aside, "%s.corrupt-%lld-%d", c->path, t, k);
    if (rename(c->path, aside) < 0)
        return md_err_set(err, MD_ERR_IO, "cache %s %s, and moving it aside failed: %s", c->path,
                          why, strerror(errno));
    static const char *const sidecars[] = {"-wal", "-journal"};
    for (size_t i = 0; i < sizeof sidecars / sizeof sidecars[0]; i++) {
        snprintf(p, sizeof p, "%s%s", c->path, sidecars[i]);
        snprintf(q, sizeof q, "%s%s", aside, sidecars[i]);
        if (rename(p, q) < 0 && errno != ENOENT)
            unlink(p);
    }
    snprintf(p, sizeof p, "%s-shm", c->path);
    unlink(p);
    marker_path(c->path, p, sizeof p);
    unlink(p);
    snprintf(c->warning, sizeof c->warning, "cache %s %s: moved it to %s and started a new one",
             c->path, why, aside);
    /* SQLite's messages (quick_check's) may span lines; the warning may not. */
    for (char *w = c->warning; *w; w++)
        if (*w == '\n' || *w == '\r' || *w == '\t')
            *w = ' ';
    md_log(MD_LOG_WARN, "%s", c->warning);
    return MD_OK;
}

/* ---- a new file built aside (MD_CACHE_SOLE) ------------------------------ */

/* Removes the private files "<path>.new-<pid>[-wal|-shm]" of processes
 * that no longer run (killed while building a cache). */
static void aside_sweep(const char *path)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    const char *base = slash ? slash + 1 : path;
    if (slash)
        *slash = '\0';
    char prefix[NAME_MAX + 8];
    int np = snprintf(prefix, sizeof prefix, "%s.new-", base);
    DIR *d = opendir(slash ? (dir[0] ? dir : "/") : ".");
    if (!d || np <= 0 || (size_t)np >= sizeof prefix) {
        if (d)
            closedir(d);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, prefix, (size_t)np) != 0)
            continue;
        char *end;
        long pid = strtol(e->d_name + np, &end, 10);
        if (end == e->d_name + np || pid <= 0 || (*end && *end != '-'))
            continue;
        if (pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        char p[PATH_MAX + NAME_MAX + 2];
        snprintf(p, sizeof p, "%s/%s", slash ? (dir[0] ? dir : "") : ".", e->d_name);
        unlink(p);
    }
    closedir(d);
}

/* Starts building a cache that does not exist yet under a private name
 * (c->path becomes it, c->final the real one).  False when the file (or a
 * WAL of it) is there: it is opened in place. */
static bool aside_start(struct md_cache *c)
{
    struct stat st;
    char p[PATH_MAX + 16];
    snprintf(p, sizeof p, "%s-wal", c->path);
    if (lstat(c->path, &st) == 0 || errno != ENOENT || lstat(p, &st) == 0)
        return false;
    size_t n = strlen(c->path) + 32;
    char *tmp = malloc(n);
    if (!tmp)
        return false;
    aside_sweep(c->path);
    snprintf(tmp, n, "%s.new-%ld", c->path, (long)getpid());
    static const char *const own[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof own / sizeof own[0]; i++) {
        snprintf(p, sizeof p, "%s%s", tmp, own[i]);
        unlink(p);      /* a process before us with the same pid */
    }
    c->final = c->path;
    c->path = tmp;
    return true;
}

/* Closes a cache built aside and publishes it under its real name: in WAL
 * mode, as every other open leaves a file, synced, then linked (never over
 * a cache another process made meanwhile).  The private name goes either
 * way. */
static void aside_publish(struct md_cache *c)
{
    bool ok = c->db && sqlite3_exec(c->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL) ==
                           SQLITE_OK;
    ok = close_db(c) && ok;
    int fd = ok ? open(c->path, O_RDONLY | O_CLOEXEC) : -1;
    ok = fd >= 0 && fdatasync(fd) == 0;
    if (fd >= 0)
        close(fd);
    if (ok && link(c->path, c->final) != 0) {
        struct stat st;
        if (errno == EEXIST)
            md_log(MD_LOG_INFO, "cache %s was made by another process meanwhile: kept it",
                   c->final);
        else if ((errno == EPERM || errno == ENOTSUP || errno == ENOSYS) &&
                 lstat(c->final, &st) != 0 && rename(c->path, c->final) == 0)
            ;   /* a file system without hard links; the window is short */
        else
            md_log(MD_LOG_WARN, "cache %s could not be saved: %s", c->final, strerror(errno));
    } else if (!ok) {
        md_log(MD_LOG_WARN, "cache %s could not be saved: %s", c->final,
               c->db ? "it was still in use" : strerror(errno));
    }
    char p[PATH_MAX + 16];
    static const char *const own[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < sizeof own / sizeof own[0]; i++) {
        snprintf(p, sizeof p, "%s%s", c->path, own[i]);
        unlink(p);
    }
}

md_status md_cache_open(const char *path, struct md_cache **out, struct md_err *err)
{
    return md_cache_open_flags(path, 0, out, err);
}

md_status md_cache_open_flags(const char *path, unsigned flags, struct md_cache **out,
                              struct md_err *err)
{
    *out = NULL;
    struct md_cache *c = calloc(1, sizeof *c);
    if (!c)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    md_status st = resolve_path(path, &c->path, err);
    if (st != MD_OK) {
        free(c);
        return st;
    }
    if (flags & MD_CACHE_SOLE)
        aside_start(c);
    for (int attempt = 0;; attempt++) {
        char why[600] = "";
        enum verdict v = try_open(c, why, sizeof why, err);
        if (v == V_OK)
            break;
        close_db(c);
        if (v == V_BAD && attempt == 0 && move_aside(c, why, err) == MD_OK)
            continue;
        if (v == V_BAD && attempt > 0)
            md_err_set(err, MD_ERR_CACHE, "new cache %s %s", c->path, why);
        if (c->final)
            unlink(c->path);
        free(c->path);
        free(c->final);
        free(c);
        return err ? err->code : MD_ERR_CACHE;
    }
    *out = c;
    return MD_OK;
}

void md_cache_close(struct md_cache *c)
{
    if (!c)
        return;
    if (c->txn_depth > 0 && c->db)
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
    if (c->final)
        aside_publish(c);
    else
        close_db(c);
    free(c->path);
    free(c->final);
    free(c);
}

const char *md_cache_file(const struct md_cache *c)
{
    return c->final ? c->final : c->path;
}

const char *md_cache_warning(const struct md_cache *c)
{
    return c->warning[0] ? c->warning : NULL;
}

int md_cache_schema_version(struct md_cache *c)
{
    long long v = -1;
    if (pragma_int(c->db, "PRAGMA user_version", &v) != SQLITE_OK)
        return -1;
    return (int)v;
}

void md_cache_interrupt(struct md_cache *c)
{
    if (c && c->db)
        sqlite3_interrupt(c->db);
}

/* ---- transactions ----------------------------------------------------- */

static md_status exec(struct md_cache *c, const char *sql, struct md_err *err, const char *what)
{
    int rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? MD_OK : md_cache_sqlerr(c, rc, err, what);
}

md_status md_cache_begin(struct md_cache *c, struct md_err *err)
{
    char sql[64];
    /* IMMEDIATE: a write transaction takes the write lock up front, so it
     * waits on the busy timeout instead of failing later with
     * SQLITE_BUSY_SNAPSHOT when another connection wrote in between. */
    if (c->txn_depth == 0)
        snprintf(sql, sizeof sql, "BEGIN IMMEDIATE");
    else
        snprintf(sql, sizeof sql, "SAVEPOINT md_sp%d", c->txn_depth);
    md_status st = exec(c, sql, err, "starting a cache transaction");
    if (st == MD_OK)
        c->txn_depth++;
    return st;
}

md_status md_cache_commit(struct md_cache *c, struct md_err *err)
{
    if (c->txn_depth <= 0)
        return md_err_set(err, MD_ERR_INTERNAL, "cache commit without a transaction");
    if (sqlite3_get_autocommit(c->db)) {
        /* SQLite already rolled the transaction back after an error. */
        c->txn_depth = 0;
        return md_err_set(err, MD_ERR_CACHE, "cache transaction was rolled back after an error");
    }
    char sql[64];
    if (c->txn_depth == 1)
        snprintf(sql, sizeof sql, "COMMIT");
    else
        snprintf(sql, sizeof sql, "RELEASE md_sp%d", c->txn_depth - 1);
    md_status st = exec(c, sql, err, "committing to the cache");
    if (st != MD_OK) {
        md_cache_rollback(c);
        return st;
    }
    c->txn_depth--;
    return MD_OK;
}

md_status md_cache_rollback(struct md_cache *c)
{
    if (c->txn_depth <= 0)
        return MD_OK;
    if (sqlite3_get_autocommit(c->db)) {
        c->txn_depth = 0;
        return MD_OK;
    }
    char sql[96];
    if (c->txn_depth == 1)
        snprintf(sql, sizeof sql, "ROLLBACK");
    else
        snprintf(sql, sizeof sql, "ROLLBACK TO md_sp%d; RELEASE md_sp%d", c->txn_depth - 1,
                 c->txn_depth - 1);
    int rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL);
    c->txn_depth--;
    return rc == SQLITE_OK ? MD_OK : MD_ERR_CACHE;
}

bool md_cache_in_transaction(const struct md_cache *c)
{
    return c && c->txn_depth > 0;
}

/* ---- rows ------------------------------------------------------------- */

static void bind_scope(sqlite3_stmt *st, const struct md_scope *s)
{
    sqlite3_bind_text(st, 1, scope_profile(s), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, scope_region(s), -1, SQLITE_STATIC);
}

static md_status step_done(struct md_cache *c, sqlite3_stmt *st, struct md_err *err,
                           const char *what)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc == SQLITE_DONE)
        return MD_OK;
    return md_cache_sqlerr(c, rc, err, what);
}

static md_status upsert_one(struct md_cache *c, const struct md_scope *s,
                            const struct md_cache_row *row, bool *touched, struct md_err *err);

md_status md_cache_upsert(struct md_cache *c, const struct md_scope *s,
                          const struct md_cache_row *row, struct md_err *err)
{
    bool touched;
    return upsert_one(c, s, row, &touched, err);
}

/* A row the cache can store: a kind, an id and one JSON value.  This is
 * the only guard (the table has no CHECK since schema 3: SQLite's own
 * json_valid cost a sixth of a listing's time), and it is never more
 * lenient than SQLite's JSON functions, which read every row. */
static bool row_valid(const struct md_cache_row *row)
{
    return row && row->kind && row->id && row->json &&
           md_rawjson_valid(row->json, strlen(row->json));
}

static md_status row_refused(const struct md_cache_row *row, struct md_err *err)
{
    if (!row || !row->kind || !row->id || !row->json)
        return md_err_set(err, MD_ERR_INVALID, "cache row without kind, id or json");
    return md_err_set(err, MD_ERR_INVALID, "%s %s: not valid JSON", row->kind, row->id);
}

static md_status row_error(struct md_cache *c, const struct md_cache_row *row, int rc,
                           struct md_err *err)
{
    char what[160];
    snprintf(what, sizeof what, "storing %s %s", row->kind, row->id);
    return md_cache_sqlerr(c, rc, err, what);
}

/* *touched: the row was there unchanged and only got its new fetched_at. */
static md_status upsert_one(struct md_cache *c, const struct md_scope *s,
                            const struct md_cache_row *row, bool *touched, struct md_err *err)
{
    *touched = false;
    if (!row_valid(row))
        return row_refused(row, err);
    sqlite3_stmt *st = c->st_upsert;
    bind_scope(st, s);
    sqlite3_bind_text(st, 3, row->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, row->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, row->parent ? row->parent : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, row->json, -1, SQLITE_STATIC);
    long long at = row->fetched_at_ms ? row->fetched_at_ms : now_ms();
    /* A refresh mostly brings objects that did not change: try the cheap
     * touch first (one key lookup, no JSON evaluated), insert otherwise. */
    sqlite3_stmt *touch = c->st_touch;
    bind_scope(touch, s);
    sqlite3_bind_text(touch, 3, row->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(touch, 4, row->id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(touch, 5, at);
    sqlite3_bind_text(touch, 6, row->json, -1, SQLITE_STATIC);
    sqlite3_bind_text(touch, 7, row->parent ? row->parent : "", -1, SQLITE_STATIC);
    int rc = sqlite3_step(touch);
    sqlite3_reset(touch);
    sqlite3_clear_bindings(touch);
    if (rc == SQLITE_DONE && sqlite3_changes(c->db) == 0) {
        sqlite3_bind_int64(st, 7, at);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    } else {
        *touched = rc == SQLITE_DONE;
        sqlite3_clear_bindings(st);
    }
    if (rc == SQLITE_DONE)
        return MD_OK;
    return row_error(c, row, rc, err);
}

/* Inserts row if its key is not in the cache yet: 1 inserted, 0 the key is
 * there (nothing done), -1 error (err set). */
static int insert_new(struct md_cache *c, sqlite3_stmt *ins, const struct md_scope *s,
                      const struct md_cache_row *row, struct md_err *err)
{
    if (!row_valid(row)) {
        row_refused(row, err);
        return -1;
    }
    bind_scope(ins, s);
    sqlite3_bind_text(ins, 3, row->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 4, row->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 5, row->parent ? row->parent : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 6, row->json, -1, SQLITE_STATIC);
    sqlite3_bind_int64(ins, 7, row->fetched_at_ms ? row->fetched_at_ms : now_ms());
    int rc = sqlite3_step(ins);
    sqlite3_reset(ins);
    sqlite3_clear_bindings(ins);
    if (rc == SQLITE_DONE)
        return sqlite3_changes(c->db) > 0;
    row_error(c, row, rc, err);
    return -1;
}

/* Rows inserted by one statement when a run of new rows is expected: the
 * per-statement cost is a third of a plain insert's. */
#define INSERT_RUN 25

static sqlite3_stmt *insert_run_stmt(struct md_cache *c)
{
    char sql[1024];
    int k = snprintf(sql, sizeof sql, "INSERT INTO resources(profile, region, kind, id, parent,"
                                      " json, fetched_at) VALUES ");
    for (int i = 0; i < INSERT_RUN && k > 0 && (size_t)k < sizeof sql; i++)
        k += snprintf(sql + k, sizeof sql - (size_t)k, "%s(?,?,?,?,?,?,?)", i ? "," : "");
    if (k > 0 && (size_t)k < sizeof sql)
        k += snprintf(sql + k, sizeof sql - (size_t)k,
                      " ON CONFLICT(profile, region, kind, id) DO NOTHING");
    if (k <= 0 || (size_t)k >= sizeof sql)
        return NULL;    /* cut short: never prepare a partial statement */
    int rc;
    return md_cache_stmt(c, sql, &rc);
}

/* Inserts rows[0..INSERT_RUN) in one statement if every one of them is new
 * and valid: 1 done, 0 nothing done (a key already there, a repeated key,
 * a row refused: the caller stores them one by one, which also names the
 * row at fault), -1 an error of the cache itself (err set). */
static int insert_run(struct md_cache *c, sqlite3_stmt *run, const struct md_scope *s,
                      const struct md_cache_row *rows, struct md_err *err)
{
    for (int i = 0; i < INSERT_RUN; i++)
        if (!row_valid(&rows[i]))
            return 0;
    if (exec(c, "SAVEPOINT md_run", err, "starting a cache transaction") != MD_OK)
        return -1;
    long long now = now_ms();
    for (int i = 0; i < INSERT_RUN; i++) {
        int b = i * 7;
        sqlite3_bind_text(run, b + 1, scope_profile(s), -1, SQLITE_STATIC);
        sqlite3_bind_text(run, b + 2, scope_region(s), -1, SQLITE_STATIC);
        sqlite3_bind_text(run, b + 3, rows[i].kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(run, b + 4, rows[i].id, -1, SQLITE_STATIC);
        sqlite3_bind_text(run, b + 5, rows[i].parent ? rows[i].parent : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(run, b + 6, rows[i].json, -1, SQLITE_STATIC);
        sqlite3_bind_int64(run, b + 7, rows[i].fetched_at_ms ? rows[i].fetched_at_ms : now);
    }
    int rc = sqlite3_step(run);
    sqlite3_reset(run);
    sqlite3_clear_bindings(run);
    bool all = rc == SQLITE_DONE && sqlite3_changes(c->db) == INSERT_RUN;
    if (all)
        return exec(c, "RELEASE md_run", err, "committing to the cache") == MD_OK ? 1 : -1;
    if (sqlite3_get_autocommit(c->db)) {
        /* SQLite rolled the whole transaction back (I/O error, full disk). */
        c->txn_depth = 0;
        md_cache_sqlerr(c, rc, err, "storing rows");
        return -1;
    }
    if (exec(c, "ROLLBACK TO md_run; RELEASE md_run", err, "undoing a cache insert") != MD_OK)
        return -1;
    return 0;
}

md_status md_cache_upsert_rows(struct md_cache *c, const struct md_scope *s,
                               const struct md_cache_row *rows, size_t n, struct md_err *err)
{
    md_status st = md_cache_begin(c, err);
    if (st != MD_OK)
        return st;
    /* The touch-first order of md_cache_upsert suits objects already
     * cached; a listing brings new ones in runs (a first sync: all of them).
     * After a row that was not merely touched, the next rows are first
     * tried as plain inserts (INSERT_RUN at a time while enough remain),
     * which for new rows skips the touch's lookup; a key already there falls
     * back to the usual upsert, row by row.  Same result either way. */
    int rc = SQLITE_OK;
    sqlite3_stmt *ins = md_cache_stmt(c,
                                      "INSERT INTO resources(profile, region, kind, id, parent,"
                                      " json, fetched_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
                                      " ON CONFLICT(profile, region, kind, id) DO NOTHING",
                                      &rc);
    bool fresh = false, runs = true;
    size_t tried_run = 0;   /* rows from here on were just refused as a run */
    for (size_t i = 0; i < n; i++) {
        if (fresh && ins && runs && i >= tried_run && n - i >= INSERT_RUN) {
            /* Fetched after ins: md_cache_stmt may reuse a slot, so ins is
             * fetched again below before its next use. */
            sqlite3_stmt *run = insert_run_stmt(c);
            runs = run != NULL;
            int r = run ? insert_run(c, run, s, &rows[i], err) : 0;
            if (r < 0) {
                md_cache_rollback(c);
                return err ? err->code : MD_ERR_CACHE;
            }
            ins = md_cache_stmt(c,
                                "INSERT INTO resources(profile, region, kind, id, parent,"
                                " json, fetched_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
                                " ON CONFLICT(profile, region, kind, id) DO NOTHING",
                                &rc);
            if (r == 1) {
                i += INSERT_RUN - 1;
                continue;
            }
            tried_run = i + INSERT_RUN;
        }
        if (fresh && ins) {
            int r = insert_new(c, ins, s, &rows[i], err);
            if (r < 0) {
                md_cache_rollback(c);
                return err ? err->code : MD_ERR_CACHE;
            }
            if (r == 1)
                continue;
        }
        bool touched;
        st = upsert_one(c, s, &rows[i], &touched, err);
        if (st != MD_OK) {
            md_cache_rollback(c);
            return st;
        }
        fresh = !touched;
    }
    return md_cache_commit(c, err);
}

md_status md_cache_prune(struct md_cache *c, const struct md_scope *s, const char *kind,
                         const char *parent, const char *const *keep_ids, size_t n,
                         struct md_err *err)
{
    return md_cache_prune_before(c, s, kind, parent, keep_ids, n, LLONG_MAX, err);
}

md_status md_cache_prune_before(struct md_cache *c, const struct md_scope *s, const char *kind,
                                const char *parent, const char *const *keep_ids, size_t n,
                                long long before_ms, struct md_err *err)
{
    if (!kind)
        return md_err_set(err, MD_ERR_INVALID, "prune without a kind");
    md_status st = md_cache_begin(c, err);
    if (st != MD_OK)
        return st;
    int rc;
    sqlite3_stmt *ins = md_cache_stmt(c, "INSERT OR IGNORE INTO temp.md_keep(id) VALUES (?1)", &rc);
    for (size_t i = 0; ins && i < n; i++) {
        if (!keep_ids[i])
            continue;
        sqlite3_bind_text(ins, 1, keep_ids[i], -1, SQLITE_STATIC);
        rc = sqlite3_step(ins);
        sqlite3_reset(ins);
        if (rc != SQLITE_DONE)
            break;
        rc = SQLITE_OK;
    }
    sqlite3_stmt *del = NULL;
    if (ins && rc == SQLITE_OK)
        del = md_cache_stmt(c,
                            parent ? "DELETE FROM resources WHERE profile = ?1 AND region = ?2"
                                     " AND kind = ?3 AND parent = ?4 AND fetched_at < ?5"
                                     " AND id NOT IN (SELECT id FROM temp.md_keep)"
                                   : "DELETE FROM resources WHERE profile = ?1 AND region = ?2"
                                     " AND kind = ?3 AND fetched_at < ?5"
                                     " AND id NOT IN (SELECT id FROM temp.md_keep)",
                            &rc);
    if (del) {
        bind_scope(del, s);
        sqlite3_bind_text(del, 3, kind, -1, SQLITE_STATIC);
        sqlite3_bind_int64(del, 5, before_ms);
        if (parent)
            sqlite3_bind_text(del, 4, parent, -1, SQLITE_STATIC);
        rc = sqlite3_step(del);
        sqlite3_reset(del);
        sqlite3_clear_bindings(del);
        if (rc == SQLITE_DONE)
            rc = sqlite3_exec(c->db, "DELETE FROM temp.md_keep", NULL, NULL, NULL);
    }
    if (rc != SQLITE_OK) {
        md_cache_sqlerr(c, rc, err, "pruning the cache");
        md_cache_rollback(c);
        return err ? err->code : MD_ERR_CACHE;
    }
    return md_cache_commit(c, err);
}

md_status md_cache_delete(struct md_cache *c, const struct md_scope *s, const char *kind,
                          const char *id, struct md_err *err)
{
    if (!kind || !id)
        return md_err_set(err, MD_ERR_INVALID, "delete without a kind or id");
    sqlite3_stmt *st = c->st_delete;
    bind_scope(st, s);
    sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, id, -1, SQLITE_STATIC);
    return step_done(c, st, err, "deleting from the cache");
}

md_status md_cache_get(struct md_cache *c, const struct md_scope *s, const char *kind,
                       const char *id, char **json_out, long long *fetched_at_ms,
                       struct md_err *err)
{
    *json_out = NULL;
    if (!kind || !id)
        return md_err_set(err, MD_ERR_INVALID, "get without a kind or id");
    sqlite3_stmt *st = c->st_get;
    bind_scope(st, s);
    sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    md_status out = MD_OK;
    if (rc == SQLITE_ROW) {
        const char *j = (const char *)sqlite3_column_text(st, 0);
        *json_out = strdup(j ? j : "null");
        if (fetched_at_ms)
            *fetched_at_ms = sqlite3_column_int64(st, 1);
        if (!*json_out)
            out = md_err_set(err, MD_ERR_NOMEM, "out of memory");
    } else if (rc == SQLITE_DONE) {
        out = md_err_set(err, MD_ERR_NOTFOUND, "%s %s is not in the cache", kind, id);
    } else {
        out = md_cache_sqlerr(c, rc, err, "reading the cache");
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return out;
}

md_status md_cache_fetched_at(struct md_cache *c, const struct md_scope *s, const char *kind,
                              const char *parent, long long *oldest_ms, struct md_err *err)
{
    *oldest_ms = 0;
    if (!kind)
        return md_err_set(err, MD_ERR_INVALID, "fetched_at without a kind");
    /* Every parent, but only one in fact (a top-level kind): the probe of
     * the (kind, parent, fetched_at) index instead of a walk over it. */
    char *only = NULL;
    int rc = SQLITE_OK;
    if (!parent) {
        rc = md_cache_single_parent(c, s, kind, &only);
        if (rc != SQLITE_OK)
            return md_cache_sqlerr(c, rc, err, "reading the cache age");
        parent = only;
    }
    sqlite3_stmt *st = parent ? c->st_fetched
                              : md_cache_stmt(c,
                                              "SELECT min(fetched_at) FROM resources"
                                              " WHERE profile = ?1 AND region = ?2 AND kind = ?3",
                                              &rc);
    if (!st) {
        free(only);
        return md_cache_sqlerr(c, rc, err, "reading the cache age");
    }
    bind_scope(st, s);
    sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
    if (parent)
        sqlite3_bind_text(st, 4, parent, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *oldest_ms = sqlite3_column_int64(st, 0);   /* NULL (no rows) reads as 0 */
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    free(only);
    return rc == SQLITE_ROW ? MD_OK : md_cache_sqlerr(c, rc, err, "reading the cache age");
}

/* ---- meta ------------------------------------------------------------- */

md_status md_cache_meta_get(struct md_cache *c, const struct md_scope *s, const char *key,
                            char **value_out, struct md_err *err)
{
    *value_out = NULL;
    if (!key)
        return md_err_set(err, MD_ERR_INVALID, "meta key missing");
    sqlite3_stmt *st = c->st_meta_get;
    bind_scope(st, s);
    sqlite3_bind_text(st, 3, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    md_status out = MD_OK;
    if (rc == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(st, 0);
        *value_out = strdup(v ? v : "");
        if (!*value_out)
            out = md_err_set(err, MD_ERR_NOMEM, "out of memory");
    } else if (rc == SQLITE_DONE) {
        out = md_err_set(err, MD_ERR_NOTFOUND, "no cache setting %s", key);
    } else {
        out = md_cache_sqlerr(c, rc, err, "reading a cache setting");
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return out;
}

md_status md_cache_meta_set(struct md_cache *c, const struct md_scope *s, const char *key,
                            const char *value, struct md_err *err)
{
    if (!key)
        return md_err_set(err, MD_ERR_INVALID, "meta key missing");
    sqlite3_stmt *st = value ? c->st_meta_set : c->st_meta_del;
    bind_scope(st, s);
    sqlite3_bind_text(st, 3, key, -1, SQLITE_STATIC);
    if (value)
        sqlite3_bind_text(st, 4, value, -1, SQLITE_STATIC);
    return step_done(c, st, err, "writing a cache setting");
}
