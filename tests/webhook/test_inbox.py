"""The inbox keeps each delivery once, tells duplicates and old offer versions apart."""

from __future__ import annotations

from pathlib import Path

from tests.webhook.deliveries import encode, fixture, hire_document, offer_document
from webhook_receiver.inbox import Inbox
from webhook_receiver.normaliser import read_keys


def store(inbox: Inbox, event_id: str, document: dict[str, object]) -> str:
    body = encode(document)
    return inbox.store(event_id, body, read_keys(body)).status


def test_the_same_event_id_is_stored_once(tmp_path: Path) -> None:
    inbox = Inbox(tmp_path / "inbox.sqlite")
    body = encode(hire_document(1))
    first = inbox.store("evt-1", body, read_keys(body))
    again = inbox.store("evt-1", body, read_keys(body))
    assert (first.new, again.new, again.delivery_id) == (True, False, first.delivery_id)
    assert inbox.counts() == {"pending": 1}


def test_same_offer_version_under_another_event_id_is_a_duplicate(tmp_path: Path) -> None:
    inbox = Inbox(tmp_path / "inbox.sqlite")
    assert store(inbox, "evt-1", offer_document(10, 1, 1)) == "pending"
    assert store(inbox, "evt-2", offer_document(10, 1, 1)) == "duplicate"
    assert store(inbox, "evt-3", hire_document(7)) == "pending"
    assert store(inbox, "evt-4", hire_document(7)) == "duplicate"


def test_an_older_offer_version_arriving_late_is_superseded(tmp_path: Path) -> None:
    inbox = Inbox(tmp_path / "inbox.sqlite")
    assert store(inbox, "evt-v2", offer_document(11, 1, 2)) == "pending"
    assert store(inbox, "evt-v1", offer_document(10, 1, 1)) == "superseded"
    assert [d.offer_version for d in inbox.due(10)] == [2]


def test_a_newer_offer_version_supersedes_a_waiting_older_one(tmp_path: Path) -> None:
    inbox = Inbox(tmp_path / "inbox.sqlite")
    store(inbox, "evt-v1", offer_document(10, 1, 1))
    store(inbox, "evt-v2", offer_document(11, 1, 2))
    statuses = {d.offer_version: d.status for d in inbox.recent()}
    assert statuses == {1: "superseded", 2: "pending"}


def test_ping_is_done_and_unknown_actions_are_ignored(tmp_path: Path) -> None:
    inbox = Inbox(tmp_path / "inbox.sqlite")
    assert store(inbox, "evt-ping", fixture("webhook-ping.json")) == "done"
    assert store(inbox, "evt-upd", fixture("webhook-offer-updated-deprecated.json")) == "ignored"
    assert inbox.due(10) == []


def test_a_body_that_cannot_be_processed_is_failed_with_its_reason(tmp_path: Path) -> None:
    inbox = Inbox(tmp_path / "inbox.sqlite")
    inbox.store("evt-bad", b"not json", read_keys(b"not json"))
    [delivery] = inbox.recent()
    assert delivery.status == "failed"
    assert delivery.reason is not None and "not JSON" in delivery.reason


def test_a_failed_business_key_does_not_block_a_later_copy(tmp_path: Path) -> None:
    inbox = Inbox(tmp_path / "inbox.sqlite")
    store(inbox, "evt-1", hire_document(5))
    [first] = inbox.due(10)
    inbox.finish(first.id, "failed", reason="gave up")
    assert store(inbox, "evt-2", hire_document(5)) == "pending"


def test_replay_makes_failed_deliveries_due_again(tmp_path: Path) -> None:
    inbox = Inbox(tmp_path / "inbox.sqlite")
    store(inbox, "evt-1", hire_document(5))
    store(inbox, "evt-2", hire_document(6))
    first, second = inbox.due(10)
    inbox.finish(first.id, "failed", reason="gave up")
    inbox.retry_later(second.id, 3600, "Remote down")
    inbox.finish(second.id, "failed", reason="gave up")
    assert inbox.due(10) == []
    assert inbox.replay([first.id]) == 1
    assert [d.id for d in inbox.due(10)] == [first.id]
    assert inbox.replay() == 1
    assert [d.attempts for d in inbox.due(10)] == [0, 0]


def test_a_stored_delivery_survives_reopening_the_file(tmp_path: Path) -> None:
    path = tmp_path / "inbox.sqlite"
    first = Inbox(path)
    store(first, "evt-1", hire_document(5))
    first.close()
    assert [d.greenhouse_event_id for d in Inbox(path).due(10)] == ["evt-1"]


def test_a_ping_is_done_whatever_its_payload(tmp_path: Path) -> None:
    inbox = Inbox(tmp_path / "inbox.sqlite")
    assert store(inbox, "evt-bare", {"action": "ping"}) == "done"
    assert store(inbox, "evt-text", {"action": "ping", "payload": "hello"}) == "done"
    reasons = {d.greenhouse_event_id: (d.status, d.reason) for d in inbox.recent()}
    assert reasons == {
        "evt-bare": ("done", "ping acknowledged"),
        "evt-text": ("done", "ping acknowledged"),
    }


def test_an_action_we_do_not_act_on_is_ignored_even_without_a_payload(tmp_path: Path) -> None:
    inbox = Inbox(tmp_path / "inbox.sqlite")
    assert store(inbox, "evt-other", {"action": "job_created"}) == "ignored"
    [delivery] = inbox.recent()
    assert delivery.reason == "action 'job_created' is not one we act on"


def test_purge_deletes_bodies_that_failed_on_arrival_and_keeps_replayable_failures(
    tmp_path: Path,
) -> None:
    inbox = Inbox(tmp_path / "inbox.sqlite")
    inbox.store("evt-bad", b"not json", read_keys(b"not json"))
    store(inbox, "evt-hire", hire_document(3))
    [hire] = inbox.due(10)
    inbox.finish(hire.id, "failed", reason="gave up after 6 attempts: Remote down")
    assert inbox.purge(1) == 0  # both received just now
    assert inbox.purge(0) == 1
    assert [d.greenhouse_event_id for d in inbox.recent()] == ["evt-hire"]
