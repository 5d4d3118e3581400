/* The credential chain without the network: environment, files, profile
 * selection and precedence, credential_process (real child processes),
 * SSO token cache checks, the refresh cache (injected clock, threads). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/creds.h"
#include "net/creds_int.h"
#include "net/region.h"
#include "../tap.h"

static char home[256];

static const char *const env_vars[] = {
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE", "AWS_REGION", "AWS_DEFAULT_REGION",
    "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_EC2_METADATA_DISABLED", "AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_SSO", NULL,
};

static void clean_env(void)
{
    for (int i = 0; env_vars[i]; i++)
        unsetenv(env_vars[i]);
    setenv("HOME", home, 1);
    /* Never reach for a real 169.254.169.254 from a unit test. */
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
}

static void write_file(const char *rel, const char *text, int mode)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", home, rel);
    char dir[512];
    snprintf(dir, sizeof dir, "%s", path);
    for (char *p = dir + strlen(home) + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(dir, 0700);
            *p = '/';
        }
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    fputs(text, f);
    fclose(f);
    chmod(path, (mode_t)mode);
}

static void files(const char *config, const char *credentials)
{
    char p[512];
    snprintf(p, sizeof p, "%s/.aws/config", home);
    unlink(p);
    snprintf(p, sizeof p, "%s/.aws/credentials", home);
    unlink(p);
    if (config)
        write_file(".aws/config", config, 0600);
    if (credentials)
        write_file(".aws/credentials", credentials, 0600);
}

/* Builds a provider for settings (profile from flag when flag != NULL). */
static struct md_creds_provider *provider(const char *flag, const struct md_creds_opts *o,
                                          struct md_err *err)
{
    struct md_settings s;
    md_settings_defaults(&s);
    if (flag) {
        snprintf(s.profile, sizeof s.profile, "%s", flag);
        s.profile_from_flag = true;
    }
    struct md_awsconfig *cfg;
    if (md_awsconfig_load(&cfg, err) != MD_OK)
        return NULL;
    struct md_creds_provider *p = NULL;
    md_creds_provider_new(&s, cfg, o, &p, err);
    md_awsconfig_free(cfg);
    return p;
}

/* method of the chosen source and the access key it yields ("" on error). */
static void resolve(const char *flag, char *method, size_t mn, char *akid, size_t an,
                    struct md_err *err)
{
    method[0] = akid[0] = '\0';
    md_err_clear(err);
    struct md_creds_provider *p = provider(flag, NULL, err);
    if (!p) {
        snprintf(method, mn, "error");
        return;
    }
    struct md_creds_info info;
    md_creds_provider_info(p, &info);
    snprintf(method, mn, "%s", info.method);
    struct md_aws_creds c;
    if (md_creds_get(p, &c, err) == MD_OK)
        snprintf(akid, an, "%s", c.access_key_id);
    md_aws_creds_wipe(&c);
    md_creds_provider_free(p);
}

