#include "net/sigv4.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "net/url.h"
#include "util/buf.h"

#define ALGO "AWS4-HMAC-SHA256"
#define UNSIGNED_PAYLOAD "UNSIGNED-PAYLOAD"

void md_aws_creds_wipe(struct md_aws_creds *c)
{
    OPENSSL_cleanse(c, sizeof *c);
}

void md_sigv4_trace_free(struct md_sigv4_trace *t)
{
    free(t->canonical_request);
    free(t->string_to_sign);
    free(t->signed_headers);
    free(t->signature);
    memset(t, 0, sizeof *t);
}

static atomic_long clock_offset;

void md_sigv4_set_clock_offset(long seconds)
{
    atomic_store(&clock_offset, seconds);
}

long md_sigv4_clock_offset(void)
{
    return atomic_load(&clock_offset);
}

bool md_sigv4_is_s3(const char *service)
{
    return service && (!strcmp(service, "s3") || !strcmp(service, "s3-object-lambda") ||
                       !strcmp(service, "s3-outposts"));
}

time_t md_sigv4_parse_amz_date(const char *s)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (!s || strlen(s) != 16 || s[8] != 'T' || s[15] != 'Z')
        return -1;
    for (int i = 0; i < 15; i++)
        if (i != 8 && !isdigit((unsigned char)s[i]))
            return -1;
    if (sscanf(s, "%4d%2d%2dT%2d%2d%2dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec) != 6)
        return -1;
    if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
        tm.tm_min > 59 || tm.tm_sec > 60)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return timegm(&tm);
}

/* ---- hashing ---- */

static void hex(const unsigned char *d, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 15];
    }
    out[2 * n] = '\0';
}

/* OpenSSL 3's one-shot SHA256() and HMAC() look the algorithm up by name on
 * every call (EVP_Q_digest, EVP_Q_mac): about 50 us each under the locks of
 * its method store, two thirds of a request's signing.  SHA-256 is looked
 * up once, and HMAC is two digests over it (RFC 2104). */
static EVP_MD *sha256_fetched;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void fetch_sha256(void)
{
    sha256_fetched = EVP_MD_fetch(NULL, "SHA256", NULL);
}

static const EVP_MD *sha256_md(void)
{
    pthread_once(&sha256_once, fetch_sha256);
    return sha256_fetched ? sha256_fetched : EVP_sha256();
}

static void sha256(const void *d, size_t n, unsigned char out[32])
{
    unsigned int len = 32;
    if (!EVP_Digest(d, n, out, &len, sha256_md(), NULL))
        memset(out, 0, 32);
}

static void sha256_hex(const void *d, size_t n, char out[65])
{
    unsigned char md[SHA256_DIGEST_LENGTH];
    sha256(d, n, md);
    hex(md, sizeof md, out);
}

static void hmac256(const void *key, size_t kl, const void *msg, size_t ml, unsigned char out[32])
{
    enum { BLOCK = 64 };
    unsigned char k[BLOCK] = {0}, pad[BLOCK], inner[32];
    if (kl > BLOCK)
        sha256(key, kl, k);
    else
        memcpy(k, key, kl);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned int len = 32;
    bool ok = ctx != NULL;
    for (int i = 0; i < BLOCK; i++)
        pad[i] = k[i] ^ 0x36;
    ok = ok && EVP_DigestInit_ex(ctx, sha256_md(), NULL) && EVP_DigestUpdate(ctx, pad, BLOCK) &&
         EVP_DigestUpdate(ctx, msg, ml) && EVP_DigestFinal_ex(ctx, inner, &len);
    for (int i = 0; i < BLOCK; i++)
        pad[i] = k[i] ^ 0x5c;
    ok = ok && EVP_DigestInit_ex(ctx, sha256_md(), NULL) && EVP_DigestUpdate(ctx, pad, BLOCK) &&
         EVP_DigestUpdate(ctx, inner, sizeof inner) && EVP_DigestFinal_ex(ctx, out, &len);
    if (!ok)
        memset(out, 0, 32);
    EVP_MD_CTX_free(ctx);
    OPENSSL_cleanse(k, sizeof k);
    OPENSSL_cleanse(pad, sizeof pad);
    OPENSSL_cleanse(inner, sizeof inner);
}

/* The signing key depends on (secret, day, region, service): derive it
 * once per day and keep a few around.  The cache holds derived keys, keyed
 * by a hash of the secret, never the secret itself. */
