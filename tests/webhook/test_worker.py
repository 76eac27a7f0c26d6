"""The worker finishes or reschedules every delivery it picks up, and never spins."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from destination_remote_onboarding.outcomes import Outcome
from tests.webhook.conftest import FAST_WORKER, RecordingOnboarding, wait_until
from tests.webhook.deliveries import encode, fixture, hire_document
from webhook_receiver.inbox import Delivery, Inbox
from webhook_receiver.normaliser import read_keys
from webhook_receiver.worker import InboxWorker

NOT_JSON = b"this is not JSON"


def store(inbox: Inbox, event_id: str, body: bytes) -> int:
    return inbox.store(event_id, body, read_keys(body)).delivery_id


def force_pending(inbox: Inbox, delivery_id: int) -> None:
    """What `hires inbox replay --failed` did before it refused unreadable bodies."""
    with sqlite3.connect(inbox.path) as connection:
        connection.execute(
            "UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = 0 "
            "WHERE id = ?",
            (delivery_id,),
        )


class CountingWorker(InboxWorker):
    """Remembers what each round of the background thread returned."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rounds: list[int] = []

    def run_once(self) -> int:
        changed = super().run_once()
        self.rounds.append(changed)
        return changed


def only(inbox: Inbox) -> Delivery:
    [delivery] = inbox.recent()
    return delivery


def test_a_pending_unreadable_body_is_failed_in_one_round_and_the_next_round_is_idle(
    tmp_path: Path,
) -> None:
    inbox = Inbox(tmp_path / "inbox.sqlite")
    force_pending(inbox, store(inbox, "evt-bad", NOT_JSON))
    worker = InboxWorker(inbox, RecordingOnboarding(), enricher=None, settings=FAST_WORKER)
    # Bounded: the old worker answered 1 for ever here and its thread never waited.
    rounds = [worker.run_once() for _ in range(3)]
    assert rounds == [1, 0, 0]
    delivery = only(inbox)
    assert delivery.status == "failed"
    assert delivery.reason == (
        "failed on arrival: body is not JSON (Expecting value); replaying cannot help"
    )


def test_the_worker_thread_settles_a_replayed_unreadable_body_and_then_waits(
    tmp_path: Path,
) -> None:
    inbox = Inbox(tmp_path / "inbox.sqlite")
    force_pending(inbox, store(inbox, "evt-bad", NOT_JSON))
    worker = CountingWorker(inbox, RecordingOnboarding(), enricher=None, settings=FAST_WORKER)
    rounds = worker.rounds
    worker.start()
    try:
        assert wait_until(lambda: inbox.counts() == {"failed": 1}, timeout=5)
        assert wait_until(lambda: len(rounds) >= 3, timeout=5)
    finally:
        worker.stop()
    # The old loop ran about 55 000 rounds a second here; an idle worker polls every 50 ms.
    assert rounds[0] == 1 and set(rounds[1:]) == {0}
    assert len(rounds) < 200


def test_ping_and_unknown_actions_made_pending_are_finished_not_left_pending(
    tmp_path: Path,
) -> None:
    inbox = Inbox(tmp_path / "inbox.sqlite")
    ping = store(inbox, "evt-ping", encode(fixture("webhook-ping.json")))
    update = store(inbox, "evt-upd", encode(fixture("webhook-offer-updated-deprecated.json")))
    for delivery_id in (ping, update):
        force_pending(inbox, delivery_id)
    worker = InboxWorker(inbox, RecordingOnboarding(), enricher=None, settings=FAST_WORKER)
    assert worker.run_once() == 2
    assert inbox.counts() == {"done": 1, "ignored": 1}
    assert worker.run_once() == 0


def test_two_deliveries_of_one_hire_in_a_round_take_two_rounds_and_one_send(
    tmp_path: Path,
) -> None:
    inbox = Inbox(tmp_path / "inbox.sqlite")
    store(inbox, "evt-1", encode(hire_document(7)))
    second = store(inbox, "evt-2", encode(hire_document(7)))
    force_pending(inbox, second)  # stored as a duplicate; replayed by id
    onboarding = RecordingOnboarding()
    worker = InboxWorker(inbox, onboarding, enricher=None, settings=FAST_WORKER)
    assert [worker.run_once() for _ in range(3)] == [1, 1, 0]
    assert inbox.counts() == {"done": 2}
    assert [len(batch) for batch in onboarding.batches] == [1, 1]


def test_a_stalled_round_backs_off_exponentially_up_to_the_maximum(tmp_path: Path) -> None:
    inbox = Inbox(tmp_path / "inbox.sqlite")
    store(inbox, "evt-1", encode(hire_document(8)))
    worker = InboxWorker(inbox, RecordingOnboarding(), enricher=None, settings=FAST_WORKER)
    # Something is due; if a round still changed nothing, the waits grow instead of being 0.
    waits = [worker._idle_wait(idle_rounds) for idle_rounds in (1, 2, 3, 4, 10)]
    assert waits == [0.05, 0.1, 0.2, 0.2, 0.2]


