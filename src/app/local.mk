# src/app: the workspace (cache + scope + providers + sync) one run opens.
noinst_LIBRARIES += src/app/libmd-app.a
MD_AREA_LIBS += src/app/libmd-app.a
src_app_libmd_app_a_SOURCES = src/app/workspace.c src/app/workspace.h \
	src/app/action_job.c src/app/action_job.h \
	src/app/model_fetch.c src/app/model_fetch.h

# Model locations (helper model-sources): MODEL parsing, the folder rule,
# local fetches; the remote forms against the MLflow test server; the
# parser's fuzz corpus replayed.  model_fetch.c is compiled into its tests
# so they need only the archives below, not the whole workspace.
MD_MODEL_FETCH_LIBS = src/yolo/libmd-yolo.a src/data/libmd-data.a $(MD_MLFLOW_LIBS) \
	src/aws/libmd-awsprov.a src/aws/libmd-aws.a src/net/libmd-net.a src/util/libmd-util.a
check_PROGRAMS += tests/unit/test_model_src tests/fuzz/replay_model_src
TESTS += tests/unit/test_model_src tests/fuzz/replay_model_src
tests_unit_test_model_src_SOURCES = tests/unit/test_model_src.c tests/tap.h \
	src/app/model_fetch.c src/app/model_fetch.h
tests_unit_test_model_src_LDADD = $(MD_MODEL_FETCH_LIBS) $(MD_DEP_LIBS)
tests_fuzz_replay_model_src_SOURCES = tests/fuzz/fuzz_model_src.c src/app/model_fetch.c \
	src/app/model_fetch.h
tests_fuzz_replay_model_src_CPPFLAGS = $(AM_CPPFLAGS) -DMD_FUZZ_MAIN
tests_fuzz_replay_model_src_LDADD = $(MD_MODEL_FETCH_LIBS) $(MD_DEP_LIBS)
EXTRA_DIST += tests/fuzz/corpus/model_src/runs_pt tests/fuzz/corpus/model_src/models_alias \
	tests/fuzz/corpus/model_src/artifacts_dotdot tests/fuzz/corpus/model_src/models_bigversion \
	tests/fuzz/corpus/model_src/s3_binary tests/fuzz/corpus/model_src/file_uri
TESTS += tests/mlflow/test_model_sources.py tests/mlflow/test_model_sources_s3.py
EXTRA_DIST += tests/mlflow/test_model_sources.py tests/mlflow/test_model_sources_s3.py
