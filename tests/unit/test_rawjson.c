/* util/rawjson.h: the validity check the cache relies on (against
 * SQLite's own json_valid), the elements of a reply's result array cut out
 * of its text, and every case in which the scanner must decline. */
#include <stdio.h>
#include <stdlib.h>
#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <string.h>

#include "util/rawjson.h"
#include "../tap.h"

static int items(const char *json, const char *key, struct md_rawjson_items *out)
{
    return md_rawjson_array_items(json, json ? strlen(json) : 0, key, out);
}

static void declines(const char *json, const char *why)
{
    struct md_rawjson_items it;
    int rc = items(json, "Items", &it);
    TAP_EQ_INT(rc, -1, "%s", why);
    TAP_OK(it.n == 0 && !it.text && !it.off, "nothing is handed over when declining");
    md_rawjson_items_free(&it);
}

static void test_page(void)
{
    struct md_rawjson_items it;
    const char *page =
        " {\n  \"NextToken\" : \"abc\\\"]\" ,\n"
        "  \"Items\" : [\n"
        "    { \"Name\" : \"a b\", \"Time\" : 1795697012.8379297, \"N\": -0.5e+3 },\n"
        "    {\"Nested\": {\"Items\": [1, 2]}, \"L\": [ true , false , null ]},\n"
        "    \"text with [brackets], {braces} and \\\\ \\u00e9 \\/\",\n"
        "    42\n"
        "  ]\t}\r\n";
    TAP_EQ_INT(items(page, "Items", &it), 0, "a page's array is found");
    TAP_EQ_INT((int)it.n, 4, "four elements");
    if (it.n == 4) {
        TAP_EQ_STR(it.text + it.off[0], "{\"Name\":\"a b\",\"Time\":1795697012.8379297,\"N\":-0.5e+3}",
                   "an object, minified, numbers as written");
        TAP_EQ_STR(it.text + it.off[1], "{\"Nested\":{\"Items\":[1,2]},\"L\":[true,false,null]}",
                   "nested containers and literals");
        TAP_EQ_STR(it.text + it.off[2], "\"text with [brackets], {braces} and \\\\ \\u00e9 \\/\"",
                   "a string keeps its spaces, brackets and escapes");
        TAP_EQ_STR(it.text + it.off[3], "42", "a number");
    }
    md_rawjson_items_free(&it);
    TAP_OK(!it.text && !it.off && it.n == 0, "free leaves it empty");
    md_rawjson_items_free(&it);     /* twice is harmless */

    TAP_EQ_INT(items("{\"Items\":[]}", "Items", &it), 0, "an empty array");
    TAP_EQ_INT((int)it.n, 0, "no elements");
    md_rawjson_items_free(&it);

    TAP_EQ_INT(items("{\"Other\":[1],\"NextToken\":\"x\"}", "Items", &it), 1, "absent member");
    md_rawjson_items_free(&it);
    TAP_EQ_INT(items("{\"Items\":{\"a\":[1]}}", "Items", &it), 1, "member that is not an array");
    md_rawjson_items_free(&it);
    TAP_EQ_INT(items("{}", "Items", &it), 1, "empty object");
    md_rawjson_items_free(&it);
    TAP_EQ_INT(items("{\"X\":{\"Items\":[1]}}", "Items", &it), 1,
               "a member of a nested object is not the top-level one");
    md_rawjson_items_free(&it);

    /* cJSON_GetObjectItemCaseSensitive takes the first of duplicate keys. */
    TAP_EQ_INT(items("{\"Items\":[1],\"Items\":[2,3]}", "Items", &it), 0, "duplicate keys");
    TAP_OK(it.n == 1 && !strcmp(it.text + it.off[0], "1"), "the first one wins");
    md_rawjson_items_free(&it);
    TAP_EQ_INT(items("{\"Items\":7,\"Items\":[2,3]}", "Items", &it), 1,
               "the first one wins even when it is not an array");
    md_rawjson_items_free(&it);
    TAP_EQ_INT(items("{\"items\":[1]}", "Items", &it), 1, "keys are case-sensitive");
    md_rawjson_items_free(&it);
    TAP_EQ_INT(items("{\"Items2\":[1],\"Item\":[2]}", "Items", &it), 1, "no prefix matches");
    md_rawjson_items_free(&it);
}

