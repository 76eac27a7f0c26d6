"""``hires outcomes`` lists what the ledger recorded, filtered and formatted."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from destination_remote_onboarding import cli
from destination_remote_onboarding.ledger import Ledger
from integration_tests.fakes.remote import RemoteFake
from tests.destination.builders import make_config, offer_event, records_then_state, write


def run_outcomes(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="hires")
    cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["outcomes", *argv])
    status: int = args.handler(args)
    return status


def test_outcomes_of_the_last_sync_as_json_filtered_by_outcome(
    remote: RemoteFake, ledger_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    remote.add_employment(personal_email="taken@example.test", external_id="hris-1")
    config = make_config(remote, ledger_path)
    write(config, records_then_state([offer_event("one@example.test")]))
    write(
        config,
        records_then_state([offer_event("two@example.test"), offer_event("taken@example.test")]),
    )
    capsys.readouterr()

    status = run_outcomes("--ledger", str(ledger_path), "--format", "json", "--outcome", "created")

    rows = json.loads(capsys.readouterr().out)
    assert status == 0
    assert [row["event_id"] for row in rows] == [rows[0]["event_id"]]
    assert rows[0]["outcome"] == "created" and rows[0]["customer"] == "testco"
    assert "two@example.test" not in json.dumps(rows)


def test_outcomes_table_of_every_sync(
    remote: RemoteFake, ledger_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = make_config(remote, ledger_path)
    write(config, records_then_state([offer_event("a@example.test")]))
    write(config, records_then_state([offer_event("b@example.test")]))
    capsys.readouterr()

    status = run_outcomes("--ledger", str(ledger_path), "--all", "--customer", "testco")

    lines = capsys.readouterr().out.splitlines()
    assert status == 0
    assert lines[0].split() == [
        "recorded_at",
        "customer",
        "event_id",
        "outcome",
        "employment_id",
        "reason",
    ]
    assert len(lines) == 4
    assert all(" created " in line for line in lines[2:])


def test_missing_ledger_says_how_to_get_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = run_outcomes("--ledger", str(tmp_path / "absent.sqlite"))

    assert status == 2
    assert "run a sync first" in capsys.readouterr().err


def test_unknown_customer_is_named_with_the_known_ones_and_exits_1(
    remote: RemoteFake, ledger_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(make_config(remote, ledger_path), records_then_state([offer_event("a@example.test")]))
    capsys.readouterr()

    status = run_outcomes("--ledger", str(ledger_path), "--customer", "testc")

    assert status == 1
    assert capsys.readouterr().err == (
        f"customer 'testc' has no sync in {ledger_path}; known customers: testco\n"
    )


def test_unknown_sync_id_is_named_with_the_last_sync_ids_and_exits_1(
    remote: RemoteFake, ledger_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = make_config(remote, ledger_path)
    write(config, records_then_state([offer_event("a@example.test")]))
    write(config, records_then_state([offer_event("b@example.test")]))
    capsys.readouterr()
    with Ledger(ledger_path) as ledger:
        recent = ledger.recent_sync_ids()

    status = run_outcomes("--ledger", str(ledger_path), "--sync", "nope")

    assert status == 1
    assert len(recent) == 2
    assert capsys.readouterr().err == (
        f"sync 'nope' is not in {ledger_path}; the last syncs are {', '.join(recent)}\n"
    )


def test_a_file_that_is_not_a_ledger_is_named_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    not_a_ledger = tmp_path / "config.json"
    not_a_ledger.write_text(json.dumps({"environment": "sandbox", "note": "x" * 200}))

    status = run_outcomes("--ledger", str(not_a_ledger))

    assert status == 1
    assert capsys.readouterr().err == (
        f"{not_a_ledger} is not a ledger database (file is not a database); give the path of "
        "a ledger written by a sync, or a new file name\n"
    )
