/* The rendered head of a job's describe (ui/describe_job.h): what a
 * completed, a failed, a running and a processing job show, the timeline's
 * bars scaled to the width, ASCII mode, the coloured spans, and objects of
 * odd shape (wrong types, missing or reversed times, control characters). */
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "ui/describe_job.h"
#include "util/json.h"

static const char *completed_job =
    "{\"TrainingJobName\":\"yolo11-a\",\"TrainingJobStatus\":\"Completed\","
    "\"SecondaryStatus\":\"Completed\",\"HyperParameters\":{\"epochs\":\"50\",\"imgsz\":\"640\"},"
    "\"AlgorithmSpecification\":{\"TrainingImage\":\"img:1\"},"
    "\"InputDataConfig\":[{\"ChannelName\":\"train\",\"DataSource\":{\"S3DataSource\":"
    "{\"S3Uri\":\"s3://bkt/train/\"}}},{\"ChannelName\":\"val\",\"DataSource\":{\"S3DataSource\":"
    "{\"S3Uri\":\"s3://bkt/val/\"}}}],"
    "\"OutputDataConfig\":{\"S3OutputPath\":\"s3://bkt/out/\"},"
    "\"ResourceConfig\":{\"InstanceType\":\"ml.g5.xlarge\",\"InstanceCount\":1,\"VolumeSizeInGB\":50},"
    "\"EnableManagedSpotTraining\":true,\"TrainingTimeInSeconds\":1000,\"BillableTimeInSeconds\":300,"
    "\"CreationTime\":1795176000,\"TrainingStartTime\":1795176100,\"TrainingEndTime\":1795177200,"
    "\"SecondaryStatusTransitions\":["
    "{\"Status\":\"Starting\",\"StartTime\":1795176000,\"EndTime\":1795176060,\"StatusMessage\":\"Preparing\"},"
    "{\"Status\":\"Downloading\",\"StartTime\":1795176060,\"EndTime\":1795176100,\"StatusMessage\":\"Downloading\"},"
    "{\"Status\":\"Training\",\"StartTime\":1795176100,\"EndTime\":1795177100,\"StatusMessage\":\"Training in progress\"},"
    "{\"Status\":\"Uploading\",\"StartTime\":1795177100,\"EndTime\":1795177200,\"StatusMessage\":\"Uploading\"},"
    "{\"Status\":\"Completed\",\"StartTime\":1795177200,\"EndTime\":1795177200,\"StatusMessage\":\"Done\"}],"
    "\"FinalMetricDataList\":[{\"MetricName\":\"mAP50\",\"Value\":0.91234},"
    "{\"MetricName\":\"recall\",\"Value\":\"NaN\"}]}";

/* The line that starts with prefix (after leading spaces when indented). */
static const struct md_jobsum_line *find(const struct md_jobsum_line *l, size_t n,
                                         const char *prefix)
{
    for (size_t i = 0; i < n; i++)
        if (!strncmp(l[i].text, prefix, strlen(prefix)))
            return &l[i];
    return NULL;
}

static size_t count(const char *s, const char *what)
{
    size_t n = 0, k = strlen(what);
    for (const char *p = strstr(s, what); p; p = strstr(p + k, what))
        n++;
    return n;
}

