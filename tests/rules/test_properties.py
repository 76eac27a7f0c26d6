"""Whatever a hire event holds, a rule gives a decision and never raises."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rules
from tests.rules.events import RULES_DIR, SEND_FIELD, candidate_hired, changed, offer_created
from tests.rules.rule_text import rule_with

NORTHWIND = rules.load_rule(RULES_DIR / "customers" / "northwind.yaml")
GLOBEX = rules.load_rule(RULES_DIR / "customers" / "globex.yaml")
RICH = rule_with(
    eligibility="""\
- any:
    - field: offer.status
      in: [Created, Accepted]
    - not:
        job: {office_ids: [1, 2]}
- field: candidate.title
  matches: 'Eng'
- application_field: region
  exists: false
""",
    profile="""\
profile:
  type: "{{ offer_field('Employment Type') | lower | default('employee') }}"
  country_code: "{{ lookup('offices', job.office_ids[0]) or offer_field('Country') }}"
  basic_information:
    name: "{{ candidate.preferred_name or full_name(candidate) }}"
    email: "{{ personal_email(candidate) }}"
    work_email: "{{ email_of_type(candidate, 'work') }}"
    job_title: "{{ job.name ~ ' ' ~ job.requisition_id }}"
    provisional_start_date: "{{ (offer.starts_on or offer.starts_at) | date }}"
    has_seniority_date: "{{ 'yes' if offer.sent_on else 'no' }}"
    seniority_date: "{{ offer.sent_on | date }}"
    department: "{{ last_name(job.name) }}"
    tax_servicing_countries: ["{{ offer_field('Country') }}", DE]
""",
    extra="lookups:\n  offices: {6601002: PRT}",
)

odd_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "\u0000",
            "e\u0301",
            "ﬁ",
            "🙂",
            "x" * 5000,
            "2027-02-30",
            "12/31/2026",
            "2026-11-16T00:00:00.000Z",
            "yes",
            "Yes",
            "No",
            "UK",
            "Côte d'Ivoire",
            "{{ job.name }}",
            "a@b.test",
            " A@B.TEST ",
        ]
    ),
)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), odd_text)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
PATHS = [
    "offer",
    "job",
    "candidate",
    "application",
    "trigger",
    "offer.starts_on",
    "offer.status",
    f"offer.custom_fields.{SEND_FIELD}",
    f"offer.custom_fields.{SEND_FIELD}.value",
    "offer.custom_fields",
    "offer.custom_fields.country_of_employment.value",
    "candidate.email_addresses",
    "candidate.email_addresses.0",
    "candidate.first_name",
    "candidate.last_name",
    "job.name",
    "job.office_ids",
    "job.department_id",
    "offer.sent_on",
]
changes = st.lists(st.tuples(st.sampled_from(PATHS), json_values | st.just(...)), max_size=5)


def mutated(event: dict[str, Any], edits: list[tuple[str, Any]]) -> dict[str, Any]:
    for path, value in edits:
        try:
            event = changed(event, path, value)
        except (KeyError, IndexError, TypeError, ValueError):
            continue  # an earlier edit removed or replaced the parent
    return event


def assert_decided(decision: rules.Decision) -> None:
    assert decision.action in ("send", "skip", "invalid")
    assert decision.reason
    assert not decision.reason.startswith("the rule could not evaluate")
    if decision.action == "send":
        assert decision.profile is not None
        assert None not in decision.profile["basic_information"].values()
    if decision.action == "invalid":
        assert decision.errors


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=changes, hired=st.booleans())
def test_any_mutated_event_gets_a_decision_from_every_rule(
    edits: list[tuple[str, Any]], hired: bool
) -> None:
    event = mutated(candidate_hired() if hired else offer_created(), edits)

    for rule in (NORTHWIND, GLOBEX, RICH):
        assert_decided(rules.decide(rule, event))


@settings(max_examples=200, deadline=None)
@given(event=json_values)
def test_any_json_value_as_an_event_gets_a_decision(event: Any) -> None:
    for rule in (NORTHWIND, RICH):
        assert_decided(rules.decide(rule, event))


@settings(max_examples=200, deadline=None)
@given(
    record=st.dictionaries(
        st.sampled_from(["trigger", "offer", "job", "candidate", "application", "flags"]),
        json_values,
    )
)
def test_any_shape_of_sub_records_gets_a_decision(record: dict[str, Any]) -> None:
    event = {"trigger": "offer_created", **record}

    for rule in (NORTHWIND, RICH):
        assert_decided(rules.decide(rule, event))


@settings(max_examples=200, deadline=None)
@given(value=scalars)
def test_sent_profiles_hold_only_clean_values(value: Any) -> None:
    event = changed(offer_created(), "offer.starts_on", value)
    event = changed(event, "candidate.first_name", value)

    decision = rules.decide(NORTHWIND, event)

    assert_decided(decision)
    if decision.action == "send":
        assert decision.profile is not None
        start = decision.profile["basic_information"]["provisional_start_date"]
        assert len(start) == 10 and start[4] == "-" and start[7] == "-"
