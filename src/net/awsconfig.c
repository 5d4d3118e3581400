#include "net/awsconfig.h"

#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/buf.h"

/* Python's str.isspace() for the ASCII range: it also counts the
 * information separators 0x1c..0x1f, and configparser strips them. */
static bool py_space(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

/* ---- building the tree ------------------------------------------------ */

/* While parsing, each entry's value is a list of lines; finish_entry
 * joins them.  The pending lines live in a parallel buffer array. */
struct pending {
    struct md_ini_entry *entry;   /* NULL when no key is open */
    struct md_buf text;           /* lines joined with '\n' so far */
};

static void section_free(struct md_ini_section *s)
{
    for (size_t i = 0; i < s->n; i++) {
        struct md_ini_entry *e = &s->entries[i];
        free(e->key);
        free(e->value);
        for (size_t j = 0; j < e->nsub; j++) {
            free(e->sub[j].key);
            free(e->sub[j].value);
        }
        free(e->sub);
    }
    free(s->entries);
    free(s->name);
}

void md_ini_free(struct md_ini *ini)
{
    if (!ini)
        return;
    for (size_t i = 0; i < ini->n; i++)
        section_free(&ini->sections[i]);
    free(ini->sections);
    section_free(&ini->defaults);
    free(ini);
}

static char *dup_range(const char *p, size_t n)
{
    char *s = malloc(n + 1);
    if (!s)
        return NULL;
    memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

/* Range [*b, *e) with Python-whitespace trimmed from both ends. */
static void trim_range(const char **b, const char **e)
{
    while (*b < *e && py_space((unsigned char)**b))
        (*b)++;
    while (*e > *b && py_space((unsigned char)(*e)[-1]))
        (*e)--;
}

static const struct md_ini_entry *find_entry(const struct md_ini_section *s, const char *key)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcasecmp(s->entries[i].key, key) == 0)
            return &s->entries[i];
    return NULL;
}

/* Parses the nested block "\nk = v\nk2 = v2" (botocore _parse_nested). */
static md_status parse_nested(struct md_ini_entry *e, const char *name, struct md_err *err)
{
    const char *p = e->value;
    size_t count = 0;
    for (const char *q = p; *q; q++)
        if (*q == '\n')
            count++;
    e->sub = calloc(count + 1, sizeof *e->sub);
    if (!e->sub)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    while (*p) {
        const char *eol = strchr(p, '\n');
        if (!eol)
            eol = p + strlen(p);
        const char *b = p, *en = eol;
        trim_range(&b, &en);
        p = *eol ? eol + 1 : eol;
        if (b == en)
            continue;
        const char *eq = memchr(b, '=', (size_t)(en - b));
        if (!eq)
            return md_err_set(err, MD_ERR_PARSE,
                              "%s:%d: nested setting under '%s' needs 'key = value'",
                              name, e->line, e->key);
        const char *kb = b, *ke = eq, *vb = eq + 1, *ve = en;
        trim_range(&kb, &ke);
        trim_range(&vb, &ve);
        struct md_ini_pair *pair = &e->sub[e->nsub];
        pair->key = dup_range(kb, (size_t)(ke - kb));
        pair->value = dup_range(vb, (size_t)(ve - vb));
        if (!pair->key || !pair->value) {
            free(pair->key);
            free(pair->value);
            return md_err_set(err, MD_ERR_NOMEM, "out of memory");
        }
        /* A later duplicate wins (dict assignment); keep the list short by
         * replacing in place. */
        size_t j;
        for (j = 0; j < e->nsub; j++)
            if (strcmp(e->sub[j].key, pair->key) == 0)
                break;
        if (j < e->nsub) {
            free(e->sub[j].value);
            e->sub[j].value = pair->value;
            free(pair->key);
            pair->key = pair->value = NULL;
        } else {
            e->nsub++;
        }
    }
    return MD_OK;
}