struct key_entry {
    unsigned char secret_hash[32];
    char date[9];
    char region[64];
    char service[64];
    unsigned char key[32];
    unsigned long used;
};

#define KEY_CACHE 8
static struct key_entry key_cache[KEY_CACHE];
static unsigned long key_tick;
static pthread_mutex_t key_mu = PTHREAD_MUTEX_INITIALIZER;

static void signing_key(const char *secret, const char *date, const char *region,
                        const char *service, unsigned char out[32])
{
    unsigned char sh[32];
    sha256(secret, strlen(secret), sh);
    pthread_mutex_lock(&key_mu);
    for (int i = 0; i < KEY_CACHE; i++) {
        struct key_entry *e = &key_cache[i];
        if (e->used && !memcmp(e->secret_hash, sh, 32) && !strcmp(e->date, date) &&
            !strcmp(e->region, region) && !strcmp(e->service, service)) {
            memcpy(out, e->key, 32);
            e->used = ++key_tick;
            pthread_mutex_unlock(&key_mu);
            return;
        }
    }
    pthread_mutex_unlock(&key_mu);

    size_t sl = strlen(secret);
    char *k = malloc(sl + 5);
    unsigned char kd[32], kr[32], ks[32];
    if (!k) {
        memset(out, 0, 32);
        return;
    }
    memcpy(k, "AWS4", 4);
    memcpy(k + 4, secret, sl + 1);
    hmac256(k, sl + 4, date, strlen(date), kd);
    OPENSSL_cleanse(k, sl + 4);
    free(k);
    hmac256(kd, 32, region, strlen(region), kr);
    hmac256(kr, 32, service, strlen(service), ks);
    hmac256(ks, 32, "aws4_request", 12, out);
    OPENSSL_cleanse(kd, 32);
    OPENSSL_cleanse(kr, 32);
    OPENSSL_cleanse(ks, 32);

    if (strlen(region) < 64 && strlen(service) < 64) {
        pthread_mutex_lock(&key_mu);
        int victim = 0;
        for (int i = 1; i < KEY_CACHE; i++)
            if (key_cache[i].used < key_cache[victim].used)
                victim = i;
        struct key_entry *e = &key_cache[victim];
        memcpy(e->secret_hash, sh, 32);
        snprintf(e->date, sizeof e->date, "%s", date);
        snprintf(e->region, sizeof e->region, "%s", region);
        snprintf(e->service, sizeof e->service, "%s", service);
        memcpy(e->key, out, 32);
        e->used = ++key_tick;
        pthread_mutex_unlock(&key_mu);
    }
}

/* ---- canonical parts ---- */

static bool unreserved(unsigned char c)
{
    return isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* RFC 3986 5.2.4 plus AWS's "empty segments collapse" (botocore
 * remove_dot_segments).  Appends to b. */
static int remove_dot_segments(struct md_buf *b, const char *path)
{
    size_t pl = strlen(path);
    if (pl == 0)
        return md_buf_puts(b, "/");
    /* segment stack as offsets into a copy */
    char *copy = strdup(path);
    const char **segs = calloc(pl + 1, sizeof *segs);
    if (!copy || !segs) {
        free(copy);
        free(segs);
        return -1;
    }
    size_t ns = 0;
    for (char *tok = copy, *save = NULL; ; tok = NULL) {
        char *s = strtok_r(tok, "/", &save);
        if (!s)
            break;
        if (!strcmp(s, "."))
            continue;
        if (!strcmp(s, "..")) {
            if (ns)
                ns--;
            continue;
        }
        segs[ns++] = s;
    }
    int rc = 0;
    if (path[0] == '/')
        rc |= md_buf_puts(b, "/");
    for (size_t i = 0; i < ns; i++) {
        if (i)
            rc |= md_buf_puts(b, "/");
        rc |= md_buf_puts(b, segs[i]);
    }
    if (path[pl - 1] == '/' && ns)
        rc |= md_buf_puts(b, "/");
    free(copy);
    free(segs);
    return rc ? -1 : 0;
}

/* S3: the wire path in canonical form without changing its meaning:
 * unreserved bytes and '/' literal, escapes of unreserved bytes decoded,
 * other escapes kept (upper-case hex), other bytes escaped.  For a path the
 * SDKs built this is the wire path verbatim. */
