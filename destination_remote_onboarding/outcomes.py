"""The outcome of one hire event: what finally happened to it, and why.

Every event ends in exactly one outcome. The ledger stores them; the end-of-sync summary and
``hires outcomes`` are views of those rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final, Literal

OutcomeKind = Literal[
    "created", "already_synced", "updated", "skipped", "conflict", "invalid", "failed"
]
OUTCOME_KINDS: Final[tuple[OutcomeKind, ...]] = (
    "created",
    "already_synced",
    "updated",
    "skipped",
    "conflict",
    "invalid",
    "failed",
)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class Outcome:
    """What happened to one event in one sync (one ledger row)."""

    event_id: str
    outcome: OutcomeKind
    reason: str
    application_id: int | None = None
    trigger: str | None = None
    employment_id: str | None = None
    customer: str = ""
    dry_run: bool = False
    recorded_at: str = field(default_factory=_now)

    def as_dict(self) -> dict[str, object]:
        return {
            "event_id": self.event_id,
            "application_id": self.application_id,
            "trigger": self.trigger,
            "customer": self.customer,
            "outcome": self.outcome,
            "reason": self.reason,
            "employment_id": self.employment_id,
            "dry_run": self.dry_run,
            "recorded_at": self.recorded_at,
        }


def count_outcomes(outcomes: Iterable[Outcome]) -> dict[str, int]:
    """Counts per outcome kind, every kind present (zero when none), in the canonical order."""
    counts = Counter(outcome.outcome for outcome in outcomes)
    return {kind: counts.get(kind, 0) for kind in OUTCOME_KINDS}


def summary_table(counts: dict[str, int]) -> str:
    """A small fixed-width table of counts per outcome, with a total line."""
    width = max(len(kind) for kind in OUTCOME_KINDS)
    lines = [f"{'outcome':<{width}}  count", f"{'-' * width}  -----"]
    lines += [f"{kind:<{width}}  {counts.get(kind, 0):>5}" for kind in OUTCOME_KINDS]
    lines.append(f"{'total':<{width}}  {sum(counts.values()):>5}")
    return "\n".join(lines)
