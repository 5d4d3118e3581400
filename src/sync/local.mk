# src/sync: the job queue, the worker threads and the event pipe.
noinst_LIBRARIES += src/sync/libmd-sync.a
MD_AREA_LIBS += src/sync/libmd-sync.a
src_sync_libmd_sync_a_SOURCES = \
	src/sync/sync.c src/sync/sync.h src/sync/sync_internal.h \
	src/sync/queue.c \
	src/sync/events.c \
	src/sync/worker.c

check_PROGRAMS += tests/unit/test_sync
TESTS += tests/unit/test_sync
tests_unit_test_sync_SOURCES = tests/unit/test_sync.c tests/tap.h
tests_unit_test_sync_LDADD = src/sync/libmd-sync.a src/kind/libmd-kind.a $(MD_CACHE_TEST_LIBS)
