"""Model comparison (`nlen compare`): every model on the same input, scored, tested against
the first (`run`), with what is measured around each model (`measure`) and the report (`report`)."""
