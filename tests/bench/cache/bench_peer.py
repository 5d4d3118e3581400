"""Cache benchmark, peer side: the same rows and the same reads as
bench_cache.c, written directly against SQLite (Python's sqlite3 module,
the same libsqlite3) in the most direct way: one table, the same partial
expression indexes, ORDER BY/LIMIT/OFFSET in one statement, LIKE filters,
INSERT OR REPLACE.  Prints "name milliseconds" (CPU time).

    bench_peer.py DBFILE [ROWS]"""
import sqlite3
import sys
import time

STATUSES = ["Succeeded", "Failed", "Executing", "Stopped", "Stopping"]


def make_json(i, n):
    r = (i * 7919) % n
    return ('{"Name":"run-%06d","Status":"%s","Score":%d,"Started":%d,'
            '"Notes":"synthetic row %d for the cache benchmark, padding padding padding"}'
            % (r, STATUSES[i % 5], r % 1000, 1760000000 + i, i))


def timed(name, fn):
    t = time.process_time()
    fn()
    print("%s %.3f" % (name, (time.process_time() - t) * 1e3))


def main():
    path = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 100000
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA cache_size=-8192")
    db.executescript("""
        CREATE TABLE resources (seq INTEGER PRIMARY KEY, profile TEXT NOT NULL,
          region TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL,
          parent TEXT NOT NULL DEFAULT '', json TEXT NOT NULL,
          fetched_at INTEGER NOT NULL);
        CREATE UNIQUE INDEX resources_key ON resources(profile, region, kind, id);
        CREATE INDEX resources_age ON resources(profile, region, kind, parent, fetched_at);
    """)
    for i, p in enumerate(["$.Name", "$.Status", "$.Score"]):
        db.execute("CREATE INDEX x%d ON resources(profile, region, parent, "
                   "json_extract(json,'%s') COLLATE NOCASE) WHERE kind = 'runs'" % (i, p))
    ins = ("INSERT OR REPLACE INTO resources(profile, region, kind, id, parent, json, fetched_at)"
           " VALUES ('bench', 'eu-west-1', 'runs', ?, '', ?, ?)")

    def load(base):
        db.execute("BEGIN IMMEDIATE")
        db.executemany(ins, (("i%07d" % i, make_json(i, n), base + i) for i in range(n)))
        db.execute("COMMIT")

    where = "profile = 'bench' AND region = 'eu-west-1' AND kind = 'runs' AND parent = ''"
    flt = ("(json_extract(json,'$.Name') LIKE '%stopped%' OR "
           "json_extract(json,'$.Status') LIKE '%stopped%')")

    def rows(sql):
        return lambda: sum(len(r[0]) for r in db.execute(sql))

    timed("insert", lambda: load(1000))
    timed("count", lambda: db.execute("SELECT count(*) FROM resources WHERE " + where).fetchone())
    order = " ORDER BY json_extract(json,'$.Name') COLLATE NOCASE, seq"
    timed("first_window", rows("SELECT json FROM resources WHERE " + where + order + " LIMIT 50"))
    timed("last_window", rows("SELECT json FROM resources WHERE " + where + order
                              + " LIMIT 50 OFFSET %d" % (n - 50)))
    timed("filtered_count", lambda: db.execute(
        "SELECT count(*) FROM resources WHERE " + where + " AND " + flt).fetchone())
    timed("filtered_window", rows("SELECT json FROM resources WHERE " + where + " AND " + flt
                                  + order + " LIMIT 50"))
    timed("unindexed_sort", rows("SELECT json FROM resources WHERE " + where
                                 + " ORDER BY json_extract(json,'$.Started') DESC, seq DESC LIMIT 50"))
    timed("refresh_unchanged", lambda: load(2000))
    db.close()


main()
