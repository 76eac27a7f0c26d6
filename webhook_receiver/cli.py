"""``hires serve`` and ``hires inbox list|event|replay|purge``: run and tend the receiver."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from source_greenhouse_hires.harvest_client import HarvestError, RetryPolicy
from webhook_receiver.app import WEBHOOK_PATH
from webhook_receiver.config import harvest_settings_of, inbox_path_of, load_settings
from webhook_receiver.enrichment import OfferEnricher
from webhook_receiver.errors import DeliveryError, InboxMissingError, WebhookError
from webhook_receiver.inbox import STATUSES, Delivery, Inbox, arrival_problem
from webhook_receiver.normaliser import HIRE_CANDIDATE, PING, PROCESSED_ACTIONS, UNHIRE_CANDIDATE
from webhook_receiver.receiver import build_receiver, harvest_client_of
from webhook_receiver.server import bind, endpoint_url, serve_forever
from webhook_receiver.worker import UNHIRE_REASON, hire_event_of, offer_event_of

logger = logging.getLogger(__name__)

# A person is waiting for `inbox event`: give up on Harvest sooner than the worker does.
_INTERACTIVE_RETRY = RetryPolicy(
    max_retries=2, max_total_wait_seconds=20.0, max_connection_retries=1
)

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

    event = actions.add_parser(
        "event", help="print the hire event a delivery becomes (for `hires rules explain`)"
    )
    event.add_argument("delivery_id", type=int, help="inbox id (from `inbox list`)")
    _add_inbox_source(event)
    event.set_defaults(handler=run_inbox_event)

    replay = actions.add_parser("replay", help="make deliveries pending again")
    _add_inbox_source(replay)
    chosen = replay.add_mutually_exclusive_group(required=True)
    chosen.add_argument("delivery_id", nargs="?", type=int, help="inbox id (from `inbox list`)")
    chosen.add_argument("--failed", action="store_true", help="every failed delivery")
    chosen.add_argument(
        "--previewed",
        action="store_true",
        help="every delivery only previewed under dry_run (to process it for real)",
    )
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
        host = args.host or settings.host
        sock = bind(host, settings.port if args.port is None else args.port)
    except WebhookError as error:
        print(f"hires serve: {error}", file=sys.stderr)
        return 2
    try:
        receiver = build_receiver(settings)
    except WebhookError as error:
        sock.close()
        print(f"hires serve: {error}", file=sys.stderr)
        return 2
    print(f"receiving Greenhouse webhooks at {endpoint_url(sock, WEBHOOK_PATH)}", flush=True)
    serve_forever(receiver.app, sock)
    return 0


def run_inbox_list(args: argparse.Namespace) -> int:
    inbox, status = _open_inbox(args, "list")
    if inbox is None:
        return status
    deliveries = inbox.recent(args.status, limit=args.limit)
    if args.json:
        return _emit(json.dumps(_public(delivery)) for delivery in deliveries)
    counts = ", ".join(f"{status}={count}" for status, count in sorted(inbox.counts().items()))
    header = (
        f"{'id':>6}  {'status':<10}  {'action':<16}  {'received_at':<24}  "
        f"{'tries':>5}  outcome / reason"
    )
    footer = f"inbox {inbox.path}: {counts or 'empty'}"
    return _emit([header, *(_row(delivery) for delivery in deliveries), footer])


def _emit(lines: Iterable[str]) -> int:
    """Print the lines; a reader that stops early (``| head``) ends the output quietly."""
    try:
        for line in lines:
            print(line)
        sys.stdout.flush()
    except BrokenPipeError:
        # Point stdout at /dev/null so the interpreter's final flush does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    return 0


def _stored_delivery(inbox: Inbox, delivery_id: int, command: str) -> Delivery | None:
    """The delivery with this inbox id, or None after saying on stderr that there is none."""
    delivery = inbox.get(delivery_id)
    if delivery is None:
        print(
            f"hires inbox {command}: no delivery {delivery_id} in {inbox.path}; "
            "see `hires inbox list` for ids",
            file=sys.stderr,
        )
    return delivery


def run_inbox_event(args: argparse.Namespace) -> int:
    """Print the hire event the worker builds for one stored delivery, as pretty JSON."""
    inbox, status = _open_inbox(args, "event")
    if inbox is None:
        return status
    delivery = _stored_delivery(inbox, args.delivery_id, "event")
    if delivery is None:
        return 1
    try:
        event = _hire_event(delivery, args.config)
    except _NoHireEventError as error:
        print(f"hires inbox event: delivery {_named(delivery)} {error}", file=sys.stderr)
        return error.status
    return _emit([json.dumps(event, indent=2, ensure_ascii=False)])


class _NoHireEventError(Exception):
    """Why a delivery gives no hire event here; ``status`` is the exit status."""

    def __init__(self, reason: str, status: int = 1) -> None:
        super().__init__(reason)
        self.status = status


def _named(delivery: Delivery) -> str:
    return f"{delivery.id} ({delivery.greenhouse_event_id})"


def _hire_event(delivery: Delivery, config: Path | None) -> dict[str, Any]:
    """The worker's hire event for the delivery; Harvest is asked only for an offer."""
    problem = arrival_problem(delivery)
    if problem is not None:
        raise _NoHireEventError(f"failed on arrival: {problem}; it never becomes a hire event")
    if delivery.action == PING:
        raise _NoHireEventError("is a ping: Greenhouse checking the endpoint, not a hire event")
    if delivery.action == UNHIRE_CANDIDATE:
        raise _NoHireEventError(
            f"is an unhire_candidate: no hire event; the worker records '{UNHIRE_REASON}'"
        )
    if delivery.action not in PROCESSED_ACTIONS:
        raise _NoHireEventError(
            f"has action '{delivery.action}', which the receiver does not act on: no hire event"
        )
    try:
        if delivery.action == HIRE_CANDIDATE:
            return hire_event_of(delivery)
        return _offer_event(delivery, config)
    except DeliveryError as error:
        raise _NoHireEventError(f"cannot become a hire event: {error}") from None


