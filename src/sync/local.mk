# src/sync
