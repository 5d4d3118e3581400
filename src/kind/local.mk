# src/kind: the resource model (THE table of kinds) and the column formatters.
noinst_LIBRARIES += src/kind/libmd-kind.a
MD_AREA_LIBS += src/kind/libmd-kind.a
src_kind_libmd_kind_a_SOURCES = \
	src/kind/kind.c src/kind/kind.h \
	src/kind/kinds.c src/kind/table.h

check_PROGRAMS += tests/unit/test_kind
TESTS += tests/unit/test_kind
tests_unit_test_kind_SOURCES = tests/unit/test_kind.c tests/tap.h
tests_unit_test_kind_LDADD = src/kind/libmd-kind.a src/util/libmd-util.a $(MD_DEP_LIBS)

# `mldeck kinds` (src/cli/cmd_kinds.c) prints this table.
TESTS += tests/demo/test_cli_kinds.sh
dist_check_SCRIPTS += tests/demo/test_cli_kinds.sh
EXTRA_DIST += tests/fuzz/fuzz_kind.c
