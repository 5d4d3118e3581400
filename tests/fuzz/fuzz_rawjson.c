/* libFuzzer target for util/rawjson.h, with cJSON and SQLite as oracles:
 * whenever the scanner hands elements over, cJSON must read the same
 * document to the same array, element for element; whenever it calls a
 * text valid, SQLite's json_valid must agree (the cache stores what it
 * accepts) and so must the same walk over the whole text.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc -I. \
 *     tests/fuzz/fuzz_rawjson.c src/util/rawjson.c src/util/buf.c -lcjson -lsqlite3
 *
 * With -DMD_FUZZ_MAIN it replays the seed corpus in
 * $MLDECK_SRCDIR/tests/fuzz/corpus/rawjson (TAP, run by make check). */
#define _GNU_SOURCE     /* memmem */
#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/rawjson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const char *doc, size_t size, const char *key)
{
    struct md_rawjson_items it;
    int rc = md_rawjson_array_items(doc, size, key, &it);
    cJSON *j = cJSON_ParseWithLength(doc, size);
    if (rc == 0 && j) {
        const cJSON *arr = cJSON_GetObjectItemCaseSensitive(j, key);
        if (!cJSON_IsArray(arr) || (size_t)cJSON_GetArraySize(arr) != it.n)
            abort();
        size_t i = 0;
        const cJSON *el;
        cJSON_ArrayForEach(el, arr) {
            /* Printed, not cJSON_Compare'd: Compare looks keys up by name,
             * so an object with a duplicate key never equals itself. */
            cJSON *mine = cJSON_Parse(it.text + it.off[i++]);
            char *a = mine ? cJSON_PrintUnformatted(mine) : NULL;
            char *b = cJSON_PrintUnformatted(el);
            if (!a || !b || strcmp(a, b) != 0)
                abort();
            cJSON_free(a);
            cJSON_free(b);
            cJSON_Delete(mine);
        }
    }
    if (rc != 0 && (it.n || it.text || it.off))
        abort();
    /* The member's own text must read as cJSON's member. */
    const char *v;
    size_t n;
    int mrc = md_rawjson_member(doc, size, key, &v, &n);
    if ((mrc == 0) != (v != NULL) || (mrc != 0 && n != 0))
        abort();
    /* Same walk: declined by one means declined by the other; an array
     * found means a member found; an absent member means no array. */
    if ((rc < 0) != (mrc < 0) || (rc == 0 && mrc != 0) || (mrc == 1 && rc != 1))
        abort();
    if (mrc == 0 && j) {
        cJSON *mine = cJSON_ParseWithLength(v, n);
        const cJSON *theirs = cJSON_GetObjectItemCaseSensitive(j, key);
        char *a = mine ? cJSON_PrintUnformatted(mine) : NULL;
        char *b = theirs ? cJSON_PrintUnformatted(theirs) : NULL;
        if (!a || !b || strcmp(a, b) != 0)
            abort();
        cJSON_free(a);
        cJSON_free(b);
        cJSON_Delete(mine);
    }
    /* Several members in one pass read as each one alone. */
    const char *keys[2] = {key, "NextToken"};
    const char *vals[2];
    size_t lens[2];
    int mmrc = md_rawjson_members(doc, size, keys, 2, vals, lens);
    if ((mmrc < 0) != (mrc < 0) || (mmrc == 0 && (vals[0] != v || lens[0] != n)))
        abort();
    const char *tv;
    size_t tn;
    if (mmrc == 0 && md_rawjson_member(doc, size, "NextToken", &tv, &tn) >= 0 &&
        (vals[1] != tv || lens[1] != tn))
        abort();
    /* Found from the end in a valid document: a member of that name is
     * there (unless the forward walk declined, for an escaped key), and
     * the same one when the name appears once. */
    const char *tv2;
    size_t tn2;
    if (md_rawjson_tail_member(doc, size, key, &tv2, &tn2) == 0 && md_rawjson_valid(doc, size)) {
        if (mrc == 1)
            abort();
        char quoted[64];
        snprintf(quoted, sizeof quoted, "\"%s\"", key);
        const char *first = memmem(doc, size, quoted, strlen(quoted));
        bool once = first && !memmem(first + 1, size - (size_t)(first + 1 - doc), quoted,
                                     strlen(quoted));
        if (once && mrc == 0 && (tv2 != v || tn2 != n))
            abort();
    }
    cJSON_Delete(j);
    md_rawjson_items_free(&it);
}

static void check_valid(const char *doc, size_t size)
{
    if (!md_rawjson_valid(doc, size))
        return;
    static sqlite3 *db;
    static sqlite3_stmt *st;
    if (!db && (sqlite3_open(":memory:", &db) != SQLITE_OK ||
                sqlite3_prepare_v2(db, "SELECT json_valid(?1)", -1, &st, NULL) != SQLITE_OK))
        abort();
    sqlite3_bind_text(st, 1, doc, (int)size, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW || sqlite3_column_int(st, 0) != 1)
        abort();
    sqlite3_reset(st);
    /* a valid text is one cJSON reads too */
    cJSON *j = cJSON_ParseWithLength(doc, size);
    if (!j)
        abort();
    cJSON_Delete(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The scanner takes a length; cJSON wants the bytes NUL-terminated too. */
    char *doc = malloc(size + 1);
    if (!doc)
        return 0;
    memcpy(doc, data, size);
    doc[size] = '\0';
    check(doc, size, "Items");
    check(doc, size, "TrainingJobSummaries");
    check_valid(doc, size);
    free(doc);
    return 0;
}

#ifdef MD_FUZZ_MAIN
#define MD_FUZZ_CORPUS "rawjson"
#include "replay.h"
#endif
