"""Specifications of the synthetic benchmark datasets and of the committed sample data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import requests

from integration_tests.fakes import HarvestFake, RemoteFake
from integration_tests.sample_data.build_samples import greenhouse_tenant, remote_company
from integration_tests.sample_data.synthetic import (
    synthetic_remote_company,
    write_synthetic_tenant,
)
from tests.fakes.conftest import mint_token


def test_synthetic_tenant_serves_every_offer_as_current_and_eligible(tmp_path: Path) -> None:
    path = write_synthetic_tenant(tmp_path / "tenant.json", 1200, seed=3, jobs=7)

    with HarvestFake(path, rate_limit=None) as fake:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {mint_token(fake)}"
        first = session.get(
            f"{fake.base_url}/v3/offers", params={"current_only": "true", "per_page": "500"}
        )
        second = session.get(first.links["next"]["url"])
        third = session.get(second.links["next"]["url"])
        offers = first.json() + second.json() + third.json()

    assert len(offers) == len({offer["application_id"] for offer in offers}) == 1200
    assert "next" not in third.links
    assert {
        offer["custom_fields"]["send_new_hire_information_to_remote_for_onboarding"]["value"]
        for offer in offers
    } == {True}
    assert len(fake.records("jobs")) == 7


def test_synthetic_tenant_shares_candidates_when_asked(tmp_path: Path) -> None:
    path = write_synthetic_tenant(tmp_path / "tenant.json", 100, candidates_per_offer=0.25)

    data = json.loads(path.read_text("utf-8"))

    assert len(data["candidates"]) == 25
    assert {offer["candidate_id"] for offer in data["offers"]} == {
        c["id"] for c in data["candidates"]
    }


def test_synthetic_tenant_is_the_same_for_the_same_seed(tmp_path: Path) -> None:
    one = write_synthetic_tenant(tmp_path / "one.json", 50, seed=9).read_bytes()
    two = write_synthetic_tenant(tmp_path / "two.json", 50, seed=9).read_bytes()

    assert one == two


def test_synthetic_remote_company_loads_with_its_employments() -> None:
    with RemoteFake(synthetic_remote_company(40, seed=1)) as fake:
        listed = requests.get(
            f"{fake.base_url}/v1/employments",
            params={"page_size": "100"},
            headers={"Authorization": "Bearer ra_test_demo_token"},
        ).json()["data"]

    assert listed["total_count"] == 40
    assert len(fake.employments_by_email("existing7@example.org")) == 1


def test_committed_sample_data_matches_the_generator(
    tenant: dict[str, Any], company: dict[str, Any]
) -> None:
    assert tenant == greenhouse_tenant()
    assert company == remote_company()


def test_sample_tenant_has_every_case_the_brief_lists(tenant: dict[str, Any]) -> None:
    offers = tenant["offers"]
    candidates = {candidate["id"]: candidate for candidate in tenant["candidates"]}
    sends = [
        o["custom_fields"]["send_new_hire_information_to_remote_for_onboarding"]["value"]
        for o in offers
    ]

    assert len(offers) >= 25
    assert {o["status"] for o in offers} == {"Created", "Accepted", "Rejected", "Deprecated"}
    assert {True, False, None, "Yes"} <= set(sends)
    assert sum(o["starts_on"] is None for o in offers) == 1
    assert sum(o["starts_on"] == "2026-12-25" for o in offers) == 1
    assert candidates[77350001]["email_addresses"] == []
    assert [e["type"] for e in candidates[77341290]["email_addresses"]] == [
        "work",
        "personal",
        "other",
    ]
    assert sum(candidate["private"] for candidate in candidates.values()) == 1
