/* The CloudWatch metrics of a SageMaker training job (namespace
 * /aws/sagemaker/TrainingJobs, dimension Host=<job>/algo-1): the
 * algorithm's metrics (its MetricDefinitions: losses, mAP) and the
 * instance's (CPU, GPU, memory, disk), as time series for the chart view
 * and `mldeck metrics training-job`. */
#ifndef MD_AWS_CWMETRICS_H
#define MD_AWS_CWMETRICS_H

#include <stdbool.h>
#include <stddef.h>

#include "aws/proto.h"

#define MD_CW_TRAINING_NAMESPACE "/aws/sagemaker/TrainingJobs"

struct md_series {
    char name[256];
    bool instance;          /* an instance metric (CPUUtilization...), not the algorithm's */
    double *t;              /* epoch seconds, ascending */
    double *v;
    size_t n, cap;
};

struct md_series_set {
    struct md_series *v;
    size_t n;
};

void md_series_set_free(struct md_series_set *s);
const struct md_series *md_series_find(const struct md_series_set *s, const char *name);

/* Every metric of the job between start and end (epoch seconds), averaged
 * per period seconds (60 or a multiple).  c is a "monitoring" client. */
md_status md_cw_training_metrics(struct md_aws_client *c, const char *job, double start,
                                 double end, int period, struct md_series_set *out,
                                 struct md_err *err);

#endif
