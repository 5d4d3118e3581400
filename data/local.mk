# data

# Templates: the YOLO11 training pipeline definition the team runs.
templatesdir = $(pkgdatadir)/templates
dist_templates_DATA = data/templates/yolo11-train-pipeline.json

# The trained drone's-eye detector (YOLO11n, 4 classes, 320 px): the default
# model of `mldeck infer` demos and the inference pane.
modelsdir = $(pkgdatadir)/models
dist_models_DATA = data/models/aerial4_yolo11n_320.onnx

# Demo workspace: the files `mldeck --demo` loads (data/demo/files.mk is
# written by data/demo/generate.py together with the data).
include data/demo/files.mk
TESTS += tests/demo/test_demo_shapes.py tests/demo/test_demo_content.py
dist_check_SCRIPTS += tests/demo/test_demo_shapes.py tests/demo/test_demo_content.py
