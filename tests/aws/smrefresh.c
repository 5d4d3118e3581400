/* smrefresh: one refresh as the screen's worker runs it (md_sm_refresh,
 * not a CLI listing), for tests/aws/test_last_exec.py.
 *
 *   smrefresh ENDPOINT KIND [PARENT]
 *
 * Settings, credentials and the cache come from the environment as for
 * mldeck itself (XDG_CACHE_HOME...).  Prints one JSON object: "status"
 * (the md_status name), "message" (the error's, "" when none) and the
 * refresh's counters. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "app/workspace.h"
#include "net/http.h"

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: smrefresh ENDPOINT KIND [PARENT]\n");
        return 2;
    }
    struct md_settings set;
    struct md_err err;
    md_err_clear(&err);
    md_settings_defaults(&set);
    if (md_settings_load(&set, NULL, &err) != MD_OK) {
        fprintf(stderr, "smrefresh: %s\n", err.msg);
        return 2;
    }
    snprintf(set.endpoint_url, sizeof set.endpoint_url, "%s", argv[1]);
    struct md_workspace ws;
    if (md_workspace_open(&set, MD_WS_NEED_AWS, &ws, &err) != MD_OK) {
        fprintf(stderr, "smrefresh: %s\n", err.msg);
        return 2;
    }
    void *curl = md_http_handle_new();
    struct md_sm_ctx x = {ws.aws, &set, ws.cache, &ws.scope, curl, NULL, NULL};
    struct md_sm_stats stats;
    md_status st = md_sm_refresh(&x, argv[2], argc > 3 ? argv[3] : NULL, false, &stats, &err);
    cJSON *out = cJSON_CreateObject();
    cJSON_AddStringToObject(out, "status", md_status_name(st));
    cJSON_AddStringToObject(out, "message", st == MD_OK ? "" : err.msg);
    cJSON_AddNumberToObject(out, "pages", stats.pages);
    cJSON_AddNumberToObject(out, "written", stats.written);
    cJSON_AddBoolToObject(out, "complete", stats.complete);
    char *s = cJSON_PrintUnformatted(out);
    printf("%s\n", s);
    cJSON_free(s);
    cJSON_Delete(out);
    md_http_handle_free(curl);
    md_workspace_close(&ws);
    return st == MD_OK ? 0 : 1;
}
