# data

# Templates: the YOLO11 training pipeline definition the team runs.
templatesdir = $(pkgdatadir)/templates
dist_templates_DATA = data/templates/yolo11-train-pipeline.json
