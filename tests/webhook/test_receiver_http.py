"""Real HTTP deliveries to the receiver served by uvicorn on 127.0.0.1."""

from __future__ import annotations

import logging
import socket
from pathlib import Path
from typing import Any

import pytest
import requests

from integration_tests.fakes.harvest import HarvestFake
from tests.webhook.conftest import RecordingOnboarding, wait_until
from tests.webhook.deliveries import (
    SECRET,
    encode,
    fixture,
    hire_document,
    offer_document,
    post,
)
from webhook_receiver.errors import InboxUnavailableError
from webhook_receiver.inbox import Inbox, Stored
from webhook_receiver.normaliser import DeliveryKeys
from webhook_receiver.signature import sign
from webhook_receiver.worker import UNHIRE_REASON

VECTOR = fixture("webhook-signature-test-vector.json")


def test_a_signed_hire_is_stored_answered_200_and_onboarded(
    serve_receiver: Any, onboarding: RecordingOnboarding
) -> None:
    with serve_receiver() as (server, inbox, _):
        response = post(server.url, encode(hire_document(501)), "evt-501")
        assert (response.status_code, response.text) == (200, "ok")
        assert wait_until(lambda: inbox.counts() == {"done": 1})
    [event] = onboarding.events
    assert (event["event_id"], event["origin"]) == ("candidate_hired:501", "webhook")
    [delivery] = inbox.recent()
    assert (delivery.outcome, delivery.employment_id) == ("created", "emp-501")


def test_forged_tampered_and_unsigned_deliveries_get_401_and_nothing_is_stored(
    serve_receiver: Any,
) -> None:
    body = encode(hire_document(502))
    tampered = body.replace(b"502", b"503")
    with serve_receiver(worker=False) as (server, inbox, _):
        forged = post(server.url, body, "evt-a", signature=sign(body, "not-the-secret"))
        altered = post(server.url, tampered, "evt-b", signature=sign(body, SECRET))
        unsigned = post(server.url, body, "evt-c", signature=None)
        garbled = post(server.url, body, "evt-d", signature="sha256 not-hex")
        statuses = [r.status_code for r in (forged, altered, unsigned, garbled)]
        assert statuses == [401, 401, 401, 401]
        assert inbox.counts() == {}


def test_a_refused_delivery_without_an_event_id_is_logged_as_such(
    serve_receiver: Any, caplog: pytest.LogCaptureFixture
) -> None:
    body = encode(hire_document(504))
    with (
        caplog.at_level(logging.WARNING, logger="webhook_receiver.app"),
        serve_receiver(worker=False, max_body_bytes=64) as (server, inbox, _),
    ):
        garbled = post(server.url, b"{}", None, signature="sha256 not-hex")
        too_large = post(server.url, body, None)
        assert (garbled.status_code, too_large.status_code) == (401, 413)
        assert inbox.counts() == {}
    refusals = [r.getMessage() for r in caplog.records if r.name == "webhook_receiver.app"]
    assert refusals == [
        "delivery without Greenhouse-Event-ID refused: signature malformed",
        "delivery without Greenhouse-Event-ID refused: body over 64 bytes",
    ]


def test_the_fixture_test_vector_is_accepted_and_its_reserialised_body_refused(
    serve_receiver: Any,
) -> None:
    raw = VECTOR["raw_body"].encode("utf-8")
    reserialised = VECTOR["reserialized_body_python_json_dumps"].encode("utf-8")
    header = VECTOR["signature_header"]
    with serve_receiver(worker=False, secret=VECTOR["secret"]) as (server, inbox, _):
        refused = post(server.url, reserialised, "evt-json", signature=header)
        accepted = post(server.url, raw, "evt-raw", signature=header)
        assert (refused.status_code, accepted.status_code) == (401, 200)
        [delivery] = inbox.recent()
    assert delivery.greenhouse_event_id == "evt-raw"
    assert delivery.body == raw  # kept byte for byte, escapes included


def test_an_oversized_body_gets_413_whether_declared_or_streamed(serve_receiver: Any) -> None:
    body = encode({"action": "ping", "payload": {"pad": "x" * 2048}})

    def chunks() -> Any:
        yield body[:1000]
        yield body[1000:]

    with serve_receiver(worker=False, max_body_bytes=1024) as (server, inbox, _):
        declared = post(server.url, body, "evt-big", signature=sign(body, SECRET))
        streamed = requests.post(
            f"{server.url}/webhooks/greenhouse",
            data=chunks(),  # no Content-Length: chunked transfer encoding
            headers={"Greenhouse-Event-ID": "evt-big-2", "Signature": sign(body, SECRET)},
            timeout=10,
        )
        assert (declared.status_code, streamed.status_code) == (413, 413)
        assert inbox.counts() == {}


