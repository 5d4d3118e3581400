/* mldeck config: the resolved AWS profile, region, credential source and
 * expiry, and each service's endpoint, each with where it came from.
 * Never prints a secret (the access key id shows its last 4 characters,
 * as `aws configure list` does). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "cli/cli.h"
#include "net/awsenv.h"

static void iso(time_t t, char *out, size_t n)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int md_cmd_config(struct md_cli *cli, int argc, char **argv)
{
    bool json = false, fetch = true;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) {
            json = true;
        } else if (!strcmp(argv[i], "--no-fetch")) {
            fetch = false;
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fprintf(cli->out,
                    "usage: mldeck config [--json] [--no-fetch]\n"
                    "Shows the AWS profile, region, credential source and expiry, and the "
                    "endpoint of each service, with where each came from.  --no-fetch does not "
                    "fetch credentials (no network).\n");
            return MD_EXIT_OK;
        } else {
            fprintf(cli->err, "mldeck config: unknown argument '%s'\n", argv[i]);
            return MD_EXIT_USAGE;
        }
    }
    struct md_err err;
    struct md_creds_opts o = {.mfa_prompt = md_cli_mfa_prompt};
    struct md_aws_env *env;
    if (md_aws_env_open(cli->settings, &o, &env, &err) != MD_OK)
        return md_cli_fail(cli, &err);

    char cred_err[600] = "";
    if (fetch) {
        struct md_aws_creds c;
        if (md_creds_get(env->creds, &c, &err) != MD_OK)
            md_err_line(&err, cred_err, sizeof cred_err);
        md_aws_creds_wipe(&c);
    }
    struct md_creds_info info;
    md_creds_provider_info(env->creds, &info);
    char exp[32] = "";
    if (info.expiration)
        iso(info.expiration, exp, sizeof exp);

    cJSON *j = cJSON_CreateObject();
    cJSON *o1 = cJSON_AddObjectToObject(j, "profile");
    cJSON_AddStringToObject(o1, "name", env->profile.name);
    cJSON_AddStringToObject(o1, "source", env->profile.source);
    o1 = cJSON_AddObjectToObject(j, "config_file");
    cJSON_AddStringToObject(o1, "path", env->cfg->config_path);
    cJSON_AddBoolToObject(o1, "found", env->cfg->config_found);
    o1 = cJSON_AddObjectToObject(j, "credentials_file");
    cJSON_AddStringToObject(o1, "path", env->cfg->credentials_path);
    cJSON_AddBoolToObject(o1, "found", env->cfg->credentials_found);
    o1 = cJSON_AddObjectToObject(j, "region");
    if (env->region.name[0]) {
        cJSON_AddStringToObject(o1, "name", env->region.name);
        cJSON_AddStringToObject(o1, "source", env->region.source);
    } else {
        cJSON_AddNullToObject(o1, "name");
        cJSON_AddStringToObject(o1, "error", env->region_err.msg);
    }
    o1 = cJSON_AddObjectToObject(j, "credentials");
    cJSON_AddStringToObject(o1, "method", info.method);
    cJSON_AddStringToObject(o1, "detail", info.detail);
    if (info.fetched)
        cJSON_AddStringToObject(o1, "access_key", info.access_key);
    if (exp[0])
        cJSON_AddStringToObject(o1, "expiration", exp);
    else
        cJSON_AddNullToObject(o1, "expiration");
    if (cred_err[0])
        cJSON_AddStringToObject(o1, "error", cred_err);
    if (env->ca_bundle[0])
        cJSON_AddStringToObject(j, "ca_bundle", env->ca_bundle);
    else
        cJSON_AddNullToObject(j, "ca_bundle");
    cJSON *eps = cJSON_AddArrayToObject(j, "endpoints");
    for (int i = 0; md_endpoint_services[i]; i++) {
        struct md_endpoint ep;
        struct md_err e2;
        cJSON *row = cJSON_CreateObject();
        cJSON_AddStringToObject(row, "service", md_endpoint_services[i]);
        if (md_aws_env_endpoint(env, md_endpoint_services[i], &ep, &e2) == MD_OK) {
            cJSON_AddStringToObject(row, "url", ep.url);
            cJSON_AddStringToObject(row, "source", ep.source);
            cJSON_AddStringToObject(row, "signing_name", ep.signing_name);
            cJSON_AddStringToObject(row, "signing_region", ep.signing_region);
        } else {
            cJSON_AddNullToObject(row, "url");
            cJSON_AddStringToObject(row, "error", e2.msg);
        }
        cJSON_AddItemToArray(eps, row);
    }

    if (json) {
        char *s = cJSON_Print(j);
        fprintf(cli->out, "%s\n", s);
        cJSON_free(s);
    } else {
        FILE *f = cli->out;
        fprintf(f, "profile           %s  (%s)\n", env->profile.name, env->profile.source);
        fprintf(f, "config file       %s%s\n", env->cfg->config_path,
                env->cfg->config_found ? "" : "  (not found)");
        fprintf(f, "credentials file  %s%s\n", env->cfg->credentials_path,
                env->cfg->credentials_found ? "" : "  (not found)");
        if (env->region.name[0])
            fprintf(f, "region            %s  (%s)\n", env->region.name, env->region.source);
        else
            fprintf(f, "region            none: %s\n", env->region_err.msg);
        fprintf(f, "credentials       %s: %s\n", info.method, info.detail);
        if (info.fetched)
            fprintf(f, "                  access key %s, %s%s\n", info.access_key,
                    exp[0] ? "expires " : "does not expire", exp);
        if (cred_err[0])
            fprintf(f, "                  error: %s\n", cred_err);
        fprintf(f, "CA bundle         %s\n", env->ca_bundle[0] ? env->ca_bundle : "system store");
        fprintf(f, "endpoints\n");
        for (int i = 0; i < cJSON_GetArraySize(eps); i++) {
            const cJSON *row = cJSON_GetArrayItem(eps, i);
            const cJSON *url = cJSON_GetObjectItem(row, "url");
            if (cJSON_IsString(url))
                fprintf(f, "  %-17s %s  (%s)\n", cJSON_GetObjectItem(row, "service")->valuestring,
                        url->valuestring, cJSON_GetObjectItem(row, "source")->valuestring);
            else
                fprintf(f, "  %-17s none: %s\n", cJSON_GetObjectItem(row, "service")->valuestring,
                        cJSON_GetObjectItem(row, "error")->valuestring);
        }
    }
    cJSON_Delete(j);
    md_aws_env_free(env);
    return MD_EXIT_OK;
}
