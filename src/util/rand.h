/* Random bytes from the kernel (getrandom), for request ids, idempotency
 * tokens and retry jitter.  Not OpenSSL's RAND_bytes: seeding its generator
 * costs ~2 ms on the first call of every short command. */
#ifndef MD_UTIL_RAND_H
#define MD_UTIL_RAND_H

#include <stddef.h>

/* Fills buf; never fails (falls back to /dev/urandom, then to a clock-seeded
 * generator, which is good enough for ids and jitter, not for keys). */
void md_random_bytes(void *buf, size_t n);
/* A version-4 UUID, "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx" (36 chars + NUL). */
void md_uuid4(char out[37]);
/* Uniform in [0, 1). */
double md_random01(void);

#endif
