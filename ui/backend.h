/* What the screen reads from and asks: the cache connection of the UI
 * thread, the account scope, and the sync layer with the providers that
 * serve this run (the demo provider under --demo).  Opened before the
 * terminal is taken, so start-up errors print plainly. */
#ifndef MD_UI_BACKEND_H
#define MD_UI_BACKEND_H

#include <stdbool.h>
#include <stddef.h>

#include "cache/cache.h"
#include "sync/sync.h"
#include "util/settings.h"

struct md_backend {
    struct md_cache *cache;
    struct md_scope scope;
    struct md_sync *sync;                     /* NULL when no provider serves this run */
    const struct md_provider *providers[8];   /* NULL-terminated */
    char not_configured[256];                 /* "AWS (SageMaker, S3), MLflow" */
    char warning[512];                        /* one line for the status bar, "" if none */
};

bool md_backend_open(const struct md_settings *s, struct md_backend *be, char *why, size_t n);
void md_backend_close(struct md_backend *be);

#endif
