/* How much a cached md_creds_get costs, per call, with 1..8 threads
 * sharing one provider (every signed request makes one call).  Build and
 * run by hand from a configured build dir:
 *
 *   cc -O2 -I SRC/src -I . -D_GNU_SOURCE SRC/tests/bench/creds/bench_creds.c \
 *      src/net/libmd-net.a src/util/libmd-util.a -lcjson -lcurl -lcrypto -lexpat \
 *      -lpthread -lm -o bench_creds && ./bench_creds
 *
 * Prints ns per call for static keys and for expiring (refreshable)
 * credentials from credential_process. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "net/creds.h"

#define CALLS 200000

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *loop(void *arg)
{
    struct md_aws_creds c;
    struct md_err err;
    for (int i = 0; i < CALLS; i++)
        if (md_creds_get(arg, &c, &err) != MD_OK)
            abort();
    return NULL;
}

static void run(const char *label, struct md_creds_provider *p)
{
    for (int threads = 1; threads <= 8; threads *= 2) {
        pthread_t th[8];
        double t0 = now_s();
        for (int i = 0; i < threads; i++)
            pthread_create(&th[i], NULL, loop, p);
        for (int i = 0; i < threads; i++)
            pthread_join(th[i], NULL);
        double dt = now_s() - t0;
        printf("%-28s threads=%d  %.0f ns/call (wall per call per thread)\n", label, threads,
               dt * 1e9 / CALLS);
    }
}

int main(void)
{
    char dir[] = "/tmp/mldeck-bench-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    char path[256], cmd[512];
    snprintf(path, sizeof path, "%s/config", dir);
    FILE *f = fopen(path, "w");
    fprintf(f, "[profile static]\naws_access_key_id = AKIDSTATIC\naws_secret_access_key = s\n"
               "[profile proc]\ncredential_process = sh -c 'echo \"{\\\"Version\\\": 1, "
               "\\\"AccessKeyId\\\": \\\"AKIDPROC\\\", \\\"SecretAccessKey\\\": \\\"s\\\", "
               "\\\"Expiration\\\": \\\"2099-01-01T00:00:00Z\\\"}\"'\n");
    fclose(f);
    setenv("AWS_CONFIG_FILE", path, 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent", 1);
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    const char *profiles[] = {"static", "proc"};
    const char *labels[] = {"static keys", "expiring (credential_process)"};
    for (int k = 0; k < 2; k++) {
        struct md_settings s;
        md_settings_defaults(&s);
        snprintf(s.profile, sizeof s.profile, "%s", profiles[k]);
        s.profile_from_flag = true;
        struct md_awsconfig *cfg;
        struct md_err err;
        struct md_creds_provider *p;
        if (md_awsconfig_load(&cfg, &err) != MD_OK ||
            md_creds_provider_new(&s, cfg, NULL, &p, &err) != MD_OK) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        md_awsconfig_free(cfg);
        run(labels[k], p);
        md_creds_provider_free(p);
    }
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : 1;
}
