"""``hires sync``: one pull sync on this machine, source and destination in one process.

It runs exactly what the Airbyte platform would run — the source's ``read`` feeding the
destination's ``write`` — and keeps the state the destination echoes in a file, so the next
run is incremental.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from airbyte_cdk.models import (
    AirbyteMessage,
    AirbyteStateMessage,
    ConfiguredAirbyteCatalog,
    ConfiguredAirbyteStream,
    DestinationSyncMode,
    SyncMode,
    Type,
)
from airbyte_cdk.models.airbyte_protocol_serializers import AirbyteStateMessageSerializer
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

import rules
from destination_remote_onboarding.config import read_settings
from destination_remote_onboarding.destination import DestinationRemoteOnboarding
from destination_remote_onboarding.errors import ConfigError
from destination_remote_onboarding.ledger import resolve_ledger_path
from destination_remote_onboarding.onboarding import Onboarder, Progress
from source_greenhouse_hires import (
    SourceConfigError,
    SourceGreenhouseHires,
    preflight,
    preflight_admin,
)

logger = logging.getLogger(__name__)

STREAM_FOR_TRIGGER = {"offer_created": "offers", "candidate_hired": "hires"}


class SyncError(Exception):
    """A sync could not run or did not finish; the message says what to do."""


@dataclass
class SyncReport:
    """What one sync did: the events it read and the outcome of each."""

    sync_id: str
    stream: str
    events_read: int
    outcomes: list[dict[str, Any]]
    states_saved: int
    counts: dict[str, int] = field(default_factory=dict)


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "sync",
        help="run one sync: Greenhouse (Harvest v3) into Remote, by the customer's rule",
        description="Read new hire events from Greenhouse and onboard them into Remote.",
    )
    parser.add_argument("--source-config", required=True, type=Path, help="source config JSON")
    parser.add_argument(
        "--destination-config", required=True, type=Path, help="destination config JSON"
    )
    parser.add_argument(
        "--state-file",
        type=Path,
        help="where the sync state is kept between runs (default: beside the ledger)",
    )
    parser.add_argument(
        "--full-refresh", action="store_true", help="ignore saved state and read everything again"
    )
    parser.add_argument(
        "--quiet", action="store_true", help="only warnings and errors: no logs, no event table"
    )
    parser.set_defaults(handler=_handle)


def _handle(args: argparse.Namespace) -> int:
    try:
        source_config = _read_json(args.source_config, "source config")
        destination_config = _read_json(args.destination_config, "destination config")
        progress = None if args.quiet else ProgressLine(sys.stderr)
        report = run_sync(
            source_config,
            destination_config,
            state_file=args.state_file,
            full_refresh=args.full_refresh,
            on_progress=progress,
        )
    except (SyncError, ConfigError, SourceConfigError, rules.RuleError) as error:
        print(f"hires sync: {error}", file=sys.stderr)
        return 2
    except AirbyteTracedException as error:
        # The connectors word their errors for people; the traceback is for bug reports (-v).
        logger.debug("sync stopped", exc_info=True)
        print(f"hires sync: {error.message}", file=sys.stderr)
        return 2
    if not args.quiet:
        print_report(report, sys.stdout)
    return 1 if report.counts.get("failed") else 0


def run_sync(
    source_config: dict[str, Any],
    destination_config: dict[str, Any],
    *,
    state_file: Path | None = None,
    full_refresh: bool = False,
    on_progress: Callable[[dict[str, Any]], None] | None = None,
) -> SyncReport:
    """Run one sync and return its report.

    Raises ConfigError / SourceConfigError / RuleError for a config to fix (before anything is
    read), SyncError or AirbyteTracedException when the sync could not finish.
    """
    settings = read_settings(destination_config)
    preflight(source_config)
    if source_config.get("user_id"):
        # A user who is not a Site Admin sees empty lists: say so instead of reading nothing.
        preflight_admin(source_config)
    stream = STREAM_FOR_TRIGGER[settings.rule.trigger]
    ledger_path = resolve_ledger_path(settings.ledger_path)
    state_path = state_file or _default_state_path(
        ledger_path, settings.rule.customer, source_config
    )
    state = [] if full_refresh else _load_state(state_path)
    catalog = _catalog(source_config, stream)

    source = SourceGreenhouseHires(catalog=catalog, config=source_config, state=state)
    reader = _SourceReader(source.read(logger, source_config, catalog, state), on_progress)
    states_saved = 0
    with Onboarder.from_settings(settings, on_progress=_relay(on_progress)) as onboarder:
        try:
            for message in DestinationRemoteOnboarding().write_events(onboarder, reader):
                if message.type == Type.STATE and message.state is not None:
                    _save_state(state_path, message.state)
                    states_saved += 1
        finally:
            onboarder.log_summary()
        outcomes = onboarder.ledger.outcomes(sync_id=onboarder.sync_id)
        sync_id, counts = onboarder.sync_id, onboarder.counts
    if reader.error:
        raise SyncError(reader.error)
    return SyncReport(sync_id, stream, reader.records, outcomes, states_saved, counts)


def _relay(
    on_progress: Callable[[dict[str, Any]], None] | None,
) -> Callable[[Progress], None] | None:
    if on_progress is None:
        return None

    def relay(progress: Progress) -> None:
        waiting = (
            f"{progress.waiting[0]:.1f} s ({progress.waiting[1]})" if progress.waiting else None
        )
        on_progress({"outcomes": dict(progress.counts), "waiting": waiting})

    return relay


class _SourceReader(Iterator[AirbyteMessage]):
    """Passes the source's records and states on; logs its logs; remembers a fatal trace."""

    def __init__(
        self,
        messages: Iterable[AirbyteMessage],
        on_progress: Callable[[dict[str, Any]], None] | None,
    ) -> None:
        self._messages = iter(messages)
        self._on_progress = on_progress
        self.records = 0
        self.error: str | None = None

    def __iter__(self) -> _SourceReader:
        return self

    def __next__(self) -> AirbyteMessage:
        while True:
            message = next(self._messages)
            if message.type == Type.RECORD:
                self.records += 1
                if self._on_progress:
                    self._on_progress({"events_read": self.records})
                return message
            if message.type == Type.STATE:
                return message
            self._note(message)

    def _note(self, message: AirbyteMessage) -> None:
        if message.type == Type.LOG and message.log is not None:
            logger.debug("source: %s", message.log.message)
        elif message.type == Type.TRACE and message.trace is not None:
            error = message.trace.error
            if error is not None:
                self.error = f"the Greenhouse source failed: {error.message}"
                logger.error("%s", self.error)


