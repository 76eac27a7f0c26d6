"""Builders for the destination tests: fake companies, configs, hire events, messages, runs."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

from airbyte_cdk.models import (
    AirbyteMessage,
    AirbyteRecordMessage,
    AirbyteStateBlob,
    AirbyteStateMessage,
    AirbyteStateType,
    AirbyteStream,
    AirbyteStreamState,
    ConfiguredAirbyteCatalog,
    ConfiguredAirbyteStream,
    DestinationSyncMode,
    StreamDescriptor,
    SyncMode,
    Type,
)
from airbyte_cdk.models.airbyte_protocol_serializers import ConfiguredAirbyteCatalogSerializer

import hire_events
from destination_remote_onboarding.destination import DestinationRemoteOnboarding
from destination_remote_onboarding.ledger import Ledger
from integration_tests.fakes.remote import RemoteFake

TODAY = "2026-12-04"
HOLIDAY = "2027-01-01"
FULL_TOKEN = "ra_test_full_access"
READ_ONLY_TOKEN = "ra_test_read_only"

RULE_TEMPLATE = """\
version: 1
customer: testco
trigger: offer_created
on_conflict: {on_conflict}
profile:
  country_code: PRT
"""


def company(employments: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "environment": "sandbox",
        "company": {"id": "c-test", "name": "Test Company"},
        "tokens": {FULL_TOKEN: "full", READ_ONLY_TOKEN: "read_only"},
        "settings": {"today": TODAY, "holidays": [HOLIDAY], "min_onboarding_days": 5},
        "employments": employments or [],
    }


_application_ids = itertools.count(5001)


def offer_event(
    email: str | None = "new.hire@example.test",
    *,
    application_id: int | None = None,
    starts_on: str = "2027-02-01",
    first_name: str = "Ada",
    trigger_updated_at: str = "2026-12-01T10:00:00Z",
) -> dict[str, Any]:
    """An offer_created hire event as the source would emit it."""
    app_id = application_id if application_id is not None else next(_application_ids)
    offer = {
        "id": app_id * 10,
        "application_id": app_id,
        "candidate_id": app_id + 100_000,
        "job_id": 77,
        "status": "Accepted",
        "starts_on": starts_on,
        "created_at": trigger_updated_at,
        "updated_at": trigger_updated_at,
        "custom_fields": {},
    }
    emails = [{"value": email, "type": "personal"}] if email else []
    candidate = {
        "id": app_id + 100_000,
        "first_name": first_name,
        "last_name": f"Lovelace{app_id}",
        "email_addresses": emails,
        "private": False,
    }
    application = {"id": app_id, "candidate_id": app_id + 100_000, "job_id": 77}
    job = {"id": 77, "name": "Data Engineer"}
    return hire_events.offer_event(
        offer, application=application, candidate=candidate, job=job, origin="harvest_v3"
    )


def record(event: Any, stream: str = "offers") -> AirbyteMessage:
    return AirbyteMessage(
        type=Type.RECORD,
        record=AirbyteRecordMessage(stream=stream, data=event, emitted_at=1_765_000_000_000),
    )


def state(cursor: str, stream: str = "offers") -> AirbyteMessage:
    return AirbyteMessage(
        type=Type.STATE,
        state=AirbyteStateMessage(
            type=AirbyteStateType.STREAM,
            stream=AirbyteStreamState(
                stream_descriptor=StreamDescriptor(name=stream),
                stream_state=AirbyteStateBlob(updated_at=cursor),
            ),
        ),
    )


def catalog() -> ConfiguredAirbyteCatalog:
    schema = hire_events.hire_event_schema()
    streams = [
        ConfiguredAirbyteStream(
            stream=AirbyteStream(
                name=name,
                json_schema=schema,
                supported_sync_modes=[SyncMode.full_refresh, SyncMode.incremental],
                source_defined_primary_key=[["event_id"]],
            ),
            sync_mode=SyncMode.incremental,
            destination_sync_mode=DestinationSyncMode.append_dedup,
            primary_key=[["event_id"]],
            cursor_field=["updated_at"],
        )
        for name in ("offers", "hires")
    ]
    return ConfiguredAirbyteCatalog(streams=streams)


def write(config: dict[str, Any], messages: list[AirbyteMessage]) -> list[AirbyteMessage]:
    """Run the destination's write over the messages; the messages it yields."""
    return list(DestinationRemoteOnboarding().write(config, catalog(), iter(messages)))


def records_then_state(events: list[Any], cursor: str = "2026-12-01T10:00:00Z") -> list[Any]:
    return [*(record(event) for event in events), state(cursor)]


def make_config(fake: RemoteFake, ledger: Path | str, **overrides: Any) -> dict[str, Any]:
    """A destination config aimed at the fake, with fast retries and a test ledger."""
    on_conflict = overrides.pop("on_conflict", "skip")
    rule_yaml = RULE_TEMPLATE.format(on_conflict=on_conflict)
    config: dict[str, Any] = {
        "environment": {"environment": "custom", "base_url": fake.base_url},
        "api_token": FULL_TOKEN,
        "rule": {"rule_source": "yaml", "rule_yaml": rule_yaml},
        "ledger_path": str(ledger),
        "request_timeout_seconds": 2,
        "retry_backoff_seconds": 0.01,
    }
    config.update(overrides)
    return config


def outcomes_of(ledger_path: Path) -> list[dict[str, object]]:
    """Every outcome row stored in the ledger at ``ledger_path``, oldest first."""
    with Ledger(ledger_path) as ledger:
        return ledger.outcomes()


def write_catalog(path: Path) -> Path:
    """The configured catalog of ``catalog()`` as the JSON file ``write --catalog`` reads."""
    path.write_text(json.dumps(ConfiguredAirbyteCatalogSerializer.dump(catalog())), "utf-8")
    return path
