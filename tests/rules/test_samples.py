"""The two sample customers decide realistic events exactly as their YAML says."""

from __future__ import annotations

from typing import Any

import pytest

import rules
from hire_events import offer_event
from tests.rules.events import (
    RULES_DIR,
    SEND_FIELD,
    SEND_FIELD_NAME,
    candidate_hired,
    changed,
    fixture,
    offer_created,
)

NORTHWIND = RULES_DIR / "customers" / "northwind.yaml"
GLOBEX = RULES_DIR / "customers" / "globex.yaml"

EXPECTED_PROFILE = {
    "type": "employee",
    "country_code": "PRT",
    "basic_information": {
        "name": "Ines Carvalho-Moreau",
        "email": "ines.personal@example.test",
        "job_title": "Senior Data Engineer",
        "provisional_start_date": "2026-11-16",
        "has_seniority_date": "no",
    },
}


@pytest.fixture(scope="module")
def northwind() -> rules.Rule:
    return rules.load_rule(NORTHWIND)


@pytest.fixture(scope="module")
def globex() -> rules.Rule:
    return rules.load_rule(GLOBEX)


def test_sample_rules_declare_customer_trigger_and_conflict_policy(
    northwind: rules.Rule, globex: rules.Rule
) -> None:
    assert (northwind.customer, northwind.trigger, northwind.on_conflict) == (
        "northwind",
        "offer_created",
        "skip",
    )
    assert (globex.customer, globex.trigger, globex.on_conflict) == (
        "globex",
        "candidate_hired",
        "skip",
    )
    assert (northwind.source, globex.source) == ("northwind.yaml", "globex.yaml")


def test_northwind_sends_the_exact_profile_for_a_flagged_offer(northwind: rules.Rule) -> None:
    decision = rules.decide(northwind, offer_created())

    assert decision.action == "send"
    assert decision.profile == EXPECTED_PROFILE
    assert decision.personal_email == "ines.personal@example.test"
    assert decision.errors == []
    assert [(c.description, c.passed, c.detail) for c in decision.checks] == [
        (f"offer field '{SEND_FIELD_NAME}' is yes", True, "is true"),
        ("offer.status is one of Created, Accepted", True, "is 'Accepted'"),
    ]


def test_globex_sends_the_exact_profile_for_a_flagged_hire(globex: rules.Rule) -> None:
    decision = rules.decide(globex, candidate_hired())

    assert decision.action == "send"
    assert decision.profile == EXPECTED_PROFILE


def test_profile_never_carries_external_id(northwind: rules.Rule) -> None:
    decision = rules.decide(northwind, offer_created())

    assert decision.profile is not None
    assert "external_id" not in decision.profile


@pytest.mark.parametrize(
    ("answer", "action"),
    [
        (True, "send"),
        ("Yes", "send"),
        ("yes", "send"),
        (False, "skip"),
        ("No", "skip"),
        (None, "skip"),
        (..., "skip"),
    ],
)
def test_yes_no_semantics_for_both_samples(
    northwind: rules.Rule, globex: rules.Rule, answer: Any, action: str
) -> None:
    offer_path = f"offer.custom_fields.{SEND_FIELD}"
    for rule, base in ((northwind, offer_created()), (globex, candidate_hired())):
        if answer is ...:
            event = changed(base, offer_path, ...)
        else:
            event = changed(base, f"{offer_path}.value", answer)

        assert rules.decide(rule, event).action == action


def test_unanswered_flag_is_skipped_with_a_readable_reason(northwind: rules.Rule) -> None:
    decision = rules.decide(northwind, offer_created(answer=None))

    assert decision.action == "skip"
    assert decision.reason == (
        f"offer field '{SEND_FIELD_NAME}' is null (not answered), expected yes"
    )
    assert decision.profile is None


def test_missing_flag_names_the_field_as_missing(globex: rules.Rule) -> None:
    event = changed(candidate_hired(), f"offer.custom_fields.{SEND_FIELD}", ...)

    decision = rules.decide(globex, event)

    assert decision.reason == f"offer field '{SEND_FIELD}' is missing, expected yes"


def test_deprecated_offer_version_is_skipped_by_status(northwind: rules.Rule) -> None:
    event = changed(offer_created(), "offer.status", "Deprecated")

    decision = rules.decide(northwind, event)

    assert decision.action == "skip"
    assert decision.reason == ("offer.status is 'Deprecated', not one of ['Created', 'Accepted']")
    assert [c.passed for c in decision.checks] == [True, False]