int main(void)
{
    const struct md_kind *tj = md_kind_find("training-jobs");
    const struct md_kind *pj = md_kind_find("processing-jobs");
    TAP_OK(md_jobsum_handles(tj) && md_jobsum_handles(pj) &&
               !md_jobsum_handles(md_kind_find("pipelines")) && !md_jobsum_handles(NULL),
           "training and processing jobs have a summary, others not");
    cJSON *job = cJSON_Parse(completed_job);
    struct md_jobsum_line *l = NULL;
    size_t n = md_jobsum_render(tj, job, 80, true, 1795180000, &l);
    TAP_OK(n > 20 && l, "a completed job renders (%zu lines)", n);
    TAP_EQ_STR(l[0].text, "yolo11-a", "the name first");
    const struct md_jobsum_line *st = find(l, n, "Status");
    TAP_OK(st && strstr(st->text, "✓ Completed"), "the status with its glyph");
    bool bold;
    TAP_OK(st && md_jobsum_role_at(st, (size_t)(strstr(st->text, "Completed") - st->text), &bold) ==
                     MD_ROLE_OK && bold,
           "in the OK role, bold");
    TAP_OK(st && md_jobsum_role_at(st, 0, NULL) == MD_ROLE_MUTED, "its label muted");
    const struct md_jobsum_line *spot = find(l, n, "Spot");
    TAP_OK(spot && strstr(spot->text, "saved 70%"), "the spot saving (%s)", spot ? spot->text : "-");
    TAP_OK(find(l, n, "Hyperparameters") && find(l, n, "  epochs") &&
               strstr(find(l, n, "  epochs")->text, "50"),
           "hyperparameters as a table");
    TAP_OK(find(l, n, "  train") && strstr(find(l, n, "  train")->text, "s3://bkt/train/"),
           "input channels");
    TAP_OK(find(l, n, "Output path") && strstr(find(l, n, "Output path")->text, "s3://bkt/out/"),
           "the output path");
    const struct md_jobsum_line *tr = find(l, n, "  Training ");
    TAP_OK(tr != NULL, "a Training row in the timeline");
    if (tr) {
        TAP_OK(strstr(tr->text, "12:01:40 12:18:20") && strstr(tr->text, "16m40s"),
               "with start, end and duration (%s)", tr->text);
        size_t full = count(tr->text, "█"), empty = count(tr->text, "·");
        TAP_OK(full + empty == (size_t)(80 - 43), "its bar spans the rest of 80 columns (%zu)",
               full + empty);
        TAP_OK(full >= 28 && full <= 31, "and the Training phase takes 1000/1200 of it (%zu)", full);
    }
    const struct md_jobsum_line *sta = find(l, n, "  Starting ");
    TAP_OK(sta && count(sta->text, "█") >= 1 && strstr(sta->text, "█") < strstr(sta->text, "·"),
           "the first phase's bar starts at the left");
    TAP_OK(find(l, n, "               Training in progress") != NULL,
           "the status message on the next line, under the bar's row");
    const struct md_jobsum_line *m = find(l, n, "  mAP50");
    TAP_OK(m && strstr(m->text, "0.9123"), "final metrics with 4 decimals");
    TAP_OK(find(l, n, "  recall") && strstr(find(l, n, "  recall")->text, "NaN"),
           "a NaN metric is NaN, not 0");
    TAP_OK(strstr(l[n - 1].text, "JSON (DescribeTrainingJob)"), "the JSON rule last");
    for (size_t i = 0; i < n; i++)
        if (strchr(l[i].text, '\n') || strchr(l[i].text, '\t')) {
            TAP_OK(0, "line %zu has a newline or tab", i);
            break;
        }
    md_jobsum_lines_free(l, n);

    /* Wider pane, longer bars; ASCII glyphs. */
    n = md_jobsum_render(tj, job, 160, false, 1795180000, &l);
    tr = find(l, n, "  Training ");
    TAP_OK(tr && count(tr->text, "#") + count(tr->text, ".") == (size_t)(160 - 43) &&
               !strstr(tr->text, "█"),
           "at 160 columns the ASCII bar is 117 cells of # and .");
    TAP_OK(find(l, n, "Status") && strstr(find(l, n, "Status")->text, "+ Completed"),
           "the ASCII status glyph");
    for (size_t i = 0; i < n; i++)
        for (const unsigned char *p = (const unsigned char *)l[i].text; *p; p++)
            if (*p >= 0x80 && !strstr(l[i].text, "s3://")) {
                TAP_OK(0, "a non-ASCII byte in line %zu: %s", i, l[i].text);
                i = n;
                break;
            }
    md_jobsum_lines_free(l, n);
    n = md_jobsum_render(tj, job, 10, true, 1795180000, &l);
    TAP_OK(n > 0 && find(l, n, "  Training "), "a tiny width still renders (as for 40 columns)");
    md_jobsum_lines_free(l, n);
    cJSON_Delete(job);

    /* Failed, with a multi-line reason. */
    job = cJSON_Parse("{\"TrainingJobName\":\"yolo11-b\",\"TrainingJobStatus\":\"Failed\","
                      "\"FailureReason\":\"AlgorithmError: CUDA out of memory\\nTraceback...\","
                      "\"CreationTime\":1795176000,\"TrainingEndTime\":1795176600}");
    n = md_jobsum_render(tj, job, 80, true, 1795180000, &l);
    const struct md_jobsum_line *f = find(l, n, "Failure");
    TAP_OK(f && strstr(f->text, "CUDA out of memory Traceback"),
           "the failure reason on one line (%s)", f ? f->text : "-");
    TAP_OK(f && md_jobsum_role_at(f, 20, &bold) == MD_ROLE_FAIL && bold, "in the FAIL role, bold");
    TAP_OK(l && f == &l[2], "right under the status");
    TAP_OK(!find(l, n, "Timeline"), "no timeline without transitions");
    md_jobsum_lines_free(l, n);
    cJSON_Delete(job);

    /* Running: the last phase runs to now. */
    job = cJSON_Parse("{\"TrainingJobName\":\"c\",\"TrainingJobStatus\":\"InProgress\","
                      "\"CreationTime\":1795176000,\"SecondaryStatusTransitions\":["
                      "{\"Status\":\"Starting\",\"StartTime\":1795176000,\"EndTime\":1795176100},"
                      "{\"Status\":\"Training\",\"StartTime\":1795176100}]}");
    n = md_jobsum_render(tj, job, 80, true, 1795176400, &l);
    tr = find(l, n, "  Training ");
    TAP_OK(tr && strstr(tr->text, "now") && strstr(tr->text, "5m00s"),
           "a running phase ends now (%s)", tr ? tr->text : "-");
    TAP_OK(find(l, n, "Times (UTC)") && strstr(find(l, n, "Times (UTC)")->text, "running 6m40s"),
           "and the job's duration runs too");
    md_jobsum_lines_free(l, n);
    cJSON_Delete(job);

    /* Processing: inputs, outputs, two phases from its times. */
    job = cJSON_Parse("{\"ProcessingJobName\":\"prep\",\"ProcessingJobStatus\":\"Completed\","
                      "\"AppSpecification\":{\"ImageUri\":\"img:2\"},"
                      "\"ProcessingInputs\":[{\"InputName\":\"raw\",\"S3Input\":{\"S3Uri\":\"s3://b/raw/\","
                      "\"LocalPath\":\"/opt/ml/processing/input\"}}],"
                      "\"ProcessingOutputConfig\":{\"Outputs\":[{\"OutputName\":\"train\","
                      "\"S3Output\":{\"S3Uri\":\"s3://b/train/\"}}]},"
                      "\"CreationTime\":1795176000,\"ProcessingStartTime\":1795176060,"
                      "\"ProcessingEndTime\":1795176180}");
    TAP_OK(!md_jobsum_is_summary(pj, job), "a DescribeProcessingJob object is not a summary");
    n = md_jobsum_render(pj, job, 80, true, 1795180000, &l);
    TAP_OK(find(l, n, "  raw") && strstr(find(l, n, "  raw")->text, "← s3://b/raw/") &&
               strstr(find(l, n, "  raw")->text, "/opt/ml/processing/input"),
           "processing inputs with their local path");
    TAP_OK(find(l, n, "  train") && strstr(find(l, n, "  train")->text, "→ s3://b/train/"),
           "processing outputs");
    TAP_OK(find(l, n, "  Pending ") && find(l, n, "  Completed "),
           "two phases from the job's times");
    md_jobsum_lines_free(l, n);
    cJSON_Delete(job);

    /* Summaries and odd shapes. */
    job = cJSON_Parse("{\"TrainingJobName\":\"d\",\"TrainingJobStatus\":\"Completed\"}");
    TAP_OK(md_jobsum_is_summary(tj, job), "a ListTrainingJobs item is a summary");
    cJSON_Delete(job);
    const char *odd[] = {
        "{\"SecondaryStatusTransitions\":{\"a\":1},\"FinalMetricDataList\":\"x\","
        "\"HyperParameters\":[1,2],\"InputDataConfig\":7}",
        "{\"SecondaryStatusTransitions\":[{\"Status\":5,\"StartTime\":\"soon\"},"
        "{\"StartTime\":1795176000,\"EndTime\":1795175000},{\"StartTime\":1e300,\"EndTime\":-1e300}],"
        "\"HyperParameters\":{\"a\":null,\"b\":1.5,\"c\":true}}",
        "{\"TrainingJobName\":\"\\u0001\\u001b[31m\",\"TrainingJobStatus\":null,"
        "\"FinalMetricDataList\":[{\"Value\":1e309},{}],\"TrainingTimeInSeconds\":-5}",
        "[]",
    };
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
        job = cJSON_Parse(odd[i]);
        n = md_jobsum_render(tj, job, 80, true, 1795180000, &l);
        bool clean = true;
        for (size_t k = 0; k < n; k++)
            for (const unsigned char *p = (const unsigned char *)l[k].text; *p; p++)
                if (*p < 32)
                    clean = false;
        TAP_OK(cJSON_IsArray(job) ? n == 0 : (n > 0 && clean),
               "odd object %zu renders without control characters", i);
        md_jobsum_lines_free(l, n);
        n = md_jobsum_render(pj, job, 80, false, 1795180000, &l);
        md_jobsum_lines_free(l, n);
        cJSON_Delete(job);
    }
    return tap_done();
}
