# src/net: the HTTP path, SigV4, retries, credentials, region, endpoints.
noinst_LIBRARIES += src/net/libmd-net.a
MD_AREA_LIBS += src/net/libmd-net.a
src_net_libmd_net_a_SOURCES =
# --- net helper: http, url, sigv4, xml, retries (keep these lines together) ---
src_net_libmd_net_a_SOURCES += \
	src/net/http.c src/net/http.h \
	src/net/url.c src/net/url.h \
	src/net/sigv4.c src/net/sigv4.h \
	src/net/xml.c src/net/xml.h \
	src/net/retry.c src/net/retry.h \
	src/net/rawreq.c src/net/rawreq.h \
	src/net/ratelimit.c src/net/ratelimit.h

check_PROGRAMS += tests/unit/test_sigv4
TESTS += tests/unit/test_sigv4
tests_unit_test_sigv4_SOURCES = tests/unit/test_sigv4.c tests/tap.h
tests_unit_test_sigv4_LDADD = src/net/libmd-net.a src/util/libmd-util.a $(MD_DEP_LIBS)
check_PROGRAMS += tests/unit/test_rawreq
TESTS += tests/unit/test_rawreq
tests_unit_test_rawreq_SOURCES = tests/unit/test_rawreq.c tests/tap.h
tests_unit_test_rawreq_LDADD = src/net/libmd-net.a src/util/libmd-util.a $(MD_DEP_LIBS)
# benchmark: built by make check, run by hand
check_PROGRAMS += tests/bench/sigv4/bench_sigv4
tests_bench_sigv4_bench_sigv4_SOURCES = tests/bench/sigv4/bench_sigv4.c
tests_bench_sigv4_bench_sigv4_LDADD = src/net/libmd-net.a src/util/libmd-util.a $(MD_DEP_LIBS)
check_PROGRAMS += tests/net/sigv4_signer
tests_net_sigv4_signer_SOURCES = tests/net/sigv4_signer.c
tests_net_sigv4_signer_LDADD = src/net/libmd-net.a src/util/libmd-util.a $(MD_DEP_LIBS)
TESTS += tests/net/test_sigv4_diff.py
EXTRA_DIST += tests/net/test_sigv4_diff.py tests/servers/sigv4check.py
# --- end net helper ---
# --- creds helper: AWS config files, credential chain, region, endpoints (keep together) ---
src_net_libmd_net_a_SOURCES += \
	src/net/awsconfig.c src/net/awsconfig.h \
	src/net/region.c src/net/region.h \
	src/net/endpoint.c src/net/endpoint.h \
	src/net/creds.c src/net/creds.h src/net/creds_int.h \
	src/net/creds_process.c src/net/creds_sso.c src/net/creds_sts.c \
	src/net/creds_imds.c src/net/creds_container.c \
	src/net/awsenv.c src/net/awsenv.h \
	src/net/mfa_broker.c src/net/mfa_broker.h
check_PROGRAMS += tests/creds/awsconfig_dump
tests_creds_awsconfig_dump_SOURCES = tests/creds/awsconfig_dump.c
tests_creds_awsconfig_dump_LDADD = src/net/libmd-net.a src/util/libmd-util.a $(MD_DEP_LIBS)
TESTS += tests/creds/test_awsconfig_botocore.py
EXTRA_DIST += tests/creds/test_awsconfig_botocore.py
check_PROGRAMS += tests/unit/test_creds
TESTS += tests/unit/test_creds
tests_unit_test_creds_SOURCES = tests/unit/test_creds.c tests/tap.h
tests_unit_test_creds_LDADD = src/net/libmd-net.a src/util/libmd-util.a $(MD_DEP_LIBS)
check_PROGRAMS += tests/unit/test_endpoint
TESTS += tests/unit/test_endpoint
tests_unit_test_endpoint_SOURCES = tests/unit/test_endpoint.c tests/tap.h
tests_unit_test_endpoint_LDADD = src/net/libmd-net.a src/util/libmd-util.a $(MD_DEP_LIBS)
check_PROGRAMS += tests/creds/test_creds_http
TESTS += tests/creds/test_creds_http
tests_creds_test_creds_http_SOURCES = tests/creds/test_creds_http.c tests/creds/credserver.h tests/tap.h
tests_creds_test_creds_http_LDADD = src/net/libmd-net.a src/util/libmd-util.a $(MD_DEP_LIBS)
EXTRA_DIST += tests/servers/creds_server.py tests/bench/creds/bench_creds.c
TESTS += tests/creds/test_whoami.sh
EXTRA_DIST += tests/creds/test_whoami.sh
check_PROGRAMS += tests/unit/test_awsconfig
TESTS += tests/unit/test_awsconfig
tests_unit_test_awsconfig_SOURCES = tests/unit/test_awsconfig.c tests/tap.h
tests_unit_test_awsconfig_LDADD = src/net/libmd-net.a src/util/libmd-util.a $(MD_DEP_LIBS)
EXTRA_DIST += tests/fuzz/corpus/awsconfig/basic \
	tests/fuzz/corpus/awsconfig/cont \
	tests/fuzz/corpus/awsconfig/found-1 \
	tests/fuzz/corpus/awsconfig/found-10 \
	tests/fuzz/corpus/awsconfig/found-11 \
	tests/fuzz/corpus/awsconfig/found-12 \
	tests/fuzz/corpus/awsconfig/found-2 \
	tests/fuzz/corpus/awsconfig/found-3 \
	tests/fuzz/corpus/awsconfig/found-4 \
	tests/fuzz/corpus/awsconfig/found-5 \
	tests/fuzz/corpus/awsconfig/found-6 \
	tests/fuzz/corpus/awsconfig/found-7 \
	tests/fuzz/corpus/awsconfig/found-8 \
	tests/fuzz/corpus/awsconfig/found-9 \
	tests/fuzz/corpus/awsconfig/sso
check_PROGRAMS += tests/fuzz/fuzz_awsconfig
TESTS += tests/fuzz/fuzz_awsconfig
tests_fuzz_fuzz_awsconfig_SOURCES = tests/fuzz/fuzz_awsconfig.c
tests_fuzz_fuzz_awsconfig_CPPFLAGS = $(AM_CPPFLAGS) -DMD_FUZZ_MAIN
tests_fuzz_fuzz_awsconfig_LDADD = src/net/libmd-net.a src/util/libmd-util.a $(MD_DEP_LIBS)
# --- end creds helper ---
