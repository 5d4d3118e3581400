# src/local: providers that need no account: a local MLflow file store
# (mlruns) and the demo workspace.
# --- mlflow helper: the MLflow file store reader (keep these lines together) ---
noinst_LIBRARIES += src/local/libmd-local.a
MD_AREA_LIBS += src/local/libmd-local.a
src_local_libmd_local_a_SOURCES = \
	src/local/mlruns.c src/local/mlruns.h \
	src/local/mlruns_yaml.c src/local/mlruns_yaml.h

check_PROGRAMS += tests/mlflow/mlruns_dump
tests_mlflow_mlruns_dump_SOURCES = tests/mlflow/mlruns_dump.c
tests_mlflow_mlruns_dump_LDADD = src/local/libmd-local.a src/util/libmd-util.a $(MD_DEP_LIBS)
TESTS += tests/mlflow/test_mlruns_store.py
dist_check_SCRIPTS += tests/mlflow/test_mlruns_store.py
check_PROGRAMS += tests/unit/test_mlruns
TESTS += tests/unit/test_mlruns
tests_unit_test_mlruns_SOURCES = tests/unit/test_mlruns.c tests/tap.h
tests_unit_test_mlruns_LDADD = src/local/libmd-local.a src/util/libmd-util.a $(MD_DEP_LIBS)
# --- end mlflow helper ---

# --- demo helper: the demo workspace loader and provider (own archive so it
# links without the file-store reader) ---
noinst_LIBRARIES += src/local/libmd-demo.a
MD_AREA_LIBS += src/local/libmd-demo.a
src_local_libmd_demo_a_SOURCES = \
	src/local/demo.c src/local/demo.h \
	src/local/demo_provider.c

check_PROGRAMS += tests/demo/test_demo_load
TESTS += tests/demo/test_demo_load
tests_demo_test_demo_load_SOURCES = tests/demo/test_demo_load.c tests/tap.h
tests_demo_test_demo_load_LDADD = src/local/libmd-demo.a src/kind/libmd-kind.a \
	src/cache/libmd-cache.a src/util/libmd-util.a $(MD_DEP_LIBS)

check_PROGRAMS += tests/demo/test_demo_provider
TESTS += tests/demo/test_demo_provider
tests_demo_test_demo_provider_SOURCES = tests/demo/test_demo_provider.c tests/tap.h
tests_demo_test_demo_provider_LDADD = src/local/libmd-demo.a src/sync/libmd-sync.a \
	src/kind/libmd-kind.a src/cache/libmd-cache.a src/util/libmd-util.a $(MD_DEP_LIBS)

# Benchmark (not part of make check): BUILDDIR/tests/bench/demo/bench_demo [RUNS]
noinst_PROGRAMS += tests/bench/demo/bench_demo
tests_bench_demo_bench_demo_SOURCES = tests/bench/demo/bench_demo.c
tests_bench_demo_bench_demo_LDADD = src/local/libmd-demo.a src/kind/libmd-kind.a \
	src/cache/libmd-cache.a src/util/libmd-util.a $(MD_DEP_LIBS)
EXTRA_DIST += tests/fuzz/fuzz_demo.c
# --- end demo helper ---
