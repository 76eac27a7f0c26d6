"""Decisions per second of the northwind rule over a few thousand varied hire events."""

from __future__ import annotations

import copy
import json
import random
import time
from pathlib import Path
from typing import Any

import rules
from hire_events import offer_event

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "rules" / "data"
RULE = Path(__file__).resolve().parents[1] / "rules" / "customers" / "northwind.yaml"
EVENTS = 4000
ROUNDS = 5

_COUNTRIES = ["Portugal", "PRT", "DE", "United Kingdom", "UK", "Côte d'Ivoire", "Narnia", None]
_ANSWERS: list[Any] = [True, True, True, "Yes", "yes", False, "No", None]
_DATES = ["2027-01-04", "2027-01-04T00:00:00.000Z", "01/04/2027", "2027-02-30", None]


def _base_records() -> dict[str, Any]:
    def read(name: str) -> Any:
        return json.loads((FIXTURES / name).read_text(encoding="utf-8"))

    return {
        "offer": read("offer-v3-accepted-with-boolean-field.json"),
        "application": read("application-v3-hired.json"),
        "candidate": read("candidate-v3-several-emails.json"),
        "job": read("job-v3.json"),
    }


def varied_events(count: int, seed: int = 7) -> list[dict[str, Any]]:
    """Offer events whose answer, country, date, status and e-mails vary (fixed seed)."""
    chooser = random.Random(seed)
    base = _base_records()
    events = []
    for index in range(count):
        offer = copy.deepcopy(base["offer"])
        offer["application_id"] = 90_000_000 + index
        offer["status"] = chooser.choice(["Accepted", "Created", "Created", "Deprecated"])
        offer["starts_on"] = chooser.choice(_DATES)
        fields = offer["custom_fields"]
        fields["send_new_hire_information_to_remote_for_onboarding"]["value"] = chooser.choice(
            _ANSWERS
        )
        fields["country_of_employment"] = {
            "name": "Country of Employment",
            "type": "short_text",
            "value": chooser.choice(_COUNTRIES),
        }
        candidate = copy.deepcopy(base["candidate"])
        chooser.shuffle(candidate["email_addresses"])
        if chooser.random() < 0.1:
            candidate["email_addresses"] = []
        events.append(
            offer_event(
                offer,
                application=base["application"],
                candidate=candidate,
                job=base["job"],
                origin="harvest_v3",
            )
        )
    return events


def run() -> dict[str, float | int]:
    """Best of a few rounds, single thread, over the same varied events."""
    rule = rules.load_rule(RULE)
    events = varied_events(EVENTS)
    best = float("inf")
    counts: dict[str, int] = {}
    for _ in range(ROUNDS):
        started = time.perf_counter()
        decisions = [rules.decide(rule, event) for event in events]
        best = min(best, time.perf_counter() - started)
    for decision in decisions:
        counts[decision.action] = counts.get(decision.action, 0) + 1
    return {
        "rules_events_per_second": round(EVENTS / best),
        "rules_events": EVENTS,
        "rules_send": counts.get("send", 0),
        "rules_skip": counts.get("skip", 0),
        "rules_invalid": counts.get("invalid", 0),
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
