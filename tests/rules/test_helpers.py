"""The helpers and filters of mapping templates, and how mapped values are cleaned."""

from __future__ import annotations

from typing import Any

import pytest

import rules
from rules import values
from tests.rules.events import changed, offer_created
from tests.rules.rule_text import mapping_rule


def mapped(
    target: str, template: str, event: dict[str, Any] | None = None, extra: str = ""
) -> rules.Decision:
    return rules.decide(mapping_rule(target, template, extra), event or offer_created())


def basic(decision: rules.Decision, key: str) -> Any:
    assert decision.action == "send", decision.reason
    assert decision.profile is not None
    return decision.profile["basic_information"].get(key)


def error_of(decision: rules.Decision) -> tuple[str, str]:
    assert decision.action == "invalid"
    return decision.errors[0].field, decision.errors[0].message


# --- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "sent"),
    [
        ("2027-01-04", "2027-01-04"),
        ("2027-01-04T00:00:00.000Z", "2027-01-04"),
        ("2027-01-04T23:30:00-05:00", "2027-01-04"),
        ("01/04/2027", "2027-01-04"),
        ("1/4/2027", "2027-01-04"),
        (" 2027-01-04 ", "2027-01-04"),
    ],
)
def test_start_dates_in_every_accepted_form_become_yyyy_mm_dd(given: str, sent: str) -> None:
    event = changed(offer_created(), "offer.starts_on", given)

    assert (
        basic(
            mapped("provisional_start_date", "{{ offer.starts_on | date }}", event),
            "provisional_start_date",
        )
        == sent
    )


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("2027-02-30", "'2027-02-30' is not a calendar date"),
        ("13/01/2027", "'13/01/2027' is not a calendar date"),
        (
            "04.01.2027",
            "'04.01.2027' is not a date (expected YYYY-MM-DD, YYYY-MM-DDThh:mm:ss… or MM/DD/YYYY)",
        ),
        (
            "2027-01-04junk",
            "'2027-01-04junk' is not a date (expected YYYY-MM-DD, "
            "YYYY-MM-DDThh:mm:ss… or MM/DD/YYYY)",
        ),
        (
            20270104,
            "20270104 is not a date (expected YYYY-MM-DD, YYYY-MM-DDThh:mm:ss… or MM/DD/YYYY)",
        ),
    ],
)
def test_malformed_start_date_is_invalid_naming_the_field(given: Any, message: str) -> None:
    event = changed(offer_created(), "offer.starts_on", given)

    decision = mapped("provisional_start_date", "{{ offer.starts_on | date }}", event)

    assert error_of(decision) == ("basic_information.provisional_start_date", message)


def test_start_date_is_normalised_even_without_the_date_filter() -> None:
    event = changed(offer_created(), "offer.starts_on", "01/04/2027")

    decision = mapped("provisional_start_date", "{{ offer.starts_on }}", event)

    assert basic(decision, "provisional_start_date") == "2027-01-04"


def test_webhook_style_starts_at_can_be_the_fallback() -> None:
    event = changed(offer_created(), "offer.starts_on", ...)
    event = changed(event, "offer.starts_at", "02/01/2027")

    decision = mapped(
        "provisional_start_date", "{{ (offer.starts_on or offer.starts_at) | date }}", event
    )

    assert basic(decision, "provisional_start_date") == "2027-02-01"


# --- countries -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ("PT", "PRT"),
        ("pt", "PRT"),
        ("PRT", "PRT"),
        ("Portugal", "PRT"),
        ("United Kingdom", "GBR"),
        ("UK", "GBR"),
        ("USA", "USA"),
        ("United States", "USA"),
        ("Côte d'Ivoire", "CIV"),
        ("Cote d’Ivoire", "CIV"),
        ("Ivory Coast", "CIV"),
        ("Germany", "DEU"),
        ("  germany ", "DEU"),
    ],
)
def test_country_as_alpha2_alpha3_or_name_becomes_alpha3(given: str, code: str) -> None:
    event = offer_created(country=given)

    decision = mapped(
        "country_code", "{{ offer_field('Country of Employment') | country_code }}", event
    )

    assert decision.profile is not None
    assert decision.profile["country_code"] == code


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("Narnia", "'Narnia' is not a known country (give an ISO code or English name)"),
        (None, "no country given"),
        (42, "42 is not a country"),
    ],
)
def test_unknown_or_absent_country_is_invalid(given: Any, message: str) -> None:
    decision = mapped(
        "country_code", "{{ offer_field('Country of Employment') }}", offer_created(country=given)
    )

    assert error_of(decision) == ("country_code", message)


