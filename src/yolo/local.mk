# src/yolo: ONNX reader, execution plan and kernels on OpenBLAS, letterbox,
# NMS, and the detector API (yolo.h).  The flags let GCC vectorise the
# kernels' loops even under the default -O2 (CFLAGS comes last).
noinst_LIBRARIES += src/yolo/libmd-yolo.a
MD_AREA_LIBS += src/yolo/libmd-yolo.a
src_yolo_libmd_yolo_a_CFLAGS = $(AM_CFLAGS) -O3 -fno-trapping-math -ftree-vectorize \
	-fvect-cost-model=dynamic
src_yolo_libmd_yolo_a_SOURCES = \
	src/yolo/pb.c src/yolo/pb.h \
	src/yolo/onnx.c src/yolo/onnx.h \
	src/yolo/graph.h src/yolo/plan.c src/yolo/ops.c src/yolo/conv.c src/yolo/dconv.c src/yolo/dconv.h src/yolo/wino.c \
	src/yolo/pool.c src/yolo/pool.h src/yolo/vmath.h src/yolo/act.c src/yolo/act.h \
	src/yolo/letterbox.c src/yolo/nms.c \
	src/yolo/archive.c src/yolo/archive.h src/yolo/blas.c src/yolo/blas.h \
	src/yolo/yolo.c src/yolo/yolo.h

check_PROGRAMS += tests/unit/test_yolo
TESTS += tests/unit/test_yolo
tests_unit_test_yolo_SOURCES = tests/unit/test_yolo.c tests/tap.h
tests_unit_test_yolo_LDADD = src/yolo/libmd-yolo.a src/data/libmd-data.a src/util/libmd-util.a $(MD_DEP_LIBS)

# The inference benchmark's mldeck side (tests/bench/infer/run.sh runs it).
noinst_PROGRAMS += tests/bench/infer/bench_yolo
tests_bench_infer_bench_yolo_SOURCES = tests/bench/infer/bench_yolo.c
tests_bench_infer_bench_yolo_LDADD = src/yolo/libmd-yolo.a src/data/libmd-data.a src/util/libmd-util.a $(MD_DEP_LIBS)
EXTRA_DIST += tests/bench/infer/run.sh tests/bench/infer/ort_bench.js

check_PROGRAMS += tests/unit/test_onnx
TESTS += tests/unit/test_onnx
tests_unit_test_onnx_SOURCES = tests/unit/test_onnx.c tests/tap.h
tests_unit_test_onnx_LDADD = src/yolo/libmd-yolo.a src/data/libmd-data.a src/util/libmd-util.a $(MD_DEP_LIBS)

check_PROGRAMS += tests/unit/test_image
TESTS += tests/unit/test_image
tests_unit_test_image_SOURCES = tests/unit/test_image.c tests/tap.h
tests_unit_test_image_LDADD = src/yolo/libmd-yolo.a src/data/libmd-data.a src/util/libmd-util.a $(MD_DEP_LIBS)

TESTS += tests/unit/test_yolo_cli.sh
dist_check_SCRIPTS += tests/unit/test_yolo_cli.sh

# The fuzz targets' seed corpora, replayed under make check (TAP).
check_PROGRAMS += tests/fuzz/replay_onnx tests/fuzz/replay_image
TESTS += tests/fuzz/replay_onnx tests/fuzz/replay_image
tests_fuzz_replay_onnx_SOURCES = tests/fuzz/fuzz_onnx.c
tests_fuzz_replay_onnx_CPPFLAGS = $(AM_CPPFLAGS) -DMD_FUZZ_MAIN
tests_fuzz_replay_onnx_LDADD = src/yolo/libmd-yolo.a src/data/libmd-data.a src/util/libmd-util.a $(MD_DEP_LIBS)
tests_fuzz_replay_image_SOURCES = tests/fuzz/fuzz_image.c
tests_fuzz_replay_image_CPPFLAGS = $(AM_CPPFLAGS) -DMD_FUZZ_MAIN
tests_fuzz_replay_image_LDADD = src/yolo/libmd-yolo.a src/data/libmd-data.a src/util/libmd-util.a $(MD_DEP_LIBS)
EXTRA_DIST += tests/fuzz/fuzz_onnx.c tests/fuzz/fuzz_image.c \
	tests/fuzz/corpus/onnx/crash-node-without-input.onnx \
	tests/fuzz/corpus/onnx/mutant-01.onnx \
	tests/fuzz/corpus/onnx/mutant-02.onnx \
	tests/fuzz/corpus/onnx/mutant-03.onnx \
	tests/fuzz/corpus/onnx/mutant-04.onnx \
	tests/fuzz/corpus/onnx/mutant-05.onnx \
	tests/fuzz/corpus/onnx/mutant-06.onnx \
	tests/fuzz/corpus/onnx/mutant-07.onnx \
	tests/fuzz/corpus/onnx/mutant-08.onnx \
	tests/fuzz/corpus/onnx/mutant-09.onnx \
	tests/fuzz/corpus/onnx/mutant-10.onnx \
	tests/fuzz/corpus/onnx/mutant-11.onnx \
	tests/fuzz/corpus/onnx/mutant-12.onnx \
	tests/fuzz/corpus/onnx/mutant-13.onnx \
	tests/fuzz/corpus/onnx/mutant-14.onnx \
	tests/fuzz/corpus/onnx/mutant-15.onnx \
	tests/fuzz/corpus/onnx/mutant-16.onnx \
	tests/fuzz/corpus/onnx/mutant-17.onnx \
	tests/fuzz/corpus/onnx/mutant-18.onnx \
	tests/fuzz/corpus/onnx/mutant-19.onnx \
	tests/fuzz/corpus/onnx/mutant-20.onnx \
	tests/fuzz/corpus/onnx/mutant-21.onnx \
	tests/fuzz/corpus/onnx/mutant-22.onnx \
	tests/fuzz/corpus/onnx/mutant-23.onnx \
	tests/fuzz/corpus/onnx/mutant-24.onnx \
	tests/fuzz/corpus/onnx/tiny.onnx \
	tests/fuzz/corpus/image/test_00.jpg \
	tests/fuzz/corpus/image/trunc.png