/* Ends the open key: joins its lines, right-strips, parses a nested block. */
static md_status finish_entry(struct pending *pd, const char *name, struct md_err *err)
{
    if (!pd->entry)
        return MD_OK;
    struct md_ini_entry *e = pd->entry;
    pd->entry = NULL;
    size_t n = pd->text.len;
    const char *d = pd->text.data ? pd->text.data : "";
    while (n > 0 && py_space((unsigned char)d[n - 1]))
        n--;
    e->value = dup_range(d, n);
    md_buf_reset(&pd->text);
    if (!e->value)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    if (e->value[0] == '\n')
        return parse_nested(e, name, err);
    return MD_OK;
}

static struct md_ini_section *add_section(struct md_ini *ini, const char *b, size_t n, int line)
{
    if (ini->n == ini->cap) {
        size_t cap = ini->cap ? ini->cap * 2 : 8;
        struct md_ini_section *s = realloc(ini->sections, cap * sizeof *s);
        if (!s)
            return NULL;
        ini->sections = s;
        ini->cap = cap;
    }
    struct md_ini_section *s = &ini->sections[ini->n];
    memset(s, 0, sizeof *s);
    s->name = dup_range(b, n);
    if (!s->name)
        return NULL;
    s->line = line;
    ini->n++;
    return s;
}

static struct md_ini_entry *add_entry(struct md_ini_section *s, char *key, int line)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 8;
        struct md_ini_entry *e = realloc(s->entries, cap * sizeof *e);
        if (!e)
            return NULL;
        s->entries = e;
        s->cap = cap;
    }
    struct md_ini_entry *e = &s->entries[s->n++];
    memset(e, 0, sizeof *e);
    e->key = key;
    e->line = line;
    return e;
}

static md_status parse_lines(struct md_ini *ini, const char *data, size_t len, const char *name,
                             struct md_err *err)
{
    struct pending pd = {NULL, MD_BUF_INIT};
    struct md_ini_section *cur = NULL;
    size_t indent_level = 0;
    int lineno = 0;
    md_status st = MD_OK;
    const char *p = data, *end = data + len;

    /* A UTF-8 byte order mark (Windows editors) is skipped; Python would
     * refuse the file, which helps nobody. */
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;

