# src/local
