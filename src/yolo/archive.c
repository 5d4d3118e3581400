#include "yolo/archive.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int md_yolo_is_gzip(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    unsigned char b[2] = {0, 0};
    size_t n = fread(b, 1, 2, f);
    fclose(f);
    return n == 2 && b[0] == 0x1f && b[1] == 0x8b;
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    remove(p);
    return 0;
}

void md_yolo_remove_tree(const char *dir)
{
    if (dir && dir[0])
        nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

struct found {
    char *paths[16];
    int n;
};

static struct found *g_found;   /* nftw has no user pointer; extraction is serialised below */

static int find_onnx(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    size_t n = strlen(p);
    if (flag == FTW_F && S_ISREG(sb->st_mode) && n > 5 && !strcmp(p + n - 5, ".onnx") &&
        g_found->n < 16)
        g_found->paths[g_found->n++] = strdup(p);
    (void)ftw;
    return 0;
}

md_status md_yolo_extract_onnx(const char *targz, char **onnx_path, char **tmpdir, struct md_err *err)
{
    *onnx_path = NULL;
    *tmpdir = NULL;
    const char *base = getenv("TMPDIR");
    char tmpl[4096];
    snprintf(tmpl, sizeof tmpl, "%s/mldeck-model-XXXXXX", base && base[0] ? base : "/tmp");
    if (!mkdtemp(tmpl))
        return md_err_set(err, MD_ERR_IO, "cannot create a temporary directory: %s", strerror(errno));
    /* only .onnx members; GNU tar refuses absolute and ".." member names */
    char *argv[] = {"tar", "-xzf", (char *)targz, "-C", tmpl, "--no-same-owner", "--no-same-permissions",
                    "--wildcards", "*.onnx", NULL};
    pid_t pid;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    int rc = posix_spawnp(&pid, "tar", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc) {
        md_yolo_remove_tree(tmpl);
        return md_err_set(err, MD_ERR_IO, "cannot run tar to unpack %s: %s", targz, strerror(rc));
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    static struct found f;
    memset(&f, 0, sizeof f);
    g_found = &f;
    nftw(tmpl, find_onnx, 16, FTW_PHYS);
    int pick = -1;
    if (f.n == 1) {
        pick = 0;
    } else {
        for (int i = 0; i < f.n; i++) {
            const char *s = strrchr(f.paths[i], '/');
            if (s && !strcmp(s + 1, "best.onnx"))
                pick = i;
        }
    }
    md_status st = MD_OK;
    if (f.n == 0)
        st = md_err_set(err, WIFEXITED(status) && WEXITSTATUS(status) == 0 ? MD_ERR_NOTFOUND : MD_ERR_PARSE,
                        "%s: no .onnx file in the archive%s", targz,
                        WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "" : " (or not a valid .tar.gz)");
    else if (pick < 0)
        st = md_err_set(err, MD_ERR_INVALID, "%s holds %d .onnx files and none is best.onnx; extract the one you want",
                        targz, f.n);
    if (!st) {
        *onnx_path = f.paths[pick];
        f.paths[pick] = NULL;
        *tmpdir = strdup(tmpl);
    } else {
        md_yolo_remove_tree(tmpl);
    }
    for (int i = 0; i < f.n; i++)
        free(f.paths[i]);
    return st;
}
