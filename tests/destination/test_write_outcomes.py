"""write() against the Remote fake: every outcome, with ledger rows and request counts."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, cast

import pytest
from airbyte_cdk.models import FailureType, Type
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from integration_tests.fakes.remote import RemoteFake
from tests.destination.builders import (
    HOLIDAY,
    READ_ONLY_TOKEN,
    TODAY,
    company,
    make_config,
    offer_event,
    outcomes_of,
    record,
    records_then_state,
    state,
    write,
)


def test_new_hire_is_created_once_with_external_id_naming_the_application(
    remote: RemoteFake, ledger_path: Path
) -> None:
    event = offer_event("Ada.New@Example.test ", application_id=9101)

    out = write(make_config(remote, ledger_path), records_then_state([event]))

    [employment] = remote.employments
    assert employment["external_id"] == "greenhouse-application-9101"
    assert employment["personal_email"] == "ada.new@example.test"
    assert remote.request_count("POST", "/v1/employments") == 1
    assert remote.request_count() == 2  # page 1 of the listing, then the create
    [row] = outcomes_of(ledger_path)
    assert (row["outcome"], row["employment_id"]) == ("created", employment["id"])
    assert row["reason"] == f"created employment {employment['id']}"
    assert [message.type for message in out] == [Type.STATE]


def test_duplicate_email_owned_by_us_is_already_synced(
    remote: RemoteFake, ledger_path: Path
) -> None:
    ours = remote.add_employment(
        personal_email="ines@example.test", external_id="greenhouse-application-9102"
    )

    write(
        make_config(remote, ledger_path),
        records_then_state([offer_event("ines@example.test", application_id=9102)]),
    )

    [row] = outcomes_of(ledger_path)
    assert (row["outcome"], row["employment_id"]) == ("already_synced", ours["id"])
    assert remote.request_count("POST") == 0
    assert len(remote.employments) == 1


def test_employment_of_another_application_of_the_same_person_is_not_duplicated(
    remote: RemoteFake, ledger_path: Path
) -> None:
    earlier = remote.add_employment(
        personal_email="ines@example.test", external_id="greenhouse-application-1"
    )

    write(
        make_config(remote, ledger_path),
        records_then_state([offer_event("ines@example.test", application_id=9103)]),
    )

    [row] = outcomes_of(ledger_path)
    assert row["outcome"] == "already_synced"
    assert row["employment_id"] == earlier["id"]
    assert "application 1" in str(row["reason"])
    assert remote.request_count("POST") == 0


def test_someone_elses_employment_is_a_conflict_when_the_rule_says_skip(
    remote: RemoteFake, ledger_path: Path
) -> None:
    theirs = remote.add_employment(personal_email="oliver@example.test", external_id="hris-4471")

    write(
        make_config(remote, ledger_path), records_then_state([offer_event("oliver@example.test")])
    )

    [row] = outcomes_of(ledger_path)
    assert row["outcome"] == "conflict"
    assert theirs["id"] in str(row["reason"]) and "hris-4471" in str(row["reason"])
    assert "oliver@example.test" not in str(row["reason"])
    assert remote.request_count("POST") == 0 and remote.request_count("PATCH") == 0


def test_conflict_with_update_policy_patches_basic_information_while_created(
    remote: RemoteFake, ledger_path: Path
) -> None:
    theirs = remote.add_employment(
        personal_email="oliver@example.test", external_id="hris-4471", job_title="Old title"
    )
    config = make_config(remote, ledger_path, on_conflict="update")

    write(config, records_then_state([offer_event("oliver@example.test")]))

    [row] = outcomes_of(ledger_path)
    assert (row["outcome"], row["employment_id"]) == ("updated", theirs["id"])
    assert "basic_information.job_title" in str(row["reason"])
    [employment] = remote.employments
    assert employment["job_title"] == "Data Engineer"
    assert employment["external_id"] == "hris-4471"
    assert remote.request_count("PATCH") == 1 and remote.request_count("POST") == 0


def test_conflict_with_update_policy_changes_nothing_an_active_employment_locks(
    remote: RemoteFake, ledger_path: Path
) -> None:
    remote.add_employment(
        personal_email="oliver@example.test", external_id="hris-4471", status="active"
    )
    config = make_config(remote, ledger_path, on_conflict="update")

    write(config, records_then_state([offer_event("oliver@example.test")]))

    [row] = outcomes_of(ledger_path)
    assert row["outcome"] == "conflict"
    assert "status active allows no change" in str(row["reason"])
    assert "basic_information.job_title" in str(row["reason"])
    assert remote.request_count("PATCH") == 0


def test_conflict_with_fail_policy_stops_the_sync_after_recording_outcomes(
    remote: RemoteFake, ledger_path: Path
) -> None:
    remote.add_employment(personal_email="oliver@example.test", external_id="hris-4471")
    events = [
        offer_event("first@example.test"),
        offer_event("oliver@example.test"),
        offer_event("never@example.test"),
    ]
    produced: list[object] = []

    with pytest.raises(AirbyteTracedException) as raised:
        produced.extend(
            write(make_config(remote, ledger_path, on_conflict="fail"), records_then_state(events))
        )

    assert raised.value.failure_type == FailureType.config_error
    assert "on_conflict" in str(raised.value.message)
    assert produced == []
    assert [row["outcome"] for row in outcomes_of(ledger_path)] == ["created", "conflict"]
    assert remote.request_count("POST") == 1


def test_records_of_another_trigger_are_skipped(remote: RemoteFake, ledger_path: Path) -> None:
    hired = offer_event("x@example.test")
    hired["trigger"] = "candidate_hired"

    write(make_config(remote, ledger_path), records_then_state([hired]))

    [row] = outcomes_of(ledger_path)
    assert row["outcome"] == "skipped"
    assert "offer_created" in str(row["reason"])
    assert remote.request_count() == 0


def test_bad_records_are_invalid_naming_record_and_field_and_others_go_on(
    remote: RemoteFake, ledger_path: Path
) -> None:
    missing = offer_event("a@example.test", application_id=9201)
    del missing["application_id"]
    wrong_type = offer_event("b@example.test", application_id=9202)
    wrong_type["application_id"] = "9202"
    good = offer_event("c@example.test", application_id=9203)

    write(make_config(remote, ledger_path), records_then_state([missing, wrong_type, good]))

    rows = outcomes_of(ledger_path)
    assert [row["outcome"] for row in rows] == ["invalid", "invalid", "created"]
    assert "offer_created:9201" in str(rows[0]["reason"])
    assert "application_id" in str(rows[0]["reason"])
    assert "application_id" in str(rows[1]["reason"]) and "integer" in str(rows[1]["reason"])
    assert remote.request_count("POST") == 1


def test_a_record_that_is_not_an_object_is_invalid(remote: RemoteFake, ledger_path: Path) -> None:
    not_an_object = cast(dict[str, Any], ["not", "an", "object"])
    message = record(not_an_object)

    write(make_config(remote, ledger_path), [message, state("c")])

    [row] = outcomes_of(ledger_path)
    assert row["outcome"] == "invalid"
    assert "record #1" in str(row["reason"]) and "list" in str(row["reason"])


def test_event_the_rule_finds_invalid_names_the_field(
    remote: RemoteFake, ledger_path: Path
) -> None:
    write(make_config(remote, ledger_path), records_then_state([offer_event(None)]))

    [row] = outcomes_of(ledger_path)
    assert row["outcome"] == "invalid"
    assert "basic_information.email" in str(row["reason"])
    assert remote.request_count() == 0


@pytest.mark.parametrize("shape", ["map", "list"])
def test_holiday_start_date_is_invalid_and_not_retried(
    shape: Literal["map", "list"], ledger_path: Path
) -> None:
    with RemoteFake(company(), today=TODAY, validation_error_shape=shape) as fake:
        config = make_config(fake, ledger_path, lookup_strategy="per_email")
        write(config, records_then_state([offer_event("h@example.test", starts_on=HOLIDAY)]))

        [row] = outcomes_of(ledger_path)
        assert row["outcome"] == "invalid"
        assert "provisional_start_date" in str(row["reason"])
        assert "holiday" in str(row["reason"])
        assert fake.request_count("POST") == 1
        assert fake.employments == []


def test_start_date_too_soon_is_invalid(remote: RemoteFake, ledger_path: Path) -> None:
    write(
        make_config(remote, ledger_path),
        records_then_state([offer_event("s@example.test", starts_on=TODAY)]),
    )

    [row] = outcomes_of(ledger_path)
    assert row["outcome"] == "invalid"
    assert "provisional_start_date" in str(row["reason"])
    assert remote.request_count("POST") == 1


def test_server_errors_on_look_up_end_in_failed_and_the_sync_goes_on(
    remote: RemoteFake, ledger_path: Path
) -> None:
    config = make_config(remote, ledger_path, lookup_strategy="per_email")
    remote.fail_next(503, count=4, method="GET", path="/v1/employments")

    write(
        config, records_then_state([offer_event("f@example.test"), offer_event("g@example.test")])
    )

    rows = outcomes_of(ledger_path)
    assert [row["outcome"] for row in rows] == ["failed", "created"]
    assert "503" in str(rows[0]["reason"])
    assert remote.request_count("GET") == 5


def test_wrong_token_stops_the_sync_with_a_config_error(
    remote: RemoteFake, ledger_path: Path
) -> None:
    config = make_config(remote, ledger_path, api_token="ra_test_revoked")

    with pytest.raises(AirbyteTracedException) as raised:
        write(config, records_then_state([offer_event()]))

    assert raised.value.failure_type == FailureType.config_error
    assert "401" in str(raised.value.message)
    assert "ra_test_revoked" not in str(raised.value.message)


def test_read_only_token_stops_the_sync_with_a_config_error(
    remote: RemoteFake, ledger_path: Path
) -> None:
    config = make_config(remote, ledger_path, api_token=READ_ONLY_TOKEN)

    with pytest.raises(AirbyteTracedException) as raised:
        write(config, records_then_state([offer_event()]))

    assert raised.value.failure_type == FailureType.config_error
    assert "403" in str(raised.value.message) and "Full Access" in str(raised.value.message)
    assert remote.employments == []


def test_dry_run_decides_and_looks_up_but_writes_nothing(
    remote: RemoteFake, ledger_path: Path
) -> None:
    remote.add_employment(personal_email="oliver@example.test", external_id="hris-4471")
    config = make_config(remote, ledger_path, dry_run=True, on_conflict="update")

    write(
        config,
        records_then_state([offer_event("d@example.test"), offer_event("oliver@example.test")]),
    )

    rows = outcomes_of(ledger_path)
    assert [(row["outcome"], row["dry_run"]) for row in rows] == [
        ("created", True),
        ("updated", True),
    ]
    assert rows[0]["reason"] == "dry run: would create"
    assert remote.request_count("POST") == 0 and remote.request_count("PATCH") == 0
    assert len(remote.employments) == 1


def test_conflict_with_update_policy_changes_only_work_email_once_invited(
    remote: RemoteFake, ledger_path: Path
) -> None:
    theirs = remote.add_employment(
        personal_email="oliver@example.test",
        external_id="hris-4471",
        status="invited",
        full_name="Oliver Pritchard",
        job_title="Designer",
        provisional_start_date="2027-01-11",
    )
    rule_yaml = (
        "version: 1\ncustomer: testco\ntrigger: offer_created\non_conflict: update\n"
        "profile:\n  country_code: PRT\n  basic_information:\n"
        "    work_email: oliver@corp.example.test\n"
    )
    rule = {"rule_source": "yaml", "rule_yaml": rule_yaml}

    write(
        make_config(remote, ledger_path, rule=rule),
        records_then_state([offer_event("oliver@example.test")]),
    )

    [row] = outcomes_of(ledger_path)
    assert (row["outcome"], row["employment_id"]) == ("updated", theirs["id"])
    assert "work_email" in str(row["reason"])
    assert "not changed (status invited forbids): basic_information.name" in str(row["reason"])
    [employment] = remote.employments
    assert employment["work_email"] == "oliver@corp.example.test"
    assert remote.request_count("PATCH") == 1


def test_a_profile_remote_refused_is_not_sent_again_until_it_changes(
    remote: RemoteFake, ledger_path: Path
) -> None:
    config = make_config(remote, ledger_path)
    refused = offer_event("h@example.test", application_id=9501, starts_on=HOLIDAY)
    write(config, records_then_state([refused]))

    write(config, records_then_state([refused]))
    after_repeat = remote.request_count()
    write(config, records_then_state([offer_event("h@example.test", application_id=9501)]))

    rows = outcomes_of(ledger_path)
    assert [row["outcome"] for row in rows] == ["invalid", "invalid", "created"]
    assert "refused before" in str(rows[1]["reason"]) and "holiday" in str(rows[1]["reason"])
    assert after_repeat == 2  # the first sync's listing and create; the repeat sent nothing
    assert remote.request_count("POST") == 2
