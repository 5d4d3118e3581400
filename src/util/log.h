/* mldeck's log file ($XDG_STATE_HOME/mldeck/mldeck.log, 0600).  Thread-safe.
 * Nothing secret may be passed here: callers redact first (see
 * md_log_redact_header). */
#ifndef MD_LOG_H
#define MD_LOG_H

#include <stdbool.h>
#include <stddef.h>

enum md_log_level { MD_LOG_ERROR, MD_LOG_WARN, MD_LOG_INFO, MD_LOG_DEBUG };

/* Opens the log file; level is the most verbose level written.  Safe to
 * skip: without md_log_open, messages go nowhere. */
void md_log_open(const char *path, enum md_log_level level);
void md_log_close(void);
bool md_log_enabled(enum md_log_level level);
void md_log(enum md_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* If the header line "Name: value" carries a secret (Authorization,
 * X-Amz-Security-Token, Cookie, ...), writes "Name: <redacted>" to out;
 * otherwise copies the line. */
void md_log_redact_header(const char *line, char *out, size_t n);

#endif
