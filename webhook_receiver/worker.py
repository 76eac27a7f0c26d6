"""The background worker: turns pending inbox deliveries into hire events and outcomes.

One round claims every due delivery (up to ``batch_size``), enriches all ``offer_created``
deliveries of the round with one Harvest look-up per resource, hands the events to the same
``Onboarder.process`` the pulled records go through, and records each delivery's result in the
inbox. A delivery that fails for a transient reason waits ``backoff · 2^attempts`` seconds and is
tried again, up to ``max_attempts``, then it is ``failed`` with the reason kept. Deliveries left
pending by a crash are simply due on the next start.

An outcome reached under the destination's ``dry_run`` leaves the delivery ``previewed``, not
``done``: nothing was written to Remote, so a later delivery of the same hire is processed for
real, and ``hires inbox replay --previewed`` sends the previewed ones again.

Every delivery a round picks up leaves it finished (``done``, ``previewed``, ``ignored``,
``failed``, ``superseded``) or rescheduled, so a round that finds work always changes the inbox;
a round that changes nothing (which would be a bug) waits with backoff instead of spinning.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Protocol

from webhook_receiver.config import WorkerSettings
from webhook_receiver.enrichment import OfferEnricher
from webhook_receiver.errors import DeliveryError
from webhook_receiver.inbox import Delivery, Inbox
from webhook_receiver.normaliser import (
    HIRE_CANDIDATE,
    OFFER_CREATED,
    PING,
    PROCESSED_ACTIONS,
    UNHIRE_CANDIDATE,
    OfferLookup,
    hired_event_from_webhook,
    offer_event_from_webhook,
    payload_of,
    read_keys,
)

logger = logging.getLogger(__name__)

UNHIRE_REASON: Final = "candidate unhired in Greenhouse; Remote employment left untouched"
# Outcomes that may change on a later attempt; the destination already retried within its budget.
RETRYABLE_OUTCOMES: Final = frozenset({"failed"})


class OutcomeLike(Protocol):
    """The fields of ``destination_remote_onboarding.outcomes.Outcome`` the worker reads."""

    @property
    def event_id(self) -> str: ...
    @property
    def outcome(self) -> str: ...
    @property
    def reason(self) -> str: ...
    @property
    def employment_id(self) -> str | None: ...
    @property
    def dry_run(self) -> bool: ...


class Onboarding(Protocol):
    """``Onboarder``: hire events in, outcomes (durable in the ledger) out."""

    def process(self, events: list[dict[str, Any]]) -> Sequence[OutcomeLike]: ...


UnhireRecorder = Callable[[int], None]


@dataclass
class _Planned:
    delivery: Delivery
    event: dict[str, Any]


def hire_event_of(delivery: Delivery) -> dict[str, Any]:
    """The ``candidate_hired`` event of a ``hire_candidate`` delivery; no network.

    Raises ``DeliveryError`` naming the payload field that cannot be used.
    """
    return hired_event_from_webhook(payload_of(delivery.body), delivery.received_at)


def offer_event_of(delivery: Delivery, lookups: Mapping[int, OfferLookup]) -> dict[str, Any]:
    """The ``offer_created`` event of a delivery, given ``OfferEnricher.lookup`` results.

    Raises ``DeliveryError`` naming the payload field that cannot be used.
    """
    lookup = lookups[delivery.application_id or 0]
    return offer_event_from_webhook(payload_of(delivery.body), lookup, delivery.received_at)


class InboxWorker:
    """Processes the inbox in a background thread; ``run_once`` does one round synchronously."""

    def __init__(
        self,
        inbox: Inbox,
        onboarding: Onboarding,
        *,
        enricher: OfferEnricher | None,
        settings: WorkerSettings | None = None,
        record_unhire: UnhireRecorder | None = None,
    ) -> None:
        self.inbox = inbox
        self._onboarding = onboarding
        self._enricher = enricher
        self._settings = settings or WorkerSettings()
        self._record_unhire = record_unhire
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    # --- lifecycle --------------------------------------------------------------------------

    def start(self) -> None:
        """Start the thread; it first resumes whatever was stored but not processed."""
        if self._thread is not None:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="webhook-inbox-worker", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Let the current round finish, stop the thread, and close the onboarding's files."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        close = getattr(self._onboarding, "close", None)
        if callable(close):
            close()

    def wake(self) -> None:
        """Called after a delivery is stored, so it is processed without waiting for a poll."""
        self._wake.set()

    def _run(self) -> None:
        counts = self.inbox.counts()
        if counts.get("pending", 0):
            logger.info("pending deliveries resumed from the inbox: %s", counts["pending"])
        if counts.get("previewed", 0):
            logger.info(
                "deliveries only previewed under dry_run: %s; `hires inbox replay --previewed` "
                "processes them for real",
                counts["previewed"],
            )
        idle_rounds = 0
        while not self._stopping.is_set():
            try:
                changed = self.run_once()
            except Exception:
                # The inbox itself failed (disk, lock); the deliveries stay pending for later.
                idle_rounds += 1
                delay = self._stalled_wait(idle_rounds)
                logger.exception("worker round failed; retrying in %.1fs", delay)
                self._pause(delay)
                continue
            if changed:
                idle_rounds = 0
                continue
            idle_rounds += 1
            self._pause(self._idle_wait(idle_rounds))
        self.inbox.close()

    def _pause(self, seconds: float) -> None:
        self._wake.wait(seconds)
        self._wake.clear()

    def _idle_wait(self, idle_rounds: int) -> float:
        """Until the next delivery is due, but never spinning on one that stays due."""
        next_due = self.inbox.next_due_at()
        if next_due is None:
            return self._settings.poll_seconds
        until_due = next_due - time.time()
        if until_due > 0:
            return min(self._settings.poll_seconds, until_due)
        # Something is due yet the last round changed nothing: back off, never spin. Once is
        # a race (it fell due just after the round looked); twice in a row is worth a warning.
        delay = self._stalled_wait(idle_rounds)
        if idle_rounds > 1:
            logger.warning("due deliveries were not processed; next round in %.1fs", delay)
        return delay

    def _stalled_wait(self, idle_rounds: int) -> float:
        exponent = min(idle_rounds - 1, 16)
        return min(self._settings.max_backoff_seconds, self._settings.poll_seconds * 2**exponent)

    # --- one round --------------------------------------------------------------------------

    def run_once(self) -> int:
        """Process every due delivery once; returns how many were finished or rescheduled.

        A second delivery of an event id already in this round's batch is left due for the
        next round, so the count can be lower than the number picked up, but never 0 when
        something was due.
        """
        picked = self.inbox.due(self._settings.batch_size)
        if not picked:
            return 0
        results: Counter[str] = Counter()
        deliveries = self._screen(picked, results)
        planned = self._plan_hires(deliveries, results) + self._plan_offers(deliveries, results)
        for delivery in deliveries:
            if delivery.action == UNHIRE_CANDIDATE:
                self._unhire(delivery, results)
        self._onboard(planned, results)
        changed = sum(count for name, count in results.items() if name != "waiting")
        logger.info(
            "deliveries processed this round: %s (%s)",
            len(picked),
            ", ".join(f"{name}={count}" for name, count in sorted(results.items())),
        )
        return changed

    def _screen(self, picked: list[Delivery], results: Counter[str]) -> list[Delivery]:
        """Finish the deliveries no action handler takes; return the rest.

        A body that could not be read on arrival stays unreadable however often it is tried,
        and an action we do not act on (it can be replayed by id) needs no work.
        """
        kept = []
        for delivery in picked:
            problem = read_keys(delivery.body).problem
            if problem is not None:
                reason = f"failed on arrival: {problem}; replaying cannot help"
                self._fail(delivery, reason, results)
            elif delivery.action == PING:
                self.inbox.finish(delivery.id, "done", reason="ping acknowledged")
                results["done"] += 1
            elif delivery.action not in PROCESSED_ACTIONS:
                reason = f"action '{delivery.action}' is not one we act on"
                self.inbox.finish(delivery.id, "ignored", reason=reason)
                results["ignored"] += 1
            else:
                kept.append(delivery)
        return kept

    def _plan_hires(self, deliveries: list[Delivery], results: Counter[str]) -> list[_Planned]:
        planned = []
        for delivery in deliveries:
            if delivery.action != HIRE_CANDIDATE:
                continue
            try:
                event = hire_event_of(delivery)
            except DeliveryError as error:
                self._fail(delivery, f"delivery {delivery.greenhouse_event_id}: {error}", results)
                continue
            planned.append(_Planned(delivery, event))
        return planned

    def _plan_offers(self, deliveries: list[Delivery], results: Counter[str]) -> list[_Planned]:
        offers = [d for d in deliveries if d.action == OFFER_CREATED]
        current = []
        for delivery in offers:
            if self.inbox.is_offer_head(delivery):
                current.append(delivery)
            else:
                self.inbox.finish(
                    delivery.id,
                    "superseded",
                    reason="a newer offer version exists",
                    attempted=False,
                )
                results["superseded"] += 1
        if not current:
            return []
        if self._enricher is None:
            for delivery in current:
                reason = "offer_created needs Harvest look-ups; add the 'harvest' config section"
                self._fail(delivery, reason, results)
            return []
        try:
            lookups = self._enricher.lookup(d.application_id or 0 for d in current)
        except Exception as error:
            for delivery in current:
                self._retry(delivery, f"Harvest look-up failed: {error}", results)
            return []
        return self._offer_events(current, lookups, results)

    def _offer_events(
        self, current: list[Delivery], lookups: dict[int, Any], results: Counter[str]
    ) -> list[_Planned]:
        planned = []
        for delivery in current:
            try:
                event = offer_event_of(delivery, lookups)
            except DeliveryError as error:
                self._fail(delivery, f"delivery {delivery.greenhouse_event_id}: {error}", results)
                continue
            planned.append(_Planned(delivery, event))
        return planned

    def _unhire(self, delivery: Delivery, results: Counter[str]) -> None:
        if self._record_unhire is not None and delivery.application_id is not None:
            try:
                self._record_unhire(delivery.application_id)
            except Exception as error:
                self._retry(delivery, f"recording the unhire failed: {error}", results)
                return
        self.inbox.finish(delivery.id, "done", outcome="skipped", reason=UNHIRE_REASON)
        results["skipped"] += 1

    def _onboard(self, planned: list[_Planned], results: Counter[str]) -> None:
        # Outcomes are matched by event id, so one round sends each event id at most once;
        # a second delivery for the same event simply waits for the next round.
        batch: dict[str, _Planned] = {}
        for item in planned:
            if batch.setdefault(item.event["event_id"], item) is not item:
                results["waiting"] += 1
        if not batch:
            return
        try:
            outcomes = self._onboarding.process([item.event for item in batch.values()])
        except Exception as error:
            for item in batch.values():
                self._retry(item.delivery, f"onboarding failed: {error}", results)
            return
        by_event = {outcome.event_id: outcome for outcome in outcomes}
        for event_id, item in batch.items():
            self._record_outcome(item.delivery, event_id, by_event.get(event_id), results)

    def _record_outcome(
        self,
        delivery: Delivery,
        event_id: str,
        outcome: OutcomeLike | None,
        results: Counter[str],
    ) -> None:
        if outcome is None:
            self._retry(delivery, "the destination returned no outcome for this event", results)
            return
        if outcome.outcome in RETRYABLE_OUTCOMES:
            self._retry(delivery, outcome.reason, results)
            return
        self.inbox.finish(
            delivery.id,
            "previewed" if outcome.dry_run else "done",
            event_id=event_id,
            outcome=outcome.outcome,
            reason=outcome.reason,
            employment_id=outcome.employment_id,
        )
        results["previewed" if outcome.dry_run else outcome.outcome] += 1
        logger.debug(
            "delivery %s (%s) → %s", delivery.greenhouse_event_id, event_id, outcome.outcome
        )

    # --- failures ---------------------------------------------------------------------------

    def _retry(self, delivery: Delivery, reason: str, results: Counter[str]) -> None:
        attempt = delivery.attempts + 1
        if attempt >= self._settings.max_attempts:
            self._fail(delivery, f"gave up after {attempt} attempts: {reason}", results)
            return
        delay = min(
            self._settings.max_backoff_seconds,
            self._settings.backoff_seconds * 2**delivery.attempts,
        )
        self.inbox.retry_later(delivery.id, delay, reason)
        results["retrying"] += 1
        logger.warning(
            "delivery %s: attempt %s failed (%s); next try in %.1fs",
            delivery.greenhouse_event_id,
            attempt,
            reason,
            delay,
        )

    def _fail(self, delivery: Delivery, reason: str, results: Counter[str]) -> None:
        self.inbox.finish(delivery.id, "failed", reason=reason)
        results["failed"] += 1
        logger.error("delivery %s failed: %s", delivery.greenhouse_event_id, reason)
