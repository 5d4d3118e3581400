#include "mlflow/filter.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- tokens ------------------------------------------------------------ */

struct lex {
    const char *s;
    size_t pos;
    const char *what;       /* "filter" or "order-by" */
    struct md_err *err;
};

static void skip_ws(struct lex *lx)
{
    while (lx->s[lx->pos] && isspace((unsigned char)lx->s[lx->pos]))
        lx->pos++;
}

__attribute__((format(printf, 3, 4)))
static md_status fail_at(struct lex *lx, size_t pos, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return md_err_set(lx->err, MD_ERR_INVALID, "%s column %zu: %s", lx->what, pos + 1, msg);
}

static bool is_word(int c)
{
    return isalnum(c) || c == '_';
}

/* The text of the token starting at pos (up to whitespace), for messages. */
static void token_text(const char *s, size_t pos, char *out, size_t n)
{
    size_t k = 0;
    while (s[pos] && !isspace((unsigned char)s[pos]) && k + 1 < n)
        out[k++] = s[pos++];
    if (k == 0 && n > 5) {
        strcpy(out, "(end)");
        return;
    }
    out[k] = '\0';
}

/* Reads a quoted run ('...', "..." or `...`) at lx->pos; *out malloc'd. */
static md_status read_quoted(struct lex *lx, char **out)
{
    size_t start = lx->pos;
    char q = lx->s[lx->pos++];
    const char *end = strchr(lx->s + lx->pos, q);
    if (!end)
        return fail_at(lx, start, "unterminated %s (no closing %c)",
                       q == '`' ? "backticked key" : "string", q);
    size_t len = (size_t)(end - (lx->s + lx->pos));
    *out = strndup(lx->s + lx->pos, len);
    if (!*out)
        return md_err_set(lx->err, MD_ERR_NOMEM, "out of memory");
    lx->pos += len + 1;
    return MD_OK;
}

static bool word_eq(const char *s, size_t len, const char *w)
{
    return strlen(w) == len && strncasecmp(s, w, len) == 0;
}

/* ---- identifiers -------------------------------------------------------- */

static const struct {
    const char *name;
    enum md_mlf_entity e;
} entity_names[] = {
    {"metric", MD_MLF_METRIC}, {"metrics", MD_MLF_METRIC},
    {"param", MD_MLF_PARAM}, {"params", MD_MLF_PARAM},
    {"parameter", MD_MLF_PARAM}, {"parameters", MD_MLF_PARAM},
    {"tag", MD_MLF_TAG}, {"tags", MD_MLF_TAG},
    {"attribute", MD_MLF_ATTR}, {"attributes", MD_MLF_ATTR},
    {"attr", MD_MLF_ATTR}, {"run", MD_MLF_ATTR},
    {"dataset", MD_MLF_DATASET}, {"datasets", MD_MLF_DATASET},
};

static const char *const run_num_attrs[] = {"start_time", "end_time", "created", "Created", NULL};
static const char *const run_str_attrs[] = {"run_id", "run_name", "status", "user_id",
                                            "artifact_uri", "run name", "Run name", "Run Name",
                                            NULL};
static const char *const run_order_extra[] = {"experiment_id", NULL};
static const char *const exp_num_attrs[] = {"creation_time", "last_update_time", NULL};
static const char *const exp_str_attrs[] = {"name", NULL};
static const char *const exp_order_extra[] = {"experiment_id", NULL};
static const char *const model_str_attrs[] = {"name", "run_id", "source_path", "version",
                                              "user_id", "current_stage", NULL};
static const char *const dataset_keys[] = {"name", "digest", "context", NULL};

static bool in_list(const char *const *l, const char *k)
{
    for (; *l; l++)
        if (strcmp(*l, k) == 0)
            return true;
    return false;
}

static const char *canonical_attr(const char *k)
{
    if (!strcmp(k, "created") || !strcmp(k, "Created"))
        return "start_time";
    if (!strcmp(k, "run name") || !strcmp(k, "Run name") || !strcmp(k, "Run Name"))
        return "run_name";
    return k;
}

