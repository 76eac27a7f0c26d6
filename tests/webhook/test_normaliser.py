"""Webhook payloads (v1 shape) become hire events with v3 names, valid against the contract."""

from __future__ import annotations

import json

import jsonschema
import pytest

import hire_events
from tests.webhook.deliveries import encode, fixture
from webhook_receiver.errors import DeliveryError
from webhook_receiver.normaliser import (
    OfferLookup,
    hire_records_from_webhook,
    hired_event_from_webhook,
    offer_event_from_webhook,
    read_keys,
)

RECEIVED_AT = "2026-12-04T10:00:00.000Z"
SCHEMA = hire_events.hire_event_schema()


def v3_lookup() -> OfferLookup:
    return OfferLookup(
        application=fixture("application-v3-hired.json"),
        candidate=fixture("candidate-v3-several-emails.json"),
        job=fixture("job-v3.json"),
    )


def test_hire_candidate_becomes_a_valid_candidate_hired_event() -> None:
    payload = fixture("webhook-hire-candidate-docs-based.json")["payload"]
    event = hired_event_from_webhook(payload, RECEIVED_AT)
    jsonschema.validate(event, SCHEMA)
    assert event["event_id"] == "candidate_hired:46194062"
    assert event["origin"] == "webhook"
    assert event["candidate_id"] == 35897443
    assert event["occurred_at"] == "2014-11-20T22:49:14Z"
    assert event["flags"] == []


def test_hire_candidate_fields_get_v3_names() -> None:
    payload = fixture("webhook-hire-candidate-docs-based.json")["payload"]
    records = hire_records_from_webhook(payload)
    assert records.candidate is not None and records.job is not None
    assert records.offer is not None
    assert records.candidate["private"] is False and "is_private" not in records.candidate
    assert records.application["job_id"] == 323753 and "jobs" not in records.application
    assert records.application["source_id"] == 25
    assert records.job["department_id"] == 7 and records.job["office_ids"] == [13]
    assert records.offer["starts_on"] == "2015-01-23"
    assert records.offer["sent_on"] == "2014-11-10"  # the example's sent_at
    assert records.offer["opening_id"] == "1234-56"
    assert records.offer["status"] == "Accepted"


def test_hire_candidate_keeps_custom_field_values_as_given() -> None:
    payload = fixture("webhook-hire-candidate-boolean-false.json")["payload"]
    offer = hire_records_from_webhook(payload).offer
    assert offer is not None
    field = offer["custom_fields"]["send_new_hire_information_to_remote_for_onboarding"]
    assert field == {
        "name": "Send New Hire information to Remote for Onboarding",
        "type": "boolean",
        "value": False,
    }


def test_hire_candidate_drops_attachments_and_other_people() -> None:
    payload = fixture("webhook-hire-candidate-docs-based.json")["payload"]
    candidate = hire_records_from_webhook(payload).candidate
    assert candidate is not None
    for v1_only in ("attachments", "recruiter", "coordinator", "url", "is_private"):
        assert v1_only not in candidate


def test_offer_created_maps_v1_names_and_us_start_date() -> None:
    payload = fixture("webhook-offer-created-new-version-with-boolean.json")["payload"]
    event = offer_event_from_webhook(payload, v3_lookup(), RECEIVED_AT)
    jsonschema.validate(event, SCHEMA)
    offer = event["offer"]
    assert event["event_id"] == "offer_created:90214477"
    assert offer["status"] == "Created" and "offer_status" not in offer
    assert offer["starts_on"] == "2026-11-16" and "start_date" not in offer
    assert offer["candidate_id"] == 77341290
    assert offer["custom_fields"]["send_new_hire_information_to_remote_for_onboarding"] == {
        "name": "Send New Hire information to Remote for Onboarding",
        "type": "boolean",
        "value": True,
    }
    assert event["candidate"]["id"] == 77341290 and event["job"]["id"] == 4410032
    assert event["updated_at"] == RECEIVED_AT  # the payload carries no timestamp of its own


def test_offer_created_without_harvest_records_is_flagged() -> None:
    payload = fixture("webhook-offer-created-docs-based.json")["payload"]
    event = offer_event_from_webhook(payload, OfferLookup(None, None, None), RECEIVED_AT)
    assert event["flags"] == ["candidate_missing", "application_missing", "job_missing"]
    assert event["offer"]["starts_on"] == "2013-04-15"


@pytest.mark.parametrize("bad", ["13/45/2026", "next monday", "2026-02-30"])
def test_a_bad_start_date_names_the_field(bad: str) -> None:
    payload = dict(fixture("webhook-offer-created-docs-based.json")["payload"], start_date=bad)
    with pytest.raises(DeliveryError, match=r"payload\.start_date"):
        offer_event_from_webhook(payload, v3_lookup(), RECEIVED_AT)


def test_keys_name_the_business_identity_of_each_action() -> None:
    offer = read_keys(encode(fixture("webhook-offer-created-new-version-with-boolean.json")))
    hire = read_keys(encode(fixture("webhook-hire-candidate-docs-based.json")))
    ping = read_keys(encode(fixture("webhook-ping.json")))
    assert (offer.business_key, offer.application_id, offer.offer_version) == (
        "offer:48120931:2",
        90214477,
        2,
    )
    assert (hire.business_key, hire.application_id) == ("hire:46194062", 46194062)
    assert (ping.action, ping.business_key, ping.problem) == ("ping", None, None)


def test_a_ping_without_a_payload_has_no_problem() -> None:
    keys = read_keys(b'{"action":"ping"}')
    assert (keys.action, keys.business_key, keys.problem) == ("ping", None, None)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"not json", "not JSON"),
        (b"\xff\xfe", "not UTF-8"),
        (b"[1, 2]", "no string 'action'"),
        (json.dumps({"action": "offer_created", "payload": {"id": 1}}).encode(), "version"),
        (json.dumps({"action": "hire_candidate", "payload": {}}).encode(), "application"),
    ],
)
def test_unusable_bodies_are_described_not_raised(body: bytes, problem: str) -> None:
    keys = read_keys(body)
    assert keys.problem is not None and problem in keys.problem
