# tests: shared harness.  Each area registers its own tests in its local.mk.
EXTRA_DIST += tests/tap.h tests/fuzz/replay.h

# awsfake: the local AWS test server (SageMaker, CloudWatch, Logs, EventBridge)
# other areas' tests start, its own tests, and the list benchmark (by hand).
AWSFAKE_PY = tests/servers/aws_server.py tests/servers/awsfake/__init__.py \
	tests/servers/awsfake/cloudwatch.py tests/servers/awsfake/events.py \
	tests/servers/awsfake/logs.py tests/servers/awsfake/models.py \
	tests/servers/awsfake/protocol.py tests/servers/awsfake/sagemaker.py \
	tests/servers/awsfake/server.py tests/servers/awsfake/shapecheck.py \
	tests/servers/awsfake/sigcheck.py tests/servers/awsfake/store.py \
	tests/awsfake/fakelib.py tests/awsfake/demo-seed.json
AWSFAKE_TESTS = tests/awsfake/test_protocol.py tests/awsfake/test_state.py \
	tests/awsfake/test_awscli.py
TESTS += $(AWSFAKE_TESTS)
EXTRA_DIST += $(AWSFAKE_PY) $(AWSFAKE_TESTS) tests/bench/list/run.sh