static void test_declines(void)
{
    declines(NULL, "NULL text");
    declines("", "empty text");
    declines("[1,2]", "a top-level array");
    declines("{\"Items\":[1,2]", "unterminated object");
    declines("{\"Items\":[1,2}", "unterminated array");
    declines("{\"Items\":[1,2]} x", "trailing bytes");
    declines("{\"Items\":[1,2],}", "trailing comma in the object");
    declines("{\"Items\":[1,2,]}", "trailing comma in the array");
    declines("{\"Items\":[+1]}", "a number with a plus sign");
    declines("{\"Items\":[01]}", "a number with a leading zero");
    declines("{\"Items\":[.5]}", "a number without an integer part");
    declines("{\"Items\":[1.]}", "a number without fraction digits");
    declines("{\"Items\":[1e]}", "an exponent without digits");
    declines("{\"Items\":[NaN]}", "NaN");
    declines("{\"Items\":[\"a\tb\"]}", "a raw tab in a string");
    declines("{\"Items\":[\"a\\x\"]}", "an unknown escape");
    declines("{\"Items\":[\"\\u12g4\"]}", "a bad \\u escape");
    declines("{\"Items\":[\"abc]}", "an unterminated string");
    declines("{\"It\\u0065ms\":[1]}", "an escaped top-level key (could be the one asked for)");
    declines("{\"Other\":[tru]}", "a bad literal in another member");
    declines("{\"Other\":[1 2]}", "a missing comma in another member");
    declines("{\"Items\" [1]}", "a missing colon");
    declines("{Items:[1]}", "an unquoted key");

    /* Nesting: 500 levels are fine, deeper is declined (cJSON's limit is 1000). */
    char deep[1300];
    size_t k = 0;
    k += (size_t)snprintf(deep, sizeof deep, "{\"Items\":[");
    for (int i = 0; i < 498; i++)
        deep[k++] = '[';
    for (int i = 0; i < 498; i++)
        deep[k++] = ']';
    k += (size_t)snprintf(deep + k, sizeof deep - k, "]}");
    struct md_rawjson_items it;
    TAP_EQ_INT(md_rawjson_array_items(deep, k, "Items", &it), 0, "500 levels deep");
    md_rawjson_items_free(&it);
    k = 0;
    k += (size_t)snprintf(deep, sizeof deep, "{\"Items\":[");
    for (int i = 0; i < 600; i++)
        deep[k++] = '[';
    for (int i = 0; i < 600; i++)
        deep[k++] = ']';
    k += (size_t)snprintf(deep + k, sizeof deep - k, "]}");
    TAP_EQ_INT(md_rawjson_array_items(deep, k, "Items", &it), -1, "600 levels deep: declined");
    md_rawjson_items_free(&it);

    /* A NUL inside the given length is not whitespace. */
    const char nul[] = "{\"Items\":[1]}";
    TAP_EQ_INT(md_rawjson_array_items(nul, sizeof nul, "Items", &it), -1, "a NUL after the document");
    md_rawjson_items_free(&it);

    /* The length is honoured: a valid document cut short is declined. */
    const char *full = "{\"Items\":[1,2]}";
    TAP_EQ_INT(md_rawjson_array_items(full, strlen(full) - 1, "Items", &it), -1,
               "the text ends where the length says");
    md_rawjson_items_free(&it);
}

static void test_big(void)
{
    /* 1000 elements: the offsets table grows. */
    size_t cap = 1000 * 40 + 64, k = 0;
    char *doc = malloc(cap);
    if (!doc) {
        TAP_OK(0, "malloc");
        return;
    }
    k += (size_t)snprintf(doc + k, cap - k, "{\"Items\":[");
    for (int i = 0; i < 1000; i++)
        k += (size_t)snprintf(doc + k, cap - k, "%s{\"i\": %d}", i ? ", " : "", i);
    k += (size_t)snprintf(doc + k, cap - k, "]}");
    struct md_rawjson_items it;
    TAP_EQ_INT(md_rawjson_array_items(doc, k, "Items", &it), 0, "1000 elements");
    TAP_EQ_INT((int)it.n, 1000, "all of them");
    TAP_EQ_STR(it.n == 1000 ? it.text + it.off[999] : "", "{\"i\":999}", "the last one");
    md_rawjson_items_free(&it);
    free(doc);
}

