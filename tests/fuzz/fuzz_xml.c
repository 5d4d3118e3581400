/* libFuzzer target: the expat XML reader and what reads its trees (the
 * AWS error parser, the S3 listing parser).  Build by hand:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I src -I BUILD -D_GNU_SOURCE \
 *     -DMLDECK_DATADIR='"/tmp"' tests/fuzz/fuzz_xml.c src/net/*.c src/aws/proto.c \
 *     src/aws/s3.c src/util/*.c -lexpat -lcjson -lcurl -lcrypto -lpthread -o fuzz_xml
 *   (BUILD = a configured build directory, for config.h)
 *   ./fuzz_xml -max_total_time=60 corpus/ */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "aws/s3.h"
#include "net/retry.h"
#include "net/xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct md_err err;
    struct md_xml *x = NULL;
    if (md_xml_parse((const char *)data, size, &x, &err) == MD_OK) {
        (void)md_xml_text(x, "Error/Code");
        (void)md_xml_find(x, "a/b/c");
        md_xml_free(x);
    }
    struct md_s3_list l;
    memset(&l, 0, sizeof l);
    md_s3_parse_list((const char *)data, size, &l, &err);
    md_s3_list_free(&l);

    struct md_http_response r;
    memset(&r, 0, sizeof r);
    r.status = 400;
    md_buf_append(&r.body, data, size);
    md_headers_add(&r.headers, "x-amzn-ErrorType", size > 2 ? "A#B:c" : "");
    md_aws_error_parse(&r, &err);
    md_http_response_free(&r);
    return 0;
}
