"""``python -m integration_tests.reliability``: every scenario at full size, a table of counts,
exit status 1 when any promise is broken."""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path

from integration_tests.reliability.results import ScenarioResult, render_table
from integration_tests.reliability.suite import FULL, QUICK, Scenario, scenarios


def _guarded(name: str, scenario: Scenario, folder: Path) -> ScenarioResult:
    """A scenario that cannot even run counts as one unhandled error, and the rest go on."""
    try:
        return scenario(folder)
    except Exception as error:
        logging.exception("scenario %s could not run", name)
        return ScenarioResult(name, unhandled_errors=1, problems=[f"could not run: {error}"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m integration_tests.reliability",
        description="Prove no hire is lost, duplicated or leaked (fakes on 127.0.0.1 only).",
    )
    parser.add_argument("--quick", action="store_true", help="the small sizes `make test` uses")
    parser.add_argument("--keep", type=Path, help="keep every file the runs wrote here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    size = QUICK if args.quick else FULL
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="reliability-") as scratch:
        root = args.keep or Path(scratch)
        results: list[ScenarioResult] = []
        for name, scenario in scenarios(size):
            print(f"running {name} ...", file=sys.stderr, flush=True)
            results.append(_guarded(name, scenario, root / name))
    print(render_table(results))
    broken = sum(result.violations for result in results)
    print(f"\n{len(results)} scenarios in {time.monotonic() - started:.0f} s: ", end="")
    print(f"{broken} violations" if broken else "every promise kept")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
