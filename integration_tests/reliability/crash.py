"""Crash anywhere: SIGKILL ``hires sync`` when the Remote fake has stored its k-th employment
(before or just after answering), run it again, and count duplicates and gaps."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

from integration_tests.fakes.base import Reply, Request
from integration_tests.fakes.harvest import HarvestFake
from integration_tests.fakes.remote import RemoteFake
from integration_tests.reliability import harness
from integration_tests.reliability.results import ScenarioResult

SYNC_TIMEOUT_SECONDS = 300.0


class KillingRemote(RemoteFake):
    """The Remote fake that SIGKILLs the syncing process at its ``kill_at``-th create.

    ``before_reply``: the employment is stored but its 201 never reaches the sync.
    ``after_reply``: the 201 is sent, then the kill lands before the STATE that follows.
    """

    def __init__(self, company: dict[str, Any], **options: Any) -> None:
        super().__init__(company, **options)
        self.victim: int | None = None
        self.kill_at: int | None = None
        self.before_reply = True
        self.creates = 0
        self.killed = threading.Event()

    def start(self) -> KillingRemote:
        super().start()
        harness.quiet_disconnects(self._server)
        return self

    def _create(self, request: Request) -> Reply:
        reply = super()._create(request)
        if reply.status == 201:
            self.creates += 1
            if self.before_reply and self.creates == self.kill_at:
                self._kill()
        return reply

    def serve_one(self, handler: Any) -> None:
        super().serve_one(handler)
        if not self.before_reply and self.kill_at is not None and self.creates >= self.kill_at:
            self._kill()

    def _kill(self) -> None:
        if self.victim is not None and not self.killed.is_set():
            self.killed.set()
            os.kill(self.victim, signal.SIGKILL)


def kill_points(n_hires: int, count: int) -> list[int]:
    """``count`` create counts spread from the first create to the last."""
    if count <= 1:
        return [n_hires]
    return sorted({round(1 + i * (n_hires - 1) / (count - 1)) for i in range(count)})


def run(folder: Path, n_hires: int = 1000, points: int = 20) -> ScenarioResult:
    """Kill a full sync at ``points`` create counts; after each, re-run and check it all."""
    started = time.monotonic()
    result = ScenarioResult(f"crash anywhere ({points} kills)")
    tenant = harness.make_workspace(folder / "tenant", n_hires)
    with harness.QuietHarvest(tenant.tenant_path, rate_limit=None) as harvest:
        for number, kill_at in enumerate(kill_points(n_hires, points)):
            workspace = harness.Workspace(folder / f"kill-{number:02d}", n_hires)
            workspace.folder.mkdir(parents=True, exist_ok=True)
            options = {
                "before_reply": number % 2 == 0,
                "drop_ledger": number % 3 == 2,
                "kill_recovery": number % 4 == 3,
            }
            result.absorb(_one_kill(workspace, harvest, kill_at, **options))
    result.details["kill_points"] = points
    result.seconds = time.monotonic() - started
    return result


def _one_kill(
    workspace: harness.Workspace,
    harvest: HarvestFake,
    kill_at: int,
    *,
    before_reply: bool,
    drop_ledger: bool,
    kill_recovery: bool,
) -> ScenarioResult:
    result = ScenarioResult("one kill")
    with KillingRemote(harness.company(), rate_limit_per_minute=1_000_000) as remote:
        harness.write_configs(
            workspace,
            harness.source_config(harvest.base_url, harvest.token_url),
            harness.destination_config(remote.base_url, workspace.ledger_path),
        )
        remote.kill_at, remote.before_reply = kill_at, before_reply
        process, out, err = harness.start_sync(workspace, "killed")
        remote.victim = process.pid
        killed = harness.finish(workspace, process, out, err, SYNC_TIMEOUT_SECONDS)
        if not remote.killed.is_set():
            result.problem(f"kill at create {kill_at} never fired (exit {killed.returncode})")
        if drop_ledger:
            _drop_ledger(workspace.ledger_path)
        if kill_recovery:
            _kill_again(workspace, remote, result)
        rerun = harness.run_sync(workspace, "rerun", SYNC_TIMEOUT_SECONDS)
        if rerun.returncode != 0:
            result.problem(f"re-run after kill at {kill_at} exited {rerun.returncode}")
        harness.check_exactly_once(workspace, remote, result)
        harness.check_ledger_agrees(workspace, remote, result, complete=not drop_ledger)
    _account(workspace, result, drop_ledger)
    return result


def _kill_again(
    workspace: harness.Workspace, remote: KillingRemote, result: ScenarioResult
) -> None:
    """Crash the recovery too, at its first create (when it has one left to make)."""
    remote.kill_at, remote.victim = remote.creates + 1, None
    remote.killed.clear()
    process, out, err = harness.start_sync(workspace, "killed-recovery")
    remote.victim = process.pid
    harness.finish(workspace, process, out, err, SYNC_TIMEOUT_SECONDS)
    result.details["recoveries_killed"] = int(remote.killed.is_set())
    remote.kill_at = None


def _account(workspace: harness.Workspace, result: ScenarioResult, drop_ledger: bool) -> None:
    result.unhandled_errors += harness.count_tracebacks(workspace.captured)
    harness.scan_for_leaks(
        workspace.captured, [workspace.ledger_path, workspace.state_path], result
    )
    result.details["ledger_dropped"] = int(drop_ledger)


def _drop_ledger(path: Path) -> None:
    for candidate in (path, *path.parent.glob(path.name + "-*")):
        candidate.unlink(missing_ok=True)
