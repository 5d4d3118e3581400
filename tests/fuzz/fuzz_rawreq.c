/* libFuzzer target: the raw HTTP/1.1 request parser of `mldeck awscurl
 * --request`, then signing what it produced.  Build by hand:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I src -I BUILD -D_GNU_SOURCE \
 *     -DMLDECK_DATADIR='"/tmp"' tests/fuzz/fuzz_rawreq.c src/net/*.c src/util/*.c \
 *     -lexpat -lcjson -lcurl -lcrypto -lpthread -o fuzz_rawreq
 *   (BUILD = a configured build directory, for config.h)
 *   ./fuzz_rawreq -max_total_time=60 corpus/ */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "net/rawreq.h"
#include "net/sigv4.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct md_http_request req;
    struct md_err err;
    if (md_rawreq_parse((const char *)data, size, "https", &req, &err) != MD_OK)
        return 0;
    struct md_aws_creds c;
    memset(&c, 0, sizeof c);
    strcpy(c.access_key_id, "AKIDEXAMPLE");
    strcpy(c.secret_access_key, "secret");
    struct md_sigv4_params p = {size & 1 ? "s3" : "service", "us-east-1", &c, 1440938160,
                                (size & 2) != 0, false};
    md_sigv4_sign(&req, &p, NULL, &err);
    md_http_request_free(&req);
    return 0;
}
