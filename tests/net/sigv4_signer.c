/* A filter for the differential SigV4 test: reads one JSON request per line
 * on stdin, signs it with mldeck's signer, prints the Authorization header
 * (or "ERR <message>") on one line.  Input fields: method, url, headers
 * ([[name, value], ...]), body_hex, service, region, akid, secret, token,
 * date (YYYYMMDDTHHMMSSZ), unsigned (bool), presign (expiry seconds: print the
 * presigned URL instead). */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/sigv4.h"

static const char *str(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static int unhex(const char *h, unsigned char *out, size_t *n)
{
    size_t l = strlen(h);
    if (l % 2)
        return -1;
    for (size_t i = 0; i < l / 2; i++) {
        unsigned v;
        if (sscanf(h + 2 * i, "%2x", &v) != 1)
            return -1;
        out[i] = (unsigned char)v;
    }
    *n = l / 2;
    return 0;
}

int main(void)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    while ((got = getline(&line, &cap, stdin)) > 0) {
        cJSON *j = cJSON_Parse(line);
        if (!j) {
            printf("ERR bad json\n");
            fflush(stdout);
            continue;
        }
        struct md_http_request r;
        md_http_request_init(&r, str(j, "method"), str(j, "url"));
        const cJSON *hs = cJSON_GetObjectItemCaseSensitive(j, "headers");
        const cJSON *h;
        cJSON_ArrayForEach(h, hs)
        {
            md_headers_add(&r.headers, cJSON_GetArrayItem(h, 0)->valuestring,
                           cJSON_GetArrayItem(h, 1)->valuestring);
        }
        const char *bh = str(j, "body_hex");
        unsigned char *body = malloc(strlen(bh) / 2 + 1);
        size_t bn = 0;
        if (body && unhex(bh, body, &bn) == 0)
            md_http_request_set_body(&r, body, bn);
        free(body);
        struct md_aws_creds c;
        memset(&c, 0, sizeof c);
        snprintf(c.access_key_id, sizeof c.access_key_id, "%s", str(j, "akid"));
        snprintf(c.secret_access_key, sizeof c.secret_access_key, "%s", str(j, "secret"));
        snprintf(c.session_token, sizeof c.session_token, "%s", str(j, "token"));
        struct md_sigv4_params p = {
            .service = str(j, "service"),
            .region = str(j, "region"),
            .creds = &c,
            .now = md_sigv4_parse_amz_date(str(j, "date")),
            .unsigned_payload = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "unsigned")),
        };
        struct md_err err;
        const cJSON *presign = cJSON_GetObjectItemCaseSensitive(j, "presign");
        if (cJSON_IsNumber(presign)) {
            char *u = NULL;
            if (md_sigv4_presign(str(j, "method"), str(j, "url"), &p, (long)presign->valuedouble, &u,
                                 &err) == MD_OK)
                printf("%s\n", u);
            else
                printf("ERR %s\n", err.msg);
            free(u);
        } else if (md_sigv4_sign(&r, &p, NULL, &err) == MD_OK)
            printf("%s\n", md_headers_get(&r.headers, "Authorization"));
        else
            printf("ERR %s\n", err.msg);
        fflush(stdout);
        md_http_request_free(&r);
        cJSON_Delete(j);
    }
    free(line);
    return 0;
}
