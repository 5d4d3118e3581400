/* Minimal TAP producer for C tests: automake's tap-driver counts each
 * ok/not ok line, so "N passed" counts test cases, not programs.
 *
 *   TAP_OK(cond, "name %d", i);  TAP_EQ_INT(a, b, "name");  TAP_EQ_STR(...)
 *   return tap_done();  (prints the plan, exits non-zero on failure)   */
#ifndef MD_TAP_H
#define MD_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_failed;

__attribute__((format(printf, 4, 5), unused))
static int tap_ok_at(int cond, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    printf("%s %d - ", cond ? "ok" : "not ok", ++tap_n);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    if (!cond) {
        tap_failed++;
        printf("#   failed at %s:%d\n", file, line);
    }
    fflush(stdout);
    return cond;
}

#define TAP_OK(cond, ...) tap_ok_at(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define TAP_EQ_INT(got, want, ...)                                                 \
    do {                                                                           \
        long long tap_g_ = (long long)(got), tap_w_ = (long long)(want);           \
        if (!TAP_OK(tap_g_ == tap_w_, __VA_ARGS__))                                \
            printf("#   got %lld, want %lld\n", tap_g_, tap_w_);                   \
    } while (0)
#define TAP_EQ_STR(got, want, ...)                                                 \
    do {                                                                           \
        const char *tap_g_ = (got), *tap_w_ = (want);                              \
        int tap_c_ = tap_g_ && tap_w_ && strcmp(tap_g_, tap_w_) == 0;              \
        if (!TAP_OK(tap_c_, __VA_ARGS__))                                          \
            printf("#   got \"%s\", want \"%s\"\n", tap_g_ ? tap_g_ : "(null)",   \
                   tap_w_ ? tap_w_ : "(null)");                                    \
    } while (0)

__attribute__((unused)) static void tap_diag(const char *fmt, ...)
{
    va_list ap;
    printf("# ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

/* Skips the whole program (e.g. ../shared missing in a dist tree). */
__attribute__((unused, noreturn)) static void tap_skip_all(const char *why)
{
    printf("1..0 # SKIP %s\n", why);
    exit(0);
}

__attribute__((unused)) static int tap_done(void)
{
    printf("1..%d\n", tap_n);
    return tap_failed ? 1 : 0;
}

#endif
