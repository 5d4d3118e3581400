/* credential_process: run the command (split shell-style, no shell), read
 * JSON Version 1 from its stdout (botocore ProcessProvider). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net/creds_int.h"
#include "util/json.h"

extern char **environ;

/* shlex.split(posix=True, comments=False): words separated by blanks;
 * '...' literal, "..." with \\ \" \$ \` escapes, \x outside quotes.  The
 * argv array and its strings are one allocation list the caller frees with
 * free_argv.  -1 on an unclosed quote or a trailing backslash. */
static void free_argv(char **argv)
{
    if (!argv)
        return;
    for (char **a = argv; *a; a++)
        free(*a);
    free(argv);
}

static int shlex_split(const char *s, char ***out)
{
    size_t cap = 8, n = 0;
    char **argv = calloc(cap, sizeof *argv);
    if (!argv)
        return -1;
    const char *p = s;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            p++;
        if (!*p)
            break;
        struct md_buf w = MD_BUF_INIT;
        int bad = md_buf_append(&w, "", 0);
        while (!bad && *p && !(*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) {
            if (*p == '\'') {
                const char *q = strchr(p + 1, '\'');
                if (!q) {
                    bad = -1;
                    break;
                }
                bad = md_buf_append(&w, p + 1, (size_t)(q - p - 1));
                p = q + 1;
            } else if (*p == '"') {
                p++;
                while (!bad && *p && *p != '"') {
                    if (*p == '\\' && p[1] && strchr("\\\"$`\n", p[1]))
                        p++;
                    bad = md_buf_append(&w, p++, 1);
                }
                if (*p != '"') {
                    bad = -1;
                    break;
                }
                p++;
            } else if (*p == '\\') {
                if (!p[1]) {
                    bad = -1;
                    break;
                }
                bad = md_buf_append(&w, p + 1, 1);
                p += 2;
            } else {
                bad = md_buf_append(&w, p++, 1);
            }
        }
        if (bad) {
            md_buf_free(&w);
            free_argv(argv);
            return -1;
        }
        if (n + 2 > cap) {
            cap *= 2;
            char **g = realloc(argv, cap * sizeof *g);
            if (!g) {
                md_buf_free(&w);
                free_argv(argv);
                return -1;
            }
            argv = g;
        }
        argv[n++] = md_buf_steal(&w);
        argv[n] = NULL;
    }
    *out = argv;
    return (int)n;
}

#define MAX_OUTPUT (1 << 20)

/* Runs argv, collecting stdout and stderr (each capped); returns the exit
 * status as waitpid reports it, or -1 with err filled. */
static int run(char **argv, struct md_buf *out, struct md_buf *errb, struct md_err *err)
{
    int po[2], pe[2];
    if (pipe2(po, O_CLOEXEC) < 0)
        return md_err_set(err, MD_ERR_IO, "pipe: %s", strerror(errno)), -1;
    if (pipe2(pe, O_CLOEXEC) < 0) {
        close(po[0]);
        close(po[1]);
        return md_err_set(err, MD_ERR_IO, "pipe: %s", strerror(errno)), -1;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, po[1], 1);
    posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(po[1]);
    close(pe[1]);
    if (rc != 0) {
        close(po[0]);
        close(pe[0]);
        return md_err_set(err, MD_ERR_AUTH, "cannot run '%s': %s", argv[0], strerror(rc)), -1;
    }
    struct pollfd fds[2] = {{po[0], POLLIN, 0}, {pe[0], POLLIN, 0}};
    struct md_buf *bufs[2] = {out, errb};
    int open_fds = 2;
    bool too_big = false;
    while (open_fds > 0) {
        int r = poll(fds, 2, -1);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd < 0 || !fds[i].revents)
                continue;
            char chunk[4096];
            ssize_t got = read(fds[i].fd, chunk, sizeof chunk);
            if (got < 0 && errno == EINTR)
                continue;
            if (got <= 0) {
                close(fds[i].fd);
                fds[i].fd = -1;
                open_fds--;
                continue;
            }
            if (bufs[i]->len + (size_t)got > MAX_OUTPUT)
                too_big = true;
            else
                md_buf_append(bufs[i], chunk, (size_t)got);
        }
    }
    for (int i = 0; i < 2; i++)
        if (fds[i].fd >= 0)
            close(fds[i].fd);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return md_err_set(err, MD_ERR_IO, "waitpid: %s", strerror(errno)), -1;
    if (too_big)
        return md_err_set(err, MD_ERR_AUTH, "'%s' wrote more than 1 MiB", argv[0]), -1;
    return status;
}

/* A short, single-line excerpt of the process's stderr for the message. */
static void excerpt(const struct md_buf *b, char *out, size_t n)
{
    size_t j = 0;
    const char *s = b->data ? b->data : "";
    while (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t')
        s++;
    for (; *s && j + 1 < n && j < 300; s++)
        out[j++] = (*s == '\n' || *s == '\r' || *s == '\t') ? ' ' : *s;
    while (j > 0 && out[j - 1] == ' ')
        j--;
    out[j] = '\0';
}

md_status md_creds_fetch_process(struct md_cred_node *n, struct md_aws_creds *out,
                                 struct md_err *err)
{
    char **argv = NULL;
    int argc = shlex_split(n->process, &argv);
    if (argc <= 0) {
        free_argv(argv);
        return md_err_set(err, MD_ERR_AUTH,
                          "credential_process of profile %s: cannot split the command line "
                          "(unbalanced quotes?)",
                          n->profile);
    }
    struct md_buf o = MD_BUF_INIT, e = MD_BUF_INIT;
    int status = run(argv, &o, &e, err);
    md_status st = MD_OK;
    if (status < 0) {
        st = md_err_wrap(err, "credential_process of profile %s", n->profile);
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char ex[320];
        excerpt(&e, ex, sizeof ex);
        if (WIFEXITED(status))
            st = md_err_set(err, MD_ERR_AUTH, "credential_process of profile %s failed (exit %d)%s%s",
                            n->profile, WEXITSTATUS(status), ex[0] ? ": " : "", ex);
        else
            st = md_err_set(err, MD_ERR_AUTH, "credential_process of profile %s killed by signal %d",
                            n->profile, WTERMSIG(status));
    } else {
        st = md_creds_from_json(o.data ? o.data : "", o.len,
                                "$.SessionToken", "credential_process", true, out, err);
        if (st != MD_OK)
            md_err_wrap(err, "profile %s", n->profile);
    }
    /* stdout held the secret: clear it before freeing. */
    if (o.data)
        memset(o.data, 0, o.cap);
    md_buf_free(&o);
    md_buf_free(&e);
    free_argv(argv);
    return st;
}