static void test_member(void)
{
    const char *v;
    size_t n;
    const char *page = "{ \"Items\": [1, 2], \"NextToken\" : \"ab\\\"c\" , \"More\": true }";
    TAP_EQ_INT(md_rawjson_member(page, strlen(page), "NextToken", &v, &n), 0, "a member is found");
    TAP_OK(v && n == 7 && !memcmp(v, "\"ab\\\"c\"", 7), "its text as written, quotes and escapes");
    TAP_EQ_INT(md_rawjson_member(page, strlen(page), "Items", &v, &n), 0, "an array member");
    TAP_OK(v && n == 6 && !memcmp(v, "[1, 2]", 6), "not minified");
    TAP_EQ_INT(md_rawjson_member(page, strlen(page), "More", &v, &n), 0, "a literal member");
    TAP_OK(v && n == 4 && !memcmp(v, "true", 4), "true");
    TAP_EQ_INT(md_rawjson_member(page, strlen(page), "Nope", &v, &n), 1, "absent");
    TAP_OK(!v && n == 0, "absent: nothing");
    const char *dup = "{\"T\":\"first\",\"T\":\"second\"}";
    TAP_EQ_INT(md_rawjson_member(dup, strlen(dup), "T", &v, &n), 0, "duplicate member");
    TAP_OK(v && n == 7 && !memcmp(v, "\"first\"", 7), "the first one");
    const char *bad = "{\"NextToken\":\"x\",\"Items\":[01]}";
    TAP_EQ_INT(md_rawjson_member(bad, strlen(bad), "NextToken", &v, &n), -1,
               "the whole document is checked, not only up to the member");
    TAP_OK(!v && n == 0, "declined: nothing");
    TAP_EQ_INT(md_rawjson_member(NULL, 0, "T", &v, &n), -1, "NULL text");
}

static void test_tail_member(void)
{
    const char *v;
    size_t n;
    const char *page = "{\"Items\":[{\"NextToken\":\"inner\"}], \"NextToken\" : \"tok/+=\" }\n";
    TAP_EQ_INT(md_rawjson_tail_member(page, strlen(page), "NextToken", &v, &n), 0,
               "tail: the last member, from the end");
    TAP_OK(v && n == 8 && !memcmp(v, "\"tok/+=\"", 8), "tail: its text, quotes included");
    const char *single = "{\"NextToken\":\"\"}";
    TAP_EQ_INT(md_rawjson_tail_member(single, strlen(single), "NextToken", &v, &n), 0,
               "tail: the only member, an empty string");
    TAP_OK(v && n == 2, "tail: \"\"");
    static const char *const no[] = {
        "{\"Items\":[],\"NextToken\":\"a\\\"b\"}",     /* an escape: read it forwards */
        "{\"NextToken\":\"a\",\"Items\":[]}",             /* not the last member */
        "{\"NextToken\":5}",                                  /* not a string */
        "{\"XNextToken\":\"a\"}",                           /* another key */
        "{\"a\\\"NextToken\":\"a\"}",                    /* inside another key */
        "[\"NextToken\",\"a\"]",                            /* not an object */
        "\"NextToken\":\"a\"}",                             /* nothing before the key */
        "",
    };
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        TAP_EQ_INT(md_rawjson_tail_member(no[i], strlen(no[i]), "NextToken", &v, &n), 1,
                   "tail: not that shape: %s", no[i]);
    TAP_EQ_INT(md_rawjson_tail_member(NULL, 0, "NextToken", &v, &n), 1, "tail: NULL");
}

static void test_members(void)
{
    const char *v[4];
    size_t n[4];
    const char *obj = "{\"Name\":\"job-1\", \"Time\": 1795724822.13578,\"S\":\"a\\\"b\","
                      "\"Name\":\"later\",\"Deep\":{\"Time\":1}}";
    const char *keys[] = {"Time", "Name", "S", "Nope"};
    TAP_EQ_INT(md_rawjson_members(obj, strlen(obj), keys, 4, v, n), 0, "members: one pass");
    TAP_OK(v[0] && n[0] == 16 && !memcmp(v[0], "1795724822.13578", 16), "a number as written");
    TAP_OK(v[1] && n[1] == 7 && !memcmp(v[1], "\"job-1\"", 7), "the first of a repeated member");
    TAP_OK(v[2] && n[2] == 6 && !memcmp(v[2], "\"a\\\"b\"", 6), "a string with its escapes");
    TAP_OK(!v[3] && n[3] == 0, "an absent member: NULL");
    const char *bad = "{\"Name\":\"x\",\"Time\":01}";
    TAP_EQ_INT(md_rawjson_members(bad, strlen(bad), keys, 2, v, n), -1,
               "members: the whole object is checked");
    TAP_OK(!v[0] && !v[1], "declined: nothing");
    const char *many[9] = {"a", "b", "c", "d", "e", "f", "g", "h", "i"};
    const char *vv[9];
    size_t nn[9];
    TAP_EQ_INT(md_rawjson_members("{}", 2, many, 9, vv, nn), -1, "more than 8 keys: declined");
    TAP_EQ_INT(md_rawjson_members("[1]", 3, keys, 1, v, n), -1, "not an object: declined");
}

