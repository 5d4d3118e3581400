#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "config.h"

/* The command table: `mldeck --help` lists it in this order. */
const struct md_cli_cmd md_cli_commands[] = {
    {"version", "", "print the version", md_cmd_version},
    {"infer", "MODEL IMAGE... [--conf C] [--iou I] [--max-det K] [--threads N] [--json] [--out FILE] [--raw-output FILE]",
     "run a YOLO detection model (.onnx) on images", md_cmd_infer, true},
    {"awscurl", "[--service S] [-X METHOD] [-H 'N: v']... [-d BODY|@FILE] [-i] [--dry-run] [--date T] [--unsigned-payload] (URL | --request FILE|-)",
     "send one SigV4-signed request with the resolved credentials", md_cmd_awscurl},
    {"whoami", "[--json]", "show the AWS account and identity in use (STS GetCallerIdentity)", md_cmd_whoami, true},
    {"config", "[--json] [--no-fetch]", "show the resolved AWS profile, region, credentials and endpoints", md_cmd_config, true},
    {"ls", "KIND [--json|--tsv] ...", "list a kind (pipelines, executions, training-jobs, runs...; see mldeck kinds)", md_cmd_ls, true},
    {"metrics", "RUN_ID KEY [--json|--tsv]", "print the history of one MLflow metric of a run", md_cmd_metrics, true},
    {"chart", "RUN_ID... --metric KEY --png FILE", "draw MLflow metric histories of runs as a PNG line chart", md_cmd_chart, true},
    {"describe", "KIND ID [--cached]", "print one object as the API returns it", md_cmd_describe},
    {"start-execution", "PIPELINE [-p NAME=VALUE]... [--display-name N] [--description D] [--yes]",
     "start a pipeline execution (typed parameters, idempotent)", md_cmd_start_execution},
    {"stop-execution", "EXECUTION_ARN [--yes]", "stop a pipeline execution", md_cmd_sm_verb},
    {"retry-execution", "EXECUTION_ARN [--yes]", "retry a failed pipeline execution", md_cmd_sm_verb},
    {"stop-training-job", "NAME [--yes]", "stop a training job", md_cmd_sm_verb},
    {"stop-processing-job", "NAME [--yes]", "stop a processing job", md_cmd_sm_verb},
    {"logs", "training-job|processing-job NAME [-f] [--json]",
     "print a job's CloudWatch logs (every host); -f follows new lines", md_cmd_logs},
    {"train", "NAME --image URI --role-arn ARN --train S3URI --output S3URI [...] [--spot ...] [--yes]",
     "launch a standalone YOLO11 training job (see mldeck train --help)", md_cmd_train},
    {"pipeline", "upsert NAME --definition FILE --role-arn ARN [--description D] [--yes]",
     "create or update a pipeline from a definition file", md_cmd_pipeline},
    {"stop-labeling-job", "NAME [--yes]", "stop a labeling job", md_cmd_sm_verb},
    {"kinds", "[KIND] [--json|--md]", "show the kinds: names, aliases, panes, columns, actions", md_cmd_kinds},
    {NULL, NULL, NULL, NULL},
};

const struct md_cli_cmd *md_cli_find(const char *name)
{
    for (const struct md_cli_cmd *c = md_cli_commands; c->name; c++)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

int md_cli_exit_code(md_status st)
{
    switch (st) {
    case MD_OK: return MD_EXIT_OK;
    case MD_ERR_INVALID: return MD_EXIT_USAGE;
    case MD_ERR_NOTFOUND: return MD_EXIT_NOTFOUND;
    case MD_ERR_AUTH: return MD_EXIT_AUTH;
    case MD_ERR_READONLY:
    case MD_ERR_DEMO: return MD_EXIT_REFUSED;
    case MD_ERR_CANCELLED: return MD_EXIT_INTERRUPTED;
    default: return MD_EXIT_ERROR;
    }
}

bool md_cli_confirm(struct md_cli *cli, const char *question)
{
    if (!isatty(STDIN_FILENO)) {
        fprintf(cli->err, "mldeck: %s: not confirmed (no terminal to ask on; pass --yes)\n",
                question);
        return false;
    }
    fprintf(cli->err, "%s [y/N] ", question);
    fflush(cli->err);
    char line[32];
    return fgets(line, sizeof line, stdin) && (line[0] == 'y' || line[0] == 'Y');
}

int md_cli_fail(struct md_cli *cli, const struct md_err *err)
{
    char line[1024];
    fprintf(cli->err, "mldeck: %s\n", md_err_line(err, line, sizeof line));
    return md_cli_exit_code(err->code);
}

int md_cli_run(struct md_cli *cli, int argc, char **argv)
{
    const struct md_cli_cmd *c = md_cli_find(argv[0]);
    if (!c) {
        fprintf(cli->err, "mldeck: unknown command '%s' (see mldeck --help)\n", argv[0]);
        return MD_EXIT_USAGE;
    }
    if (!c->own_help)
        for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
            if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
                fprintf(cli->out, "usage: mldeck %s %s\n\n%s\n", c->name, c->usage, c->summary);
                return MD_EXIT_OK;
            }
    return c->run(cli, argc, argv);
}

int md_cmd_version(struct md_cli *cli, int argc, char **argv)
{
    fprintf(cli->out, "mldeck %s\n", PACKAGE_VERSION);
    return MD_EXIT_OK;
}
