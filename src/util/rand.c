#include "util/rand.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static void fallback(unsigned char *p, size_t n)
{
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    while (fd >= 0 && n) {
        ssize_t r = read(fd, p, n);
        if (r <= 0 && errno != EINTR)
            break;
        if (r > 0) {
            p += r;
            n -= (size_t)r;
        }
    }
    if (fd >= 0)
        close(fd);
    if (n) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ (uint64_t)getpid() ^
                     (uint64_t)(uintptr_t)p;
        while (n--) {
            /* xorshift64* */
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            *p++ = (unsigned char)((x * 2685821657736338717ULL) >> 56);
        }
    }
}

void md_random_bytes(void *buf, size_t n)
{
    unsigned char *p = buf;
    while (n) {
        ssize_t r = getrandom(p, n, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            fallback(p, n);
            return;
        }
        p += r;
        n -= (size_t)r;
    }
}

void md_uuid4(char out[37])
{
    unsigned char r[16];
    md_random_bytes(r, sizeof r);
    r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
    r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12],
             r[13], r[14], r[15]);
}

double md_random01(void)
{
    uint32_t v;
    md_random_bytes(&v, sizeof v);
    return (double)v / 4294967296.0;
}
