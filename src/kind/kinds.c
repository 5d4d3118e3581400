/* THE table of kinds.  Every resource an operator browses is one entry:
 * the generic resource view, `mldeck ls`, the cache indexes, the providers
 * and the demo loader all read it.  A new kind is a new entry here.
 *
 * What the cached object is (the `source` of each kind) is a contract with
 * the providers: the row holds that API output exactly as returned.
 *
 *   pipelines              ListPipelines -> PipelineSummary
 *   pipeline-executions    DescribePipelineExecution output (the list summary
 *                          lacks the end time a duration needs; finished
 *                          executions never change, so each is described once)
 *   pipeline-steps         ListPipelineExecutionSteps -> PipelineExecutionStep
 *                          (no describe exists; id = "<execution arn>/<StepName>")
 *   training-jobs          DescribeTrainingJob output.  A ListTrainingJobs
 *                          TrainingJobSummary has the same member names for
 *                          the columns it shares, so a provider may store the
 *                          summary first and replace it by the describe output
 *                          (describe-only columns show "-" until then)
 *   processing-jobs        DescribeProcessingJob output (same rule)
 *   labeling-jobs          DescribeLabelingJob output (same rule)
 *   monitoring-schedules   DescribeMonitoringSchedule output (same rule)
 *   monitoring-executions  ListMonitoringExecutions -> MonitoringExecutionSummary
 *                          (id = "<schedule>/<ScheduledTime epoch s>")
 *   endpoints              ListEndpoints -> EndpointSummary
 *   tracking-servers       ListMlflowTrackingServers -> TrackingServerSummary
 *   experiments            MLflow experiments/search -> experiments[]
 *   runs                   MLflow runs/search -> runs[] ({info, data, inputs})
 *   metric-histories       MLflow metrics/get-history response for one key
 *                          ({"metrics": [...]}); id = "<run id>/<key>"
 *   registered-models      MLflow registered-models/search -> registered_models[]
 *   model-versions         MLflow model-versions/get -> model_version (the
 *                          search item plus "aliases"); id = "<model>/<version>"
 *   datasets               S3 ListObjectsV2 -> CommonPrefixes[] (one prefix
 *                          per dataset under the datasets bucket)
 *   objects                S3 ListObjectsV2 -> Contents[] (Object), parent =
 *                          the dataset prefix; times are ISO 8601 strings
 *
 * Widths are for an 80-column terminal; width 0 shares what is left. */
#include <stddef.h>

#include "kind/table.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- pipelines pane (SageMaker, epoch seconds) -------------------------- */

static const struct md_column pipeline_cols[] = {
    {.title = "Name", .path = "$.PipelineName", .fmt = MD_FMT_TEXT, .width = 24},
    {.title = "Last status", .path = "$.mldeck.last_execution.status", .fmt = MD_FMT_STATUS,
     .width = 11, .derived = true},
    {.title = "Last run", .path = "$.LastExecutionTime", .fmt = MD_FMT_AGE, .width = 8},
    {.title = "Modified", .path = "$.LastModifiedTime", .fmt = MD_FMT_AGE, .width = 8,
     .hidden = true},
    {.title = "Created", .path = "$.CreationTime", .fmt = MD_FMT_AGE, .width = 7},
    {.title = "Description", .path = "$.PipelineDescription", .fmt = MD_FMT_TEXT},
    {.title = "Display", .path = "$.PipelineDisplayName", .fmt = MD_FMT_TEXT, .hidden = true},
    {.title = "Role", .path = "$.RoleArn", .fmt = MD_FMT_ARN_NAME, .hidden = true},
};
static const struct md_action pipeline_actions[] = {
    {.key = 's', .name = "start-execution", .label = "Start execution", .confirm = true,
     .mutating = true},
};