def test_an_idle_worker_waits_the_poll_interval_when_nothing_is_pending(tmp_path: Path) -> None:
    worker = InboxWorker(
        Inbox(tmp_path / "inbox.sqlite"),
        RecordingOnboarding(),
        enricher=None,
        settings=FAST_WORKER,
    )
    assert worker._idle_wait(5) == FAST_WORKER.poll_seconds


class DryRunOnboarding(RecordingOnboarding):
    """Answers like an ``Onboarder`` under ``dry_run``: every outcome is marked a dry run."""

    def process(self, events: list[dict[str, Any]]) -> Sequence[Outcome]:
        return [
            dataclasses.replace(outcome, reason="dry run: would create", dry_run=True)
            for outcome in super().process(events)
        ]


def test_a_dry_run_outcome_leaves_the_delivery_previewed_not_done(tmp_path: Path) -> None:
    inbox = Inbox(tmp_path / "inbox.sqlite")
    store(inbox, "evt-preview", encode(hire_document(9)))
    worker = InboxWorker(inbox, DryRunOnboarding(), enricher=None, settings=FAST_WORKER)
    assert worker.run_once() == 1
    delivery = only(inbox)
    assert (delivery.status, delivery.outcome, delivery.reason) == (
        "previewed",
        "created",
        "dry run: would create",
    )


def test_a_previewed_hire_does_not_make_a_later_delivery_of_it_a_duplicate(
    tmp_path: Path,
) -> None:
    inbox = Inbox(tmp_path / "inbox.sqlite")
    store(inbox, "evt-preview", encode(hire_document(9)))
    InboxWorker(inbox, DryRunOnboarding(), enricher=None, settings=FAST_WORKER).run_once()
    onboarding = RecordingOnboarding()
    store(inbox, "evt-real", encode(hire_document(9)))
    assert InboxWorker(inbox, onboarding, enricher=None, settings=FAST_WORKER).run_once() == 1
    assert inbox.counts() == {"previewed": 1, "done": 1}
    assert [event["event_id"] for event in onboarding.events] == ["candidate_hired:9"]


def test_replaying_previewed_deliveries_makes_only_them_pending(tmp_path: Path) -> None:
    inbox = Inbox(tmp_path / "inbox.sqlite")
    store(inbox, "evt-preview", encode(hire_document(9)))
    InboxWorker(inbox, DryRunOnboarding(), enricher=None, settings=FAST_WORKER).run_once()
    store(inbox, "evt-bad", NOT_JSON)
    assert inbox.replay(status="previewed") == 1
    assert [d.greenhouse_event_id for d in inbox.due(10)] == ["evt-preview"]
    assert inbox.counts() == {"pending": 1, "failed": 1}


def test_attempts_count_every_processing_attempt_including_the_last(tmp_path: Path) -> None:
    inbox = Inbox(tmp_path / "inbox.sqlite")
    store(inbox, "evt-1", encode(hire_document(10)))
    onboarding = RecordingOnboarding()
    onboarding.failures_left = 1
    worker = InboxWorker(inbox, onboarding, enricher=None, settings=FAST_WORKER)
    worker.run_once()
    assert (only(inbox).status, only(inbox).attempts) == ("pending", 1)
    assert wait_until(lambda: worker.run_once() == 1, timeout=5)
    assert (only(inbox).status, only(inbox).attempts) == ("done", 2)


def test_a_delivery_done_at_the_first_try_shows_one_attempt_and_a_duplicate_none(
    tmp_path: Path,
) -> None:
    inbox = Inbox(tmp_path / "inbox.sqlite")
    store(inbox, "evt-1", encode(hire_document(11)))
    store(inbox, "evt-2", encode(hire_document(11)))
    InboxWorker(inbox, RecordingOnboarding(), enricher=None, settings=FAST_WORKER).run_once()
    attempts = {d.greenhouse_event_id: (d.status, d.attempts) for d in inbox.recent()}
    assert attempts == {"evt-1": ("done", 1), "evt-2": ("duplicate", 0)}


def test_a_delivery_given_up_on_shows_max_attempts(tmp_path: Path) -> None:
    inbox = Inbox(tmp_path / "inbox.sqlite")
    store(inbox, "evt-1", encode(hire_document(12)))
    onboarding = RecordingOnboarding()
    onboarding.failures_left = FAST_WORKER.max_attempts
    worker = InboxWorker(inbox, onboarding, enricher=None, settings=FAST_WORKER)
    assert wait_until(lambda: worker.run_once() >= 0 and only(inbox).status == "failed")
    delivery = only(inbox)
    assert delivery.attempts == FAST_WORKER.max_attempts
    assert delivery.reason is not None
    assert delivery.reason.startswith(f"gave up after {FAST_WORKER.max_attempts} attempts")
