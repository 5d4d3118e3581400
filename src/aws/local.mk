# src/aws: the wire protocols (awsJson, query, rest-xml S3), pagination, and
# the AWS providers.
noinst_LIBRARIES += src/aws/libmd-aws.a
MD_AREA_LIBS += src/aws/libmd-aws.a
src_aws_libmd_aws_a_SOURCES =
# --- net helper: protocol layer (keep these lines together) ---
src_aws_libmd_aws_a_SOURCES += \
	src/aws/proto.c src/aws/proto.h \
	src/aws/s3.c src/aws/s3.h \
	src/aws/paginate.c src/aws/paginate.h

check_PROGRAMS += tests/unit/test_aws_proto
TESTS += tests/unit/test_aws_proto
tests_unit_test_aws_proto_SOURCES = tests/unit/test_aws_proto.c tests/tap.h
tests_unit_test_aws_proto_LDADD = src/aws/libmd-aws.a src/net/libmd-net.a src/util/libmd-util.a $(MD_DEP_LIBS)
check_PROGRAMS += tests/net/netc
tests_net_netc_SOURCES = tests/net/netc.c
tests_net_netc_LDADD = src/aws/libmd-aws.a src/net/libmd-net.a src/util/libmd-util.a $(MD_DEP_LIBS)
TESTS += tests/net/test_retry.py
EXTRA_DIST += tests/net/test_retry.py tests/net/nettest.py tests/servers/netfault.py
TESTS += tests/net/test_sigcheck.py
EXTRA_DIST += tests/net/test_sigcheck.py
TESTS += tests/net/test_s3rver.py
EXTRA_DIST += tests/net/test_s3rver.py tests/servers/s3sigproxy.py
TESTS += tests/net/test_http.py
EXTRA_DIST += tests/net/test_http.py
# --- end net helper ---
# --- lead: the AWS session and the SageMaker provider (keep together) ---
noinst_LIBRARIES += src/aws/libmd-awsprov.a
MD_AREA_LIBS += src/aws/libmd-awsprov.a
src_aws_libmd_awsprov_a_SOURCES = \
	src/aws/client.c src/aws/client.h \
	src/aws/sagemaker.c src/aws/sagemaker.h \
	src/aws/pipeline_params.c src/aws/pipeline_params.h \
	src/aws/logs.c src/aws/logs.h \
	src/aws/cwmetrics.c src/aws/cwmetrics.h

check_PROGRAMS += tests/unit/test_pipeline_params
TESTS += tests/unit/test_pipeline_params tests/aws/test_sagemaker_cli.py tests/aws/test_demo_cli.py
tests_unit_test_pipeline_params_SOURCES = tests/unit/test_pipeline_params.c
tests_unit_test_pipeline_params_LDADD = src/aws/libmd-awsprov.a src/util/libmd-util.a $(MD_DEP_LIBS)
check_PROGRAMS += tests/fuzz/replay_pipeline_params
TESTS += tests/fuzz/replay_pipeline_params
tests_fuzz_replay_pipeline_params_SOURCES = tests/fuzz/fuzz_pipeline_params.c
tests_fuzz_replay_pipeline_params_CPPFLAGS = $(AM_CPPFLAGS) -DMD_FUZZ_MAIN
tests_fuzz_replay_pipeline_params_LDADD = src/aws/libmd-awsprov.a src/util/libmd-util.a $(MD_DEP_LIBS)
EXTRA_DIST += tests/fuzz/corpus/pipeline_params/template.json \
	tests/fuzz/corpus/pipeline_params/small.json tests/fuzz/corpus/pipeline_params/broken.json
EXTRA_DIST += tests/aws/test_sagemaker_cli.py tests/aws/test_demo_cli.py tests/aws/awsfake_proc.py
# --- end lead ---
# --- train-form: the standalone training job request (CLI `train` and the TUI form) ---
src_aws_libmd_awsprov_a_SOURCES += src/aws/train_request.c src/aws/train_request.h
check_PROGRAMS += tests/unit/test_train_request
TESTS += tests/unit/test_train_request
tests_unit_test_train_request_SOURCES = tests/unit/test_train_request.c tests/tap.h
tests_unit_test_train_request_LDADD = src/aws/libmd-awsprov.a src/aws/libmd-aws.a src/net/libmd-net.a \
	src/util/libmd-util.a $(MD_DEP_LIBS)
TESTS += tests/aws/test_train_cli.py
EXTRA_DIST += tests/aws/test_train_cli.py
# --- end train-form ---
# --- list-speed: listings checked against a plain sequential one ---
TESTS += tests/aws/test_list_pages.py
EXTRA_DIST += tests/aws/test_list_pages.py
# read-ahead paging on its own (stop, handler error, max_pages, retries)
check_PROGRAMS += tests/aws/pager
tests_aws_pager_SOURCES = tests/aws/pager.c
tests_aws_pager_LDADD = src/aws/libmd-aws.a src/net/libmd-net.a src/util/libmd-util.a $(MD_DEP_LIBS)
TESTS += tests/aws/test_pager.py
EXTRA_DIST += tests/aws/test_pager.py
# --- end list-speed ---
# --- last-exec: the pipelines list's last execution, as the screen refreshes it ---
check_PROGRAMS += tests/aws/smrefresh
tests_aws_smrefresh_SOURCES = tests/aws/smrefresh.c
tests_aws_smrefresh_LDADD = $(MLDECK_LIB) $(MD_DEP_LIBS)
tests_aws_smrefresh_DEPENDENCIES = $(MLDECK_LIB)
TESTS += tests/aws/test_last_exec.py tests/aws/test_stale_running.py
EXTRA_DIST += tests/aws/test_last_exec.py tests/aws/test_stale_running.py
# --- end last-exec ---
