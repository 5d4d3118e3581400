#include "ui/infer_files.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void md_free_list(char **list, int n)
{
    for (int i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

static int push(char ***list, int *n, int *cap, const char *s)
{
    if (*n == *cap) {
        int nc = *cap ? *cap * 2 : 32;
        char **nl = realloc(*list, (size_t)nc * sizeof *nl);
        if (!nl)
            return -1;
        *list = nl;
        *cap = nc;
    }
    char *d = strdup(s);
    if (!d)
        return -1;
    (*list)[(*n)++] = d;
    return 0;
}

int md_path_complete(const char *prefix, char *out, size_t n, char *hint, size_t hn)
{
    hint[0] = '\0';
    snprintf(out, n, "%s", prefix);
    /* The typed text splits into the folder part (kept as typed) and the
     * name being completed. */
    const char *slash = strrchr(prefix, '/');
    size_t dir_len = slash ? (size_t)(slash - prefix) + 1 : 0;
    const char *name = prefix + dir_len;
    char dir[4096];
    if (dir_len == 0) {
        snprintf(dir, sizeof dir, ".");
    } else if (prefix[0] == '~' && prefix[1] == '/') {
        const char *home = getenv("HOME");
        snprintf(dir, sizeof dir, "%s%.*s", home ? home : "", (int)(dir_len - 1), prefix + 1);
    } else {
        snprintf(dir, sizeof dir, "%.*s", (int)dir_len, prefix);
    }
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    char **c = NULL;
    int nc = 0, cap = 0;
    size_t name_len = strlen(name);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (e->d_name[0] == '.' && name[0] != '.')
            continue;
        if (strncmp(e->d_name, name, name_len) != 0)
            continue;
        char full[4096 + 256 + 2], ent[300];
        snprintf(full, sizeof full, "%s/%s", dir, e->d_name);
        struct stat st;
        bool is_dir = stat(full, &st) == 0 && S_ISDIR(st.st_mode);
        snprintf(ent, sizeof ent, "%s%s", e->d_name, is_dir ? "/" : "");
        if (push(&c, &nc, &cap, ent) < 0)
            break;
    }
    closedir(d);
    if (nc == 0) {
        free(c);
        return 0;
    }
    qsort(c, (size_t)nc, sizeof *c, cmp_str);
    size_t common = strlen(c[0]);
    for (int i = 1; i < nc; i++) {
        size_t j = 0;
        while (j < common && c[i][j] == c[0][j])
            j++;
        common = j;
    }
    snprintf(out, n, "%.*s%.*s", (int)dir_len, prefix, (int)common, c[0]);
    size_t used = 0;
    for (int i = 0; i < nc && used < hn; i++)
        used += (size_t)snprintf(hint + used, hn - used, "%s%s", i ? "  " : "", c[i]);
    md_free_list(c, nc);
    return nc;
}

bool md_is_image_name(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot && (!strcasecmp(dot, ".png") || !strcasecmp(dot, ".jpg") ||
                   !strcasecmp(dot, ".jpeg"));
}

int md_image_siblings(const char *path, char ***list, int *idx)
{
    *list = NULL;
    *idx = -1;
    const char *slash = strrchr(path, '/');
    char dir[4096];
    if (slash)
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path) ? (int)(slash - path) : 1, path);
    else
        snprintf(dir, sizeof dir, ".");
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    char **names = NULL;
    int n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || !md_is_image_name(e->d_name))
            continue;
        if (push(&names, &n, &cap, e->d_name) < 0)
            break;
    }
    closedir(d);
    if (n > 1)
        qsort(names, (size_t)n, sizeof *names, cmp_str);
    const char *base = slash ? slash + 1 : path;
    for (int i = 0; i < n; i++) {
        bool self = !strcmp(names[i], base);
        size_t len = strlen(dir) + strlen(names[i]) + 2;
        char *full = malloc(len);
        if (!full) {
            md_free_list(names, n);
            return -1;
        }
        if (slash)
            snprintf(full, len, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", names[i]);
        else
            snprintf(full, len, "%s", names[i]);
        free(names[i]);
        names[i] = full;
        if (self)
            *idx = i;
    }
    *list = names;
    return n;
}
