/* How fast mldeck signs: requests per second for a small JSON POST, an S3
 * GET with a session token, and a 1 MiB S3 PUT (hashing dominates), plus
 * presigned URLs.  Prints numbers; not part of make check.
 *   make tests/bench/sigv4/bench_sigv4 && ./tests/bench/sigv4/bench_sigv4 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "net/sigv4.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void run(const char *name, const char *method, const char *url, const char *service,
                size_t body, int n, const struct md_aws_creds *c)
{
    char *data = malloc(body ? body : 1);
    memset(data, 'x', body);
    struct md_sigv4_params p = {service, "eu-west-1", c, 0, false, false};
    struct md_err err;
    double t0 = now();
    for (int i = 0; i < n; i++) {
        struct md_http_request r;
        md_http_request_init(&r, method, url);
        md_headers_add(&r.headers, "Content-Type", "application/x-amz-json-1.1");
        md_headers_add(&r.headers, "X-Amz-Target", "SageMaker.ListPipelines");
        if (body)
            md_http_request_set_body(&r, data, body);
        if (md_sigv4_sign(&r, &p, NULL, &err) != MD_OK) {
            fprintf(stderr, "sign failed: %s\n", err.msg);
            exit(1);
        }
        md_http_request_free(&r);
    }
    double dt = now() - t0;
    printf("%-34s %8d signs  %8.3f s  %10.0f signs/s  %8.1f us/sign\n", name, n, dt, n / dt,
           dt / n * 1e6);
    free(data);
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 50000;
    struct md_aws_creds c;
    memset(&c, 0, sizeof c);
    strcpy(c.access_key_id, "AKIDEXAMPLE");
    strcpy(c.secret_access_key, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    run("json POST (sagemaker)", "POST", "https://api.sagemaker.eu-west-1.amazonaws.com/",
        "sagemaker", 64, n, &c);
    strcpy(c.session_token, "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ");
    run("S3 GET + session token", "GET",
        "https://b.s3.eu-west-1.amazonaws.com/images/0001.jpg?versionId=3", "s3", 0, n, &c);
    run("S3 PUT 1 MiB body", "PUT", "https://b.s3.eu-west-1.amazonaws.com/k", "s3", 1 << 20,
        n / 100 > 10 ? n / 100 : 10, &c);
    struct md_sigv4_params p = {"s3", "eu-west-1", &c, 0, false, false};
    struct md_err err;
    double t0 = now();
    for (int i = 0; i < n; i++) {
        char *u = NULL;
        md_sigv4_presign("GET", "https://b.s3.eu-west-1.amazonaws.com/k", &p, 300, &u, &err);
        free(u);
    }
    double dt = now() - t0;
    printf("%-34s %8d URLs   %8.3f s  %10.0f URLs/s\n", "presigned S3 GET", n, dt, n / dt);
    return 0;
}