def test_missing_country_field_names_the_field() -> None:
    event = changed(offer_created(), "offer.custom_fields.country_of_employment", ...)

    decision = mapped("country_code", "{{ offer_field('Country of Employment') }}", event)

    assert error_of(decision) == ("country_code", "offer field 'Country of Employment' is missing")


def test_constant_country_is_sent_as_alpha3() -> None:
    decision = mapped("country_code", "de")

    assert decision.profile is not None
    assert decision.profile["country_code"] == "DEU"


# --- e-mails -------------------------------------------------------------------------------


def emails(*pairs: tuple[str, str]) -> dict[str, Any]:
    addresses = [{"value": value, "type": kind} for value, kind in pairs]
    return changed(offer_created(), "candidate.email_addresses", addresses)


def test_personal_email_is_preferred_over_other_and_work() -> None:
    event = emails(("w@work.test", "work"), ("o@other.test", "other"), ("p@home.test", "personal"))

    assert basic(mapped("email", "{{ personal_email(candidate) }}", event), "email") == (
        "p@home.test"
    )


def test_other_email_is_used_before_work_when_no_personal_one() -> None:
    event = emails(("w@work.test", "work"), ("o@other.test", "other"))

    assert basic(mapped("email", "{{ personal_email(candidate) }}", event), "email") == (
        "o@other.test"
    )


def test_first_address_of_the_preferred_type_wins() -> None:
    event = emails(("first@home.test", "personal"), ("second@home.test", "personal"))

    assert basic(mapped("email", "{{ personal_email(candidate) }}", event), "email") == (
        "first@home.test"
    )


def test_email_preference_order_is_configurable() -> None:
    event = emails(("p@home.test", "personal"), ("w@work.test", "work"))

    decision = mapped(
        "email",
        "{{ personal_email(candidate) }}",
        event,
        extra="email_preference: [work, personal]",
    )

    assert basic(decision, "email") == "w@work.test"


def test_email_preference_narrowed_to_personal_reports_what_was_looked_for() -> None:
    event = emails(("w@work.test", "work"))

    decision = mapped(
        "email", "{{ personal_email(candidate) }}", event, extra="email_preference: [personal]"
    )

    assert error_of(decision) == (
        "basic_information.email",
        "candidate 77341290 has no personal e-mail",
    )


def test_emails_are_trimmed_and_lower_cased() -> None:
    event = emails(("  Ines.Personal@Example.TEST ", "personal"))

    decision = mapped("email", "{{ personal_email(candidate) }}", event)

    assert basic(decision, "email") == "ines.personal@example.test"
    assert decision.personal_email == "ines.personal@example.test"


def test_blank_personal_address_falls_through_to_the_next_type() -> None:
    event = emails(("  ", "personal"), ("o@other.test", "other"))

    assert basic(mapped("email", "{{ personal_email(candidate) }}", event), "email") == (
        "o@other.test"
    )


@pytest.mark.parametrize(
    "bad", ["not-an-email", "two@@example.test", "a b@example.test", "x@localhost"]
)
def test_invalid_email_syntax_is_invalid(bad: str) -> None:
    decision = mapped("email", "{{ personal_email(candidate) }}", emails((bad, "personal")))

    assert error_of(decision) == (
        "basic_information.email",
        f"{values.show(bad.lower())} is not a valid e-mail address",
    )


def test_work_email_is_optional_and_omitted_when_absent() -> None:
    decision = mapped(
        "work_email", "{{ email_of_type(candidate, 'work') }}", emails(("p@home.test", "personal"))
    )

    assert basic(decision, "work_email") is None
    assert decision.profile is not None
    assert "work_email" not in decision.profile["basic_information"]


def test_work_email_is_mapped_when_present() -> None:
    decision = mapped(
        "work_email", "{{ email_of_type(candidate, 'work') }}", emails(("W@Work.test", "work"))
    )

    assert basic(decision, "work_email") == "w@work.test"


# --- names ---------------------------------------------------------------------------------