static void test_env_and_files(void)
{
    char m[64], k[128];
    struct md_err err;
    clean_env();
    files("[default]\nregion = eu-west-1\n[profile dev]\naws_access_key_id = AKIDCONFIGDEV\n"
          "aws_secret_access_key = s\n",
          "[default]\naws_access_key_id = AKIDFILEDEFAULT\naws_secret_access_key = s\n"
          "[dev]\naws_access_key_id = AKIDFILEDEV\naws_secret_access_key = s2\n"
          "aws_security_token = legacy\naws_session_token = modern\n");

    resolve(NULL, m, sizeof m, k, sizeof k, &err);
    TAP_EQ_STR(m, "shared-credentials-file", "default profile from the credentials file");
    TAP_EQ_STR(k, "AKIDFILEDEFAULT", "its access key");

    resolve("dev", m, sizeof m, k, sizeof k, &err);
    TAP_EQ_STR(k, "AKIDFILEDEV", "credentials file beats config file for the same profile");

    setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "envsecret", 1);
    setenv("AWS_PROFILE", "dev", 1);
    resolve(NULL, m, sizeof m, k, sizeof k, &err);
    TAP_EQ_STR(m, "env", "environment credentials beat a profile chosen by AWS_PROFILE");
    TAP_EQ_STR(k, "AKIDENV", "env access key");
    resolve("dev", m, sizeof m, k, sizeof k, &err);
    TAP_EQ_STR(m, "shared-credentials-file", "--profile beats environment credentials");
    TAP_EQ_STR(k, "AKIDFILEDEV", "--profile dev key");

    /* Session token: the legacy name first. */
    setenv("AWS_SESSION_TOKEN", "new-token", 1);
    setenv("AWS_SECURITY_TOKEN", "old-token", 1);
    struct md_creds_provider *p = provider(NULL, NULL, &err);
    struct md_aws_creds c;
    TAP_OK(p && md_creds_get(p, &c, &err) == MD_OK, "env credentials with two token names");
    TAP_EQ_STR(c.session_token, "old-token", "AWS_SECURITY_TOKEN is read before AWS_SESSION_TOKEN");
    md_creds_provider_free(p);
    setenv("AWS_SECURITY_TOKEN", "", 1);
    p = provider(NULL, NULL, &err);
    TAP_OK(p && md_creds_get(p, &c, &err) == MD_OK, "empty legacy token");
    TAP_EQ_STR(c.session_token, "new-token", "an empty AWS_SECURITY_TOKEN falls through");
    md_creds_provider_free(p);

    /* Expiring environment credentials refresh from the environment. */
    setenv("AWS_CREDENTIAL_EXPIRATION", "2099-01-01T00:00:00Z", 1);
    p = provider(NULL, NULL, &err);
    TAP_OK(p && md_creds_get(p, &c, &err) == MD_OK && c.expiration == 4070908800,
           "AWS_CREDENTIAL_EXPIRATION is the expiry");
    md_creds_provider_free(p);
    setenv("AWS_CREDENTIAL_EXPIRATION", "tomorrow", 1);
    p = provider(NULL, NULL, &err);
    TAP_OK(p && md_creds_get(p, &c, &err) == MD_ERR_AUTH, "a malformed expiration is an error");
    md_creds_provider_free(p);
    unsetenv("AWS_CREDENTIAL_EXPIRATION");

    /* Partial environment credentials are an error, not a fall-through. */
    unsetenv("AWS_SECRET_ACCESS_KEY");
    resolve(NULL, m, sizeof m, k, sizeof k, &err);
    TAP_OK(!strcmp(m, "error") && strstr(err.msg, "AWS_SECRET_ACCESS_KEY"),
           "AWS_ACCESS_KEY_ID without a secret: %s", err.msg);
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SESSION_TOKEN");
    unsetenv("AWS_SECURITY_TOKEN");

    /* The legacy token name in the credentials file is also read first. */
    p = provider(NULL, NULL, &err);
    TAP_OK(p && md_creds_get(p, &c, &err) == MD_OK, "AWS_PROFILE=dev from the file");
    TAP_EQ_STR(c.session_token, "legacy", "aws_security_token is read before aws_session_token");
    md_creds_provider_free(p);

    /* AWS_DEFAULT_PROFILE is consulted before AWS_PROFILE (botocore). */
    setenv("AWS_DEFAULT_PROFILE", "default", 1);
    resolve(NULL, m, sizeof m, k, sizeof k, &err);
    TAP_EQ_STR(k, "AKIDFILEDEFAULT", "AWS_DEFAULT_PROFILE wins over AWS_PROFILE");
    unsetenv("AWS_DEFAULT_PROFILE");
    unsetenv("AWS_PROFILE");

    resolve("nosuch", m, sizeof m, k, sizeof k, &err);
    TAP_OK(!strcmp(m, "error") && err.code == MD_ERR_NOTFOUND && strstr(err.msg, "nosuch"),
           "an unknown profile is an error: %s", err.msg);

    /* Config-file-only static keys. */
    files("[profile cfgonly]\naws_access_key_id = AKIDCFG\naws_secret_access_key = x\n", NULL);
    resolve("cfgonly", m, sizeof m, k, sizeof k, &err);
    TAP_EQ_STR(m, "config-file", "static keys in the config file");
    TAP_EQ_STR(k, "AKIDCFG", "config file key");

    files(NULL, "[half]\naws_access_key_id = AKIDHALF\n");
    resolve("half", m, sizeof m, k, sizeof k, &err);
    TAP_OK(!strcmp(m, "error") && strstr(err.msg, "aws_secret_access_key"),
           "a key without a secret in the file: %s", err.msg);

    files(NULL, NULL);
    resolve(NULL, m, sizeof m, k, sizeof k, &err);
    TAP_EQ_STR(m, "none", "nothing configured and IMDS disabled: no source");
    TAP_OK(err.code == MD_ERR_AUTH && strstr(err.msg, "no AWS credentials"),
           "md_creds_get says no credentials: %s", err.msg);

    files("[default\nregion=x\n", NULL);
    resolve(NULL, m, sizeof m, k, sizeof k, &err);
    TAP_OK(!strcmp(m, "error") && err.code == MD_ERR_PARSE, "a malformed config file: %s",
           err.msg);
}