static const struct md_column execution_cols[] = {
    {.title = "Name", .path = "$.PipelineExecutionDisplayName", .fmt = MD_FMT_TEXT, .width = 24},
    {.title = "Status", .path = "$.PipelineExecutionStatus", .fmt = MD_FMT_STATUS, .width = 10},
    {.title = "Started", .path = "$.CreationTime", .fmt = MD_FMT_AGE, .width = 7},
    {.title = "Duration", .path = "$.CreationTime", .fmt = MD_FMT_SPAN, .width = 8,
     .path2 = "$.LastModifiedTime"},
    {.title = "Failure", .path = "$.FailureReason", .fmt = MD_FMT_TEXT},
    {.title = "Start time", .path = "$.CreationTime", .fmt = MD_FMT_TIME, .hidden = true},
    {.title = "Description", .path = "$.PipelineExecutionDescription", .fmt = MD_FMT_TEXT,
     .hidden = true},
    {.title = "User", .path = "$.CreatedBy.UserProfileName", .fmt = MD_FMT_TEXT, .hidden = true},
    {.title = "ARN", .path = "$.PipelineExecutionArn", .fmt = MD_FMT_TEXT, .hidden = true},
};
static const struct md_action execution_actions[] = {
    {.key = 'x', .name = "stop-execution", .label = "Stop execution", .confirm = true,
     .mutating = true},
    {.key = 'T', .name = "retry-execution", .label = "Retry execution", .confirm = true,
     .mutating = true},
};

static const struct md_column step_cols[] = {
    {.title = "Step", .path = "$.StepName", .fmt = MD_FMT_TEXT, .width = 16},
    {.title = "Type", .path = "$.Metadata", .fmt = MD_FMT_KEYS, .width = 13},
    {.title = "Status", .path = "$.StepStatus", .fmt = MD_FMT_STATUS, .width = 9},
    {.title = "Started", .path = "$.StartTime", .fmt = MD_FMT_AGE, .width = 7},
    {.title = "Ended", .path = "$.EndTime", .fmt = MD_FMT_AGE, .width = 7},
    {.title = "Duration", .path = "$.StartTime", .fmt = MD_FMT_SPAN, .width = 8,
     .path2 = "$.EndTime"},
    /* Before Job: at 80 columns only one of the two fits, and a failed
     * step's reason matters more (its job is one key away). */
    {.title = "Failure", .path = "$.FailureReason", .fmt = MD_FMT_TEXT},
    {.title = "Job", .path = "$.Metadata.TrainingJob.Arn", .fmt = MD_FMT_ARN_NAME,
     .path2 = "$.Metadata.ProcessingJob.Arn"},
    {.title = "End time", .path = "$.EndTime", .fmt = MD_FMT_TIME, .hidden = true},
    {.title = "Training job", .path = "$.Metadata.TrainingJob.Arn", .fmt = MD_FMT_ARN_NAME,
     .hidden = true},
    {.title = "Processing job", .path = "$.Metadata.ProcessingJob.Arn", .fmt = MD_FMT_ARN_NAME,
     .hidden = true},
    {.title = "Outcome", .path = "$.Metadata.Condition.Outcome", .fmt = MD_FMT_STATUS,
     .hidden = true},
    {.title = "Cached from", .path = "$.CacheHitResult.SourcePipelineExecutionArn",
     .fmt = MD_FMT_ARN_NAME, .hidden = true},
    {.title = "Attempts", .path = "$.AttemptCount", .fmt = MD_FMT_INT, .hidden = true},
};

static const struct md_column training_cols[] = {
    {.title = "Name", .path = "$.TrainingJobName", .fmt = MD_FMT_TEXT, .width = 0},
    {.title = "Status", .path = "$.TrainingJobStatus", .fmt = MD_FMT_STATUS, .width = 10},
    {.title = "Secondary", .path = "$.SecondaryStatus", .fmt = MD_FMT_STATUS, .width = 10},
    {.title = "Instance", .path = "$.ResourceConfig.InstanceType", .fmt = MD_FMT_TEXT,
     .width = 14},
    {.title = "N", .path = "$.ResourceConfig.InstanceCount", .fmt = MD_FMT_INT, .width = 2},
    {.title = "Started", .path = "$.CreationTime", .fmt = MD_FMT_AGE, .width = 7},
    {.title = "Duration", .path = "$.CreationTime", .fmt = MD_FMT_SPAN, .width = 8,
     .path2 = "$.TrainingEndTime"},
    {.title = "Billable", .path = "$.BillableTimeInSeconds", .fmt = MD_FMT_DURATION, .width = 8},
    {.title = "Training", .path = "$.TrainingTimeInSeconds", .fmt = MD_FMT_DURATION,
     .hidden = true},
    {.title = "Spot", .path = "$.EnableManagedSpotTraining", .fmt = MD_FMT_TEXT, .hidden = true},
    {.title = "Epochs", .path = "$.HyperParameters.epochs", .fmt = MD_FMT_INT, .hidden = true},
    {.title = "Imgsz", .path = "$.HyperParameters.imgsz", .fmt = MD_FMT_INT, .hidden = true},
    {.title = "Failure", .path = "$.FailureReason", .fmt = MD_FMT_TEXT, .hidden = true},
    {.title = "ARN", .path = "$.TrainingJobArn", .fmt = MD_FMT_TEXT, .hidden = true},
};
static const struct md_action training_actions[] = {
    {.key = 'x', .name = "stop-training-job", .label = "Stop training job", .confirm = true,
     .mutating = true},
    /* The form (ui/view_train.c) prefilled from the selected job; `mldeck train`. */
    {.key = 'n', .name = "create-training-job", .label = "Create training job", .confirm = true,
     .mutating = true, .no_row = true},
};

