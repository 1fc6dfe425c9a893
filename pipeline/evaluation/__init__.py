"""Scoring models: reference sets (`sets`), what is scored (`hypotheses`: a translation
through the core, or a corpus TSV), sacrebleu scores (`score`), the report (`report`),
model comparison with significance, speed and memory (`compare`), and score calibration
(`calibration`)."""
