"""``hires sync`` as a person runs it: exit codes, one-line errors, the event table."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hires_cli.main import main
from hires_cli.sync import ProgressLine
from integration_tests.fakes.harvest import HarvestFake
from integration_tests.fakes.remote import RemoteFake
from integration_tests.local_configs import destination_config, source_config

SAMPLES = Path(__file__).resolve().parents[2] / "integration_tests" / "sample_data"


@pytest.fixture
def fakes() -> Iterator[tuple[HarvestFake, RemoteFake]]:
    tenant = json.loads((SAMPLES / "greenhouse_tenant.json").read_text(encoding="utf-8"))
    company = json.loads((SAMPLES / "remote_company.json").read_text(encoding="utf-8"))
    with HarvestFake(tenant) as harvest, RemoteFake(company, rate_limit_per_minute=1000) as remote:
        yield harvest, remote


def _write(path: Path, value: dict[str, Any]) -> Path:
    path.write_text(json.dumps(value), encoding="utf-8")
    return path


def _configs(
    tmp_path: Path,
    harvest: HarvestFake,
    remote: RemoteFake,
    *,
    source: dict[str, Any] | None = None,
    destination: dict[str, Any] | None = None,
) -> list[str]:
    source = source_config(harvest, **(source or {}))
    overrides = dict(destination or {})
    rule = overrides.pop("rule", None)
    target = destination_config(
        remote, rule="globex.yaml", ledger_path=tmp_path / "ledger.sqlite", **overrides
    )
    if rule is not None:
        target["rule"] = rule
    return [
        "sync",
        "--source-config",
        str(_write(tmp_path / "source.json", source)),
        "--destination-config",
        str(_write(tmp_path / "destination.json", target)),
    ]


def test_sync_prints_one_line_per_event_and_the_totals(fakes, tmp_path, capsys):
    status = main(_configs(tmp_path, *fakes))

    out = capsys.readouterr().out
    assert status == 0
    assert "sync " in out and "(hires): 12 events read" in out
    assert out.count("candidate_hired") == 12
    assert "totals: already_synced 1, conflict 1, created 6, invalid 3, skipped 1" in out


def test_dry_run_is_marked_in_every_line_and_the_totals(fakes, tmp_path, capsys):
    harvest, remote = fakes

    status = main(_configs(tmp_path, harvest, remote, destination={"dry_run": True}))

    out = capsys.readouterr().out
    assert status == 0
    assert "created (dry run)" in out
    assert "totals (dry run): " in out
    assert remote.request_count("POST") == 0


def test_real_sync_after_a_dry_run_still_reads_and_creates_every_hire(fakes, tmp_path, capsys):
    harvest, remote = fakes
    assert main(_configs(tmp_path, harvest, remote, destination={"dry_run": True})) == 0
    capsys.readouterr()

    status = main(_configs(tmp_path, harvest, remote))

    out = capsys.readouterr().out
    assert status == 0
    assert "(hires): 12 events read" in out
    assert remote.request_count("POST", "/v1/employments") == 7  # 6 created + the holiday 422


def test_missing_config_file_is_one_line_naming_it(tmp_path, capsys):
    status = main(
        ["sync", "--source-config", str(tmp_path / "nope.json"), "--destination-config", "x"]
    )

    err = capsys.readouterr().err
    assert status == 2
    assert f"cannot read the source config {tmp_path / 'nope.json'}" in err
    assert "Traceback" not in err


def test_rule_with_a_typo_stops_before_reading_with_file_line_and_key(fakes, tmp_path, capsys):
    rule = (SAMPLES.parent.parent / "rules/customers/globex.yaml").read_text(encoding="utf-8")
    broken = _write_text(tmp_path / "acme.yaml", rule.replace("candidate_hired", "hired"))
    harvest, remote = fakes
    args = _configs(
        tmp_path,
        harvest,
        remote,
        destination={"rule": {"rule_source": "file", "rule_file": broken}},
    )

    status = main(args)

    err = capsys.readouterr().err
    assert status == 2
    assert "acme.yaml:" in err and "trigger: unknown value 'hired'" in err
    assert len(harvest.requests) == 0


def test_state_of_one_greenhouse_account_is_not_used_for_another(fakes, tmp_path, capsys):
    harvest, remote = fakes
    assert main(_configs(tmp_path, harvest, remote)) == 0
    capsys.readouterr()

    status = main(_configs(tmp_path, harvest, remote, source={"user_id": "5001122"}))

    out = capsys.readouterr().out
    assert status == 0
    assert "(hires): 12 events read" in out
    assert len(list(tmp_path.glob("state-globex-*.json"))) == 2


def _write_text(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_user_who_is_not_a_site_admin_is_refused_before_reading(fakes, tmp_path, capsys):
    harvest, remote = fakes

    status = main(_configs(tmp_path, harvest, remote, source={"user_id": "5009999"}))

    err = capsys.readouterr().err
    assert status == 2
    assert "5009999" in err and "Site Admin" in err
    assert harvest.request_count(path="/v3/offers") == 0
    assert harvest.request_count(path="/v3/applications") == 0


def test_leftover_v1_api_key_is_explained_in_one_line(fakes, tmp_path, capsys):
    harvest, remote = fakes

    legacy = {"api_key": "CANARY-v1-key", "client_id": "", "client_secret": ""}

    status = main(_configs(tmp_path, harvest, remote, source=legacy))

    err = capsys.readouterr().err
    assert status == 2
    assert "2026-08-31" in err and "Harvest V3 (OAuth)" in err
    assert "Traceback" not in err and "CANARY-v1-key" not in err
    assert len(harvest.requests) == 0


def test_bad_start_date_names_the_field_and_the_expected_form(fakes, tmp_path, capsys):
    harvest, remote = fakes

    status = main(_configs(tmp_path, harvest, remote, source={"start_date": "01/01/2030"}))

    err = capsys.readouterr().err
    assert status == 2
    assert "start_date" in err and "01/01/2030" in err and "2026-01-01T00:00:00Z" in err


def test_a_sync_that_gives_up_on_harvest_prints_no_traceback(fakes, tmp_path, capsys):
    harvest, remote = fakes
    harvest.fail_next(503, count=50, path="/v3/applications")

    status = main(_configs(tmp_path, harvest, remote, source={"max_retries": 1}))

    err = capsys.readouterr().err
    assert status == 2
    assert "server errors" in err
    assert "Traceback" not in err


def test_progress_line_shows_events_outcomes_and_the_current_wait():
    stream = io.StringIO()
    now = [0.0]
    progress = ProgressLine(stream, every_seconds=10, clock=lambda: now[0])

    progress({"events_read": 40})
    progress({"outcomes": {"created": 3, "failed": 0}, "waiting": "2.5 s (rate limit)"})
    now[0] = 11.0
    progress({"events_read": 90, "waiting": None})

    assert stream.getvalue().splitlines() == [
        "events read 40 | created 3 | waiting 2.5 s (rate limit)",
        "events read 90 | created 3",
    ]