def _offer_event(delivery: Delivery, config: Path | None) -> dict[str, Any]:
    """The offer's event with its Harvest look-ups, the way the worker enriches it."""
    lead = "is an offer_created: its hire event needs the application, candidate and job"
    if config is None:
        raise _NoHireEventError(
            f"{lead} from Harvest v3; give --config with the receiver config (its 'harvest' "
            "section) instead of --inbox"
        )
    try:
        settings = harvest_settings_of(config)
    except WebhookError as error:
        raise _NoHireEventError(str(error), status=2) from None
    harvest = harvest_client_of(settings, retry=_INTERACTIVE_RETRY)
    if harvest is None:
        raise _NoHireEventError(f"{lead} from Harvest v3; add a 'harvest' section to {config}")
    try:
        lookups = OfferEnricher(harvest).lookup([delivery.application_id or 0])
    except HarvestError as error:
        raise _NoHireEventError(
            f"{lead}, and the Harvest look-up failed: {error}; check the 'harvest' section "
            f"of {config}"
        ) from None
    return offer_event_of(delivery, lookups)


def run_inbox_replay(args: argparse.Namespace) -> int:
    inbox, status = _open_inbox(args, "replay")
    if inbox is None:
        return status
    if args.failed:
        return _replay_failed(inbox)
    if args.previewed:
        print(_pending_again(inbox.replay(status="previewed")))
        return 0
    delivery = _stored_delivery(inbox, args.delivery_id, "replay")
    if delivery is None:
        return 1
    problem = arrival_problem(delivery)
    if problem is not None:
        print(f"hires inbox replay: {_unreplayable(delivery, problem)}", file=sys.stderr)
        return 1
    print(_pending_again(inbox.replay([delivery.id])))
    return 0


def _replay_failed(inbox: Inbox) -> int:
    refused = inbox.failed_on_arrival()
    for delivery in refused:
        problem = arrival_problem(delivery) or ""
        print(f"hires inbox replay: {_unreplayable(delivery, problem)}", file=sys.stderr)
    replayed = inbox.replay()
    kept = f" ({len(refused)} failed on arrival and stay failed)" if refused else ""
    print(_pending_again(replayed, kept))
    return 0


def _pending_again(replayed: int, kept: str = "") -> str:
    if replayed == 1:
        done = "1 delivery is pending again"
    else:
        done = f"{replayed} deliveries are pending again"
    return (
        f"{done}{kept}; a running `hires serve` on this inbox processes "
        f"{'it' if replayed == 1 else 'them'} within its poll interval"
    )


def _unreplayable(delivery: Delivery, problem: str) -> str:
    return (
        f"delivery {delivery.id} ({delivery.greenhouse_event_id}) failed on arrival: {problem}; "
        "replaying cannot help, so it stays failed; find out what sent it to the endpoint"
    )


def run_inbox_purge(args: argparse.Namespace) -> int:
    inbox, status = _open_inbox(args, "purge")
    if inbox is None:
        return status
    purged = inbox.purge(args.older_than_days)
    print(
        f"deleted {purged} finished {'delivery' if purged == 1 else 'deliveries'} older than "
        f"{args.older_than_days:g} days (including bodies that failed on arrival); pending and "
        "replayable failed ones are kept"
    )
    return 0


def _open_inbox(args: argparse.Namespace, command: str) -> tuple[Inbox | None, int]:
    """The existing inbox named by --inbox or by the config, or (None, exit status)."""
    try:
        path = args.inbox if args.inbox is not None else inbox_path_of(args.config)
        return Inbox.open_existing(path), 0
    except InboxMissingError as error:
        where = "--inbox" if args.inbox is not None else f"'inbox_path' in {args.config}"
        print(f"hires inbox {command}: {error}; check {where}", file=sys.stderr)
        return None, 1
    except WebhookError as error:
        print(f"hires inbox {command}: {error}", file=sys.stderr)
        return None, 2


def describe_result(delivery: Delivery) -> str:
    """Outcome and reason in one phrase, without saying the outcome twice.

    The destination's reason often starts with the outcome itself ("created", "created
    employment …", "updated employment …"), so then the reason alone reads best.
    """
    outcome, reason = delivery.outcome or "", (delivery.reason or "").strip()
    if not reason or reason.lower() == outcome.lower():
        detail = outcome
    elif not outcome or reason.lower().startswith(outcome.lower().replace("_", " ")):
        detail = reason
    else:
        detail = f"{outcome}: {reason}"
    employment = delivery.employment_id
    if employment and employment not in detail:
        detail = f"{detail} (employment {employment})"
    return detail


def _row(delivery: Delivery) -> str:
    detail = describe_result(delivery)
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
