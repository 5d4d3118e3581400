/* The credential sources that talk HTTP, against tests/servers/creds_server.py
 * on 127.0.0.1: IMDSv2, container credentials, STS AssumeRole (source
 * profiles, chains, external id, MFA, credential_source), web identity,
 * SSO, GetCallerIdentity; expiry and refresh with credentials that live
 * 30 seconds (a test clock moves time, nothing sleeps). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../tap.h"
#include "credserver.h"
#include "net/creds.h"
#include "net/creds_int.h"
#include "net/mfa_broker.h"

#include <poll.h>
#include "net/region.h"

static char home[256];
static struct credserver srv;

static const char *const env_vars[] = {
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
    "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_DEFAULT_REGION", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "AWS_EC2_METADATA_DISABLED", "AWS_ENDPOINT_URL",
    "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "ALL_PROXY", "all_proxy", NULL,
};

static void reset_env(void)
{
    for (int i = 0; env_vars[i]; i++)
        unsetenv(env_vars[i]);
    setenv("HOME", home, 1);
    setenv("AWS_REGION", "us-east-1", 1);
    setenv("AWS_ENDPOINT_URL_STS", srv.base, 1);
    setenv("AWS_ENDPOINT_URL_SSO", srv.base, 1);
    setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", srv.base, 1);
}

static void write_file(const char *rel, const char *text)
{
    char path[512], dir[512];
    snprintf(path, sizeof path, "%s/%s", home, rel);
    snprintf(dir, sizeof dir, "%s", path);
    for (char *p = dir + strlen(home) + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(dir, 0700);
            *p = '/';
        }
    FILE *f = fopen(path, "w");
    if (!f)
        exit(1);
    fputs(text, f);
    fclose(f);
}

static const char *CONFIG =
    "[profile a]\naws_access_key_id = AKIDBASEEXAMPLE\naws_secret_access_key = base/secret/EXAMPLEKEY\n"
    "[profile wrong]\naws_access_key_id = AKIDBASEEXAMPLE\naws_secret_access_key = not-the-secret\n"
    "[profile deploy]\nrole_arn = arn:aws:iam::123456789012:role/deploy\nsource_profile = a\n"
    "external_id = ext-42\nrole_session_name = mysession\nduration_seconds = 1800\n"
    "[profile noext]\nrole_arn = arn:aws:iam::123456789012:role/deploy\nsource_profile = a\n"
    "[profile badsrc]\nrole_arn = arn:aws:iam::123456789012:role/deploy\nsource_profile = wrong\n"
    "external_id = ext-42\n"
    "[profile b]\nrole_arn = arn:aws:iam::123456789012:role/middle\nsource_profile = a\n"
    "external_id = ext-42\n"
    "[profile c]\nrole_arn = arn:aws:iam::123456789012:role/top\nsource_profile = b\n"
    "external_id = ext-42\nrole_session_name = chained\n"
    "[profile mfa]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = a\n"
    "external_id = ext-42\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\n"
    "[profile envrole]\nrole_arn = arn:aws:iam::123456789012:role/fromenv\n"
    "credential_source = Environment\nexternal_id = ext-42\n"
    "[profile imdsrole]\nrole_arn = arn:aws:iam::123456789012:role/fromimds\n"
    "credential_source = Ec2InstanceMetadata\nexternal_id = ext-42\n"
    "[profile sso]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = ReadOnly\n"
    "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n"
    "[profile webid]\nrole_arn = arn:aws:iam::123456789012:role/k8s\n"
    "web_identity_token_file = ~/wi-token\nrole_session_name = pod\n"
    "[profile chainwi]\nrole_arn = arn:aws:iam::123456789012:role/afterwi\nsource_profile = webid\n"
    "role_session_name = second\n"
    "[profile chainsso]\nrole_arn = arn:aws:iam::123456789012:role/aftersso\nsource_profile = sso\n"
    "role_session_name = third\n";

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

/* whoami through the provider: the ARN, or "error: ..." */
static const char *whoami(struct md_creds_provider *p)
{
    static char out[600];
    struct md_settings s;
    md_settings_defaults(&s);
    struct md_awsconfig *cfg;
    struct md_err err;
    md_awsconfig_load(&cfg, &err);
    struct md_caller_identity id;
    if (md_sts_get_caller_identity(p, &s, cfg, "us-east-1", &id, &err) == MD_OK)
        snprintf(out, sizeof out, "%s", id.arn);
    else
        snprintf(out, sizeof out, "error: %s [%s]", err.msg, err.svc_code);
    md_awsconfig_free(cfg);
    return out;
}

