"""Specifications of the Harvest v3 fake: token flow, list endpoints, paging, filters, limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from integration_tests.fakes import HarvestFake
from tests.fakes.conftest import mint_token

SEND_KEY = "send_new_hire_information_to_remote_for_onboarding"


def list_all(session: requests.Session, url: str, params: dict[str, Any]) -> tuple[list[Any], int]:
    """Every record behind ``url`` following Link headers; also the number of pages read."""
    records: list[Any] = []
    pages = 0
    next_url: str | None = url
    while next_url:
        response = session.get(next_url, params=params if pages == 0 else None, timeout=5)
        assert response.status_code == 200, response.text
        records += response.json()
        pages += 1
        next_url = response.links.get("next", {}).get("url")
    return records, pages


def test_token_with_good_credentials_expires_in_an_hour(harvest: HarvestFake) -> None:
    response = requests.post(
        harvest.token_url,
        auth=("demo-client-id", "demo-client-secret"),
        data={"grant_type": "client_credentials"},
        timeout=5,
    )

    body = response.json()
    expires_at = datetime.fromisoformat(body["expires_at"])
    assert response.status_code == 200
    assert body["token_type"] == "Bearer"
    assert body["expires_at"].endswith("Z")
    assert timedelta(minutes=59) < expires_at - datetime.now(UTC) <= timedelta(hours=1)
    assert harvest.tokens_issued == 1


def test_token_with_bad_secret_is_invalid_client(harvest: HarvestFake) -> None:
    response = requests.post(
        harvest.token_url,
        auth=("demo-client-id", "wrong"),
        data={"grant_type": "client_credentials"},
        timeout=5,
    )

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert harvest.tokens_issued == 0


def test_token_without_basic_auth_is_invalid_client(harvest: HarvestFake) -> None:
    response = requests.post(harvest.token_url, data={"grant_type": "client_credentials"})

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_token_with_wrong_grant_or_unknown_sub_is_refused(harvest: HarvestFake) -> None:
    auth = ("demo-client-id", "demo-client-secret")
    wrong_grant = requests.post(harvest.token_url, auth=auth, data={"grant_type": "password"})
    unknown_sub = requests.post(
        harvest.token_url, auth=auth, data={"grant_type": "client_credentials", "sub": "42"}
    )

    assert (wrong_grant.status_code, wrong_grant.json()["error"]) == (
        400,
        "unsupported_grant_type",
    )
    assert (unknown_sub.status_code, unknown_sub.json()["error"]) == (400, "invalid_grant")


def test_expired_tokens_answer_401_and_a_new_token_works(
    harvest: HarvestFake, harvest_session: requests.Session
) -> None:
    harvest.expire_tokens()
    expired = harvest_session.get(f"{harvest.base_url}/v3/jobs")
    harvest_session.headers["Authorization"] = f"Bearer {mint_token(harvest)}"
    renewed = harvest_session.get(f"{harvest.base_url}/v3/jobs")

    assert expired.status_code == 401
    assert "message" in expired.json()
    assert renewed.status_code == 200
    assert harvest.tokens_issued == 2


def test_token_past_its_lifetime_answers_401(tenant: dict[str, Any]) -> None:
    with HarvestFake(tenant, token_ttl_seconds=0) as fake:
        token = mint_token(fake)
        response = requests.get(
            f"{fake.base_url}/v3/offers", headers={"Authorization": f"Bearer {token}"}
        )

    assert response.status_code == 401


def test_missing_bearer_token_answers_401(harvest: HarvestFake) -> None:
    assert requests.get(f"{harvest.base_url}/v3/offers").status_code == 401


def test_cursor_paging_with_two_per_page_returns_every_offer_once_id_descending(
    harvest: HarvestFake, harvest_session: requests.Session, tenant: dict[str, Any]
) -> None:
    offers, pages = list_all(harvest_session, f"{harvest.base_url}/v3/offers", {"per_page": 2})

    ids = [offer["id"] for offer in offers]
    assert ids == sorted((offer["id"] for offer in tenant["offers"]), reverse=True)
    assert pages == 14
    assert harvest.request_count("GET", "/v3/offers") == 14


def test_cursor_keeps_the_filters_of_the_first_request(
    harvest: HarvestFake, harvest_session: requests.Session
) -> None:
    params = {"per_page": 2, "status": "Accepted", "current_only": "true"}
    offers, pages = list_all(harvest_session, f"{harvest.base_url}/v3/offers", params)

    assert {offer["status"] for offer in offers} == {"Accepted"}
    assert len(offers) == 12
    assert pages == 6


def test_cursor_with_any_other_parameter_is_422(
    harvest: HarvestFake, harvest_session: requests.Session
) -> None:
    first = harvest_session.get(f"{harvest.base_url}/v3/offers", params={"per_page": 2})
    next_url = first.links["next"]["url"]

    response = harvest_session.get(next_url, params={"per_page": 2})

    assert response.status_code == 422
    assert response.json() == {"message": "cursor must be the only query parameter"}


def test_cursor_that_is_not_ours_is_422(
    harvest: HarvestFake, harvest_session: requests.Session
) -> None:
    response = harvest_session.get(f"{harvest.base_url}/v3/offers", params={"cursor": "nonsense"})

    assert response.status_code == 422
    assert "cursor" in response.json()["message"]


def test_more_than_fifty_ids_is_422_and_fifty_is_fine(
    harvest: HarvestFake, harvest_session: requests.Session
) -> None:
    url = f"{harvest.base_url}/v3/candidates"
    too_many = harvest_session.get(url, params={"ids": ",".join(str(n) for n in range(51))})
    fifty = harvest_session.get(url, params={"ids": ",".join(str(n) for n in range(50))})

    assert too_many.status_code == 422
    assert "ids" in too_many.json()["message"]
    assert (fifty.status_code, fifty.json()) == (200, [])


def test_ids_filter_returns_exactly_those_records(
    harvest: HarvestFake, harvest_session: requests.Session
) -> None:
    response = harvest_session.get(
        f"{harvest.base_url}/v3/candidates", params={"ids": "77341290,77350001,1"}
    )

    assert [candidate["id"] for candidate in response.json()] == [77350001, 77341290]


def test_unknown_parameter_and_bad_per_page_are_422_naming_them(
    harvest: HarvestFake, harvest_session: requests.Session
) -> None:
    url = f"{harvest.base_url}/v3/offers"
    unknown = harvest_session.get(url, params={"page": 2})
    too_big = harvest_session.get(url, params={"per_page": 501})
    zero = harvest_session.get(url, params={"per_page": 0})

    assert unknown.status_code == 422
    assert "page" in unknown.json()["message"]
    assert (too_big.status_code, zero.status_code) == (422, 422)
    assert "per_page" in too_big.json()["message"]


def test_updated_at_filters_compare_offsets_as_instants(
    harvest: HarvestFake, harvest_session: requests.Session
) -> None:
    # Lucas Ferreira's offer says 2026-09-24T14:15:00.196+02:00, i.e. 12:15:00.196Z.
    url = f"{harvest.base_url}/v3/offers"
    in_utc = "2026-09-24T12:15:00.196Z"
    in_offset = "2026-09-24T14:15:00.196+02:00"
    at = harvest_session.get(url, params={"updated_at": f"gte|{in_utc}|lte|{in_utc}"})
    after = harvest_session.get(url, params={"updated_at": f"gt|{in_offset}|lte|{in_offset}"})

    assert [offer["application_id"] for offer in at.json()] == [90214555]
    assert after.json() == []


def test_range_filter_selects_a_window_of_updates(
    harvest: HarvestFake, harvest_session: requests.Session, tenant: dict[str, Any]
) -> None:
    low, high = "2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z"
    response = harvest_session.get(
        f"{harvest.base_url}/v3/applications", params={"updated_at": f"gte|{low}|lt|{high}"}
    )

    def inside(stamp: str) -> bool:
        moment = datetime.fromisoformat(stamp)
        return datetime.fromisoformat(low) <= moment < datetime.fromisoformat(high)

    expected = {app["id"] for app in tenant["applications"] if inside(app["updated_at"])}
    assert {app["id"] for app in response.json()} == expected
    assert 0 < len(expected) < len(tenant["applications"])


def test_malformed_range_filters_are_422_naming_the_parameter(
    harvest: HarvestFake, harvest_session: requests.Session
) -> None:
    url = f"{harvest.base_url}/v3/offers"
    for value in (
        "2026-10-01",
        "after|2026-10-01T00:00:00Z",
        "gte|yesterday",
        "gte|2026-10-01T00:00:00",
    ):
        response = harvest_session.get(url, params={"created_at": value})
        assert response.status_code == 422, value
        assert "created_at" in response.json()["message"]


def test_current_only_keeps_the_highest_version_per_application(
    harvest: HarvestFake, harvest_session: requests.Session, tenant: dict[str, Any]
) -> None:
    response = harvest_session.get(
        f"{harvest.base_url}/v3/offers", params={"current_only": "true", "per_page": "500"}
    )

    offers = response.json()
    newest: dict[int, int] = {}
    for offer in tenant["offers"]:
        newest[offer["application_id"]] = max(
            newest.get(offer["application_id"], 0), offer["version"]
        )
    assert len(offers) == len(tenant["applications"]) == 19
    assert {(o["application_id"], o["version"]) for o in offers} == set(newest.items())
    assert "Deprecated" not in {offer["status"] for offer in offers}


def test_applications_status_active_returns_in_process_records(
    harvest: HarvestFake, harvest_session: requests.Session
) -> None:
    url = f"{harvest.base_url}/v3/applications"
    active = harvest_session.get(url, params={"status": "active"}).json()
    hired = harvest_session.get(url, params={"status": "hired"}).json()
    unknown = harvest_session.get(url, params={"status": "in_process"})

    assert {app["status"] for app in active} == {"in_process"}
    assert len(active) == 6
    assert len(hired) == 12
    assert unknown.status_code == 422


def test_offers_filter_by_parent_ids(
    harvest: HarvestFake, harvest_session: requests.Session
) -> None:
    response = harvest_session.get(
        f"{harvest.base_url}/v3/offers", params={"application_ids": "90214522"}
    )

    assert [offer["version"] for offer in response.json()] == [3, 2, 1]


def test_custom_fields_filter_by_type_and_key(
    harvest: HarvestFake, harvest_session: requests.Session
) -> None:
    response = harvest_session.get(
        f"{harvest.base_url}/v3/custom_fields",
        params={"field_type": "offer", "name_key": SEND_KEY},
    )

    [definition] = response.json()
    assert definition["value_type"] == "yes_no"
    assert definition["name"] == "Send New Hire information to Remote for Onboarding"


def test_token_for_a_user_who_is_not_site_admin_sees_empty_lists(harvest: HarvestFake) -> None:
    non_admin = mint_token(harvest, sub="5009999")
    admin = mint_token(harvest, sub="5001122")

    def offers(token: str) -> list[Any]:
        response = requests.get(
            f"{harvest.base_url}/v3/offers", headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 200
        listed: list[Any] = response.json()
        return listed

    assert offers(non_admin) == []
    assert len(offers(admin)) == 28


def test_client_without_candidates_scope_gets_403_on_candidates_only(
    harvest: HarvestFake,
) -> None:
    headers = {"Authorization": f"Bearer {mint_token(harvest, 'limited-client-id')}"}

    candidates = requests.get(f"{harvest.base_url}/v3/candidates", headers=headers)
    offers = requests.get(f"{harvest.base_url}/v3/offers", headers=headers)

    assert candidates.status_code == 403
    assert "harvest:candidates:list" in candidates.json()["message"]
    assert offers.status_code == 200


def test_rate_limit_headers_count_down_then_429_with_retry_after(
    tenant: dict[str, Any],
) -> None:
    with HarvestFake(tenant, rate_limit=3) as fake:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {mint_token(fake)}"
        answers = [session.get(f"{fake.base_url}/v3/jobs") for _ in range(4)]
        extra_token = mint_token(fake)

    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert [a.headers["X-RateLimit-Remaining"] for a in answers] == ["2", "1", "0", "0"]
    assert {a.headers["X-RateLimit-Limit"] for a in answers} == {"3"}
    reset = int(answers[0].headers["X-RateLimit-Reset"])
    assert 0 < reset - datetime.now(UTC).timestamp() <= 31
    assert 1 <= int(answers[3].headers["Retry-After"]) <= 30
    assert extra_token


def test_upserted_offer_version_becomes_the_current_one(
    harvest: HarvestFake, harvest_session: requests.Session, tenant: dict[str, Any]
) -> None:
    [accepted] = [offer for offer in tenant["offers"] if offer["application_id"] == 90214555]
    harvest.upsert("offers", {**accepted, "id": 49000001, "version": 2, "status": "Created"})

    response = harvest_session.get(
        f"{harvest.base_url}/v3/offers",
        params={"application_ids": "90214555", "current_only": "true"},
    )

    assert [(offer["id"], offer["version"]) for offer in response.json()] == [(49000001, 2)]


def test_candidates_filter_by_email_ignores_case(
    harvest: HarvestFake, harvest_session: requests.Session
) -> None:
    response = harvest_session.get(
        f"{harvest.base_url}/v3/candidates", params={"email": "Ines.Personal@example.test"}
    )

    assert [candidate["id"] for candidate in response.json()] == [77341290]