static void join_list(char *out, size_t n, const char *const *a, const char *const *b)
{
    size_t k = 0;
    out[0] = '\0';
    for (int pass = 0; pass < 2; pass++)
        for (const char *const *l = pass ? b : a; l && *l; l++)
            k += (size_t)snprintf(out + (k < n ? k : n), k < n ? n - k : 0, "%s%s",
                                  k ? ", " : "", *l);
}

struct ident {
    enum md_mlf_entity entity;
    char *key;
    bool numeric;           /* compares as a number */
    size_t pos;
};

/* ident := [type "."] key.  for_order: attributes valid in an order-by. */
static md_status read_ident(struct lex *lx, enum md_mlf_target target, bool for_order,
                            struct ident *id)
{
    skip_ws(lx);
    memset(id, 0, sizeof *id);
    id->pos = lx->pos;
    const char *s = lx->s;
    size_t p = lx->pos;
    char found[96];
    if (!s[p]) {
        return fail_at(lx, p, "expected a key such as metrics.`metrics/mAP50B`, "
                              "params.imgsz or attributes.status, found the end");
    }
    id->entity = MD_MLF_ATTR;
    bool typed = false;
    if (is_word((unsigned char)s[p])) {
        size_t w = p;
        while (is_word((unsigned char)s[w]))
            w++;
        if (s[w] == '.') {
            size_t len = w - p;
            size_t i;
            for (i = 0; i < sizeof entity_names / sizeof entity_names[0]; i++)
                if (word_eq(s + p, len, entity_names[i].name))
                    break;
            if (i == sizeof entity_names / sizeof entity_names[0])
                return fail_at(lx, p, "unknown key type '%.*s' (use metrics., params., tags., "
                                      "attributes. or datasets.)", (int)len, s + p);
            id->entity = entity_names[i].e;
            typed = true;
            p = w + 1;
        }
    }
    lx->pos = p;
    if (s[p] == '`' || s[p] == '"') {
        md_status st = read_quoted(lx, &id->key);
        if (st != MD_OK)
            return st;
    } else if (is_word((unsigned char)s[p])) {
        size_t w = p;
        /* Unquoted keys may hold dots after the type (tags.mlflow.runName). */
        while (is_word((unsigned char)s[w]) || (typed && s[w] == '.'))
            w++;
        if (s[w] && strchr("/-:(", s[w])) {
            size_t e = w;
            while (s[e] && !isspace((unsigned char)s[e]) && !strchr("<>=!", s[e]))
                e++;
            return fail_at(lx, p, "key '%.*s' must be backticked: %.*s`%.*s`", (int)(e - p),
                           s + p, (int)(p - id->pos), s + id->pos, (int)(e - p), s + p);
        }
        id->key = strndup(s + p, w - p);
        if (!id->key)
            return md_err_set(lx->err, MD_ERR_NOMEM, "out of memory");
        lx->pos = w;
    } else {
        token_text(s, p, found, sizeof found);
        return fail_at(lx, p, "expected a key such as metrics.`metrics/mAP50B`, found '%s'",
                       found);
    }
    if (!id->key[0])
        return fail_at(lx, id->pos, "empty key");

    /* Validate the key against the target's attributes. */
    if (id->entity == MD_MLF_METRIC) {
        if (target != MD_MLF_RUNS)
            return fail_at(lx, id->pos, "metrics cannot be searched here");
        id->numeric = true;
    } else if (id->entity == MD_MLF_PARAM || id->entity == MD_MLF_DATASET) {
        if (target != MD_MLF_RUNS)
            return fail_at(lx, id->pos, "%s cannot be searched here",
                           id->entity == MD_MLF_PARAM ? "params" : "datasets");
        if (id->entity == MD_MLF_DATASET && !in_list(dataset_keys, id->key))
            return fail_at(lx, id->pos, "unknown dataset key '%s' (name, digest or context)",
                           id->key);
    } else if (id->entity == MD_MLF_ATTR) {
        const char *const *num = target == MD_MLF_EXPERIMENTS ? exp_num_attrs
                               : target == MD_MLF_RUNS ? run_num_attrs : NULL;
        const char *const *str = target == MD_MLF_EXPERIMENTS ? exp_str_attrs
                               : target == MD_MLF_RUNS ? run_str_attrs : model_str_attrs;
        const char *const *extra = !for_order ? NULL
                                 : target == MD_MLF_EXPERIMENTS ? exp_order_extra
                                 : target == MD_MLF_RUNS ? run_order_extra : NULL;
        if (num && in_list(num, id->key)) {
            id->numeric = true;
        } else if (!in_list(str, id->key) && !(extra && in_list(extra, id->key))) {
            char valid[400];
            join_list(valid, sizeof valid, num, str);
            return fail_at(lx, id->pos, "unknown attribute '%s' (valid: %s)", id->key, valid);
        }
        const char *c = canonical_attr(id->key);
        if (c != id->key) {
            free(id->key);
            id->key = strdup(c);
            if (!id->key)
                return md_err_set(lx->err, MD_ERR_NOMEM, "out of memory");
        }
    }
    return MD_OK;
}