static const char *whoami_profile(const char *flag)
{
    struct md_err err;
    struct md_creds_provider *p = provider(flag, NULL, &err);
    static char out[600];
    if (!p) {
        snprintf(out, sizeof out, "error: %s", err.msg);
        return out;
    }
    snprintf(out, sizeof out, "%s", whoami(p));
    md_creds_provider_free(p);
    return out;
}

static void test_imds(void)
{
    reset_env();
    struct md_err err;
    struct md_creds_provider *p = provider(NULL, NULL, &err);
    struct md_creds_info info;
    md_creds_provider_info(p, &info);
    TAP_EQ_STR(info.method, "iam-role", "nothing configured: instance metadata");
    struct md_aws_creds c;
    TAP_OK(md_creds_get(p, &c, &err) == MD_OK, "IMDSv2 credentials: %s", err.msg);
    TAP_OK(!strncmp(c.access_key_id, "ASIA", 4) && c.session_token[0] && c.expiration > 0,
           "temporary keys with a token and an expiry");
    TAP_EQ_INT(credserver_count(&srv, "imds_token"), 1, "one token PUT (with the TTL header)");
    TAP_EQ_INT(credserver_count(&srv, "imds_creds"), 1, "one credentials GET");
    md_creds_get(p, &c, &err);
    TAP_EQ_INT(credserver_count(&srv, "imds_creds"), 1, "second call served from memory");
    const char *arn = whoami(p);
    TAP_OK(strstr(arn, ":assumed-role/bastion-role/") != NULL,
           "GetCallerIdentity signed with them is accepted: %s", arn);
    md_aws_creds_wipe(&c);
    md_creds_provider_free(p);

    struct md_settings s;
    md_settings_defaults(&s);
    unsetenv("AWS_REGION");
    struct md_region r;
    TAP_OK(md_region_resolve(&s, NULL, "default", NULL, &r, &err) == MD_OK &&
               !strcmp(r.name, "eu-central-1") && !strcmp(r.source, "EC2 instance metadata"),
           "region from instance metadata: %s (%s)", r.name, r.source);
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    TAP_OK(md_region_resolve(&s, NULL, "default", NULL, &r, &err) == MD_ERR_NOTFOUND,
           "AWS_EC2_METADATA_DISABLED: no region from IMDS");
    p = provider(NULL, NULL, &err);
    TAP_OK(md_creds_get(p, &c, &err) == MD_ERR_AUTH, "AWS_EC2_METADATA_DISABLED: no credentials");
    md_creds_provider_free(p);

    /* Nothing listening: fails fast with a clear message. */
    reset_env();
    setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:9", 1);
    p = provider(NULL, NULL, &err);
    md_status st = md_creds_get(p, &c, &err);
    TAP_OK(st != MD_OK && strstr(err.msg, "not reachable"), "IMDS not reachable: %s", err.msg);
    struct md_creds_info info2;
    md_creds_provider_info(p, &info2);
    st = md_creds_get(p, &c, &err);
    struct md_creds_info info3;
    md_creds_provider_info(p, &info3);
    TAP_OK(st != MD_OK && strstr(err.msg, "not reachable") && info3.fetches == info2.fetches,
           "asked again at once: the same answer without another attempt");
    md_creds_provider_free(p);
}

static void test_imds_v1(void)
{
    struct credserver v1;
    const char *args[] = {"--imds-v1", "--imds-no-token", NULL};
    if (credserver_start(&v1, args) != 0) {
        TAP_OK(0, "IMDSv1 server");
        return;
    }
    reset_env();
    setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", v1.base, 1);
    struct md_err err;
    struct md_aws_creds c;
    struct md_creds_provider *p = provider(NULL, NULL, &err);
    TAP_OK(md_creds_get(p, &c, &err) == MD_OK && c.session_token[0],
           "token PUT refused (403): falls back to IMDSv1: %s", err.msg);
    md_creds_provider_free(p);
    setenv("AWS_EC2_METADATA_V1_DISABLED", "true", 1);
    p = provider(NULL, NULL, &err);
    TAP_OK(md_creds_get(p, &c, &err) != MD_OK && strstr(err.msg, "IMDSv1 is disabled"),
           "... unless AWS_EC2_METADATA_V1_DISABLED: %s", err.msg);
    md_creds_provider_free(p);
    unsetenv("AWS_EC2_METADATA_V1_DISABLED");
    md_aws_creds_wipe(&c);
    credserver_stop(&v1);
}

