"""Fixtures of the fault suite."""

from __future__ import annotations

import pytest
from doubles import FaultyTranslator

from pipeline.translate.base import BACKEND_MODULES


@pytest.fixture()
def lookup_backends(monkeypatch):
    """The doubles as backends the CLI accepts by name; no drops or merges."""
    monkeypatch.setattr(FaultyTranslator, "mode", "none")
    monkeypatch.setitem(BACKEND_MODULES, "test-faulty", "doubles")
    monkeypatch.setitem(BACKEND_MODULES, "test-empty", "faults.test_executor_faults")
