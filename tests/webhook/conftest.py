"""Shared fixtures: a receiver served by uvicorn on 127.0.0.1 with a recording onboarding."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from destination_remote_onboarding.outcomes import Outcome
from integration_tests.fakes.harvest import HarvestFake
from source_greenhouse_hires.harvest_client import HarvestClient
from tests.webhook.deliveries import (
    HARVEST_CLIENT_ID,
    HARVEST_CLIENT_SECRET,
    SECRET,
    SITE_ADMIN_ID,
    harvest_dataset,
)
from webhook_receiver.app import create_app
from webhook_receiver.config import WorkerSettings
from webhook_receiver.enrichment import OfferEnricher
from webhook_receiver.inbox import Inbox
from webhook_receiver.server import RunningServer, serve_in_thread
from webhook_receiver.worker import InboxWorker

FAST_WORKER = WorkerSettings(
    batch_size=200, max_attempts=3, backoff_seconds=0.05, max_backoff_seconds=0.2,
    poll_seconds=0.05,
)  # fmt: skip


class RecordingOnboarding:
    """Stands in for ``Onboarder``: records every event and answers ``created``."""

    def __init__(self) -> None:
        self.batches: list[list[dict[str, Any]]] = []
        self.failures_left = 0
        self._lock = threading.Lock()

    @property
    def events(self) -> list[dict[str, Any]]:
        with self._lock:
            return [event for batch in self.batches for event in batch]

    def process(self, events: list[dict[str, Any]]) -> Sequence[Outcome]:
        with self._lock:
            if self.failures_left:
                self.failures_left -= 1
                raise ConnectionError("Remote did not answer (simulated)")
            self.batches.append(list(events))
        return [
            Outcome(
                event_id=event["event_id"],
                outcome="created",
                reason="created by the test double",
                application_id=event["application_id"],
                trigger=event["trigger"],
                employment_id=f"emp-{event['application_id']}",
            )
            for event in events
        ]


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Poll ``condition`` every 20 ms until true or until ``timeout``; returns the last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


@pytest.fixture
def inbox_path(tmp_path: Path) -> Path:
    return tmp_path / "inbox.sqlite"


@pytest.fixture
def onboarding() -> RecordingOnboarding:
    return RecordingOnboarding()


@pytest.fixture
def harvest() -> Iterator[HarvestFake]:
    with HarvestFake(harvest_dataset(list(range(90214001, 90214121))), rate_limit=None) as fake:
        yield fake


def harvest_client(fake: HarvestFake) -> HarvestClient:
    return HarvestClient(
        fake.base_url, fake.token_url, HARVEST_CLIENT_ID, HARVEST_CLIENT_SECRET, SITE_ADMIN_ID
    )


ServeReceiver = Callable[..., Any]


@pytest.fixture
def serve_receiver(inbox_path: Path, onboarding: RecordingOnboarding) -> Callable[..., Any]:
    """``with serve_receiver(harvest=fake, worker=True) as (server, inbox, worker): ...``"""

    @contextmanager
    def serve(
        *,
        harvest: HarvestFake | None = None,
        worker: bool = True,
        sink: Any = None,
        max_body_bytes: int = 1024 * 1024,
        path: Path | None = None,
        secret: str = SECRET,
        inbox: Inbox | None = None,
    ) -> Iterator[tuple[RunningServer, Inbox, InboxWorker]]:
        inbox = inbox or Inbox(path or inbox_path)
        enricher = OfferEnricher(harvest_client(harvest)) if harvest is not None else None
        inbox_worker = InboxWorker(
            inbox, sink or onboarding, enricher=enricher, settings=FAST_WORKER
        )
        app = create_app(
            webhook_secret=secret,
            inbox=inbox,
            worker=inbox_worker if worker else None,
            max_body_bytes=max_body_bytes,
        )
        with serve_in_thread(app) as server:
            yield server, inbox, inbox_worker

    return serve