/* ---- filter ------------------------------------------------------------- */

static void clause_free(struct md_mlf_clause *c)
{
    free(c->key);
    free(c->str);
    for (size_t i = 0; i < c->nlist; i++)
        free(c->list[i]);
    free(c->list);
}

void md_mlf_filter_free(struct md_mlf_filter *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n; i++)
        clause_free(&f->v[i]);
    free(f->v);
    f->v = NULL;
    f->n = 0;
}

static md_status read_cmp(struct lex *lx, const struct ident *id, enum md_mlf_target target,
                          enum md_mlf_cmp *out)
{
    skip_ws(lx);
    const char *s = lx->s;
    size_t p = lx->pos;
    char found[64];
    if (strchr("<>=!", s[p]) && s[p]) {
        size_t e = p;
        while (s[e] && strchr("<>=!", s[e]))
            e++;
        size_t len = e - p;
        if (len == 1 && s[p] == '=') *out = MD_MLF_EQ;
        else if (len == 2 && !strncmp(s + p, "!=", 2)) *out = MD_MLF_NE;
        else if (len == 1 && s[p] == '<') *out = MD_MLF_LT;
        else if (len == 2 && !strncmp(s + p, "<=", 2)) *out = MD_MLF_LE;
        else if (len == 1 && s[p] == '>') *out = MD_MLF_GT;
        else if (len == 2 && !strncmp(s + p, ">=", 2)) *out = MD_MLF_GE;
        else
            return fail_at(lx, p, "unknown comparator '%.*s' (use =, !=, <, <=, >, >=, LIKE, "
                                  "ILIKE, IN)", (int)len, s + p);
        lx->pos = e;
    } else if (isalpha((unsigned char)s[p])) {
        size_t e = p;
        while (isalpha((unsigned char)s[e]))
            e++;
        if (word_eq(s + p, e - p, "LIKE")) *out = MD_MLF_LIKE;
        else if (word_eq(s + p, e - p, "ILIKE")) *out = MD_MLF_ILIKE;
        else if (word_eq(s + p, e - p, "IN")) *out = MD_MLF_IN;
        else if (word_eq(s + p, e - p, "NOT")) {
            size_t q = e;
            while (isspace((unsigned char)s[q]))
                q++;
            size_t qe = q;
            while (isalpha((unsigned char)s[qe]))
                qe++;
            if (!word_eq(s + q, qe - q, "IN"))
                return fail_at(lx, q, "expected IN after NOT");
            *out = MD_MLF_NOT_IN;
            e = qe;
        } else {
            token_text(s, p, found, sizeof found);
            return fail_at(lx, p, "expected a comparator (=, !=, <, <=, >, >=, LIKE, ILIKE, "
                                  "IN), found '%s'", found);
        }
        lx->pos = e;
    } else {
        token_text(s, p, found, sizeof found);
        return fail_at(lx, p, "expected a comparator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN) "
                              "after '%s', found '%s'", id->key, found);
    }
    /* Which comparators the key's kind allows (as MLflow does). */
    bool ordered = *out <= MD_MLF_GE && *out >= MD_MLF_LT;
    bool text_cmp = *out == MD_MLF_LIKE || *out == MD_MLF_ILIKE;
    bool list_cmp = *out == MD_MLF_IN || *out == MD_MLF_NOT_IN;
    if (id->numeric && (text_cmp || list_cmp))
        return fail_at(lx, p, "'%s' is numeric: use =, !=, <, <=, > or >=", id->key);
    if (!id->numeric && ordered)
        return fail_at(lx, p, "'%s' is compared as text: use =, !=, LIKE or ILIKE", id->key);
    if (list_cmp) {
        bool ok = id->entity == MD_MLF_DATASET ||
                  (id->entity == MD_MLF_ATTR && target == MD_MLF_RUNS &&
                   !strcmp(id->key, "run_id")) ||
                  (id->entity == MD_MLF_ATTR && target == MD_MLF_MODELS);
        if (!ok)
            return fail_at(lx, p, "IN / NOT IN work only on attributes.run_id and datasets");
    }
    return MD_OK;
}

