/* mldeck whoami: STS GetCallerIdentity with the resolved credentials. Also
 * home of the terminal MFA prompt every AWS command of the CLI uses. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli/cli.h"
#include "net/awsenv.h"

/* Asks on the terminal, like the AWS CLI ("Enter MFA code for ARN: ").
 * Without a terminal the code is read from stdin, so scripts can pipe it. */
md_status md_cli_mfa_prompt(void *ctx, const char *profile, const char *mfa_serial, char *code,
                            size_t n, struct md_err *err)
{
    (void)ctx;
    (void)profile;
    FILE *in = NULL, *out = stderr;
    bool tty = isatty(STDIN_FILENO);
    if (tty) {
        in = fopen("/dev/tty", "r+");
        if (in)
            out = in;
    }
    if (!in)
        in = stdin;
    fprintf(out, "Enter MFA code for %s: ", mfa_serial);
    fflush(out);
    char line[128];
    bool ok = fgets(line, sizeof line, in) != NULL;
    if (in != stdin)
        fclose(in);
    if (!ok)
        return md_err_set(err, MD_ERR_CANCELLED, "no MFA code entered");
    line[strcspn(line, "\r\n")] = '\0';
    const char *p = line;
    while (*p == ' ' || *p == '\t')
        p++;
    if (!*p)
        return md_err_set(err, MD_ERR_CANCELLED, "no MFA code entered");
    snprintf(code, n, "%s", p);
    memset(line, 0, sizeof line);
    return MD_OK;
}

int md_cmd_whoami(struct md_cli *cli, int argc, char **argv)
{
    bool json = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) {
            json = true;
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fprintf(cli->out, "usage: mldeck whoami [--json]\n"
                              "Shows the AWS account, ARN and user id of the credentials in "
                              "use (STS GetCallerIdentity).\n");
            return MD_EXIT_OK;
        } else {
            fprintf(cli->err, "mldeck whoami: unknown argument '%s'\n", argv[i]);
            return MD_EXIT_USAGE;
        }
    }
    struct md_err err;
    struct md_creds_opts o = {.mfa_prompt = md_cli_mfa_prompt};
    struct md_aws_env *env;
    if (md_aws_env_open(cli->settings, &o, &env, &err) != MD_OK)
        return md_cli_fail(cli, &err);
    /* STS has a global endpoint, so whoami works without a region, as the
     * AWS CLI does. */
    const char *region = env->region.name[0] ? env->region.name : "us-east-1";
    struct md_caller_identity id;
    md_status st = md_sts_get_caller_identity(env->creds, cli->settings, env->cfg, region, &id,
                                              &err);
    if (st != MD_OK) {
        int rc = md_cli_fail(cli, &err);
        md_aws_env_free(env);
        return rc;
    }
    struct md_creds_info info;
    md_creds_provider_info(env->creds, &info);
    if (json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "UserId", id.user_id);
        cJSON_AddStringToObject(j, "Account", id.account);
        cJSON_AddStringToObject(j, "Arn", id.arn);
        cJSON_AddStringToObject(j, "Profile", env->profile.name);
        cJSON_AddStringToObject(j, "CredentialSource", info.method);
        char *s = cJSON_Print(j);
        fprintf(cli->out, "%s\n", s);
        cJSON_free(s);
        cJSON_Delete(j);
    } else {
        fprintf(cli->out, "Account  %s\nArn      %s\nUserId   %s\nProfile  %s (%s)\n"
                          "Source   %s: %s\n",
                id.account, id.arn, id.user_id, env->profile.name, env->profile.source,
                info.method, info.detail);
    }
    md_aws_env_free(env);
    return MD_EXIT_OK;
}
