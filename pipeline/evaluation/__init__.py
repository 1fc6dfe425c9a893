"""Scoring models: reference sets and sacrebleu scores (`evaluate`), model
comparison with significance, speed and memory (`compare`), and score calibration
(`calibration`)."""