def test_a_lying_content_length_is_not_trusted(serve_receiver: Any) -> None:
    body = encode({"action": "ping", "payload": {"pad": "x" * 2048}})
    with serve_receiver(worker=False, max_body_bytes=1024) as (server, inbox, _):
        request = (
            (
                f"POST /webhooks/greenhouse HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Content-Length: 100\r\nSignature: {sign(body, SECRET)}\r\n"
                "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                f"{len(body):x}\r\n"
            ).encode()
            + body
            + b"\r\n0\r\n\r\n"
        )
        with socket.create_connection((server.host, server.port), timeout=10) as connection:
            connection.sendall(request)
            answer = connection.recv(1024)
        assert answer.split(b"\r\n", 1)[0].split(b" ")[1] in (b"400", b"413")
        assert inbox.counts() == {}


def test_ping_and_other_actions_are_answered_200_and_not_processed(
    serve_receiver: Any, onboarding: RecordingOnboarding
) -> None:
    with serve_receiver() as (server, inbox, _):
        ping = post(server.url, encode(fixture("webhook-ping.json")), "evt-ping")
        other = post(
            server.url, encode(fixture("webhook-offer-updated-deprecated.json")), "evt-upd"
        )
        assert (ping.status_code, other.status_code) == (200, 200)
        assert inbox.counts() == {"done": 1, "ignored": 1}
    assert onboarding.events == []


def test_duplicates_by_event_id_and_by_business_key_are_processed_once(
    serve_receiver: Any, onboarding: RecordingOnboarding
) -> None:
    hire = encode(hire_document(510))
    with serve_receiver() as (server, inbox, _):
        answers = [
            post(server.url, hire, "evt-510"),
            post(server.url, hire, "evt-510"),  # Greenhouse retry, same event id
            post(server.url, hire, "evt-510-resent"),  # same hire, another event id
        ]
        assert [a.status_code for a in answers] == [200, 200, 200]
        assert wait_until(lambda: inbox.counts() == {"done": 1, "duplicate": 1})
    assert [event["event_id"] for event in onboarding.events] == ["candidate_hired:510"]


def test_an_older_offer_version_never_overrides_a_newer_one(
    serve_receiver: Any, onboarding: RecordingOnboarding, harvest: HarvestFake
) -> None:
    application_id = 90214001
    with serve_receiver(harvest=harvest) as (server, inbox, _):
        post(server.url, encode(offer_document(7002, application_id, 2)), "evt-v2")
        post(server.url, encode(offer_document(7001, application_id, 1)), "evt-v1")
        post(server.url, encode(offer_document(7002, application_id, 2)), "evt-v2-again")
        assert wait_until(lambda: inbox.counts().get("done") == 1)
        assert inbox.counts() == {"done": 1, "superseded": 1, "duplicate": 1}
    assert [event["offer"]["version"] for event in onboarding.events] == [2]


def test_deliveries_stored_before_a_crash_are_processed_after_restart(
    serve_receiver: Any, onboarding: RecordingOnboarding, inbox_path: Path
) -> None:
    with serve_receiver(worker=False) as (server, inbox, _):
        for application_id in (521, 522, 523):
            post(server.url, encode(hire_document(application_id)), f"evt-{application_id}")
        assert inbox.counts() == {"pending": 3}
    assert onboarding.events == []

    with serve_receiver(path=inbox_path) as (_, reopened, _):
        assert wait_until(lambda: reopened.counts() == {"done": 3})
    assert sorted(e["application_id"] for e in onboarding.events) == [521, 522, 523]


def test_offer_created_is_enriched_with_batched_harvest_lookups(
    serve_receiver: Any, onboarding: RecordingOnboarding, harvest: HarvestFake, inbox_path: Path
) -> None:
    application_ids = list(range(90214001, 90214061))  # 60: two batches of ≤ 50
    with serve_receiver(worker=False) as (server, _, _):
        for number, application_id in enumerate(application_ids):
            body = encode(offer_document(8000 + number, application_id, 1))
            assert post(server.url, body, f"evt-offer-{number}").status_code == 200

    with serve_receiver(harvest=harvest, path=inbox_path) as (_, inbox, _):
        assert wait_until(lambda: inbox.counts() == {"done": 60})

    assert harvest.request_count("GET", "/v3/applications") == 2
    assert harvest.request_count("GET", "/v3/candidates") == 2
    assert harvest.request_count("GET", "/v3/jobs") == 1
    event = next(e for e in onboarding.events if e["application_id"] == 90214001)
    assert event["candidate_id"] == 91214001
    assert event["candidate"]["email_addresses"][0]["value"] == "hire90214001@example.test"
    assert event["flags"] == []


