"""Shared pieces: recognisable secrets, a workspace of configs and data on disk, running
``hires`` as a subprocess, and the checks every scenario applies (exactly once, ledger agrees
with Remote, nothing leaked, no traceback)."""

from __future__ import annotations

import base64
import json
import os
import re
import sqlite3
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from integration_tests.fakes.harvest import HarvestFake
from integration_tests.fakes.remote import RemoteFake, normalise_email
from integration_tests.reliability.results import ScenarioResult
from integration_tests.sample_data.build_samples import ALL_READ_SCOPES
from integration_tests.sample_data.synthetic import (
    FIRST_APPLICATION_ID,
    synthetic_remote_company,
    write_synthetic_tenant,
)

# Recognisable values: any occurrence outside the config files we wrote is a leak.
CLIENT_ID: Final = "reliability-client"
CLIENT_SECRET: Final = "gh-CANARY-client-secret-5f0c2e"
REMOTE_TOKEN: Final = "ra_test_CANARY_remote_token_9d41b7"
WEBHOOK_KEY: Final = "wh-CANARY-webhook-key-77a0f3"
SECRETS: Final = (CLIENT_SECRET, REMOTE_TOKEN, WEBHOOK_KEY)
SECRET_FORMS: Final = (
    *SECRETS,
    "CANARY",
    base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode(),
)
HIRE_EMAIL: Final = re.compile(r"(?:hire\d+|load\d+|bad\d+)@example\.(?:test|org)", re.IGNORECASE)
TRACEBACK: Final = "Traceback (most recent call last)"
BIN: Final = Path(sys.executable).parent
ENVIRONMENT: Final = {**os.environ, "AIRBYTE_OFFLINE_MODE": "1", "DO_NOT_TRACK": "1"}
EXISTING_EMPLOYMENTS: Final = 25


def external_id(application_id: int) -> str:
    return f"greenhouse-application-{application_id}"


def hire_email(index: int) -> str:
    """The personal e-mail the synthetic tenant gives the candidate of offer ``index``."""
    return f"hire{index}@example.test"


@dataclass
class Workspace:
    """One tenant, one company and the files of one customer's pull syncs."""

    folder: Path
    n_hires: int
    captured: list[str] = field(default_factory=list)

    @property
    def tenant_path(self) -> Path:
        return self.folder / "tenant.json"

    @property
    def ledger_path(self) -> Path:
        return self.folder / "ledger.sqlite"

    @property
    def state_path(self) -> Path:
        return self.folder / "state.json"

    @property
    def expected_ids(self) -> set[int]:
        return {FIRST_APPLICATION_ID + index for index in range(self.n_hires)}

    def expected_email(self, application_id: int) -> str:
        return hire_email(application_id - FIRST_APPLICATION_ID)


def make_workspace(folder: Path, n_hires: int, seed: int = 0) -> Workspace:
    """Write a synthetic tenant whose only client holds the canary secret."""
    folder.mkdir(parents=True, exist_ok=True)
    workspace = Workspace(folder, n_hires)
    write_synthetic_tenant(workspace.tenant_path, n_hires, seed=seed)
    tenant = json.loads(workspace.tenant_path.read_text(encoding="utf-8"))
    tenant["clients"] = {CLIENT_ID: {"secret": CLIENT_SECRET, "scopes": ALL_READ_SCOPES}}
    workspace.tenant_path.write_text(json.dumps(tenant), encoding="utf-8")
    return workspace


def company(seed: int = 0) -> dict[str, Any]:
    """A sandbox company with unrelated employments; only the canary token has access."""
    data = synthetic_remote_company(EXISTING_EMPLOYMENTS, seed=seed)
    data["tokens"] = {REMOTE_TOKEN: "full"}
    return data


def source_config(harvest_url: str, token_url: str, **extra: Any) -> dict[str, Any]:
    return {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "api_url": harvest_url,
        "token_url": token_url,
        **extra,
    }


def destination_config(remote_url: str, ledger: Path, **extra: Any) -> dict[str, Any]:
    return {
        "environment": {"environment": "custom", "base_url": remote_url},
        "api_token": REMOTE_TOKEN,
        "rule": {"rule_source": "file", "rule_file": "northwind.yaml"},
        "ledger_path": str(ledger),
        "rate_limit_per_minute": 100_000,
        "retry_backoff_seconds": 0.05,
        "request_timeout_seconds": 5,
        **extra,
    }


def write_configs(
    workspace: Workspace, source: dict[str, Any], destination: dict[str, Any]
) -> tuple[Path, Path]:
    source_path = workspace.folder / "source-config.json"
    destination_path = workspace.folder / "destination-config.json"
    source_path.write_text(json.dumps(source), encoding="utf-8")
    destination_path.write_text(json.dumps(destination), encoding="utf-8")
    return source_path, destination_path


def sync_command(workspace: Workspace) -> list[str]:
    return [
        str(BIN / "hires"),
        "sync",
        "--source-config",
        str(workspace.folder / "source-config.json"),
        "--destination-config",
        str(workspace.folder / "destination-config.json"),
        "--state-file",
        str(workspace.state_path),
    ]


def start_sync(workspace: Workspace, name: str) -> tuple[subprocess.Popen[bytes], Path, Path]:
    """Start ``hires sync`` with stdout and stderr going to files in the workspace."""
    out, err = workspace.folder / f"{name}.stdout", workspace.folder / f"{name}.stderr"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            sync_command(workspace), stdout=stdout, stderr=stderr, env=ENVIRONMENT
        )
    return process, out, err


@dataclass(frozen=True)
class Finished:
    """One finished subprocess: exit status and what it printed."""

    returncode: int
    stdout: str
    stderr: str


