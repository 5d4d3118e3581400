/* The inference pane's models and images come through src/app/model_fetch.h
 * (shared with `mldeck infer`): local files, s3://, training-job:, runs:/,
 * models:/ and mlflow-artifacts:/ models, S3 images with their labels. */
#ifndef MD_UI_INFER_FETCH_H
#define MD_UI_INFER_FETCH_H

#include "app/model_fetch.h"

#endif
