"""``hires rules check`` and ``hires rules explain`` as a person uses them."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path
from typing import Any

import pytest

from rules import cli
from tests.rules.events import RULES_DIR, SEND_FIELD_NAME, offer_created


def run(*argv: str) -> tuple[int, str]:
    parser = argparse.ArgumentParser(prog="hires")
    cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    out = io.StringIO()
    status: int = args.handler(args, out)
    return status, out.getvalue()


def write(tmp_path: Path, name: str, content: Any) -> Path:
    path = tmp_path / name
    text = content if isinstance(content, str) else json.dumps(content)
    path.write_text(text, encoding="utf-8")
    return path


def test_check_without_files_checks_every_customer_rule() -> None:
    status, output = run("rules", "check")

    assert status == 0
    assert output.splitlines() == [
        f"OK {RULES_DIR / 'customers' / 'globex.yaml'}",
        f"OK {RULES_DIR / 'customers' / 'northwind.yaml'}",
    ]


def test_check_prints_every_error_and_exits_1(tmp_path: Path) -> None:
    bad = write(tmp_path, "acme.yaml", "version: 1\ncustomer: acme\ntrigger: hired\n")
    good = RULES_DIR / "customers" / "globex.yaml"

    status, output = run("rules", "check", str(bad), str(good))

    assert status == 1
    assert output.splitlines() == [
        f"{bad}:1:1: rule: missing required key 'profile'",
        f"{bad}:3:10: trigger: unknown value 'hired'; expected one of candidate_hired, "
        "offer_created (did you mean 'candidate_hired'?)",
        f"OK {good}",
    ]


def test_explain_shows_checks_and_the_profile_for_a_record_message(tmp_path: Path) -> None:
    record = {
        "type": "RECORD",
        "record": {"stream": "offers", "data": offer_created(), "emitted_at": 1},
    }
    event_file = write(tmp_path, "event.json", record)

    status, output = run(
        "rules", "explain", str(RULES_DIR / "customers" / "northwind.yaml"), str(event_file)
    )

    assert status == 0
    lines = output.splitlines()
    assert lines[:4] == [
        "rule northwind.yaml",
        f"  PASS offer field '{SEND_FIELD_NAME}' is yes: is true",
        "  PASS offer.status is one of Created, Accepted: is 'Accepted'",
        "decision: send: eligible (all 2 conditions passed)",
    ]
    assert json.loads("\n".join(lines[4:]))["country_code"] == "PRT"


def test_explain_shows_the_skip_reason_for_a_plain_event(tmp_path: Path) -> None:
    event_file = write(tmp_path, "event.json", offer_created(answer=None))

    status, output = run(
        "rules", "explain", str(RULES_DIR / "customers" / "northwind.yaml"), str(event_file)
    )

    assert status == 0
    assert output.splitlines()[1] == (
        f"  FAIL offer field '{SEND_FIELD_NAME}' is yes: is null (not answered)"
    )
    assert output.splitlines()[-1] == (
        f"decision: skip: offer field '{SEND_FIELD_NAME}' is null (not answered)"
    )


def test_explain_lists_each_invalid_field(tmp_path: Path) -> None:
    event_file = write(tmp_path, "event.json", offer_created(country="Atlantis"))

    _, output = run(
        "rules", "explain", str(RULES_DIR / "customers" / "northwind.yaml"), str(event_file)
    )

    assert output.splitlines()[-1] == (
        "  country_code: 'Atlantis' is not a known country (give an ISO code or English name)"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "cannot read a JSON hire event"),
        ({"type": "RECORD", "record": {}}, "the RECORD message has no record.data object"),
    ],
)
def test_explain_refuses_an_unreadable_event_with_exit_1(
    tmp_path: Path, content: Any, message: str
) -> None:
    event_file = write(tmp_path, "event.json", content)

    status, output = run(
        "rules", "explain", str(RULES_DIR / "customers" / "northwind.yaml"), str(event_file)
    )

    assert status == 1
    assert message in output


def test_explain_with_a_bad_rule_prints_its_errors(tmp_path: Path) -> None:
    rule = write(tmp_path, "acme.yaml", "version: 1\n")
    event_file = write(tmp_path, "event.json", offer_created())

    status, output = run("rules", "explain", str(rule), str(event_file))

    assert status == 1
    assert f"{rule}:1:1: rule: missing required key 'customer'" in output.splitlines()
