# tests: shared harness.  Each area registers its own tests in its local.mk.
EXTRA_DIST += tests/tap.h