static int s3_canonical_path(struct md_buf *b, const char *path)
{
    static const char hx[] = "0123456789ABCDEF";
    if (!*path)
        return md_buf_puts(b, "/");
    for (const char *p = path; *p; p++) {
        unsigned char c = (unsigned char)*p;
        int hi, lo;
        char tmp[3];
        if (c == '%' && (hi = hexval((unsigned char)p[1])) >= 0 &&
            (lo = hexval((unsigned char)p[2])) >= 0) {
            unsigned char d = (unsigned char)(hi * 16 + lo);
            if (unreserved(d)) {
                tmp[0] = (char)d;
                if (md_buf_append(b, tmp, 1) < 0)
                    return -1;
            } else {
                tmp[0] = '%';
                tmp[1] = hx[hi];
                tmp[2] = hx[lo];
                if (md_buf_append(b, tmp, 3) < 0)
                    return -1;
            }
            p += 2;
        } else if (unreserved(c) || c == '/') {
            if (md_buf_append(b, p, 1) < 0)
                return -1;
        } else {
            tmp[0] = '%';
            tmp[1] = hx[c >> 4];
            tmp[2] = hx[c & 15];
            if (md_buf_append(b, tmp, 3) < 0)
                return -1;
        }
    }
    return 0;
}

static int canonical_uri(struct md_buf *b, const char *path, bool s3)
{
    if (s3)
        return s3_canonical_path(b, path);
    struct md_buf norm = MD_BUF_INIT;
    int rc = remove_dot_segments(&norm, path);
    if (rc == 0)
        rc = md_uri_encode(b, norm.data, norm.len, true);
    md_buf_free(&norm);
    return rc;
}

struct qpair {
    char *name;
    char *value;
};

static int cmp_qpair(const void *a, const void *b)
{
    const struct qpair *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : strcmp(x->value, y->value);
}

/* Decode each name and value of the wire query, encode again with the
 * unreserved set, sort by (name, value).  skip: a parameter name to leave
 * out (X-Amz-Signature when presigning). */
static int canonical_query(struct md_buf *b, const char *query, const char *skip)
{
    if (!query || !*query)
        return 0;
    size_t cap = 1;
    for (const char *p = query; *p; p++)
        if (*p == '&')
            cap++;
    struct qpair *v = calloc(cap, sizeof *v);
    if (!v)
        return -1;
    size_t n = 0;
    int rc = 0;
    const char *p = query;
    while (rc == 0) {
        size_t len = strcspn(p, "&");
        if (len) {
            const char *eq = memchr(p, '=', len);
            size_t nl = eq ? (size_t)(eq - p) : len;
            struct md_buf dn = MD_BUF_INIT, dv = MD_BUF_INIT, en = MD_BUF_INIT, ev = MD_BUF_INIT;
            rc |= md_uri_decode(&dn, p, nl);
            rc |= md_uri_decode(&dv, eq ? eq + 1 : "", eq ? len - nl - 1 : 0);
            if (rc == 0 && skip && dn.data && !strcmp(dn.data, skip)) {
                md_buf_free(&dn);
                md_buf_free(&dv);
            } else {
                rc |= md_uri_encode(&en, dn.data ? dn.data : "", dn.len, false);
                rc |= md_uri_encode(&ev, dv.data ? dv.data : "", dv.len, false);
                md_buf_free(&dn);
                md_buf_free(&dv);
                if (rc == 0 && md_buf_reserve(&en, 0) == 0 && md_buf_reserve(&ev, 0) == 0) {
                    v[n].name = md_buf_steal(&en);
                    v[n].value = md_buf_steal(&ev);
                    n++;
                } else {
                    md_buf_free(&en);
                    md_buf_free(&ev);
                    rc = -1;
                }
            }
        }
        if (!p[len])
            break;
        p += len + 1;
    }
    if (rc == 0) {
        qsort(v, n, sizeof *v, cmp_qpair);
        for (size_t i = 0; i < n; i++) {
            if (i)
                rc |= md_buf_puts(b, "&");
            rc |= md_buf_printf(b, "%s=%s", v[i].name, v[i].value);
        }
    }
    for (size_t i = 0; i < n; i++) {
        free(v[i].name);
        free(v[i].value);
    }
    free(v);
    return rc ? -1 : 0;
}

/* Headers the SDKs never sign (botocore's current list): hop-by-hop ones a
 * proxy may change, and ones clients rewrite. */