static const struct md_column processing_cols[] = {
    {.title = "Name", .path = "$.ProcessingJobName", .fmt = MD_FMT_TEXT, .width = 0},
    {.title = "Status", .path = "$.ProcessingJobStatus", .fmt = MD_FMT_STATUS, .width = 10},
    {.title = "Instance", .path = "$.ProcessingResources.ClusterConfig.InstanceType",
     .fmt = MD_FMT_TEXT, .width = 14},
    {.title = "Started", .path = "$.CreationTime", .fmt = MD_FMT_AGE, .width = 7},
    {.title = "Duration", .path = "$.CreationTime", .fmt = MD_FMT_SPAN, .width = 8,
     .path2 = "$.ProcessingEndTime"},
    {.title = "Failure", .path = "$.FailureReason", .fmt = MD_FMT_TEXT, .width = 20},
    {.title = "Exit message", .path = "$.ExitMessage", .fmt = MD_FMT_TEXT, .hidden = true},
    {.title = "ARN", .path = "$.ProcessingJobArn", .fmt = MD_FMT_TEXT, .hidden = true},
};
static const struct md_action processing_actions[] = {
    {.key = 'x', .name = "stop-processing-job", .label = "Stop processing job", .confirm = true,
     .mutating = true},
};

/* ---- labeling pane ------------------------------------------------------ */

static const struct md_column labeling_cols[] = {
    {.title = "Name", .path = "$.LabelingJobName", .fmt = MD_FMT_TEXT, .width = 0},
    {.title = "Status", .path = "$.LabelingJobStatus", .fmt = MD_FMT_STATUS, .width = 10},
    {.title = "Labeled", .path = "$.LabelCounters.TotalLabeled", .fmt = MD_FMT_INT, .width = 7},
    {.title = "Human", .path = "$.LabelCounters.HumanLabeled", .fmt = MD_FMT_INT, .width = 6},
    {.title = "Machine", .path = "$.LabelCounters.MachineLabeled", .fmt = MD_FMT_INT, .width = 7},
    {.title = "Left", .path = "$.LabelCounters.Unlabeled", .fmt = MD_FMT_INT, .width = 6},
    {.title = "Failed", .path = "$.LabelCounters.FailedNonRetryableError", .fmt = MD_FMT_INT,
     .width = 6},
    {.title = "Started", .path = "$.CreationTime", .fmt = MD_FMT_AGE, .width = 7},
    {.title = "Modified", .path = "$.LastModifiedTime", .fmt = MD_FMT_AGE, .hidden = true},
    {.title = "Failure", .path = "$.FailureReason", .fmt = MD_FMT_TEXT, .hidden = true},
    {.title = "ARN", .path = "$.LabelingJobArn", .fmt = MD_FMT_TEXT, .hidden = true},
};
static const struct md_action labeling_actions[] = {
    {.key = 'x', .name = "stop-labeling-job", .label = "Stop labeling job", .confirm = true,
     .mutating = true},
};

/* ---- drift pane ------------------------------------------------------------ */

