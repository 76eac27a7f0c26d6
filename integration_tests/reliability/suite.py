"""The whole suite at one of two sizes: ``quick`` for ``make test``, ``full`` for the runner."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from integration_tests.reliability import bad_input, crash, fuzz, secrets, storms, webhooks
from integration_tests.reliability.results import ScenarioResult


@dataclass(frozen=True)
class Size:
    hires: int
    kill_points: int
    storm_hires: int
    storm_seeds: tuple[int, ...]
    webhook_hires: int
    generated_batches: int
    every_config_case: bool


QUICK = Size(100, 3, 100, (1,), 10, 40, False)
# Storms run 500 hires per seed: a 1,000-hire storm needs ~100 s a run, 3-4 runs, on 2 cores.
FULL = Size(1000, 20, 500, (1, 2), 100, 300, True)


Scenario = Callable[[Path], ScenarioResult]


def scenarios(size: Size) -> list[tuple[str, Scenario]]:
    """Each scenario as (folder name, function of a scratch folder)."""
    return [
        ("crash", lambda folder: crash.run(folder, size.hires, size.kill_points)),
        ("storms", lambda folder: storms.run(folder, size.storm_hires, size.storm_seeds)),
        ("webhooks", lambda folder: webhooks.run(folder, size.webhook_hires)),
        ("bad-input", lambda folder: bad_input.run(folder, size.every_config_case)),
        ("generated", lambda folder: fuzz.run(folder, size.generated_batches)),
        ("secrets", lambda folder: secrets.run(folder, size.webhook_hires)),
    ]