static void test_container(void)
{
    reset_env();
    char url[128];
    snprintf(url, sizeof url, "%s/container/v2/credentials/abc", srv.base);
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
    write_file("ctok", "Bearer ctok-secret\n");
    char path[300];
    snprintf(path, sizeof path, "%s/ctok", home);
    setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", path, 1);
    setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "wrong", 1);
    struct md_err err;
    struct md_creds_provider *p = provider(NULL, NULL, &err);
    struct md_aws_creds c;
    TAP_OK(md_creds_get(p, &c, &err) == MD_OK && !strncmp(c.access_key_id, "ASIA", 4),
           "container credentials with the token file (it beats the variable): %s", err.msg);
    TAP_OK(strstr(whoami(p), "assumed-role/task-role") != NULL, "whoami with them");
    md_creds_provider_free(p);
    unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    p = provider(NULL, NULL, &err);
    TAP_OK(md_creds_get(p, &c, &err) == MD_ERR_AUTH && strstr(err.msg, "401"),
           "a wrong authorization token is refused: %s", err.msg);
    md_creds_provider_free(p);
    md_aws_creds_wipe(&c);
}

static int mfa_calls;

static md_status mfa_prompt(void *ctx, const char *profile, const char *serial, char *code,
                            size_t n, struct md_err *err)
{
    mfa_calls++;
    TAP_OK(!strcmp(profile, "mfa") && !strcmp(serial, "arn:aws:iam::123456789012:mfa/alice"),
           "the prompt names the profile and the MFA device");
    snprintf(code, n, "%s", (const char *)ctx);
    return MD_OK;
}

static void test_assume_role(void)
{
    reset_env();
    write_file(".aws/config", CONFIG);
    const char *arn = whoami_profile("deploy");
    TAP_EQ_STR(arn, "arn:aws:sts::123456789012:assumed-role/deploy/mysession",
               "AssumeRole with source_profile, external_id, role_session_name");
    cJSON *all = credserver_get(&srv, "/_requests");
    int n = cJSON_GetArraySize(all);
    const cJSON *ar = cJSON_GetArrayItem(all, n - 2);
    TAP_EQ_STR(md_json_str(ar, "$.action", ""), "AssumeRole", "AssumeRole came first");
    TAP_EQ_STR(md_json_str(ar, "$.access_key", ""), "AKIDBASEEXAMPLE",
               "signed with the source profile's key");
    TAP_OK(md_json_num(ar, "$.params.DurationSeconds", 0) == 1800 &&
               !strcmp(md_json_str(ar, "$.params.ExternalId", ""), "ext-42") &&
               !strcmp(md_json_str(ar, "$.params.RoleSessionName", ""), "mysession"),
           "DurationSeconds, ExternalId, RoleSessionName sent");
    const cJSON *gci = cJSON_GetArrayItem(all, n - 1);
    TAP_OK(!strncmp(md_json_str(gci, "$.access_key", ""), "ASIA", 4),
           "GetCallerIdentity signed with the assumed role's keys and token");
    cJSON_Delete(all);

    arn = whoami_profile("noext");
    TAP_OK(strstr(arn, "assumed-role/deploy/mldeck-session-") != NULL,
           "default session name: %s", arn);

    arn = whoami_profile("badsrc");
    TAP_OK(!strncmp(arn, "error:", 6) && strstr(arn, "SignatureDoesNotMatch"),
           "a wrong source secret is refused by the server: %s", arn);

    int before = credserver_count(&srv, "AssumeRole");
    arn = whoami_profile("c");
    TAP_EQ_STR(arn, "arn:aws:sts::123456789012:assumed-role/top/chained",
               "role chain c -> b -> a");
    TAP_EQ_INT(credserver_count(&srv, "AssumeRole") - before, 2, "two AssumeRole calls");

    /* MFA */
    struct md_err err;
    struct md_creds_opts o = {.mfa_prompt = mfa_prompt, .mfa_ctx = (void *)"123456"};
    struct md_creds_provider *p = provider("mfa", &o, &err);
    mfa_calls = 0;
    arn = whoami(p);
    TAP_OK(strstr(arn, "assumed-role/admin/") != NULL, "MFA role with the right code: %s", arn);
    whoami(p);
    TAP_EQ_INT(mfa_calls, 1, "asked once; the credentials are then cached");
    md_creds_provider_free(p);
    o.mfa_ctx = (void *)"000000";
    p = provider("mfa", &o, &err);
    arn = whoami(p);
    TAP_OK(strstr(arn, "AccessDenied") != NULL, "a wrong MFA code is refused: %s", arn);
    md_creds_provider_free(p);
    arn = whoami_profile("mfa");
    TAP_OK(strstr(arn, "MFA code") != NULL, "no prompt available: %s", arn);

    /* credential_source = Environment, with --profile */
    setenv("AWS_ACCESS_KEY_ID", "AKIDSOURCE2", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "source2-secret", 1);
    arn = whoami_profile("envrole");
    TAP_OK(strstr(arn, "assumed-role/fromenv/") != NULL,
           "credential_source = Environment: %s", arn);
    all = credserver_get(&srv, "/_requests");
    n = cJSON_GetArraySize(all);
    TAP_EQ_STR(md_json_str(cJSON_GetArrayItem(all, n - 2), "$.access_key", ""), "AKIDSOURCE2",
               "signed with the environment's key");
    cJSON_Delete(all);
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SECRET_ACCESS_KEY");
    arn = whoami_profile("imdsrole");
    TAP_OK(strstr(arn, "assumed-role/fromimds/") != NULL,
           "credential_source = Ec2InstanceMetadata: %s", arn);
}

