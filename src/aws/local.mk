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
# --- end net helper ---