static const struct md_column schedule_cols[] = {
    {.title = "Name", .path = "$.MonitoringScheduleName", .fmt = MD_FMT_TEXT, .width = 0},
    {.title = "Status", .path = "$.MonitoringScheduleStatus", .fmt = MD_FMT_STATUS, .width = 9},
    {.title = "Type", .path = "$.MonitoringType", .fmt = MD_FMT_TEXT, .width = 11},
    {.title = "Endpoint", .path = "$.EndpointName", .fmt = MD_FMT_TEXT, .width = 16},
    {.title = "Last run", .path = "$.LastMonitoringExecutionSummary.MonitoringExecutionStatus",
     .fmt = MD_FMT_STATUS, .width = 12},
    {.title = "Ran", .path = "$.LastMonitoringExecutionSummary.ScheduledTime",
     .fmt = MD_FMT_AGE, .width = 5},
    {.title = "Cron",
     .path = "$.MonitoringScheduleConfig.ScheduleConfig.ScheduleExpression",
     .fmt = MD_FMT_TEXT, .hidden = true},
    {.title = "Created", .path = "$.CreationTime", .fmt = MD_FMT_AGE, .hidden = true},
    {.title = "ARN", .path = "$.MonitoringScheduleArn", .fmt = MD_FMT_TEXT, .hidden = true},
};
static const struct md_action schedule_actions[] = {
    {.key = 'x', .name = "stop-monitoring-schedule", .label = "Stop monitoring schedule",
     .confirm = true, .mutating = true},
    {.key = 's', .name = "start-monitoring-schedule", .label = "Start monitoring schedule",
     .confirm = true, .mutating = true},
};

static const struct md_column monexec_cols[] = {
    {.title = "Scheduled", .path = "$.ScheduledTime", .fmt = MD_FMT_TIME, .width = 16},
    {.title = "Status", .path = "$.MonitoringExecutionStatus", .fmt = MD_FMT_STATUS,
     .width = 23},
    {.title = "Age", .path = "$.ScheduledTime", .fmt = MD_FMT_AGE, .width = 5},
    {.title = "Duration", .path = "$.CreationTime", .fmt = MD_FMT_SPAN, .width = 8,
     .path2 = "$.LastModifiedTime"},
    {.title = "Endpoint", .path = "$.EndpointName", .fmt = MD_FMT_TEXT, .width = 0},
    {.title = "Type", .path = "$.MonitoringType", .fmt = MD_FMT_TEXT, .hidden = true},
    {.title = "Failure", .path = "$.FailureReason", .fmt = MD_FMT_TEXT, .hidden = true},
    {.title = "Job", .path = "$.ProcessingJobArn", .fmt = MD_FMT_ARN_NAME, .hidden = true},
};

static const struct md_column endpoint_cols[] = {
    {.title = "Name", .path = "$.EndpointName", .fmt = MD_FMT_TEXT, .width = 0},
    {.title = "Status", .path = "$.EndpointStatus", .fmt = MD_FMT_STATUS, .width = 12},
    {.title = "Modified", .path = "$.LastModifiedTime", .fmt = MD_FMT_AGE, .width = 8},
    {.title = "Created", .path = "$.CreationTime", .fmt = MD_FMT_AGE, .width = 8},
    {.title = "ARN", .path = "$.EndpointArn", .fmt = MD_FMT_TEXT, .hidden = true},
};

/* ---- experiments pane (MLflow, epoch milliseconds) ------------------------ */

static const struct md_column tracking_cols[] = {
    {.title = "Name", .path = "$.TrackingServerName", .fmt = MD_FMT_TEXT, .width = 0},
    {.title = "Status", .path = "$.TrackingServerStatus", .fmt = MD_FMT_STATUS, .width = 10},
    {.title = "Active", .path = "$.IsActive", .fmt = MD_FMT_STATUS, .width = 8},
    {.title = "MLflow", .path = "$.MlflowVersion", .fmt = MD_FMT_TEXT, .width = 7},
    {.title = "Created", .path = "$.CreationTime", .fmt = MD_FMT_AGE, .width = 8},
    {.title = "ARN", .path = "$.TrackingServerArn", .fmt = MD_FMT_TEXT, .hidden = true},
};

