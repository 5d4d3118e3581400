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
	src/util/rand.c src/util/rand.h \
	src/util/rawjson.c src/util/rawjson.h

check_PROGRAMS += tests/unit/test_util
TESTS += tests/unit/test_util
tests_unit_test_util_SOURCES = tests/unit/test_util.c tests/tap.h
tests_unit_test_util_LDADD = src/util/libmd-util.a $(MD_DEP_LIBS)

# The strict JSON scanner: items cut out of a reply as written, and the
# cache's check that what it stores is JSON.
check_PROGRAMS += tests/unit/test_rawjson
TESTS += tests/unit/test_rawjson
tests_unit_test_rawjson_SOURCES = tests/unit/test_rawjson.c tests/tap.h
tests_unit_test_rawjson_LDADD = src/util/libmd-util.a $(MD_DEP_LIBS)
check_PROGRAMS += tests/fuzz/replay_rawjson
TESTS += tests/fuzz/replay_rawjson
tests_fuzz_replay_rawjson_SOURCES = tests/fuzz/fuzz_rawjson.c
tests_fuzz_replay_rawjson_CPPFLAGS = $(AM_CPPFLAGS) -DMD_FUZZ_MAIN
tests_fuzz_replay_rawjson_LDADD = src/util/libmd-util.a $(MD_DEP_LIBS)
EXTRA_DIST += tests/fuzz/corpus/rawjson/page.json tests/fuzz/corpus/rawjson/nested.json \
	tests/fuzz/corpus/rawjson/lenient.json tests/fuzz/corpus/rawjson/dupkeys.json \
	tests/fuzz/corpus/rawjson/escapedkey.json tests/fuzz/corpus/rawjson/surrogate.json