def _catalog(source_config: dict[str, Any], stream: str) -> ConfiguredAirbyteCatalog:
    """The source's own discovered stream, configured for an incremental, deduplicated sync."""
    discovered = SourceGreenhouseHires(config=source_config).discover(logger, source_config)
    airbyte_stream = next(s for s in discovered.streams if s.name == stream)
    configured = ConfiguredAirbyteStream(
        stream=airbyte_stream,
        sync_mode=SyncMode.incremental,
        destination_sync_mode=DestinationSyncMode.append_dedup,
        cursor_field=["updated_at"],
        primary_key=[["event_id"]],
    )
    return ConfiguredAirbyteCatalog(streams=[configured])


def _default_state_path(ledger: Path, customer: str, source_config: dict[str, Any]) -> Path:
    """Beside the ledger, one file per customer and Greenhouse account, so a sync against
    another tenant or credential never starts from someone else's cursor."""
    account = "|".join(
        str(source_config.get(key) or "") for key in ("api_url", "client_id", "user_id")
    )
    fingerprint = hashlib.sha256(account.encode("utf-8")).hexdigest()[:10]
    return ledger.with_name(f"state-{customer}-{fingerprint}.json")


def _load_state(path: Path) -> list[AirbyteStateMessage]:
    if not path.exists():
        return []
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise SyncError(
            f"state file {path} is unreadable ({error}); delete it or run with --full-refresh"
        ) from error
    return [AirbyteStateMessageSerializer.load(item) for item in raw]


def _save_state(path: Path, state: AirbyteStateMessage) -> None:
    """Keep the newest state per stream; written atomically so a crash never leaves half a file."""
    current = {}
    if path.exists():
        for item in json.loads(path.read_text(encoding="utf-8")):
            name = item.get("stream", {}).get("stream_descriptor", {}).get("name")
            current[name] = item
    serialized = AirbyteStateMessageSerializer.dump(state)
    name = serialized.get("stream", {}).get("stream_descriptor", {}).get("name")
    current[name] = serialized
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp") as handle:
        json.dump(list(current.values()), handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(handle.name, path)


def _read_json(path: Path, what: str) -> dict[str, Any]:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise SyncError(f"cannot read the {what} {path}: {error.strerror}") from error
    except ValueError as error:
        raise SyncError(f"the {what} {path} is not valid JSON: {error}") from error
    if not isinstance(value, dict):
        raise SyncError(f"the {what} {path} must hold a JSON object")
    return value


class ProgressLine:
    """Events read, outcomes so far and any current rate-limit wait, while a sync runs.

    On a terminal it is one line rewritten in place; elsewhere (a log file, CI) a line is
    written at most every ``every_seconds`` and whenever a wait starts.
    """

    def __init__(
        self,
        stream: TextIO,
        *,
        every_seconds: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stream = stream
        self._state: dict[str, Any] = {"events_read": 0, "outcomes": {}, "waiting": None}
        self._tty = stream.isatty()
        self._every = every_seconds
        self._clock = clock
        self._last_written = clock()

    def __call__(self, update: dict[str, Any]) -> None:
        new_wait = bool(update.get("waiting")) and update["waiting"] != self._state["waiting"]
        self._state.update(update)
        if self._tty:
            self._stream.write("\r\033[K" + self.render())
        elif new_wait or self._clock() - self._last_written >= self._every:
            self._stream.write(self.render() + "\n")
            self._last_written = self._clock()
        self._stream.flush()

    def render(self) -> str:
        outcomes = ", ".join(f"{k} {v}" for k, v in sorted(self._state["outcomes"].items()) if v)
        line = f"events read {self._state['events_read']}"
        if outcomes:
            line += f" | {outcomes}"
        if self._state.get("waiting"):
            line += f" | waiting {self._state['waiting']}"
        return line


def print_report(report: SyncReport, out: TextIO) -> None:
    """One line per event (application, trigger, outcome, reason), then the totals."""
    print(f"\nsync {report.sync_id} ({report.stream}): {report.events_read} events read", file=out)
    if report.outcomes:
        print(f"{'application':>12}  {'trigger':<16} {'outcome':<24} reason", file=out)
    for row in sorted(report.outcomes, key=lambda r: (r["outcome"], r["application_id"] or 0)):
        outcome = row["outcome"] + (" (dry run)" if row.get("dry_run") else "")
        print(
            f"{row['application_id']!s:>12}  {row['trigger']!s:<16} {outcome:<24} {row['reason']}",
            file=out,
        )
    totals = ", ".join(f"{name} {n}" for name, n in sorted(report.counts.items()) if n)
    dry_run = any(row.get("dry_run") for row in report.outcomes)
    print(f"totals{' (dry run)' if dry_run else ''}: {totals or 'no events'}", file=out)
