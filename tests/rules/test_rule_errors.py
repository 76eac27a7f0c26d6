"""A bad rule fails at load with every error, each naming file:line:column and what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

import rules

VALID = """\
version: 1
customer: acme
trigger: offer_created
profile:
  country_code: PRT
"""


def errors_of(text: str) -> list[str]:
    with pytest.raises(rules.RuleError) as raised:
        rules.load_rule_text(text, source="acme.yaml")
    return raised.value.errors


def test_unknown_trigger_names_position_value_choices_and_a_guess() -> None:
    assert errors_of(VALID.replace("offer_created", "hired")) == [
        "acme.yaml:3:10: trigger: unknown value 'hired'; expected one of candidate_hired, "
        "offer_created (did you mean 'candidate_hired'?)"
    ]


def test_rule_error_str_is_every_error_line() -> None:
    with pytest.raises(rules.RuleError) as raised:
        rules.load_rule_text(VALID.replace("offer_created", "hired"), source="acme.yaml")

    assert str(raised.value) == raised.value.errors[0]
    assert isinstance(raised.value, Exception)


def test_every_error_of_a_file_is_reported_in_file_order() -> None:
    text = """\
version: 1
customer: acme
trigger: offer_creatd
eligibility:
  - offer_feld: X
    is: yes
profile:
  country_code: "{{ offer_field('Country') | contry_code }}"
  typ: employee
  basic_information:
    emial: "{{ personal_email(candidate) }}"
