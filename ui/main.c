/* mldeck entry point: global options, then a subcommand (src/cli) or the
 * interactive screen (ui/).  Global options are accepted anywhere on the
 * line, as the AWS CLI accepts them. */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "config.h"
#include "ui/tui.h"
#include "util/log.h"
#include "util/settings.h"
#include "util/xdg.h"

struct gopt {
    const char *name;
    bool has_arg;
    const char *help;
};

static const struct gopt global_opts[] = {
    {"--demo", false, "open the demo workspace (no AWS or MLflow account needed)"},
    {"--profile", true, "AWS profile (default: $AWS_PROFILE, else \"default\")"},
    {"--region", true, "AWS region (default: $AWS_REGION, the profile, IMDS)"},
    {"--endpoint-url", true, "send every AWS call to this URL"},
    {"--mlflow", true, "MLflow tracking URI: http(s)://..., a SageMaker tracking-server ARN, or an mlruns folder"},
    {"--cache", true, "cache database (default: $XDG_CACHE_HOME/mldeck/cache.db)"},
    {"--config", true, "config file (default: $XDG_CONFIG_HOME/mldeck/config)"},
    {"--read-only", false, "refuse every action that changes the account"},
    {"--insecure", false, "do not verify TLS certificates (shown as a warning in the header)"},
    {"--debug", false, "write an HTTP trace (secrets redacted) to the log file"},
    {"--no-color", false, "monochrome screen (also NO_COLOR)"},
    {"--ascii", false, "ASCII line drawing instead of UTF-8"},
    {"--help", false, "show this help"},
    {"--version", false, "show the version"},
    {NULL, false, NULL},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: mldeck [OPTIONS]              open the console\n"
               "       mldeck [OPTIONS] COMMAND ...  run one command and exit\n\n"
               "Options (accepted anywhere on the line):\n");
    for (const struct gopt *o = global_opts; o->name; o++) {
        char left[40];
        snprintf(left, sizeof left, "%s%s", o->name, o->has_arg ? " ARG" : "");
        fprintf(f, "  %-22s %s\n", left, o->help);
    }
    fprintf(f, "\nCommands:\n");
    for (const struct md_cli_cmd *c = md_cli_commands; c->name; c++) {
        char left[512];
        snprintf(left, sizeof left, "%s %s", c->name, c->usage);
        if (strlen(left) <= 38)
            fprintf(f, "  %-38s  %s\n", left, c->summary);
        else
            fprintf(f, "  %s\n  %-38s  %s\n", left, "", c->summary);
    }
    fprintf(f, "\nIn the console press ? for the key map.  See mldeck(1) and mldeck-config(5).\n");
}

static const struct gopt *find_opt(const char *arg, const char **inline_val)
{
    *inline_val = NULL;
    for (const struct gopt *o = global_opts; o->name; o++) {
        size_t n = strlen(o->name);
        if (strncmp(arg, o->name, n) != 0)
            continue;
        if (arg[n] == '\0')
            return o;
        if (arg[n] == '=' && o->has_arg) {
            *inline_val = arg + n + 1;
            return o;
        }
    }
    return NULL;
}

#define SETF(field, v) snprintf(s->field, sizeof s->field, "%s", v)

static void apply_opt(struct md_settings *s, const char *name, const char *v)
{
    if (!strcmp(name, "--demo")) s->demo = true;
    else if (!strcmp(name, "--profile")) { SETF(profile, v); s->profile_from_flag = true; }
    else if (!strcmp(name, "--region")) SETF(region, v);
    else if (!strcmp(name, "--endpoint-url")) SETF(endpoint_url, v);
    else if (!strcmp(name, "--mlflow")) SETF(mlflow_uri, v);
    else if (!strcmp(name, "--cache")) SETF(cache_path, v);
    else if (!strcmp(name, "--read-only")) s->read_only = true;
    else if (!strcmp(name, "--insecure")) s->insecure = true;
    else if (!strcmp(name, "--debug")) s->debug = true;
    else if (!strcmp(name, "--no-color")) s->no_color = true;
    else if (!strcmp(name, "--ascii")) s->ascii = true;
}

int main(int argc, char **argv)
{
    setlocale(LC_ALL, "");
    /* Numbers are read and written in JSON, SQL and the AWS wire formats,
     * always with a '.': strtod and printf must not follow a locale whose
     * decimal point is a ','.  The screen needs the operator's LC_CTYPE. */
    setlocale(LC_NUMERIC, "C");
    struct md_settings settings;
    md_settings_defaults(&settings);

    /* First pass: --config, --help and --version, which decide what to load. */
    const char *config = NULL;
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (!strcmp(argv[i], "--config") && i + 1 < argc)
            config = argv[i + 1];
        else if (!strncmp(argv[i], "--config=", 9))
            config = argv[i] + 9;
    }
    struct md_err err;
    if (md_settings_load(&settings, config, &err) != MD_OK) {
        char line[1024];
        fprintf(stderr, "mldeck: %s\n", md_err_line(&err, line, sizeof line));
        return MD_EXIT_USAGE;
    }

    /* Second pass: apply global options, keep the rest for the command. */
    char **rest = calloc((size_t)argc + 1, sizeof *rest);
    if (!rest)
        return MD_EXIT_ERROR;
    int nrest = 0;
    bool passthru = false;
    for (int i = 1; i < argc; i++) {
        const char *val;
        const struct gopt *o = passthru ? NULL : find_opt(argv[i], &val);
        if (!o) {
            if (!strcmp(argv[i], "--") && nrest == 0)
                passthru = true;
            else
                rest[nrest++] = argv[i];
            continue;
        }
        if (!strcmp(o->name, "--help") && nrest > 0) {
            rest[nrest++] = argv[i]; /* after a command: that command's help */
            continue;
        }
        if (!strcmp(o->name, "--help")) {
            usage(stdout);
            free(rest);
            return MD_EXIT_OK;
        }
        if (!strcmp(o->name, "--version")) {
            printf("mldeck %s\n", PACKAGE_VERSION);
            free(rest);
            return MD_EXIT_OK;
        }
        if (o->has_arg && !val) {
            if (i + 1 >= argc) {
                fprintf(stderr, "mldeck: %s needs a value (see mldeck --help)\n", o->name);
                free(rest);
                return MD_EXIT_USAGE;
            }
            val = argv[++i];
        }
        apply_opt(&settings, o->name, val);
    }

    /* The log: warnings always, the redacted HTTP trace with --debug. */
    char state[1024];
    struct md_err lerr;
    if (md_xdg_dir(MD_XDG_STATE, state, sizeof state, &lerr) == MD_OK) {
        char logpath[1100];
        snprintf(logpath, sizeof logpath, "%s/mldeck.log", state);
        md_log_open(logpath, settings.debug ? MD_LOG_DEBUG : MD_LOG_INFO);
    }

    int rc;
    if (nrest > 0 && rest[0][0] == '-') {
        fprintf(stderr, "mldeck: unknown option '%s' (see mldeck --help)\n", rest[0]);
        rc = MD_EXIT_USAGE;
    } else if (nrest > 0) {
        struct md_cli cli = {&settings, stdout, stderr};
        rc = md_cli_run(&cli, nrest, rest);
    } else {
        rc = md_tui_run(&settings);
    }
    free(rest);
    md_log_close();
    return rc;
}
