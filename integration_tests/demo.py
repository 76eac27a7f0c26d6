"""``make demo``: the main job on bundled sample data, against the local fakes.

Starts the Harvest v3 fake with the sample Greenhouse tenant and one Remote fake per sample
customer, runs ``hires sync`` for both customers, prints one line per event and the totals, then
runs every sync again from scratch to show that nothing is created twice.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from hires_cli.main import configure_logging
from hires_cli.sync import SyncReport, print_report, run_sync
from integration_tests.fakes.harvest import HarvestFake
from integration_tests.fakes.remote import RemoteFake
from integration_tests.local_configs import destination_config, source_config

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "integration_tests" / "sample_data"
WORKSPACE = ROOT / ".hires" / "demo"
CUSTOMERS = ("northwind", "globex")


def sync_customer(
    customer: str, harvest: HarvestFake, remote: RemoteFake, *, full_refresh: bool
) -> SyncReport:
    return run_sync(
        source_config(harvest),
        destination_config(
            remote,
            rule=ROOT / "rules/customers" / f"{customer}.yaml",
            ledger_path=WORKSPACE / f"{customer}-ledger.sqlite",
        ),
        state_file=WORKSPACE / f"{customer}-state.json",
        full_refresh=full_refresh,
    )


def main() -> int:
    configure_logging()
    shutil.rmtree(WORKSPACE, ignore_errors=True)
    WORKSPACE.mkdir(parents=True)
    tenant = json.loads((SAMPLES / "greenhouse_tenant.json").read_text(encoding="utf-8"))
    company = json.loads((SAMPLES / "remote_company.json").read_text(encoding="utf-8"))
    with HarvestFake(tenant) as harvest:
        remotes = {customer: RemoteFake(company) for customer in CUSTOMERS}
        for remote in remotes.values():
            remote.start()
        try:
            return _run(harvest, remotes)
        finally:
            for remote in remotes.values():
                remote.stop()


def _run(harvest: HarvestFake, remotes: dict[str, RemoteFake]) -> int:
    print("First sync of each sample customer")
    for customer, remote in remotes.items():
        print(f"\n== {customer}")
        print_report(sync_customer(customer, harvest, remote, full_refresh=False), sys.stdout)

    print(
        "\nAbout the sample (integration_tests/sample_data/README.md): Remote already holds"
        "\n  application 90214477 from an earlier sync of ours (already_synced), and an employee"
        "\n  of its own with 90214501's e-mail (conflict: nothing created). Each invalid line"
        "\n  names the field to fix in Greenhouse; each skipped line names the rule's condition."
    )
    print("\nSecond sync, reading everything again: nothing may be created twice")
    created_again = 0
    for customer, remote in remotes.items():
        before = remote.request_count("POST", "/v1/employments")
        report = sync_customer(customer, harvest, remote, full_refresh=True)
        created_again += remote.request_count("POST", "/v1/employments") - before
        totals = ", ".join(f"{k} {v}" for k, v in sorted(report.counts.items()) if v)
        print(f"== {customer}: {report.events_read} events read; {totals}")
    if created_again:
        print(f"FAILED: the second sync sent {created_again} creates", file=sys.stderr)
        return 1
    print("\nSecond sync created nothing new.")
    shown = WORKSPACE.relative_to(ROOT)
    print(f"\nThe ledgers stay in {shown}/; to look at them again:")
    print(f"  .venv/bin/hires outcomes --ledger {shown}/northwind-ledger.sqlite")
    print(f"  .venv/bin/hires outcomes --ledger {shown}/globex-ledger.sqlite --format json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