def test_repeated_lookups_come_from_the_cache(
    serve_receiver: Any, onboarding: RecordingOnboarding, harvest: HarvestFake
) -> None:
    with serve_receiver(harvest=harvest) as (server, inbox, _):
        post(server.url, encode(offer_document(9001, 90214001, 1)), "evt-1")
        assert wait_until(lambda: inbox.counts() == {"done": 1})
        post(server.url, encode(offer_document(9002, 90214001, 2)), "evt-2")
        assert wait_until(lambda: inbox.counts() == {"done": 2})
    assert harvest.request_count("GET", "/v3/applications") == 1
    assert [e["offer"]["version"] for e in onboarding.events] == [1, 2]


def test_hire_candidate_needs_no_harvest_call(
    serve_receiver: Any, onboarding: RecordingOnboarding, harvest: HarvestFake
) -> None:
    with serve_receiver(harvest=harvest) as (server, inbox, _):
        post(server.url, encode(hire_document(530)), "evt-530")
        assert wait_until(lambda: inbox.counts() == {"done": 1})
    assert harvest.request_count() == 0
    assert onboarding.events[0]["candidate"]["email_addresses"][0]["value"] == (
        "hire530@example.test"
    )


def test_unhire_is_recorded_as_skipped_and_nothing_is_sent(
    serve_receiver: Any, onboarding: RecordingOnboarding
) -> None:
    document = hire_document(540)
    document["action"] = "unhire_candidate"
    with serve_receiver() as (server, inbox, _):
        post(server.url, encode(document), "evt-unhire")
        assert wait_until(lambda: inbox.counts() == {"done": 1})
        [delivery] = inbox.recent()
    assert (delivery.outcome, delivery.reason) == ("skipped", UNHIRE_REASON)
    assert onboarding.events == []


def test_a_transient_failure_is_retried_from_the_inbox(
    serve_receiver: Any, onboarding: RecordingOnboarding
) -> None:
    onboarding.failures_left = 1
    with serve_receiver() as (server, inbox, _):
        post(server.url, encode(hire_document(550)), "evt-550")
        assert wait_until(lambda: inbox.counts() == {"done": 1})
        [delivery] = inbox.recent()
    assert delivery.attempts == 2  # the failed one and the one that succeeded
    assert [event["application_id"] for event in onboarding.events] == [550]


def test_after_the_last_attempt_the_delivery_is_failed_with_its_reason_and_replayable(
    serve_receiver: Any, onboarding: RecordingOnboarding
) -> None:
    onboarding.failures_left = 3  # FAST_WORKER allows 3 attempts
    with serve_receiver() as (server, inbox, worker):
        post(server.url, encode(hire_document(560)), "evt-560")
        assert wait_until(lambda: inbox.counts() == {"failed": 1})
        [failed] = inbox.recent()
        assert failed.reason is not None
        assert "gave up after 3 attempts" in failed.reason
        assert "Remote did not answer" in failed.reason
        assert inbox.replay() == 1
        worker.wake()
        assert wait_until(lambda: inbox.counts() == {"done": 1})
    assert [event["application_id"] for event in onboarding.events] == [560]


class BrokenInbox(Inbox):
    def store(self, greenhouse_event_id: str, body: bytes, keys: DeliveryKeys) -> Stored:
        raise InboxUnavailableError("disk full (simulated)")


def test_a_delivery_that_cannot_be_stored_is_not_acknowledged(
    serve_receiver: Any, inbox_path: Path
) -> None:
    with serve_receiver(worker=False, inbox=BrokenInbox(inbox_path)) as (server, _, _):
        response = post(server.url, encode(hire_document(570)), "evt-570")
    assert response.status_code == 503


def test_a_malformed_but_signed_body_is_kept_as_failed_and_acknowledged(
    serve_receiver: Any,
) -> None:
    with serve_receiver() as (server, inbox, _):
        response = post(server.url, b'{"action": "hire_candidate", "payload": {}}', "evt-bad")
        [delivery] = inbox.recent()
    assert response.status_code == 200
    assert delivery.status == "failed"
    assert delivery.reason is not None and "payload.application" in delivery.reason


def test_a_delivery_without_event_id_is_keyed_by_its_body_hash(serve_receiver: Any) -> None:
    body = encode(hire_document(580))
    with serve_receiver(worker=False) as (server, inbox, _):
        first = post(server.url, body, None)
        again = post(server.url, body, None)
        [delivery] = inbox.recent()
    assert (first.status_code, again.status_code) == (200, 200)
    assert delivery.greenhouse_event_id.startswith("body-sha256:")


def test_health_shows_inbox_counts(serve_receiver: Any) -> None:
    with serve_receiver(worker=False) as (server, _, _):
        post(server.url, encode(hire_document(590)), "evt-590")
        health = requests.get(f"{server.url}/healthz", timeout=10).json()
    assert health == {"status": "ok", "inbox": {"pending": 1}}
