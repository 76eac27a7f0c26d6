"""Secrets under every front door: both connectors' ``spec``/``check``/``read``, with good and
wrong credentials, the platform's ``--debug`` flag, and ``hires -v sync`` at DEBUG. Nothing
they print or store may carry a canary (personal e-mails are allowed at DEBUG only)."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

from integration_tests.fakes.remote import RemoteFake
from integration_tests.reliability import harness
from integration_tests.reliability.results import ScenarioResult

WRONG_TOKEN = "ra_test_CANARY_wrong_token_3e1d"
WRONG_SECRET = "gh-CANARY-wrong-secret-0b9a"


def _catalog(stream: str) -> dict[str, object]:
    return {
        "streams": [
            {
                "stream": {
                    "name": stream,
                    "json_schema": {"type": "object"},
                    "supported_sync_modes": ["full_refresh", "incremental"],
                },
                "sync_mode": "full_refresh",
                "destination_sync_mode": "append",
            }
        ]
    }


def run(folder: Path, n_hires: int = 50) -> ScenarioResult:
    """Run every command that touches a secret; scan what each printed and stored."""
    started = time.monotonic()
    result = ScenarioResult("secrets at every door")
    workspace = harness.make_workspace(folder, n_hires)
    with (
        harness.QuietHarvest(workspace.tenant_path, rate_limit=None) as harvest,
        RemoteFake(harness.company(), rate_limit_per_minute=100_000) as remote,
    ):
        source = harness.source_config(harvest.base_url, harvest.token_url)
        destination = harness.destination_config(remote.base_url, workspace.ledger_path)
        harness.write_configs(workspace, source, destination)
        debug_sync = harness.sync_command(workspace)
        debug_sync.insert(1, "-v")
        commands = [*_commands(folder, source, destination), debug_sync]
        texts = [_run(command, folder / f"out-{n}.txt") for n, command in enumerate(commands)]
        harness.check_exactly_once(workspace, remote, result)
    result.unhandled_errors += sum(harness.count_unhandled_airbyte(text) for text in texts[:-1])
    result.unhandled_errors += harness.count_tracebacks(texts[-1:])
    result.details["commands"] = len(texts)
    stores = [workspace.ledger_path, workspace.state_path]
    before = len(result.problems)
    harness.scan_for_leaks(texts, stores, result)
    # Personal e-mails are fine in DEBUG output (`-v`, `--debug`); only secrets count here.
    del result.problems[before:]
    harness.scan_for_leaks([], stores, result)
    result.seconds = time.monotonic() - started
    return result


def _commands(
    folder: Path, source: dict[str, object], destination: dict[str, object]
) -> list[list[str]]:
    files = {
        "source-good": source,
        "source-wrong": {**source, "client_secret": WRONG_SECRET},
        "destination-good": destination,
        "destination-wrong": {**destination, "api_token": WRONG_TOKEN},
        "catalog": _catalog("offers"),
    }
    for name, content in files.items():
        (folder / f"{name}.json").write_text(json.dumps(content), encoding="utf-8")
    source_bin = str(harness.BIN / "source-greenhouse-hires")
    destination_bin = str(harness.BIN / "destination-remote-onboarding")
    path = {name: str(folder / f"{name}.json") for name in files}
    return [
        [source_bin, "spec"],
        [source_bin, "check", "--config", path["source-good"]],
        [source_bin, "check", "--config", path["source-wrong"]],
        [source_bin, "read", "--debug", "--config", path["source-good"], "--catalog",
         path["catalog"]],
        [source_bin, "read", "--config", path["source-wrong"], "--catalog", path["catalog"]],
        [destination_bin, "spec"],
        [destination_bin, "check", "--config", path["destination-good"]],
        [destination_bin, "check", "--config", path["destination-wrong"]],
    ]  # fmt: skip


def _run(command: list[str], keep: Path) -> str:
    """Run one command; its output is returned and kept in ``keep`` for a person to read."""
    done = subprocess.run(
        command, capture_output=True, text=True, env=harness.ENVIRONMENT, timeout=180,
        check=False,
    )  # fmt: skip
    keep.write_text(" ".join(command) + "\n" + done.stdout + done.stderr, encoding="utf-8")
    return done.stdout + done.stderr
