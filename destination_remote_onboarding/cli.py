"""``hires outcomes``: what happened to each hire, read from the ledger."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Final

from destination_remote_onboarding.errors import ConfigError
from destination_remote_onboarding.ledger import LEDGER_ENV, Ledger, resolve_ledger_path
from destination_remote_onboarding.outcomes import OUTCOME_KINDS

_COLUMNS: Final = ("recorded_at", "customer", "event_id", "outcome", "employment_id", "reason")
_REASON_WIDTH: Final = 80
_RECENT_SYNCS: Final = 5


def register(commands: Any) -> None:
    """Add ``outcomes`` to the ``hires`` subcommands (an argparse subparsers object)."""
    parser = commands.add_parser(
        "outcomes",
        help="list recorded outcomes from the ledger",
        description="List what happened to each hire event, as recorded in the ledger. "
        "Without --sync or --all, shows the last sync.",
    )
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--sync", metavar="ID", help="only this sync id")
    which.add_argument("--last", action="store_true", help="only the last sync (the default)")
    which.add_argument("--all", action="store_true", help="every sync in the ledger")
    parser.add_argument("--customer", metavar="C", help="only this customer")
    parser.add_argument("--outcome", choices=OUTCOME_KINDS, help="only this outcome")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument(
        "--ledger", metavar="PATH", help=f"ledger file (default: ${LEDGER_ENV} or the usual)"
    )
    parser.set_defaults(handler=list_outcomes)


def list_outcomes(args: argparse.Namespace) -> int:
    """Print the chosen outcomes; 0, 1 for an unknown customer, sync or file, 2 for no ledger."""
    path = resolve_ledger_path(args.ledger)
    if not path.is_file():
        print(f"no ledger at {path}: run a sync first, or pass --ledger PATH", file=sys.stderr)
        return 2
    try:
        with Ledger(path) as ledger:
            problem = _unknown_choice(ledger, args)
            if problem is not None:
                print(problem, file=sys.stderr)
                return 1
            sync_id = args.sync
            if sync_id is None and not args.all:
                sync_id = ledger.last_sync_id(args.customer)
                if sync_id is None:
                    print(f"no sync recorded in {path}: run a sync first", file=sys.stderr)
                    return 0
            rows = ledger.outcomes(sync_id=sync_id, customer=args.customer, outcome=args.outcome)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 1
    print(json.dumps(rows, indent=2) if args.format == "json" else render_table(rows))
    return 0


def _unknown_choice(ledger: Ledger, args: argparse.Namespace) -> str | None:
    """Why --customer or --sync names nothing in this ledger, listing what it does hold."""
    customers = ledger.customers()
    if args.customer and customers and args.customer not in customers:
        return (
            f"customer {args.customer!r} has no sync in {ledger.path}; "
            f"known customers: {', '.join(customers)}"
        )
    if args.sync and not ledger.has_sync(args.sync):
        recent = ledger.recent_sync_ids(_RECENT_SYNCS)
        known = f"the last syncs are {', '.join(recent)}" if recent else "it records no sync"
        return f"sync {args.sync!r} is not in {ledger.path}; {known}"
    return None


def render_table(rows: list[dict[str, Any]]) -> str:
    """Fixed-width columns; long reasons are cut with an ellipsis."""
    if not rows:
        return "no outcomes match"
    cells = [[_cell(row, column) for column in _COLUMNS] for row in rows]
    widths = [
        max(len(column), *(len(line[index]) for line in cells))
        for index, column in enumerate(_COLUMNS)
    ]
    lines = [_line(list(_COLUMNS), widths), _line(["-" * width for width in widths], widths)]
    lines += [_line(line, widths) for line in cells]
    return "\n".join(lines)


def _cell(row: dict[str, Any], column: str) -> str:
    value = row.get(column)
    text = "" if value is None else str(value)
    if column == "outcome" and row.get("dry_run"):
        text += " (dry run)"
    if column == "reason" and len(text) > _REASON_WIDTH:
        text = text[: _REASON_WIDTH - 1] + "…"
    return text


def _line(cells: list[str], widths: list[int]) -> str:
    return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()
