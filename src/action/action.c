#include "action/action.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/xdg.h"

md_status md_action_gate(const struct md_settings *s, const struct md_action_req *req,
                         struct md_err *err)
{
    if (req->action->mutating && s->read_only)
        return md_err_set(err, MD_ERR_READONLY,
                          "read-only mode: '%s' would change the account (restart without --read-only "
                          "or set read_only = false)",
                          req->action->label);
    return MD_OK;
}

static void iso_now(char *out, size_t n)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char base[32];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, n, "%s.%03ldZ", base, ts.tv_nsec / 1000000);
}

static char *audit_line(const struct md_action_scope *scope, const struct md_action_req *req,
                        md_status result, const struct md_err *aerr, const char *request_id)
{
    char when[40];
    iso_now(when, sizeof when);
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "time", when);
    cJSON_AddStringToObject(o, "profile", scope && scope->profile ? scope->profile : "");
    cJSON_AddStringToObject(o, "account", scope && scope->account ? scope->account : "");
    cJSON_AddStringToObject(o, "region", scope && scope->region ? scope->region : "");
    cJSON_AddStringToObject(o, "action", req->action->name);
    cJSON_AddStringToObject(o, "kind", req->kind->name);
    cJSON_AddStringToObject(o, "target", req->target ? req->target : "");
    cJSON_AddItemToObject(o, "params",
                          req->params ? cJSON_Duplicate(req->params, 1) : cJSON_CreateObject());
    cJSON_AddStringToObject(o, "result", result == MD_OK ? "ok" : md_status_name(result));
    if (result != MD_OK && aerr) {
        if (aerr->svc_code[0])
            cJSON_AddStringToObject(o, "error_code", aerr->svc_code);
        cJSON_AddStringToObject(o, "error", aerr->msg);
    }
    const char *rid = request_id && request_id[0] ? request_id : (aerr ? aerr->request_id : "");
    cJSON_AddStringToObject(o, "request_id", rid ? rid : "");
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

md_status md_audit_append(const struct md_action_scope *scope, const struct md_action_req *req,
                          md_status result, const struct md_err *action_err,
                          const char *request_id, struct md_err *err)
{
    if (!req->action->mutating)
        return MD_OK;
    char dir[PATH_MAX], path[PATH_MAX + 16];
    if (md_xdg_dir(MD_XDG_STATE, dir, sizeof dir, err) != MD_OK)
        return err ? err->code : MD_ERR_IO;
    snprintf(path, sizeof path, "%s/audit.log", dir);
    char *line = audit_line(scope, req, result, action_err, request_id);
    if (!line)
        return md_err_set(err, MD_ERR_NOMEM, "audit: out of memory");
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) {
        free(line);
        return md_err_set(err, MD_ERR_IO, "audit log %s: %s", path, strerror(errno));
    }
    /* Several mldeck processes may act at once: one write() per line under
     * an advisory lock keeps lines whole. */
    flock(fd, LOCK_EX);
    size_t len = strlen(line);
    line[len] = '\n';
    ssize_t w = write(fd, line, len + 1);
    flock(fd, LOCK_UN);
    close(fd);
    free(line);
    if (w != (ssize_t)(len + 1))
        return md_err_set(err, MD_ERR_IO, "audit log %s: short write", path);
    return MD_OK;
}

md_status md_action_run(const struct md_settings *s, const struct md_action_scope *scope,
                        const struct md_action_req *req, md_action_fn fn, void *ctx,
                        cJSON **result, struct md_err *err)
{
    if (result)
        *result = NULL;
    md_err_clear(err);
    md_status st = md_action_gate(s, req, err);
    if (st != MD_OK)
        return st; /* refused before anything was sent: nothing to audit */
    char request_id[80] = "";
    st = fn(ctx, req, result, request_id, err);
    if (st == MD_ERR_DEMO)
        return st; /* the demo sends nothing to any account */
    struct md_err aerr;
    if (md_audit_append(scope, req, st, err, request_id, &aerr) != MD_OK && st == MD_OK)
        *err = aerr; /* the action happened but could not be recorded: say so */
    return st;
}
