/* Internal to the credential providers (creds*.c): one node per source of
 * credentials, each with its own cache; an assume-role node points at the
 * node its source credentials come from. */
#ifndef MD_NET_CREDS_INT_H
#define MD_NET_CREDS_INT_H

#include <pthread.h>

#include "net/creds.h"
#include "net/http.h"
#include "util/buf.h"

enum md_cred_kind {
    MD_CK_STATIC,       /* keys from a file */
    MD_CK_ENV,
    MD_CK_ASSUME_ROLE,
    MD_CK_WEB_IDENTITY,
    MD_CK_SSO,
    MD_CK_PROCESS,
    MD_CK_CONTAINER,
    MD_CK_IMDS,
};

struct md_cred_node {
    enum md_cred_kind kind;
    char method[48];
    char detail[320];
    char profile[128];          /* the profile this node was built for */
    /* configuration (heap strings or NULL) */
    char *role_arn, *external_id, *session_name, *mfa_serial;
    char *token_file;           /* web identity */
    char *sso_start_url, *sso_region, *sso_account_id, *sso_role_name, *sso_session;
    char *sso_url;              /* portal endpoint */
    char *process;              /* credential_process command line */
    char *sts_url, *sts_region;
    long duration_seconds;      /* 0 = STS default */
    struct md_cred_node *source;
    struct md_creds_provider *prov;
    struct md_cred_node *next_alloc;
    /* the cache */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool refreshing;
    unsigned generation;        /* bumped by every successful refresh */
    time_t fetched_at;          /* provider clock at the last successful fetch */
    time_t unreachable_at;      /* IMDS: when it last could not be reached (0 = never) */
    struct md_err unreachable;  /* ... and the error then, repeated for a while */
    bool have;
    struct md_aws_creds cur;
    int fetches;
};

struct md_creds_provider {
    struct md_creds_opts opts;
    struct md_cred_node *top;   /* NULL: nothing in the chain applies */
    struct md_cred_node *all;   /* every node, for freeing */
    char profile[128];
    bool profile_explicit;
    char ca_bundle[1024];       /* AWS_CA_BUNDLE, else the profile's ca_bundle; "" = system */
    /* IMDS settings, read once */
    char imds_endpoint[256];
    long imds_timeout_s;
    int imds_attempts;
    bool imds_v1_disabled;
};

/* The clock the provider uses (tests inject one). */
time_t md_creds_now(const struct md_creds_provider *p);
/* Cached fetch through a node (the refresh logic). */
md_status md_cred_node_get(struct md_cred_node *n, struct md_aws_creds *out, struct md_err *err);
/* HTTP options for credential calls. */
void md_creds_http_opts(const struct md_creds_provider *p, struct md_http_opts *o);
/* Copies a string field into a fixed buffer; false when it does not fit. */
bool md_creds_copy(char *dst, size_t n, const char *src);

/* Per source (creds_<name>.c); each fills out (expiration 0 = none). */
md_status md_creds_fetch_process(struct md_cred_node *n, struct md_aws_creds *out,
                                 struct md_err *err);
md_status md_creds_fetch_sso(struct md_cred_node *n, struct md_aws_creds *out, struct md_err *err);
md_status md_creds_fetch_assume_role(struct md_cred_node *n, struct md_aws_creds *out,
                                     struct md_err *err);
md_status md_creds_fetch_web_identity(struct md_cred_node *n, struct md_aws_creds *out,
                                      struct md_err *err);
md_status md_creds_fetch_container(struct md_cred_node *n, struct md_aws_creds *out,
                                   struct md_err *err);
md_status md_creds_fetch_imds(struct md_cred_node *n, struct md_aws_creds *out,
                              struct md_err *err);

/* The container credentials URL from the environment (RELATIVE_URI
 * against 169.254.170.2, else a FULL_URI that passes the host rules),
 * appended to url. */
md_status md_container_url(struct md_buf *url, struct md_err *err);

/* The SSO token cache file for a session name or start URL:
 * <home>/.aws/sso/cache/<sha1 hex>.json. */
bool md_sso_cache_path(const char *key, char *out, size_t n);

/* application/x-www-form-urlencoded value encoding (RFC 3986 unreserved
 * kept), appended to b. */
int md_form_append(struct md_buf *b, const char *name, const char *value);

/* Parses the JSON document with AccessKeyId/SecretAccessKey/Token|SessionToken/Expiration
 * that container, IMDS and credential_process return. */
md_status md_creds_from_json(const char *body, size_t len, const char *token_key,
                             const char *what, bool need_version, struct md_aws_creds *out,
                             struct md_err *err);

#endif
