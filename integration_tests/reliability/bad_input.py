"""Bad input: malformed hire events through the destination's ``write``, malformed rules
through ``hires rules check`` and the destination config, malformed source and destination
configs through ``check``. Each must end in a clear message or an ``invalid`` outcome that
names what is wrong, never in a traceback."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Final

from integration_tests.fakes.remote import RemoteFake
from integration_tests.reliability import harness
from integration_tests.reliability.results import ScenarioResult
from integration_tests.sample_data.build_samples import (
    COUNTRY_KEY,
    COUNTRY_NAME,
    SEND_KEY,
    SEND_NAME,
)
from tests.destination.builders import offer_event, write_catalog

Event = dict[str, Any]
FIRST_BAD_APPLICATION: Final = 51_000_000
HUGE: Final = "x" * 200_000


def valid_event(number: int) -> Event:
    """An eligible offer_created event for the northwind rule (Portugal, flagged for Remote)."""
    application_id = FIRST_BAD_APPLICATION + number
    event = offer_event(f"bad{number}@example.org", application_id=application_id)
    event["offer"]["custom_fields"] = {
        SEND_KEY: {"name": SEND_NAME, "type": "yes_no", "value": True},
        COUNTRY_KEY: {"name": COUNTRY_NAME, "type": "single_select", "value": "Portugal"},
    }
    return event


def _set(path: str, value: Any) -> Callable[[Event], None]:
    def mutate(event: Event) -> None:
        *parents, last = path.split(".")
        target = event
        for key in parents:
            target = target[key]
        target[last] = value

    return mutate


def _drop(path: str) -> Callable[[Event], None]:
    def mutate(event: Event) -> None:
        *parents, last = path.split(".")
        target = event
        for key in parents:
            target = target[key]
        target.pop(last, None)

    return mutate


def _email(value: Any) -> Callable[[Event], None]:
    return _set("candidate.email_addresses", [{"value": value, "type": "personal"}])


# (label, mutation, the word the reason must contain, or None when a clean create is fine)
# A lone surrogate is left out: it is not valid UTF-8 JSON, and the CDK drops such a line.
EVENT_CORPUS: Final[list[tuple[str, Callable[[Event], None], str | None]]] = [
    ("no candidate", _drop("candidate"), "email"),
    ("no offer", _drop("offer"), None),
    ("no job", _drop("job"), None),
    ("candidate is a string", _set("candidate", "Ada"), "candidate"),
    ("offer is a list", _set("offer", []), None),
    ("no e-mail addresses", _set("candidate.email_addresses", []), "email"),
    ("e-mail addresses is a number", _set("candidate.email_addresses", 7), "email"),
    ("e-mail is not an address", _email("not-an-address"), "email"),
    ("e-mail is a number", _email(12345), "email"),
    ("e-mail is huge", _email(HUGE + "@example.org"), "email"),
    ("first name is huge", _set("candidate.first_name", HUGE), None),
    ("first name is a dict", _set("candidate.first_name", {"a": 1}), None),
    ("last name is null", _set("candidate.last_name", None), None),
    (
        "name has RTL override and zero-width",
        _set("candidate.first_name", "A\u202eda\u200b"),
        None,
    ),
    ("name has a NUL", _set("candidate.first_name", "Ada\u0000Byron"), None),
    ("name is emoji", _set("candidate.first_name", "\U0001f469\u200d\U0001f4bb"), None),
    ("start date 30 February", _set("offer.starts_on", "2027-02-30"), "start_date|starts_on"),
    ("start date day first", _set("offer.starts_on", "31/12/2027"), "start_date|starts_on"),
    ("start date empty", _set("offer.starts_on", ""), "start_date|starts_on"),
    ("start date a number", _set("offer.starts_on", 20270201), "starts_on"),
    ("start date in the past", _set("offer.starts_on", "1999-01-01"), "start_date|starts_on"),
    ("start date year 10000", _set("offer.starts_on", "10000-01-01"), "start_date|starts_on"),
    ("country unknown", _set(f"offer.custom_fields.{COUNTRY_KEY}.value", "Atlantis"), "country"),
    ("country is a list", _set(f"offer.custom_fields.{COUNTRY_KEY}.value", ["PT"]), "country"),
    ("custom fields is a string", _set("offer.custom_fields", "yes"), None),
    ("application id is text", _set("application_id", "seven"), None),
    ("application id is null", _set("application_id", None), None),
    ("no event id", _drop("event_id"), None),
    ("no trigger", _drop("trigger"), None),
    ("unknown trigger", _set("trigger", "offer_deleted"), None),
    ("updated_at is garbage", _set("updated_at", "yesterday"), None),
    ("job name is huge", _set("job.name", HUGE), None),
    ("every field null", lambda event: event.update(dict.fromkeys(event)), None),
]


def event_corpus() -> list[tuple[str, Event, str | None]]:
    corpus = []
    for number, (label, mutate, word) in enumerate(EVENT_CORPUS):
        event = valid_event(number)
        mutate(event)
        corpus.append((label, event, word))
    return corpus


def run(folder: Path, full: bool = True) -> ScenarioResult:
    """Every corpus through its front door; ``full`` also runs every config and rule case."""
    started = time.monotonic()
    result = ScenarioResult("bad input")
    folder.mkdir(parents=True, exist_ok=True)
    with RemoteFake(harness.company(), rate_limit_per_minute=100_000) as remote:
        _events_through_write(folder, remote, result)
        checks = _config_cases(folder, remote) + _rule_cases(folder)
        if not full:
            checks = checks[::3]
        with ThreadPoolExecutor(max_workers=2) as pool:
            for problem in pool.map(_run_check, checks):
                if problem is not None:
                    result.problem(problem)
                    result.unhandled_errors += int("Traceback" in problem)
        result.details["config_and_rule_cases"] = len(checks)
    result.seconds = time.monotonic() - started
    return result


def _events_through_write(folder: Path, remote: RemoteFake, result: ScenarioResult) -> None:
    """One ``destination-remote-onboarding write`` over the whole corpus plus a valid event."""
    corpus = event_corpus()
    ledger = folder / "ledger.sqlite"
    config = harness.destination_config(remote.base_url, ledger)
    (folder / "config.json").write_text(json.dumps(config), encoding="utf-8")
    write_catalog(folder / "catalog.json")
    events = [event for _, event, _ in corpus] + [valid_event(len(corpus))]
    lines = [_record(event) for event in events] + [_state()]
    command = [
        str(harness.BIN / "destination-remote-onboarding"),
        "write",
        "--config",
        str(folder / "config.json"),
        "--catalog",
        str(folder / "catalog.json"),
    ]
    done = subprocess.run(
        command, input="\n".join(lines) + "\n", capture_output=True, text=True,
        env=harness.ENVIRONMENT, timeout=300, check=False,
    )  # fmt: skip
    texts = [done.stdout, done.stderr]
    result.unhandled_errors += harness.count_tracebacks(texts)
    if done.returncode != 0:
        result.unhandled_errors += 1
        result.problem(f"write exited {done.returncode}: {done.stderr[-300:]}")
    if '"type": "STATE"' not in done.stdout and '"type":"STATE"' not in done.stdout:
        result.problem("write did not echo the STATE after the corpus")
    _judge_outcomes(corpus, harness.ledger_rows(ledger), result)
    result.created += len(remote.employments) - harness.EXISTING_EMPLOYMENTS
    harness.scan_for_leaks(texts, [ledger], result)


def _record(event: Event) -> str:
    record = {"stream": "offers", "data": event, "emitted_at": 1}
    return json.dumps({"type": "RECORD", "record": record})


def _state() -> str:
    stream = {"stream_descriptor": {"name": "offers"}, "stream_state": {"updated_at": "x"}}
    return json.dumps({"type": "STATE", "state": {"type": "STREAM", "stream": stream}})


def _judge_outcomes(
    corpus: list[tuple[str, Event, str | None]],
    rows: list[dict[str, Any]],
    result: ScenarioResult,
) -> None:
    """Each corpus event has one outcome; those that must be refused name the field."""
    expected = len(corpus) + 1
    if len(rows) != expected:
        result.problem(f"{len(rows)} outcomes for {expected} records")
    by_application = {row["application_id"]: row for row in rows}
    for number, (label, _, word) in enumerate(corpus):
        row = by_application.get(FIRST_BAD_APPLICATION + number)
        if word is None or row is None:
            continue
        if row["outcome"] != "invalid" or not any(w in row["reason"] for w in word.split("|")):
            result.problem(f"{label}: {row['outcome']} ({row['reason'][:120]}), wanted {word}")
    for row in rows:
        result.details[f"outcome_{row['outcome']}"] = (
            result.details.get(f"outcome_{row['outcome']}", 0) + 1
        )


Check = tuple[str, list[str], str]  # label, command, a word the message must contain


def _config_cases(folder: Path, remote: RemoteFake) -> list[Check]:
    good_destination = harness.destination_config(remote.base_url, folder / "check-ledger")
    (folder / "a-file").write_text("not a folder", encoding="utf-8")
    blocked = folder / "a-file" / "ledger.sqlite"
    destination_cases: list[tuple[str, dict[str, Any], str]] = [
        ("empty destination config", {}, "environment"),
        ("no token", {**good_destination, "api_token": ""}, "api_token"),
        ("token is a number", {**good_destination, "api_token": 42}, "api_token|string"),
        ("unknown environment", {**good_destination, "environment": "moon"}, "environment|moon"),
        ("custom without URL", {**good_destination, "environment": "custom"}, "base_url|custom"),
        ("bad lookup strategy", {**good_destination, "lookup_strategy": "guess"}, "lookup|guess"),
        ("negative rate", {**good_destination, "rate_limit_per_minute": -1}, "rate_limit|-1"),
        ("rate is text", {**good_destination, "rate_limit_per_minute": "fast"}, "rate_limit|fast"),
        ("rule file missing", {**good_destination, "rule": "nope.yaml"}, "rule|nope.yaml"),
        ("rule is a number", {**good_destination, "rule": 3}, "rule|3 is not"),
        ("pasted rule broken", {**good_destination, "rule": {"rule_yaml": "a: [1"}}, "rule"),
        ("ledger under a file", {**good_destination, "ledger_path": str(blocked)}, "ledger"),
    ]
    good_source = harness.source_config(remote.base_url, f"{remote.base_url}/token")
    source_cases: list[tuple[str, dict[str, Any], str]] = [
        ("empty source config", {}, "client_id"),
        ("v1 api key", {"api_key": "abc"}, "Harvest"),
        ("no secret", {**good_source, "client_secret": ""}, "client_secret"),
        ("page size text", {**good_source, "page_size": "big"}, "page_size|big"),
        ("user id letters", {**good_source, "user_id": "admin"}, "user_id|admin"),
        ("start date garbage", {**good_source, "start_date": "soon"}, "start_date|soon"),
    ]
    cases: list[Check] = []
    for kind, entries in (("destination", destination_cases), ("source", source_cases)):
        executable = (
            "destination-remote-onboarding"
            if kind == "destination"
            else ("source-greenhouse-hires")
        )
        for number, (label, config, word) in enumerate(entries):
            path = folder / f"{kind}-config-{number}.json"
            path.write_text(json.dumps(config), encoding="utf-8")
            command = [str(harness.BIN / executable), "check", "--config", str(path)]
            cases.append((label, command, word))
    return cases


RULE_CASES: Final[list[tuple[str, str, str]]] = [
    ("empty rule", "", "rule"),
    ("not YAML", "customer: [acme\n", "rule-1.yaml:2"),
    ("a list", "- 1\n- 2\n", "mapping"),
    ("unknown trigger", "version: 1\ncustomer: a\ntrigger: offer_deleted\n", "trigger"),
    ("template syntax", "version: 1\ncustomer: a\ntrigger: offer_created\nprofile:\n"
     "  type: employee\n  country_code: '{{ offer_field('\n", "profile"),
    ("tabs and binary", "version:\t1\n\x00\x01", "rule-5.yaml:"),
    ("huge value", "version: 1\ncustomer: " + "a" * 100_000 + "\n", "rule"),
]  # fmt: skip


def _rule_cases(folder: Path) -> list[Check]:
    cases: list[Check] = []
    for number, (label, text, word) in enumerate(RULE_CASES):
        path = folder / f"rule-{number}.yaml"
        path.write_text(text, encoding="utf-8")
        cases.append((label, [str(harness.BIN / "hires"), "rules", "check", str(path)], word))
    return cases


def _run_check(case: Check) -> str | None:
    """None when the command refused the input with a message naming ``word``, no traceback."""
    label, command, word = case
    done = subprocess.run(
        command, capture_output=True, text=True, env=harness.ENVIRONMENT, timeout=120,
        check=False,
    )  # fmt: skip
    text = done.stdout + done.stderr
    if harness.TRACEBACK in text:
        return f"{label}: Traceback in the output: {text[-400:]}"
    refused = done.returncode != 0 or '"status": "FAILED"' in text or '"FAILED"' in text
    if not refused:
        return f"{label}: accepted (exit {done.returncode})"
    if not any(option.lower() in text.lower() for option in word.split("|")):
        return f"{label}: the message does not name {word!r}: {text[-300:]}"
    return None
