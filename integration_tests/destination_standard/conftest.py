"""Start the Remote fake for the standard tests and write the configs that point at it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from integration_tests.fakes.remote import RemoteFake

HERE = Path(__file__).parent
GENERATED = HERE / "generated"
SAMPLE_COMPANY = HERE.parent / "sample_data" / "remote_company.json"
_fakes: list[RemoteFake] = []


def standard_config(base_url: str, token: str) -> dict[str, Any]:
    return {
        "environment": {"environment": "custom", "base_url": base_url},
        "api_token": token,
        "rule": {"rule_source": "file", "rule_file": "northwind.yaml"},
        "dry_run": False,
        "ledger_path": str(GENERATED / "ledger.sqlite"),
        "lookup_strategy": "auto",
        "rate_limit_per_minute": 20,
        "request_timeout_seconds": 5,
        "retry_backoff_seconds": 0.05,
    }


def pytest_configure(config: pytest.Config) -> None:
    fake = RemoteFake(SAMPLE_COMPANY, rate_limit_per_minute=1000).start()
    _fakes.append(fake)
    GENERATED.mkdir(exist_ok=True)
    good = standard_config(fake.base_url, "ra_test_demo_token")
    bad = standard_config(fake.base_url, "ra_test_revoked_token")
    (GENERATED / "config.json").write_text(json.dumps(good, indent=2))
    (GENERATED / "invalid_config.json").write_text(json.dumps(bad, indent=2))


def pytest_unconfigure(config: pytest.Config) -> None:
    while _fakes:
        _fakes.pop().stop()
