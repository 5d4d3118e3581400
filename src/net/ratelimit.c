#include "net/ratelimit.h"

#include <math.h>
#include <time.h>

#define BETA 0.7            /* multiplicative decrease on throttling */
#define SCALE 0.4           /* CUBIC scale constant C */
#define SMOOTHING 0.8       /* weight of the newest measured rate */
#define BUCKET_SECONDS 0.5  /* the send rate is measured over half seconds */
#define MIN_RATE 0.5        /* requests per second, floor of the fill rate */

double md_ratelimit_clock(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

void md_ratelimit_init(struct md_ratelimit *r, double now)
{
    pthread_mutex_init(&r->mu, NULL);
    r->enabled = false;
    r->fill_rate = MIN_RATE;
    r->capacity = 0;
    r->max_capacity = 1;
    r->last_refill = now;
    r->measured = 0;
    r->bucket_start = floor(now / BUCKET_SECONDS) * BUCKET_SECONDS;
    r->bucket_count = 0;
    r->w_max = 0;
    r->k = 0;
    r->last_throttle = now;
}

static void refill(struct md_ratelimit *r, double now)
{
    if (now > r->last_refill) {
        r->capacity += (now - r->last_refill) * r->fill_rate;
        if (r->capacity > r->max_capacity)
            r->capacity = r->max_capacity;
    }
    r->last_refill = now;
}

double md_ratelimit_acquire(struct md_ratelimit *r, double now)
{
    double wait = 0;
    pthread_mutex_lock(&r->mu);
    if (r->enabled) {
        refill(r, now);
        if (r->capacity < 1)
            wait = (1 - r->capacity) / r->fill_rate;
        r->capacity -= 1;   /* reserved: later callers queue behind */
    }
    pthread_mutex_unlock(&r->mu);
    return wait;
}

void md_ratelimit_record(struct md_ratelimit *r, double now, bool throttled)
{
    pthread_mutex_lock(&r->mu);
    /* Measured send rate: requests per finished half-second bucket,
     * exponentially smoothed. */
    r->bucket_count++;
    double bucket = floor(now / BUCKET_SECONDS) * BUCKET_SECONDS;
    if (bucket > r->bucket_start) {
        double current = (double)r->bucket_count / (bucket - r->bucket_start);
        r->measured = current * SMOOTHING + r->measured * (1 - SMOOTHING);
        r->bucket_count = 0;
        r->bucket_start = bucket;
    }
    double rate;
    if (throttled) {
        double base = r->enabled && r->fill_rate < r->measured ? r->fill_rate : r->measured;
        r->w_max = base;
        r->k = cbrt(base * (1 - BETA) / SCALE);
        r->last_throttle = now;
        rate = base * BETA;
        if (!r->enabled) {
            r->enabled = true;
            r->last_refill = now;
            r->capacity = 0;
        }
    } else {
        double dt = now - r->last_throttle - r->k;
        rate = SCALE * dt * dt * dt + r->w_max;
    }
    refill(r, now);
    if (rate > 2 * r->measured)
        rate = 2 * r->measured;
    if (rate < MIN_RATE)
        rate = MIN_RATE;
    r->fill_rate = rate;
    r->max_capacity = rate > 1 ? rate : 1;
    if (r->capacity > r->max_capacity)
        r->capacity = r->max_capacity;
    pthread_mutex_unlock(&r->mu);
}

double md_ratelimit_rate(struct md_ratelimit *r, bool *enabled)
{
    pthread_mutex_lock(&r->mu);
    double v = r->fill_rate;
    if (enabled)
        *enabled = r->enabled;
    pthread_mutex_unlock(&r->mu);
    return v;
}
