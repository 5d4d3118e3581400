/* The client-side send-rate limiter of the SDKs' "adaptive" retry mode: off
 * until a throttling reply arrives, then a token bucket whose fill rate
 * follows CUBIC (cut to 70 % of the measured rate on throttling, grown back
 * along a cubic curve on success, never above twice the measured send
 * rate, never below 0.5 request/s).  Times are seconds (a monotonic clock),
 * passed in so tests can drive it.  Thread-safe. */
#ifndef MD_NET_RATELIMIT_H
#define MD_NET_RATELIMIT_H

#include <pthread.h>
#include <stdbool.h>

struct md_ratelimit {
    pthread_mutex_t mu;
    bool enabled;
    double fill_rate;       /* tokens per second */
    double capacity;        /* tokens available (negative = reserved ahead) */
    double max_capacity;
    double last_refill;
    double measured;        /* smoothed send rate, requests per second */
    double bucket_start;
    long bucket_count;
    double w_max;           /* CUBIC: the rate when the last throttle came */
    double k;               /* CUBIC: time to climb back to w_max */
    double last_throttle;
};

void md_ratelimit_init(struct md_ratelimit *r, double now);
/* Takes a token; returns how long (s) the caller must wait before sending,
 * 0 when it may send now (always 0 until the first throttling reply). */
double md_ratelimit_acquire(struct md_ratelimit *r, double now);
/* Records a reply (throttled or not) and adjusts the rate. */
void md_ratelimit_record(struct md_ratelimit *r, double now, bool throttled);
/* Current fill rate and whether the limiter is on (for tests and the log). */
double md_ratelimit_rate(struct md_ratelimit *r, bool *enabled);

/* Monotonic seconds. */
double md_ratelimit_clock(void);

#endif