static bool never_signed(const char *name)
{
    static const char *const names[] = {
        "connection", "expect", "keep-alive", "proxy-authenticate", "proxy-authorization",
        "te", "trailer", "transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id", NULL,
    };
    for (int i = 0; names[i]; i++)
        if (!strcasecmp(name, names[i]))
            return true;
    return false;
}

struct hdr {
    char *name;         /* lower case */
    const char *value;
    size_t order;
};

static int cmp_hdr(const void *a, const void *b)
{
    const struct hdr *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c)
        return c;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* Python's str.split() whitespace for ASCII. */
static bool ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' ||
           (c >= 0x1c && c <= 0x1f);
}

/* Trim and fold runs of whitespace into one space. */
static int append_trimall(struct md_buf *b, const char *v)
{
    bool first = true;
    const char *p = v;
    while (*p) {
        while (*p && ws((unsigned char)*p))
            p++;
        if (!*p)
            break;
        const char *s = p;
        while (*p && !ws((unsigned char)*p))
            p++;
        if (!first && md_buf_puts(b, " ") < 0)
            return -1;
        if (md_buf_append(b, s, (size_t)(p - s)) < 0)
            return -1;
        first = false;
    }
    return md_buf_reserve(b, 0);
}

/* canonical headers block (each "name:value\n") and the signed list. */
static int canonical_headers(const struct md_http_headers *h, struct md_buf *block,
                             struct md_buf *signed_list)
{
    struct hdr *v = calloc(h->n ? h->n : 1, sizeof *v);
    if (!v)
        return -1;
    size_t n = 0;
    int rc = 0;
    for (size_t i = 0; i < h->n && rc == 0; i++) {
        if (never_signed(h->v[i].name))
            continue;
        char *ln = strdup(h->v[i].name);
        if (!ln) {
            rc = -1;
            break;
        }
        /* botocore strips the name too (signed_headers uses .strip()) */
        for (char *c = ln; *c; c++)
            *c = (char)tolower((unsigned char)*c);
        v[n].name = ln;
        v[n].value = h->v[i].value;
        v[n].order = i;
        n++;
    }
    if (rc == 0)
        qsort(v, n, sizeof *v, cmp_hdr);
    for (size_t i = 0; i < n && rc == 0; i++) {
        bool same = i > 0 && !strcmp(v[i].name, v[i - 1].name);
        if (same) {
            rc |= md_buf_puts(block, ",");
        } else {
            if (i > 0)
                rc |= md_buf_puts(block, "\n");
            rc |= md_buf_printf(block, "%s:", v[i].name);
            if (signed_list->len)
                rc |= md_buf_puts(signed_list, ";");
            rc |= md_buf_puts(signed_list, v[i].name);
        }
        rc |= append_trimall(block, v[i].value);
    }
    if (n)
        rc |= md_buf_puts(block, "\n");
    for (size_t i = 0; i < n; i++)
        free(v[i].name);
    free(v);
    rc |= md_buf_reserve(block, 0) | md_buf_reserve(signed_list, 0);
    return rc ? -1 : 0;
}

static void amz_date(time_t t, char out[17])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

static bool valid_scope_part(const char *s)
{
    if (!s || !*s)
        return false;
    for (; *s; s++)
        if (*s == '/' || *s == ' ' || (unsigned char)*s < 0x20)
            return false;
    return true;
}

/* The core: canonical request -> string to sign -> signature. */
static md_status compute(const char *method, const struct md_url *u,
                         const struct md_http_headers *headers, const char *payload_hash,
                         const struct md_sigv4_params *p, const char *date, const char *skip_q,
                         struct md_buf *creq, struct md_buf *sts, struct md_buf *signed_list,
                         char sig[65], struct md_err *err)
{
    bool s3 = md_sigv4_is_s3(p->service);
    struct md_buf hblock = MD_BUF_INIT;
    int rc = 0;
    rc |= md_buf_printf(creq, "%s\n", method);
    rc |= canonical_uri(creq, u->path, s3);
    rc |= md_buf_puts(creq, "\n");
    rc |= canonical_query(creq, u->query, skip_q);
    rc |= md_buf_puts(creq, "\n");
    rc |= canonical_headers(headers, &hblock, signed_list);
    rc |= md_buf_append(creq, hblock.data ? hblock.data : "", hblock.len);
    rc |= md_buf_printf(creq, "\n%s\n%s", signed_list->data ? signed_list->data : "",
                        payload_hash);
    md_buf_free(&hblock);
    if (rc)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory while signing");

    char crhash[65];
    sha256_hex(creq->data, creq->len, crhash);
    char day[9];
    memcpy(day, date, 8);
    day[8] = '\0';
    if (md_buf_printf(sts, ALGO "\n%s\n%s/%s/%s/aws4_request\n%s", date, day, p->region,
                      p->service, crhash) < 0)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory while signing");

    unsigned char key[32], mac[32];
    signing_key(p->creds->secret_access_key, day, p->region, p->service, key);
    hmac256(key, 32, sts->data, sts->len, mac);
    OPENSSL_cleanse(key, sizeof key);
    hex(mac, 32, sig);
    return MD_OK;
}

