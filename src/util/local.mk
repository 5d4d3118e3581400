# src/util: errors, buffers, the JSON helper, XDG paths, the log.
noinst_LIBRARIES += src/util/libmd-util.a
MD_AREA_LIBS += src/util/libmd-util.a
src_util_libmd_util_a_SOURCES = \
	src/util/err.c src/util/err.h \
	src/util/buf.c src/util/buf.h \
	src/util/json.c src/util/json.h \
	src/util/xdg.c src/util/xdg.h \
	src/util/log.c src/util/log.h \
	src/util/settings.c src/util/settings.h \
	src/util/rand.c src/util/rand.h

check_PROGRAMS += tests/unit/test_util
TESTS += tests/unit/test_util
tests_unit_test_util_SOURCES = tests/unit/test_util.c tests/tap.h
tests_unit_test_util_LDADD = src/util/libmd-util.a $(MD_DEP_LIBS)
