#include "util/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const status_names[MD_STATUS_COUNT] = {
    [MD_OK] = "ok",
    [MD_ERR_INVALID] = "invalid",
    [MD_ERR_IO] = "io",
    [MD_ERR_PARSE] = "parse",
    [MD_ERR_NOMEM] = "nomem",
    [MD_ERR_NET] = "network",
    [MD_ERR_HTTP] = "http",
    [MD_ERR_SERVICE] = "service",
    [MD_ERR_AUTH] = "auth",
    [MD_ERR_NOTFOUND] = "notfound",
    [MD_ERR_UNSUPPORTED] = "unsupported",
    [MD_ERR_CANCELLED] = "cancelled",
    [MD_ERR_READONLY] = "read-only",
    [MD_ERR_DEMO] = "demo",
    [MD_ERR_CACHE] = "cache",
    [MD_ERR_INTERNAL] = "internal",
};

const char *md_status_name(md_status s)
{
    if ((unsigned)s >= MD_STATUS_COUNT || !status_names[s])
        return "unknown";
    return status_names[s];
}

md_status md_err_set(struct md_err *err, md_status code, const char *fmt, ...)
{
    if (!err)
        return code;
    md_err_clear(err);
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return code;
}

void md_err_clear(struct md_err *err)
{
    if (err)
        memset(err, 0, sizeof *err);
}

md_status md_err_wrap(struct md_err *err, const char *fmt, ...)
{
    if (!err)
        return MD_ERR_INTERNAL;
    char prefix[256], old[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    snprintf(err->msg, sizeof err->msg, "%s: %s", prefix, old);
    return err->code;
}

const char *md_err_line(const struct md_err *err, char *buf, size_t n)
{
    if (!err || err->code == MD_OK) {
        snprintf(buf, n, "ok");
        return buf;
    }
    size_t off = (size_t)snprintf(buf, n, "%s", err->msg[0] ? err->msg : md_status_name(err->code));
    if (off < n && err->svc_code[0])
        off += (size_t)snprintf(buf + off, n - off, " [%s]", err->svc_code);
    if (off < n && err->http_status)
        off += (size_t)snprintf(buf + off, n - off, " (HTTP %d)", err->http_status);
    if (off < n && err->request_id[0])
        snprintf(buf + off, n - off, " request-id %s", err->request_id);
    return buf;
}
