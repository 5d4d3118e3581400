/* XDG base directories for mldeck's own files, created 0700 on demand. */
#ifndef MD_XDG_H
#define MD_XDG_H

#include <stddef.h>

#include "util/err.h"

enum md_xdg { MD_XDG_CONFIG, MD_XDG_CACHE, MD_XDG_STATE, MD_XDG_DATA };

/* Writes "<base>/mldeck" into out (e.g. ~/.cache/mldeck) and creates it
 * (and missing parents) with mode 0700.  Returns MD_OK or fills err. */
md_status md_xdg_dir(enum md_xdg which, char *out, size_t n, struct md_err *err);

/* mkdir -p with the given mode for every created component. */
int md_mkdir_p(const char *path, unsigned mode);

/* The folder holding mldeck's data files (demo workspace, templates, model):
 * $MLDECK_DATA_DIR, else data/ beside the binary (run from the source
 * tree), else the installed pkgdatadir, else the data/ of the source tree
 * an uninstalled out-of-tree build came from. */
const char *md_data_dir(void);

#endif
