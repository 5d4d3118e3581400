#include "util/xdg.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

int md_mkdir_p(const char *path, unsigned mode)
{
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s", path) >= (int)sizeof tmp) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, (mode_t)mode) < 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(tmp, (mode_t)mode) < 0 && errno != EEXIST)
        return -1;
    return 0;
}

md_status md_xdg_dir(enum md_xdg which, char *out, size_t n, struct md_err *err)
{
    static const struct { const char *var, *fallback; } tab[] = {
        [MD_XDG_CONFIG] = {"XDG_CONFIG_HOME", ".config"},
        [MD_XDG_CACHE] = {"XDG_CACHE_HOME", ".cache"},
        [MD_XDG_STATE] = {"XDG_STATE_HOME", ".local/state"},
        [MD_XDG_DATA] = {"XDG_DATA_HOME", ".local/share"},
    };
    const char *base = getenv(tab[which].var);
    int w;
    /* XDG says relative values are invalid and must be ignored. */
    if (base && base[0] == '/') {
        w = snprintf(out, n, "%s/mldeck", base);
    } else {
        const char *home = getenv("HOME");
        if (!home || !home[0])
            return md_err_set(err, MD_ERR_IO, "neither $%s nor $HOME is set", tab[which].var);
        w = snprintf(out, n, "%s/%s/mldeck", home, tab[which].fallback);
    }
    if (w < 0 || (size_t)w >= n)
        return md_err_set(err, MD_ERR_IO, "path too long for $%s", tab[which].var);
    if (md_mkdir_p(out, 0700) < 0)
        return md_err_set(err, MD_ERR_IO, "cannot create %s: %s", out, strerror(errno));
    return MD_OK;
}

const char *md_data_dir(void)
{
    static char dir[PATH_MAX];
    const char *env = getenv("MLDECK_DATA_DIR");
    if (env && env[0])
        return env;
    if (dir[0])
        return dir;
    /* Uninstalled: data/ next to the binary's source tree. */
    char exe[PATH_MAX];
    ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (k > 0) {
        exe[k] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            char probe[PATH_MAX + 32];
            snprintf(probe, sizeof probe, "%s/data/demo", exe);
            struct stat st;
            if (stat(probe, &st) == 0 && S_ISDIR(st.st_mode)) {
                snprintf(dir, sizeof dir, "%s/data", exe);
                return dir;
            }
        }
    }
    /* Installed, else the source tree this binary was built from (an
     * out-of-tree build that was never installed). */
    struct stat st;
    char probe[PATH_MAX + 32];
    snprintf(probe, sizeof probe, "%s/demo", MLDECK_DATADIR);
    if (stat(probe, &st) != 0) {
        snprintf(probe, sizeof probe, "%s/demo", MLDECK_SRCDATADIR);
        if (stat(probe, &st) == 0) {
            snprintf(dir, sizeof dir, "%s", MLDECK_SRCDATADIR);
            return dir;
        }
    }
    snprintf(dir, sizeof dir, "%s", MLDECK_DATADIR);
    return dir;
}
