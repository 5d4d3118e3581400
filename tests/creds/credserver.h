/* Starts tests/servers/creds_server.py on 127.0.0.1 for a C test and reads
 * its counters.  The server exits when we close its stdin. */
#ifndef MD_TEST_CREDSERVER_H
#define MD_TEST_CREDSERVER_H

#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net/http.h"
#include "util/json.h"

extern char **environ;

struct credserver {
    pid_t pid;
    int in_fd;
    int port;
    char base[64];
};

/* args: NULL-terminated extra options for the server. */
static __attribute__((unused)) int credserver_start(struct credserver *s, const char *const *args)
{
    const char *src = getenv("MLDECK_SRCDIR");
    char script[1024];
    snprintf(script, sizeof script, "%s/tests/servers/creds_server.py", src ? src : ".");
    if (access(script, R_OK) != 0 || access("/usr/bin/python3", X_OK) != 0)
        return -1;
    const char *argv[40] = {"/usr/bin/python3", script};
    int n = 2;
    for (int i = 0; args && args[i] && n < 38; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    int in[2], out[2];
    if (pipe(in) < 0 || pipe(out) < 0)
        return -1;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_addclose(&fa, in[1]);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    int rc = posix_spawn(&s->pid, argv[0], &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(in[0]);
    close(out[1]);
    if (rc != 0)
        return -1;
    s->in_fd = in[1];
    FILE *f = fdopen(out[0], "r");
    char line[64] = "";
    if (!f || !fgets(line, sizeof line, f) || sscanf(line, "PORT %d", &s->port) != 1) {
        if (f)
            fclose(f);
        close(s->in_fd);
        waitpid(s->pid, NULL, 0);
        return -1;
    }
    fclose(f);
    snprintf(s->base, sizeof s->base, "http://127.0.0.1:%d", s->port);
    return 0;
}

static __attribute__((unused)) void credserver_stop(struct credserver *s)
{
    if (s->pid <= 0)
        return;
    close(s->in_fd);
    waitpid(s->pid, NULL, 0);
    s->pid = 0;
}

/* GET base+path; returns the parsed JSON (caller frees) or NULL. */
static __attribute__((unused)) cJSON *credserver_get(struct credserver *s, const char *path)
{
    char url[256];
    snprintf(url, sizeof url, "%s%s", s->base, path);
    struct md_http_request req;
    struct md_http_response resp = {0};
    struct md_http_opts o;
    struct md_err err;
    md_http_opts_init(&o);
    if (md_http_request_init(&req, "GET", url) < 0)
        return NULL;
    cJSON *j = NULL;
    if (md_http_perform(NULL, &req, &o, &resp, &err) == MD_OK && resp.status == 200)
        j = md_json_parse(resp.body.data, resp.body.len, &err);
    md_http_request_free(&req);
    md_http_response_free(&resp);
    return j;
}

static __attribute__((unused)) int credserver_count(struct credserver *s, const char *name)
{
    cJSON *j = credserver_get(s, "/_counts");
    char path[128];
    snprintf(path, sizeof path, "$.%s", name);
    int n = (int)md_json_num(j, path, 0);
    cJSON_Delete(j);
    return n;
}

#endif