struct whoami_job {
    struct md_creds_provider *p;
    char arn[600];
};

static void *whoami_thread(void *arg)
{
    struct whoami_job *j = arg;
    snprintf(j->arn, sizeof j->arn, "%s", whoami(j->p));
    return NULL;
}

/* The TUI's path: a worker asks through the broker, the "screen" (this
 * thread) sees the fd become readable, reads the request, answers. */
static void test_mfa_broker(void)
{
    reset_env();
    write_file(".aws/config", CONFIG);
    struct md_mfa_broker *b = md_mfa_broker_new();
    struct md_creds_opts o = {.mfa_prompt = md_mfa_broker_prompt, .mfa_ctx = b};
    struct md_err err;
    const char *answers[2] = {"123456", NULL};
    for (int round = 0; round < 2; round++) {
        struct whoami_job job = {.p = provider("mfa", &o, &err)};
        pthread_t th;
        pthread_create(&th, NULL, whoami_thread, &job);
        struct pollfd pfd = {md_mfa_broker_fd(b), POLLIN, 0};
        int ready = poll(&pfd, 1, 20000);
        char prof[64], serial[128];
        bool pending = ready == 1 && md_mfa_broker_pending(b, prof, sizeof prof, serial,
                                                           sizeof serial);
        TAP_OK(pending && !strcmp(prof, "mfa") &&
                   !strcmp(serial, "arn:aws:iam::123456789012:mfa/alice"),
               "broker: the screen sees the request (profile, device)");
        if (answers[round])
            md_mfa_broker_answer(b, answers[round]);
        else
            md_mfa_broker_cancel(b);
        pthread_join(th, NULL);
        if (answers[round])
            TAP_OK(strstr(job.arn, "assumed-role/admin/") != NULL, "broker: answered: %s",
                   job.arn);
        else
            TAP_OK(strstr(job.arn, "MFA code not entered") != NULL, "broker: cancelled: %s",
                   job.arn);
        TAP_OK(!md_mfa_broker_pending(b, prof, sizeof prof, serial, sizeof serial),
               "broker: nothing pending afterwards");
        md_creds_provider_free(job.p);
    }
    md_mfa_broker_free(b);
}

