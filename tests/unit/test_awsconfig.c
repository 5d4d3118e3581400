/* The AWS config/credentials reader: the INI rules that matter, error
 * messages with line numbers, path expansion, the credentials-over-config
 * merge and the sso-session / services blocks.  (The full INI behaviour is
 * compared with botocore by tests/creds/test_awsconfig_botocore.py.) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../tap.h"
#include "net/awsconfig.h"

static char dir[256];

static struct md_ini *parse(const char *text, struct md_err *err)
{
    struct md_ini *ini = NULL;
    md_err_clear(err);
    md_ini_parse(text, strlen(text), "cfg", &ini, err);
    return ini;
}

static const char *get(const struct md_ini *ini, const char *section, const char *key)
{
    const struct md_ini_entry *e = md_ini_entry(ini, md_ini_section(ini, section), key);
    return e ? e->value : NULL;
}

static void test_ini(void)
{
    struct md_err err;
    struct md_ini *ini = parse("# top comment\n[default]\nRegion = eu-west-1 # not a comment\n"
                               "output: json\n; c\n[profile x]\nmulti = a\n  b\n\n  c\n"
                               "s3 =\n  addressing_style = path\n  Endpoint_URL=http://h:1\n",
                               &err);
    TAP_OK(ini != NULL, "parses: %s", err.msg);
    TAP_EQ_STR(get(ini, "default", "region"), "eu-west-1 # not a comment",
               "keys are case-insensitive, inline # stays in the value");
    TAP_EQ_STR(get(ini, "default", "OUTPUT"), "json", "':' is a delimiter too");
    TAP_EQ_STR(get(ini, "profile x", "multi"), "a\nb\n\nc", "continuation lines and a blank line");
    const struct md_ini_entry *s3 = md_ini_entry(ini, md_ini_section(ini, "profile x"), "s3");
    TAP_EQ_STR(md_ini_entry_sub(s3, "addressing_style"), "path", "nested sub-setting");
    TAP_EQ_STR(md_ini_entry_sub(s3, "Endpoint_URL"), "http://h:1", "nested keys keep their case");
    TAP_OK(md_ini_entry_sub(s3, "endpoint_url") == NULL, "... and are matched exactly");
    md_ini_free(ini);

    ini = parse("[DEFAULT]\nregion = r0\n[a]\nx = 1\n[b]\nregion = r1\n", &err);
    TAP_EQ_STR(get(ini, "a", "region"), "r0", "[DEFAULT] keys are inherited");
    TAP_EQ_STR(get(ini, "b", "region"), "r1", "... and overridden");
    TAP_OK(md_ini_section(ini, "DEFAULT") == NULL, "[DEFAULT] is not a section of its own");
    md_ini_free(ini);

    static const struct {
        const char *text, *want;
    } bad[] = {
        {"region = x\n[default]\n", "cfg:1: a setting before any [section]"},
        {"[default]\nnonsense\n", "cfg:2: expected 'key = value'"},
        {"[default]\n= v\n", "cfg:2: expected 'key = value'"},
        {"[a]\nx=1\n[b]\n[a]\n", "cfg:4: section [a] appears twice (first on line 1)"},
        {"[a]\nx=1\nX = 2\n", "cfg:3: 'x' set twice in [a] (first on line 2)"},
        {"[a]\ns3 =\n  no equals\n", "cfg:2: nested setting under 's3' needs 'key = value'"},
        {"[a\nx=1\n", "cfg:1: a setting before any [section]"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ini = parse(bad[i].text, &err);
        TAP_OK(!ini && err.code == MD_ERR_PARSE && !strcmp(err.msg, bad[i].want),
               "error: %s (got '%s')", bad[i].want, err.msg);
        md_ini_free(ini);
    }
    ini = parse("\xEF\xBB\xBF[default]\r\nregion = x\r\n", &err);
    TAP_EQ_STR(get(ini, "default", "region"), "x", "a BOM and CRLF line ends are accepted");
    md_ini_free(ini);
    ini = parse("", &err);
    TAP_OK(ini && ini->n == 0, "an empty file is fine");
    md_ini_free(ini);
}

static void test_paths(void)
{
    char out[512];
    setenv("HOME", "/home/tester", 1);
    setenv("MD_TEST_DIR", "/data", 1);
    unsetenv("MD_TEST_UNSET");
    TAP_OK(md_expand_path("~/.aws/config", out, sizeof out) && !strcmp(out, "/home/tester/.aws/config"),
           "~ expands to HOME");
    TAP_OK(md_expand_path("$MD_TEST_DIR/x", out, sizeof out) && !strcmp(out, "/data/x"), "$VAR");
    TAP_OK(md_expand_path("${MD_TEST_DIR}y", out, sizeof out) && !strcmp(out, "/datay"), "${VAR}");
    TAP_OK(md_expand_path("$MD_TEST_UNSET/z", out, sizeof out) && !strcmp(out, "$MD_TEST_UNSET/z"),
           "an unknown variable stays as written");
    TAP_OK(md_expand_path("~root/x", out, sizeof out) && !strcmp(out, "/root/x"), "~user");
    TAP_OK(md_expand_path("a~b", out, sizeof out) && !strcmp(out, "a~b"), "~ only at the start");
    TAP_OK(!md_expand_path("~/xxxxxxxxxxxxxxxxxxxxxxxxxx", out, 8), "too long is refused");
}

static void put(const char *name, const char *text)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    fputs(text, f);
    fclose(f);
}

static void test_merge(void)
{
    put("config", "[default]\nregion = eu-west-1\noutput = json\n"
                    "[profile dev]\nregion = us-east-1\nservices = loc\nendpoint_url = http://cfg\n"
                    "[profile dev]\n"   /* duplicate: parse error, replaced below */
                    );
    char cp[300], kp[300];
    snprintf(cp, sizeof cp, "%s/config", dir);
    snprintf(kp, sizeof kp, "%s/credentials", dir);
    struct md_awsconfig *cfg = NULL;
    struct md_err err;
    TAP_OK(md_awsconfig_load_paths(cp, kp, &cfg, &err) == MD_ERR_PARSE && !cfg &&
               strstr(err.msg, cp),
           "a broken config file is an error naming the file: %s", err.msg);

    put("config", "[default]\nregion = eu-west-1\noutput = json\n"
                    "[profile dev]\nregion = us-east-1\nservices = loc\nendpoint_url = http://cfg\n"
                    "[profile \"with space\"]\nregion = ap-south-1\n"
                    "[default]x\n" /* duplicate [default] -> error too */);
    TAP_OK(md_awsconfig_load_paths(cp, kp, &cfg, &err) == MD_ERR_PARSE, "duplicate [default]");

    put("config", "[default]\nregion = eu-west-1\noutput = json\n"
                    "[profile dev]\nregion = us-east-1\nservices = loc\nendpoint_url = http://cfg\n"
                    "[profile \"with space\"]\nregion = ap-south-1\n"
                    "[profile default]\noutput = text\n"
                    "[sso-session corp]\nsso_region = us-east-2\n"
                    "[services loc]\nsagemaker =\n  endpoint_url = http://sm\n"
                    "[plain]\nregion = nope\n");
    put("credentials", "[dev]\nendpoint_url = http://creds\naws_access_key_id = A\n"
                         "[profile weird]\naws_access_key_id = W\n[credsonly]\nregion = r\n");
    TAP_OK(md_awsconfig_load_paths(cp, kp, &cfg, &err) == MD_OK, "loads: %s", err.msg);
    TAP_OK(cfg->config_found && cfg->credentials_found, "both files found");
    enum md_awscfg_file from;
    TAP_EQ_STR(md_awsconfig_get(cfg, "dev", "endpoint_url", &from), "http://creds",
               "a key in both files: the credentials file wins");
    TAP_EQ_INT(from, MD_AWSCFG_CREDENTIALS, "... and says so");
    TAP_EQ_STR(md_awsconfig_get(cfg, "dev", "region", &from), "us-east-1",
               "other keys still come from the config file");
    TAP_EQ_INT(from, MD_AWSCFG_CONFIG, "... and say so");
    TAP_OK(md_awsconfig_get_in(cfg, MD_AWSCFG_CONFIG, "dev", "aws_access_key_id") == NULL,
           "get_in looks at one file only");
    TAP_EQ_STR(md_awsconfig_get(cfg, "default", "output", NULL), "text",
               "[profile default] after [default] wins (later section)");
    TAP_OK(md_awsconfig_get(cfg, "default", "region", NULL) == NULL,
           "... as a whole section, as botocore replaces it");
    TAP_EQ_STR(md_awsconfig_get(cfg, "with space", "region", NULL), "ap-south-1",
               "quoted profile names");
    TAP_OK(md_awsconfig_has_profile(cfg, "credsonly"), "a profile only in the credentials file");
    TAP_OK(md_awsconfig_has_profile(cfg, "profile weird") && !md_awsconfig_has_profile(cfg, "weird"),
           "[profile x] in the credentials file is named 'profile x'");
    TAP_OK(!md_awsconfig_has_profile(cfg, "plain"), "[plain] in the config file is not a profile");
    TAP_EQ_STR(md_awsconfig_sso_session_get(cfg, "corp", "sso_region"), "us-east-2",
               "[sso-session corp]");
    TAP_EQ_STR(md_awsconfig_services_get(cfg, "loc", "sagemaker", "endpoint_url"), "http://sm",
               "[services loc] sagemaker.endpoint_url");
    TAP_OK(md_awsconfig_services_get(cfg, "loc", "s3", "endpoint_url") == NULL,
           "a service the block does not name");
    char name[64];
    TAP_EQ_STR(md_awsconfig_section_kind("profile  x", name, sizeof name), "profile",
               "section kind profile");
    TAP_EQ_STR(name, "x", "... named x");
    TAP_OK(md_awsconfig_section_kind("profile a b", name, sizeof name) == NULL,
           "three words: not a profile");
    TAP_OK(md_awsconfig_section_kind("profile 'a", name, sizeof name) == NULL,
           "unbalanced quote: not a profile");
    md_awsconfig_free(cfg);

    /* Environment variables choose the files; missing files are fine. */
    setenv("MD_TEST_DIR", dir, 1);
    setenv("AWS_CONFIG_FILE", "$MD_TEST_DIR/config", 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", "${MD_TEST_DIR}/nope", 1);
    TAP_OK(md_awsconfig_load(&cfg, &err) == MD_OK && cfg->config_found &&
               !cfg->credentials_found && !strcmp(cfg->config_path, cp),
           "AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE with variables; a missing file");
    md_awsconfig_free(cfg);
    setenv("AWS_CONFIG_FILE", dir, 1);   /* a directory is no file */
    TAP_OK(md_awsconfig_load(&cfg, &err) == MD_OK && !cfg->config_found,
           "a directory counts as no file");
    md_awsconfig_free(cfg);
    unsetenv("AWS_CONFIG_FILE");
    unsetenv("AWS_SHARED_CREDENTIALS_FILE");
    TAP_OK(md_awscfg_is_true("TRUE") && md_awscfg_is_true("true") && !md_awscfg_is_true("1") &&
               !md_awscfg_is_true("yes") && !md_awscfg_is_true(NULL),
           "booleans as botocore reads them");
}

int main(void)
{
    char tmpl[] = "/tmp/mldeck-awscfg-XXXXXX";
    if (!mkdtemp(tmpl))
        return 1;
    snprintf(dir, sizeof dir, "%s", tmpl);
    test_ini();
    test_paths();
    test_merge();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        tap_diag("cleanup failed");
    return tap_done();
}