    while (st == MD_OK && p < end) {
        /* Universal newlines: \n, \r\n or \r end a line. */
        const char *eol = p;
        while (eol < end && *eol != '\n' && *eol != '\r')
            eol++;
        const char *next = eol;
        if (next < end)
            next += (*next == '\r' && next + 1 < end && next[1] == '\n') ? 2 : 1;
        lineno++;

        const char *b = p, *e = eol;
        const char *line_start = p;
        p = next;
        trim_range(&b, &e);
        if (b < e && (*b == '#' || *b == ';'))
            continue;   /* a comment neither ends nor extends a value */
        if (b == e) {
            /* empty_lines_in_values: a blank line belongs to the open value
             * (trailing ones are stripped when the value ends). */
            if (pd.entry && md_buf_puts(&pd.text, "\n") < 0)
                st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
            continue;
        }
        size_t indent = (size_t)(b - line_start);
        if (cur && pd.entry && indent > indent_level) {
            if (md_buf_puts(&pd.text, "\n") < 0 || md_buf_append(&pd.text, b, (size_t)(e - b)) < 0)
                st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
            continue;
        }
        indent_level = indent;
        st = finish_entry(&pd, name, err);
        if (st != MD_OK)
            break;

        /* Section header: "[" then at least one character then the last "]"
         * (Python: \[(?P<header>.+)\] with match(); text after is ignored). */
        if (*b == '[') {
            const char *close = NULL;
            for (const char *q = e - 1; q > b + 1; q--)
                if (*q == ']') {
                    close = q;
                    break;
                }
            if (close) {
                size_t hn = (size_t)(close - b - 1);
                if (hn == 7 && memcmp(b + 1, "DEFAULT", 7) == 0) {
                    cur = &ini->defaults;
                    if (!cur->name && !(cur->name = dup_range("DEFAULT", 7)))
                        st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
                    continue;
                }
                for (size_t i = 0; i < ini->n; i++)
                    if (strlen(ini->sections[i].name) == hn &&
                        memcmp(ini->sections[i].name, b + 1, hn) == 0) {
                        st = md_err_set(err, MD_ERR_PARSE,
                                        "%s:%d: section [%s] appears twice (first on line %d)",
                                        name, lineno, ini->sections[i].name,
                                        ini->sections[i].line);
                        break;
                    }
                if (st != MD_OK)
                    break;
                cur = add_section(ini, b + 1, hn, lineno);
                if (!cur)
                    st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
                continue;
            }
        }
        if (!cur) {
            st = md_err_set(err, MD_ERR_PARSE, "%s:%d: a setting before any [section]", name,
                            lineno);
            break;
        }
        const char *delim = b;
        while (delim < e && *delim != '=' && *delim != ':')
            delim++;
        const char *kb = b, *ke = delim;
        trim_range(&kb, &ke);
        if (delim == e || kb == ke) {
            st = md_err_set(err, MD_ERR_PARSE, "%s:%d: expected 'key = value'", name, lineno);
            break;
        }
        char *key = dup_range(kb, (size_t)(ke - kb));
        if (!key) {
            st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
            break;
        }
        for (char *k = key; *k; k++)
            *k = (char)tolower((unsigned char)*k);
        const struct md_ini_entry *dup = find_entry(cur, key);
        if (dup) {
            st = md_err_set(err, MD_ERR_PARSE, "%s:%d: '%s' set twice in [%s] (first on line %d)",
                            name, lineno, key, cur->name, dup->line);
            free(key);
            break;
        }
        struct md_ini_entry *ent = add_entry(cur, key, lineno);
        if (!ent) {
            free(key);
            st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
            break;
        }
        const char *vb = delim + 1, *ve = e;
        trim_range(&vb, &ve);
        pd.entry = ent;
        md_buf_reset(&pd.text);
        if (md_buf_append(&pd.text, vb, (size_t)(ve - vb)) < 0)
            st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    if (st == MD_OK)
        st = finish_entry(&pd, name, err);
    md_buf_free(&pd.text);
    return st;
}

md_status md_ini_parse(const char *data, size_t len, const char *name, struct md_ini **out,
                       struct md_err *err)
{
    *out = NULL;
    struct md_ini *ini = calloc(1, sizeof *ini);
    if (!ini)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    md_status st = parse_lines(ini, data ? data : "", data ? len : 0, name ? name : "<config>", err);
    if (st != MD_OK) {
        md_ini_free(ini);
        return st;
    }
    *out = ini;
    return MD_OK;
}

md_status md_ini_load(const char *path, bool *found, struct md_ini **out, struct md_err *err)
{
    *out = NULL;
    if (found)
        *found = false;
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT || errno == ENOTDIR)
            return md_ini_parse("", 0, path, out, err);
        return md_err_set(err, MD_ERR_IO, "%s: %s", path, strerror(errno));
    }
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        fclose(f);
        return md_ini_parse("", 0, path, out, err);   /* botocore: not a file = no file */
    }
    struct md_buf b = MD_BUF_INIT;
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (md_buf_append(&b, chunk, n) < 0) {
            fclose(f);
            md_buf_free(&b);
            return md_err_set(err, MD_ERR_NOMEM, "out of memory");
        }
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        md_buf_free(&b);
        return md_err_set(err, MD_ERR_IO, "%s: read error", path);
    }
    md_status st = md_ini_parse(b.data, b.len, path, out, err);
    md_buf_free(&b);
    if (st == MD_OK && found)
        *found = true;
    return st;
}

