/* A small XML tree built with expat, for the AWS query and rest-xml replies
 * (STS, S3, CloudWatch query errors).  Namespaces are dropped from element
 * names (<ns:Code> and <Code xmlns=...> are both "Code"); text is the
 * concatenated character data of an element, whitespace kept.  DTDs and
 * entity declarations are refused (no billion laughs). */
#ifndef MD_NET_XML_H
#define MD_NET_XML_H

#include <stddef.h>

#include "util/err.h"

struct md_xml {
    char *name;
    char *text;                 /* "" when none; never NULL */
    struct md_xml *parent;
    struct md_xml *child;       /* first child */
    struct md_xml *next;        /* next sibling */
};

/* Parses n bytes; *out is freed with md_xml_free.  MD_ERR_PARSE on
 * malformed input (message names the line). */
md_status md_xml_parse(const char *data, size_t n, struct md_xml **out, struct md_err *err);
void md_xml_free(struct md_xml *x);

/* First child called name, or NULL. */
const struct md_xml *md_xml_child(const struct md_xml *x, const char *name);
/* Next sibling after x with the same name as x, or NULL. */
const struct md_xml *md_xml_next_same(const struct md_xml *x);
/* Follows a '/'-separated path of child names from x ("Error/Code");
 * a leading name equal to x's own name is not skipped.  NULL if absent. */
const struct md_xml *md_xml_find(const struct md_xml *x, const char *path);
/* Text at path, or NULL. */
const char *md_xml_text(const struct md_xml *x, const char *path);

#endif