def test_all_checks_are_recorded_even_after_the_first_failure(northwind: rules.Rule) -> None:
    event = changed(offer_created(answer=False), "offer.status", "Rejected")

    decision = rules.decide(northwind, event)

    assert decision.reason == f"offer field '{SEND_FIELD_NAME}' is false, expected yes"
    assert [c.passed for c in decision.checks] == [False, False]


@pytest.mark.parametrize(
    ("rule_name", "event_trigger", "rule_trigger"),
    [
        ("northwind", "candidate_hired", "offer_created"),
        ("globex", "offer_created", "candidate_hired"),
    ],
)
def test_event_of_another_trigger_is_skipped(
    rule_name: str, event_trigger: str, rule_trigger: str
) -> None:
    rule = rules.load_rule(RULES_DIR / "customers" / f"{rule_name}.yaml")
    event = offer_created() if event_trigger == "offer_created" else candidate_hired()

    decision = rules.decide(rule, event)

    assert decision.action == "skip"
    assert decision.reason == (
        f"trigger {event_trigger} is not this rule's trigger {rule_trigger}"
    )


def test_candidate_without_email_is_invalid_naming_the_field(globex: rules.Rule) -> None:
    decision = rules.decide(globex, candidate_hired(candidate="candidate-v3-no-email"))

    assert decision.action == "invalid"
    assert decision.errors == [
        rules.FieldError(
            "basic_information.email", "candidate 77350001 has no personal, other or work e-mail"
        )
    ]
    assert decision.reason == (
        "basic_information.email: candidate 77350001 has no personal, other or work e-mail"
    )
    assert decision.profile is None
    assert decision.personal_email is None


def test_every_unusable_field_is_reported_at_once(northwind: rules.Rule) -> None:
    event = offer_created(country="Narnia", candidate="candidate-v3-no-email")
    event = changed(event, "offer.starts_on", None)
    event = changed(event, "job.name", ...)

    decision = rules.decide(northwind, event)

    assert decision.action == "invalid"
    assert [(e.field, e.message) for e in decision.errors] == [
        ("country_code", "'Narnia' is not a known country (give an ISO code or English name)"),
        ("basic_information.email", "candidate 77350001 has no personal, other or work e-mail"),
        ("basic_information.job_title", "job.name is missing"),
        ("basic_information.provisional_start_date", "offer.starts_on is null"),
    ]


def test_offer_created_without_job_or_candidate_is_invalid_not_an_exception(
    northwind: rules.Rule,
) -> None:
    event = offer_event(
        fixture("offer-v3-accepted-with-boolean-field"),
        application=None,
        candidate=None,
        job=None,
        origin="webhook",
    )
    event = changed(
        event,
        "offer.custom_fields.country_of_employment",
        {"name": "Country of Employment", "value": "PT"},
    )

    decision = rules.decide(northwind, event)

    assert decision.action == "invalid"
    assert {e.field: e.message for e in decision.errors} == {
        "basic_information.name": "candidate is null",
        "basic_information.email": "the candidate has no personal, other or work e-mail",
        "basic_information.job_title": "job is null",
    }


def test_start_date_given_with_midnight_utc_keeps_its_calendar_day(
    northwind: rules.Rule,
) -> None:
    event = changed(offer_created(), "offer.starts_on", "2026-11-16T00:00:00.000Z")

    decision = rules.decide(northwind, event)

    assert decision.profile is not None
    assert decision.profile["basic_information"]["provisional_start_date"] == "2026-11-16"


def test_initech_example_maps_lookups_work_email_and_department() -> None:
    rule = rules.load_rule(RULES_DIR / "examples" / "initech.yaml")

    decision = rules.decide(rule, candidate_hired())

    assert rule.on_conflict == "update"
    assert decision.profile == {
        "type": "employee",
        "country_code": "PRT",
        "basic_information": {
            "name": "Ines Carvalho-Moreau",
            "email": "ines.personal@example.test",
            "work_email": "ines.cm@work-example.test",
            "job_title": "Senior Data Engineer",
            "department": "Data Engineering",
            "provisional_start_date": "2026-11-16",
            "has_seniority_date": "no",
        },
    }


def test_initech_example_sends_contractors_as_contractors() -> None:
    rule = rules.load_rule(RULES_DIR / "examples" / "initech.yaml")
    event = changed(candidate_hired(), "offer.custom_fields.employment_type.value", "Contractor")

    decision = rules.decide(rule, event)

    assert decision.profile is not None
    assert decision.profile["type"] == "contractor"
