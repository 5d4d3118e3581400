# src/yolo