def finish(
    workspace: Workspace,
    process: subprocess.Popen[bytes],
    out: Path,
    err: Path,
    timeout: float,
) -> Finished:
    """Wait for the process (killing it past ``timeout``) and keep its output for the scans."""
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    done = Finished(
        process.returncode,
        out.read_text(encoding="utf-8", errors="replace"),
        err.read_text(encoding="utf-8", errors="replace"),
    )
    workspace.captured.extend((done.stdout, done.stderr))
    return done


def run_sync(workspace: Workspace, name: str, timeout: float = 300.0) -> Finished:
    process, out, err = start_sync(workspace, name)
    return finish(workspace, process, out, err, timeout)


def check_exactly_once(workspace: Workspace, remote: RemoteFake, result: ScenarioResult) -> None:
    """Count duplicates and gaps among our employments, by external id and by e-mail."""
    employments = remote.employments
    ours = [item for item in employments if str(item.get("external_id") or "").startswith("gre")]
    by_external = Counter(str(item["external_id"]) for item in ours)
    by_email = Counter(normalise_email(item.get("personal_email")) for item in employments)
    result.created += len(by_external)
    result.duplicates += sum(count - 1 for count in by_external.values() if count > 1)
    result.duplicates += sum(count - 1 for count in by_email.values() if count > 1)
    result.missing += sum(
        1 for application in workspace.expected_ids if by_external[external_id(application)] == 0
    )
    for item in ours:
        application = int(str(item["external_id"]).rsplit("-", 1)[1])
        if normalise_email(item.get("personal_email")) != workspace.expected_email(application):
            result.problem(f"employment {item['id']} carries the wrong e-mail for {application}")
    existing = sum(1 for item in employments if not item.get("external_id"))
    if existing != EXISTING_EMPLOYMENTS:
        result.problem(f"{existing} unrelated employments left, expected {EXISTING_EMPLOYMENTS}")


def check_exactly_once_by_email(remote: RemoteFake, result: ScenarioResult) -> None:
    """No two employments share a personal e-mail; counts ours as created."""
    employments = remote.employments
    by_email = Counter(normalise_email(item.get("personal_email")) for item in employments)
    result.duplicates += sum(count - 1 for count in by_email.values() if count > 1)
    result.created += sum(1 for item in employments if item.get("external_id"))


def ledger_rows(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    with sqlite3.connect(path) as connection:
        connection.row_factory = sqlite3.Row
        rows = connection.execute("SELECT * FROM outcomes ORDER BY id").fetchall()
    return [dict(row) for row in rows]


def check_ledger_agrees(
    workspace: Workspace, remote: RemoteFake, result: ScenarioResult, *, complete: bool
) -> None:
    """Every ``created`` row names an employment of ours; ``complete``: every hire has a row
    that says it is in Remote (created or already synced)."""
    by_id = {item["id"]: item for item in remote.employments}
    landed: set[int] = set()
    for row in ledger_rows(workspace.ledger_path):
        if row["outcome"] not in ("created", "already_synced", "updated"):
            continue
        employment = by_id.get(row["employment_id"])
        expected = external_id(row["application_id"])
        if employment is None or employment.get("external_id") != expected:
            result.problem(f"ledger row {row['id']} names {row['employment_id']}, not {expected}")
        else:
            landed.add(int(row["application_id"]))
    if complete:
        unaccounted = workspace.expected_ids - landed
        if unaccounted:
            result.problem(f"{len(unaccounted)} hires have no created/already_synced row")


def scan_for_leaks(texts: list[str], files: list[Path], result: ScenarioResult) -> None:
    """Count secret occurrences in captured output and stored files; e-mails in INFO logs."""
    blobs = [text.encode("utf-8", "replace") for text in texts]
    for path in files:
        for candidate in (path, *path.parent.glob(path.name + "-*")):
            if candidate.is_file():
                blobs.append(candidate.read_bytes())
    for blob in blobs:
        for form in SECRET_FORMS:
            result.leaked_secrets += blob.count(form.encode())
    ledger_emails = sum(
        len(HIRE_EMAIL.findall(path.read_bytes().decode("latin-1")))
        for path in files
        if path.name.startswith("ledger") and path.is_file()
    )
    if ledger_emails:
        result.problem(f"{ledger_emails} personal e-mails stored in the ledger")
    emails = sum(len(HIRE_EMAIL.findall(text)) for text in texts)
    if emails:
        result.problem(f"{emails} personal e-mails in INFO-level output")


def quiet_disconnects(server: Any) -> None:
    """Silence the stdlib server's traceback when a client we SIGKILLed resets its socket."""
    server.handle_error = lambda request, address: None


class QuietHarvest(HarvestFake):
    """The Harvest fake, silent when a killed sync resets its connection."""

    def start(self) -> QuietHarvest:
        super().start()
        quiet_disconnects(self._server)
        return self


def count_tracebacks(texts: list[str]) -> int:
    return sum(text.count(TRACEBACK) for text in texts)


def count_unhandled_airbyte(text: str) -> int:
    """Crashes in Airbyte-protocol output: a traceback outside any message, or an error TRACE
    of failure type ``system_error`` (a bug). A config or transient error TRACE carries the
    CDK's stack trace by design; its message is what a person reads."""
    crashes = 0
    for line in text.splitlines():
        try:
            message = json.loads(line)
        except ValueError:
            crashes += line.count(TRACEBACK)
            continue
        error = (message.get("trace") or {}).get("error") if isinstance(message, dict) else None
        crashes += int(isinstance(error, dict) and error.get("failure_type") == "system_error")
    return crashes
