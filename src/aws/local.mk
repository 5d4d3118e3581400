# src/aws
