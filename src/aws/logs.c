#include "aws/logs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"

#define LOGS_PREFIX "Logs_20140328"
#define LOGS_JSON "1.1"

void md_log_streams_free(struct md_log_streams *s)
{
    free(s->v);
    s->v = NULL;
    s->n = 0;
}

static bool have_stream(const struct md_log_streams *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->v[i].name, name))
            return true;
    return false;
}

md_status md_logs_job_streams(struct md_aws_client *c, const char *group, const char *job,
                              struct md_log_streams *s, struct md_err *err)
{
    char prefix[512];
    snprintf(prefix, sizeof prefix, "%s/", job);
    char token[2048] = "";
    md_status st = MD_OK;
    for (int page = 0; page < 100 && st == MD_OK; page++) {
        cJSON *in = cJSON_CreateObject(), *out = NULL;
        cJSON_AddStringToObject(in, "logGroupName", group);
        cJSON_AddStringToObject(in, "logStreamNamePrefix", prefix);
        if (token[0])
            cJSON_AddStringToObject(in, "nextToken", token);
        st = md_aws_json_call(c, LOGS_PREFIX, "DescribeLogStreams", LOGS_JSON, in, &out, err);
        cJSON_Delete(in);
        if (st != MD_OK)
            break;
        const cJSON *item;
        cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(out, "logStreams")) {
            const char *name = md_json_str(item, "$.logStreamName", NULL);
            if (!name || have_stream(s, name))
                continue;
            struct md_log_stream *v = realloc(s->v, (s->n + 1) * sizeof *v);
            if (!v) {
                st = md_err_set(err, MD_ERR_NOMEM, "out of memory");
                break;
            }
            s->v = v;
            memset(&v[s->n], 0, sizeof v[s->n]);
            snprintf(v[s->n].name, sizeof v[s->n].name, "%s", name);
            s->n++;
        }
        const char *next = md_json_str(out, "$.nextToken", NULL);
        bool more = next && next[0] && strcmp(next, token) != 0;
        if (more)
            snprintf(token, sizeof token, "%s", next);
        cJSON_Delete(out);
        if (!more)
            break;
    }
    if (st == MD_ERR_NOTFOUND)      /* no log group yet: the job has not started */
        md_err_clear(err), st = MD_OK;
    return st;
}

md_status md_logs_read(struct md_aws_client *c, const char *group, struct md_log_stream *stream,
                       md_log_event_fn fn, void *ctx, struct md_err *err)
{
    const char *slash = strchr(stream->name, '/');
    const char *shortname = slash ? slash + 1 : stream->name;
    stream->drained = false;
    /* A bound on pages per call keeps a huge backlog from starving the
     * other streams; the caller comes back for the rest. */
    for (int page = 0; page < 50; page++) {
        cJSON *in = cJSON_CreateObject(), *out = NULL;
        cJSON_AddStringToObject(in, "logGroupName", group);
        cJSON_AddStringToObject(in, "logStreamName", stream->name);
        cJSON_AddBoolToObject(in, "startFromHead", 1);
        if (stream->token[0])
            cJSON_AddStringToObject(in, "nextToken", stream->token);
        md_status st = md_aws_json_call(c, LOGS_PREFIX, "GetLogEvents", LOGS_JSON, in, &out, err);
        cJSON_Delete(in);
        if (st != MD_OK)
            return st;
        const cJSON *ev;
        int stop = 0;
        cJSON_ArrayForEach(ev, cJSON_GetObjectItemCaseSensitive(out, "events")) {
            const char *msg = md_json_str(ev, "$.message", "");
            size_t len = strlen(msg);
            while (len && (msg[len - 1] == '\n' || msg[len - 1] == '\r'))
                len--;
            char *line = strndup(msg, len);
            if (!stop && line)
                stop = fn(ctx, shortname, (long long)md_json_num(ev, "$.timestamp", 0), line);
            free(line);
        }
        const char *next = md_json_str(out, "$.nextForwardToken", "");
        bool same = !strcmp(next, stream->token);
        bool none = !next[0];
        snprintf(stream->token, sizeof stream->token, "%s", next);
        cJSON_Delete(out); /* next pointed into out */
        if (same || none) {
            stream->drained = true;
            return MD_OK;
        }
        if (stop)
            return MD_OK;
    }
    return MD_OK;
}
