# Written by data/demo/generate.py: what `make install` copies to
# $(pkgdatadir)/demo.  Do not edit; run the generator.
demodir = $(pkgdatadir)/demo
dist_demo_DATA = \
	data/demo/manifest.json \
	data/demo/pipelines.json \
	data/demo/pipeline-executions.json \
	data/demo/pipeline-steps.json \
	data/demo/training-jobs.json \
	data/demo/processing-jobs.json \
	data/demo/labeling-jobs.json \
	data/demo/monitoring-schedules.json \
	data/demo/monitoring-executions.json \
	data/demo/endpoints.json \
	data/demo/tracking-servers.json \
	data/demo/experiments.json \
	data/demo/runs.json \
	data/demo/metric-histories.json \
	data/demo/registered-models.json \
	data/demo/model-versions.json \
	data/demo/datasets.json \
	data/demo/objects.json \
	data/demo/log-events.json \
	data/demo/monitoring-reports.json
demoimagesdir = $(demodir)/images
dist_demoimages_DATA = \
	data/demo/images/data.yaml
demoimagesimagestraindir = $(demodir)/images/images/train
dist_demoimagesimagestrain_DATA = \
	data/demo/images/images/train/train_0000.jpg \
	data/demo/images/images/train/train_0016.jpg \
	data/demo/images/images/train/train_0032.jpg \
	data/demo/images/images/train/train_0048.jpg \
	data/demo/images/images/train/train_0064.jpg \
	data/demo/images/images/train/train_0080.jpg \
	data/demo/images/images/train/train_0096.jpg \
	data/demo/images/images/train/train_0112.jpg \
	data/demo/images/images/train/train_0128.jpg \
	data/demo/images/images/train/train_0144.jpg \
	data/demo/images/images/train/train_0160.jpg \
	data/demo/images/images/train/train_0176.jpg \
	data/demo/images/images/train/train_0192.jpg \
	data/demo/images/images/train/train_0208.jpg \
	data/demo/images/images/train/train_0224.jpg \
	data/demo/images/images/train/train_0240.jpg \
	data/demo/images/images/train/train_0256.jpg \
	data/demo/images/images/train/train_0272.jpg \
	data/demo/images/images/train/train_0288.jpg \
	data/demo/images/images/train/train_0304.jpg \
	data/demo/images/images/train/train_0320.jpg \
	data/demo/images/images/train/train_0336.jpg \
	data/demo/images/images/train/train_0352.jpg \
	data/demo/images/images/train/train_0368.jpg \
	data/demo/images/images/train/train_0384.jpg
demoimagesimagesvaldir = $(demodir)/images/images/val
dist_demoimagesimagesval_DATA = \
	data/demo/images/images/val/val_0000.jpg \
	data/demo/images/images/val/val_0010.jpg \
	data/demo/images/images/val/val_0020.jpg \
	data/demo/images/images/val/val_0030.jpg \
	data/demo/images/images/val/val_0040.jpg \
	data/demo/images/images/val/val_0050.jpg \
	data/demo/images/images/val/val_0060.jpg \
	data/demo/images/images/val/val_0070.jpg
demoimageslabelstraindir = $(demodir)/images/labels/train
dist_demoimageslabelstrain_DATA = \
	data/demo/images/labels/train/train_0000.txt \
	data/demo/images/labels/train/train_0016.txt \
	data/demo/images/labels/train/train_0032.txt \
	data/demo/images/labels/train/train_0048.txt \
	data/demo/images/labels/train/train_0064.txt \
	data/demo/images/labels/train/train_0080.txt \
	data/demo/images/labels/train/train_0096.txt \
	data/demo/images/labels/train/train_0112.txt \
	data/demo/images/labels/train/train_0128.txt \
	data/demo/images/labels/train/train_0144.txt \
	data/demo/images/labels/train/train_0160.txt \
	data/demo/images/labels/train/train_0176.txt \
	data/demo/images/labels/train/train_0192.txt \
	data/demo/images/labels/train/train_0208.txt \
	data/demo/images/labels/train/train_0224.txt \
	data/demo/images/labels/train/train_0240.txt \
	data/demo/images/labels/train/train_0256.txt \
	data/demo/images/labels/train/train_0272.txt \
	data/demo/images/labels/train/train_0288.txt \
	data/demo/images/labels/train/train_0304.txt \
	data/demo/images/labels/train/train_0320.txt \
	data/demo/images/labels/train/train_0336.txt \
	data/demo/images/labels/train/train_0352.txt \
	data/demo/images/labels/train/train_0368.txt \
	data/demo/images/labels/train/train_0384.txt
demoimageslabelsvaldir = $(demodir)/images/labels/val
dist_demoimageslabelsval_DATA = \
	data/demo/images/labels/val/val_0000.txt \
	data/demo/images/labels/val/val_0010.txt \
	data/demo/images/labels/val/val_0020.txt \
	data/demo/images/labels/val/val_0030.txt \
	data/demo/images/labels/val/val_0040.txt \
	data/demo/images/labels/val/val_0050.txt \
	data/demo/images/labels/val/val_0060.txt \
	data/demo/images/labels/val/val_0070.txt
EXTRA_DIST += data/demo/generate.py data/demo/files.mk
