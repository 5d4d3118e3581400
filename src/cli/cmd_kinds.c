/* `mldeck kinds [KIND] [--json|--md]`: the table of kinds (names, aliases,
 * panes, parents, columns, actions) as the screen and `ls` use it. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "kind/kind.h"

static const char *fmt_name(enum md_fmt f)
{
    switch (f) {
    case MD_FMT_TEXT: return "text";
    case MD_FMT_STATUS: return "status";
    case MD_FMT_AGE: return "age";
    case MD_FMT_TIME: return "time";
    case MD_FMT_DURATION: return "duration";
    case MD_FMT_SPAN: return "span";
    case MD_FMT_BYTES: return "bytes";
    case MD_FMT_INT: return "int";
    case MD_FMT_FLOAT: return "float";
    case MD_FMT_PERCENT: return "percent";
    case MD_FMT_COUNT: return "count";
    case MD_FMT_KEYS: return "keys";
    case MD_FMT_ARN_NAME: return "arn-name";
    }
    return "?";
}

static const char *enc_name(enum md_time_enc e)
{
    switch (e) {
    case MD_TIME_EPOCH_S: return "epoch-s";
    case MD_TIME_EPOCH_MS: return "epoch-ms";
    case MD_TIME_ISO8601: return "iso8601";
    }
    return "?";
}

static cJSON *kind_json(const struct md_kind *k)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", k->name);
    cJSON_AddStringToObject(o, "title", k->title);
    cJSON *al = cJSON_AddArrayToObject(o, "aliases");
    char buf[256];
    snprintf(buf, sizeof buf, "%s", k->aliases ? k->aliases : "");
    for (char *w = strtok(buf, " "); w; w = strtok(NULL, " "))
        cJSON_AddItemToArray(al, cJSON_CreateString(w));
    cJSON_AddStringToObject(o, "pane", k->pane ? k->pane : "");
    if (k->parent)
        cJSON_AddStringToObject(o, "parent", k->parent);
    if (k->child)
        cJSON_AddStringToObject(o, "child", k->child);
    cJSON_AddStringToObject(o, "source", k->source ? k->source : "");
    cJSON_AddStringToObject(o, "summary", k->summary ? k->summary : "");
    cJSON_AddStringToObject(o, "id_path", k->id_path);
    cJSON_AddBoolToObject(o, "id_in_parent", k->id_in_parent);
    cJSON_AddStringToObject(o, "time_encoding", enc_name(k->time_enc));
    cJSON *cols = cJSON_AddArrayToObject(o, "columns");
    for (size_t i = 0; i < k->ncolumns; i++) {
        const struct md_column *c = &k->columns[i];
        cJSON *co = cJSON_CreateObject();
        cJSON_AddStringToObject(co, "title", c->title);
        cJSON_AddStringToObject(co, "path", c->path);
        if (c->path2)
            cJSON_AddStringToObject(co, "path2", c->path2);
        cJSON_AddStringToObject(co, "format", fmt_name(c->fmt));
        cJSON_AddBoolToObject(co, "hidden", c->hidden);
        cJSON_AddItemToArray(cols, co);
    }
    cJSON *acts = cJSON_AddArrayToObject(o, "actions");
    for (size_t i = 0; i < k->nactions; i++) {
        const struct md_action *a = &k->actions[i];
        cJSON *ao = cJSON_CreateObject();
        char key[2] = {(char)a->key, 0};
        cJSON_AddStringToObject(ao, "key", key);
        cJSON_AddStringToObject(ao, "name", a->name);
        cJSON_AddStringToObject(ao, "label", a->label);
        cJSON_AddBoolToObject(ao, "confirm", a->confirm);
        cJSON_AddBoolToObject(ao, "mutating", a->mutating);
        cJSON_AddItemToArray(acts, ao);
    }
    return o;
}

static void print_md(FILE *out)
{
    fprintf(out, "| kind | aliases | pane | parent -> child | cached object |\n");
    fprintf(out, "|---|---|---|---|---|\n");
    for (size_t i = 0; i < md_kind_count(); i++) {
        const struct md_kind *k = md_kind_at(i);
        fprintf(out, "| `%s` | %s | %s | %s -> %s | %s |\n", k->name, k->aliases, k->pane,
                k->parent ? k->parent : "-", k->child ? k->child : "-", k->source);
    }
    fprintf(out, "\n");
    for (size_t i = 0; i < md_kind_count(); i++) {
        const struct md_kind *k = md_kind_at(i);
        fprintf(out, "### %s\n\n%s. Cached object: %s; times: %s.\n\n", k->name, k->summary,
                k->source, enc_name(k->time_enc));
        fprintf(out, "Columns: ");
        for (size_t c = 0; c < k->ncolumns; c++)
            fprintf(out, "%s%s%s (`%s`, %s)%s", c ? ", " : "", k->columns[c].hidden ? "_" : "",
                    k->columns[c].title, k->columns[c].path, fmt_name(k->columns[c].fmt),
                    k->columns[c].hidden ? "_" : "");
        fprintf(out, ". Sorted by %s%s.\n", k->columns[k->sort_column].title,
                k->sort_desc ? ", newest first" : "");
        if (k->nactions) {
            fprintf(out, "\nActions: ");
            for (size_t a = 0; a < k->nactions; a++)
                fprintf(out, "%s`%c` %s (`:%s`%s%s)", a ? ", " : "", k->actions[a].key,
                        k->actions[a].label, k->actions[a].name,
                        k->actions[a].confirm ? ", confirmed" : "",
                        k->actions[a].mutating ? ", changes the account" : "");
            fprintf(out, ".\n");
        }
        fprintf(out, "\n");
    }
}

int md_cmd_kinds(struct md_cli *cli, int argc, char **argv)
{
    bool json = false, md = false;
    const char *only = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            json = true;
        else if (strcmp(argv[i], "--md") == 0)
            md = true;
        else if (argv[i][0] == '-' || only) {
            fprintf(cli->err, "mldeck kinds: unexpected '%s' (usage: mldeck kinds [KIND] "
                              "[--json|--md])\n", argv[i]);
            return MD_EXIT_USAGE;
        } else
            only = argv[i];
    }
    const struct md_kind *one = NULL;
    if (only && !(one = md_kind_find(only))) {
        fprintf(cli->err, "mldeck kinds: unknown kind '%s'\n", only);
        return MD_EXIT_NOTFOUND;
    }
    if (md) {
        print_md(cli->out);
        return MD_EXIT_OK;
    }
    if (json) {
        cJSON *root = one ? kind_json(one) : cJSON_CreateArray();
        for (size_t i = 0; !one && i < md_kind_count(); i++)
            cJSON_AddItemToArray(root, kind_json(md_kind_at(i)));
        char *s = cJSON_Print(root);
        fprintf(cli->out, "%s\n", s ? s : "null");
        cJSON_free(s);
        cJSON_Delete(root);
        return MD_EXIT_OK;
    }
    fprintf(cli->out, "%-22s %-12s %-22s %-22s %s\n", "KIND", "PANE", "PARENT", "CHILD",
            "ALIASES");
    for (size_t i = 0; i < md_kind_count(); i++) {
        const struct md_kind *k = md_kind_at(i);
        if (one && k != one)
            continue;
        fprintf(cli->out, "%-22s %-12s %-22s %-22s %s\n", k->name, k->pane,
                k->parent ? k->parent : "-", k->child ? k->child : "-", k->aliases);
        if (one) {
            fprintf(cli->out, "\n%s\ncached object: %s\n\ncolumns:\n", k->summary, k->source);
            for (size_t c = 0; c < k->ncolumns; c++)
                fprintf(cli->out, "  %-14s %-9s %s%s%s%s\n", k->columns[c].title,
                        fmt_name(k->columns[c].fmt), k->columns[c].path,
                        !k->columns[c].path2                    ? ""
                        : md_column_has_fallback(&k->columns[c]) ? " else "
                                                                 : " .. ",
                        k->columns[c].path2 ? k->columns[c].path2 : "",
                        k->columns[c].hidden ? "  (hidden)" : "");
            if (k->nactions)
                fprintf(cli->out, "actions:\n");
            for (size_t a = 0; a < k->nactions; a++)
                fprintf(cli->out, "  %c  :%-26s %s%s%s\n", k->actions[a].key,
                        k->actions[a].name, k->actions[a].label,
                        k->actions[a].confirm ? " (confirm)" : "",
                        k->actions[a].mutating ? " (changes the account)" : "");
        }
    }
    return MD_EXIT_OK;
}
