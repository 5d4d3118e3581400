# src/mlflow: MLflow tracking client (REST, SageMaker-managed), search-filter
# language, the experiments provider.  Helper "mlflow".
noinst_LIBRARIES += src/mlflow/libmd-mlflow.a
MD_AREA_LIBS += src/mlflow/libmd-mlflow.a
src_mlflow_libmd_mlflow_a_SOURCES = \
	src/mlflow/filter.c src/mlflow/filter.h \
	src/mlflow/client.c src/mlflow/client.h \
	src/mlflow/provider.c src/mlflow/provider.h \
	src/mlflow/series.c src/mlflow/series.h
# What a program using the MLflow client links, in dependency order.
MD_MLFLOW_LIBS = src/mlflow/libmd-mlflow.a src/local/libmd-local.a src/aws/libmd-aws.a \
	src/net/libmd-net.a src/util/libmd-util.a

check_PROGRAMS += tests/unit/test_filter
TESTS += tests/unit/test_filter
tests_unit_test_filter_SOURCES = tests/unit/test_filter.c tests/tap.h
tests_unit_test_filter_LDADD = src/mlflow/libmd-mlflow.a src/util/libmd-util.a $(MD_DEP_LIBS)
check_PROGRAMS += tests/unit/test_series
TESTS += tests/unit/test_series
tests_unit_test_series_SOURCES = tests/unit/test_series.c tests/tap.h
tests_unit_test_series_LDADD = src/mlflow/libmd-mlflow.a src/util/libmd-util.a $(MD_DEP_LIBS)
check_PROGRAMS += tests/unit/test_mlflow_client
TESTS += tests/unit/test_mlflow_client
tests_unit_test_mlflow_client_SOURCES = tests/unit/test_mlflow_client.c tests/tap.h
tests_unit_test_mlflow_client_LDADD = $(MD_MLFLOW_LIBS) $(MD_DEP_LIBS)

EXTRA_DIST += tests/servers/mlflow_server.py tests/servers/mlflow_search.py \
	tests/servers/mlflow_state.py tests/mlflow/mlflow_testlib.py
TESTS += tests/mlflow/test_server_fixtures.py tests/mlflow/test_cli_server.py
EXTRA_DIST += tests/mlflow/test_server_fixtures.py tests/mlflow/test_cli_server.py

# The provider through real sync workers and cache, against the test server.
check_PROGRAMS += tests/mlflow/mlflow_provider_check
tests_mlflow_mlflow_provider_check_SOURCES = tests/mlflow/mlflow_provider_check.c
tests_mlflow_mlflow_provider_check_LDADD = src/sync/libmd-sync.a src/mlflow/libmd-mlflow.a \
	src/local/libmd-local.a src/aws/libmd-aws.a src/net/libmd-net.a src/kind/libmd-kind.a \
	src/cache/libmd-cache.a src/util/libmd-util.a $(MD_DEP_LIBS)
TESTS += tests/mlflow/test_provider.py
EXTRA_DIST += tests/mlflow/test_provider.py

# Fuzz targets (built by hand with clang -fsanitize=fuzzer; see each file);
# their MD_FUZZ_MAIN builds replay the corpora in make check.
check_PROGRAMS += tests/fuzz/replay_mlflow_filter tests/fuzz/replay_mlruns_yaml \
	tests/fuzz/replay_mlruns_metrics tests/fuzz/replay_mlflow_series
TESTS += tests/fuzz/replay_mlflow_filter tests/fuzz/replay_mlruns_yaml \
	tests/fuzz/replay_mlruns_metrics tests/fuzz/replay_mlflow_series
tests_fuzz_replay_mlflow_series_SOURCES = tests/fuzz/fuzz_mlflow_series.c
tests_fuzz_replay_mlflow_series_CPPFLAGS = $(AM_CPPFLAGS) -DMD_FUZZ_MAIN
tests_fuzz_replay_mlflow_series_LDADD = src/mlflow/libmd-mlflow.a src/util/libmd-util.a $(MD_DEP_LIBS)
tests_fuzz_replay_mlflow_filter_SOURCES = tests/fuzz/fuzz_mlflow_filter.c
tests_fuzz_replay_mlflow_filter_CPPFLAGS = $(AM_CPPFLAGS) -DMD_FUZZ_MAIN
tests_fuzz_replay_mlflow_filter_LDADD = src/mlflow/libmd-mlflow.a src/util/libmd-util.a $(MD_DEP_LIBS)
tests_fuzz_replay_mlruns_yaml_SOURCES = tests/fuzz/fuzz_mlruns_yaml.c
tests_fuzz_replay_mlruns_yaml_CPPFLAGS = $(AM_CPPFLAGS) -DMD_FUZZ_MAIN
tests_fuzz_replay_mlruns_yaml_LDADD = src/local/libmd-local.a src/util/libmd-util.a $(MD_DEP_LIBS)
tests_fuzz_replay_mlruns_metrics_SOURCES = tests/fuzz/fuzz_mlruns_metrics.c
tests_fuzz_replay_mlruns_metrics_CPPFLAGS = $(AM_CPPFLAGS) -DMD_FUZZ_MAIN
tests_fuzz_replay_mlruns_metrics_LDADD = src/local/libmd-local.a src/util/libmd-util.a $(MD_DEP_LIBS)
EXTRA_DIST += tests/bench/mlflow/run.sh
EXTRA_DIST += tests/fuzz/corpus/mlflow_filter/issue tests/fuzz/corpus/mlflow_filter/in_like \
	tests/fuzz/corpus/mlflow_filter/bad_cmp tests/fuzz/corpus/mlflow_filter/attrs \
	tests/fuzz/corpus/mlruns_yaml/experiment tests/fuzz/corpus/mlruns_yaml/model \
	tests/fuzz/corpus/mlruns_yaml/run tests/fuzz/corpus/mlruns_yaml/mixed \
	tests/fuzz/corpus/mlruns_metrics/basic tests/fuzz/corpus/mlruns_metrics/real \
	tests/fuzz/corpus/mlflow_series/nan tests/fuzz/corpus/mlflow_series/row