static const struct md_column experiment_cols[] = {
    {.title = "Name", .path = "$.name", .fmt = MD_FMT_TEXT, .width = 0},
    {.title = "ID", .path = "$.experiment_id", .fmt = MD_FMT_TEXT, .width = 5},
    {.title = "Lifecycle", .path = "$.lifecycle_stage", .fmt = MD_FMT_STATUS, .width = 9},
    {.title = "Runs", .path = "$.mldeck.run_count", .fmt = MD_FMT_INT, .width = 6,
     .path2 = "$.mldeck.run_count_more", .derived = true},
    {.title = "Updated", .path = "$.last_update_time", .fmt = MD_FMT_AGE, .width = 8},
    {.title = "Created", .path = "$.creation_time", .fmt = MD_FMT_AGE, .width = 8},
    {.title = "Note", .path = "$.tags[?key=mlflow.note.content].value", .fmt = MD_FMT_TEXT,
     .hidden = true},
    {.title = "Artifacts", .path = "$.artifact_location", .fmt = MD_FMT_TEXT, .hidden = true},
};

static const struct md_column run_cols[] = {
    {.title = "Name", .path = "$.info.run_name", .fmt = MD_FMT_TEXT, .width = 0},
    {.title = "Status", .path = "$.info.status", .fmt = MD_FMT_STATUS, .width = 8},
    {.title = "Started", .path = "$.info.start_time", .fmt = MD_FMT_AGE, .width = 7},
    {.title = "Duration", .path = "$.info.start_time", .fmt = MD_FMT_SPAN, .width = 8,
     .path2 = "$.info.end_time"},
    {.title = "User", .path = "$.info.user_id", .fmt = MD_FMT_TEXT, .width = 7},
    {.title = "imgsz", .path = "$.data.params[?key=imgsz].value", .fmt = MD_FMT_INT, .width = 5},
    {.title = "mAP50", .path = "$.data.metrics[?key=metrics/mAP50B].value", .fmt = MD_FMT_FLOAT,
     .width = 6},
    {.title = "mAP50-95", .path = "$.data.metrics[?key=metrics/mAP50-95B].value",
     .fmt = MD_FMT_FLOAT, .width = 8},
    {.title = "box_loss", .path = "$.data.metrics[?key=train/box_loss].value",
     .fmt = MD_FMT_FLOAT, .hidden = true},
    {.title = "val_cls_loss", .path = "$.data.metrics[?key=val/cls_loss].value",
     .fmt = MD_FMT_FLOAT, .hidden = true},
    {.title = "lr_pg0", .path = "$.data.metrics[?key=lr/pg0].value", .fmt = MD_FMT_FLOAT,
     .hidden = true},
    {.title = "epochs", .path = "$.data.params[?key=epochs].value", .fmt = MD_FMT_INT,
     .hidden = true},
    {.title = "batch", .path = "$.data.params[?key=batch].value", .fmt = MD_FMT_INT,
     .hidden = true},
    {.title = "lr0", .path = "$.data.params[?key=lr0].value", .fmt = MD_FMT_FLOAT,
     .hidden = true},
    {.title = "model", .path = "$.data.params[?key=model].value", .fmt = MD_FMT_TEXT,
     .hidden = true},
    {.title = "Run ID", .path = "$.info.run_id", .fmt = MD_FMT_TEXT, .hidden = true},
    {.title = "Training job", .path = "$.data.tags[?key=sagemaker.training_job].value",
     .fmt = MD_FMT_TEXT, .hidden = true},
};

static const struct md_column history_cols[] = {
    {.title = "Key", .path = "$.metrics[0].key", .fmt = MD_FMT_TEXT, .width = 0},
    {.title = "Points", .path = "$.metrics", .fmt = MD_FMT_COUNT, .width = 7},
    {.title = "First", .path = "$.metrics[0].timestamp", .fmt = MD_FMT_AGE, .width = 7},
};

static const struct md_column model_cols[] = {
    {.title = "Name", .path = "$.name", .fmt = MD_FMT_TEXT, .width = 18},
    {.title = "Aliases", .path = "$.aliases", .fmt = MD_FMT_TEXT, .width = 24},
    {.title = "Updated", .path = "$.last_updated_timestamp", .fmt = MD_FMT_AGE, .width = 8},
    {.title = "Description", .path = "$.description", .fmt = MD_FMT_TEXT},
    {.title = "Created", .path = "$.creation_timestamp", .fmt = MD_FMT_AGE, .hidden = true},
    {.title = "Tags", .path = "$.tags", .fmt = MD_FMT_TEXT, .hidden = true},
};

