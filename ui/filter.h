/* The `/` filter's little language: "text" matches every visible column,
 * "column:text" one column (by title, case-insensitive, or a unique prefix
 * of it).  Pure: no ncurses, unit-tested. */
#ifndef MD_UI_FILTER_H
#define MD_UI_FILTER_H

#include <stddef.h>

struct md_filter {
    int column;          /* index into the titles given, -1 = every column */
    char text[256];      /* what to look for (may be "") */
    char error[128];     /* "" when the filter parsed */
};

/* Parses spec against titles[0..n).  "a:b" whose "a" names no column is
 * plain text (so "arn:aws:..." works); an ambiguous prefix is an error; a
 * "\:" escapes a colon meant as text; "status:" with no value matches all. */
void md_filter_parse(const char *spec, const char *const *titles, size_t n, struct md_filter *out);

#endif
