"""Webhook receiver benchmark: accept latency, delivery → employment latency, throughput.

Everything runs on 127.0.0.1: the receiver under uvicorn with the real Onboarder (rule
``globex.yaml``), the Remote fake with its rate limit lifted, and the Harvest fake (unused by
``hire_candidate``). Two phases:

1. throughput: 1,000 signed deliveries (200 new hires, 800 pings) from 20 concurrent senders;
   each POST's round trip is an accept latency.
2. steady state: 50 hires sent one every 100 ms; a watcher polls the Remote fake every 10 ms and
   notes when each employment appears (``webhook_to_created_*``; the ``burst`` variant is the
   same measure for the 200 hires of phase 1, queued behind each other).
"""

from __future__ import annotations

import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from integration_tests.fakes.harvest import HarvestFake
from integration_tests.fakes.remote import RemoteFake
from integration_tests.local_configs import destination_config, source_config
from tests.webhook.deliveries import (
    SECRET,
    encode,
    fixture,
    generated_hire,
    post,
    sample_company,
    sample_tenant,
)
from webhook_receiver.config import settings_from_dict
from webhook_receiver.receiver import build_receiver
from webhook_receiver.server import serve_in_thread

BURST_DELIVERIES = 1000
BURST_HIRES = 200
STEADY_HIRES = 50
STEADY_SPACING_SECONDS = 0.1
SENDERS = 20


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


class EmploymentWatcher:
    """Notes the first moment each external_id is present in the Remote fake."""

    def __init__(self, remote: RemoteFake) -> None:
        self._remote = remote
        self.seen: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> EmploymentWatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(5)

    def _watch(self) -> None:
        while not self._stop.wait(0.01):
            now = time.perf_counter()
            for employment in self._remote.employments:
                external_id = employment.get("external_id")
                if external_id and external_id not in self.seen:
                    self.seen[external_id] = now

    def wait_for(self, external_ids: set[str], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if external_ids <= self.seen.keys():
                return True
            time.sleep(0.02)
        return False


def _settings(tmp: Path, harvest: HarvestFake, remote: RemoteFake) -> dict[str, object]:
    return {
        "webhook_secret": SECRET,
        "inbox_path": str(tmp / "inbox.sqlite"),
        "harvest": source_config(harvest, user_id=5001122),
        "destination": destination_config(
            remote,
            rule="globex.yaml",
            ledger_path=tmp / "ledger.sqlite",
            rate_limit_per_minute=1_000_000,
        ),
        "worker": {"poll_seconds": 0.5},
    }


def _burst(url: str, sent_at: dict[str, float]) -> tuple[list[float], float]:
    ping = encode(fixture("webhook-ping.json"))
    deliveries = [(encode(generated_hire(n)), f"bench-hire-{n}") for n in range(BURST_HIRES)]
    deliveries += [(ping, f"bench-ping-{n}") for n in range(BURST_DELIVERIES - BURST_HIRES)]
    latencies: list[float] = []

    def send(delivery: tuple[bytes, str], session: requests.Session) -> None:
        started = time.perf_counter()
        sent_at[delivery[1]] = started
        response = post(url, delivery[0], delivery[1], session=session)
        latencies.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"delivery {delivery[1]} answered {response.status_code}")

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=SENDERS) as pool, requests.Session() as session:
        session.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=SENDERS))
        list(pool.map(lambda delivery: send(delivery, session), deliveries))
    return latencies, time.perf_counter() - started


def _steady(url: str, watcher: EmploymentWatcher) -> list[float]:
    sent: dict[str, float] = {}
    with requests.Session() as session:
        for n in range(BURST_HIRES, BURST_HIRES + STEADY_HIRES):
            external_id = f"greenhouse-application-{93000000 + n}"
            sent[external_id] = time.perf_counter()
            post(url, encode(generated_hire(n)), f"bench-steady-{n}", session=session)
            time.sleep(STEADY_SPACING_SECONDS)
    if not watcher.wait_for(set(sent), timeout=60):
        raise RuntimeError("not every steady-state hire reached the Remote fake within 60 s")
    return [(watcher.seen[key] - sent[key]) * 1000 for key in sent]


def run() -> dict[str, float | int]:
    with (
        tempfile.TemporaryDirectory() as tmp,
        HarvestFake(sample_tenant(), rate_limit=None) as harvest,
        RemoteFake(sample_company(), rate_limit_per_minute=1_000_000) as remote,
    ):
        settings = settings_from_dict(_settings(Path(tmp), harvest, remote), environ={})
        receiver = build_receiver(settings)
        with serve_in_thread(receiver.app) as server, EmploymentWatcher(remote) as watcher:
            sent_at: dict[str, float] = {}
            accept_ms, burst_seconds = _burst(server.url, sent_at)
            burst_ids = {f"greenhouse-application-{93000000 + n}": n for n in range(BURST_HIRES)}
            if not watcher.wait_for(set(burst_ids), timeout=120):
                raise RuntimeError("not every burst hire reached the Remote fake within 120 s")
            burst_ms = [
                (watcher.seen[key] - sent_at[f"bench-hire-{n}"]) * 1000
                for key, n in burst_ids.items()
            ]
            steady_ms = _steady(server.url, watcher)
        created = remote.request_count("POST", "/v1/employments")
    return {
        "webhook_accept_p95_ms": round(_p95(accept_ms), 2),
        "webhook_accept_median_ms": round(statistics.median(accept_ms), 2),
        "webhook_to_created_p95_ms": round(_p95(steady_ms), 1),
        "webhook_to_created_median_ms": round(statistics.median(steady_ms), 1),
        "webhook_to_created_burst_p95_ms": round(_p95(burst_ms), 1),
        "webhook_deliveries_per_second": round(BURST_DELIVERIES / burst_seconds, 1),
        "webhook_bench_deliveries": BURST_DELIVERIES + STEADY_HIRES,
        "webhook_bench_employments_created": created,
    }


if __name__ == "__main__":
    for name, value in run().items():
        print(f"{name}: {value}")