static void test_role_config_errors(void)
{
    char m[64], k[128];
    struct md_err err;
    clean_env();
    files("[profile both]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = a\n"
          "credential_source = Environment\n"
          "[profile neither]\nrole_arn = arn:aws:iam::1:role/r\n"
          "[profile badsrc]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Laptop\n"
          "[profile missing]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = ghost\n"
          "[profile loop1]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = loop2\n"
          "[profile loop2]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = loop1\n"
          "[profile self]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = self\n"
          "aws_access_key_id = AKIDSELF\naws_secret_access_key = s\n"
          "[profile selfnokeys]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = selfnokeys\n"
          "[profile empty]\nregion = us-east-1\n"
          "[profile nocreds]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = empty\n"
          "[profile webid]\nrole_arn = arn:aws:iam::1:role/w\n"
          "web_identity_token_file = ~/token\n"
          "[profile env]\nrole_arn = arn:aws:iam::1:role/e\ncredential_source = Environment\n",
          NULL);
    resolve("both", m, sizeof m, k, sizeof k, &err);
    TAP_OK(!strcmp(m, "error") && strstr(err.msg, "both source_profile and credential_source"),
           "source_profile and credential_source together: %s", err.msg);
    resolve("neither", m, sizeof m, k, sizeof k, &err);
    TAP_OK(!strcmp(m, "error") && strstr(err.msg, "neither"), "role_arn alone: %s", err.msg);
    resolve("badsrc", m, sizeof m, k, sizeof k, &err);
    TAP_OK(!strcmp(m, "error") && strstr(err.msg, "Laptop"), "unknown credential_source: %s",
           err.msg);
    resolve("missing", m, sizeof m, k, sizeof k, &err);
    TAP_OK(!strcmp(m, "error") && strstr(err.msg, "ghost"), "missing source_profile: %s",
           err.msg);
    resolve("loop1", m, sizeof m, k, sizeof k, &err);
    TAP_OK(!strcmp(m, "error") && strstr(err.msg, "loop"), "source_profile loop: %s", err.msg);
    resolve("self", m, sizeof m, k, sizeof k, &err);
    TAP_EQ_STR(m, "assume-role", "a profile may source its own static keys");
    resolve("selfnokeys", m, sizeof m, k, sizeof k, &err);
    TAP_OK(!strcmp(m, "error") && strstr(err.msg, "loop"), "self reference without keys: %s",
           err.msg);
    resolve("nocreds", m, sizeof m, k, sizeof k, &err);
    TAP_OK(!strcmp(m, "error") && strstr(err.msg, "has no credentials"),
           "a source profile without credentials: %s", err.msg);
    resolve("webid", m, sizeof m, k, sizeof k, &err);
    TAP_EQ_STR(m, "assume-role-with-web-identity",
               "role_arn + web_identity_token_file is web identity, not assume role");
    /* credential_source=Environment reads the environment even with --profile. */
    setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "s", 1);
    resolve("env", m, sizeof m, k, sizeof k, &err);
    TAP_EQ_STR(m, "assume-role", "credential_source = Environment with --profile");
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SECRET_ACCESS_KEY");

    /* Web identity from the environment needs a role. */
    setenv("AWS_WEB_IDENTITY_TOKEN_FILE", "/nonexistent", 1);
    files(NULL, NULL);
    resolve(NULL, m, sizeof m, k, sizeof k, &err);
    TAP_OK(!strcmp(m, "error") && strstr(err.msg, "AWS_ROLE_ARN"),
           "AWS_WEB_IDENTITY_TOKEN_FILE without AWS_ROLE_ARN: %s", err.msg);
    setenv("AWS_ROLE_ARN", "arn:aws:iam::1:role/w", 1);
    resolve(NULL, m, sizeof m, k, sizeof k, &err);
    TAP_EQ_STR(m, "assume-role-with-web-identity", "web identity from the environment");
    TAP_OK(err.code == MD_ERR_AUTH && strstr(err.msg, "/nonexistent"),
           "an unreadable token file: %s", err.msg);
    resolve("default", m, sizeof m, k, sizeof k, &err);
    TAP_EQ_STR(m, "none", "--profile ignores the web identity environment variables");
    unsetenv("AWS_WEB_IDENTITY_TOKEN_FILE");
    unsetenv("AWS_ROLE_ARN");

    /* Container variables select the container provider. */
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://10.1.2.3/creds", 1);
    resolve(NULL, m, sizeof m, k, sizeof k, &err);
    TAP_EQ_STR(m, "container-role", "AWS_CONTAINER_CREDENTIALS_FULL_URI selects the container");
    TAP_OK(strstr(err.msg, "loopback") != NULL, "plain http to a non-local host is refused: %s",
           err.msg);
    unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    unsetenv("AWS_EC2_METADATA_DISABLED");
    setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:9", 1);
    resolve(NULL, m, sizeof m, k, sizeof k, &err);
    TAP_EQ_STR(m, "iam-role", "with nothing else, the instance metadata is last");
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
}

