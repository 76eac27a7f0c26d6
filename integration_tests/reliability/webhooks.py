"""Webhooks under pressure: ``hires serve`` as a subprocess with the real onboarding into the
Remote fake. Each hire is delivered five times at once (and again under new delivery ids);
forged, unsigned and replayed-with-changed-body deliveries must create nothing."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests

from integration_tests.fakes.remote import RemoteFake
from integration_tests.reliability import harness
from integration_tests.reliability.results import ScenarioResult
from tests.webhook.deliveries import encode, generated_hire
from webhook_receiver.inbox import Inbox
from webhook_receiver.signature import sign

COPIES = 5
# `hires serve` announces its address (stdout now; a log line on stderr in earlier versions).
LISTENING = re.compile(r"receiving Greenhouse webhooks (?:on|at) (http://127\.0\.0\.1:\d+)")
SETTLE_SECONDS = 60.0


def run(folder: Path, n_hires: int = 40) -> ScenarioResult:
    """Deliver ``n_hires`` hires five times each, concurrently, plus three attacks per hire."""
    started = time.monotonic()
    result = ScenarioResult(f"webhooks ({n_hires} hires x{COPIES})")
    folder.mkdir(parents=True, exist_ok=True)
    with RemoteFake(harness.company(), rate_limit_per_minute=100_000) as remote:
        config = _write_config(folder, remote)
        server, url = _start_receiver(folder, config)
        try:
            _deliver(url, n_hires, result)
            _settle(folder / "inbox.sqlite", result)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        _check_remote(remote, n_hires, result)
    texts = [(folder / name).read_text("utf-8", "replace") for name in ("serve.out", "serve.err")]
    result.unhandled_errors += harness.count_tracebacks(texts)
    harness.scan_for_leaks(texts, [folder / "inbox.sqlite", folder / "ledger.sqlite"], result)
    result.seconds = time.monotonic() - started
    return result


def _write_config(folder: Path, remote: RemoteFake) -> Path:
    destination = harness.destination_config(remote.base_url, folder / "ledger.sqlite")
    destination["rule"] = {"rule_source": "file", "rule_file": "globex.yaml"}
    config = {
        "webhook_secret": harness.WEBHOOK_KEY,
        "inbox_path": str(folder / "inbox.sqlite"),
        "destination": destination,
        "worker": {"backoff_seconds": 0.05, "poll_seconds": 0.05},
    }
    path = folder / "webhooks.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    return path


def _start_receiver(folder: Path, config: Path) -> tuple[subprocess.Popen[bytes], str]:
    """``hires serve`` on a free port; the URL is read from its log line."""
    out, err = folder / "serve.out", folder / "serve.err"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        command = [str(harness.BIN / "hires"), "serve", "--config", str(config), "--port", "0"]
        process = subprocess.Popen(command, stdout=stdout, stderr=stderr, env=harness.ENVIRONMENT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        found = LISTENING.search(out.read_text("utf-8", "replace") + err.read_text("utf-8"))
        if found:
            return process, found.group(1)
        time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"hires serve did not start; see {err}")


def _post(url: str, body: bytes, event_id: str, signature: str | None) -> int:
    headers = {"Content-Type": "application/json", "Greenhouse-Event-ID": event_id}
    if signature is not None:
        headers["Signature"] = signature
    answer = requests.post(f"{url}/webhooks/greenhouse", data=body, headers=headers, timeout=30)
    return answer.status_code


def _deliveries(n_hires: int) -> tuple[list[tuple[bytes, str, str | None]], list[Any]]:
    """The honest deliveries (each hire 5x under one id, 5x under new ids) and the attacks."""
    honest: list[tuple[bytes, str, str | None]] = []
    attacks: list[tuple[bytes, str, str | None]] = []
    for number in range(n_hires):
        body = encode(generated_hire(number))
        signature = sign(body, harness.WEBHOOK_KEY)
        honest += [(body, f"evt-{number}", signature)] * COPIES
        honest += [(body, f"evt-{number}-retry-{copy}", signature) for copy in range(COPIES)]
        victim = encode(generated_hire(10_000 + number))
        attacks += [
            (victim, f"forged-{number}", sign(victim, "not-the-key")),
            (victim, f"unsigned-{number}", None),
            (victim, f"replayed-{number}", signature),
        ]
    return honest, attacks


def _deliver(url: str, n_hires: int, result: ScenarioResult) -> None:
    honest, attacks = _deliveries(n_hires)
    with ThreadPoolExecutor(max_workers=COPIES * 2) as pool:
        honest_codes = list(pool.map(lambda item: _post(url, *item), honest))
        attack_codes = list(pool.map(lambda item: _post(url, *item), attacks))
    refused = sum(1 for code in honest_codes if code >= 300)
    if refused:
        result.problem(f"{refused} honest deliveries were not accepted")
    accepted = sum(1 for code in attack_codes if code < 400)
    if accepted:
        result.problem(f"{accepted} forged, unsigned or replayed deliveries were accepted")
    result.details.update(deliveries=len(honest), attacks=len(attacks))
    result.details["attacks_refused"] = sum(1 for code in attack_codes if code == 401)


def _settle(inbox_path: Path, result: ScenarioResult) -> None:
    """Wait (bounded) until no delivery is pending; a delivery left undone is a problem."""
    inbox = Inbox(inbox_path)
    try:
        deadline = time.monotonic() + SETTLE_SECONDS
        counts = inbox.counts()
        while time.monotonic() < deadline and set(counts) - {"done", "duplicate"}:
            time.sleep(0.1)
            counts = inbox.counts()
    finally:
        inbox.close()
    if set(counts) - {"done", "duplicate"}:
        result.problem(f"inbox did not settle: {counts}")
    result.details.update({f"inbox_{status}": count for status, count in counts.items()})


def _check_remote(remote: RemoteFake, n_hires: int, result: ScenarioResult) -> None:
    by_external: dict[str, int] = {}
    for employment in remote.employments:
        key = str(employment.get("external_id") or "")
        by_external[key] = by_external.get(key, 0) + 1
    honest = {harness.external_id(93_000_000 + number) for number in range(n_hires)}
    forged = {harness.external_id(93_000_000 + 10_000 + number) for number in range(n_hires)}
    result.created += sum(1 for key in honest if by_external.get(key))
    result.missing += sum(1 for key in honest if not by_external.get(key))
    result.duplicates += sum(by_external.get(key, 0) - 1 for key in honest if by_external.get(key))
    created_by_attacks = sum(by_external.get(key, 0) for key in forged)
    if created_by_attacks:
        result.problem(f"{created_by_attacks} employments created by refused deliveries")
    result.details["remote_posts"] = remote.request_count("POST", "/v1/employments")
