"""``make bench``: run every benchmark module and write ``benchmarks/results.json``.

Each ``benchmarks/bench_<part>.py`` exposes ``run() -> dict[str, float | int]``. Counts (API
calls per hire) are exact and stable; times and memory are what this machine measured.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hires_cli.main import configure_logging

BENCHMARKS = ("bench_source", "bench_rules", "bench_destination", "bench_webhook")
RESULTS = Path(__file__).with_name("results.json")

# metric -> (comparison, target); what each issue asks the product to reach.
TARGETS: dict[str, tuple[str, float]] = {
    "harvest_calls_ratio_to_floor": ("<=", 1.1),
    "harvest_calls_ratio_to_floor_lean": ("<=", 1.1),
    "source_peak_rss_mb_100k_offers": ("<=", 250.0),
    "rules_events_per_second": (">=", 20_000.0),
    "remote_calls_per_new_hire": ("<=", 1.2),
    "remote_calls_per_synced_hire_warm": ("<=", 0.05),
    "remote_rate_budget_use": (">=", 0.9),
    "remote_429_count": ("<=", 0.0),
    "webhook_to_created_p95_ms": ("<", 2000.0),
}


def _verdict(name: str, value: float) -> str:
    if name not in TARGETS:
        return ""
    op, target = TARGETS[name]
    met = {"<=": value <= target, ">=": value >= target, "<": value < target}[op]
    return f"{'met' if met else 'MISSED'} (target {op} {target:g})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", nargs="*", default=list(BENCHMARKS), help="modules to run")
    args = parser.parse_args(argv)
    # Plain warnings on stderr instead of the CDK's JSON log lines on stdout.
    configure_logging(quiet=True)
    metrics: dict[str, Any] = {}
    seconds: dict[str, float] = {}
    for name in args.only:
        module = importlib.import_module(f"benchmarks.{name}")
        started = time.perf_counter()
        metrics.update(module.run())
        seconds[name] = round(time.perf_counter() - started, 1)
        print(f"{name}: done in {seconds[name]} s", file=sys.stderr)
    _derive(metrics)

    report = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "seconds_per_benchmark": seconds,
        "metrics": metrics,
        "targets": {k: f"{op} {t:g}" for k, (op, t) in TARGETS.items()},
    }
    RESULTS.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    width = max(map(len, metrics), default=10)
    for key in sorted(metrics):
        value = metrics[key]
        shown = f"{value:,.3f}" if isinstance(value, float) else f"{value:,}"
        print(f"{key:<{width}}  {shown:>14}  {_verdict(key, float(value))}")
    print(f"written to {RESULTS}")
    return 0


def _derive(metrics: dict[str, Any]) -> None:
    calls = metrics.get("harvest_calls_per_1000_offer_events")
    floor = metrics.get("harvest_min_calls_per_1000_offer_events")
    if calls and floor:
        metrics["harvest_calls_ratio_to_floor"] = round(calls / floor, 3)


if __name__ == "__main__":
    sys.exit(main())
