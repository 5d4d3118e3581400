# src/action: the one path of every action (read-only gate, audit log).
noinst_LIBRARIES += src/action/libmd-action.a
MD_AREA_LIBS += src/action/libmd-action.a
src_action_libmd_action_a_SOURCES = src/action/action.c src/action/action.h

check_PROGRAMS += tests/unit/test_action
TESTS += tests/unit/test_action
tests_unit_test_action_SOURCES = tests/unit/test_action.c
tests_unit_test_action_LDADD = src/action/libmd-action.a src/util/libmd-util.a $(MD_DEP_LIBS)