const struct md_ini_section *md_ini_section(const struct md_ini *ini, const char *name)
{
    if (!ini || !name)
        return NULL;
    for (size_t i = 0; i < ini->n; i++)
        if (strcmp(ini->sections[i].name, name) == 0)
            return &ini->sections[i];
    return NULL;
}

const struct md_ini_entry *md_ini_entry(const struct md_ini *ini, const struct md_ini_section *s,
                                        const char *key)
{
    if (!s || !key)
        return NULL;
    const struct md_ini_entry *e = find_entry(s, key);
    if (!e && ini)
        e = find_entry(&ini->defaults, key);
    return e;
}

const char *md_ini_entry_sub(const struct md_ini_entry *e, const char *subkey)
{
    if (!e || !e->sub)
        return NULL;
    for (size_t i = 0; i < e->nsub; i++)
        if (strcmp(e->sub[i].key, subkey) == 0)
            return e->sub[i].value;
    return NULL;
}

/* ---- paths ------------------------------------------------------------ */

bool md_expand_path(const char *in, char *out, size_t n)
{
    struct md_buf b = MD_BUF_INIT;
    bool ok = true;
    /* expandvars first, as botocore does, then expanduser. */
    for (const char *p = in; *p && ok;) {
        if (*p == '$') {
            const char *nb = p + 1, *ne;
            bool brace = *nb == '{';
            if (brace) {
                nb++;
                ne = strchr(nb, '}');
            } else {
                ne = nb;
                while (isalnum((unsigned char)*ne) || *ne == '_')
                    ne++;
            }
            if (ne && ne > nb) {
                char var[256];
                size_t vl = (size_t)(ne - nb);
                const char *val = NULL;
                if (vl < sizeof var) {
                    memcpy(var, nb, vl);
                    var[vl] = '\0';
                    val = getenv(var);
                }
                const char *after = brace ? ne + 1 : ne;
                if (val)
                    ok = md_buf_puts(&b, val) == 0;
                else
                    ok = md_buf_append(&b, p, (size_t)(after - p)) == 0;
                p = after;
                continue;
            }
        }
        ok = md_buf_append(&b, p, 1) == 0;
        p++;
    }
    if (!ok) {
        md_buf_free(&b);
        return false;
    }
    const char *s = b.data ? b.data : "";
    int w;
    if (s[0] == '~') {
        const char *slash = strchr(s, '/');
        size_t ul = slash ? (size_t)(slash - s - 1) : strlen(s) - 1;
        const char *home = NULL;
        if (ul == 0) {
            home = getenv("HOME");
            if (!home || !*home) {
                struct passwd *pw = getpwuid(getuid());
                home = pw ? pw->pw_dir : NULL;
            }
        } else {
            char user[256];
            if (ul < sizeof user) {
                memcpy(user, s + 1, ul);
                user[ul] = '\0';
                struct passwd *pw = getpwnam(user);
                home = pw ? pw->pw_dir : NULL;
            }
        }
        if (home) {
            /* A home of "/" must not give "//x". */
            size_t hl = strlen(home);
            while (hl > 1 && home[hl - 1] == '/')
                hl--;
            w = snprintf(out, n, "%.*s%s", (int)hl, home, slash ? slash : "");
        } else {
            w = snprintf(out, n, "%s", s);
        }
    } else {
        w = snprintf(out, n, "%s", s);
    }
    md_buf_free(&b);
    return w >= 0 && (size_t)w < n;
}

/* ---- the profile map -------------------------------------------------- */

/* shlex.split(posix=True) limited to what section names need: returns the
 * number of words (stops counting at 3) and copies the second into word2.
 * -1 on an unclosed quote (botocore then ignores the section). */