static const struct md_column version_cols[] = {
    {.title = "Version", .path = "$.version", .fmt = MD_FMT_INT, .width = 7},
    {.title = "Aliases", .path = "$.aliases", .fmt = MD_FMT_TEXT, .width = 11},
    {.title = "Stage", .path = "$.current_stage", .fmt = MD_FMT_TEXT, .width = 10},
    {.title = "Status", .path = "$.status", .fmt = MD_FMT_STATUS, .width = 7},
    {.title = "Created", .path = "$.creation_timestamp", .fmt = MD_FMT_AGE, .width = 7},
    {.title = "Description", .path = "$.description", .fmt = MD_FMT_TEXT},
    {.title = "Run", .path = "$.run_id", .fmt = MD_FMT_TEXT, .hidden = true},
    {.title = "Source", .path = "$.source", .fmt = MD_FMT_TEXT, .hidden = true},
    {.title = "Tags", .path = "$.tags", .fmt = MD_FMT_TEXT, .hidden = true},
};

/* ---- datasets pane (S3, ISO 8601) ------------------------------------------ */

static const struct md_column dataset_cols[] = {
    {.title = "Prefix", .path = "$.Prefix", .fmt = MD_FMT_TEXT, .width = 0},
};

static const struct md_column object_cols[] = {
    {.title = "Key", .path = "$.Key", .fmt = MD_FMT_TEXT, .width = 0},
    {.title = "Size", .path = "$.Size", .fmt = MD_FMT_BYTES, .width = 9},
    {.title = "Modified", .path = "$.LastModified", .fmt = MD_FMT_AGE, .width = 8},
    {.title = "Class", .path = "$.StorageClass", .fmt = MD_FMT_TEXT, .width = 8},
    {.title = "Time", .path = "$.LastModified", .fmt = MD_FMT_TIME, .hidden = true},
    {.title = "ETag", .path = "$.ETag", .fmt = MD_FMT_TEXT, .hidden = true},
};

/* ---- the table ------------------------------------------------------------- */

