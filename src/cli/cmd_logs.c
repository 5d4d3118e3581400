/* mldeck logs training-job|processing-job NAME [-f] [--json]: the job's
 * CloudWatch Logs, every host's stream, like `tail` (and `tail -f`). */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aws/client.h"
#include "aws/logs.h"
#include "cli/cli.h"
#include "kind/kind.h"

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
}

static bool was_interrupted(void *ctx)
{
    (void)ctx;
    return interrupted != 0;
}

struct printer {
    FILE *out;
    bool json;
    bool many;          /* several hosts: say which line came from where */
};

static int print_event(void *ctx, const char *stream, long long ts, const char *msg)
{
    struct printer *p = ctx;
    char when[40];
    md_fmt_iso8601((double)ts / 1000.0, when, sizeof when);
    if (p->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "logStreamName", stream);
        cJSON_AddNumberToObject(o, "timestamp", (double)ts);
        cJSON_AddStringToObject(o, "message", msg);
        char *s = cJSON_PrintUnformatted(o);
        fprintf(p->out, "%s\n", s ? s : "{}");
        cJSON_free(s);
        cJSON_Delete(o);
    } else if (p->many) {
        fprintf(p->out, "%s [%s] %s\n", when, stream, msg);
    } else {
        fprintf(p->out, "%s %s\n", when, msg);
    }
    return interrupted;
}

int md_cmd_logs(struct md_cli *cli, int argc, char **argv)
{
    const char *what = NULL, *name = NULL;
    bool follow = false, json = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-f") || !strcmp(argv[i], "--follow"))
            follow = true;
        else if (!strcmp(argv[i], "--json"))
            json = true;
        else if (argv[i][0] != '-' && !what)
            what = argv[i];
        else if (argv[i][0] != '-' && !name)
            name = argv[i];
        else
            what = NULL, i = argc;
    }
    const struct md_kind *k = what ? md_kind_find(what) : NULL;
    const char *group = !k ? NULL
                      : !strcmp(k->name, "training-jobs") ? MD_LOGS_TRAINING_GROUP
                      : !strcmp(k->name, "processing-jobs") ? MD_LOGS_PROCESSING_GROUP : NULL;
    if (!group || !name) {
        fprintf(cli->err, "usage: mldeck logs training-job|processing-job NAME [-f] [--json]\n");
        return MD_EXIT_USAGE;
    }
    struct md_err err;
    struct md_aws_env *env = NULL;
    md_http_global_init();
    if (md_aws_env_open(cli->settings, NULL, &env, &err) != MD_OK) {
        md_aws_env_free(env);
        return md_cli_fail(cli, &err);
    }
    struct sigaction sa = {0};
    sa.sa_handler = on_sigint;
    sigaction(SIGINT, &sa, NULL);
    struct md_aws_client c;
    struct md_endpoint ep;
    struct md_http_opts http;
    md_status st = md_aws_client_init(&c, env, cli->settings, "logs", NULL, was_interrupted,
                                      NULL, &ep, &http, &err);
    struct md_log_streams streams = {0};
    struct printer p = {cli->out, json, false};
    bool announced = false;
    while (st == MD_OK && !interrupted) {
        st = md_logs_job_streams(&c, group, name, &streams, &err);
        p.many = streams.n > 1;
        if (st == MD_OK && streams.n == 0 && !announced) {
            fprintf(cli->err, "mldeck: %s has no log streams yet%s\n", name,
                    follow ? "; waiting" : "");
            announced = true;
        }
        for (size_t i = 0; st == MD_OK && i < streams.n && !interrupted; i++)
            st = md_logs_read(&c, group, &streams.v[i], print_event, &p, &err);
        fflush(cli->out);
        if (!follow)
            break;
        /* Poll every 2 s like `aws logs tail --follow`; ^C ends it. */
        for (int t = 0; t < 20 && !interrupted; t++)
            usleep(100 * 1000);
    }
    md_log_streams_free(&streams);
    md_aws_env_free(env);
    if (interrupted)
        return follow ? MD_EXIT_OK : MD_EXIT_INTERRUPTED;
    if (st != MD_OK)
        return md_cli_fail(cli, &err);
    return MD_EXIT_OK;
}