def test_full_name_joins_first_and_last_in_nfc() -> None:
    decomposed = "Ine\u0301s"
    event = changed(offer_created(), "candidate.first_name", decomposed)

    name = basic(mapped("name", "{{ full_name(candidate) }}", event), "name")

    assert name == "Inés Carvalho-Moreau"
    assert name.startswith("In\u00e9s")


def test_full_name_of_two_parts_collapses_whitespace() -> None:
    event = changed(offer_created(), "candidate.first_name", "  Ana   Maria ")

    decision = mapped("name", "{{ full_name(candidate.first_name, candidate.last_name) }}", event)

    assert basic(decision, "name") == "Ana Maria Carvalho-Moreau"


def test_text_template_of_first_and_last_name_is_cleaned() -> None:
    event = changed(offer_created(), "candidate.last_name", " Moreau  ")

    decision = mapped("name", "{{ candidate.first_name }} {{ candidate.last_name }}", event)

    assert basic(decision, "name") == "Ines Moreau"


def test_full_name_with_only_a_last_name_still_sends() -> None:
    event = changed(offer_created(), "candidate.first_name", None)

    assert basic(mapped("name", "{{ full_name(candidate) }}", event), "name") == (
        "Carvalho-Moreau"
    )


def test_candidate_without_any_name_is_invalid() -> None:
    event = changed(offer_created(), "candidate.first_name", None)
    event = changed(event, "candidate.last_name", "")

    decision = mapped("name", "{{ full_name(candidate) }}", event)

    assert error_of(decision) == (
        "basic_information.name",
        "the candidate has no first or last name",
    )


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{ first_name('Maria da Silva') }}", "Maria"),
        ("{{ last_name('Maria da Silva') }}", "da Silva"),
        ("{{ 'Maria da Silva' | first_name }}", "Maria"),
        ("{{ 'Maria da Silva' | last_name }}", "da Silva"),
    ],
)
def test_first_and_last_name_split_a_full_name(template: str, expected: str) -> None:
    assert basic(mapped("department", template), "department") == expected


def test_last_name_of_a_single_word_is_missing() -> None:
    decision = mapped("name", "{{ last_name('Madonna') }}")

    assert error_of(decision) == ("basic_information.name", "'Madonna' has no last name")


def test_too_long_text_is_invalid() -> None:
    event = changed(offer_created(), "job.name", "x" * 300)

    decision = mapped("job_title", "{{ job.name }}", event)

    assert error_of(decision) == (
        "basic_information.job_title",
        "is 300 characters long; Remote accepts at most 255",
    )


# --- lookups, fallbacks, constants ----------------------------------------------------------

LOOKUPS = "lookups:\n  offices: {6601002: PRT, 6601009: DEU}\n  departments: {7712003: Data}"


def test_lookup_reads_a_customer_table() -> None:
    decision = mapped("country_code", "{{ lookup('offices', job.office_ids[0]) }}", extra=LOOKUPS)

    assert decision.profile is not None
    assert decision.profile["country_code"] == "PRT"


def test_lookup_without_an_entry_is_missing_with_the_key() -> None:
    event = changed(offer_created(), "job.office_ids", [6601777])

    decision = mapped(
        "country_code", "{{ lookup('offices', job.office_ids[0]) }}", event, extra=LOOKUPS
    )

    assert error_of(decision) == ("country_code", "lookup 'offices' has no entry for 6601777")


def test_lookup_of_an_empty_list_index_is_missing() -> None:
    event = changed(offer_created(), "job.office_ids", [])

    decision = mapped(
        "country_code", "{{ lookup('offices', job.office_ids[0]) }}", event, extra=LOOKUPS
    )

    assert error_of(decision) == ("country_code", "job.office_ids[0] is missing")


def test_optional_lookup_mapping_is_omitted_when_no_entry() -> None:
    event = changed(offer_created(), "job.department_id", 1)

    decision = mapped(
        "department", "{{ lookup('departments', job.department_id) }}", event, extra=LOOKUPS
    )

    assert basic(decision, "department") is None


def test_or_falls_back_to_the_next_value() -> None:
    event = changed(offer_created(), "candidate.preferred_name", None)

    decision = mapped("name", "{{ candidate.preferred_name or full_name(candidate) }}", event)

    assert basic(decision, "name") == "Ines Carvalho-Moreau"


def test_default_filter_gives_a_constant_for_a_missing_value() -> None:
    decision = mapped("department", "{{ job.department_name | default('Engineering') }}")

    assert basic(decision, "department") == "Engineering"


