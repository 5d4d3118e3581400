/* Errors as values: every fallible call returns an md_status and fills an
 * md_err that the UI shows in one line and the CLI prints on stderr. */
#ifndef MD_ERR_H
#define MD_ERR_H

#include <stddef.h>

typedef enum {
    MD_OK = 0,
    MD_ERR_INVALID,     /* bad argument or bad user input */
    MD_ERR_IO,          /* file system */
    MD_ERR_PARSE,       /* malformed bytes from a server or a file */
    MD_ERR_NOMEM,
    MD_ERR_NET,         /* connection, DNS, TLS, timeout */
    MD_ERR_HTTP,        /* HTTP status without a service error code */
    MD_ERR_SERVICE,     /* the service answered with an error code */
    MD_ERR_AUTH,        /* credentials missing, expired or refused */
    MD_ERR_NOTFOUND,
    MD_ERR_UNSUPPORTED, /* a model, operator, option we do not implement */
    MD_ERR_CANCELLED,
    MD_ERR_READONLY,    /* refused by --read-only */
    MD_ERR_DEMO,        /* refused because the demo cannot call AWS */
    MD_ERR_CACHE,       /* SQLite */
    MD_ERR_INTERNAL,
    MD_STATUS_COUNT
} md_status;

struct md_err {
    md_status code;
    int http_status;        /* 0 when there was no HTTP exchange */
    char svc_code[64];      /* AWS / MLflow error code, "" if none */
    char request_id[80];    /* "" if none */
    char msg[512];
};

const char *md_status_name(md_status s);

/* Sets code and a printf-style message; returns code so callers can write
 * `return md_err_set(err, MD_ERR_IO, "...")`.  err may be NULL. */
md_status md_err_set(struct md_err *err, md_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void md_err_clear(struct md_err *err);

/* Prefixes the existing message with context: "loading x: <old message>". */
md_status md_err_wrap(struct md_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* One line for a status bar or stderr: message, code, HTTP status, request id. */
const char *md_err_line(const struct md_err *err, char *buf, size_t n);

#endif
