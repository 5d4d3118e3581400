# src/kind
