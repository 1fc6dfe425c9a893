"""Run numpy's BLAS single-threaded inside the aligner.

The aligner does many small matrix products (64 x 1024 x ~130). With a
multi-threaded OpenBLAS each one pays thread wake-up and, on a shared or busy
machine, spin-waiting: measured 5-50x slower than one thread. We switch
numpy's bundled OpenBLAS to one thread for the duration of an alignment and
restore the caller's setting afterwards (what threadpoolctl does, without the
dependency). If the library cannot be found this does nothing.
"""

from __future__ import annotations

import contextlib
import ctypes
import glob
import os
import threading

import numpy as np

_lock = threading.Lock()
_api: tuple | None = None
_searched = False


def _find():
    global _api, _searched
    if _searched:
        return _api
    _searched = True
    libs = glob.glob(os.path.join(os.path.dirname(np.__file__), os.pardir, "numpy.libs", "*openblas*"))
    libs += glob.glob(os.path.join(os.path.dirname(np.__file__), ".dylibs", "*openblas*"))
    for path in libs:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix, suffix in (
            ("scipy_openblas", "64_"),
            ("scipy_openblas", ""),
            ("openblas", "64_"),
            ("openblas", ""),
        ):
            get = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
            put = getattr(lib, f"{prefix}_set_num_threads{suffix}", None)
            if get is not None and put is not None:
                get.restype = ctypes.c_int
                put.argtypes = [ctypes.c_int]
                _api = (get, put)
                return _api
    return None


@contextlib.contextmanager
def single_thread():
    """Run the body with OpenBLAS at one thread, restoring the count after; a no-op where
    no OpenBLAS is found."""
    api = _find()
    if api is None:
        yield
        return
    get, put = api
    with _lock:
        before = get()
        put(1)
    try:
        yield
    finally:
        with _lock:
            put(before)
