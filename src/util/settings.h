/* Resolved run-time settings: defaults < ~/.config/mldeck/config <
 * environment < command-line flags.  See man/mldeck-config.5. */
#ifndef MD_SETTINGS_H
#define MD_SETTINGS_H

#include <stdbool.h>

#include "util/err.h"

struct md_settings {
    char profile[128];          /* --profile, AWS_PROFILE, AWS_DEFAULT_PROFILE, "default" */
    bool profile_from_flag;     /* --profile given: beats env credentials */
    char region[64];            /* --region; "" = resolve later (AWS core) */
    char endpoint_url[512];     /* --endpoint-url */
    char mlflow_uri[1024];      /* --mlflow, MLFLOW_TRACKING_URI, config mlflow_uri */
    char cache_path[1024];      /* --cache FILE; "" = XDG default */
    char config_path[1024];     /* the config file read ("" if none) */
    bool demo;                  /* --demo */
    bool read_only;             /* --read-only or read_only = true */
    bool insecure;              /* --insecure: no TLS verification (warned) */
    bool debug;                 /* --debug: HTTP trace in the log (redacted) */
    bool no_color;              /* --no-color or NO_COLOR */
    bool ascii;                 /* --ascii: no UTF-8 box drawing */
    int workers;                /* sync worker threads */
    int threads;                /* inference threads, 0 = all cores */
    int refresh_seconds;        /* auto-refresh interval of running things */
    int list_ends;              /* list_ends, MLDECK_LIST_ENDS: a full listing is read
                                   from 1 end, 2 ends at once, or 0 = 2 when the first
                                   reply took 10 ms or more (a real link) */
};

void md_settings_defaults(struct md_settings *s);
/* Reads the config file (path NULL = $XDG_CONFIG_HOME/mldeck/config; a
 * missing file is fine) then the environment.  Flags are applied after by
 * the caller. */
md_status md_settings_load(struct md_settings *s, const char *path, struct md_err *err);
/* Applies one "key = value" setting (config file syntax). */
md_status md_settings_set(struct md_settings *s, const char *key, const char *value,
                          struct md_err *err);

#endif
