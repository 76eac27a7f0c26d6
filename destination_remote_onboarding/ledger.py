"""The ledger: an embedded SQLite record of outcomes and of the employments we know are ours.

It makes re-runs cheap (an application we already created with the same e-mail needs no Remote
call) and keeps the audit trail. Correctness never depends on it: Remote is the source of truth,
and on the Airbyte platform the container's disk is thrown away after each sync.

No secrets and no e-mail addresses are stored: only a SHA-256 of the normalised address, so a
changed e-mail in Greenhouse is noticed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from destination_remote_onboarding.errors import ConfigError
from destination_remote_onboarding.outcomes import Outcome

logger = logging.getLogger(__name__)

DEFAULT_LEDGER_PATH: Final = "~/.local/state/greenhouse-remote-hires/ledger.sqlite"
LEDGER_ENV: Final = "HIRES_LEDGER"

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS syncs (
    sync_id TEXT PRIMARY KEY,
    customer TEXT NOT NULL,
    started_at TEXT NOT NULL,
    dry_run INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS outcomes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sync_id TEXT NOT NULL,
    customer TEXT NOT NULL,
    event_id TEXT NOT NULL,
    application_id INTEGER,
    trigger TEXT,
    outcome TEXT NOT NULL,
    reason TEXT NOT NULL,
    employment_id TEXT,
    dry_run INTEGER NOT NULL DEFAULT 0,
    recorded_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS outcomes_by_sync ON outcomes (sync_id);
CREATE TABLE IF NOT EXISTS known_hires (
    remote TEXT NOT NULL,
    customer TEXT NOT NULL,
    application_id INTEGER NOT NULL,
    email_sha256 TEXT NOT NULL,
    employment_id TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (remote, customer, application_id)
);
CREATE TABLE IF NOT EXISTS refused_profiles (
    remote TEXT NOT NULL,
    customer TEXT NOT NULL,
    application_id INTEGER NOT NULL,
    profile_sha256 TEXT NOT NULL,
    reason TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (remote, customer, application_id)
);
"""


def normalise_email(email: str) -> str:
    """Trimmed and lower-cased: the form we look people up by and hash."""
    return email.strip().lower()


def email_sha256(email: str) -> str:
    return hashlib.sha256(normalise_email(email).encode("utf-8")).hexdigest()


def resolve_ledger_path(configured: str | None = None) -> Path:
    """The config's path if given, else ``$HIRES_LEDGER``, else the per-user default."""
    chosen = configured or os.environ.get(LEDGER_ENV) or DEFAULT_LEDGER_PATH
    return Path(chosen).expanduser()


def ledger_problem(path: Path) -> str | None:
    """Why a ledger cannot be kept at ``path``, checked without creating anything."""
    if path.exists():
        writable = path.is_file() and os.access(path, os.W_OK)
        return None if writable else f"ledger_path {path} is not a writable file"
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if parent.is_dir() and os.access(parent, os.W_OK):
        return None
    return f"ledger_path {path} cannot be created: {parent} is not writable; choose another path"


@dataclass(frozen=True)
class KnownHire:
    """An employment in Remote that we know is ours for one application and e-mail."""

    remote: str
    customer: str
    application_id: int
    email_sha256: str
    employment_id: str


@dataclass(frozen=True)
class RefusedProfile:
    """A profile Remote refused (400/409/422) for one application: not worth sending again."""

    remote: str
    customer: str
    application_id: int
    profile_sha256: str
    reason: str


