"""Every kind of eligibility condition, with the reason a person reads when it fails."""

from __future__ import annotations

from typing import Any

import pytest

import rules
from tests.rules.events import SEND_FIELD, changed, offer_created
from tests.rules.rule_text import rule_with


def decided(eligibility: str, event: dict[str, Any] | None = None) -> rules.Decision:
    return rules.decide(rule_with(eligibility=eligibility), event or offer_created())


def test_offer_field_by_display_name_is_yes() -> None:
    decision = decided(
        "- offer_field: Send New Hire information to Remote for Onboarding\n  is: yes"
    )

    assert decision.action == "send"


def test_offer_field_by_name_key_is_yes() -> None:
    assert decided(f"- offer_field: {SEND_FIELD}\n  is: yes").action == "send"


def test_name_key_still_matches_after_the_field_is_renamed() -> None:
    event = changed(
        offer_created(), f"offer.custom_fields.{SEND_FIELD}.name", "Onboard via Remote?"
    )

    assert decided(f"- offer_field: {SEND_FIELD}\n  is: yes", event).action == "send"


@pytest.mark.parametrize(
    ("answer", "passes"),
    [(True, False), ("Yes", False), (False, True), ("No", True), (None, True), ("maybe", True)],
)
def test_is_no_passes_for_anything_but_yes(answer: Any, passes: bool) -> None:
    decision = decided(f"- offer_field: {SEND_FIELD}\n  is: no", offer_created(answer=answer))

    assert (decision.action == "send") is passes


def test_is_accepts_quoted_yes_as_well_as_bare_yes() -> None:
    assert decided(f"- offer_field: {SEND_FIELD}\n  is: 'yes'").action == "send"


def test_equals_compares_the_value_at_a_path() -> None:
    decision = decided("- field: job.department_id\n  equals: 7712004")

    assert decision.action == "skip"
    assert decision.reason == "job.department_id is 7712003, not 7712004"
    assert decision.checks[0].description == "job.department_id equals 7712004"


def test_equals_does_not_treat_true_as_one() -> None:
    event = changed(offer_created(), "offer.version", 1)

    assert decided("- field: offer.version\n  equals: true", event).action == "skip"


def test_in_passes_for_a_listed_value() -> None:
    assert decided("- field: offer.status\n  in: [Created, Accepted]").action == "send"


def test_in_over_a_list_value_passes_when_any_element_is_listed() -> None:
    assert decided("- field: job.office_ids\n  in: [6601009]").action == "send"


def test_not_in_fails_for_a_listed_value() -> None:
    decision = decided("- field: offer.status\n  not_in: [Accepted, Rejected]")

    assert decision.action == "skip"
    assert decision.reason == (
        "offer.status is 'Accepted', excluded by not_in ['Accepted', 'Rejected']"
    )
    assert decision.checks[0].description == "offer.status is none of Accepted, Rejected"


@pytest.mark.parametrize(
    ("path", "wanted", "passes", "detail"),
    [
        ("offer.sent_on", "true", True, "is '2026-10-02'"),
        ("offer.opening_id", "false", False, "is 5523001, expected it absent or null"),
        ("job.hiring_team", "true", False, "is missing"),
        ("application.rejected_at", "true", False, "is null"),
        ("application.rejected_at", "false", True, "is null"),
    ],
)
def test_exists_means_present_and_not_null(
    path: str, wanted: str, passes: bool, detail: str
) -> None:
    decision = decided(f"- field: {path}\n  exists: {wanted}")

    assert decision.checks[0].passed is passes
    assert decision.checks[0].detail == detail


def test_matches_searches_a_regular_expression() -> None:
    assert decided("- field: job.requisition_id\n  matches: '^ENG-'").action == "send"
    decision = decided("- field: job.requisition_id\n  matches: '^OPS-'")
    assert decision.reason == "job.requisition_id is 'ENG-0412', which does not match /^OPS-/"


def test_matches_on_a_missing_value_fails_without_error() -> None:
    decision = decided("- field: candidate.nickname\n  matches: '.'")

    assert decision.reason == "candidate.nickname is missing, which does not match /./"


def test_path_through_null_record_is_reported_as_null() -> None:
    event = changed(offer_created(), "job", None)

    decision = decided("- field: job.department_id\n  in: [7712003]", event)

    assert decision.reason == "job.department_id is null, not one of [7712003]"


