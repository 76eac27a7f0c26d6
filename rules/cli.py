"""``hires rules check`` and ``hires rules explain``: the rules engine for people.

``check`` validates rule files and prints every error with its position; ``explain`` shows how
one rule decides hire events, condition by condition.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, TextIO

from rules.conditions import ConditionResult
from rules.engine import Decision, Rule, decide
from rules.errors import RuleError
from rules.files import closest_rule_file, customers_dir, find_rule_file
from rules.loader import load_rule

# The fields every hire event has (hire_event.schema.json); without them nothing can be decided.
EVENT_KEYS: Final = ("trigger", "application_id")
_LISTED_IDS: Final = 5


@dataclass(frozen=True)
class EventInput:
    """One hire event read from a file, with where it came from (``file:line``)."""

    where: str
    event: dict[str, Any]


class EventFileError(Exception):
    """The event file cannot be explained; the message names the file, line and what to fix."""


def register(commands: Any) -> None:
    """Add ``rules check`` and ``rules explain`` to the ``hires`` parser."""
    parser = commands.add_parser("rules", help="check customer rules and explain decisions")
    actions = parser.add_subparsers(dest="rules_command", required=True, metavar="ACTION")

    check = actions.add_parser(
        "check", help="validate rule files (default: ./rules/customers/*.yaml, else packaged)"
    )
    check.add_argument("files", nargs="*", type=Path, metavar="FILE")
    check.set_defaults(handler=run_check)

    explain = actions.add_parser(
        "explain", help="show how a rule decides hire events (a JSON event or JSON Lines)"
    )
    explain.add_argument("rule", metavar="RULE", help="a rule file, or a name in rules/customers")
    explain.add_argument(
        "event",
        type=Path,
        metavar="EVENTS",
        help="a hire event, a RECORD message, or the output of source-greenhouse-hires read",
    )
    explain.add_argument("--event-id", metavar="ID", help="explain only this event_id")
    explain.set_defaults(handler=run_explain)


def run_check(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Print ``OK file`` or each error line; 1 when any file has an error."""
    out = out or sys.stdout
    files = _rule_files(list(args.files), out)
    if files is None:
        return 1
    if not files:
        folder = customers_dir().absolute()
        files = sorted(folder.glob("*.yaml"))
        out.write(f"checking the rules in {folder}\n")
        if not files:
            out.write(f"no rule files given and no *.yaml in {folder}\n")
            return 1
    failed = False
    for file in files:
        try:
            load_rule(file)
        except RuleError as error:
            failed = True
            out.writelines(f"{line}\n" for line in error.errors)
        else:
            out.write(f"OK {file}\n")
    return 1 if failed else 0


def _rule_files(given: list[Path], out: TextIO) -> list[Path] | None:
    """The files to check: each given file, and every *.yaml of each given folder."""
    files: list[Path] = []
    for path in given:
        if not path.is_dir():
            files.append(path)
            continue
        found = sorted(path.glob("*.yaml"))
        out.write(f"checking the rules in {path}\n")
        if not found:
            out.write(f"no *.yaml in {path}; give a rule file or a folder that holds some\n")
            return None
        files.extend(found)
    return files


