#include "net/mfa_broker.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum state { IDLE, ASKING, ANSWERED, CANCELLED };

struct md_mfa_broker {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    enum state state;
    bool busy;              /* a worker owns the slot (ASKING..its return) */
    bool closing;
    char profile[128];
    char serial[256];
    char code[64];
    int pipe_r, pipe_w;
};

struct md_mfa_broker *md_mfa_broker_new(void)
{
    struct md_mfa_broker *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0) {
        free(b);
        return NULL;
    }
    b->pipe_r = fds[0];
    b->pipe_w = fds[1];
    pthread_mutex_init(&b->mu, NULL);
    pthread_cond_init(&b->cv, NULL);
    return b;
}

void md_mfa_broker_free(struct md_mfa_broker *b)
{
    if (!b)
        return;
    pthread_mutex_lock(&b->mu);
    b->closing = true;
    if (b->state == ASKING)
        b->state = CANCELLED;
    pthread_cond_broadcast(&b->cv);
    /* Wait for workers still inside prompt to leave. */
    while (b->busy)
        pthread_cond_wait(&b->cv, &b->mu);
    pthread_mutex_unlock(&b->mu);
    close(b->pipe_r);
    close(b->pipe_w);
    pthread_mutex_destroy(&b->mu);
    pthread_cond_destroy(&b->cv);
    memset(b->code, 0, sizeof b->code);
    free(b);
}

int md_mfa_broker_fd(const struct md_mfa_broker *b)
{
    return b->pipe_r;
}

md_status md_mfa_broker_prompt(void *ctx, const char *profile, const char *mfa_serial,
                               char *code, size_t n, struct md_err *err)
{
    struct md_mfa_broker *b = ctx;
    pthread_mutex_lock(&b->mu);
    while (b->busy && !b->closing)
        pthread_cond_wait(&b->cv, &b->mu);
    if (b->closing) {
        pthread_mutex_unlock(&b->mu);
        return md_err_set(err, MD_ERR_CANCELLED, "MFA prompt closed");
    }
    b->busy = true;
    b->state = ASKING;
    snprintf(b->profile, sizeof b->profile, "%s", profile ? profile : "");
    snprintf(b->serial, sizeof b->serial, "%s", mfa_serial ? mfa_serial : "");
    ssize_t w;
    do
        w = write(b->pipe_w, "m", 1);
    while (w < 0 && errno == EINTR);
    while (b->state == ASKING)
        pthread_cond_wait(&b->cv, &b->mu);
    md_status st;
    if (b->state == ANSWERED && b->code[0]) {
        snprintf(code, n, "%s", b->code);
        st = MD_OK;
    } else {
        st = md_err_set(err, MD_ERR_CANCELLED, "MFA code not entered for profile %s",
                        b->profile);
    }
    memset(b->code, 0, sizeof b->code);
    b->state = IDLE;
    b->busy = false;
    pthread_cond_broadcast(&b->cv);
    pthread_mutex_unlock(&b->mu);
    return st;
}

bool md_mfa_broker_pending(struct md_mfa_broker *b, char *profile, size_t pn, char *serial,
                           size_t sn)
{
    char drain[16];
    while (read(b->pipe_r, drain, sizeof drain) > 0)
        ;
    pthread_mutex_lock(&b->mu);
    bool open = b->state == ASKING;
    if (open) {
        snprintf(profile, pn, "%s", b->profile);
        snprintf(serial, sn, "%s", b->serial);
    }
    pthread_mutex_unlock(&b->mu);
    return open;
}

void md_mfa_broker_answer(struct md_mfa_broker *b, const char *code)
{
    pthread_mutex_lock(&b->mu);
    if (b->state == ASKING) {
        snprintf(b->code, sizeof b->code, "%s", code ? code : "");
        b->state = b->code[0] ? ANSWERED : CANCELLED;
        pthread_cond_broadcast(&b->cv);
    }
    pthread_mutex_unlock(&b->mu);
}

void md_mfa_broker_cancel(struct md_mfa_broker *b)
{
    pthread_mutex_lock(&b->mu);
    if (b->state == ASKING) {
        b->state = CANCELLED;
        pthread_cond_broadcast(&b->cv);
    }
    pthread_mutex_unlock(&b->mu);
}