static md_status read_number(struct lex *lx, double *out)
{
    const char *s = lx->s + lx->pos;
    char *end;
    errno = 0;
    double d = strtod(s, &end);
    /* strtod accepts "nan", "inf" and hex: MLflow's numbers are decimal only. */
    bool decimal = end > s && (isdigit((unsigned char)s[0]) || s[0] == '.' ||
                               ((s[0] == '-' || s[0] == '+') &&
                                (isdigit((unsigned char)s[1]) || s[1] == '.')));
    for (const char *c = s; c < end; c++)
        if (isalpha((unsigned char)*c) && *c != 'e' && *c != 'E')
            decimal = false;
    if (!decimal || errno == ERANGE || (*end && !isspace((unsigned char)*end)))
        return MD_ERR_INVALID;
    *out = d;
    lx->pos += (size_t)(end - s);
    return MD_OK;
}

static md_status read_value(struct lex *lx, struct md_mlf_clause *c)
{
    skip_ws(lx);
    size_t p = lx->pos;
    char found[96];
    char q = lx->s[p];
    if (c->cmp == MD_MLF_IN || c->cmp == MD_MLF_NOT_IN) {
        if (q != '(')
            return fail_at(lx, p, "expected a list like ('a', 'b') after IN");
        lx->pos++;
        for (;;) {
            skip_ws(lx);
            char qq = lx->s[lx->pos];
            if (qq != '\'' && qq != '"')
                return fail_at(lx, lx->pos, "expected a quoted string in the IN list");
            char **nl = realloc(c->list, (c->nlist + 1) * sizeof *nl);
            if (!nl)
                return md_err_set(lx->err, MD_ERR_NOMEM, "out of memory");
            c->list = nl;
            md_status st = read_quoted(lx, &c->list[c->nlist]);
            if (st != MD_OK)
                return st;
            c->nlist++;
            skip_ws(lx);
            if (lx->s[lx->pos] == ',') {
                lx->pos++;
                continue;
            }
            if (lx->s[lx->pos] == ')') {
                lx->pos++;
                return MD_OK;
            }
            return fail_at(lx, lx->pos, "expected ',' or ')' in the IN list");
        }
    }
    if (c->numeric) {
        if (q == '\'' || q == '"')
            return fail_at(lx, p, "'%s' is numeric: write the value without quotes", c->key);
        if (read_number(lx, &c->num) != MD_OK) {
            token_text(lx->s, p, found, sizeof found);
            return fail_at(lx, p, "expected a number for '%s', found '%s'", c->key, found);
        }
        return MD_OK;
    }
    if (q != '\'' && q != '"') {
        token_text(lx->s, p, found, sizeof found);
        return fail_at(lx, p, "expected a quoted string for '%s' (e.g. '640'), found '%s'",
                       c->key, found);
    }
    return read_quoted(lx, &c->str);
}

