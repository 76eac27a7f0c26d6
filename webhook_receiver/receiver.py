"""Putting the receiver together from its settings: inbox, Harvest look-ups, Onboarder, app."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette

import hire_events
from destination_remote_onboarding.errors import ConfigError as OnboardingConfigError
from destination_remote_onboarding.errors import ConflictPolicyError
from destination_remote_onboarding.onboarding import Onboarder
from destination_remote_onboarding.outcomes import Outcome
from source_greenhouse_hires.harvest_client import HarvestClient, RetryPolicy
from webhook_receiver.app import create_app
from webhook_receiver.config import HarvestSettings, ReceiverSettings
from webhook_receiver.enrichment import HarvestRecords, OfferEnricher
from webhook_receiver.errors import ReceiverConfigError
from webhook_receiver.inbox import Inbox
from webhook_receiver.worker import UNHIRE_REASON, InboxWorker, Onboarding, UnhireRecorder

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Receiver:
    """The parts of a running receiver, for ``hires serve`` and for tests."""

    app: Starlette
    inbox: Inbox
    worker: InboxWorker


def build_receiver(
    settings: ReceiverSettings,
    *,
    onboarding: Onboarding | None = None,
    harvest: HarvestRecords | None = None,
) -> Receiver:
    """Wire the app; ``onboarding`` and ``harvest`` default to the real ones from settings."""
    inbox = Inbox(settings.inbox_path)
    record_unhire: UnhireRecorder | None = None
    if onboarding is None:
        session = OnboarderSession(settings.destination)
        onboarding, record_unhire = session, session.record_unhire
    harvest = harvest or harvest_client_of(settings.harvest)
    if harvest is None:
        logger.warning("no 'harvest' config: offer_created deliveries will fail until it is set")
    worker = InboxWorker(
        inbox,
        onboarding,
        enricher=OfferEnricher(harvest) if harvest is not None else None,
        settings=settings.worker,
        record_unhire=record_unhire,
    )
    app = create_app(
        webhook_secret=settings.webhook_secret,
        inbox=inbox,
        worker=worker,
        max_body_bytes=settings.max_body_bytes,
    )
    return Receiver(app=app, inbox=inbox, worker=worker)


class OnboarderSession:
    """One ``Onboarder`` serving many worker rounds, renewed when it must or grows large.

    An ``Onboarder`` is built for one sync: after a conflict under ``on_conflict: fail`` it
    refuses every later batch, and it keeps every outcome in memory. A server runs for weeks, so
    the session starts a fresh one (a new ledger sync id) in both cases.
    """

    def __init__(self, destination: Mapping[str, Any], renew_after: int = 10_000) -> None:
        self._destination = dict(destination)
        self._renew_after = renew_after
        self._onboarder = self._build()

    def _build(self) -> Onboarder:
        try:
            return Onboarder.from_config(self._destination)
        except OnboardingConfigError as error:
            raise ReceiverConfigError(f"config 'destination': {error}") from error

    def _renew(self) -> None:
        self._onboarder.close()
        self._onboarder = self._build()

    def process(self, events: list[dict[str, Any]]) -> list[Outcome]:
        """Outcomes of the events; after a policy stop, only those reached before it."""
        if len(self._onboarder.outcomes) >= self._renew_after:
            self._renew()
        onboarder = self._onboarder
        before = len(onboarder.outcomes)
        try:
            return onboarder.process(events)
        except ConflictPolicyError as error:
            # The conflict itself is recorded; events after it get no outcome and are retried.
            logger.error("onboarding stopped by the rule: %s", error)
            reached = onboarder.outcomes[before:]
            self._renew()
            return reached

    def record_unhire(self, application_id: int) -> None:
        """Write the unhire as a ``skipped`` outcome into the same ledger."""
        onboarder = self._onboarder
        outcome = Outcome(
            event_id=hire_events.event_id("candidate_hired", application_id),
            outcome="skipped",
            reason=UNHIRE_REASON,
            application_id=application_id,
            trigger="candidate_hired",
            customer=onboarder.rule.customer,
        )
        onboarder.ledger.record(onboarder.sync_id, [outcome])

    def close(self) -> None:
        self._onboarder.close()


def harvest_client_of(
    settings: HarvestSettings | None, *, retry: RetryPolicy | None = None
) -> HarvestClient | None:
    """The Harvest v3 client of the config's ``harvest`` section, or None without one."""
    if settings is None:
        return None
    return HarvestClient(
        settings.api_url,
        settings.token_url,
        settings.client_id,
        settings.client_secret,
        settings.user_id,
        retry=retry,
    )