def run_explain(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Explain each chosen event; 1 on a bad rule, a bad event file or a bad event in it."""
    out = out or sys.stdout
    rule = _load_named_rule(str(args.rule), out)
    if rule is None:
        return 1
    try:
        events = _chosen(read_events(args.event), args.event_id, args.event)
    except EventFileError as error:
        out.write(f"{error}\n")
        return 1
    status = 0
    for index, item in enumerate(events):
        if len(events) > 1:
            out.write(("\n" if index else "") + f"event {_event_label(item)}\n")
        problem = missing_event_keys(item.event)
        if problem is not None:
            out.write(f"{item.where}: {problem}\n")
            status = 1
            continue
        out.write(explain(rule, item.event))
    return status


def explain(rule: Rule, event: dict[str, Any]) -> str:
    """The explanation of one event; for another trigger, the conditions are still shown."""
    decision = decide(rule, event)
    if event.get("trigger") == rule.trigger or not rule.conditions:
        return render_explanation(decision, rule.source)
    as_if = decide(rule, {**event, "trigger": rule.trigger})
    return render_explanation(decision, rule.source, other_trigger_checks=as_if.checks)


def render_explanation(
    decision: Decision,
    source: str,
    *,
    other_trigger_checks: Sequence[ConditionResult] | None = None,
) -> str:
    """The text ``hires rules explain`` prints for one decision."""
    lines = [f"rule {source}"]
    checks = decision.checks
    if other_trigger_checks is not None:
        lines.append("  (another trigger: the conditions would say, for this rule's trigger:)")
        checks = list(other_trigger_checks)
    for check in checks:
        mark = "PASS" if check.passed else "FAIL"
        lines.append(f"{'  ' * (check.depth + 1)}{mark} {check.description}: {check.detail}")
    lines.append(f"decision: {decision.action}: {decision.reason}")
    if decision.action == "send":
        lines.append(json.dumps(decision.profile, indent=2, ensure_ascii=False))
    for error in decision.errors:
        lines.append(f"  {error.field}: {error.message}")
    return "\n".join(lines) + "\n"


def missing_event_keys(event: dict[str, Any]) -> str | None:
    """Why ``event`` is not a hire event (the keys it lacks), or None."""
    missing = [key for key in EVENT_KEYS if event.get(key) is None]
    if not missing:
        return None
    text = (
        f"not a hire event: it has no {' or '.join(missing)}; pass a hire event, a RECORD "
        "message, or the output of source-greenhouse-hires read"
    )
    # Greenhouse web hooks deliver {"action": …, "payload": {…}}, not a hire event.
    if "action" in event and "payload" in event:
        text += (
            "; this looks like a Greenhouse webhook delivery; store it with `hires serve` and "
            "print its hire event with `hires inbox event ID`"
        )
    return text


def read_events(path: Path) -> list[EventInput]:
    """The hire events in a file: one JSON value, or JSON Lines of Airbyte messages."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise EventFileError(f"{path}: cannot read a JSON hire event: {error}") from None
    try:
        whole = json.loads(text)
    except json.JSONDecodeError as error:
        if error.msg != "Extra data":
            raise EventFileError(f"{path}: cannot read a JSON hire event: {error}") from None
        return _json_lines(path, text)
    return [EventInput(str(path), _event_of(whole, str(path)))]


def _json_lines(path: Path, text: str) -> list[EventInput]:
    """Every RECORD of a JSON Lines file; LOG, STATE and TRACE lines are passed over."""
    events = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            raise EventFileError(f"{where}: not a JSON line: {error}") from None
        is_message = isinstance(value, dict) and isinstance(value.get("type"), str)
        if is_message and value["type"] != "RECORD":
            continue
        events.append(EventInput(where, _event_of(value, where)))
    if not events:
        raise EventFileError(f"{path}: holds no RECORD message and no hire event")
    return events


def _event_of(value: Any, where: str) -> dict[str, Any]:
    """The hire event in a JSON value: itself, or an Airbyte RECORD message's record.data."""
    if isinstance(value, dict) and value.get("type") == "RECORD":
        record = value.get("record")
        value = record.get("data") if isinstance(record, dict) else None
        if not isinstance(value, dict):
            raise EventFileError(f"{where}: the RECORD message has no record.data object")
    if not isinstance(value, dict):
        raise EventFileError(
            f"{where}: not a hire event: a JSON {_json_kind(value)}, not an object"
        )
    return value


def _chosen(events: list[EventInput], event_id: str | None, path: Path) -> list[EventInput]:
    if event_id is None:
        return events
    chosen = [item for item in events if item.event.get("event_id") == event_id]
    if not chosen:
        known = [str(item.event.get("event_id")) for item in events[:_LISTED_IDS]]
        more = ", …" if len(events) > _LISTED_IDS else ""
        raise EventFileError(
            f"{path}: no event with event_id {event_id!r}; it holds {', '.join(known)}{more}"
        )
    return chosen


def _event_label(item: EventInput) -> str:
    return f"{item.event.get('event_id', '(no event_id)')} ({item.where})"


def _json_kind(value: Any) -> str:
    kinds = {list: "array", str: "string", bool: "boolean", int: "number", float: "number"}
    return "null" if value is None else kinds.get(type(value), type(value).__name__)


def _load_named_rule(name: str, out: TextIO) -> Rule | None:
    path = find_rule_file(name)
    if path is None:
        close = closest_rule_file(name)
        guess = f" (did you mean {close!r}?)" if close else ""
        out.write(
            f"rule file {name!r} does not exist{guess}; give a path to a YAML file or the name "
            f"of one in {customers_dir().absolute()} (for example northwind.yaml)\n"
        )
        return None
    try:
        return load_rule(path)
    except RuleError as error:
        out.writelines(f"{line}\n" for line in error.errors)
        return None
