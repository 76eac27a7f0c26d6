"""Fixtures for the source tests: a Harvest fake per test and helpers to run the source."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from airbyte_cdk.models import AirbyteStateMessage, SyncMode
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import EntrypointOutput, read

from integration_tests.fakes.harvest import HarvestFake
from source_greenhouse_hires import SourceGreenhouseHires
from tests.source import harvest_data


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRBYTE_OFFLINE_MODE", "1")
    monkeypatch.setenv("DO_NOT_TRACK", "1")


@dataclass
class Harvest:
    fake: HarvestFake

    def config(self, **overrides: Any) -> dict[str, Any]:
        return {
            "client_id": harvest_data.CLIENT_ID,
            "client_secret": harvest_data.CLIENT_SECRET,
            "api_url": self.fake.base_url,
            "token_url": self.fake.token_url,
            "consistency_lag_minutes": 0,
            **overrides,
        }

    def read(
        self,
        config: dict[str, Any],
        streams: tuple[str, ...] = ("offers", "hires"),
        state: list[AirbyteStateMessage] | None = None,
    ) -> EntrypointOutput:
        builder = CatalogBuilder()
        for name in streams:
            builder = builder.with_stream(name, SyncMode.incremental)
        catalog = builder.build()
        source = SourceGreenhouseHires(config=config, catalog=catalog, state=state)
        return read(source, config, catalog, state)

    def check(self, config: dict[str, Any]) -> Any:
        return SourceGreenhouseHires(config=config).check(logging.getLogger("test"), config)


@pytest.fixture
def harvest_with(request: pytest.FixtureRequest) -> Iterator[Any]:
    """Start a fake for a tenant: ``harvest_with(tenant, rate_limit=..., ...)``."""
    started: list[HarvestFake] = []

    def start(tenant: dict[str, Any], **options: Any) -> Harvest:
        options.setdefault("rate_limit", 10_000)
        fake = HarvestFake(tenant, **options).start()
        started.append(fake)
        return Harvest(fake)

    yield start
    for fake in started:
        fake.stop()


def records_of(output: EntrypointOutput, stream: str) -> list[dict[str, Any]]:
    return [
        dict(message.record.data)
        for message in output.records
        if message.record is not None and message.record.stream == stream
    ]


def final_state(output: EntrypointOutput, stream: str) -> dict[str, Any]:
    states = [
        message.state.stream.stream_state.__dict__
        for message in output.state_messages
        if message.state is not None
        and message.state.stream is not None
        and message.state.stream.stream_descriptor.name == stream
    ]
    return states[-1] if states else {}