md_status md_mlf_filter_parse(const char *text, enum md_mlf_target target,
                              struct md_mlf_filter *out, struct md_err *err)
{
    memset(out, 0, sizeof *out);
    if (!text)
        return MD_OK;
    struct lex lx = {text, 0, "filter", err};
    skip_ws(&lx);
    if (!text[lx.pos])
        return MD_OK;
    for (;;) {
        struct ident id;
        md_status st = read_ident(&lx, target, false, &id);
        if (st != MD_OK) {
            free(id.key);
            md_mlf_filter_free(out);
            return st;
        }
        struct md_mlf_clause *nv = realloc(out->v, (out->n + 1) * sizeof *nv);
        if (!nv) {
            free(id.key);
            md_mlf_filter_free(out);
            return md_err_set(err, MD_ERR_NOMEM, "out of memory");
        }
        out->v = nv;
        struct md_mlf_clause *c = &out->v[out->n++];
        memset(c, 0, sizeof *c);
        c->entity = id.entity;
        c->key = id.key;
        c->numeric = id.numeric;
        c->column = id.pos + 1;
        st = read_cmp(&lx, &id, target, &c->cmp);
        if (st == MD_OK)
            st = read_value(&lx, c);
        if (st != MD_OK) {
            md_mlf_filter_free(out);
            return st;
        }
        skip_ws(&lx);
        if (!text[lx.pos])
            return MD_OK;
        size_t p = lx.pos, e = p;
        while (isalpha((unsigned char)text[e]))
            e++;
        if (word_eq(text + p, e - p, "AND")) {
            lx.pos = e;
            skip_ws(&lx);
            if (!text[lx.pos]) {
                md_mlf_filter_free(out);
                return fail_at(&lx, lx.pos, "expected a clause after AND");
            }
            continue;
        }
        char found[96];
        token_text(text, p, found, sizeof found);
        md_mlf_filter_free(out);
        if (word_eq(text + p, e - p, "OR"))
            return fail_at(&lx, p, "OR is not supported by MLflow search: join clauses with AND");
        return fail_at(&lx, p, "expected AND or the end, found '%s'", found);
    }
}

/* ---- evaluation --------------------------------------------------------- */

bool md_mlf_like(const char *pat, const char *s, bool icase)
{
    /* Iterative wildcard match with one backtrack point for the last %. */
    const char *star = NULL, *ss = NULL;
    while (*s) {
        if (*pat == '%') {
            star = pat++;
            ss = s;
        } else if (*pat && (*pat == '_' || *pat == *s ||
                            (icase && tolower((unsigned char)*pat) ==
                                      tolower((unsigned char)*s)))) {
            pat++;
            s++;
        } else if (star) {
            pat = star + 1;
            s = ++ss;
        } else {
            return false;
        }
    }
    while (*pat == '%')
        pat++;
    return *pat == '\0';
}

static const cJSON *kv_find(const cJSON *list, const char *key)
{
    const cJSON *el;
    cJSON_ArrayForEach(el, list) {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(el, "key");
        if (cJSON_IsString(k) && strcmp(k->valuestring, key) == 0)
            return cJSON_GetObjectItemCaseSensitive(el, "value");
    }
    return NULL;
}

static bool json_number(const cJSON *v, double *out)
{
    if (cJSON_IsNumber(v)) {
        *out = v->valuedouble;
        return true;
    }
    if (cJSON_IsString(v)) {
        const char *s = v->valuestring;
        if (!strcasecmp(s, "nan")) {
            *out = NAN;
            return true;
        }
        if (!strcasecmp(s, "infinity") || !strcasecmp(s, "inf")) {
            *out = INFINITY;
            return true;
        }
        if (!strcasecmp(s, "-infinity") || !strcasecmp(s, "-inf")) {
            *out = -INFINITY;
            return true;
        }
        char *end;
        double d = strtod(s, &end);
        if (end != s && !*end) {
            *out = d;
            return true;
        }
    }
    return false;
}

