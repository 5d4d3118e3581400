# src/mlflow: MLflow tracking client (REST, SageMaker-managed), search-filter
# language, the experiments provider.  Helper "mlflow".
EXTRA_DIST += tests/servers/mlflow_server.py tests/servers/mlflow_search.py \
	tests/servers/mlflow_state.py tests/mlflow/mlflow_testlib.py
TESTS += tests/mlflow/test_server_fixtures.py
EXTRA_DIST += tests/mlflow/test_server_fixtures.py
