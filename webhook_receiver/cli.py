"""``hires serve`` and ``hires inbox list/replay/purge``: run the receiver, tend its inbox."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

import yaml

from webhook_receiver.config import load_settings
from webhook_receiver.errors import ReceiverConfigError, WebhookError
from webhook_receiver.inbox import STATUSES, Delivery, Inbox
from webhook_receiver.receiver import build_receiver
from webhook_receiver.server import serve_forever

logger = logging.getLogger(__name__)

_CONFIG_HELP = "receiver config file (JSON or YAML); secrets may come from HIRES_* variables"


def register(commands: Any) -> None:
    """Add ``serve`` and ``inbox`` to the ``hires`` subcommands."""
    serve = commands.add_parser("serve", help="receive Greenhouse webhooks and onboard hires")
    serve.add_argument("--config", required=True, type=Path, help=_CONFIG_HELP)
    serve.add_argument("--host", help="address to listen on (default from config: 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (0 picks a free one)")
    serve.set_defaults(handler=run_serve)

    inbox = commands.add_parser("inbox", help="list or replay webhook deliveries")
    actions = inbox.add_subparsers(dest="inbox_command", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="show recent deliveries, newest first")
    _add_inbox_source(listing)
    listing.add_argument("--status", choices=STATUSES, help="only deliveries in this status")
    listing.add_argument("--limit", type=int, default=50, help="how many rows (default 50)")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    listing.set_defaults(handler=run_inbox_list)

    replay = actions.add_parser("replay", help="make deliveries pending again")
    _add_inbox_source(replay)
    chosen = replay.add_mutually_exclusive_group(required=True)
    chosen.add_argument("delivery_id", nargs="?", type=int, help="inbox id (from `inbox list`)")
    chosen.add_argument("--failed", action="store_true", help="every failed delivery")
    replay.set_defaults(handler=run_inbox_replay)

    purge = actions.add_parser(
        "purge", help="delete finished deliveries (they hold personal data)"
    )
    _add_inbox_source(purge)
    purge.add_argument(
        "--older-than-days", type=float, default=30.0, help="keep newer ones (default 30)"
    )
    purge.set_defaults(handler=run_inbox_purge)


def _add_inbox_source(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--config", type=Path, help=_CONFIG_HELP)
    source.add_argument("--inbox", type=Path, help="path of the inbox SQLite file")


def run_serve(args: argparse.Namespace) -> int:
    try:
        settings = load_settings(args.config)
        receiver = build_receiver(settings)
    except WebhookError as error:
        print(f"hires serve: {error}", file=sys.stderr)
        return 2
    host = args.host or settings.host
    port = settings.port if args.port is None else args.port
    serve_forever(receiver.app, host, port)
    return 0


def run_inbox_list(args: argparse.Namespace) -> int:
    inbox = _open_inbox(args)
    if inbox is None:
        return 2
    deliveries = inbox.recent(args.status, limit=args.limit)
    if args.json:
        for delivery in deliveries:
            print(json.dumps(_public(delivery)))
        return 0
    print(
        f"{'id':>6}  {'status':<10}  {'action':<16}  {'received_at':<24}  "
        f"{'tries':>5}  outcome / reason"
    )
    for delivery in deliveries:
        print(_row(delivery))
    counts = ", ".join(f"{status}={count}" for status, count in sorted(inbox.counts().items()))
    print(f"inbox {inbox.path}: {counts or 'empty'}")
    return 0


def run_inbox_replay(args: argparse.Namespace) -> int:
    inbox = _open_inbox(args)
    if inbox is None:
        return 2
    if args.failed:
        replayed = inbox.replay()
    elif inbox.get(args.delivery_id) is None:
        print(
            f"hires inbox replay: no delivery {args.delivery_id} in {inbox.path}; "
            "see `hires inbox list` for ids",
            file=sys.stderr,
        )
        return 1
    else:
        replayed = inbox.replay([args.delivery_id])
    print(
        f"{replayed} deliveries are pending again; a running `hires serve` on this inbox "
        "processes them within its poll interval"
    )
    return 0


def run_inbox_purge(args: argparse.Namespace) -> int:
    inbox = _open_inbox(args)
    if inbox is None:
        return 2
    purged = inbox.purge(args.older_than_days)
    print(
        f"deleted {purged} finished deliveries older than {args.older_than_days:g} days; "
        "pending and failed ones are kept"
    )
    return 0


def _open_inbox(args: argparse.Namespace) -> Inbox | None:
    try:
        path = args.inbox if args.inbox is not None else _inbox_path_of(args.config)
        return Inbox(path)
    except WebhookError as error:
        print(f"hires inbox: {error}", file=sys.stderr)
        return None


def _inbox_path_of(config: Path) -> Path:
    # Only the inbox path is needed here, so secrets need not be present to list the inbox.
    try:
        raw = yaml.safe_load(config.read_text("utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise ReceiverConfigError(f"config {config}: cannot be read ({error})") from error
    return Path(raw.get("inbox_path", "./webhook-inbox.sqlite"))


def _row(delivery: Delivery) -> str:
    detail = delivery.outcome or ""
    if delivery.reason:
        detail = f"{detail}: {delivery.reason}" if detail else delivery.reason
    return (
        f"{delivery.id:>6}  {delivery.status:<10}  {delivery.action[:16]:<16}  "
        f"{delivery.received_at:<24}  {delivery.attempts:>5}  {detail}"
    )


def _public(delivery: Delivery) -> dict[str, Any]:
    """A delivery without its body: the body holds personal data."""
    return {
        "id": delivery.id,
        "greenhouse_event_id": delivery.greenhouse_event_id,
        "action": delivery.action,
        "status": delivery.status,
        "application_id": delivery.application_id,
        "offer_id": delivery.offer_id,
        "offer_version": delivery.offer_version,
        "received_at": delivery.received_at,
        "attempts": delivery.attempts,
        "event_id": delivery.event_id,
        "outcome": delivery.outcome,
        "reason": delivery.reason,
        "employment_id": delivery.employment_id,
    }
