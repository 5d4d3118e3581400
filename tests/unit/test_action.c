#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../tap.h"
#include "action/action.h"
#include "util/json.h"

static const struct md_action stop = {'x', "stop", "Stop execution", true, true};
static const struct md_action describe = {'d', "describe", "Describe", false, false};
static const struct md_kind kind = {.name = "pipeline-executions", .title = "Executions"};

static int calls;

static md_status fake_call(void *ctx, const struct md_action_req *req, cJSON **result,
                           char *request_id, struct md_err *err)
{
    calls++;
    md_status want = *(md_status *)ctx;
    strcpy(request_id, "req-1234");
    if (want == MD_OK)
        return MD_OK;
    md_err_set(err, want, "boom");
    strcpy(err->svc_code, "ValidationException");
    return want;
}

static int count_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    int n = 0, c;
    while ((c = fgetc(f)) != EOF)
        n += c == '\n';
    fclose(f);
    return n;
}

int main(void)
{
    char tmpl[] = "/tmp/mdactXXXXXX";
    char *root = mkdtemp(tmpl);
    setenv("XDG_STATE_HOME", root, 1);
    char log[600];
    snprintf(log, sizeof log, "%s/mldeck/audit.log", root);

    struct md_settings s;
    md_settings_defaults(&s);
    struct md_action_scope scope = {"prod", "123456789012", "eu-west-1"};
    cJSON *params = cJSON_Parse("{\"PipelineExecutionArn\":\"arn:x\"}");
    struct md_action_req req = {&kind, &stop, "arn:x", params};
    struct md_err err;
    md_status want = MD_OK;

    s.read_only = true;
    TAP_EQ_INT(md_action_run(&s, &scope, &req, fake_call, &want, NULL, &err), MD_ERR_READONLY,
               "read-only refuses a mutating action");
    TAP_OK(strstr(err.msg, "read-only") && strstr(err.msg, "Stop execution"), "refusal names the action");
    TAP_EQ_INT(calls, 0, "nothing was sent under read-only");
    struct md_action_req look = {&kind, &describe, "arn:x", NULL};
    TAP_EQ_INT(md_action_run(&s, &scope, &look, fake_call, &want, NULL, &err), MD_OK,
               "read-only allows a non-mutating action");
    TAP_EQ_INT(count_lines(log), 0, "non-mutating actions are not audited");

    s.read_only = false;
    calls = 0;
    TAP_EQ_INT(md_action_run(&s, &scope, &req, fake_call, &want, NULL, &err), MD_OK, "action runs");
    TAP_EQ_INT(calls, 1, "provider called once");
    want = MD_ERR_SERVICE;
    TAP_EQ_INT(md_action_run(&s, &scope, &req, fake_call, &want, NULL, &err), MD_ERR_SERVICE,
               "failure is returned");
    want = MD_ERR_DEMO;
    md_action_run(&s, &scope, &req, fake_call, &want, NULL, &err);
    TAP_EQ_INT(count_lines(log), 2, "two audit lines (demo refusal not audited)");
    struct stat st;
    TAP_OK(stat(log, &st) == 0 && (st.st_mode & 0777) == 0600, "audit log is 0600");

    FILE *f = fopen(log, "r");
    char line[2048];
    int ok_fields = 0;
    if (f && fgets(line, sizeof line, f)) {
        cJSON *j = cJSON_Parse(line);
        ok_fields = j && !strcmp(md_json_str(j, "$.profile", ""), "prod") &&
                    !strcmp(md_json_str(j, "$.account", ""), "123456789012") &&
                    !strcmp(md_json_str(j, "$.region", ""), "eu-west-1") &&
                    !strcmp(md_json_str(j, "$.action", ""), "stop") &&
                    !strcmp(md_json_str(j, "$.target", ""), "arn:x") &&
                    !strcmp(md_json_str(j, "$.params.PipelineExecutionArn", ""), "arn:x") &&
                    !strcmp(md_json_str(j, "$.result", ""), "ok") &&
                    !strcmp(md_json_str(j, "$.request_id", ""), "req-1234") &&
                    md_json_str(j, "$.time", NULL) != NULL;
        cJSON_Delete(j);
    }
    TAP_OK(ok_fields, "first line carries time, profile, account, region, action, target, params, result, request id");
    if (f && fgets(line, sizeof line, f)) {
        cJSON *j = cJSON_Parse(line);
        TAP_OK(j && !strcmp(md_json_str(j, "$.result", ""), "service") &&
                   !strcmp(md_json_str(j, "$.error_code", ""), "ValidationException"),
               "failed action records its error code");
        cJSON_Delete(j);
    }
    if (f)
        fclose(f);
    cJSON_Delete(params);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (system(cmd) != 0)
        tap_diag("cleanup failed");
    return tap_done();
}
