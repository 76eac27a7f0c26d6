"""Harvest calls per 1,000 offer events, and the source's peak memory on large tenants.

Calls are counted by the Harvest fake for a full read of the ``offers`` stream (token, custom
field definitions, pages and look-ups included). Peak RSS is measured on the real console
script, run as a subprocess against a standalone fake in another process, output to /dev/null.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from airbyte_cdk.models import ConfiguredAirbyteCatalogSerializer, SyncMode
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import read

from integration_tests.fakes.harvest import HarvestFake
from integration_tests.sample_data.synthetic import write_synthetic_tenant
from source_greenhouse_hires import SourceGreenhouseHires

ROOT = Path(__file__).resolve().parents[1]
SOURCE_SCRIPT = Path(sys.executable).with_name("source-greenhouse-hires")
CALLS_OFFERS = 1_000
CALLS_JOBS = 20
# Both memory runs share candidates (1 per 20 offers) and leave application details out:
# the fake answers every `ids=` look-up by scanning the whole tenant, which would make a
# 100k run with 200k look-up scans take far longer than the source itself.
RSS_CANDIDATES_PER_OFFER = 0.05


def _config(base_url: str, **options: Any) -> dict[str, Any]:
    return {
        "client_id": "demo-client-id",
        "client_secret": "demo-client-secret",
        "api_url": base_url,
        "token_url": f"{base_url}/token",
        "consistency_lag_minutes": 0,
        **options,
    }


def _offers_catalog() -> Any:
    return CatalogBuilder().with_stream("offers", SyncMode.incremental).build()


def _calls_for_offers_read(tenant: Path, **options: Any) -> tuple[int, int]:
    """(requests the fake saw, offer events read) for one full read of ``offers``."""
    with HarvestFake(tenant, rate_limit=None) as fake:
        config = _config(fake.base_url, **options)
        catalog = _offers_catalog()
        output = read(SourceGreenhouseHires(config=config, catalog=catalog), config, catalog)
        return len(fake.requests), len(output.records)


def _floor(n_offers: int, n_candidates: int, n_jobs: int) -> int:
    return math.ceil(n_offers / 500) + math.ceil(n_candidates / 50) + math.ceil(n_jobs / 50)


def _start_standalone_fake(tenant: Path) -> tuple[subprocess.Popen[str], str]:
    fake = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "integration_tests.fakes.harvest",
            "--data",
            str(tenant),
            "--port",
            "0",
            "--rate-limit",
            "100000000",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert fake.stdout is not None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = fake.stdout.readline()
        if line.startswith("base_url="):
            return fake, line.strip().removeprefix("base_url=")
        if not line and fake.poll() is not None:
            break
    fake.kill()
    raise RuntimeError(f"the standalone Harvest fake did not start for {tenant}")


def _peak_rss_mb(n_offers: int, workdir: Path) -> float:
    """Peak RSS of ``source-greenhouse-hires read`` over an ``n_offers`` tenant."""
    tenant = write_synthetic_tenant(
        workdir / f"tenant_{n_offers}.json",
        n_offers,
        candidates_per_offer=RSS_CANDIDATES_PER_OFFER,
    )
    fake, base_url = _start_standalone_fake(tenant)
    try:
        config_path = workdir / "config.json"
        catalog_path = workdir / "catalog.json"
        config = _config(base_url, include_application_details=False)
        config_path.write_text(json.dumps(config), "utf-8")
        catalog_path.write_text(
            json.dumps(ConfiguredAirbyteCatalogSerializer.dump(_offers_catalog())), "utf-8"
        )
        with open(os.devnull, "w") as sink:
            source = subprocess.Popen(
                [
                    str(SOURCE_SCRIPT),
                    "read",
                    "--config",
                    str(config_path),
                    "--catalog",
                    str(catalog_path),
                ],
                cwd=workdir,
                stdout=sink,
                stderr=subprocess.DEVNULL,
                env={**os.environ, "AIRBYTE_OFFLINE_MODE": "1", "DO_NOT_TRACK": "1"},
            )
            _, status, usage = os.wait4(source.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError(f"the source failed reading {n_offers} offers")
        return round(usage.ru_maxrss / 1024, 1)  # Linux reports kilobytes
    finally:
        fake.terminate()
        fake.wait(timeout=30)


def run() -> dict[str, float | int]:
    with tempfile.TemporaryDirectory(prefix="bench_source_") as tmp:
        workdir = Path(tmp)
        tenant = write_synthetic_tenant(workdir / "tenant_1k.json", CALLS_OFFERS, jobs=CALLS_JOBS)
        calls, events = _calls_for_offers_read(tenant)
        calls_lean, _ = _calls_for_offers_read(tenant, include_application_details=False)
        floor = _floor(CALLS_OFFERS, CALLS_OFFERS, CALLS_JOBS)
        scale = 1000 / events
        return {
            "harvest_calls_per_1000_offer_events": round(calls * scale, 1),
            "harvest_calls_per_1000_offer_events_lean": round(calls_lean * scale, 1),
            "harvest_min_calls_per_1000_offer_events": floor,
            "harvest_calls_ratio_to_floor": round(calls / floor, 3),
            "harvest_calls_ratio_to_floor_lean": round(calls_lean / floor, 3),
            "source_peak_rss_mb_10k_offers": _peak_rss_mb(10_000, workdir),
            "source_peak_rss_mb_100k_offers": _peak_rss_mb(100_000, workdir),
        }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
