/* JSON text as written: a strict RFC 8259 scanner.
 *
 * md_rawjson_valid says whether a text is one JSON value; the cache checks
 * every object it stores with it (faster than SQLite's json_valid, and
 * never more lenient: what it accepts, SQLite's JSON functions and cJSON
 * read; so a "\u" escape of a surrogate must be half of a pair).
 *
 * The elements of a reply's result array as the service wrote them:
 * A listing stores each item's JSON text in the cache.  Printing every item
 * again from its cJSON tree costs more than everything else the client does
 * for a page (each fractional timestamp goes through sprintf and sscanf).
 * The reply already holds that text: this scanner finds the array member of
 * the top-level object and cuts its elements out, minified (whitespace
 * outside strings dropped), after checking that the whole document is
 * strict RFC 8259 JSON.  Anything it is not sure about (a non-strict token,
 * an escaped top-level key, trailing bytes) makes it decline, and the caller
 * prints the items from the parsed tree as before. */
#ifndef MD_UTIL_RAWJSON_H
#define MD_UTIL_RAWJSON_H

#include <stdbool.h>
#include <stddef.h>

/* True when json[0..len) is exactly one strict RFC 8259 value with
 * whitespace around it, nested at most 500 deep.  NULL is not JSON. */
bool md_rawjson_valid(const char *json, size_t len);

struct md_rawjson_items {
    char *text;             /* every element, each NUL-terminated */
    size_t *off;            /* element i starts at text + off[i] */
    size_t n;
};

/* Finds the first member named key of the top-level object in json[0..len)
 * (the one cJSON_GetObjectItemCaseSensitive returns) and fills out with its
 * elements.  Returns 0 when key names an array (n may be 0), 1 when the
 * member is absent or not an array, -1 when the document is not strict JSON,
 * has an escaped top-level key, nests deeper than 500, or memory ran out.
 * out is always initialized; md_rawjson_items_free it in every case. */
int md_rawjson_array_items(const char *json, size_t len, const char *key,
                           struct md_rawjson_items *out);
void md_rawjson_items_free(struct md_rawjson_items *items);

/* The text of the first top-level member named key, as written (not
 * minified): *val points into json.  Same checks and returns as
 * md_rawjson_array_items (0 found, 1 absent, -1 declined). */
int md_rawjson_member(const char *json, size_t len, const char *key, const char **val,
                      size_t *val_len);

/* The last member of the top-level object, found from the end in a few
 * bytes without reading the rest, when it is key and its value a string
 * with no escape: 0 found (*val its text, quotes included), else 1.  For a
 * document md_rawjson_valid accepts, what it finds is that object's last
 * member named key (md_rawjson_member finds the first: the same one unless
 * the key is repeated); it says nothing of other documents, whose own
 * reading must refuse them.  A listing's next token, read before the page. */
int md_rawjson_tail_member(const char *json, size_t len, const char *key, const char **val,
                           size_t *val_len);

/* Several top-level members in one pass: vals[j] / lens[j] the text of the
 * first member named keys[j] (a key may be given twice), NULL / 0 when
 * absent.  At most 8 keys.
 * 0, or -1 declined as md_rawjson_member (every vals[j] then NULL). */
int md_rawjson_members(const char *json, size_t len, const char *const *keys, size_t n,
                       const char **vals, size_t *lens);

#endif
