/* The one path every action takes, from the screen and the CLI alike:
 * refuse it under --read-only, run it through the provider, and append one
 * line to the audit log whatever the outcome.  Confirmation is the caller's
 * job (a dialog in the TUI, --yes in the CLI) and happens before this. */
#ifndef MD_ACTION_H
#define MD_ACTION_H

#include <cjson/cJSON.h>

#include "kind/kind.h"
#include "util/err.h"
#include "util/settings.h"

struct md_action_req {
    const struct md_kind *kind;
    const struct md_action *action;
    const char *target;           /* id / ARN / name of the object acted on */
    const cJSON *params;          /* request parameters (may be NULL) */
};

/* Who acted where: written into every audit line. */
struct md_action_scope {
    const char *profile;
    const char *account;          /* "" when unknown */
    const char *region;
};

/* MD_OK when the action may run; MD_ERR_READONLY with the message the
 * operator sees when settings forbid it. */
md_status md_action_gate(const struct md_settings *s, const struct md_action_req *req,
                         struct md_err *err);

/* Appends one JSON line to $XDG_STATE_HOME/mldeck/audit.log (0600):
 * time, profile, account, region, action, kind, target, params, result,
 * error code/message and request id.  Non-mutating actions are not
 * audited.  Returns MD_OK or an I/O error (the action's own result stands). */
md_status md_audit_append(const struct md_action_scope *scope, const struct md_action_req *req,
                          md_status result, const struct md_err *action_err,
                          const char *request_id, struct md_err *err);

/* Full path used by providers' callers: gate, run fn, audit.  fn performs
 * the call and may fill request_id (size 80).  Returns fn's status.  When
 * the action succeeded but its audit line could not be written, the return
 * is MD_OK and err holds the I/O error as a warning to show. */
typedef md_status (*md_action_fn)(void *ctx, const struct md_action_req *req, cJSON **result,
                                  char *request_id, struct md_err *err);
md_status md_action_run(const struct md_settings *s, const struct md_action_scope *scope,
                        const struct md_action_req *req, md_action_fn fn, void *ctx,
                        cJSON **result, struct md_err *err);

#endif
