# src/cache: the SQLite cache (schema and migrations, queries, the md_json
# SQL function).
noinst_LIBRARIES += src/cache/libmd-cache.a
MD_AREA_LIBS += src/cache/libmd-cache.a
src_cache_libmd_cache_a_SOURCES = \
	src/cache/cache.c src/cache/cache.h src/cache/cache_internal.h \
	src/cache/schema.c \
	src/cache/query.c \
	src/cache/sqlfn.c \
	src/cache/run_count.c src/cache/run_count.h \
	src/cache/rewrite.c src/cache/rewrite.h \
	src/cache/last_exec.c src/cache/last_exec.h

MD_CACHE_TEST_LIBS = src/cache/libmd-cache.a src/util/libmd-util.a $(MD_DEP_LIBS)

check_PROGRAMS += tests/unit/test_cache
TESTS += tests/unit/test_cache
tests_unit_test_cache_SOURCES = tests/unit/test_cache.c tests/tap.h
tests_unit_test_cache_LDADD = $(MD_CACHE_TEST_LIBS)

check_PROGRAMS += tests/unit/test_cache_big
TESTS += tests/unit/test_cache_big
tests_unit_test_cache_big_SOURCES = tests/unit/test_cache_big.c tests/tap.h
tests_unit_test_cache_big_LDADD = $(MD_CACHE_TEST_LIBS)

check_PROGRAMS += tests/unit/test_cache_concurrent
TESTS += tests/unit/test_cache_concurrent
tests_unit_test_cache_concurrent_SOURCES = tests/unit/test_cache_concurrent.c tests/tap.h
tests_unit_test_cache_concurrent_LDADD = $(MD_CACHE_TEST_LIBS)

# The fuzz target's seed corpus, replayed (TAP) by make check.
check_PROGRAMS += tests/fuzz/replay_cache
TESTS += tests/fuzz/replay_cache
tests_fuzz_replay_cache_SOURCES = tests/fuzz/fuzz_cache.c
tests_fuzz_replay_cache_CPPFLAGS = $(AM_CPPFLAGS) -DMD_FUZZ_MAIN
tests_fuzz_replay_cache_LDADD = $(MD_CACHE_TEST_LIBS)
EXTRA_DIST += tests/fuzz/corpus/cache/empty tests/fuzz/corpus/cache/garbage-after-magic \
	tests/fuzz/corpus/cache/header-only tests/fuzz/corpus/cache/valid-cache \
	tests/fuzz/corpus/cache/query-plain tests/fuzz/corpus/cache/query-where \
	tests/fuzz/corpus/cache/query-escape tests/fuzz/corpus/cache/query-badpath-oneparent

# Benchmark against plain SQLite: built by make check, run by hand with
# tests/bench/cache/run.sh BUILDDIR.
check_PROGRAMS += tests/bench/cache/bench_cache
tests_bench_cache_bench_cache_SOURCES = tests/bench/cache/bench_cache.c
tests_bench_cache_bench_cache_LDADD = $(MD_CACHE_TEST_LIBS)
EXTRA_DIST += tests/bench/cache/run.sh tests/bench/cache/bench_peer.py

# mldeck's own members of cached objects: run counts, last executions
check_PROGRAMS += tests/unit/test_derived
TESTS += tests/unit/test_derived
tests_unit_test_derived_SOURCES = tests/unit/test_derived.c tests/tap.h
tests_unit_test_derived_LDADD = src/kind/libmd-kind.a $(MD_CACHE_TEST_LIBS)

# --- list-speed: md_cache_upsert_rows (insert-first for new rows) against
# one md_cache_upsert per row ---
check_PROGRAMS += tests/unit/test_upsert_rows
TESTS += tests/unit/test_upsert_rows
tests_unit_test_upsert_rows_SOURCES = tests/unit/test_upsert_rows.c tests/tap.h
tests_unit_test_upsert_rows_LDADD = $(MD_CACHE_TEST_LIBS)
# --- end list-speed ---
