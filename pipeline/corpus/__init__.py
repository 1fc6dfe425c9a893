"""The corpus on disk: write rows and manifests atomically (`write`), read corpora
back (`read`), merge an out-dir's units (`merge`), filter (`filtering`), export to
other formats (`export/`) and build the review page (`review`)."""
