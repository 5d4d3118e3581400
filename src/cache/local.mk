# src/cache
