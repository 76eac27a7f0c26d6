"""The shared sample tenant, read end to end: exactly the events the demo relies on."""

from __future__ import annotations

from pathlib import Path

from tests.source.conftest import records_of

SAMPLE = Path(__file__).parents[2] / "integration_tests" / "sample_data" / "greenhouse_tenant.json"
APPLICATIONS = [90214477 + 11 * n for n in range(19)]
APPLICATIONS[3] = 90214533  # ids are spaced by 11, except this one in the sample
HIRED = [
    90214477, 90214501, 90214522, 90214533, 90214555, 90214566,
    90214588, 90214599, 90214610, 90214643, 90214654, 90214676,
]  # fmt: skip


def _demo_config(harvest) -> dict:
    return harvest.config(client_id="demo-client-id", client_secret="demo-client-secret")


def test_sample_tenant_gives_one_offer_event_per_application(harvest_with):
    harvest = harvest_with(SAMPLE)

    events = records_of(harvest.read(_demo_config(harvest), streams=("offers",)), "offers")

    by_application = {event["application_id"]: event for event in events}
    assert len(events) == 19 == len(by_application)
    assert by_application[90214522]["event_id"] == "offer_created:90214522"
    assert by_application[90214522]["offer"]["id"] == 48123091
    assert by_application[90214522]["candidate"]["last_name"] == "Ångström-Núñez"
    assert by_application[90214522]["job"]["id"] == 4410051
    assert by_application[90214654]["flags"] == ["candidate_private"]
    assert all(event["candidate"] and event["job"] for event in events)


def test_sample_tenant_gives_a_hire_event_per_hired_application(harvest_with):
    harvest = harvest_with(SAMPLE)

    events = records_of(harvest.read(_demo_config(harvest), streams=("hires",)), "hires")

    assert sorted(event["event_id"] for event in events) == [
        f"candidate_hired:{application_id}" for application_id in sorted(HIRED)
    ]
    accepted = {event["application_id"]: event["offer"]["id"] for event in events}
    assert accepted[90214477] == 48120931
    assert accepted[90214676] == 48123706
    send = events[0]["offer"]["custom_fields"][
        "send_new_hire_information_to_remote_for_onboarding"
    ]
    assert send["name"] == "Send New Hire information to Remote for Onboarding"