def profile_sha256(profile: Mapping[str, Any]) -> str:
    """A stable hash of a profile, to notice when a refused one has changed."""
    canonical = json.dumps(profile, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class Ledger:
    """One SQLite file in WAL mode; each ``record`` call is one transaction."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as error:
            self._db.close()
            raise ConfigError(
                f"{self.path} is not a ledger database ({error}); "
                "give the path of a ledger written by a sync, or a new file name"
            ) from None

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def start_sync(self, sync_id: str, customer: str, *, dry_run: bool) -> None:
        started = datetime.now(UTC).isoformat(timespec="milliseconds")
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO syncs (sync_id, customer, started_at, dry_run)"
                " VALUES (?, ?, ?, ?)",
                (sync_id, customer, started, int(dry_run)),
            )

    def known_employment(
        self, remote: str, customer: str, application_id: int, email_hash: str
    ) -> str | None:
        """Our employment for this application, when the e-mail is unchanged since."""
        with self._lock:
            row = self._db.execute(
                "SELECT employment_id FROM known_hires WHERE remote = ? AND customer = ?"
                " AND application_id = ? AND email_sha256 = ?",
                (remote, customer, application_id, email_hash),
            ).fetchone()
        return None if row is None else str(row["employment_id"])

    def employment_of_application(
        self, remote: str, customer: str, application_id: int
    ) -> str | None:
        """Our employment for this application, whatever e-mail it was made with."""
        with self._lock:
            row = self._db.execute(
                "SELECT employment_id FROM known_hires WHERE remote = ? AND customer = ?"
                " AND application_id = ?",
                (remote, customer, application_id),
            ).fetchone()
        return None if row is None else str(row["employment_id"])

    def refusal(
        self, remote: str, customer: str, application_id: int, profile_hash: str
    ) -> str | None:
        """Why Remote refused this very profile for this application before, if it did."""
        with self._lock:
            row = self._db.execute(
                "SELECT reason FROM refused_profiles WHERE remote = ? AND customer = ?"
                " AND application_id = ? AND profile_sha256 = ?",
                (remote, customer, application_id, profile_hash),
            ).fetchone()
        return None if row is None else str(row["reason"])

    def record(
        self,
        sync_id: str,
        outcomes: Iterable[Outcome],
        known: Iterable[KnownHire] = (),
        refused: Iterable[RefusedProfile] = (),
    ) -> None:
        """Store a batch of outcomes, known hires and refusals in one durable transaction."""
        outcome_rows = [_outcome_row(sync_id, outcome) for outcome in outcomes]
        known_rows = [_known_row(hire) for hire in known]
        refused_rows = [_refused_row(profile) for profile in refused]
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany(_INSERT_OUTCOME, outcome_rows)
                self._db.executemany(_UPSERT_KNOWN, known_rows)
                self._db.executemany(_UPSERT_REFUSED, refused_rows)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        logger.debug(
            "ledger: recorded %s outcomes, %s known hires", len(outcome_rows), len(known_rows)
        )

    def last_sync_id(self, customer: str | None = None) -> str | None:
        query = "SELECT sync_id FROM syncs"
        params: tuple[Any, ...] = ()
        if customer:
            query, params = query + " WHERE customer = ?", (customer,)
        with self._lock:
            row = self._db.execute(query + " ORDER BY started_at DESC, rowid DESC LIMIT 1", params)
            found = row.fetchone()
        return None if found is None else str(found["sync_id"])

    def customers(self) -> list[str]:
        """Every customer with a recorded sync, alphabetically."""
        with self._lock:
            rows = self._db.execute("SELECT DISTINCT customer FROM syncs ORDER BY customer")
            return [str(row["customer"]) for row in rows.fetchall()]

    def recent_sync_ids(self, limit: int = 5) -> list[str]:
        """The ids of the last ``limit`` syncs, newest first."""
        query = "SELECT sync_id FROM syncs ORDER BY started_at DESC, rowid DESC LIMIT ?"
        with self._lock:
            return [str(row["sync_id"]) for row in self._db.execute(query, (limit,)).fetchall()]

    def has_sync(self, sync_id: str) -> bool:
        with self._lock:
            query = "SELECT 1 FROM syncs WHERE sync_id = ?"
            return self._db.execute(query, (sync_id,)).fetchone() is not None

    def outcomes(
        self,
        *,
        sync_id: str | None = None,
        customer: str | None = None,
        outcome: str | None = None,
    ) -> list[dict[str, Any]]:
        """Stored outcome rows, oldest first, filtered by whatever is given."""
        filters = {"sync_id": sync_id, "customer": customer, "outcome": outcome}
        chosen = {column: value for column, value in filters.items() if value is not None}
        where = " AND ".join(f"{column} = ?" for column in chosen)
        # Column names come from the fixed dict above; only values are parameters.
        condition = f" WHERE {where}" if where else ""
        query = f"SELECT * FROM outcomes{condition} ORDER BY id"  # noqa: S608
        with self._lock:
            rows = self._db.execute(query, tuple(chosen.values())).fetchall()
        return [_public_row(row) for row in rows]


_INSERT_OUTCOME: Final = (
    "INSERT INTO outcomes (sync_id, customer, event_id, application_id, trigger, outcome,"
    " reason, employment_id, dry_run, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_UPSERT_KNOWN: Final = (
    "INSERT INTO known_hires (remote, customer, application_id, email_sha256, employment_id,"
    " recorded_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (remote, customer, application_id)"
    " DO UPDATE SET email_sha256 = excluded.email_sha256,"
    " employment_id = excluded.employment_id, recorded_at = excluded.recorded_at"
)


_UPSERT_REFUSED: Final = (
    "INSERT INTO refused_profiles (remote, customer, application_id, profile_sha256, reason,"
    " recorded_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (remote, customer, application_id)"
    " DO UPDATE SET profile_sha256 = excluded.profile_sha256, reason = excluded.reason,"
    " recorded_at = excluded.recorded_at"
)


def _refused_row(profile: RefusedProfile) -> tuple[Any, ...]:
    recorded = datetime.now(UTC).isoformat(timespec="milliseconds")
    return (
        profile.remote,
        profile.customer,
        profile.application_id,
        profile.profile_sha256,
        profile.reason,
        recorded,
    )


def _outcome_row(sync_id: str, outcome: Outcome) -> tuple[Any, ...]:
    return (
        sync_id,
        outcome.customer,
        outcome.event_id,
        outcome.application_id,
        outcome.trigger,
        outcome.outcome,
        outcome.reason,
        outcome.employment_id,
        int(outcome.dry_run),
        outcome.recorded_at,
    )


def _known_row(hire: KnownHire) -> tuple[Any, ...]:
    recorded = datetime.now(UTC).isoformat(timespec="milliseconds")
    return (
        hire.remote,
        hire.customer,
        hire.application_id,
        hire.email_sha256,
        hire.employment_id,
        recorded,
    )


def _public_row(row: sqlite3.Row) -> dict[str, Any]:
    public = {key: row[key] for key in row.keys() if key != "id"}  # noqa: SIM118
    public["dry_run"] = bool(public["dry_run"])
    return public
