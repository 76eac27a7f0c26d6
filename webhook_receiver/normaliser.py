"""Greenhouse webhook payloads (classic v1 shape) turned into hire events with v3 field names.

Pure functions: no network, no clock. The Harvest look-ups an ``offer_created`` needs are done by
the caller and passed in, so pushed and pulled events for the same hire are the same value.
v1 → v3 renames follow the reference notes §8 and pitfall 16.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

import hire_events
from webhook_receiver.errors import DeliveryError

JsonDict = dict[str, Any]

OFFER_CREATED: Final = "offer_created"
HIRE_CANDIDATE: Final = "hire_candidate"
UNHIRE_CANDIDATE: Final = "unhire_candidate"
PING: Final = "ping"
PROCESSED_ACTIONS: Final = frozenset({OFFER_CREATED, HIRE_CANDIDATE, UNHIRE_CANDIDATE})

_US_DATE: Final = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO_DATE: Final = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True)
class DeliveryKeys:
    """What the inbox needs to know about a delivery before it is processed.

    ``problem`` is set when the body cannot be processed at all (not JSON, no action, a bad id).
    """

    action: str
    business_key: str | None = None
    application_id: int | None = None
    offer_id: int | None = None
    offer_version: int | None = None
    problem: str | None = None


@dataclass(frozen=True)
class OfferLookup:
    """The Harvest v3 records an ``offer_created`` delivery lacks, found by the caller."""

    application: Mapping[str, Any] | None
    candidate: Mapping[str, Any] | None
    job: Mapping[str, Any] | None


def read_keys(raw_body: bytes) -> DeliveryKeys:
    """The action and business key of a verified body; never raises."""
    try:
        # JSON over HTTP is UTF-8 (RFC 8259 §8.1); json.loads would also guess UTF-16/32.
        document = json.loads(raw_body.decode("utf-8"))
    except UnicodeDecodeError:
        return DeliveryKeys(action="unknown", problem="body is not UTF-8 text")
    except json.JSONDecodeError as error:
        return DeliveryKeys(action="unknown", problem=f"body is not JSON ({error.msg})")
    if not isinstance(document, dict) or not isinstance(document.get("action"), str):
        return DeliveryKeys(action="unknown", problem="body has no string 'action'")
    action: str = document["action"]
    if action not in PROCESSED_ACTIONS:
        # A ping or an action we ignore needs nothing from its payload, so none is required.
        return DeliveryKeys(action=action)
    try:
        return _keys_for(action, _payload(document))
    except DeliveryError as error:
        return DeliveryKeys(action=action, problem=str(error))


def _keys_for(action: str, payload: Mapping[str, Any]) -> DeliveryKeys:
    if action == OFFER_CREATED:
        offer_id = _required_int(payload, "id", "payload")
        version = _required_int(payload, "version", "payload")
        application_id = _required_int(payload, "application_id", "payload")
        return DeliveryKeys(
            action=action,
            business_key=f"offer:{offer_id}:{version}",
            application_id=application_id,
            offer_id=offer_id,
            offer_version=version,
        )
    application = _mapping(payload, "application", "payload")
    application_id = _required_int(application, "id", "payload.application")
    prefix = "hire" if action == HIRE_CANDIDATE else "unhire"
    return DeliveryKeys(
        action=action,
        business_key=f"{prefix}:{application_id}",
        application_id=application_id,
    )


def payload_of(raw_body: bytes) -> JsonDict:
    """The ``payload`` object of a body whose keys were already read successfully."""
    return _payload(json.loads(raw_body))


def _payload(document: Mapping[str, Any]) -> JsonDict:
    payload = document.get("payload")
    if not isinstance(payload, dict):
        raise DeliveryError("field 'payload' is missing or not an object")
    return payload


# --- offer_created ------------------------------------------------------------------------


def offer_from_webhook(payload: Mapping[str, Any]) -> JsonDict:
    """An ``offer_created`` payload as a Harvest v3 offer record (without candidate_id)."""
    return {
        "id": _required_int(payload, "id", "payload"),
        "version": _required_int(payload, "version", "payload"),
        "application_id": _required_int(payload, "application_id", "payload"),
        "job_id": _optional_int(payload, "job_id", "payload"),
        "status": payload.get("offer_status"),
        "sent_on": _calendar_date(payload.get("sent_on"), "payload.sent_on"),
        # offer_created sends the start date as MM/DD/YYYY (reference notes §5.5).
        "starts_on": _calendar_date(payload.get("start_date"), "payload.start_date"),
        "resolved_at": payload.get("resolved_at"),
        "created_at": payload.get("created_at"),
        "updated_at": payload.get("updated_at"),
        "custom_fields": _custom_fields(payload.get("custom_fields"), "payload.custom_fields"),
    }


def offer_event_from_webhook(
    payload: Mapping[str, Any], lookup: OfferLookup, received_at: str
) -> JsonDict:
    """The ``offer_created`` hire event for one delivery and its Harvest look-ups."""
    offer = offer_from_webhook(payload)
    application = lookup.application
    candidate_id = application.get("candidate_id") if application is not None else None
    offer["candidate_id"] = candidate_id if isinstance(candidate_id, int) else None
    if offer["job_id"] is None and application is not None:
        offer["job_id"] = application.get("job_id")
    event = hire_events.offer_event(
        offer,
        application=application,
        candidate=lookup.candidate,
        job=lookup.job,
        origin="webhook",
    )
    return _with_cursor(event, received_at)


# --- hire_candidate -----------------------------------------------------------------------


@dataclass(frozen=True)
class HireRecords:
    """The four v3-named records nested in one ``hire_candidate`` payload."""

    application: JsonDict
    candidate: JsonDict | None
    job: JsonDict | None
    offer: JsonDict | None


def hire_records_from_webhook(payload: Mapping[str, Any]) -> HireRecords:
    """Split a ``hire_candidate`` payload into v3-named application, candidate, job and offer."""
    nested = _mapping(payload, "application", "payload")
    candidate = _candidate_v3(nested.get("candidate"))
    job = _job_v3(_first_job(nested))
    application = _application_v3(nested, candidate, job)
    offer = _hire_offer_v3(nested.get("offer"), application, job, nested.get("opening"))
    return HireRecords(application=application, candidate=candidate, job=job, offer=offer)


def hired_event_from_webhook(payload: Mapping[str, Any], received_at: str) -> JsonDict:
    """The ``candidate_hired`` hire event for one ``hire_candidate`` delivery."""
    records = hire_records_from_webhook(payload)
    event = hire_events.hired_event(
        records.application,
        offer=records.offer,
        candidate=records.candidate,
        job=records.job,
        origin="webhook",
    )
    return _with_cursor(event, received_at)


def _application_v3(
    nested: Mapping[str, Any], candidate: JsonDict | None, job: JsonDict | None
) -> JsonDict:
    where = "payload.application"
    source = nested.get("source")
    recruiter = (nested.get("candidate") or {}).get("recruiter")
    return {
        "id": _required_int(nested, "id", where),
        "candidate_id": candidate["id"] if candidate is not None else None,
        "job_id": job["id"] if job is not None else None,
        "status": nested.get("status"),
        "prospect": nested.get("prospect"),
        "source_id": _optional_int(source, "id", f"{where}.source") if source else None,
        # v3 moved the recruiter from the candidate to the application (reference notes §2.4).
        "recruiter_id": (
            _optional_int(recruiter, "id", f"{where}.candidate.recruiter") if recruiter else None
        ),
        "created_at": nested.get("applied_at"),
        "updated_at": nested.get("updated_at"),
        "custom_fields": _custom_fields(nested.get("custom_fields"), f"{where}.custom_fields"),
    }


_CANDIDATE_COPIED: Final = (
    "first_name",
    "last_name",
    "title",
    "company",
    "can_email",
    "phone_numbers",
    "email_addresses",
    "addresses",
    "tags",
    "created_at",
    "updated_at",
)


def _candidate_v3(raw: object) -> JsonDict | None:
    if raw is None:
        return None
    where = "payload.application.candidate"
    if not isinstance(raw, Mapping):
        raise DeliveryError(f"field '{where}' is not an object")
    candidate: JsonDict = {"id": _required_int(raw, "id", where)}
    candidate.update({key: raw[key] for key in _CANDIDATE_COPIED if key in raw})
    candidate["private"] = raw.get("is_private", raw.get("private"))
    candidate["custom_fields"] = _custom_fields(raw.get("custom_fields"), f"{where}.custom_fields")
    return candidate


def _first_job(nested: Mapping[str, Any]) -> Mapping[str, Any] | None:
    jobs = nested.get("jobs")
    if isinstance(jobs, list) and jobs:
        first = jobs[0]
        return first if isinstance(first, Mapping) else None
    # The singular `job` is deprecated in webhooks but still sent by older integrations.
    job = nested.get("job")
    return job if isinstance(job, Mapping) else None


def _job_v3(raw: Mapping[str, Any] | None) -> JsonDict | None:
    if raw is None:
        return None
    where = "payload.application.jobs[0]"
    departments = [d for d in raw.get("departments") or [] if isinstance(d, Mapping)]
    offices = [o for o in raw.get("offices") or [] if isinstance(o, Mapping)]
    return {
        "id": _required_int(raw, "id", where),
        "name": raw.get("name"),
        "requisition_id": raw.get("requisition_id"),
        "confidential": raw.get("confidential"),
        "department_id": (
            _optional_int(departments[0], "id", f"{where}.departments[0]") if departments else None
        ),
        "office_ids": [
            _required_int(office, "id", f"{where}.offices[{index}]")
            for index, office in enumerate(offices)
        ],
        "opened_at": raw.get("opened_at", raw.get("open_date")),
        "closed_at": raw.get("closed_at", raw.get("close_date")),
        "custom_fields": _custom_fields(raw.get("custom_fields"), f"{where}.custom_fields"),
    }


def _hire_offer_v3(
    raw: object,
    application: Mapping[str, Any],
    job: Mapping[str, Any] | None,
    opening: object,
) -> JsonDict | None:
    if raw is None:
        return None
    where = "payload.application.offer"
    if not isinstance(raw, Mapping):
        raise DeliveryError(f"field '{where}' is not an object")
    # The hire example says sent_at, the attribute table sent_on: accept both (§5.6).
    sent = raw.get("sent_on", raw.get("sent_at"))
    sent_where = f"{where}.sent_on" if "sent_on" in raw else f"{where}.sent_at"
    return {
        "id": _optional_int(raw, "id", where),
        "version": _optional_int(raw, "version", where),
        "application_id": application["id"],
        "candidate_id": application["candidate_id"],
        "job_id": job["id"] if job is not None else None,
        "opening_id": opening.get("opening_id") if isinstance(opening, Mapping) else None,
        # hire_candidate fires when the offer is accepted (reference notes §5.4).
        "status": raw.get("status", "Accepted"),
        "sent_on": _calendar_date(sent, sent_where),
        "starts_on": _calendar_date(
            raw.get("starts_at", raw.get("starts_on")), f"{where}.starts_at"
        ),
        "resolved_at": raw.get("resolved_at"),
        "created_at": raw.get("created_at"),
        "updated_at": raw.get("updated_at"),
        "custom_fields": _custom_fields(raw.get("custom_fields"), f"{where}.custom_fields"),
    }


# --- shared field readers -----------------------------------------------------------------


def _with_cursor(event: JsonDict, received_at: str) -> JsonDict:
    # Webhook bodies carry no updated_at for the driving record; the moment Greenhouse told us
    # is the best cursor we have, and the schema requires one.
    if not event.get("updated_at"):
        event["updated_at"] = received_at
    return event


def _calendar_date(value: object, where: str) -> str | None:
    """A date as ``YYYY-MM-DD``, from ``MM/DD/YYYY`` or an ISO date (time part dropped)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise DeliveryError(f"field '{where}' is {value!r}; expected a date string")
    text = value.strip()
    us_match = _US_DATE.match(text)
    iso_match = _ISO_DATE.match(text)
    try:
        if us_match:
            month, day, year = (int(part) for part in us_match.groups())
            return date(year, month, day).isoformat()
        if iso_match:
            year, month, day = (int(part) for part in iso_match.groups())
            return date(year, month, day).isoformat()
    except ValueError:
        pass
    raise DeliveryError(f"field '{where}' is {value!r}; expected MM/DD/YYYY or YYYY-MM-DD")


