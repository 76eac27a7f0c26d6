"""The hire event: the one record shape shared by the source, the webhook receiver, the rules
engine and the destination.

The JSON Schema in ``hire_event.schema.json`` is the contract. This module loads it, and holds
the two builders that every producer uses so that a pulled event and a pushed event for the same
hire are the same value.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any, Final, Literal

TRIGGERS: Final = ("offer_created", "candidate_hired")
Trigger = Literal["offer_created", "candidate_hired"]
Origin = Literal["harvest_v3", "webhook"]
EXTERNAL_ID_PREFIX: Final = "greenhouse-application-"

JsonDict = dict[str, Any]


@cache
def _raw_schema() -> JsonDict:
    text = resources.files(__package__).joinpath("hire_event.schema.json").read_text("utf-8")
    schema: JsonDict = json.loads(text)
    return schema


def hire_event_schema() -> JsonDict:
    """The hire event JSON Schema with every local ``$ref`` inlined, as Airbyte catalogs need."""
    schema = copy.deepcopy(_raw_schema())
    definitions = schema.pop("definitions")

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/definitions/"):
                return inline(copy.deepcopy(definitions[ref.rsplit("/", 1)[1]]))
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(item) for item in node]
        return node

    inlined: JsonDict = inline(schema)
    return inlined


def event_id(trigger: str, application_id: int) -> str:
    return f"{trigger}:{application_id}"


def external_id_for(application_id: int) -> str:
    """The Remote ``external_id`` we give an employment we create: it names the application."""
    return f"{EXTERNAL_ID_PREFIX}{application_id}"


def application_id_from_external_id(external_id: object) -> int | None:
    """The application an ``external_id`` of ours names, or None when it is not ours."""
    if not isinstance(external_id, str) or not external_id.startswith(EXTERNAL_ID_PREFIX):
        return None
    digits = external_id[len(EXTERNAL_ID_PREFIX) :]
    return int(digits) if digits.isdigit() else None


def _candidate_flags(candidate: Mapping[str, Any] | None) -> list[str]:
    if candidate is None:
        return ["candidate_missing"]
    flags = []
    if candidate.get("private"):
        flags.append("candidate_private")
    # A private candidate the token may not fully see comes back as a reduced stub.
    if not {"first_name", "last_name", "email_addresses"} <= candidate.keys():
        flags.append("candidate_partial")
    return flags


def offer_event(
    offer: Mapping[str, Any],
    *,
    application: Mapping[str, Any] | None,
    candidate: Mapping[str, Any] | None,
    job: Mapping[str, Any] | None,
    origin: Origin,
) -> JsonDict:
    """An ``offer_created`` event for the current version of one offer."""
    application_id = int(offer["application_id"])
    flags = _candidate_flags(candidate)
    if application is None:
        flags.append("application_missing")
    if job is None:
        flags.append("job_missing")
    return {
        "event_id": event_id("offer_created", application_id),
        "trigger": "offer_created",
        "application_id": application_id,
        "candidate_id": _candidate_id(offer, application, candidate),
        "updated_at": offer.get("updated_at") or offer.get("created_at"),
        "occurred_at": offer.get("created_at"),
        "origin": origin,
        "flags": flags,
        "offer": dict(offer),
        "application": dict(application) if application is not None else None,
        "candidate": dict(candidate) if candidate is not None else None,
        "job": dict(job) if job is not None else None,
    }


def hired_event(
    application: Mapping[str, Any],
    *,
    offer: Mapping[str, Any] | None,
    candidate: Mapping[str, Any] | None,
    job: Mapping[str, Any] | None,
    origin: Origin,
) -> JsonDict:
    """A ``candidate_hired`` event for one hired application and its accepted offer."""
    application_id = int(application["id"])
    flags = _candidate_flags(candidate)
    if offer is None:
        flags.append("offer_missing")
    if job is None:
        flags.append("job_missing")
    return {
        "event_id": event_id("candidate_hired", application_id),
        "trigger": "candidate_hired",
        "application_id": application_id,
        "candidate_id": _candidate_id(offer, application, candidate),
        "updated_at": application.get("updated_at") or application.get("created_at"),
        "occurred_at": (offer or {}).get("resolved_at") or application.get("updated_at"),
        "origin": origin,
        "flags": flags,
        "offer": dict(offer) if offer is not None else None,
        "application": dict(application),
        "candidate": dict(candidate) if candidate is not None else None,
        "job": dict(job) if job is not None else None,
    }


def _candidate_id(*records: Mapping[str, Any] | None) -> int | None:
    for record in records:
        if record is None:
            continue
        value = record.get("candidate_id", record.get("id") if "first_name" in record else None)
        if isinstance(value, int):
            return value
    return None