bool md_mlf_run_value(const cJSON *run, enum md_mlf_entity e, const char *key, bool *numeric,
                      double *num, const char **str)
{
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(run, "data");
    const cJSON *info = cJSON_GetObjectItemCaseSensitive(run, "info");
    const cJSON *v = NULL;
    *numeric = false;
    *str = NULL;
    switch (e) {
    case MD_MLF_METRIC:
        v = kv_find(cJSON_GetObjectItemCaseSensitive(data, "metrics"), key);
        *numeric = true;
        return v && json_number(v, num);
    case MD_MLF_PARAM:
        v = kv_find(cJSON_GetObjectItemCaseSensitive(data, "params"), key);
        break;
    case MD_MLF_TAG:
        v = kv_find(cJSON_GetObjectItemCaseSensitive(data, "tags"), key);
        break;
    case MD_MLF_ATTR:
        v = cJSON_GetObjectItemCaseSensitive(info, canonical_attr(key));
        if (!v && !strcmp(key, "run_id"))
            v = cJSON_GetObjectItemCaseSensitive(info, "run_uuid");
        if (cJSON_IsNumber(v)) {
            *numeric = true;
            *num = v->valuedouble;
            return true;
        }
        break;
    case MD_MLF_DATASET:
        return false;
    }
    if (!cJSON_IsString(v))
        return false;
    *str = v->valuestring;
    return true;
}

static bool cmp_num(enum md_mlf_cmp c, double a, double b)
{
    switch (c) {
    case MD_MLF_EQ: return a == b;
    case MD_MLF_NE: return a != b;
    case MD_MLF_LT: return a < b;
    case MD_MLF_LE: return a <= b;
    case MD_MLF_GT: return a > b;
    case MD_MLF_GE: return a >= b;
    default: return false;
    }
}

static bool cmp_str(const struct md_mlf_clause *c, const char *s)
{
    switch (c->cmp) {
    case MD_MLF_EQ: return strcmp(s, c->str) == 0;
    case MD_MLF_NE: return strcmp(s, c->str) != 0;
    case MD_MLF_LIKE: return md_mlf_like(c->str, s, false);
    case MD_MLF_ILIKE: return md_mlf_like(c->str, s, true);
    case MD_MLF_IN:
    case MD_MLF_NOT_IN: {
        bool in = false;
        for (size_t i = 0; i < c->nlist && !in; i++)
            in = strcmp(s, c->list[i]) == 0;
        return c->cmp == MD_MLF_IN ? in : !in;
    }
    default: return false;
    }
}

static bool match_value(const struct md_mlf_clause *c, bool have, bool numeric, double num,
                        const char *str)
{
    if (!have)
        return false;
    if (c->numeric)
        return numeric && cmp_num(c->cmp, num, c->num);
    return str && cmp_str(c, str);
}

static bool match_dataset(const struct md_mlf_clause *c, const cJSON *run)
{
    const cJSON *inputs = cJSON_GetObjectItemCaseSensitive(run, "inputs");
    const cJSON *dis = cJSON_GetObjectItemCaseSensitive(inputs, "dataset_inputs");
    const cJSON *di;
    cJSON_ArrayForEach(di, dis) {
        const char *v = NULL;
        if (!strcmp(c->key, "context")) {
            const cJSON *t = kv_find(cJSON_GetObjectItemCaseSensitive(di, "tags"),
                                     "mlflow.data.context");
            v = cJSON_IsString(t) ? t->valuestring : NULL;
        } else {
            const cJSON *ds = cJSON_GetObjectItemCaseSensitive(di, "dataset");
            const cJSON *f = cJSON_GetObjectItemCaseSensitive(ds, c->key);
            v = cJSON_IsString(f) ? f->valuestring : NULL;
        }
        if (v && cmp_str(c, v))
            return true;
    }
    return false;
}

bool md_mlf_match_run(const struct md_mlf_filter *f, const cJSON *run)
{
    for (size_t i = 0; i < f->n; i++) {
        const struct md_mlf_clause *c = &f->v[i];
        if (c->entity == MD_MLF_DATASET) {
            if (!match_dataset(c, run))
                return false;
            continue;
        }
        bool numeric;
        double num = 0;
        const char *str;
        bool have = md_mlf_run_value(run, c->entity, c->key, &numeric, &num, &str);
        if (!match_value(c, have, numeric, num, str))
            return false;
    }
    return true;
}

