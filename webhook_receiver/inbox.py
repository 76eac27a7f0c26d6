"""The durable inbox: every verified delivery is committed here before Greenhouse gets its 200.

SQLite in WAL mode with ``synchronous=FULL``, so a committed delivery survives a crash or a power
cut. The inbox also holds what makes processing exactly-once per delivery: the Greenhouse event id
is unique, business keys (offer id + version, application id for hires) mark later copies as
duplicates, and ``offer_heads`` keeps the highest offer version seen per application so an older
version arriving late is marked superseded instead of overriding the newer one.

Statuses: ``pending`` (waiting for the worker, also after a crash), ``done``, ``previewed``
(processed under the destination's ``dry_run``: nothing was written to Remote), ``failed`` (reason
kept, replayable), ``superseded``, ``duplicate``, ``ignored`` (actions we do not act on).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

from webhook_receiver.errors import InboxMissingError, InboxUnavailableError
from webhook_receiver.normaliser import (
    OFFER_CREATED,
    PING,
    PROCESSED_ACTIONS,
    DeliveryKeys,
    read_keys,
)

logger = logging.getLogger(__name__)

STATUSES: Final = (
    "pending", "done", "previewed", "failed", "superseded", "duplicate", "ignored"
)  # fmt: skip
# A later copy of a business key is a duplicate unless the earlier copy failed or was only
# previewed under dry run: a preview must never stop the real run from creating the hire.
_LIVE_STATUSES: Final = ("pending", "done", "superseded")
# Finished deliveries whose bodies `purge` deletes; failed ones only when unreadable on arrival.
_PURGEABLE_STATUSES: Final = ("done", "previewed", "superseded", "duplicate", "ignored")

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    greenhouse_event_id TEXT NOT NULL UNIQUE,
    action TEXT NOT NULL,
    business_key TEXT,
    application_id INTEGER,
    offer_id INTEGER,
    offer_version INTEGER,
    body BLOB NOT NULL,
    received_at TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL DEFAULT 0,
    event_id TEXT,
    outcome TEXT,
    reason TEXT,
    employment_id TEXT,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (status, next_attempt_at);
CREATE INDEX IF NOT EXISTS deliveries_business_key ON deliveries (business_key);
CREATE TABLE IF NOT EXISTS offer_heads (
    application_id INTEGER PRIMARY KEY,
    offer_id INTEGER NOT NULL,
    version INTEGER NOT NULL
);
"""

_COLUMNS: Final = (
    "id, greenhouse_event_id, action, business_key, application_id, offer_id, offer_version, "
    "body, received_at, status, attempts, next_attempt_at, event_id, outcome, reason, "
    "employment_id, updated_at"
)


@dataclass(frozen=True)
class Delivery:
    """One row of the inbox."""

    id: int
    greenhouse_event_id: str
    action: str
    business_key: str | None
    application_id: int | None
    offer_id: int | None
    offer_version: int | None
    body: bytes
    received_at: str
    status: str
    attempts: int
    next_attempt_at: float
    event_id: str | None
    outcome: str | None
    reason: str | None
    employment_id: str | None
    updated_at: str


@dataclass(frozen=True)
class Stored:
    """What ``Inbox.store`` did with a delivery: its row and whether it was new."""

    delivery_id: int
    status: str
    new: bool


