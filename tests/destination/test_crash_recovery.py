"""SIGKILL the destination process mid-sync, run it again: no duplicate, no missing hire."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from integration_tests.fakes.remote import RemoteFake
from tests.destination.builders import TODAY, company, make_config, offer_event, write_catalog

HIRES = 200
STATE_EVERY = 50
EXECUTABLE = Path(sys.executable).parent / "destination-remote-onboarding"


def write_inputs(folder: Path, fake: RemoteFake, ledger: Path) -> tuple[Path, Path, Path]:
    config_path, catalog_path, input_path = (
        folder / "config.json",
        folder / "catalog.json",
        folder / "input.jsonl",
    )
    config = make_config(fake, ledger, request_timeout_seconds=5, lookup_strategy="per_email")
    config_path.write_text(json.dumps(config))
    write_catalog(catalog_path)
    lines: list[dict[str, object]] = []
    for number in range(HIRES):
        event = offer_event(f"crash{number}@example.test", application_id=70_000 + number)
        lines.append(
            {"type": "RECORD", "record": {"stream": "offers", "data": event, "emitted_at": 1}}
        )
        if (number + 1) % STATE_EVERY == 0:
            lines.append(
                {
                    "type": "STATE",
                    "state": {
                        "type": "STREAM",
                        "stream": {
                            "stream_descriptor": {"name": "offers"},
                            "stream_state": {"updated_at": f"cursor-{number}"},
                        },
                    },
                }
            )
    input_path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    return config_path, catalog_path, input_path


def start_write(config: Path, catalog_path: Path, input_path: Path) -> subprocess.Popen[bytes]:
    environment = {**os.environ, "AIRBYTE_OFFLINE_MODE": "1", "DO_NOT_TRACK": "1"}
    with input_path.open("rb") as stdin:
        return subprocess.Popen(
            [str(EXECUTABLE), "write", "--config", str(config), "--catalog", str(catalog_path)],
            stdin=stdin,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=environment,
        )


def kill_after_creates(process: subprocess.Popen[bytes], fake: RemoteFake, creates: int) -> None:
    deadline = time.monotonic() + 60
    while fake.request_count("POST") < creates:
        assert process.poll() is None, "the sync ended before it could be killed"
        assert time.monotonic() < deadline, "the sync made too little progress"
        time.sleep(0.002)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


@pytest.mark.parametrize(
    ("creates_before_kill", "keep_ledger"),
    [(1, True), (60, False), (150, True)],
)
def test_killed_sync_re_run_creates_every_hire_exactly_once(
    creates_before_kill: int, keep_ledger: bool, tmp_path: Path
) -> None:
    with RemoteFake(company(), rate_limit_per_minute=1_000_000, today=TODAY) as fake:
        fake.latency_seconds = 0.002
        files = write_inputs(tmp_path, fake, tmp_path / "ledger.sqlite")
        kill_after_creates(start_write(*files), fake, creates_before_kill)
        if not keep_ledger:
            for leftover in tmp_path.glob("ledger.sqlite*"):
                leftover.unlink()

        rerun = start_write(*files)

        assert rerun.wait(timeout=90) == 0
        by_email: dict[str, int] = {}
        for employment in fake.employments:
            by_email[employment["personal_email"]] = (
                by_email.get(employment["personal_email"], 0) + 1
            )
        assert len(by_email) == HIRES
        assert set(by_email.values()) == {1}
