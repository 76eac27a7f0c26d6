"""Shared by every unit test."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """``hires`` configures logging for a person at a terminal; give the next test it back."""
    root, airbyte = logging.getLogger(), logging.getLogger("airbyte")
    saved = (root.level, list(root.handlers), airbyte.level)
    yield
    root.setLevel(saved[0])
    root.handlers[:] = saved[1]
    airbyte.setLevel(saved[2])
