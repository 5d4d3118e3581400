# src/yolo: ONNX reader, execution plan and kernels on OpenBLAS, letterbox,
# NMS, and the detector API (yolo.h).  Built at -O3: the activation and
# pooling loops must vectorise.
noinst_LIBRARIES += src/yolo/libmd-yolo.a
MD_AREA_LIBS += src/yolo/libmd-yolo.a
src_yolo_libmd_yolo_a_CFLAGS = $(AM_CFLAGS) -O3
src_yolo_libmd_yolo_a_SOURCES = \
	src/yolo/pb.c src/yolo/pb.h \
	src/yolo/onnx.c src/yolo/onnx.h \
	src/yolo/graph.h src/yolo/plan.c src/yolo/ops.c src/yolo/conv.c \
	src/yolo/pool.c src/yolo/pool.h src/yolo/vmath.h \
	src/yolo/letterbox.c src/yolo/nms.c \
	src/yolo/yolo.c src/yolo/yolo.h

check_PROGRAMS += tests/unit/test_yolo
TESTS += tests/unit/test_yolo
tests_unit_test_yolo_SOURCES = tests/unit/test_yolo.c tests/tap.h
tests_unit_test_yolo_LDADD = src/yolo/libmd-yolo.a src/data/libmd-data.a src/util/libmd-util.a $(MD_DEP_LIBS)