static void sso_token(const char *key, const char *expires)
{
    char path[1024];
    TAP_OK(md_sso_cache_path(key, path, sizeof path), "SSO cache path for %s", key);
    char text[512];
    snprintf(text, sizeof text,
             "{\"startUrl\": \"https://corp.awsapps.com/start\", \"region\": \"us-east-1\", "
             "\"accessToken\": \"tok\", \"expiresAt\": \"%s\"}",
             expires);
    write_file(path + strlen(home) + 1, text, 0600);
}

static void test_sso_config(void)
{
    char m[64], k[128];
    struct md_err err;
    clean_env();
    /* The cache file name is the SHA-1 of the session name or start URL. */
    char path[1024];
    md_sso_cache_path("my-sso", path, sizeof path);
    char want[1024];
    /* sha1("my-sso") computed independently: */
    FILE *pp = popen("printf %s my-sso | sha1sum | cut -c1-40", "r");
    char hex[64] = "";
    if (pp) {
        if (!fgets(hex, sizeof hex, pp))
            hex[0] = '\0';
        pclose(pp);
    }
    hex[strcspn(hex, "\n")] = '\0';
    snprintf(want, sizeof want, "%s/.aws/sso/cache/%s.json", home, hex);
    TAP_EQ_STR(path, want, "SSO cache file is sha1(session name).json");

    files("[profile sso]\nsso_session = my-sso\nsso_account_id = 111122223333\n"
          "sso_role_name = ReadOnly\nregion = us-west-2\n"
          "[sso-session my-sso]\nsso_start_url = https://corp.awsapps.com/start\n"
          "sso_region = us-east-1\n"
          "[profile legacy]\nsso_start_url = https://old.awsapps.com/start\n"
          "sso_region = eu-west-1\nsso_account_id = 111122223333\nsso_role_name = Admin\n"
          "[profile half]\nsso_start_url = https://old.awsapps.com/start\n"
          "[profile ghost]\nsso_session = nope\nsso_account_id = 1\nsso_role_name = r\n"
          "[profile clash]\nsso_session = my-sso\nsso_region = ap-south-1\n"
          "sso_account_id = 1\nsso_role_name = r\n",
          NULL);
    resolve("sso", m, sizeof m, k, sizeof k, &err);
    TAP_EQ_STR(m, "sso", "sso_session profile");
    TAP_OK(err.code == MD_ERR_AUTH && strstr(err.msg, "aws sso login --profile sso"),
           "no cached token says to log in: %s", err.msg);
    sso_token("my-sso", "2020-01-01T00:00:00Z");
    resolve("sso", m, sizeof m, k, sizeof k, &err);
    TAP_OK(strstr(err.msg, "expired") && strstr(err.msg, "aws sso login --profile sso"),
           "an expired token says to log in again: %s", err.msg);
    sso_token("https://old.awsapps.com/start", "2020-01-01T00:00:00UTC");
    resolve("legacy", m, sizeof m, k, sizeof k, &err);
    TAP_OK(!strcmp(m, "sso") && strstr(err.msg, "expired") &&
               strstr(err.msg, "--profile legacy"),
           "legacy sso_start_url token (UTC suffix) is found by the URL's hash: %s", err.msg);
    resolve("half", m, sizeof m, k, sizeof k, &err);
    TAP_OK(!strcmp(m, "error") && strstr(err.msg, "sso_role_name") &&
               strstr(err.msg, "sso_account_id"),
           "an incomplete SSO profile names what is missing: %s", err.msg);
    resolve("ghost", m, sizeof m, k, sizeof k, &err);
    TAP_OK(!strcmp(m, "error") && strstr(err.msg, "nope"), "unknown sso-session: %s", err.msg);
    resolve("clash", m, sizeof m, k, sizeof k, &err);
    TAP_OK(!strcmp(m, "error") && strstr(err.msg, "sso_region"),
           "a profile value that contradicts its sso-session: %s", err.msg);
}

