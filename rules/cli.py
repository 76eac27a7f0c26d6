"""``hires rules check`` and ``hires rules explain``: the rules engine for people.

``check`` validates rule files and prints every error with its position; ``explain`` shows how
one rule decides one hire event, condition by condition.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from rules.engine import Decision, decide
from rules.errors import RuleError
from rules.loader import load_rule

CUSTOMERS_DIR = Path(__file__).with_name("customers")


def register(commands: Any) -> None:
    """Add ``rules check`` and ``rules explain`` to the ``hires`` parser."""
    parser = commands.add_parser("rules", help="check customer rules and explain decisions")
    actions = parser.add_subparsers(dest="rules_command", required=True, metavar="ACTION")

    check = actions.add_parser("check", help="validate rule files (default: every customer)")
    check.add_argument("files", nargs="*", type=Path, metavar="FILE")
    check.set_defaults(handler=run_check)

    explain = actions.add_parser("explain", help="show how a rule decides one hire event")
    explain.add_argument("rule", type=Path, metavar="RULE")
    explain.add_argument("event", type=Path, metavar="EVENT.json")
    explain.set_defaults(handler=run_explain)


def run_check(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    """Print ``OK file`` or each error line; 1 when any file has an error."""
    files = list(args.files) or sorted(CUSTOMERS_DIR.glob("*.yaml"))
    if not files:
        out.write(f"no rule files given and none found in {CUSTOMERS_DIR}\n")
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


def run_explain(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    """Print each condition with PASS/FAIL, then the profile or the reason; 1 on bad input."""
    try:
        rule = load_rule(args.rule)
    except RuleError as error:
        out.writelines(f"{line}\n" for line in error.errors)
        return 1
    event = _read_event(args.event, out)
    if event is None:
        return 1
    out.write(render_explanation(decide(rule, event), rule.source))
    return 0


def render_explanation(decision: Decision, source: str) -> str:
    """The text ``hires rules explain`` prints for one decision."""
    lines = [f"rule {source}"]
    for check in decision.checks:
        mark = "PASS" if check.passed else "FAIL"
        lines.append(f"{'  ' * (check.depth + 1)}{mark} {check.description}: {check.detail}")
    lines.append(f"decision: {decision.action}: {decision.reason}")
    if decision.action == "send":
        lines.append(json.dumps(decision.profile, indent=2, ensure_ascii=False))
    for error in decision.errors:
        lines.append(f"  {error.field}: {error.message}")
    return "\n".join(lines) + "\n"


def _read_event(path: Path, out: TextIO) -> Any:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        out.write(f"{path}: cannot read a JSON hire event: {error}\n")
        return None
    # An Airbyte RECORD message carries the hire event in record.data.
    if isinstance(data, dict) and data.get("type") == "RECORD":
        record = data.get("record")
        data = record.get("data") if isinstance(record, dict) else None
        if not isinstance(data, dict):
            out.write(f"{path}: the RECORD message has no record.data object\n")
            return None
    return data
