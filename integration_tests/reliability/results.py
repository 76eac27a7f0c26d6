"""What one scenario found, and the table the runner prints."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

COLUMNS: Final = (
    ("scenario", 30),
    ("created", 8),
    ("duplicates", 10),
    ("missing", 8),
    ("leaked", 7),
    ("unhandled", 9),
    ("other", 6),
    ("seconds", 8),
)


@dataclass
class ScenarioResult:
    """Counts from one scenario; any non-zero violation count means a broken promise."""

    name: str
    created: int = 0
    duplicates: int = 0
    missing: int = 0
    leaked_secrets: int = 0
    unhandled_errors: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    details: dict[str, int] = field(default_factory=dict)

    @property
    def violations(self) -> int:
        return (
            self.duplicates
            + self.missing
            + self.leaked_secrets
            + self.unhandled_errors
            + len(self.problems)
        )

    def problem(self, message: str) -> None:
        """Note a broken promise that is not a duplicate, a gap, a leak or a crash."""
        self.problems.append(message)

    def absorb(self, other: ScenarioResult) -> None:
        """Add another run's counts to this one (one scenario, many rounds)."""
        self.created += other.created
        self.duplicates += other.duplicates
        self.missing += other.missing
        self.leaked_secrets += other.leaked_secrets
        self.unhandled_errors += other.unhandled_errors
        self.problems.extend(other.problems)
        for key, value in other.details.items():
            self.details[key] = self.details.get(key, 0) + value


def render_table(results: list[ScenarioResult]) -> str:
    """A fixed-width table, one row per scenario, then the problems each one found."""
    header = "  ".join(name.ljust(width) for name, width in COLUMNS)
    lines = [header, "-" * len(header)]
    for result in results:
        cells = (
            result.name,
            result.created,
            result.duplicates,
            result.missing,
            result.leaked_secrets,
            result.unhandled_errors,
            len(result.problems),
            f"{result.seconds:.1f}",
        )
        widths = (width for _, width in COLUMNS)
        lines.append(
            "  ".join(str(cell).ljust(width) for cell, width in zip(cells, widths, strict=True))
        )
    for result in results:
        if result.details:
            detail = ", ".join(f"{key} {value}" for key, value in sorted(result.details.items()))
            lines.append(f"{result.name}: {detail}")
        lines.extend(f"{result.name}: {message}" for message in result.problems)
    return "\n".join(lines)