static int shlex_words(const char *s, char *word2, size_t n)
{
    int words = 0;
    const char *p = s;
    word2[0] = '\0';
    while (*p) {
        while (*p && isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;
        struct md_buf w = MD_BUF_INIT;
        int rc = 0;
        md_buf_append(&w, "", 0);
        while (*p && !isspace((unsigned char)*p)) {
            if (*p == '\'') {
                const char *q = strchr(p + 1, '\'');
                if (!q) {
                    rc = -1;
                    break;
                }
                md_buf_append(&w, p + 1, (size_t)(q - p - 1));
                p = q + 1;
            } else if (*p == '"') {
                p++;
                while (*p && *p != '"') {
                    if (*p == '\\' && (p[1] == '"' || p[1] == '\\' || p[1] == '$' ||
                                       p[1] == '`' || p[1] == '\n'))
                        p++;
                    md_buf_append(&w, p, 1);
                    p++;
                }
                if (*p != '"') {
                    rc = -1;
                    break;
                }
                p++;
            } else if (*p == '\\') {
                if (!p[1]) {
                    rc = -1;   /* "No escaped character" */
                    break;
                }
                md_buf_append(&w, p + 1, 1);
                p += 2;
            } else {
                md_buf_append(&w, p, 1);
                p++;
            }
        }
        if (rc < 0) {
            md_buf_free(&w);
            return -1;
        }
        words++;
        if (words == 2)
            snprintf(word2, n, "%s", w.data ? w.data : "");
        md_buf_free(&w);
    }
    return words;
}

/* The name a config-file section gives to the "profile" / "sso-session" /
 * "services" map, or false when it does not belong to that map. */
static bool section_key(const char *section, const char *prefix, char *name, size_t n)
{
    if (strncmp(section, prefix, strlen(prefix)) != 0)
        return false;
    return shlex_words(section, name, n) == 2;
}

const char *md_awsconfig_section_kind(const char *section, char *name, size_t n)
{
    static const char *const kinds[] = {"profile", "sso-session", "services"};
    for (size_t i = 0; i < 3; i++)
        if (!strncmp(section, kinds[i], strlen(kinds[i])))
            return section_key(section, kinds[i], name, n) ? kinds[i] : NULL;
    if (!strcmp(section, "default")) {
        snprintf(name, n, "default");
        return "profile";
    }
    return NULL;
}

const struct md_ini_section *md_awsconfig_prefixed_section(const struct md_awsconfig *cfg,
                                                           const char *prefix, const char *name)
{
    const struct md_ini_section *found = NULL;
    if (!cfg || !name)
        return NULL;
    char key[256];
    for (size_t i = 0; i < cfg->config->n; i++) {
        const char *sn = cfg->config->sections[i].name;
        if (section_key(sn, prefix, key, sizeof key) && strcmp(key, name) == 0)
            found = &cfg->config->sections[i];
    }
    return found;
}

const struct md_ini_section *md_awsconfig_profile_section(const struct md_awsconfig *cfg,
                                                          const char *profile)
{
    if (!cfg || !profile)
        return NULL;
    const struct md_ini_section *found = NULL;
    char key[256];
    for (size_t i = 0; i < cfg->config->n; i++) {
        const char *sn = cfg->config->sections[i].name;
        if (strncmp(sn, "profile", 7) == 0) {
            if (section_key(sn, "profile", key, sizeof key) && strcmp(key, profile) == 0)
                found = &cfg->config->sections[i];
        } else if (strcmp(sn, "default") == 0 && strcmp(profile, "default") == 0) {
            found = &cfg->config->sections[i];
        }
    }
    return found;
}

bool md_awsconfig_has_profile(const struct md_awsconfig *cfg, const char *profile)
{
    return md_awsconfig_profile_section(cfg, profile) ||
           md_ini_section(cfg->credentials, profile);
}

const struct md_ini_entry *md_awsconfig_entry(const struct md_awsconfig *cfg, const char *profile,
                                              const char *key, enum md_awscfg_file *from)
{
    if (!cfg || !profile)
        return NULL;
    const struct md_ini_entry *e =
        md_ini_entry(cfg->credentials, md_ini_section(cfg->credentials, profile), key);
    if (e) {
        if (from)
            *from = MD_AWSCFG_CREDENTIALS;
        return e;
    }
    e = md_ini_entry(cfg->config, md_awsconfig_profile_section(cfg, profile), key);
    if (e && from)
        *from = MD_AWSCFG_CONFIG;
    return e;
}

const char *md_awsconfig_get(const struct md_awsconfig *cfg, const char *profile, const char *key,
                             enum md_awscfg_file *from)
{
    const struct md_ini_entry *e = md_awsconfig_entry(cfg, profile, key, from);
    return e ? e->value : NULL;
}

const char *md_awsconfig_get_in(const struct md_awsconfig *cfg, enum md_awscfg_file which,
                                const char *profile, const char *key)
{
    if (!cfg || !profile)
        return NULL;
    const struct md_ini_entry *e;
    if (which == MD_AWSCFG_CREDENTIALS)
        e = md_ini_entry(cfg->credentials, md_ini_section(cfg->credentials, profile), key);
    else
        e = md_ini_entry(cfg->config, md_awsconfig_profile_section(cfg, profile), key);
    return e ? e->value : NULL;
}

const char *md_awsconfig_sso_session_get(const struct md_awsconfig *cfg, const char *session,
                                         const char *key)
{
    const struct md_ini_entry *e =
        md_ini_entry(cfg->config, md_awsconfig_prefixed_section(cfg, "sso-session", session), key);
    return e ? e->value : NULL;
}

const char *md_awsconfig_services_get(const struct md_awsconfig *cfg, const char *services,
                                      const char *service_key, const char *subkey)
{
    const struct md_ini_entry *e = md_ini_entry(
        cfg->config, md_awsconfig_prefixed_section(cfg, "services", services), service_key);
    return md_ini_entry_sub(e, subkey);
}

bool md_awscfg_is_true(const char *v)
{
    return v && strcasecmp(v, "true") == 0;
}

/* ---- loading ---------------------------------------------------------- */

static md_status resolve_path(const char *explicit_path, const char *env, const char *def,
                              char *out, size_t n, struct md_err *err)
{
    const char *p = explicit_path;
    if (!p) {
        const char *v = getenv(env);
        p = v && *v ? v : def;
    }
    if (!md_expand_path(p, out, n))
        return md_err_set(err, MD_ERR_INVALID, "%s: path too long", env);
    return MD_OK;
}

md_status md_awsconfig_load_paths(const char *config_path, const char *credentials_path,
                                  struct md_awsconfig **out, struct md_err *err)
{
    *out = NULL;
    struct md_awsconfig *cfg = calloc(1, sizeof *cfg);
    if (!cfg)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    md_status st = resolve_path(config_path, "AWS_CONFIG_FILE", "~/.aws/config",
                                cfg->config_path, sizeof cfg->config_path, err);
    if (st == MD_OK)
        st = resolve_path(credentials_path, "AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials",
                          cfg->credentials_path, sizeof cfg->credentials_path, err);
    if (st == MD_OK)
        st = md_ini_load(cfg->config_path, &cfg->config_found, &cfg->config, err);
    if (st == MD_OK)
        st = md_ini_load(cfg->credentials_path, &cfg->credentials_found, &cfg->credentials, err);
    if (st != MD_OK) {
        md_awsconfig_free(cfg);
        return st;
    }
    *out = cfg;
    return MD_OK;
}

md_status md_awsconfig_load(struct md_awsconfig **out, struct md_err *err)
{
    return md_awsconfig_load_paths(NULL, NULL, out, err);
}

void md_awsconfig_free(struct md_awsconfig *cfg)
{
    if (!cfg)
        return;
    md_ini_free(cfg->config);
    md_ini_free(cfg->credentials);
    free(cfg);
}
