/* Region and endpoint resolution tables, and profile selection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../tap.h"
#include "net/awsenv.h"
#include "net/endpoint.h"
#include "net/region.h"

static char dir[256];

static const char *const vars[] = {
    "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_SAGEMAKER", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS",
    "AWS_ENDPOINT_URL_CLOUDWATCH", "AWS_ENDPOINT_URL_EVENTBRIDGE", "AWS_ENDPOINT_URL_STS",
    "AWS_ENDPOINT_URL_SAGEMAKER_MLFLOW", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    "AWS_USE_FIPS_ENDPOINT", "AWS_USE_DUALSTACK_ENDPOINT", "SAGEMAKER_MLFLOW_CUSTOM_ENDPOINT",
    "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", NULL,
};

static void clean(void)
{
    for (int i = 0; vars[i]; i++)
        unsetenv(vars[i]);
}

static struct md_awsconfig *load(const char *config, const char *creds)
{
    char cp[300], kp[300];
    snprintf(cp, sizeof cp, "%s/config", dir);
    snprintf(kp, sizeof kp, "%s/credentials", dir);
    FILE *f = fopen(cp, "w");
    fputs(config, f);
    fclose(f);
    f = fopen(kp, "w");
    fputs(creds, f);
    fclose(f);
    struct md_awsconfig *cfg = NULL;
    struct md_err err;
    if (md_awsconfig_load_paths(cp, kp, &cfg, &err) != MD_OK)
        tap_diag("load: %s", err.msg);
    return cfg;
}

static const char *ep(const char *svc, const char *region, const char *flag,
                      const struct md_awsconfig *cfg, const char *profile)
{
    static char out[600];
    struct md_endpoint e;
    struct md_err err;
    if (md_endpoint_resolve(svc, region, flag, cfg, profile, &e, &err) != MD_OK)
        snprintf(out, sizeof out, "error: %s", err.msg);
    else
        snprintf(out, sizeof out, "%s", e.url);
    return out;
}

static void test_profile_choice(void)
{
    clean();
    struct md_settings s;
    md_settings_defaults(&s);
    struct md_profile_choice pc;
    md_profile_choose(&s, &pc);
    TAP_EQ_STR(pc.name, "default", "no profile set: default");
    setenv("AWS_PROFILE", "p1", 1);
    md_profile_choose(&s, &pc);
    TAP_OK(!strcmp(pc.name, "p1") && !strcmp(pc.source, "AWS_PROFILE") && !pc.explicit_flag,
           "AWS_PROFILE");
    setenv("AWS_DEFAULT_PROFILE", "p0", 1);
    md_profile_choose(&s, &pc);
    TAP_OK(!strcmp(pc.name, "p0") && !strcmp(pc.source, "AWS_DEFAULT_PROFILE"),
           "AWS_DEFAULT_PROFILE is read first (botocore)");
    snprintf(s.profile, sizeof s.profile, "flag");
    s.profile_from_flag = true;
    md_profile_choose(&s, &pc);
    TAP_OK(!strcmp(pc.name, "flag") && pc.explicit_flag, "--profile beats both");
    clean();
    s.profile_from_flag = false;
    snprintf(s.profile, sizeof s.profile, "fromconfig");
    md_profile_choose(&s, &pc);
    TAP_OK(!strcmp(pc.name, "fromconfig") && !strcmp(pc.source, "mldeck config"),
           "mldeck's own config when nothing else is set");
}

static void test_region(void)
{
    clean();
    struct md_awsconfig *cfg = load("[default]\nregion = eu-west-1\n[profile cn]\n"
                                    "region = cn-north-1\n[profile bad]\nregion = us_east 1\n",
                                    "[credsonly]\nregion = ap-south-1\n");
    struct md_settings s;
    md_settings_defaults(&s);
    struct md_region r;
    struct md_err err;
    TAP_OK(md_region_resolve_local(&s, cfg, "default", &r, &err) == MD_OK &&
               !strcmp(r.name, "eu-west-1") && strstr(r.source, "profile default"),
           "profile region: %s (%s)", r.name, r.source);
    TAP_OK(md_region_resolve_local(&s, cfg, "credsonly", &r, &err) == MD_OK &&
               !strcmp(r.name, "ap-south-1") && strstr(r.source, "credentials"),
           "a region set in the credentials file counts too");
    setenv("AWS_DEFAULT_REGION", "us-east-2", 1);
    md_region_resolve_local(&s, cfg, "default", &r, &err);
    TAP_EQ_STR(r.name, "us-east-2", "AWS_DEFAULT_REGION beats the profile");
    setenv("AWS_REGION", "us-west-1", 1);
    md_region_resolve_local(&s, cfg, "default", &r, &err);
    TAP_OK(!strcmp(r.name, "us-west-1") && !strcmp(r.source, "AWS_REGION"),
           "AWS_REGION beats AWS_DEFAULT_REGION");
    snprintf(s.region, sizeof s.region, "sa-east-1");
    md_region_resolve_local(&s, cfg, "default", &r, &err);
    TAP_OK(!strcmp(r.name, "sa-east-1") && !strcmp(r.source, "--region"), "--region wins");
    clean();
    s.region[0] = '\0';
    TAP_OK(md_region_resolve_local(&s, cfg, "bad", &r, &err) == MD_ERR_INVALID,
           "a malformed region is refused: %s", err.msg);
    TAP_OK(md_region_resolve_local(&s, cfg, "nosuch", &r, &err) == MD_ERR_NOTFOUND &&
               strstr(err.msg, "--region") && strstr(err.msg, "AWS_REGION"),
           "no region: the error says how to set one: %s", err.msg);
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    TAP_OK(md_region_resolve(&s, cfg, "nosuch", NULL, &r, &err) == MD_ERR_NOTFOUND,
           "IMDS disabled: still no region");
    unsetenv("AWS_EC2_METADATA_DISABLED");
    TAP_EQ_STR(md_region_dns_suffix("cn-northwest-1"), "amazonaws.com.cn", "cn suffix");
    TAP_EQ_STR(md_region_dns_suffix("us-gov-west-1"), "amazonaws.com", "gov suffix");
    TAP_EQ_STR(md_region_partition("us-gov-east-1"), "aws-us-gov", "gov partition");
    TAP_EQ_STR(md_region_dns_suffix("eusc-de-east-1"), "amazonaws.eu", "eusc suffix");
    TAP_EQ_STR(md_region_dns_suffix("us-iso-east-1"), "c2s.ic.gov", "iso suffix");
    TAP_OK(!md_region_valid("-x") && !md_region_valid("") && !md_region_valid("a.b") &&
               md_region_valid("us-east-1"),
           "region syntax");
    md_awsconfig_free(cfg);
}

struct row {
    const char *svc, *region, *want;
};

static void test_default_hosts(void)
{
    clean();
    static const struct row rows[] = {
        {"sagemaker", "us-east-1", "https://api.sagemaker.us-east-1.amazonaws.com"},
        {"s3", "eu-west-1", "https://s3.eu-west-1.amazonaws.com"},
        {"logs", "eu-west-1", "https://logs.eu-west-1.amazonaws.com"},
        {"monitoring", "ap-southeast-2", "https://monitoring.ap-southeast-2.amazonaws.com"},
        {"events", "us-west-2", "https://events.us-west-2.amazonaws.com"},
        {"sts", "us-east-1", "https://sts.us-east-1.amazonaws.com"},
        {"sagemaker-mlflow", "us-east-1", "https://us-east-1.experiments.sagemaker.aws"},
        {"sso", "eu-central-1", "https://portal.sso.eu-central-1.amazonaws.com"},
        {"sagemaker", "cn-north-1", "https://api.sagemaker.cn-north-1.amazonaws.com.cn"},
        {"s3", "cn-northwest-1", "https://s3.cn-northwest-1.amazonaws.com.cn"},
        {"logs", "us-gov-west-1", "https://logs.us-gov-west-1.amazonaws.com"},
        {"cloudwatch-logs", "eu-west-1", "https://logs.eu-west-1.amazonaws.com"},
        {"nosuch", "eu-west-1", "error: unknown AWS service 'nosuch'"},
        {"s3", "bad region", "error: invalid region 'bad region' for s3"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        TAP_EQ_STR(ep(rows[i].svc, rows[i].region, NULL, NULL, NULL), rows[i].want,
                   "%s in %s", rows[i].svc, rows[i].region);
    setenv("AWS_USE_FIPS_ENDPOINT", "true", 1);
    TAP_EQ_STR(ep("sagemaker", "us-east-1", NULL, NULL, NULL),
               "https://api-fips.sagemaker.us-east-1.amazonaws.com", "FIPS sagemaker");
    TAP_EQ_STR(ep("sts", "us-east-2", NULL, NULL, NULL), "https://sts-fips.us-east-2.amazonaws.com",
               "FIPS sts");
    unsetenv("AWS_USE_FIPS_ENDPOINT");
    setenv("AWS_USE_DUALSTACK_ENDPOINT", "TRUE", 1);
    TAP_EQ_STR(ep("s3", "us-east-1", NULL, NULL, NULL),
               "https://s3.dualstack.us-east-1.amazonaws.com", "dual-stack s3");
    TAP_EQ_STR(ep("logs", "eu-west-1", NULL, NULL, NULL), "https://logs.eu-west-1.api.aws",
               "dual-stack logs");
    TAP_EQ_STR(ep("sts", "cn-north-1", NULL, NULL, NULL),
               "https://sts.cn-north-1.api.amazonwebservices.com.cn", "dual-stack in China");
    unsetenv("AWS_USE_DUALSTACK_ENDPOINT");
}

static void test_configured(void)
{
    clean();
    struct md_awsconfig *cfg = load(
        "[default]\nendpoint_url = http://profile-wide:4566\nservices = local\n"
        "[services local]\nsagemaker =\n  endpoint_url = http://127.0.0.1:8080/\n"
        "s3 =\n  endpoint_url = http://127.0.0.1:9000\n  addressing_style = path\n"
        "cloudwatch_logs =\n  endpoint_url = http://logs.local:1\n"
        "[profile ign]\nendpoint_url = http://x:1\nignore_configured_endpoint_urls = true\n"
        "[profile fips]\nuse_fips_endpoint = true\n"
        "[profile bad]\nendpoint_url = localhost:4566\n",
        "");
    const char *p = "default";
    TAP_EQ_STR(ep("sagemaker", "us-east-1", NULL, cfg, p), "http://127.0.0.1:8080",
               "services section, trailing slash dropped");
    TAP_EQ_STR(ep("s3", "us-east-1", NULL, cfg, p), "http://127.0.0.1:9000", "services s3");
    TAP_EQ_STR(ep("logs", "us-east-1", NULL, cfg, p), "http://logs.local:1",
               "logs is cloudwatch_logs in the services section");
    TAP_EQ_STR(ep("events", "us-east-1", NULL, cfg, p), "http://profile-wide:4566",
               "profile endpoint_url for a service the section does not name");
    setenv("AWS_ENDPOINT_URL", "http://env-global:1", 1);
    TAP_EQ_STR(ep("sagemaker", "us-east-1", NULL, cfg, p), "http://env-global:1",
               "AWS_ENDPOINT_URL beats the files");
    setenv("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", "http://env-logs:2", 1);
    TAP_EQ_STR(ep("logs", "us-east-1", NULL, cfg, p), "http://env-logs:2",
               "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS beats AWS_ENDPOINT_URL");
    setenv("AWS_ENDPOINT_URL_EVENTBRIDGE", "http://env-events:3", 1);
    TAP_EQ_STR(ep("events", "us-east-1", NULL, cfg, p), "http://env-events:3", "EVENTBRIDGE id");
    setenv("AWS_ENDPOINT_URL_CLOUDWATCH", "http://env-cw:4", 1);
    TAP_EQ_STR(ep("monitoring", "us-east-1", NULL, cfg, p), "http://env-cw:4", "CLOUDWATCH id");
    TAP_EQ_STR(ep("logs", "us-east-1", "https://flag:443", cfg, p), "https://flag:443",
               "--endpoint-url beats everything");
    setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", 1);
    TAP_EQ_STR(ep("logs", "us-east-1", NULL, cfg, p), "https://logs.us-east-1.amazonaws.com",
               "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS ignores variables and files");
    TAP_EQ_STR(ep("logs", "us-east-1", "http://flag:1", cfg, p), "http://flag:1",
               "... but not --endpoint-url");
    clean();
    TAP_EQ_STR(ep("s3", "us-east-1", NULL, cfg, "ign"), "https://s3.us-east-1.amazonaws.com",
               "profile ignore_configured_endpoint_urls");
    setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false", 1);
    TAP_EQ_STR(ep("s3", "us-east-1", NULL, cfg, "ign"), "http://x:1",
               "the variable set to false beats the profile");
    clean();
    TAP_EQ_STR(ep("sts", "us-east-1", NULL, cfg, "fips"), "https://sts-fips.us-east-1.amazonaws.com",
               "profile use_fips_endpoint");
    TAP_OK(!strncmp(ep("sts", "us-east-1", NULL, cfg, "bad"), "error: invalid endpoint URL", 27),
           "an endpoint without a scheme is refused: %s", ep("sts", "us-east-1", NULL, cfg, "bad"));
    setenv("SAGEMAKER_MLFLOW_CUSTOM_ENDPOINT", "http://127.0.0.1:5000", 1);
    setenv("AWS_ENDPOINT_URL", "http://env-global:1", 1);
    TAP_EQ_STR(ep("sagemaker-mlflow", "us-east-1", NULL, cfg, p), "http://127.0.0.1:5000",
               "SAGEMAKER_MLFLOW_CUSTOM_ENDPOINT for the MLflow API");
    clean();
    struct md_endpoint e;
    struct md_err err;
    setenv("AWS_ENDPOINT_URL_SAGEMAKER", "http://127.0.0.1:1234", 1);
    md_endpoint_resolve("sagemaker", "eu-west-1", NULL, cfg, p, &e, &err);
    TAP_OK(!strcmp(e.signing_name, "sagemaker") && !strcmp(e.signing_region, "eu-west-1") &&
               e.custom && !strcmp(e.source, "AWS_ENDPOINT_URL_SAGEMAKER"),
           "a custom endpoint keeps signing name and region, and says where it came from");
    md_endpoint_resolve("monitoring", "eu-west-1", NULL, cfg, "fips", &e, &err);
    TAP_OK(!strcmp(e.signing_name, "monitoring") && !e.custom, "monitoring signs as monitoring");
    TAP_EQ_STR(md_endpoint_env_id("logs"), "CLOUDWATCH_LOGS", "env id of logs");
    TAP_EQ_STR(md_endpoint_env_id("sagemaker-mlflow"), "SAGEMAKER_MLFLOW", "env id of mlflow");
    clean();
    md_awsconfig_free(cfg);
}

static void test_env(void)
{
    clean();
    char cp[300], kp[300];
    snprintf(cp, sizeof cp, "%s/config", dir);
    snprintf(kp, sizeof kp, "%s/credentials", dir);
    FILE *f = fopen(cp, "w");
    fputs("[profile minio]\nregion = us-east-1\nendpoint_url = http://127.0.0.1:9000\n"
          "s3 =\n  addressing_style = path\n"
          "[profile odd]\ns3 =\n  addressing_style = sideways\n", f);
    fclose(f);
    f = fopen(kp, "w");
    fputs("[minio]\naws_access_key_id = minio\naws_secret_access_key = minio123\n", f);
    fclose(f);
    setenv("AWS_CONFIG_FILE", cp, 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", kp, 1);
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    struct md_settings s;
    md_settings_defaults(&s);
    snprintf(s.profile, sizeof s.profile, "minio");
    s.profile_from_flag = true;
    struct md_aws_env *env;
    struct md_err err;
    TAP_OK(md_aws_env_open(&s, NULL, &env, &err) == MD_OK, "md_aws_env_open: %s", err.msg);
    TAP_EQ_STR(md_aws_env_s3_addressing(env), "path", "s3 addressing_style from the profile");
    TAP_EQ_STR(md_aws_env_get(env, "region"), "us-east-1", "a plain profile key");
    struct md_aws_target t;
    struct md_endpoint e;
    TAP_OK(md_aws_env_target(env, "s3", &t, &e, &err) == MD_OK &&
               !strcmp(e.url, "http://127.0.0.1:9000") && !strcmp(t.service, "s3") &&
               !strcmp(t.region, "us-east-1") && t.get_creds != NULL && t.creds_ctx == env->creds,
           "md_aws_env_target: URL, signing name and region, credentials callback");
    md_aws_env_free(env);
    snprintf(s.profile, sizeof s.profile, "odd");
    TAP_OK(md_aws_env_open(&s, NULL, &env, &err) == MD_OK, "profile without a region opens");
    TAP_EQ_STR(md_aws_env_s3_addressing(env), "auto", "an unknown addressing style is auto");
    const char *r;
    TAP_OK(md_aws_env_region(env, &r, &err) == MD_ERR_NOTFOUND && strstr(err.msg, "no AWS region"),
           "... and says there is no region when asked: %s", err.msg);
    TAP_OK(md_aws_env_target(env, "sagemaker", &t, &e, &err) == MD_ERR_NOTFOUND,
           "no region: no target");
    md_aws_env_free(env);
    snprintf(s.profile, sizeof s.profile, "ghost");
    TAP_OK(md_aws_env_open(&s, NULL, &env, &err) == MD_ERR_NOTFOUND && !env,
           "an unknown profile fails to open: %s", err.msg);
    unsetenv("AWS_EC2_METADATA_DISABLED");
    clean();
}

int main(void)
{
    char tmpl[] = "/tmp/mldeck-ep-XXXXXX";
    if (!mkdtemp(tmpl))
        return 1;
    snprintf(dir, sizeof dir, "%s", tmpl);
    test_profile_choice();
    test_region();
    test_default_hosts();
    test_configured();
    test_env();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        tap_diag("cleanup failed");
    return tap_done();
}