/* What md_rawjson_valid accepts, SQLite's JSON functions must read: the
 * cache stores objects checked by it alone. */
static int sqlite_json_valid(sqlite3 *db, const char *text, size_t len)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT json_valid(?1)", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, text, (int)len, SQLITE_STATIC);
    int v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_finalize(st);
    return v;
}

static void test_valid(void)
{
    static const struct { const char *text; int valid; } cases[] = {
        {"{}", 1}, {"[]", 1}, {"1", 1}, {"\"a\"", 1}, {" {\"a\":1}\r\n", 1},
        {"{\"a\": 1 , \"b\" :[ 1 , 2 ] }", 1}, {"{\"a\":\t-0.5e+3}", 1},
        {"{\"a\":\"\\u00e9 \\/ \\\" \xc3\xa9\"}", 1}, {"[true,false,null]", 1},
        {"", 0}, {" ", 0}, {"{\"a\":01}", 0}, {"{\"a\":+1}", 0}, {"{\"a\":1.}", 0},
        {"{\"a\":.5}", 0}, {"{\"a\":1e}", 0}, {"{\"a\":-}", 0}, {"{\"a\":0x10}", 0},
        {"{\"a\":\"\x01\"}", 0}, {"{\"a\":\"\\x\"}", 0}, {"{\"a\":\"\\u12\"}", 0},
        {"{\"a\":NaN}", 0}, {"{'a':1}", 0}, {"{\"a\":1,}", 0}, {"[1,]", 0}, {"{\"a\":nul}", 0},
        {"{\"a\":1}x", 0}, {"{\"a\":1}{}", 0}, {"{\"a\":\f1}", 0}, {"\"open", 0}, {"{\"a\"}", 0},
        /* surrogates: a pair is one character; cJSON refuses a lone half */
        {"\"\\ud83d\\ude00\"", 1}, {"\"\\uD83D\\uDE00x\"", 1}, {"\"\\udddd\"", 0},
        {"\"\\ud83d\"", 0}, {"\"\\ud83dx\"", 0}, {"\"\\ud83d\\u0041\"", 0},
        {"\"\\ud83d\\ud83d\"", 0},
    };
    sqlite3 *db = NULL;
    sqlite3_open(":memory:", &db);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *t = cases[i].text;
        bool v = md_rawjson_valid(t, strlen(t));
        TAP_EQ_INT(v, cases[i].valid, "valid(%s)", t);
        if (v) {
            TAP_EQ_INT(sqlite_json_valid(db, t, strlen(t)), 1, "SQLite reads %s too", t);
            cJSON *j = cJSON_Parse(t);
            TAP_OK(j != NULL, "cJSON reads %s too", t);
            cJSON_Delete(j);
        }
    }
    TAP_OK(!md_rawjson_valid(NULL, 0), "NULL is not JSON");
    TAP_OK(!md_rawjson_valid("{\"a\":1}", 5), "the length given is the text: a cut object is not");
    /* nesting: 500 levels are JSON, 501 are refused (SQLite allows 2000) */
    char deep[1100];
    for (int depth = 500; depth <= 501; depth++) {
        memset(deep, '[', (size_t)depth);
        memset(deep + depth, ']', (size_t)depth);
        TAP_EQ_INT(md_rawjson_valid(deep, 2 * (size_t)depth), depth == 500, "%d levels", depth);
    }
    sqlite3_close(db);
}

int main(void)
{
    test_valid();
    test_member();
    test_members();
    test_tail_member();
    test_page();
    test_declines();
    test_big();
    return tap_done();
}