def arrival_problem(delivery: Delivery) -> str | None:
    """Why this delivery's body cannot be processed at all (not JSON, no action, a bad id)."""
    return read_keys(delivery.body).problem


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Inbox:
    """A SQLite inbox shared by the HTTP handlers (writers) and the worker (reader/updater)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._write_lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._write_lock:
                self._connection().executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as error:
            raise InboxUnavailableError(
                f"inbox {self.path} cannot be opened ({error}); check the path and permissions"
            ) from error

    @classmethod
    def open_existing(cls, path: str | Path) -> Inbox:
        """Open an inbox that must already exist; for commands that only read or tend it."""
        if not Path(path).is_file():
            raise InboxMissingError(
                f"no inbox at {path} (the receiver creates it when `hires serve` starts)"
            )
        return cls(path)

    def _connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, timeout=10.0, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=FULL")
            connection.execute("PRAGMA busy_timeout=10000")
            self._local.connection = connection
        return connection

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        # One writer at a time in this process; busy_timeout covers other processes (the CLI).
        with self._write_lock:
            connection = self._connection()
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    def close(self) -> None:
        """Close this thread's connection (other threads' close when they end)."""
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None

    # --- writing a delivery -----------------------------------------------------------------

    def store(self, greenhouse_event_id: str, body: bytes, keys: DeliveryKeys) -> Stored:
        """Commit one verified delivery; a known Greenhouse event id stores nothing new."""
        try:
            with self._transaction() as connection:
                known = connection.execute(
                    "SELECT id, status FROM deliveries WHERE greenhouse_event_id = ?",
                    (greenhouse_event_id,),
                ).fetchone()
                if known is not None:
                    return Stored(delivery_id=known[0], status=known[1], new=False)
                status, reason = self._initial_status(connection, keys)
                delivery_id = self._insert(connection, greenhouse_event_id, body, keys, status)
                if reason is not None:
                    self._set_result(connection, delivery_id, status, None, reason)
                return Stored(delivery_id=delivery_id, status=status, new=True)
        except sqlite3.Error as error:
            raise InboxUnavailableError(
                f"inbox {self.path} cannot be written ({error})"
            ) from error

    def _initial_status(
        self, connection: sqlite3.Connection, keys: DeliveryKeys
    ) -> tuple[str, str | None]:
        if keys.problem is not None:
            return "failed", keys.problem
        if keys.action == PING:
            return "done", "ping acknowledged"
        if keys.action not in PROCESSED_ACTIONS:
            return "ignored", f"action '{keys.action}' is not one we act on"
        if self._business_key_seen(connection, keys.business_key):
            return "duplicate", f"same {keys.business_key} already received"
        if keys.action == OFFER_CREATED and not self._advance_offer_head(connection, keys):
            return "superseded", "a newer offer version for this application was received"
        return "pending", None

    def _business_key_seen(self, connection: sqlite3.Connection, key: str | None) -> bool:
        if key is None:
            return False
        row = connection.execute(
            "SELECT 1 FROM deliveries WHERE business_key = ? AND status IN (?, ?, ?) LIMIT 1",
            (key, *_LIVE_STATUSES),
        ).fetchone()
        return row is not None

    def _advance_offer_head(self, connection: sqlite3.Connection, keys: DeliveryKeys) -> bool:
        """Record this offer version as the newest for its application, unless it is older."""
        head = connection.execute(
            "SELECT version FROM offer_heads WHERE application_id = ?", (keys.application_id,)
        ).fetchone()
        if head is not None and head[0] > (keys.offer_version or 0):
            return False
        connection.execute(
            "INSERT INTO offer_heads (application_id, offer_id, version) VALUES (?, ?, ?) "
            "ON CONFLICT (application_id) DO UPDATE SET offer_id = excluded.offer_id, "
            "version = excluded.version",
            (keys.application_id, keys.offer_id, keys.offer_version),
        )
        # Older versions still waiting are now pointless: the newer one carries the offer.
        connection.execute(
            "UPDATE deliveries SET status = 'superseded', updated_at = ?, "
            "reason = 'a newer offer version for this application was received' "
            "WHERE action = ? AND application_id = ? AND status = 'pending' "
            "AND offer_version < ?",
            (utc_now(), OFFER_CREATED, keys.application_id, keys.offer_version),
        )
        return True

    def _insert(
        self,
        connection: sqlite3.Connection,
        greenhouse_event_id: str,
        body: bytes,
        keys: DeliveryKeys,
        status: str,
    ) -> int:
        now = utc_now()
        cursor = connection.execute(
            "INSERT INTO deliveries (greenhouse_event_id, action, business_key, application_id, "
            "offer_id, offer_version, body, received_at, status, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                greenhouse_event_id,
                keys.action,
                keys.business_key,
                keys.application_id,
                keys.offer_id,
                keys.offer_version,
                body,
                now,
                status,
                now,
            ),
        )
        delivery_id = cursor.lastrowid
        assert delivery_id is not None
        return delivery_id

    # --- reading and updating ---------------------------------------------------------------

    def due(self, limit: int, now: float | None = None) -> list[Delivery]:
        """Pending deliveries whose next attempt is due, oldest first."""
        moment = time.time() if now is None else now
        rows = self._connection().execute(
            f"SELECT {_COLUMNS} FROM deliveries "  # noqa: S608 (constant column list)
            "WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT ?",
            (moment, limit),
        )
        return [Delivery(*row) for row in rows]

    def next_due_at(self) -> float | None:
        """When the earliest pending delivery becomes due (epoch seconds), if any."""
        row = (
            self._connection()
            .execute("SELECT MIN(next_attempt_at) FROM deliveries WHERE status = 'pending'")
            .fetchone()
        )
        return None if row is None or row[0] is None else float(row[0])

    def get(self, delivery_id: int) -> Delivery | None:
        row = (
            self._connection()
            .execute(
                f"SELECT {_COLUMNS} FROM deliveries WHERE id = ?",  # noqa: S608
                (delivery_id,),
            )
            .fetchone()
        )
        return None if row is None else Delivery(*row)

    def recent(self, status: str | None = None, limit: int = 100) -> list[Delivery]:
        """The most recent deliveries, newest first, optionally of one status."""
        where, params = ("WHERE status = ?", (status,)) if status else ("", ())
        rows = self._connection().execute(
            f"SELECT {_COLUMNS} FROM deliveries {where} "  # noqa: S608
            "ORDER BY id DESC LIMIT ?",
            (*params, limit),
        )
        return [Delivery(*row) for row in rows]

    def counts(self) -> dict[str, int]:
        rows = self._connection().execute(
            "SELECT status, COUNT(*) FROM deliveries GROUP BY status"
        )
        return {status: count for status, count in rows}

    def is_offer_head(self, delivery: Delivery) -> bool:
        """Whether this offer delivery still carries the newest version for its application."""
        row = (
            self._connection()
            .execute(
                "SELECT version FROM offer_heads WHERE application_id = ?",
                (delivery.application_id,),
            )
            .fetchone()
        )
        return row is None or row[0] <= (delivery.offer_version or 0)

    def finish(
        self,
        delivery_id: int,
        status: str,
        *,
        event_id: str | None = None,
        outcome: str | None = None,
        reason: str | None = None,
        employment_id: str | None = None,
        attempted: bool = True,
    ) -> None:
        """Record the final state of a delivery; ``attempted`` counts this processing attempt."""
        with self._transaction() as connection:
            self._set_result(connection, delivery_id, status, outcome, reason)
            connection.execute(
                "UPDATE deliveries SET event_id = ?, employment_id = ?, "
                "attempts = attempts + ? WHERE id = ?",
                (event_id, employment_id, int(attempted), delivery_id),
            )

    def retry_later(self, delivery_id: int, delay_seconds: float, reason: str) -> int:
        """Count a failed attempt and schedule the next; returns the attempts made so far."""
        with self._transaction() as connection:
            connection.execute(
                "UPDATE deliveries SET attempts = attempts + 1, next_attempt_at = ?, "
                "reason = ?, updated_at = ? WHERE id = ?",
                (time.time() + delay_seconds, reason, utc_now(), delivery_id),
            )
            row = connection.execute(
                "SELECT attempts FROM deliveries WHERE id = ?", (delivery_id,)
            ).fetchone()
        return int(row[0])

    def replay(self, delivery_ids: list[int] | None = None, status: str = "failed") -> int:
        """Make every delivery of ``status`` (or the given ones) pending again; returns how many.

        Deliveries whose body could not be read on arrival are left as they are: no attempt
        can turn them into a hire (``arrival_problem`` says why).
        """
        with self._transaction() as connection:
            if delivery_ids is None:
                rows = connection.execute(
                    "SELECT id, body FROM deliveries WHERE status = ?", (status,)
                ).fetchall()
            else:
                rows = [
                    row
                    for delivery_id in delivery_ids
                    for row in connection.execute(
                        "SELECT id, body FROM deliveries WHERE id = ?", (delivery_id,)
                    )
                ]
            chosen = [row[0] for row in rows if read_keys(row[1]).problem is None]
            connection.executemany(
                "UPDATE deliveries SET status = 'pending', attempts = 0, "
                "next_attempt_at = 0, updated_at = ? WHERE id = ?",
                [(utc_now(), delivery_id) for delivery_id in chosen],
            )
        return len(chosen)

    def failed_on_arrival(self) -> list[Delivery]:
        """Failed deliveries whose body could not be read when they arrived; never replayed."""
        return [d for d in self.recent("failed", limit=-1) if arrival_problem(d) is not None]

    def purge(self, older_than_days: float) -> int:
        """Delete finished deliveries received before the cut-off; returns how many.

        Bodies hold personal data, so finished ones should not be kept for ever. A body that
        failed on arrival is final too (it can never be replayed), so it goes as well. Pending
        and replayable failed deliveries are kept: they still have work or a person waiting.
        """
        cutoff = datetime.now(UTC) - timedelta(days=older_than_days)
        stamp = cutoff.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        with self._transaction() as connection:
            finished = connection.execute(
                "DELETE FROM deliveries WHERE received_at < ? AND status IN (?, ?, ?, ?, ?)",
                (stamp, *_PURGEABLE_STATUSES),
            ).rowcount
            failed = connection.execute(
                "SELECT id, body FROM deliveries WHERE received_at < ? AND status = 'failed'",
                (stamp,),
            ).fetchall()
            unreadable = [(row[0],) for row in failed if read_keys(row[1]).problem is not None]
            connection.executemany("DELETE FROM deliveries WHERE id = ?", unreadable)
        return finished + len(unreadable)

    @staticmethod
    def _set_result(
        connection: sqlite3.Connection,
        delivery_id: int,
        status: str,
        outcome: str | None,
        reason: str | None,
    ) -> None:
        connection.execute(
            "UPDATE deliveries SET status = ?, outcome = ?, reason = ?, updated_at = ? "
            "WHERE id = ?",
            (status, outcome, reason, utc_now(), delivery_id),
        )