static md_status check_params(const struct md_sigv4_params *p, struct md_err *err)
{
    if (!p->creds || !p->creds->access_key_id[0] || !p->creds->secret_access_key[0])
        return md_err_set(err, MD_ERR_AUTH, "no AWS credentials to sign with");
    if (!valid_scope_part(p->region))
        return md_err_set(err, MD_ERR_INVALID, "no valid region to sign for");
    if (!valid_scope_part(p->service))
        return md_err_set(err, MD_ERR_INVALID, "no valid service name to sign for");
    if (strchr(p->creds->access_key_id, '/') || strpbrk(p->creds->access_key_id, " ,\r\n"))
        return md_err_set(err, MD_ERR_AUTH, "malformed access key id");
    return MD_OK;
}

static bool has_ctl(const char *s)
{
    for (; *s; s++)
        if (*s == '\r' || *s == '\n')
            return true;
    return false;
}

md_status md_sigv4_sign(struct md_http_request *req, const struct md_sigv4_params *p,
                        struct md_sigv4_trace *trace, struct md_err *err)
{
    md_status st = check_params(p, err);
    if (st != MD_OK)
        return st;
    if (has_ctl(p->creds->session_token))
        return md_err_set(err, MD_ERR_AUTH, "malformed session token");
    struct md_url u;
    st = md_url_parse(req->url, &u, err);
    if (st != MD_OK)
        return st;
    bool s3 = md_sigv4_is_s3(p->service);
    time_t now = p->now ? p->now : time(NULL) + md_sigv4_clock_offset();
    char date[17];
    amz_date(now, date);

    int rc = 0;
    md_headers_remove(&req->headers, "Authorization");
    rc |= md_headers_set(&req->headers, "X-Amz-Date", date);
    md_headers_remove(&req->headers, "X-Amz-Security-Token");
    if (p->creds->session_token[0])
        rc |= md_headers_add(&req->headers, "X-Amz-Security-Token", p->creds->session_token);
    if (!md_headers_get(&req->headers, "Host")) {
        char host[300];
        md_url_host_header(&u, host, sizeof host);
        rc |= md_headers_add(&req->headers, "Host", host);
    }
    char body_hash[65];
    sha256_hex(req->body.data ? req->body.data : "", req->body.len, body_hash);
    const char *payload = body_hash;
    if (s3) {
        payload = p->unsigned_payload ? UNSIGNED_PAYLOAD : body_hash;
        rc |= md_headers_set(&req->headers, "X-Amz-Content-SHA256", payload);
    } else if (p->content_sha256_header) {
        rc |= md_headers_set(&req->headers, "X-Amz-Content-SHA256", body_hash);
    }
    /* A non-S3 request that already carries X-Amz-Content-SHA256 is signed
     * with that value, as botocore does. */
    const char *given = md_headers_get(&req->headers, "X-Amz-Content-SHA256");
    char given_copy[80];
    if (given && !s3) {
        snprintf(given_copy, sizeof given_copy, "%s", given);
        payload = given_copy;
    }
    if (rc) {
        md_url_free(&u);
        return md_err_set(err, MD_ERR_NOMEM, "out of memory while signing");
    }

