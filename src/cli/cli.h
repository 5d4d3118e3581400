/* Non-interactive subcommands: the same capabilities as the screen, with
 * --json (the APIs' own field names) and --tsv output.  No ncurses here.
 * Each command is one entry in the table in commands.c. */
#ifndef MD_CLI_H
#define MD_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "util/settings.h"

/* Exit codes (documented in mldeck(1)). */
enum {
    MD_EXIT_OK = 0,
    MD_EXIT_ERROR = 1,      /* the operation failed (network, service, file) */
    MD_EXIT_USAGE = 2,      /* bad command line */
    MD_EXIT_NOTFOUND = 3,   /* the named resource does not exist */
    MD_EXIT_AUTH = 4,       /* no or refused credentials */
    MD_EXIT_REFUSED = 5,    /* refused: --read-only, demo, or not confirmed */
    MD_EXIT_INTERRUPTED = 130,
};

struct md_cli {
    struct md_settings *settings;
    FILE *out;
    FILE *err;
};

struct md_cli_cmd {
    const char *name;
    const char *usage;      /* "MODEL IMAGE... [--conf C]" */
    const char *summary;    /* one line for `mldeck --help` */
    int (*run)(struct md_cli *cli, int argc, char **argv);  /* argv[0] = command name */
    bool own_help;          /* handles --help/-h itself; else the table's usage is printed */
};

extern const struct md_cli_cmd md_cli_commands[];
const struct md_cli_cmd *md_cli_find(const char *name);
int md_cli_run(struct md_cli *cli, int argc, char **argv);
/* Maps an md_status to an exit code. */
int md_cli_exit_code(md_status st);
/* Asks question [y/N] on the terminal; false without a terminal (the
 * command then needs --yes) or on any answer but y. */
bool md_cli_confirm(struct md_cli *cli, const char *question);
/* Prints "mldeck: <err line>" to cli->err and returns the exit code. */
int md_cli_fail(struct md_cli *cli, const struct md_err *err);

/* Commands (one file each: cmd_<name>.c). */
int md_cmd_version(struct md_cli *cli, int argc, char **argv);
int md_cmd_infer(struct md_cli *cli, int argc, char **argv);
int md_cmd_awscurl(struct md_cli *cli, int argc, char **argv);
int md_cmd_whoami(struct md_cli *cli, int argc, char **argv);
int md_cmd_config(struct md_cli *cli, int argc, char **argv);
int md_cmd_ls(struct md_cli *cli, int argc, char **argv);
int md_cmd_describe(struct md_cli *cli, int argc, char **argv);
int md_cmd_start_execution(struct md_cli *cli, int argc, char **argv);
int md_cmd_sm_verb(struct md_cli *cli, int argc, char **argv);
int md_cmd_logs(struct md_cli *cli, int argc, char **argv);
int md_cmd_train(struct md_cli *cli, int argc, char **argv);
int md_cmd_pipeline(struct md_cli *cli, int argc, char **argv);
int md_cmd_metrics(struct md_cli *cli, int argc, char **argv);
int md_cmd_kinds(struct md_cli *cli, int argc, char **argv);
int md_cmd_chart(struct md_cli *cli, int argc, char **argv);
/* The terminal MFA prompt (an md_mfa_prompt_fn, net/creds.h) for AWS commands. */
md_status md_cli_mfa_prompt(void *ctx, const char *profile, const char *mfa_serial, char *code,
                            size_t n, struct md_err *err);

#endif