static void test_web_identity_and_sso(void)
{
    reset_env();
    write_file(".aws/config", CONFIG);
    write_file("wi-token", "wtok");
    const char *arn = whoami_profile("webid");
    TAP_EQ_STR(arn, "arn:aws:sts::123456789012:assumed-role/k8s/pod",
               "web identity from the profile (unsigned AssumeRoleWithWebIdentity)");
    arn = whoami_profile("chainwi");
    TAP_EQ_STR(arn, "arn:aws:sts::123456789012:assumed-role/afterwi/second",
               "a role whose source_profile uses web identity");
    write_file("wi-token", "rotated-but-wrong");
    arn = whoami_profile("webid");
    TAP_OK(strstr(arn, "InvalidIdentityToken") != NULL,
           "the token file is read again: a wrong token is refused: %s", arn);
    char path[300];
    snprintf(path, sizeof path, "%s/wi-token", home);
    write_file("wi-token", "wtok");
    setenv("AWS_WEB_IDENTITY_TOKEN_FILE", path, 1);
    setenv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/fromenv-wi", 1);
    setenv("AWS_ROLE_SESSION_NAME", "envsess", 1);
    arn = whoami_profile(NULL);
    TAP_EQ_STR(arn, "arn:aws:sts::123456789012:assumed-role/fromenv-wi/envsess",
               "web identity from the environment");
    unsetenv("AWS_WEB_IDENTITY_TOKEN_FILE");
    unsetenv("AWS_ROLE_ARN");
    unsetenv("AWS_ROLE_SESSION_NAME");

    /* SSO with a valid cached token. */
    char cache[1024];
    md_sso_cache_path("corp", cache, sizeof cache);
    write_file(cache + strlen(home) + 1,
               "{\"startUrl\": \"https://corp.awsapps.com/start\", \"region\": \"us-east-1\", "
               "\"accessToken\": \"sso-access-token-123\", \"expiresAt\": \"2099-01-01T00:00:00Z\"}");
    struct md_err err;
    struct md_creds_provider *p = provider("sso", NULL, &err);
    struct md_aws_creds c;
    TAP_OK(md_creds_get(p, &c, &err) == MD_OK && c.expiration > 0,
           "SSO role credentials (expiry from epoch milliseconds): %s", err.msg);
    arn = whoami(p);
    TAP_OK(strstr(arn, "111122223333:assumed-role/AWSReservedSSO_ReadOnly") != NULL,
           "whoami with SSO credentials: %s", arn);
    md_creds_provider_free(p);
    arn = whoami_profile("chainsso");
    TAP_EQ_STR(arn, "arn:aws:sts::123456789012:assumed-role/aftersso/third",
               "a role whose source_profile uses SSO");
    write_file(cache + strlen(home) + 1,
               "{\"accessToken\": \"revoked\", \"expiresAt\": \"2099-01-01T00:00:00Z\"}");
    arn = whoami_profile("sso");
    TAP_OK(strstr(arn, "aws sso login --profile sso") != NULL,
           "a token the portal refuses: log in again: %s", arn);
    md_aws_creds_wipe(&c);
}

/* ---- refresh against a server issuing 30-second credentials ------------ */

static struct credserver short_srv;
static long clock_offset;
static pthread_mutex_t clock_mu = PTHREAD_MUTEX_INITIALIZER;

static time_t test_clock(void *ctx)
{
    (void)ctx;
    pthread_mutex_lock(&clock_mu);
    long off = clock_offset;
    pthread_mutex_unlock(&clock_mu);
    return time(NULL) + off;
}

static void advance(long s)
{
    pthread_mutex_lock(&clock_mu);
    clock_offset = s;
    pthread_mutex_unlock(&clock_mu);
}

static void *worker(void *arg)
{
    struct md_aws_creds c;
    struct md_err err;
    long ok = md_creds_get(arg, &c, &err) == MD_OK;
    md_aws_creds_wipe(&c);
    return (void *)ok;
}