def test_job_convenience_matches_department_and_any_office() -> None:
    decision = decided("- job: {department_id: [7712003], office_ids: [6601009, 1]}")

    assert decision.action == "send"
    assert (
        decision.checks[0].description
        == "job (department_id in 7712003; office_ids in 6601009, 1)"
    )


def test_job_convenience_names_the_attribute_that_differs() -> None:
    decision = decided("- job: {department_id: 1234}")

    assert decision.reason == "job has department_id 7712003, not one of [1234]"


@pytest.mark.parametrize(
    ("kind", "record_path"),
    [
        ("application_field", "application"),
        ("candidate_field", "candidate"),
        ("job_field", "job"),
    ],
)
def test_custom_fields_of_every_record_are_readable(kind: str, record_path: str) -> None:
    event = changed(
        offer_created(),
        f"{record_path}.custom_fields",
        {"region": {"name": "Hiring Region", "type": "single_select", "value": "EMEA"}},
    )

    assert decided(f"- {kind}: Hiring Region\n  equals: EMEA", event).action == "send"
    assert decided(f"- {kind}: region\n  equals: APAC", event).reason == (
        f"{record_path} field 'region' is 'EMEA', not 'APAC'"
    )


def test_all_group_passes_only_when_every_member_passes() -> None:
    eligibility = """\
- all:
    - field: offer.status
      equals: Accepted
    - field: job.department_id
      in: [1]
"""
    decision = decided(eligibility)

    assert decision.action == "skip"
    assert decision.reason == "job.department_id is 7712003, not one of [1]"
    assert [(c.description, c.passed, c.depth) for c in decision.checks] == [
        ("all of 2 conditions", False, 0),
        ("offer.status equals 'Accepted'", True, 1),
        ("job.department_id is one of 1", False, 1),
    ]


def test_any_group_passes_when_one_member_passes() -> None:
    eligibility = """\
- any:
    - field: offer.status
      equals: Created
    - job: {department_id: 7712003}
"""
    decision = decided(eligibility)

    assert decision.action == "send"
    assert decision.checks[0].detail == "1 of 2 passed"


def test_any_group_failing_lists_every_member() -> None:
    eligibility = """\
- any:
    - field: offer.status
      equals: Created
    - field: job.status
      equals: closed
"""
    decision = decided(eligibility)

    assert decision.reason == (
        "none passed: offer.status is 'Accepted', not 'Created'; "
        "job.status is 'open', not 'closed'"
    )


def test_nested_groups_are_evaluated() -> None:
    eligibility = """\
- any:
    - all:
        - field: offer.status
          equals: Accepted
        - field: job.confidential
          equals: false
    - field: offer.status
      equals: Created
"""
    assert decided(eligibility).action == "send"


def test_not_inverts_a_condition() -> None:
    decision = decided("- not:\n    field: job.confidential\n    equals: false")

    assert decision.action == "skip"
    assert decision.reason == "job.confidential is false (excluded by 'not')"


def test_rule_without_eligibility_sends_every_event_of_its_trigger() -> None:
    decision = rules.decide(rule_with(), offer_created())

    assert decision.action == "send"
    assert decision.reason == "eligible (no conditions)"


def test_job_office_reason_says_which_offices_were_allowed() -> None:
    event = changed(offer_created(), "job.office_ids", [6601009])

    decision = decided("- job: {office_ids: [6601002]}", event)

    assert decision.reason == "job has office_ids [6601009], not one of [6601002]"


@pytest.mark.parametrize(
    ("condition", "reason"),
    [
        (
            "field: offer.status\n  in: [Created]",
            "offer.status is 'Accepted', not one of ['Created']",
        ),
        ("field: offer.status\n  equals: Created", "offer.status is 'Accepted', not 'Created'"),
        (
            "field: offer.opening_id\n  exists: false",
            "offer.opening_id is 5523001, expected it absent or null",
        ),
        (
            f"offer_field: {SEND_FIELD}\n  is: no",
            f"offer field '{SEND_FIELD}' is true, expected no",
        ),
    ],
)
def test_every_failing_condition_kind_names_the_expected_value(
    condition: str, reason: str
) -> None:
    assert decided(f"- {condition}").reason == reason
