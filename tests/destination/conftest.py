"""Fixtures for the destination tests: a fresh Remote fake per test and a ledger path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from integration_tests.fakes.remote import RemoteFake
from tests.destination.builders import TODAY, company


@pytest.fixture
def remote() -> Iterator[RemoteFake]:
    with RemoteFake(company(), rate_limit_per_minute=100_000, today=TODAY) as fake:
        yield fake


@pytest.fixture
def ledger_path(tmp_path: Path) -> Path:
    return tmp_path / "ledger.sqlite"