/* ---- credential_process ------------------------------------------------ */

static char script[512], counter[512];

static void write_script(const char *body)
{
    snprintf(script, sizeof script, "%s/bin/creds.sh", home);
    char text[4096];
    snprintf(text, sizeof text, "#!/bin/sh\necho x >> '%s'\n%s", counter, body);
    write_file("bin/creds.sh", text, 0700);
}

static int count_runs(void)
{
    FILE *f = fopen(counter, "r");
    if (!f)
        return 0;
    int n = 0, c;
    while ((c = fgetc(f)) != EOF)
        n += c == '\n';
    fclose(f);
    return n;
}

static time_t fake_now;
static pthread_mutex_t clock_mu = PTHREAD_MUTEX_INITIALIZER;

static time_t test_clock(void *ctx)
{
    (void)ctx;
    pthread_mutex_lock(&clock_mu);
    time_t t = fake_now;
    pthread_mutex_unlock(&clock_mu);
    return t;
}

static void *worker(void *arg)
{
    struct md_creds_provider *p = arg;
    struct md_aws_creds c;
    struct md_err err;
    long ok = md_creds_get(p, &c, &err) == MD_OK && !strcmp(c.access_key_id, "AKIDPROC");
    md_aws_creds_wipe(&c);
    return (void *)ok;
}

