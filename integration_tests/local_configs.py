"""Configs that point the product at the local fakes with the sample data's credentials.

One definition for the demo, the end-to-end tests, the CLI tests and the benchmarks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from integration_tests.fakes.harvest import HarvestFake
from integration_tests.fakes.remote import RemoteFake

# Credentials the sample Greenhouse tenant and Remote company accept (see sample_data/README.md).
CLIENT_ID: Final = "demo-client-id"
CLIENT_SECRET: Final = "demo-client-secret"
REMOTE_TOKEN: Final = "ra_test_demo_token"


def source_config(harvest: HarvestFake, **overrides: Any) -> dict[str, Any]:
    """The Harvest v3 source config (also the webhook receiver's ``harvest`` section)."""
    return {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "api_url": harvest.base_url,
        "token_url": harvest.token_url,
        **overrides,
    }


def destination_config(
    remote: RemoteFake, *, rule: str | Path, ledger_path: str | Path, **overrides: Any
) -> dict[str, Any]:
    """The Remote destination config for one customer rule (a path or a name in customers/)."""
    return {
        "environment": {"environment": "custom", "base_url": remote.base_url},
        "api_token": REMOTE_TOKEN,
        "rule": {"rule_source": "file", "rule_file": str(rule)},
        "ledger_path": str(ledger_path),
        **overrides,
    }