def _custom_fields(raw: object, where: str) -> JsonDict | None:
    """Custom fields keyed by immutable key, each ``{name, type, value}`` kept as given."""
    if raw is None:
        return None
    if isinstance(raw, list) and not raw:
        return {}
    if not isinstance(raw, Mapping):
        raise DeliveryError(f"field '{where}' is not an object keyed by field key")
    fields: JsonDict = {}
    for key, entry in raw.items():
        if isinstance(entry, Mapping):
            fields[key] = {
                "name": entry.get("name"),
                "type": entry.get("type"),
                "value": entry.get("value"),
            }
        else:
            fields[key] = {"name": None, "type": None, "value": entry}
    return fields


def _mapping(record: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = record.get(key)
    if not isinstance(value, Mapping):
        raise DeliveryError(f"field '{where}.{key}' is missing or not an object")
    return value


def _required_int(record: Mapping[str, Any], key: str, where: str) -> int:
    value = _optional_int(record, key, where)
    if value is None:
        raise DeliveryError(f"field '{where}.{key}' is missing; expected an integer id")
    return value


def _optional_int(record: Mapping[str, Any], key: str, where: str) -> int | None:
    value = record.get(key)
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    raise DeliveryError(f"field '{where}.{key}' is {value!r}; expected an integer")