static void test_process(void)
{
    char m[64], k[128];
    struct md_err err;
    clean_env();
    snprintf(counter, sizeof counter, "%s/runs", home);
    unlink(counter);
    char cfg[1024];
    snprintf(cfg, sizeof cfg,
             "[profile proc]\ncredential_process = \"%s/bin/creds.sh\" --role 'a b'\n"
             "[profile missing]\ncredential_process = /nonexistent/helper\n"
             "[profile quotes]\ncredential_process = helper 'unbalanced\n",
             home);
    files(cfg, NULL);

    write_script("[ \"$2\" = 'a b' ] || { echo 'bad args' >&2; exit 9; }\n"
                 "cat <<'E'\n{\"Version\": 1, \"AccessKeyId\": \"AKIDPROC\", "
                 "\"SecretAccessKey\": \"procsecret\", \"SessionToken\": \"proctoken\"}\nE\n");
    resolve("proc", m, sizeof m, k, sizeof k, &err);
    TAP_EQ_STR(m, "custom-process", "credential_process profile");
    TAP_EQ_STR(k, "AKIDPROC", "keys from the process (arguments split shell-style)");

    write_script("echo 'token expired, run login' >&2\nexit 3\n");
    resolve("proc", m, sizeof m, k, sizeof k, &err);
    TAP_OK(err.code == MD_ERR_AUTH && strstr(err.msg, "exit 3") &&
               strstr(err.msg, "token expired, run login"),
           "a failing process: exit status and stderr in the message: %s", err.msg);

    write_script("echo '{\"Version\": 1, \"AccessKeyId\": '\n");
    resolve("proc", m, sizeof m, k, sizeof k, &err);
    TAP_OK(err.code == MD_ERR_AUTH && strstr(err.msg, "not a JSON object"), "bad JSON: %s",
           err.msg);

    write_script("echo '{\"Version\": 2, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"S\"}'\n");
    resolve("proc", m, sizeof m, k, sizeof k, &err);
    TAP_OK(strstr(err.msg, "Version") != NULL, "Version 2 is refused: %s", err.msg);

    write_script("echo '{\"AccessKeyId\": \"A\", \"SecretAccessKey\": \"S\"}'\n");
    resolve("proc", m, sizeof m, k, sizeof k, &err);
    TAP_OK(strstr(err.msg, "Version") != NULL, "a missing Version is refused: %s", err.msg);

    write_script("echo '{\"Version\": 1, \"AccessKeyId\": \"A\"}'\n");
    resolve("proc", m, sizeof m, k, sizeof k, &err);
    TAP_OK(strstr(err.msg, "SecretAccessKey") != NULL && !strstr(err.msg, "\"A\""),
           "a missing secret: %s", err.msg);

    write_script("echo '{\"Version\": 1, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"S\", "
                 "\"Expiration\": \"soon\"}'\n");
    resolve("proc", m, sizeof m, k, sizeof k, &err);
    TAP_OK(strstr(err.msg, "Expiration") != NULL, "a malformed Expiration: %s", err.msg);

    resolve("missing", m, sizeof m, k, sizeof k, &err);
    TAP_OK(err.code == MD_ERR_AUTH && strstr(err.msg, "/nonexistent/helper"),
           "a command that does not exist: %s", err.msg);
    resolve("quotes", m, sizeof m, k, sizeof k, &err);
    TAP_OK(err.code == MD_ERR_AUTH && strstr(err.msg, "quotes"), "unbalanced quotes: %s",
           err.msg);

    /* Expiring process credentials: cached, refreshed in the advisory
     * window by one caller, and in the mandatory window by exactly one of
     * many concurrent callers. */
    fake_now = time(NULL);
    write_script("exp=$(date -u -d @$(( $(cat \"$HOME/exp_at\") )) +%Y-%m-%dT%H:%M:%SZ)\n"
                 "echo \"{\\\"Version\\\": 1, \\\"AccessKeyId\\\": \\\"AKIDPROC\\\", "
                 "\\\"SecretAccessKey\\\": \\\"S\\\", \\\"Expiration\\\": \\\"$exp\\\"}\"\n");
    char expat[64];
    snprintf(expat, sizeof expat, "%lld\n", (long long)fake_now + 1000);
    write_file("exp_at", expat, 0600);
    unlink(counter);
    struct md_creds_opts o = {.advisory_refresh_s = 300, .mandatory_refresh_s = 100,
                              .now = test_clock};
    struct md_creds_provider *p = provider("proc", &o, &err);
    struct md_aws_creds c;
    TAP_OK(p && md_creds_get(p, &c, &err) == MD_OK && c.expiration == fake_now + 1000,
           "expiring process credentials: %s", err.msg);
    TAP_EQ_INT(count_runs(), 1, "fetched once");
    md_creds_get(p, &c, &err);
    md_creds_get(p, &c, &err);
    TAP_EQ_INT(count_runs(), 1, "then served from memory");
    struct md_creds_info info;
    md_creds_provider_info(p, &info);
    TAP_OK(info.fetched && !strcmp(info.access_key, "****************PROC") &&
               info.expiration == fake_now + 1000,
           "info shows the masked key and the expiry, never the secret");

    /* 750 s later: 250 s left, inside the 300 s advisory window. */
    pthread_mutex_lock(&clock_mu);
    fake_now += 750;
    pthread_mutex_unlock(&clock_mu);
    snprintf(expat, sizeof expat, "%lld\n", (long long)fake_now + 1000);
    write_file("exp_at", expat, 0600);
    TAP_OK(md_creds_get(p, &c, &err) == MD_OK && c.expiration == fake_now + 1000,
           "advisory window: refreshed");
    TAP_EQ_INT(count_runs(), 2, "one more run");

    /* Advisory refresh failing keeps the old credentials. */
    pthread_mutex_lock(&clock_mu);
    fake_now += 750;
    pthread_mutex_unlock(&clock_mu);
    write_file("exp_at", "garbage\n", 0600);
    TAP_OK(md_creds_get(p, &c, &err) == MD_OK && !strcmp(c.access_key_id, "AKIDPROC"),
           "a failed advisory refresh keeps the current credentials");
    TAP_EQ_INT(count_runs(), 3, "the refresh was tried");

    /* Mandatory window: 8 threads, one refresh. */
    pthread_mutex_lock(&clock_mu);
    fake_now += 200;   /* 50 s left */
    pthread_mutex_unlock(&clock_mu);
    snprintf(expat, sizeof expat, "%lld\n", (long long)fake_now + 3600);
    write_file("exp_at", expat, 0600);
    pthread_t th[8];
    for (int i = 0; i < 8; i++)
        pthread_create(&th[i], NULL, worker, p);
    int good = 0;
    for (int i = 0; i < 8; i++) {
        void *r;
        pthread_join(th[i], &r);
        good += r != NULL;
    }
    TAP_EQ_INT(good, 8, "8 concurrent callers all got credentials");
    TAP_EQ_INT(count_runs(), 4, "and the mandatory refresh ran exactly once");

    /* Mandatory refresh failing is an error. */
    pthread_mutex_lock(&clock_mu);
    fake_now += 3600 - 50;
    pthread_mutex_unlock(&clock_mu);
    write_script("exit 1\n");
    TAP_OK(md_creds_get(p, &c, &err) == MD_ERR_AUTH, "a failed mandatory refresh is an error");
    /* Credentials that are already expired are refused. */
    write_script("echo '{\"Version\": 1, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"S\", "
                 "\"Expiration\": \"2001-01-01T00:00:00Z\"}'\n");
    TAP_OK(md_creds_get(p, &c, &err) == MD_ERR_AUTH && strstr(err.msg, "already expired"),
           "already expired credentials are refused: %s", err.msg);
    md_aws_creds_wipe(&c);
    md_creds_provider_free(p);
}

