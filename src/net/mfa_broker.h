/* Hands an MFA code request from a worker thread to the screen and the
 * answer back.  The TUI creates one broker, passes md_mfa_broker_prompt
 * (an md_mfa_prompt_fn) with the broker as ctx in md_creds_opts, adds
 * md_mfa_broker_fd to the descriptors its loop polls, and when that fd is
 * readable calls md_mfa_broker_pending, shows a dialog, then
 * md_mfa_broker_answer (or _cancel).  The worker blocks only until then;
 * other workers keep going (or wait on the same credentials).
 * One request at a time: a second worker asking meanwhile waits its turn.
 * Nothing here touches the terminal. */
#ifndef MD_NET_MFA_BROKER_H
#define MD_NET_MFA_BROKER_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

struct md_mfa_broker;

/* NULL when out of memory or no pipe could be made. */
struct md_mfa_broker *md_mfa_broker_new(void);
/* Cancels a request still open, then frees. */
void md_mfa_broker_free(struct md_mfa_broker *b);

/* Readable when a request is waiting (the UI drains it with _pending). */
int md_mfa_broker_fd(const struct md_mfa_broker *b);

/* The md_mfa_prompt_fn: ctx is the broker.  Blocks until answered;
 * MD_ERR_CANCELLED when the operator cancels or the broker is freed. */
md_status md_mfa_broker_prompt(void *ctx, const char *profile, const char *mfa_serial,
                               char *code, size_t n, struct md_err *err);

/* UI side: true and the request's profile and device when one is open. */
bool md_mfa_broker_pending(struct md_mfa_broker *b, char *profile, size_t pn, char *serial,
                           size_t sn);
/* UI side: answers the open request (copied; the caller wipes its copy). */
void md_mfa_broker_answer(struct md_mfa_broker *b, const char *code);
void md_mfa_broker_cancel(struct md_mfa_broker *b);

#endif