    struct md_buf creq = MD_BUF_INIT, sts = MD_BUF_INIT, sl = MD_BUF_INIT;
    char sig[65];
    st = compute(req->method, &u, &req->headers, payload, p, date, NULL, &creq, &sts, &sl, sig,
                 err);
    if (st == MD_OK) {
        struct md_buf auth = MD_BUF_INIT;
        char day[9];
        memcpy(day, date, 8);
        day[8] = '\0';
        if (md_buf_printf(&auth, ALGO " Credential=%s/%s/%s/%s/aws4_request, SignedHeaders=%s, "
                                 "Signature=%s",
                          p->creds->access_key_id, day, p->region, p->service, sl.data, sig) < 0 ||
            md_headers_add(&req->headers, "Authorization", auth.data) < 0)
            st = md_err_set(err, MD_ERR_NOMEM, "out of memory while signing");
        md_buf_free(&auth);
    }
    if (st == MD_OK && trace) {
        memset(trace, 0, sizeof *trace);
        trace->canonical_request = md_buf_steal(&creq);
        trace->string_to_sign = md_buf_steal(&sts);
        trace->signed_headers = md_buf_steal(&sl);
        trace->signature = strdup(sig);
    }
    md_buf_free(&creq);
    md_buf_free(&sts);
    md_buf_free(&sl);
    md_url_free(&u);
    return st;
}

md_status md_sigv4_presign(const char *method, const char *url, const struct md_sigv4_params *p,
                           long expires, char **out, struct md_err *err)
{
    *out = NULL;
    md_status st = check_params(p, err);
    if (st != MD_OK)
        return st;
    if (expires < 1 || expires > 604800)
        return md_err_set(err, MD_ERR_INVALID, "presigned URL expiry must be 1..604800 seconds");
    struct md_url u;
    st = md_url_parse(url, &u, err);
    if (st != MD_OK)
        return st;
    time_t now = p->now ? p->now : time(NULL) + md_sigv4_clock_offset();
    char date[17], day[9];
    amz_date(now, date);
    memcpy(day, date, 8);
    day[8] = '\0';

    /* The URL with the auth parameters appended (X-Amz-Signature last). */
    struct md_buf nu = MD_BUF_INIT, cred = MD_BUF_INIT;
    int rc = 0;
    size_t base_len = strcspn(url, "#");
    rc |= md_buf_append(&nu, url, base_len);
    rc |= md_buf_puts(&nu, u.query ? (u.query[0] ? "&" : "") : "?");
    rc |= md_buf_printf(&cred, "%s/%s/%s/%s/aws4_request", p->creds->access_key_id, day,
                        p->region, p->service);
    rc |= md_buf_puts(&nu, "X-Amz-Algorithm=" ALGO "&X-Amz-Credential=");
    rc |= md_uri_encode(&nu, cred.data ? cred.data : "", cred.len, false);
    rc |= md_buf_printf(&nu, "&X-Amz-Date=%s&X-Amz-Expires=%ld&X-Amz-SignedHeaders=host", date,
                        expires);
    if (p->creds->session_token[0]) {
        rc |= md_buf_puts(&nu, "&X-Amz-Security-Token=");
        rc |= md_uri_encode(&nu, p->creds->session_token, strlen(p->creds->session_token), false);
    }
    md_buf_free(&cred);
    struct md_url u2;
    if (rc) {
        md_buf_free(&nu);
        md_url_free(&u);
        return md_err_set(err, MD_ERR_NOMEM, "out of memory while presigning");
    }
    st = md_url_parse(nu.data, &u2, err);
    md_url_free(&u);
    if (st != MD_OK) {
        md_buf_free(&nu);
        return st;
    }
    struct md_http_headers hs = {0};
    char host[300];
    md_url_host_header(&u2, host, sizeof host);
    struct md_buf creq = MD_BUF_INIT, sts = MD_BUF_INIT, sl = MD_BUF_INIT;
    char sig[65];
    if (md_headers_add(&hs, "host", host) < 0)
        st = md_err_set(err, MD_ERR_NOMEM, "out of memory while presigning");
    else
        st = compute(method, &u2, &hs, UNSIGNED_PAYLOAD, p, date, "X-Amz-Signature", &creq, &sts,
                     &sl, sig, err);
    if (st == MD_OK) {
        if (md_buf_printf(&nu, "&X-Amz-Signature=%s", sig) < 0)
            st = md_err_set(err, MD_ERR_NOMEM, "out of memory while presigning");
        else
            *out = md_buf_steal(&nu);
    }
    md_headers_free(&hs);
    md_buf_free(&creq);
    md_buf_free(&sts);
    md_buf_free(&sl);
    md_buf_free(&nu);
    md_url_free(&u2);
    return st;
}
