#include "net/xml.h"

#include <expat.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

#define MAX_DEPTH 64

struct builder {
    XML_Parser p;
    struct md_xml *root;
    struct md_xml *cur;
    struct md_xml *last_child[MAX_DEPTH + 1];  /* append in O(1) */
    struct md_buf text[MAX_DEPTH + 1];
    int depth;
    bool failed;
    const char *why;
};

static void fail(struct builder *b, const char *why)
{
    if (!b->failed) {
        b->failed = true;
        b->why = why;
        XML_StopParser(b->p, XML_FALSE);
    }
}

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
    struct builder *b = ud;
    if (b->failed)
        return;
    if (b->depth >= MAX_DEPTH) {
        fail(b, "nested too deeply");
        return;
    }
    if (!b->cur && b->root) {
        fail(b, "more than one root element");
        return;
    }
    const char *local = strrchr(name, ':');
    local = local ? local + 1 : name;
    struct md_xml *x = calloc(1, sizeof *x);
    if (!x || !(x->name = strdup(local))) {
        free(x);
        fail(b, "out of memory");
        return;
    }
    x->parent = b->cur;
    if (!b->cur) {
        b->root = x;
    } else {
        struct md_xml **tail = &b->last_child[b->depth];
        if (*tail)
            (*tail)->next = x;
        else
            b->cur->child = x;
        *tail = x;
    }
    b->cur = x;
    b->depth++;
    b->last_child[b->depth] = NULL;
    md_buf_reset(&b->text[b->depth]);
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
    struct builder *b = ud;
    if (b->failed || !b->cur)
        return;
    struct md_buf *t = &b->text[b->depth];
    b->cur->text = t->len ? strndup(t->data, t->len) : strdup("");
    if (!b->cur->text) {
        fail(b, "out of memory");
        return;
    }
    md_buf_reset(t);
    b->cur = b->cur->parent;
    b->depth--;
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
    struct builder *b = ud;
    if (b->failed || !b->cur || len <= 0)
        return;
    if (md_buf_append(&b->text[b->depth], s, (size_t)len) < 0)
        fail(b, "out of memory");
}

static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
                               const XML_Char *pubid, int has_internal)
{
    fail(ud, "DOCTYPE is not allowed");
}

static void XMLCALL on_entity(void *ud, const XML_Char *name, int is_param,
                              const XML_Char *value, int value_len, const XML_Char *base,
                              const XML_Char *sysid, const XML_Char *pubid,
                              const XML_Char *notation)
{
    fail(ud, "entity declarations are not allowed");
}

void md_xml_free(struct md_xml *x)
{
    /* iterative over siblings, recursive over depth (bounded by MAX_DEPTH) */
    while (x) {
        struct md_xml *next = x->next;
        md_xml_free(x->child);
        free(x->name);
        free(x->text);
        free(x);
        x = next;
    }
}

md_status md_xml_parse(const char *data, size_t n, struct md_xml **out, struct md_err *err)
{
    *out = NULL;
    struct builder b;
    memset(&b, 0, sizeof b);
    b.p = XML_ParserCreate("UTF-8");
    if (!b.p)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    XML_SetUserData(b.p, &b);
    XML_SetElementHandler(b.p, on_start, on_end);
    XML_SetCharacterDataHandler(b.p, on_text);
    XML_SetStartDoctypeDeclHandler(b.p, on_doctype);
    XML_SetEntityDeclHandler(b.p, on_entity);
    md_status st = MD_OK;
    if (n > (size_t)1 << 30) {
        st = md_err_set(err, MD_ERR_PARSE, "XML document too large");
    } else if (XML_Parse(b.p, data ? data : "", (int)n, XML_TRUE) == XML_STATUS_ERROR || b.failed) {
        if (b.failed)
            st = md_err_set(err, MD_ERR_PARSE, "malformed XML: %s (line %lu)", b.why,
                            (unsigned long)XML_GetCurrentLineNumber(b.p));
        else
            st = md_err_set(err, MD_ERR_PARSE, "malformed XML: %s (line %lu)",
                            XML_ErrorString(XML_GetErrorCode(b.p)),
                            (unsigned long)XML_GetCurrentLineNumber(b.p));
    } else if (!b.root || b.cur) {
        st = md_err_set(err, MD_ERR_PARSE, "malformed XML: no complete root element");
    }
    for (int i = 0; i <= MAX_DEPTH; i++)
        md_buf_free(&b.text[i]);
    XML_ParserFree(b.p);
    if (st != MD_OK) {
        /* Elements still open have no text yet: give them one so free is uniform. */
        md_xml_free(b.root);
        return st;
    }
    *out = b.root;
    return MD_OK;
}

const struct md_xml *md_xml_child(const struct md_xml *x, const char *name)
{
    if (!x)
        return NULL;
    for (const struct md_xml *c = x->child; c; c = c->next)
        if (!strcmp(c->name, name))
            return c;
    return NULL;
}

const struct md_xml *md_xml_next_same(const struct md_xml *x)
{
    if (!x)
        return NULL;
    for (const struct md_xml *c = x->next; c; c = c->next)
        if (!strcmp(c->name, x->name))
            return c;
    return NULL;
}

const struct md_xml *md_xml_find(const struct md_xml *x, const char *path)
{
    char part[128];
    while (x && *path) {
        size_t len = strcspn(path, "/");
        if (len >= sizeof part)
            return NULL;
        memcpy(part, path, len);
        part[len] = '\0';
        x = md_xml_child(x, part);
        path += len;
        if (*path == '/')
            path++;
    }
    return x;
}

const char *md_xml_text(const struct md_xml *x, const char *path)
{
    const struct md_xml *e = md_xml_find(x, path);
    return e ? (e->text ? e->text : "") : NULL;
}
