"""``hires rules check`` and ``hires rules explain`` as a person uses them."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path
from typing import Any

import pytest

from rules import cli
from tests.rules.events import RULES_DIR, SEND_FIELD_NAME, candidate_hired, offer_created


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


def test_check_without_files_checks_the_packaged_rules_outside_a_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    status, output = run("rules", "check")

    packaged = RULES_DIR / "customers"
    assert status == 0
    assert output.splitlines() == [
        f"checking the rules in {packaged}",
        f"OK {packaged / 'globex.yaml'}",
        f"OK {packaged / 'northwind.yaml'}",
    ]


def test_check_without_files_checks_the_projects_own_rules_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "rules" / "customers"
    folder.mkdir(parents=True)
    acme = write(folder, "acme.yaml", "version: 1\ncustomer: acme\ntrigger: hired\n")
    monkeypatch.chdir(tmp_path)

    status, output = run("rules", "check")

    assert status == 1
    assert output.splitlines()[:2] == [
        f"checking the rules in {folder}",
        f"{acme}:1:1: rule: missing required key 'profile'",
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
        f"  FAIL offer field '{SEND_FIELD_NAME}' is yes: is null (not answered), expected yes"
    )
    assert output.splitlines()[-1] == (
        f"decision: skip: offer field '{SEND_FIELD_NAME}' is null (not answered), expected yes"
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


def test_explain_finds_a_bare_rule_name_as_the_destination_does(tmp_path: Path) -> None:
    event_file = write(tmp_path, "event.json", offer_created())

    status, output = run("rules", "explain", "northwind.yaml", str(event_file))

    assert status == 0
    assert output.splitlines()[0] == "rule northwind.yaml"


def test_explain_names_a_rule_file_that_does_not_exist(tmp_path: Path) -> None:
    event_file = write(tmp_path, "event.json", offer_created())

    status, output = run("rules", "explain", "nortwind.yaml", str(event_file))

    assert status == 1
    assert output.startswith(
        "rule file 'nortwind.yaml' does not exist (did you mean 'northwind.yaml'?); give a path "
        "to a YAML file or the name of one"
    )


def source_read_output(*events: dict[str, Any]) -> str:
    """What ``source-greenhouse-hires read`` prints: LOG, RECORD and STATE lines."""
    lines: list[dict[str, Any]] = [{"type": "LOG", "log": {"level": "INFO", "message": "go"}}]
    for event in events:
        record = {"stream": "hire_events", "data": event, "emitted_at": 1}
        lines.append({"type": "RECORD", "record": record})
    lines.append({"type": "STATE", "state": {"type": "STREAM"}})
    return "\n".join(json.dumps(line) for line in lines) + "\n"


def test_explain_reads_the_json_lines_of_a_source_read_and_explains_every_record(
    tmp_path: Path,
) -> None:
    sent, skipped = offer_created(), offer_created(answer=None)
    skipped["event_id"] = "offer_created:2"
    out_file = write(tmp_path, "out.jsonl", source_read_output(sent, skipped))

    status, output = run("rules", "explain", "northwind.yaml", str(out_file))

    lines = output.splitlines()
    assert status == 0
    assert lines[0] == f"event {sent['event_id']} ({out_file}:2)"
    assert lines[1] == "rule northwind.yaml"
    assert f"event offer_created:2 ({out_file}:3)" in lines
    assert (
        lines[-1]
        == f"decision: skip: offer field '{SEND_FIELD_NAME}' is null (not answered), expected yes"
    )


def test_explain_event_id_picks_one_record_of_a_json_lines_file(tmp_path: Path) -> None:
    sent, skipped = offer_created(), offer_created(answer=None)
    skipped["event_id"] = "offer_created:2"
    out_file = write(tmp_path, "out.jsonl", source_read_output(sent, skipped))

    status, output = run(
        "rules", "explain", "northwind.yaml", str(out_file), "--event-id", "offer_created:2"
    )

    assert status == 0
    assert output.splitlines()[0] == "rule northwind.yaml"
    assert output.splitlines()[-1].startswith("decision: skip:")


def test_explain_unknown_event_id_lists_the_ids_in_the_file(tmp_path: Path) -> None:
    event = offer_created()
    out_file = write(tmp_path, "out.jsonl", source_read_output(event, event))

    status, output = run("rules", "explain", "northwind.yaml", str(out_file), "--event-id", "x")

    assert status == 1
    assert output == (
        f"{out_file}: no event with event_id 'x'; it holds "
        f"{event['event_id']}, {event['event_id']}\n"
    )


def test_explain_refuses_json_that_is_not_a_hire_event_naming_what_is_missing(
    tmp_path: Path,
) -> None:
    event_file = write(tmp_path, "config.json", {"environment": "sandbox"})

    status, output = run("rules", "explain", "northwind.yaml", str(event_file))

    assert status == 1
    assert output == (
        f"{event_file}: not a hire event: it has no trigger or application_id; pass a hire "
        "event, a RECORD message, or the output of source-greenhouse-hires read\n"
    )


def test_explain_of_an_event_of_the_other_trigger_still_shows_the_conditions(
    tmp_path: Path,
) -> None:
    event_file = write(tmp_path, "event.json", candidate_hired())

    status, output = run("rules", "explain", "northwind.yaml", str(event_file))

    assert status == 0
    assert output.splitlines() == [
        "rule northwind.yaml",
        "  (another trigger: the conditions would say, for this rule's trigger:)",
        f"  PASS offer field '{SEND_FIELD_NAME}' is yes: is true",
        "  PASS offer.status is one of Created, Accepted: is 'Accepted'",
        "decision: skip: trigger candidate_hired is not this rule's trigger offer_created",
    ]


def test_check_of_a_folder_checks_every_yaml_in_it(tmp_path: Path) -> None:
    folder = tmp_path / "my"
    folder.mkdir()
    good = write(folder, "good.yaml", (RULES_DIR / "customers" / "northwind.yaml").read_text())
    write(folder, "bad.yaml", "version: 1\ncustomer: acme\ntrigger: hired\n")
    write(folder, "notes.txt", "not a rule")

    status, output = run("rules", "check", str(folder))

    lines = output.splitlines()
    assert status == 1
    assert lines[0] == f"checking the rules in {folder}"
    assert lines[1].startswith(f"{folder / 'bad.yaml'}:1:1: rule: missing required key 'profile'")
    assert lines[-1] == f"OK {good}"


def test_check_of_a_folder_without_rules_says_so(tmp_path: Path) -> None:
    status, output = run("rules", "check", str(tmp_path))

    assert status == 1
    assert output.splitlines() == [
        f"checking the rules in {tmp_path}",
        f"no *.yaml in {tmp_path}; give a rule file or a folder that holds some",
    ]


def test_explain_of_a_raw_webhook_delivery_points_to_the_inbox(tmp_path: Path) -> None:
    delivery = {"action": "offer_created", "payload": {"id": 12345, "application_id": 234556}}
    event_file = write(tmp_path, "delivery.json", delivery)

    status, output = run("rules", "explain", "northwind.yaml", str(event_file))

    assert status == 1
    assert output == (
        f"{event_file}: not a hire event: it has no trigger or application_id; pass a hire "
        "event, a RECORD message, or the output of source-greenhouse-hires read; this looks "
        "like a Greenhouse webhook delivery; store it with `hires serve` and print its hire "
        "event with `hires inbox event ID`\n"
    )