bool md_mlf_match_experiment(const struct md_mlf_filter *f, const cJSON *exp)
{
    for (size_t i = 0; i < f->n; i++) {
        const struct md_mlf_clause *c = &f->v[i];
        const cJSON *v = c->entity == MD_MLF_TAG
                             ? kv_find(cJSON_GetObjectItemCaseSensitive(exp, "tags"), c->key)
                             : cJSON_GetObjectItemCaseSensitive(exp, c->key);
        double num = 0;
        bool numeric = c->numeric && json_number(v, &num);
        const char *str = cJSON_IsString(v) ? v->valuestring : NULL;
        if (!match_value(c, v != NULL, numeric, num, str))
            return false;
    }
    return true;
}

/* ---- order by ------------------------------------------------------------ */

void md_mlf_order_free(struct md_mlf_order_by *o)
{
    if (!o)
        return;
    for (size_t i = 0; i < o->n; i++)
        free(o->v[i].key);
    free(o->v);
    o->v = NULL;
    o->n = 0;
}

md_status md_mlf_order_parse(const char *const *clauses, size_t n, enum md_mlf_target target,
                             struct md_mlf_order_by *out, struct md_err *err)
{
    memset(out, 0, sizeof *out);
    if (n == 0)
        return MD_OK;
    out->v = calloc(n, sizeof *out->v);
    if (!out->v)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        struct lex lx = {clauses[i] ? clauses[i] : "", 0, "order-by", err};
        struct ident id;
        md_status st = read_ident(&lx, target, true, &id);
        if (st == MD_OK && id.entity == MD_MLF_DATASET)
            st = fail_at(&lx, id.pos, "datasets cannot be ordered by");
        if (st != MD_OK) {
            free(id.key);
            md_mlf_order_free(out);
            return st;
        }
        out->v[out->n].entity = id.entity;
        out->v[out->n].key = id.key;
        out->v[out->n].asc = true;
        out->n++;
        skip_ws(&lx);
        size_t p = lx.pos, e = p;
        while (isalpha((unsigned char)lx.s[e]))
            e++;
        if (word_eq(lx.s + p, e - p, "DESC")) {
            out->v[out->n - 1].asc = false;
        } else if (!word_eq(lx.s + p, e - p, "ASC") && lx.s[p]) {
            char found[64];
            token_text(lx.s, p, found, sizeof found);
            md_mlf_order_free(out);
            return fail_at(&lx, p, "expected ASC, DESC or the end, found '%s'", found);
        }
        lx.pos = e;
        skip_ws(&lx);
        if (lx.s[lx.pos]) {
            char found[64];
            token_text(lx.s, lx.pos, found, sizeof found);
            md_mlf_order_free(out);
            return fail_at(&lx, lx.pos, "unexpected '%s' after the direction", found);
        }
    }
    return MD_OK;
}

/* Rank of a value: 0 present, 1 NaN, 2 missing (MLflow's SQL store puts
 * NaN and missing last whatever the direction). */
struct sort_val {
    int rank;
    bool numeric;
    double num;
    const char *str;
};

static struct sort_val run_sort_val(const cJSON *run, enum md_mlf_entity e, const char *key)
{
    struct sort_val v = {2, false, 0, NULL};
    if (md_mlf_run_value(run, e, key, &v.numeric, &v.num, &v.str))
        v.rank = v.numeric && isnan(v.num) ? 1 : 0;
    return v;
}

static int cmp_vals(const struct sort_val *a, const struct sort_val *b, bool asc)
{
    if (a->rank != b->rank)
        return a->rank < b->rank ? -1 : 1;
    if (a->rank != 0)
        return 0;
    int r;
    if (a->numeric && b->numeric)
        r = a->num < b->num ? -1 : a->num > b->num ? 1 : 0;
    else if (a->numeric != b->numeric)
        r = a->numeric ? -1 : 1;
    else
        r = strcmp(a->str ? a->str : "", b->str ? b->str : "");
    return asc ? r : -r;
}

