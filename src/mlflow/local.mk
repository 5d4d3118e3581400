# src/mlflow
