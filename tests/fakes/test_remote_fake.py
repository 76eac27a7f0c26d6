"""Specifications of the Remote fake: auth, create validation, listing, PATCH rules, limits and
the store-then-fail fault that exactly-once tests need."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests

from integration_tests.fakes import RemoteFake


def profile(**basic: Any) -> dict[str, Any]:
    """A valid create body for a new person; keyword arguments override basic_information."""
    basic_information = {
        "name": "Marisol Quintero",
        "email": "marisol.quintero@example.test",
        "job_title": "Backend Engineer",
        "provisional_start_date": "2027-01-11",
        "has_seniority_date": "no",
        **basic,
    }
    return {
        "country_code": "PRT",
        "type": "employee",
        "external_id": "greenhouse-application-1",
        "basic_information": {
            key: value for key, value in basic_information.items() if value is not None
        },
    }


def create(remote: RemoteFake, session: requests.Session, body: Any) -> requests.Response:
    return session.post(f"{remote.base_url}/v1/employments", json=body, timeout=5)


def test_create_stores_the_employment_and_answers_201(
    remote: RemoteFake, remote_session: requests.Session
) -> None:
    before = len(remote.employments)

    response = create(remote, remote_session, profile())

    employment = response.json()["data"]["employment"]
    assert response.status_code == 201
    assert employment["full_name"] == "Marisol Quintero"
    assert employment["personal_email"] == employment["login_email"]
    assert employment["status"] == "created"
    assert employment["employment_lifecycle_stage"] == "employment_creation"
    assert employment["external_id"] == "greenhouse-application-1"
    assert len(remote.employments) == before + 1
    assert (
        remote.employments_by_email("MARISOL.quintero@example.test")[0]["id"] == employment["id"]
    )


def test_email_already_taken_is_422_ignoring_case_and_blanks(
    remote: RemoteFake, remote_session: requests.Session
) -> None:
    response = create(remote, remote_session, profile(email="  Oliver.Pritchard@Example.NET "))

    assert response.status_code == 422
    assert response.json() == {"errors": {"email": ["has already been taken"]}}
    assert len(remote.employments_by_email("oliver.pritchard@example.net")) == 1


def test_unknown_basic_information_key_is_422_in_both_error_shapes(
    company: dict[str, Any], remote_session: requests.Session
) -> None:
    body = profile(favourite_colour="teal")
    with RemoteFake(company) as as_map:
        by_map = create(as_map, remote_session, body)
    with RemoteFake(company, validation_error_shape="list") as as_list:
        by_list = create(as_list, remote_session, body)

    assert by_map.status_code == by_list.status_code == 422
    assert by_map.json() == {"errors": {"favourite_colour": ["is not allowed"]}}
    assert by_list.json() == {
        "errors": ["basic_information: should NOT have additional properties - favourite_colour"]
    }


def test_missing_required_field_and_legacy_flat_body_are_422(
    remote: RemoteFake, remote_session: requests.Session
) -> None:
    no_title = create(remote, remote_session, profile(job_title=None))
    flat = create(remote, remote_session, {"country_code": "PRT", "full_name": "Flat Body"})

    assert no_title.json() == {"errors": {"job_title": ["can't be blank"]}}
    assert set(flat.json()["errors"]) == {"full_name", "basic_information"}


@pytest.mark.parametrize("country", ["PT", "ATL", "prt", None])
def test_unsupported_or_missing_country_is_422(
    remote: RemoteFake, remote_session: requests.Session, country: str | None
) -> None:
    body = {**profile(), "country_code": country}

    response = create(remote, remote_session, body)

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["country_code"]


def test_start_date_on_a_holiday_is_refused(
    remote: RemoteFake, remote_session: requests.Session
) -> None:
    response = create(remote, remote_session, profile(provisional_start_date="2026-12-25"))

    assert response.json() == {"errors": {"provisional_start_date": ["cannot be in a holiday"]}}


def test_start_date_sooner_than_the_minimum_is_refused_and_the_first_allowed_day_works(
    remote: RemoteFake, remote_session: requests.Session
) -> None:
    too_soon = create(remote, remote_session, profile(provisional_start_date="2026-12-08"))
    earliest = create(remote, remote_session, profile(provisional_start_date="2026-12-09"))

    assert too_soon.json() == {
        "errors": {"provisional_start_date": ["must be at least 5 working days from today"]}
    }
    assert earliest.status_code == 201


def test_seniority_date_is_required_with_yes_and_forbidden_with_no(
    remote: RemoteFake, remote_session: requests.Session
) -> None:
    yes_without = create(remote, remote_session, profile(has_seniority_date="yes"))
    no_with_null = profile()
    no_with_null["basic_information"]["seniority_date"] = None
    forbidden = create(remote, remote_session, no_with_null)

    assert list(yes_without.json()["errors"]) == ["seniority_date"]
    assert list(forbidden.json()["errors"]) == ["seniority_date"]
    assert forbidden.status_code == 422


def test_list_by_email_matches_the_login_email_ignoring_case(
    remote: RemoteFake, remote_session: requests.Session
) -> None:
    response = remote_session.get(
        f"{remote.base_url}/v1/employments", params={"email": "Ines.Personal@EXAMPLE.test"}
    )

    data = response.json()["data"]
    assert data["total_count"] == 1
    assert data["employments"][0]["external_id"] == "greenhouse-application-90214477"
    assert data["employments"][0]["country"] == {
        "code": "PRT",
        "alpha_2_code": "PT",
        "name": "Portugal",
    }


def test_list_pages_in_creation_order_and_hides_deleted(
    remote: RemoteFake, remote_session: requests.Session
) -> None:
    for number in range(15):
        remote.add_employment(
            full_name=f"Person {number}", personal_email=f"p{number}@example.test"
        )
    remote.set_status(remote.employments[0]["id"], "deleted")
    expected = [item["id"] for item in remote.employments]

    pages = [
        remote_session.get(
            f"{remote.base_url}/v1/employments", params={"page": page, "page_size": 10}
        ).json()["data"]
        for page in (1, 2, 3)
    ]

    assert len(expected) == 24
    assert [page["total_pages"] for page in pages] == [3, 3, 3]
    assert [page["total_count"] for page in pages] == [24, 24, 24]
    assert [item["id"] for page in pages for item in page["employments"]] == expected


def test_page_size_over_100_is_422(remote: RemoteFake, remote_session: requests.Session) -> None:
    response = remote_session.get(f"{remote.base_url}/v1/employments", params={"page_size": 101})

    assert response.status_code == 422
    assert "page_size" in response.json()["errors"]


def test_get_one_employment_and_unknown_id_is_404(
    remote: RemoteFake, remote_session: requests.Session
) -> None:
    known = remote.employments_by_email("ines.personal@example.test")[0]

    found = remote_session.get(f"{remote.base_url}/v1/employments/{known['id']}")
    missing = remote_session.get(f"{remote.base_url}/v1/employments/not-a-real-id")

    assert found.json()["data"]["employment"]["basic_information"]["job_title"] == (
        "Senior Data Engineer"
    )
    assert missing.status_code == 404


def test_patch_of_a_created_employment_merges_basic_information(
    remote: RemoteFake, remote_session: requests.Session
) -> None:
    ines = remote.employments_by_email("ines.personal@example.test")[0]

    response = remote_session.patch(
        f"{remote.base_url}/v1/employments/{ines['id']}",
        json={"basic_information": {"job_title": "Staff Data Engineer"}, "external_id": "x-1"},
    )

    employment = response.json()["data"]["employment"]
    assert response.status_code == 200
    assert employment["job_title"] == "Staff Data Engineer"
    assert employment["basic_information"]["name"] == "Ines Carvalho-Moreau"
    assert remote.employments_by_email("ines.personal@example.test")[0]["external_id"] == "x-1"


def test_patch_respects_what_each_status_may_change(
    remote: RemoteFake, remote_session: requests.Session
) -> None:
    oliver = remote.employments_by_email("oliver.pritchard@example.net")[0]
    url = f"{remote.base_url}/v1/employments/{oliver['id']}"

    locked = remote_session.patch(url, json={"basic_information": {"job_title": "Lead"}})
    work_email = remote_session.patch(url, json={"work_email": "oliver@acme-example.test"})
    remote.set_status(oliver["id"], "invited")
    manager = remote_session.patch(url, json={"manager_id": "m-1"})
    external = remote_session.patch(url, json={"external_id": "greenhouse-application-2"})

    assert locked.json() == {
        "errors": {"basic_information": ["cannot be changed while the employment is active"]}
    }
    assert work_email.status_code == 200
    assert manager.json() == {
        "errors": {"manager_id": ["cannot be changed while the employment is invited"]}
    }
    assert external.json()["data"]["employment"]["external_id"] == "greenhouse-application-2"


def test_read_only_token_cannot_create_but_can_read(remote: RemoteFake) -> None:
    headers = {"Authorization": "Bearer ra_test_readonly_token"}

    post = requests.post(f"{remote.base_url}/v1/employments", json=profile(), headers=headers)
    get = requests.get(f"{remote.base_url}/v1/employments", headers=headers)

    assert post.status_code == 403
    assert "message" in post.json()
    assert get.status_code == 200
    assert remote.employments_by_email("marisol.quintero@example.test") == []


def test_token_of_the_other_environment_is_401_even_if_known(company: dict[str, Any]) -> None:
    company["tokens"]["ra_live_demo_token"] = "full"
    with RemoteFake(company) as fake:
        live = requests.get(
            f"{fake.base_url}/v1/identity/current",
            headers={"Authorization": "Bearer ra_live_demo_token"},
        )
        unknown = requests.get(
            f"{fake.base_url}/v1/identity/current",
            headers={"Authorization": "Bearer ra_test_nobody"},
        )

    assert (live.status_code, live.json()) == (401, {"message": "Unauthorized"})
    assert unknown.status_code == 401


def test_identity_and_countries_answer_for_any_valid_token(
    remote: RemoteFake, remote_session: requests.Session
) -> None:
    identity = remote_session.get(f"{remote.base_url}/v1/identity/current").json()
    countries = remote_session.get(f"{remote.base_url}/v1/countries").json()["data"]

    assert identity["data"]["company"]["name"] == "Acme Example Ltd"
    assert len(countries) >= 40
    assert {"PRT", "DEU", "GBR", "BRA", "CAN"} <= {country["code"] for country in countries}
    assert all(country["eor_onboarding"] for country in countries)


def test_rate_limit_headers_then_429_without_retry_after(company: dict[str, Any]) -> None:
    session = requests.Session()
    session.headers["Authorization"] = "Bearer ra_test_demo_token"
    with RemoteFake(company, rate_limit_per_minute=2) as fake:
        answers = [session.get(f"{fake.base_url}/v1/countries") for _ in range(3)]
        refused = fake.rate_limited_count

    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert [answer.headers["x-ratelimit-count"] for answer in answers] == ["1", "2", "2"]
    assert [answer.headers["x-ratelimit-remaining"] for answer in answers] == ["1", "0", "0"]
    assert 0 < int(answers[2].headers["x-ratelimit-reset"]) <= 60_000
    assert answers[2].json() == {"message": "Too many requests"}
    assert "Retry-After" not in answers[2].headers
    assert refused == 1


def test_retry_after_is_sent_when_asked_and_the_window_reopens(company: dict[str, Any]) -> None:
    session = requests.Session()
    session.headers["Authorization"] = "Bearer ra_test_demo_token"
    with RemoteFake(
        company, rate_limit_per_minute=1, window_seconds=0.2, send_retry_after=True
    ) as fake:
        first = session.get(f"{fake.base_url}/v1/countries")
        refused = session.get(f"{fake.base_url}/v1/countries")
        time.sleep(0.25)
        reopened = session.get(f"{fake.base_url}/v1/countries")

    assert (first.status_code, refused.status_code, reopened.status_code) == (200, 429, 200)
    assert refused.headers["Retry-After"] == "1"


def test_fail_after_commit_stores_the_employment_then_answers_500(
    remote: RemoteFake, remote_session: requests.Session
) -> None:
    remote.fail_after_commit_next(count=1, status=500)

    failed = create(remote, remote_session, profile())
    retried = create(remote, remote_session, profile())

    assert failed.status_code == 500
    assert len(remote.employments_by_email("marisol.quintero@example.test")) == 1
    assert retried.json() == {"errors": {"email": ["has already been taken"]}}


def test_fail_after_commit_with_no_status_stores_then_times_out(
    remote: RemoteFake, remote_session: requests.Session
) -> None:
    remote.fail_after_commit_next(status=None, hang_seconds=0.5)

    with pytest.raises(requests.exceptions.ReadTimeout):
        remote_session.post(f"{remote.base_url}/v1/employments", json=profile(), timeout=0.2)

    assert len(remote.employments_by_email("marisol.quintero@example.test")) == 1


def test_invalid_create_does_not_use_up_the_commit_fault(
    remote: RemoteFake, remote_session: requests.Session
) -> None:
    remote.fail_after_commit_next(status=502)

    invalid = create(remote, remote_session, profile(provisional_start_date="2026-12-25"))
    valid = create(remote, remote_session, profile())

    assert (invalid.status_code, valid.status_code) == (422, 502)


def test_request_counts_by_method_and_path(
    remote: RemoteFake, remote_session: requests.Session
) -> None:
    create(remote, remote_session, profile())
    remote_session.get(f"{remote.base_url}/v1/employments", params={"email": "a@example.test"})
    remote_session.get(f"{remote.base_url}/v1/employments/unknown")
    requests.get(f"{remote.base_url}/v1/employments")

    assert remote.request_count() == 4
    assert remote.request_count("POST", "/v1/employments") == 1
    assert remote.request_count("GET", "/v1/employments") == 3
    assert remote.request_count(path="/v1/employments?email=a%40example.test") == 1
    assert [request.status for request in remote.requests] == [201, 200, 404, 401]
