"""Remote requests per hire (cold and warm), rate-budget use and 429s of the destination.

All against the Remote fake on 127.0.0.1: a company already holding 5,000 employments for the
cost numbers, and a tight limit (60 requests per 2 s window) for the long backfill.
"""

from __future__ import annotations

import math
import tempfile
import time
from pathlib import Path
from typing import Any

from airbyte_cdk.models import (
    AirbyteMessage,
    AirbyteRecordMessage,
    AirbyteStateBlob,
    AirbyteStateMessage,
    AirbyteStateType,
    AirbyteStreamState,
    ConfiguredAirbyteCatalog,
    StreamDescriptor,
    Type,
)

import hire_events
from destination_remote_onboarding.destination import DestinationRemoteOnboarding
from integration_tests.fakes.remote import RemoteFake

TOKEN = "ra_test_bench_token"
EXISTING = 5_000
NEW_HIRES = 1_000
BACKFILL_WINDOW_SECONDS = 2.0
BACKFILL_LIMIT = 60
BACKFILL_WINDOWS = 10
STATE_EVERY = 250
RULE_YAML = """\
version: 1
customer: bench
trigger: offer_created
on_conflict: skip
profile:
  country_code: PRT
"""


def _company(existing: int) -> dict[str, Any]:
    return {
        "environment": "sandbox",
        "tokens": {TOKEN: "full"},
        "settings": {"today": "2026-12-04", "min_onboarding_days": 5, "holidays": []},
        "employments": [
            {"personal_email": f"staff{number}@example.test", "external_id": f"hris-{number}"}
            for number in range(existing)
        ],
    }


def _event(number: int) -> dict[str, Any]:
    application_id = 800_000 + number
    offer = {
        "id": application_id,
        "application_id": application_id,
        "starts_on": "2027-02-01",
        "status": "Accepted",
        "updated_at": "2026-12-01T10:00:00Z",
        "created_at": "2026-12-01T10:00:00Z",
    }
    candidate = {
        "id": number,
        "first_name": "Hire",
        "last_name": str(number),
        "email_addresses": [{"value": f"hire{number}@example.test", "type": "personal"}],
    }
    job = {"id": 1, "name": "Engineer"}
    application = {"id": application_id, "candidate_id": number, "job_id": 1}
    return hire_events.offer_event(
        offer, application=application, candidate=candidate, job=job, origin="harvest_v3"
    )


def _messages(count: int) -> list[AirbyteMessage]:
    messages = []
    for number in range(count):
        record = AirbyteRecordMessage(stream="offers", data=_event(number), emitted_at=0)
        messages.append(AirbyteMessage(type=Type.RECORD, record=record))
        if (number + 1) % STATE_EVERY == 0 or number + 1 == count:
            stream = AirbyteStreamState(
                stream_descriptor=StreamDescriptor(name="offers"),
                stream_state=AirbyteStateBlob(n=number),
            )
            state = AirbyteStateMessage(type=AirbyteStateType.STREAM, stream=stream)
            messages.append(AirbyteMessage(type=Type.STATE, state=state))
    return messages


def _write(fake: RemoteFake, ledger: Path, messages: list[AirbyteMessage]) -> None:
    config = {
        "environment": {"environment": "custom", "base_url": fake.base_url},
        "api_token": TOKEN,
        "rule": {"rule_source": "yaml", "rule_yaml": RULE_YAML},
        "ledger_path": str(ledger),
        "retry_backoff_seconds": 0.05,
    }
    catalog = ConfiguredAirbyteCatalog(streams=[])
    for _ in DestinationRemoteOnboarding().write(config, catalog, iter(messages)):
        pass


def _cost(folder: Path) -> tuple[float, float, int]:
    with RemoteFake(_company(EXISTING), rate_limit_per_minute=10_000_000) as fake:
        messages = _messages(NEW_HIRES)
        _write(fake, folder / "cost.sqlite", messages)
        cold = fake.request_count()
        _write(fake, folder / "cost.sqlite", messages)
        warm = fake.request_count() - cold
        return cold / NEW_HIRES, warm / NEW_HIRES, fake.rate_limited_count


def _backfill(folder: Path) -> tuple[float, int]:
    # One listing call plus one create per hire: exactly BACKFILL_WINDOWS full windows.
    hires = BACKFILL_LIMIT * BACKFILL_WINDOWS - 1
    with RemoteFake(
        _company(0), rate_limit_per_minute=BACKFILL_LIMIT, window_seconds=BACKFILL_WINDOW_SECONDS
    ) as fake:
        messages = _messages(hires)
        started = time.monotonic()
        _write(fake, folder / "backfill.sqlite", messages)
        elapsed = time.monotonic() - started
        windows = max(1, math.ceil(elapsed / BACKFILL_WINDOW_SECONDS))
        return fake.request_count() / (windows * BACKFILL_LIMIT), fake.rate_limited_count


def run() -> dict[str, float | int]:
    with tempfile.TemporaryDirectory(prefix="bench-destination-") as folder:
        per_new_hire, per_warm_hire, cost_429 = _cost(Path(folder))
        budget_use, backfill_429 = _backfill(Path(folder))
    return {
        "remote_calls_per_new_hire": round(per_new_hire, 4),
        "remote_calls_per_synced_hire_warm": round(per_warm_hire, 4),
        "remote_rate_budget_use": round(budget_use, 4),
        "remote_429_count": cost_429 + backfill_429,
    }


if __name__ == "__main__":
    print(run())