const struct md_kind md_kinds[] = {
    {.name = "datasets", .title = "Datasets", .aliases = "dataset ds",
     .pane = "datasets", .child = "objects", .id_path = "$.Prefix", .label_path = "$.Prefix",
     .copy_path = "$.Prefix", .time_enc = MD_TIME_ISO8601,
     .columns = dataset_cols, .ncolumns = N(dataset_cols), .sort_column = 0,
     .source = "S3 ListObjectsV2 CommonPrefixes[]",
     .summary = "dataset prefixes in the datasets bucket"},
    {.name = "objects", .title = "Objects", .aliases = "object obj files",
     .pane = "datasets", .parent = "datasets", .id_path = "$.Key", .label_path = "$.Key",
     .copy_path = "$.Key", .time_enc = MD_TIME_ISO8601,
     .columns = object_cols, .ncolumns = N(object_cols), .sort_column = 0,
     .source = "S3 ListObjectsV2 Contents[]",
     .summary = "images, labels and manifests under a dataset prefix"},

    {.name = "labeling-jobs", .title = "Labeling jobs", .aliases = "labeling lj labels gt",
     .pane = "labeling", .id_path = "$.LabelingJobName", .label_path = "$.LabelingJobName",
     .copy_path = "$.LabelingJobArn", .time_enc = MD_TIME_EPOCH_S,
     .status_path = "$.LabelingJobStatus",
     .columns = labeling_cols, .ncolumns = N(labeling_cols),
     .actions = labeling_actions, .nactions = N(labeling_actions),
     .sort_column = 7, .sort_desc = true, .source = "DescribeLabelingJob",
     .summary = "Ground Truth labeling jobs with their label counters"},

    {.name = "pipelines", .title = "Pipelines", .aliases = "pipeline pl pp",
     .pane = "pipelines", .child = "pipeline-executions", .id_path = "$.PipelineName",
     .label_path = "$.PipelineName", .copy_path = "$.PipelineArn",
     .time_enc = MD_TIME_EPOCH_S, .columns = pipeline_cols, .ncolumns = N(pipeline_cols),
     .actions = pipeline_actions, .nactions = N(pipeline_actions),
     .sort_column = 2, .sort_desc = true, .source = "ListPipelines PipelineSummaries[]",
     .summary = "SageMaker pipelines, most recently run first"},
    {.name = "pipeline-executions", .title = "Executions",
     .aliases = "executions execution pe exec", .pane = "pipelines", .parent = "pipelines",
     .child = "pipeline-steps", .id_path = "$.PipelineExecutionArn",
     .label_path = "$.PipelineExecutionDisplayName", .copy_path = "$.PipelineExecutionArn",
     .time_enc = MD_TIME_EPOCH_S, .status_path = "$.PipelineExecutionStatus",
     .columns = execution_cols, .ncolumns = N(execution_cols),
     .actions = execution_actions, .nactions = N(execution_actions),
     .sort_column = 2, .sort_desc = true, .source = "DescribePipelineExecution",
     .summary = "executions of a pipeline; duration is live while executing"},
    {.name = "pipeline-steps", .title = "Steps", .aliases = "steps step ps",
     .pane = "pipelines", .parent = "pipeline-executions", .id_path = "$.StepName",
     .id_in_parent = true, .label_path = "$.StepName", .copy_path = "$.StepName",
     .time_enc = MD_TIME_EPOCH_S, .status_path = "$.StepStatus",
     .columns = step_cols, .ncolumns = N(step_cols), .sort_column = 3, .sort_desc = false,
     .source = "ListPipelineExecutionSteps PipelineExecutionSteps[]",
     .summary = "steps of an execution with the job behind each"},
    {.name = "training-jobs", .title = "Training jobs", .aliases = "training-job training tj",
     .pane = "pipelines", .id_path = "$.TrainingJobName", .label_path = "$.TrainingJobName",
     .copy_path = "$.TrainingJobArn", .time_enc = MD_TIME_EPOCH_S,
     .status_path = "$.TrainingJobStatus", .columns = training_cols,
     .ncolumns = N(training_cols), .actions = training_actions,
     .nactions = N(training_actions), .sort_column = 5, .sort_desc = true,
     .source = "DescribeTrainingJob",
     .summary = "SageMaker training jobs: instances, spot savings, final metrics"},
    {.name = "processing-jobs", .title = "Processing jobs",
     .aliases = "processing-job processing pj", .pane = "pipelines",
     .id_path = "$.ProcessingJobName", .label_path = "$.ProcessingJobName",
     .copy_path = "$.ProcessingJobArn", .time_enc = MD_TIME_EPOCH_S,
     .status_path = "$.ProcessingJobStatus", .columns = processing_cols,
     .ncolumns = N(processing_cols), .actions = processing_actions,
     .nactions = N(processing_actions), .sort_column = 3, .sort_desc = true,
     .source = "DescribeProcessingJob",
     .summary = "preprocessing and evaluation jobs"},

    {.name = "experiments", .title = "Experiments", .aliases = "experiment exp ex",
     .pane = "experiments", .child = "runs", .id_path = "$.experiment_id",
     .label_path = "$.name", .copy_path = "$.experiment_id", .time_enc = MD_TIME_EPOCH_MS,
     .status_path = "$.lifecycle_stage", .columns = experiment_cols,
     .ncolumns = N(experiment_cols), .sort_column = 4, .sort_desc = true,
     .source = "MLflow experiments/search experiments[]",
     .summary = "MLflow experiments"},
    {.name = "runs", .title = "Runs", .aliases = "run r", .pane = "experiments",
     .parent = "experiments", .child = "metric-histories", .id_path = "$.info.run_id",
     .label_path = "$.info.run_name", .copy_path = "$.info.run_id",
     .time_enc = MD_TIME_EPOCH_MS, .status_path = "$.info.status", .columns = run_cols,
     .ncolumns = N(run_cols), .sort_column = 2, .sort_desc = true,
     .source = "MLflow runs/search runs[]",
     .summary = "MLflow runs with YOLO11 params and latest metrics"},
    {.name = "metric-histories", .title = "Metric histories",
     .aliases = "metric-history metrics history mh", .pane = "experiments",
     .parent = "runs", .id_path = "$.metrics[0].key", .id_in_parent = true,
     .label_path = "$.metrics[0].key", .copy_path = "$.metrics[0].key",
     .time_enc = MD_TIME_EPOCH_MS, .columns = history_cols, .ncolumns = N(history_cols),
     .sort_column = 0, .source = "MLflow metrics/get-history (one key)",
     .summary = "per-step history of one metric of a run (what charts draw)"},
    {.name = "registered-models", .title = "Registered models",
     .aliases = "models model rm registry", .pane = "experiments",
     .child = "model-versions", .id_path = "$.name", .label_path = "$.name",
     .copy_path = "$.name", .time_enc = MD_TIME_EPOCH_MS, .columns = model_cols,
     .ncolumns = N(model_cols), .sort_column = 2, .sort_desc = true,
     .source = "MLflow registered-models/search registered_models[]",
     .summary = "MLflow model registry"},
    {.name = "model-versions", .title = "Model versions", .aliases = "versions version mv",
     .pane = "experiments", .parent = "registered-models", .id_path = "$.version",
     .id_in_parent = true, .label_path = "$.version", .copy_path = "$.source",
     .time_enc = MD_TIME_EPOCH_MS, .status_path = "$.status", .columns = version_cols,
     .ncolumns = N(version_cols), .sort_column = 4, .sort_desc = true,
     .source = "MLflow model-versions/get model_version",
     .summary = "versions of a registered model with aliases and source run"},
    {.name = "tracking-servers", .title = "Tracking servers",
     .aliases = "tracking-server mlflow-servers ts", .pane = "experiments",
     .id_path = "$.TrackingServerName", .label_path = "$.TrackingServerName",
     .copy_path = "$.TrackingServerArn", .time_enc = MD_TIME_EPOCH_S,
     .status_path = "$.TrackingServerStatus", .columns = tracking_cols,
     .ncolumns = N(tracking_cols), .sort_column = 0,
     .source = "ListMlflowTrackingServers TrackingServerSummaries[]",
     .summary = "SageMaker-managed MLflow tracking servers"},

    {.name = "monitoring-schedules", .title = "Monitoring schedules",
     .aliases = "monitoring-schedule monitors schedules ms drift", .pane = "drift",
     .child = "monitoring-executions", .id_path = "$.MonitoringScheduleName",
     .label_path = "$.MonitoringScheduleName", .copy_path = "$.MonitoringScheduleArn",
     .time_enc = MD_TIME_EPOCH_S, .status_path = "$.MonitoringScheduleStatus",
     .columns = schedule_cols, .ncolumns = N(schedule_cols),
     .actions = schedule_actions, .nactions = N(schedule_actions), .sort_column = 0,
     .source = "DescribeMonitoringSchedule",
     .summary = "Model Monitor schedules per endpoint"},
    {.name = "monitoring-executions", .title = "Monitoring executions",
     .aliases = "monitoring-execution monitor-runs me", .pane = "drift",
     .parent = "monitoring-schedules", .id_path = "$.ScheduledTime", .id_in_parent = true,
     .label_path = "$.ScheduledTime", .copy_path = "$.ProcessingJobArn",
     .time_enc = MD_TIME_EPOCH_S, .status_path = "$.MonitoringExecutionStatus",
     .columns = monexec_cols, .ncolumns = N(monexec_cols), .sort_column = 0,
     .sort_desc = true, .source = "ListMonitoringExecutions MonitoringExecutionSummaries[]",
     .summary = "monitoring runs of a schedule; CompletedWithViolations = drift"},
    {.name = "endpoints", .title = "Endpoints", .aliases = "endpoint ep", .pane = "drift",
     .id_path = "$.EndpointName", .label_path = "$.EndpointName",
     .copy_path = "$.EndpointArn", .time_enc = MD_TIME_EPOCH_S,
     .status_path = "$.EndpointStatus", .columns = endpoint_cols,
     .ncolumns = N(endpoint_cols), .sort_column = 0,
     .source = "ListEndpoints Endpoints[]",
     .summary = "SageMaker inference endpoints"},
};

const size_t md_nkinds = N(md_kinds);
