/* libFuzzer target for the cache's two readers of outside bytes.
 *
 * First byte 'F' (or anything else): the rest is the content of cache.db
 * as found on disk.  md_cache_open must either use it or move it aside and
 * start anew (never crash, never fail with a damaged-file error), and the
 * resulting cache must accept a row and answer a query.
 *
 * First byte 'Q': the rest is split at NUL bytes into a JSON path, filter
 * text, a kind and a JSON document: the path goes through the path check,
 * the query builder (sort and filter) and md_cache_index_paths; the
 * document through upsert (refused unless valid JSON) and md_json().
 *
 * Build by hand:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I src -I . -D_GNU_SOURCE \
 *     -DMLDECK_DATADIR='"/tmp"' tests/fuzz/fuzz_cache.c src/cache/[a-z]*.c \
 *     src/util/[a-z]*.c -lsqlite3 -lcjson -lpthread -lm -o fuzz_cache
 *   ./fuzz_cache -max_len=65536 tests/fuzz/corpus/cache
 *
 * With -DMD_FUZZ_MAIN instead of -fsanitize=fuzzer it replays the files
 * named on the command line, or without arguments the seed corpus in
 * $MLDECK_SRCDIR/tests/fuzz/corpus/cache, printing TAP (make check runs it
 * as tests/fuzz/replay_cache). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache/cache.h"
#include "cache/cache_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[256];

static void clean(void)
{
    static const char *const names[] = {"cache.db", "cache.db-wal", "cache.db-shm",
                                        "cache.db-journal", "cache.db.needs-check"};
    char p[400];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        unlink(p);
    }
    /* moved-aside files: remove whatever the rename produced */
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -f '%s'/cache.db.corrupt-*", dir);
    if (system(cmd) != 0)
        abort();
}

static int noop(void *ctx, const struct md_cache_row *r)
{
    (void)ctx;
    return r->json == NULL;
}

static void fuzz_file(const uint8_t *data, size_t size)
{
    char path[300];
    snprintf(path, sizeof path, "%s/cache.db", dir);
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    fwrite(data, 1, size, f);
    fclose(f);
    struct md_cache *c = NULL;
    struct md_err err;
    md_status st = md_cache_open(path, &c, &err);
    if (st != MD_OK) {
        fprintf(stderr, "open failed: %s\n", err.msg);
        abort();   /* any bytes must end in a usable cache */
    }
    struct md_scope s = {"p", "r"};
    struct md_cache_row row = {"k", "id", "", "{\"a\":1}", 0};
    if (md_cache_upsert(c, &s, &row, &err) != MD_OK) {
        fprintf(stderr, "upsert failed: %s\n", err.msg);
        abort();
    }
    struct md_cache_query q = {.kind = "k", .sort_path = "$.a", .limit = 5};
    if (md_cache_query(c, &s, &q, noop, NULL, &err) != MD_OK)
        abort();
    md_cache_close(c);
    clean();
}

static const char *next_part(const char **p, const char *end)
{
    const char *start = *p;
    while (*p < end && **p)
        (*p)++;
    if (*p < end)
        (*p)++;
    return start;
}

static void fuzz_query(const uint8_t *data, size_t size)
{
    /* copy with a terminating NUL so every part is a C string */
    char *buf = malloc(size + 1);
    if (!buf)
        return;
    memcpy(buf, data, size);
    buf[size] = '\0';
    const char *p = buf, *end = buf + size;
    const char *path = next_part(&p, end);
    const char *text = next_part(&p, end);
    const char *kind = next_part(&p, end);
    const char *json = next_part(&p, end);
    (void)md_cache_path_valid(path);

    static struct md_cache *c;
    if (!c) {
        char dbp[300];
        snprintf(dbp, sizeof dbp, "%s/query.db", dir);
        struct md_err err;
        if (md_cache_open(dbp, &c, &err) != MD_OK)
            abort();
    }
    struct md_scope s = {"p", "r"};
    struct md_err err;
    struct md_cache_row row = {kind, "x", "", json, 0};
    (void)md_cache_upsert(c, &s, &row, &err);
    const char *paths[] = {path, "$.a"};
    (void)md_cache_index_paths(c, kind, paths, 1, &err);
    struct md_cache_query q = {.kind = kind, .filter_paths = paths, .nfilter_paths = 2,
                               .filter_text = text, .sort_path = path, .limit = 3};
    long n;
    (void)md_cache_count(c, &s, &q, &n, &err);
    (void)md_cache_query(c, &s, &q, noop, NULL, &err);
    (void)md_cache_delete(c, &s, kind, "x", &err);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/md-fuzz-cache-%d", (int)getpid());
        char cmd[300];
        snprintf(cmd, sizeof cmd, "mkdir -p '%s'", dir);
        if (system(cmd) != 0)
            abort();
    }
    if (size > 0 && data[0] == 'Q')
        fuzz_query(data + 1, size - 1);
    else
        fuzz_file(size ? data + 1 : data, size ? size - 1 : 0);
    return 0;
}

#ifdef MD_FUZZ_MAIN
#include <dirent.h>

static int replay(const char *path, int k)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        printf("not ok %d - cannot read %s\n", k, path);
        return 1;
    }
    static uint8_t buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    LLVMFuzzerTestOneInput(buf, n);   /* aborts on failure */
    printf("ok %d - replay %s\n", k, path);
    fflush(stdout);
    return 0;
}

int main(int argc, char **argv)
{
    int k = 0, failed = 0;
    if (argc > 1) {
        for (int i = 1; i < argc; i++)
            failed += replay(argv[i], ++k);
    } else {
        const char *src = getenv("MLDECK_SRCDIR");
        char d[1024];
        snprintf(d, sizeof d, "%s/tests/fuzz/corpus/cache", src ? src : ".");
        DIR *dir_h = opendir(d);
        if (!dir_h) {
            printf("1..0 # SKIP no corpus at %s\n", d);
            return 0;
        }
        struct dirent *e;
        char p[1400];
        while ((e = readdir(dir_h)) != NULL) {
            if (e->d_name[0] == '.')
                continue;
            snprintf(p, sizeof p, "%s/%s", d, e->d_name);
            failed += replay(p, ++k);
        }
        closedir(dir_h);
    }
    printf("1..%d\n", k);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (dir[0] && system(cmd) != 0)
        failed++;
    return failed ? 1 : 0;
}
#endif
