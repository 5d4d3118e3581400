# src/data: images (PNG/JPEG decoding with EXIF orientation, PNG writing,
# OpenCV-exact bilinear resize, drawing).
noinst_LIBRARIES += src/data/libmd-data.a
MD_AREA_LIBS += src/data/libmd-data.a
src_data_libmd_data_a_SOURCES = \
	src/data/image.c src/data/image.h \
	src/data/resize.c src/data/draw.c

# Line charts (helper experiments-ui): the shared chart math and the PNG
# renderer used by the chart view's `p` and `mldeck chart`.
src_data_libmd_data_a_SOURCES += src/data/chart_math.c src/data/chart_math.h \
	src/data/plot_png.c src/data/plot_png.h
check_PROGRAMS += tests/unit/test_chart tests/unit/test_chart_png
TESTS += tests/unit/test_chart tests/unit/test_chart_png
tests_unit_test_chart_SOURCES = tests/unit/test_chart.c tests/tap.h
tests_unit_test_chart_LDADD = src/data/libmd-data.a src/util/libmd-util.a $(MD_DEP_LIBS)
tests_unit_test_chart_png_SOURCES = tests/unit/test_chart_png.c tests/tap.h
tests_unit_test_chart_png_LDADD = src/data/libmd-data.a src/util/libmd-util.a $(MD_DEP_LIBS)
# `mldeck chart` end to end (demo runs and the MLflow test server), PNG decoded in Python.
TESTS += tests/unit/test_chart_cli.py
EXTRA_DIST += tests/unit/test_chart_cli.py
# By hand: the chart fuzz target, the experiments pane benchmark.
EXTRA_DIST += tests/fuzz/fuzz_chart.c tests/bench/experiments/run.sh