static const char *container_url(const char *rel, const char *full)
{
    static char out[300];
    if (rel)
        setenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", rel, 1);
    else
        unsetenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    if (full)
        setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", full, 1);
    else
        unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    struct md_buf b = MD_BUF_INIT;
    struct md_err err;
    if (md_container_url(&b, &err) == MD_OK)
        snprintf(out, sizeof out, "%s", b.data);
    else
        snprintf(out, sizeof out, "refused");
    md_buf_free(&b);
    return out;
}

static void test_container_urls(void)
{
    TAP_EQ_STR(container_url("/v2/credentials/abc", NULL), "http://169.254.170.2/v2/credentials/abc",
               "RELATIVE_URI is fetched from 169.254.170.2");
    TAP_EQ_STR(container_url("/v2/x", "http://127.0.0.1:1/y"), "http://169.254.170.2/v2/x",
               "RELATIVE_URI beats FULL_URI");
    static const char *const okurls[] = {
        "http://169.254.170.23/v1/credentials", "http://[fd00:ec2::23]/v1/credentials",
        "http://localhost:8080/c", "http://127.1.2.3/c", "http://[::1]:9/c",
        "https://creds.example.com/c", "http://169.254.170.2/c",
    };
    for (size_t i = 0; i < sizeof okurls / sizeof okurls[0]; i++)
        TAP_EQ_STR(container_url(NULL, okurls[i]), okurls[i], "FULL_URI allowed: %s", okurls[i]);
    static const char *const bad[] = {
        "http://10.0.0.1/c", "http://169.254.169.254/latest", "http://example.com/c",
        "http://user@127.0.0.1.evil.com/c", "ftp://127.0.0.1/c", "http://128.0.0.1/c",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        TAP_EQ_STR(container_url(NULL, bad[i]), "refused", "FULL_URI refused: %s", bad[i]);
    container_url(NULL, NULL);
}

static void test_times(void)
{
    TAP_EQ_INT(md_creds_parse_time("2026-11-26T10:00:00Z"), 1795687200, "ISO 8601 Z");
    TAP_EQ_INT(md_creds_parse_time("2026-11-26T10:00:00.123Z"), 1795687200, "fractions");
    TAP_EQ_INT(md_creds_parse_time("2026-11-26T11:30:00+01:30"), 1795687200, "offset");
    TAP_EQ_INT(md_creds_parse_time("2026-11-26T10:00:00UTC"), 1795687200, "UTC suffix");
    TAP_EQ_INT(md_creds_parse_time("2026-11-26 10:00:00"), 1795687200, "space, no zone = UTC");
    TAP_EQ_INT(md_creds_parse_time("2026-13-26T10:00:00Z"), -1, "bad month");
    TAP_EQ_INT(md_creds_parse_time("2026-11-26T10:00:00Zjunk"), -1, "trailing junk");
    TAP_EQ_INT(md_creds_parse_time(""), -1, "empty");
}

int main(void)
{
    char tmpl[] = "/tmp/mldeck-creds-XXXXXX";
    if (!mkdtemp(tmpl))
        return 1;
    snprintf(home, sizeof home, "%s", tmpl);
    test_env_and_files();
    test_role_config_errors();
    test_sso_config();
    test_process();
    test_container_urls();
    test_times();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", home);
    if (system(cmd) != 0)
        tap_diag("could not remove %s", home);
    return tap_done();
}
