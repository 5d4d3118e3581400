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