static int run_cmp(const struct md_mlf_order_by *o, const cJSON *a, const cJSON *b)
{
    bool by_start = false;
    for (size_t i = 0; o && i < o->n; i++) {
        const struct md_mlf_order *c = &o->v[i];
        if (c->entity == MD_MLF_ATTR && !strcmp(c->key, "start_time"))
            by_start = true;
        struct sort_val va = run_sort_val(a, c->entity, c->key);
        struct sort_val vb = run_sort_val(b, c->entity, c->key);
        int r = cmp_vals(&va, &vb, c->asc);
        if (r)
            return r;
    }
    if (!by_start) {
        struct sort_val va = run_sort_val(a, MD_MLF_ATTR, "start_time");
        struct sort_val vb = run_sort_val(b, MD_MLF_ATTR, "start_time");
        int r = cmp_vals(&va, &vb, false);
        if (r)
            return r;
    }
    struct sort_val va = run_sort_val(a, MD_MLF_ATTR, "run_id");
    struct sort_val vb = run_sort_val(b, MD_MLF_ATTR, "run_id");
    return cmp_vals(&va, &vb, true);
}

/* Merge sort: stable, no global state, no qsort_r portability question. */
typedef int (*ptr_cmp)(const struct md_mlf_order_by *o, const cJSON *a, const cJSON *b);

static void msort(const struct md_mlf_order_by *o, ptr_cmp cmp, const cJSON **v,
                  const cJSON **tmp, size_t n)
{
    if (n < 2)
        return;
    size_t h = n / 2;
    msort(o, cmp, v, tmp, h);
    msort(o, cmp, v + h, tmp, n - h);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = cmp(o, v[j], v[i]) < 0 ? v[j++] : v[i++];
    while (i < h)
        tmp[k++] = v[i++];
    while (j < n)
        tmp[k++] = v[j++];
    memcpy(v, tmp, n * sizeof *v);
}

static void sort_ptrs(const struct md_mlf_order_by *o, ptr_cmp cmp, const cJSON **v, size_t n)
{
    if (n < 2)
        return;
    const cJSON **tmp = malloc(n * sizeof *tmp);
    if (!tmp) {
        /* Out of memory: insertion sort needs none. */
        for (size_t i = 1; i < n; i++)
            for (size_t j = i; j > 0 && cmp(o, v[j], v[j - 1]) < 0; j--) {
                const cJSON *t = v[j];
                v[j] = v[j - 1];
                v[j - 1] = t;
            }
        return;
    }
    msort(o, cmp, v, tmp, n);
    free(tmp);
}

void md_mlf_sort_runs(const struct md_mlf_order_by *o, const cJSON **runs, size_t n)
{
    sort_ptrs(o, run_cmp, runs, n);
}

static struct sort_val exp_sort_val(const cJSON *e, const char *key)
{
    struct sort_val v = {2, false, 0, NULL};
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(e, key);
    if (!strcmp(key, "experiment_id") && cJSON_IsString(j)) {
        /* ids are numeric strings in the SQL store: order them as numbers */
        char *end;
        double d = strtod(j->valuestring, &end);
        if (end != j->valuestring && !*end) {
            v = (struct sort_val){0, true, d, NULL};
            return v;
        }
    }
    if (cJSON_IsNumber(j))
        v = (struct sort_val){0, true, j->valuedouble, NULL};
    else if (cJSON_IsString(j))
        v = (struct sort_val){0, false, 0, j->valuestring};
    return v;
}

static int exp_cmp(const struct md_mlf_order_by *o, const cJSON *a, const cJSON *b)
{
    bool by_id = false;
    if (!o || o->n == 0) {
        struct sort_val va = exp_sort_val(a, "creation_time"), vb = exp_sort_val(b, "creation_time");
        int r = cmp_vals(&va, &vb, false);
        if (r)
            return r;
    }
    for (size_t i = 0; o && i < o->n; i++) {
        if (!strcmp(o->v[i].key, "experiment_id"))
            by_id = true;
        struct sort_val va = exp_sort_val(a, o->v[i].key), vb = exp_sort_val(b, o->v[i].key);
        int r = cmp_vals(&va, &vb, o->v[i].asc);
        if (r)
            return r;
    }
    if (by_id)
        return 0;
    struct sort_val va = exp_sort_val(a, "experiment_id"), vb = exp_sort_val(b, "experiment_id");
    return cmp_vals(&va, &vb, true);
}

void md_mlf_sort_experiments(const struct md_mlf_order_by *o, const cJSON **exps, size_t n)
{
    sort_ptrs(o, exp_cmp, exps, n);
}
