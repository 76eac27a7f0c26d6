"""The whole path on the sample data: Harvest fake, source, rules, destination, Remote fake.

Every sample event's outcome is asserted, and so is every request each fake saw, so a change
that costs an extra call or changes a decision shows up here first.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hires_cli.sync import SyncReport, run_sync
from integration_tests.fakes.harvest import HarvestFake
from integration_tests.fakes.remote import RemoteFake
from integration_tests.local_configs import destination_config, source_config

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "integration_tests" / "sample_data"

# application id -> (outcome, a word the reason must contain)
NORTHWIND_OFFERS = {
    90214477: ("already_synced", "greenhouse-application-90214477"),
    90214501: ("conflict", "hris-4471"),
    90214522: ("created", ""),
    90214533: ("invalid", "email"),
    90214544: ("created", ""),
    90214555: ("created", ""),
    90214566: ("skipped", "Send New Hire information to Remote for Onboarding"),
    90214577: ("skipped", "Send New Hire information to Remote for Onboarding"),
    90214588: ("created", ""),
    90214599: ("invalid", "country_code"),
    90214610: ("invalid", "provisional_start_date"),
    90214621: ("invalid", "provisional_start_date"),
    90214632: ("skipped", "offer.status"),
    90214643: ("created", ""),
    90214654: ("created", ""),
    90214665: ("created", ""),
    90214676: ("created", ""),
    90214687: ("skipped", "Send New Hire information to Remote for Onboarding"),
    90214698: ("created", ""),
}
# globex names the yes/no field by its immutable key, so its reasons do too.
GLOBEX_HIRES = {
    application: (
        NORTHWIND_OFFERS[application][0],
        NORTHWIND_OFFERS[application][1].replace(
            "Send New Hire information to Remote for Onboarding",
            "send_new_hire_information_to_remote_for_onboarding",
        ),
    )
    for application in (
        90214477, 90214501, 90214522, 90214533, 90214555, 90214566,
        90214588, 90214599, 90214610, 90214643, 90214654, 90214676,
    )
}  # fmt: skip


@pytest.fixture
def harvest() -> Iterator[HarvestFake]:
    tenant = json.loads((SAMPLES / "greenhouse_tenant.json").read_text(encoding="utf-8"))
    with HarvestFake(tenant) as fake:
        yield fake


@pytest.fixture
def remote() -> Iterator[RemoteFake]:
    company = json.loads((SAMPLES / "remote_company.json").read_text(encoding="utf-8"))
    with RemoteFake(company, rate_limit_per_minute=1000) as fake:
        yield fake


def _sync(
    customer: str,
    harvest: HarvestFake,
    remote: RemoteFake,
    tmp_path: Path,
    lookup_strategy: str = "auto",
    **options: Any,
) -> SyncReport:
    source = source_config(harvest)
    destination = destination_config(
        remote,
        rule=f"{customer}.yaml",
        ledger_path=tmp_path / "ledger.sqlite",
        lookup_strategy=lookup_strategy,
    )
    return run_sync(source, destination, state_file=tmp_path / "state.json", **options)


def _outcomes(report: SyncReport) -> dict[int, tuple[str, str]]:
    return {row["application_id"]: (row["outcome"], row["reason"]) for row in report.outcomes}


def _assert_outcomes(report: SyncReport, expected: dict[int, tuple[str, str]]) -> None:
    actual = _outcomes(report)
    assert {app: outcome for app, (outcome, _) in actual.items()} == {
        app: outcome for app, (outcome, _) in expected.items()
    }
    for application, (_, word) in expected.items():
        assert word in actual[application][1], (application, actual[application][1])


def test_offer_created_customer_gets_every_sample_offer_right(harvest, remote, tmp_path):
    report = _sync("northwind", harvest, remote, tmp_path)

    assert report.stream == "offers"
    assert report.events_read == 19
    _assert_outcomes(report, NORTHWIND_OFFERS)
    created = {e["external_id"]: e for e in remote.employments if e.get("external_id")}
    assert created["greenhouse-application-90214522"]["full_name"] == "Zoë Ångström-Núñez"
    assert created["greenhouse-application-90214522"]["country_code"] == "DEU"
    assert created["greenhouse-application-90214643"]["personal_email"].endswith("example.test")
    assert len(remote.employments_by_email("oliver.pritchard@example.net")) == 1


HARVEST_PATHS = ("/token", "/v3/custom_fields", "/v3/offers", "/v3/applications",
                 "/v3/candidates", "/v3/jobs")  # fmt: skip


@pytest.mark.parametrize("customer", ["northwind", "globex"])
def test_each_harvest_resource_is_read_once_for_the_sample_tenant(
    customer, harvest, remote, tmp_path
):
    _sync(customer, harvest, remote, tmp_path)

    assert {path: harvest.request_count(path=path) for path in HARVEST_PATHS} == dict.fromkeys(
        HARVEST_PATHS, 1
    )
    assert len(harvest.requests) == 6


@pytest.mark.parametrize(
    ("customer", "strategy", "gets", "posts"),
    [
        # auto: 12 people to look up > 1 page of employments, so the company is listed once.
        ("northwind", "auto", 1, 10),
        ("globex", "auto", 1, 7),
        # one look-up per person the rule sends (created, ours, the conflict, the holiday).
        ("northwind", "per_email", 12, 10),
    ],
)
def test_remote_sees_one_create_per_new_hire_and_cheapest_lookups(
    customer, strategy, gets, posts, harvest, remote, tmp_path
):
    _sync(customer, harvest, remote, tmp_path, lookup_strategy=strategy)

    assert remote.request_count("GET", "/v1/employments") == gets
    assert remote.request_count("POST", "/v1/employments") == posts  # creates + the holiday 422
    assert len(remote.requests) == gets + posts


def test_candidate_hired_customer_gets_every_sample_hire_right(harvest, remote, tmp_path):
    report = _sync("globex", harvest, remote, tmp_path)

    assert report.stream == "hires"
    assert report.events_read == 12
    _assert_outcomes(report, GLOBEX_HIRES)


def test_second_sync_creates_nothing_and_reads_nothing_new(harvest, remote, tmp_path):
    _sync("northwind", harvest, remote, tmp_path)
    employments = len(remote.employments)
    harvest.reset_counts()
    remote.reset_counts()

    again = _sync("northwind", harvest, remote, tmp_path)

    assert again.events_read == 0
    assert len(remote.employments) == employments
    assert remote.request_count("POST") == 0


def test_full_refresh_rerun_recognises_its_own_work(harvest, remote, tmp_path):
    first = _sync("northwind", harvest, remote, tmp_path)
    employments = len(remote.employments)
    remote.reset_counts()

    again = _sync("northwind", harvest, remote, tmp_path, full_refresh=True)

    assert len(remote.employments) == employments
    assert remote.request_count("POST") == 0
    created_before = {a for a, (o, _) in _outcomes(first).items() if o == "created"}
    assert {a for a, (o, _) in _outcomes(again).items() if o == "already_synced"} >= created_before


def test_rerun_without_the_ledger_still_creates_nothing_twice(harvest, remote, tmp_path):
    _sync("globex", harvest, remote, tmp_path / "first")
    employments = len(remote.employments)

    again = _sync("globex", harvest, remote, tmp_path / "fresh-machine")

    assert len(remote.employments) == employments
    assert sum(1 for _, (o, _) in _outcomes(again).items() if o == "created") == 0
