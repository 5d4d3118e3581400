/* Models packaged as SageMaker training output: a model.tar.gz holding the
 * exported .onnx somewhere inside.  The archive is unpacked (only its .onnx
 * members) by the system tar into a private temporary directory. */
#ifndef MD_YOLO_ARCHIVE_H
#define MD_YOLO_ARCHIVE_H

#include "util/err.h"

/* 1 if the file starts with the gzip magic, 0 if not, -1 if unreadable. */
int md_yolo_is_gzip(const char *path);

/* Extracts the model from a .tar.gz: the only .onnx member, or "best.onnx"
 * when there are several.  *onnx_path and *tmpdir are malloc'd; the caller
 * loads the file, then calls md_yolo_remove_tree(*tmpdir) and frees both. */
md_status md_yolo_extract_onnx(const char *targz, char **onnx_path, char **tmpdir, struct md_err *err);
void md_yolo_remove_tree(const char *dir);

#endif
