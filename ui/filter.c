#include "ui/filter.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Exact title match wins; else a unique prefix; -2 when ambiguous. */
static int find_column(const char *name, size_t len, const char *const *titles, size_t n)
{
    int found = -1;
    for (size_t i = 0; i < n; i++)
        if (strlen(titles[i]) == len && !strncasecmp(titles[i], name, len))
            return (int)i;
    for (size_t i = 0; i < n; i++)
        if (strlen(titles[i]) > len && !strncasecmp(titles[i], name, len)) {
            if (found >= 0)
                return -2;
            found = (int)i;
        }
    return found;
}

static void copy_unescaped(char *dst, size_t n, const char *src)
{
    size_t w = 0;
    for (const char *p = src; *p && w + 1 < n; p++) {
        if (p[0] == '\\' && p[1] == ':')
            p++;
        dst[w++] = *p;
    }
    dst[w] = '\0';
}

void md_filter_parse(const char *spec, const char *const *titles, size_t n, struct md_filter *out)
{
    memset(out, 0, sizeof *out);
    out->column = -1;
    if (!spec)
        return;
    /* First unescaped colon. */
    const char *colon = NULL;
    for (const char *p = spec; *p; p++) {
        if (p[0] == '\\' && p[1] == ':') {
            p++;
            continue;
        }
        if (*p == ':') {
            colon = p;
            break;
        }
    }
    if (!colon || colon == spec) {
        copy_unescaped(out->text, sizeof out->text, spec);
        return;
    }
    int col = find_column(spec, (size_t)(colon - spec), titles, n);
    if (col == -2) {
        snprintf(out->error, sizeof out->error, "column '%.*s' is ambiguous",
                 (int)(colon - spec) > 60 ? 60 : (int)(colon - spec), spec);
        return;
    }
    if (col < 0) {
        /* Not a column: the colon is text ("arn:aws:..."). */
        copy_unescaped(out->text, sizeof out->text, spec);
        return;
    }
    out->column = col;
    copy_unescaped(out->text, sizeof out->text, colon + 1);
}
