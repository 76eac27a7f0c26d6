"""Realistic hire events for rule tests, built from the team's Greenhouse v3 fixtures."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from hire_events import hired_event, offer_event

DATA = Path(__file__).with_name("data")
RULES_DIR = Path(__file__).resolve().parents[2] / "rules"
SEND_FIELD = "send_new_hire_information_to_remote_for_onboarding"
SEND_FIELD_NAME = "Send New Hire information to Remote for Onboarding"


def fixture(name: str) -> Any:
    return json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))


def accepted_offer(answer: Any = True, country: Any = "Portugal") -> dict[str, Any]:
    """The accepted v3 offer, with the yes/no answer and a 'Country of Employment' field."""
    offer: dict[str, Any] = fixture("offer-v3-accepted-with-boolean-field")
    offer["custom_fields"][SEND_FIELD]["value"] = answer
    offer["custom_fields"]["country_of_employment"] = {
        "name": "Country of Employment",
        "type": "short_text",
        "value": country,
    }
    return offer


def offer_created(
    answer: Any = True,
    country: Any = "Portugal",
    candidate: str = "candidate-v3-several-emails",
) -> dict[str, Any]:
    return offer_event(
        accepted_offer(answer, country),
        application=fixture("application-v3-hired"),
        candidate=fixture(candidate),
        job=fixture("job-v3"),
        origin="harvest_v3",
    )


def candidate_hired(
    answer: Any = True,
    country: Any = "Portugal",
    candidate: str = "candidate-v3-several-emails",
) -> dict[str, Any]:
    return hired_event(
        fixture("application-v3-hired"),
        offer=accepted_offer(answer, country),
        candidate=fixture(candidate),
        job=fixture("job-v3"),
        origin="harvest_v3",
    )


def changed(event: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of ``event`` with the value at dotted ``path`` replaced (or removed if ...)."""
    copied = copy.deepcopy(event)
    *parents, last = path.split(".")
    node = copied
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if value is ...:
        del node[last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return copied