on_conflict: ignore
"""
    assert errors_of(text) == [
        "acme.yaml:3:10: trigger: unknown value 'offer_creatd'; expected one of "
        "candidate_hired, offer_created (did you mean 'offer_created'?)",
        "acme.yaml:5:5: eligibility[0]: a condition needs one of field, offer_field, "
        "application_field, candidate_field, job_field, job, all, any, not; unknown key "
        "'offer_feld' (did you mean 'offer_field'?)",
        "acme.yaml:8:17: profile.country_code: template \"{{ offer_field('Country') | "
        "contry_code }}\" uses unknown filter 'contry_code' (did you mean 'country_code'?)",
        "acme.yaml:9:3: profile: unknown key 'typ'; expected one of basic_information, "
        "country_code, type (did you mean 'type'?)",
        "acme.yaml:11:5: profile.basic_information: unknown key 'emial'; expected one of "
        "department, email, has_seniority_date, job_title, manager, mobile_number, name, "
        "provisional_start_date, seniority_date, tax_job_category, tax_servicing_countries, "
        "work_email (did you mean 'email'?)",
        "acme.yaml:12:14: on_conflict: unknown value 'ignore'; expected one of fail, skip, update",
    ]


def test_duplicate_keys_are_errors_with_both_lines() -> None:
    text = VALID + "on_conflict: skip\non_conflict: update\n"

    assert errors_of(text) == [
        "acme.yaml:7:1: duplicate key 'on_conflict' (first given at line 6)"
    ]


def test_missing_required_keys_are_named() -> None:
    assert errors_of("version: 1\ncustomer: acme\n") == [
        "acme.yaml:1:1: rule: missing required key 'trigger'",
        "acme.yaml:1:1: rule: missing required key 'profile'",
    ]


def test_missing_country_code_is_named_under_profile() -> None:
    text = VALID.replace("  country_code: PRT\n", "  type: employee\n")

    assert errors_of(text) == ["acme.yaml:5:3: profile: missing required key 'country_code'"]


def test_unsupported_version_lists_the_supported_one() -> None:
    assert errors_of(VALID.replace("version: 1", "version: 2")) == [
        "acme.yaml:1:10: version: unknown value 2; expected one of 1"
    ]


def test_yaml_syntax_error_has_a_position() -> None:
    assert errors_of("version: 1\ncustomer: [acme\n") == [
        "acme.yaml:3:1: expected ',' or ']', but got '<stream end>'"
    ]


def test_a_document_that_is_not_a_mapping_is_refused() -> None:
    assert errors_of("- just\n- a list\n") == [
        "acme.yaml:1:1: a rule file is a mapping with version, customer, trigger …"
    ]


def test_two_operators_in_one_condition_are_refused() -> None:
    text = (
        VALID + "eligibility:\n  - field: offer.status\n    in: [Created]\n    equals: Created\n"
    )

    assert errors_of(text) == [
        "acme.yaml:7:5: eligibility[0]: a condition needs exactly one operator of is, equals, "
        "in, not_in, exists, matches (found equals, in)"
    ]


def test_condition_without_operator_is_refused() -> None:
    text = VALID + "eligibility:\n  - field: offer.status\n"

    assert errors_of(text) == [
        "acme.yaml:7:5: eligibility[0]: a condition needs exactly one operator of is, equals, "
        "in, not_in, exists, matches (found none)"
    ]


def test_bad_regular_expression_is_refused_with_its_position() -> None:
    text = VALID + "eligibility:\n  - field: job.name\n    matches: '(eng'\n"

    assert errors_of(text) == [
        "acme.yaml:8:14: eligibility[0].matches: '(eng' is not a regular expression: missing ), "
        "unterminated subpattern at position 0"
    ]


def test_unknown_key_inside_a_nested_group_is_located() -> None:
    text = VALID + "eligibility:\n  - any:\n      - job: {departmnt_id: [1]}\n"

    assert errors_of(text) == [
        "acme.yaml:8:15: eligibility[0].any[0].job: unknown key 'departmnt_id'; expected one "
        "of department_id, id, name, office_ids, requisition_id, status (did you mean "
        "'department_id'?)"
    ]


def test_wrong_type_names_what_is_expected() -> None:
    text = VALID + "eligibility:\n  - field: offer.status\n    in: Created\n"

    assert errors_of(text) == [
        "acme.yaml:8:9: eligibility[0].in: 'Created' is not valid; expected a list"
    ]


def test_template_syntax_error_is_refused() -> None:
    text = VALID + "  basic_information:\n    job_title: '{{ job.name '\n"

    assert errors_of(text) == [
        "acme.yaml:7:16: profile.basic_information.job_title: template '{{ job.name ' is not "
        "valid: unexpected end of template, expected 'end of print statement'."
    ]


def test_unknown_event_name_in_a_template_gets_a_guess() -> None:
    text = VALID + "  basic_information:\n    name: '{{ full_name(canddiate) }}'\n"

    assert errors_of(text) == [
        "acme.yaml:7:11: profile.basic_information.name: template '{{ full_name(canddiate) }}' "
        "uses unknown name 'canddiate' (did you mean 'candidate'?)"
    ]


def test_unknown_helper_in_a_template_gets_a_guess() -> None:
    text = VALID + "  basic_information:\n    email: '{{ personal_mail(candidate) }}'\n"

    assert errors_of(text) == [
        "acme.yaml:7:12: profile.basic_information.email: template "
        "'{{ personal_mail(candidate) }}' uses unknown name 'personal_mail' "
        "(did you mean 'personal_email'?)"
    ]


def test_unknown_lookup_table_is_refused() -> None:
    text = (
        VALID.replace("country_code: PRT", "country_code: \"{{ lookup('ofices', job.id) }}\"")
        + "lookups:\n  offices: {1: PRT}\n"
    )

    assert errors_of(text) == [
        "acme.yaml:5:17: profile.country_code: template \"{{ lookup('ofices', job.id) }}\" "
        "uses unknown lookup table 'ofices' (did you mean 'offices'?)"
    ]


def test_seniority_date_without_has_seniority_date_yes_is_refused() -> None:
    text = VALID + "  basic_information:\n    seniority_date: '{{ offer.sent_on }}'\n"

    assert errors_of(text) == [
        "acme.yaml:7:5: profile.basic_information: seniority_date is only sent with "
        "has_seniority_date yes; set has_seniority_date: yes or remove seniority_date"
    ]


def test_has_seniority_date_must_be_yes_or_no() -> None:
    text = VALID + "  basic_information:\n    has_seniority_date: maybe\n"

    assert errors_of(text) == [
        "acme.yaml:7:25: profile.basic_information.has_seniority_date: unknown value 'maybe'; "
        "expected one of yes, no"
    ]


def test_unknown_employment_type_constant_is_refused() -> None:
    text = VALID + "  type: employe\n"

    assert errors_of(text) == [
        "acme.yaml:6:9: profile.type: unknown value 'employe'; expected one of contractor, "
        "employee, global_payroll_employee, hris (did you mean 'employee'?)"
    ]


def test_unknown_constant_country_is_refused() -> None:
    assert errors_of(VALID.replace("PRT", "Atlantis")) == [
        "acme.yaml:5:17: profile.country_code: 'Atlantis' is not a known country (give an ISO "
        "code or English name)"
    ]


def test_unknown_email_type_in_preference_is_refused() -> None:
    assert errors_of(VALID + "email_preference: [personal, private]\n") == [
        "acme.yaml:6:30: email_preference[1]: unknown value 'private'; expected one of other, "
        "personal, work"
    ]


def test_repeated_email_type_is_refused() -> None:
    assert errors_of(VALID + "email_preference: [work, work]\n") == [
        "acme.yaml:6:19: email_preference: each e-mail type may be listed once"
    ]


def test_load_rule_names_the_file_as_given(tmp_path: Path) -> None:
    path = tmp_path / "acme.yaml"
    path.write_text(VALID.replace("offer_created", "hired"), encoding="utf-8")

    with pytest.raises(rules.RuleError) as raised:
        rules.load_rule(path)

    assert raised.value.errors[0].startswith(f"{path}:3:10: trigger: unknown value 'hired'")


def test_unreadable_file_is_a_rule_error(tmp_path: Path) -> None:
    missing = tmp_path / "nobody.yaml"

    with pytest.raises(rules.RuleError) as raised:
        rules.load_rule(missing)

    assert raised.value.errors[0].startswith(f"{missing}:1:1: cannot read the rule file:")


def test_pasted_rule_is_named_pasted_by_default() -> None:
    rule = rules.load_rule_text(VALID)

    assert rule.source == "<pasted>"
    with pytest.raises(rules.RuleError) as raised:
        rules.load_rule_text(VALID.replace("acme", "a cme"))
    assert raised.value.errors[0].startswith("<pasted>:2:11: customer:")


def test_defaults_apply_to_what_a_rule_leaves_out() -> None:
    rule = rules.load_rule_text(VALID)

    assert rule.on_conflict == "skip"
    assert rule.model.profile.type == "employee"
    assert rule.model.profile.basic_information.has_seniority_date == "no"
    assert rule.model.email_preference == ["personal", "other", "work"]


def test_unknown_constant_country_is_reported_with_layout_errors() -> None:
    text = VALID.replace("PRT", "Atlantis").replace("offer_created", "hired")

    assert errors_of(text) == [
        "acme.yaml:3:10: trigger: unknown value 'hired'; expected one of candidate_hired, "
        "offer_created (did you mean 'candidate_hired'?)",
        "acme.yaml:5:17: profile.country_code: 'Atlantis' is not a known country (give an ISO "
        "code or English name)",
    ]


def test_is_with_a_word_other_than_yes_or_no_expects_yes_or_no() -> None:
    text = VALID + "eligibility:\n  - field: offer.status\n    is: maybe\n"

    assert errors_of(text) == [
        "acme.yaml:8:9: eligibility[0].is: 'maybe' is not valid; expected yes or no"
    ]


def test_a_tab_in_the_yaml_says_to_indent_with_spaces() -> None:
    text = VALID.replace("  country_code", "\tcountry_code")

    assert errors_of(text) == [
        "acme.yaml:5:1: found character '\\t' that cannot start any token (indent with spaces, "
        "not tabs)"
    ]


def test_has_seniority_date_yes_without_seniority_date_is_refused() -> None:
    text = VALID + "  basic_information:\n    has_seniority_date: yes\n"

    assert errors_of(text) == [
        "acme.yaml:7:25: profile.basic_information.seniority_date: Remote requires a seniority "
        'date when has_seniority_date is yes; add seniority_date (e.g. "{{ offer.starts_on | '
        'date }}") or set has_seniority_date: no'
    ]


def test_has_seniority_date_yes_with_an_empty_seniority_date_is_refused() -> None:
    text = VALID + "  basic_information:\n    has_seniority_date: 'yes'\n    seniority_date: ''\n"

    assert errors_of(text)[0].startswith(
        "acme.yaml:8:21: profile.basic_information.seniority_date: Remote requires a seniority "
        "date when has_seniority_date is yes;"
    )


def test_closest_rule_file_guesses_a_misspelt_name() -> None:
    assert rules.closest_rule_file("nortwind.yaml") == "northwind.yaml"
    assert rules.closest_rule_file("zzz.yaml") is None
