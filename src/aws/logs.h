/* CloudWatch Logs for training and processing jobs: the streams of a job
 * (one per host, "<job>/algo-1-<epoch>") and tail -f over them.
 * GetLogEvents has no end marker: a stream is drained when the forward
 * token that comes back equals the one sent.  Times are epoch ms. */
#ifndef MD_AWS_LOGS_H
#define MD_AWS_LOGS_H

#include <stdbool.h>
#include <stddef.h>

#include "aws/proto.h"

#define MD_LOGS_TRAINING_GROUP "/aws/sagemaker/TrainingJobs"
#define MD_LOGS_PROCESSING_GROUP "/aws/sagemaker/ProcessingJobs"

/* One stream being followed. */
struct md_log_stream {
    char name[512];
    char token[512];        /* next forward token ("" = start from the head) */
    bool drained;           /* the last read returned the token it was given */
};

struct md_log_streams {
    struct md_log_stream *v;
    size_t n;
};

/* The streams of a job: DescribeLogStreams with prefix "<job>/", every page.
 * Streams already in *s keep their tokens; new ones are appended. */
md_status md_logs_job_streams(struct md_aws_client *c, const char *group, const char *job,
                              struct md_log_streams *s, struct md_err *err);
void md_log_streams_free(struct md_log_streams *s);

/* Receives one event: the stream's short name (after the job's "/"),
 * epoch ms and the message (no trailing newline). */
typedef int (*md_log_event_fn)(void *ctx, const char *stream, long long ts_ms, const char *msg);

/* Reads what is new in one stream (GetLogEvents from its token, forward,
 * until drained or fn returns non-zero). */
md_status md_logs_read(struct md_aws_client *c, const char *group, struct md_log_stream *st,
                       md_log_event_fn fn, void *ctx, struct md_err *err);

#endif
