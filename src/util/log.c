#include "util/log.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static FILE *log_fp;
static enum md_log_level log_level = MD_LOG_INFO;

void md_log_open(const char *path, enum md_log_level level)
{
    pthread_mutex_lock(&log_mu);
    if (log_fp)
        fclose(log_fp);
    log_fp = NULL;
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd >= 0) {
        fchmod(fd, 0600);
        log_fp = fdopen(fd, "a");
        if (!log_fp)
            close(fd);
    }
    log_level = level;
    pthread_mutex_unlock(&log_mu);
}

void md_log_close(void)
{
    pthread_mutex_lock(&log_mu);
    if (log_fp)
        fclose(log_fp);
    log_fp = NULL;
    pthread_mutex_unlock(&log_mu);
}

bool md_log_enabled(enum md_log_level level)
{
    return log_fp && level <= log_level;
}

void md_log(enum md_log_level level, const char *fmt, ...)
{
    static const char *const names[] = {"ERROR", "WARN", "INFO", "DEBUG"};
    if (!md_log_enabled(level))
        return;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    pthread_mutex_lock(&log_mu);
    if (log_fp) {
        fprintf(log_fp, "%s.%03ldZ %s ", stamp, ts.tv_nsec / 1000000, names[level]);
        va_list ap;
        va_start(ap, fmt);
        vfprintf(log_fp, fmt, ap);
        va_end(ap);
        fputc('\n', log_fp);
        fflush(log_fp);
    }
    pthread_mutex_unlock(&log_mu);
}

void md_log_redact_header(const char *line, char *out, size_t n)
{
    static const char *const secret[] = {
        "authorization", "x-amz-security-token", "cookie", "set-cookie",
        "proxy-authorization", "x-aws-ec2-metadata-token", "x-amz-sso_bearer_token",
        NULL,
    };
    const char *colon = strchr(line, ':');
    if (colon) {
        size_t nl = (size_t)(colon - line);
        for (int i = 0; secret[i]; i++) {
            if (strlen(secret[i]) == nl && strncasecmp(line, secret[i], nl) == 0) {
                snprintf(out, n, "%.*s: <redacted>", (int)nl, line);
                return;
            }
        }
    }
    snprintf(out, n, "%s", line);
}