static void test_refresh(void)
{
    const char *args[] = {"--expires", "30", "--external-id", "ext-42", NULL};
    if (credserver_start(&short_srv, args) != 0) {
        TAP_OK(0, "second server");
        return;
    }
    reset_env();
    setenv("AWS_ENDPOINT_URL_STS", short_srv.base, 1);
    setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", short_srv.base, 1);
    write_file(".aws/config", CONFIG);
    struct md_creds_opts o = {.advisory_refresh_s = 20, .mandatory_refresh_s = 10,
                              .now = test_clock};
    struct md_err err;
    struct md_aws_creds c, first;

    /* IMDS */
    advance(0);
    struct md_creds_provider *p = provider(NULL, &o, &err);
    TAP_OK(md_creds_get(p, &first, &err) == MD_OK, "30 s IMDS credentials");
    md_creds_get(p, &c, &err);
    TAP_EQ_INT(credserver_count(&short_srv, "imds_creds"), 1, "cached while fresh");
    advance(12);   /* 18 s left: advisory window */
    TAP_OK(md_creds_get(p, &c, &err) == MD_OK && strcmp(c.access_key_id, first.access_key_id),
           "advisory window: new keys");
    TAP_EQ_INT(credserver_count(&short_srv, "imds_creds"), 2, "refreshed once");
    advance(26);   /* about 4 s left of the second set: mandatory */
    TAP_OK(md_creds_get(p, &c, &err) == MD_OK, "mandatory window: refreshed");
    TAP_EQ_INT(credserver_count(&short_srv, "imds_creds"), 3, "refreshed again");
    TAP_EQ_INT(credserver_count(&short_srv, "imds_token"), 3, "a token per refresh");
    md_creds_provider_free(p);

    /* AssumeRole: refreshed on its own schedule; its static source is not
     * fetched again; 6 threads in the mandatory window cause one call. */
    advance(0);
    p = provider("deploy", &o, &err);
    TAP_OK(md_creds_get(p, &first, &err) == MD_OK, "30 s assumed-role credentials: %s", err.msg);
    int base = credserver_count(&short_srv, "AssumeRole");
    advance(25);
    pthread_t th[6];
    for (int i = 0; i < 6; i++)
        pthread_create(&th[i], NULL, worker, p);
    int good = 0;
    for (int i = 0; i < 6; i++) {
        void *r;
        pthread_join(th[i], &r);
        good += r != NULL;
    }
    TAP_EQ_INT(good, 6, "6 concurrent callers got credentials");
    TAP_EQ_INT(credserver_count(&short_srv, "AssumeRole") - base, 1, "one AssumeRole for them all");
    md_creds_get(p, &c, &err);
    TAP_OK(strcmp(c.access_key_id, first.access_key_id) != 0, "the keys changed");
    struct md_creds_info info;
    md_creds_provider_info(p, &info);
    TAP_OK(info.expiration > time(NULL) && !strcmp(info.method, "assume-role"),
           "info has the new expiry");
    advance(0);
    TAP_OK(strstr(whoami(p), "assumed-role/deploy/mysession") != NULL,
           "the refreshed keys are accepted");
    md_creds_provider_free(p);
    md_aws_creds_wipe(&c);
    md_aws_creds_wipe(&first);
    credserver_stop(&short_srv);
}

int main(void)
{
    if (!getenv("MLDECK_SRCDIR") || !getenv("MLDECK_SHARED"))
        tap_skip_all("MLDECK_SRCDIR/MLDECK_SHARED not set");
    char sts_model[1024];
    snprintf(sts_model, sizeof sts_model, "%s/aws-models/sts/service-2.json",
             getenv("MLDECK_SHARED"));
    if (access(sts_model, R_OK) != 0)
        tap_skip_all("no STS model in MLDECK_SHARED");
    char tmpl[] = "/tmp/mldeck-credhttp-XXXXXX";
    if (!mkdtemp(tmpl))
        return 1;
    snprintf(home, sizeof home, "%s", tmpl);
    const char *args[] = {"--container-token", "Bearer ctok-secret", "--web-token", "wtok",
                          "--external-id", "ext-42", "--mfa-serial",
                          "arn:aws:iam::123456789012:mfa/alice", NULL};
    if (credserver_start(&srv, args) != 0)
        tap_skip_all("cannot start tests/servers/creds_server.py (python3-botocore?)");
    test_imds();
    test_imds_v1();
    test_container();
    test_assume_role();
    test_mfa_broker();
    test_web_identity_and_sso();
    test_refresh();
    credserver_stop(&srv);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", home);
    if (system(cmd) != 0)
        tap_diag("cleanup failed");
    return tap_done();
}
