/* Prints what mldeck reads from an AWS config file as JSON, in the shape
 * botocore gives (for tests/creds/test_awsconfig_botocore.py):
 *   awsconfig_dump --raw FILE   raw_config_parse(FILE): {section: {key: value|{sub}}}
 *   awsconfig_dump FILE         load_config(FILE): profiles, sso_sessions, services, others
 * A parse error prints {"error": "..."} and exits 1. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/awsconfig.h"

static cJSON *section_json(const struct md_ini *ini, const struct md_ini_section *s)
{
    cJSON *o = cJSON_CreateObject();
    /* RawConfigParser: [DEFAULT] keys first, the section's own override. */
    const struct md_ini_section *parts[2] = {&ini->defaults, s};
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < parts[k]->n; i++) {
            const struct md_ini_entry *e = &parts[k]->entries[i];
            cJSON *v;
            if (e->sub) {
                v = cJSON_CreateObject();
                for (size_t j = 0; j < e->nsub; j++)
                    cJSON_AddStringToObject(v, e->sub[j].key, e->sub[j].value);
            } else {
                v = cJSON_CreateString(e->value);
            }
            cJSON_DeleteItemFromObjectCaseSensitive(o, e->key);
            cJSON_AddItemToObject(o, e->key, v);
        }
    return o;
}

int main(int argc, char **argv)
{
    bool raw = argc == 3 && !strcmp(argv[1], "--raw");
    if (argc != 2 && !raw) {
        fprintf(stderr, "usage: awsconfig_dump [--raw] FILE\n");
        return 2;
    }
    const char *path = argv[argc - 1];
    struct md_ini *ini;
    struct md_err err;
    bool found;
    cJSON *root = cJSON_CreateObject();
    int rc = 0;
    if (md_ini_load(path, &found, &ini, &err) != MD_OK) {
        cJSON_AddStringToObject(root, "error", err.msg);
        rc = 1;
    } else if (raw) {
        for (size_t i = 0; i < ini->n; i++) {
            cJSON_DeleteItemFromObjectCaseSensitive(root, ini->sections[i].name);
            cJSON_AddItemToObject(root, ini->sections[i].name, section_json(ini, &ini->sections[i]));
        }
    } else {
        cJSON *maps[3] = {cJSON_CreateObject(), cJSON_CreateObject(), cJSON_CreateObject()};
        static const char *const kinds[3] = {"profile", "sso-session", "services"};
        for (size_t i = 0; i < ini->n; i++) {
            char name[256];
            const char *kind = md_awsconfig_section_kind(ini->sections[i].name, name, sizeof name);
            cJSON *target = root;
            const char *key = ini->sections[i].name;
            if (kind) {
                for (int k = 0; k < 3; k++)
                    if (!strcmp(kind, kinds[k]))
                        target = maps[k];
                key = name;
            } else if (!strncmp(key, "profile", 7) || !strncmp(key, "sso-session", 11) ||
                       !strncmp(key, "services", 8)) {
                continue;   /* malformed name: botocore drops the section */
            }
            cJSON_DeleteItemFromObjectCaseSensitive(target, key);
            cJSON_AddItemToObject(target, key, section_json(ini, &ini->sections[i]));
        }
        cJSON_AddItemToObject(root, "profiles", maps[0]);
        cJSON_AddItemToObject(root, "sso_sessions", maps[1]);
        cJSON_AddItemToObject(root, "services", maps[2]);
    }
    if (rc == 0)
        md_ini_free(ini);
    char *s = cJSON_PrintUnformatted(root);
    printf("%s\n", s);
    free(s);
    cJSON_Delete(root);
    return rc;
}