def test_constant_text_is_sent_as_is() -> None:
    assert basic(mapped("tax_job_category", "senior"), "tax_job_category") == "senior"


def test_jinja_expression_beyond_the_fast_path_is_evaluated() -> None:
    decision = mapped("job_title", "{{ job.name ~ ' (' ~ job.requisition_id ~ ')' }}")

    assert basic(decision, "job_title") == "Senior Data Engineer (ENG-0412)"


def test_employment_type_can_come_from_a_custom_field() -> None:
    event = changed(offer_created(), "offer.custom_fields.employment_type.value", "Contractor")

    decision = mapped("type", "{{ offer_field('Employment Type') | lower }}", event)

    assert decision.profile is not None
    assert decision.profile["type"] == "contractor"


def test_unknown_employment_type_from_data_is_invalid() -> None:
    decision = mapped("type", "{{ offer_field('Employment Type') }}")

    assert error_of(decision) == (
        "type",
        "'Full-time' is not one of employee, contractor, global_payroll_employee, hris",
    )


def test_seniority_date_is_sent_only_when_has_seniority_date_says_yes() -> None:
    profile_yes = "{{ 'yes' if offer.sent_on else 'no' }}"
    rule = rules.load_rule_text(
        "version: 1\ncustomer: acme\ntrigger: offer_created\nprofile:\n  country_code: PRT\n"
        f"  basic_information:\n    has_seniority_date: {profile_yes!r}\n"
        "    seniority_date: '{{ offer.sent_on | date }}'\n"
    )

    sent = rules.decide(rule, offer_created())
    unsent = rules.decide(rule, changed(offer_created(), "offer.sent_on", None))

    assert sent.profile is not None and unsent.profile is not None
    assert sent.profile["basic_information"]["seniority_date"] == "2026-10-02"
    assert sent.profile["basic_information"]["has_seniority_date"] == "yes"
    assert "seniority_date" not in unsent.profile["basic_information"]
    assert unsent.profile["basic_information"]["has_seniority_date"] == "no"


def test_tax_servicing_countries_become_a_list_of_alpha3() -> None:
    rule = rules.load_rule_text(
        "version: 1\ncustomer: acme\ntrigger: offer_created\nprofile:\n  country_code: PRT\n"
        "  basic_information:\n    tax_servicing_countries: [PT, Germany]\n"
    )

    decision = rules.decide(rule, offer_created())

    assert basic(decision, "tax_servicing_countries") == ["PRT", "DEU"]


def test_dictionary_field_named_like_a_method_reads_the_field() -> None:
    event = changed(offer_created(), "job.items", "Laptop")

    decision = mapped("department", "{{ job['items'] }}", event)

    assert basic(decision, "department") == "Laptop"


def test_sandbox_refuses_private_attributes_as_a_missing_value_not_a_crash() -> None:
    decision = mapped("job_title", "{{ (job.name ~ '').__class__.__mro__ }}")

    assert error_of(decision) == (
        "basic_information.job_title",
        "{{ (job.name ~ '').__class__.__mro__ }} has no value",
    )


def test_filter_that_fails_on_the_data_makes_only_that_field_invalid() -> None:
    decision = mapped("department", "{{ job.name | round }}")

    assert error_of(decision) == (
        "basic_information.department",
        "{{ job.name | round }} failed: TypeError",
    )


@pytest.mark.parametrize("template", ["{{ job.name * 100000000 }}", "{{ 10 ** 100000000 }}"])
def test_templates_cannot_build_huge_values(template: str) -> None:
    decision = mapped("department", template)

    assert error_of(decision) == (
        "basic_information.department",
        f"{template} failed: SecurityError",
    )


def test_has_seniority_date_template_saying_yes_without_seniority_date_is_invalid() -> None:
    rule = rules.load_rule_text(
        "version: 1\ncustomer: acme\ntrigger: offer_created\nprofile:\n  country_code: PRT\n"
        "  basic_information:\n"
        "    has_seniority_date: \"{{ 'yes' if offer.sent_on else 'no' }}\"\n"
    )

    decision = rules.decide(rule, offer_created())
    unsent = rules.decide(rule, changed(offer_created(), "offer.sent_on", None))

    assert decision.action == "invalid"
    assert error_of(decision) == (
        "basic_information.seniority_date",
        "is required because has_seniority_date is yes; map seniority_date in the rule",
    )
    assert unsent.action == "send"
