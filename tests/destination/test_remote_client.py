"""The Remote client: rate-limit steering, 429 handling, error bodies in every known shape."""

from __future__ import annotations

from pathlib import Path

import requests

from destination_remote_onboarding.errors import RemoteFieldError
from destination_remote_onboarding.remote_client import (
    RateBudget,
    RemoteClient,
    parse_field_errors,
)
from integration_tests.fakes.remote import RemoteFake
from tests.destination.builders import (
    FULL_TOKEN,
    TODAY,
    company,
    make_config,
    offer_event,
    records_then_state,
    write,
)


def exhaust_window(fake: RemoteFake, requests_to_use: int) -> None:
    """Another integration of the same company uses up the shared window."""
    for _ in range(requests_to_use):
        requests.get(
            fake.base_url + "/v1/identity/current",
            headers={"Authorization": f"Bearer {FULL_TOKEN}"},
            timeout=5,
        )


def test_429_with_retry_after_waits_that_long_then_succeeds() -> None:
    waits: list[tuple[float, str]] = []
    with RemoteFake(
        company(), rate_limit_per_minute=3, window_seconds=0.6, send_retry_after=True, today=TODAY
    ) as fake:
        exhaust_window(fake, 3)
        client = RemoteClient(fake.base_url, FULL_TOKEN, on_wait=lambda s, r: waits.append((s, r)))

        page = client.list_employments(page=1, page_size=1)

        assert page.total_count == 0
        assert fake.rate_limited_count == 1
        assert client.rate_limited_count == 1
        assert waits == [(1.0, "HTTP 429 from Remote (Retry-After)")]


def test_429_without_retry_after_waits_for_the_window_reset() -> None:
    waits: list[tuple[float, str]] = []
    with RemoteFake(company(), rate_limit_per_minute=3, window_seconds=0.6, today=TODAY) as fake:
        exhaust_window(fake, 3)
        client = RemoteClient(fake.base_url, FULL_TOKEN, on_wait=lambda s, r: waits.append((s, r)))

        client.identity()

        assert fake.rate_limited_count == 1
        [(seconds, reason)] = waits
        assert 0 < seconds <= 0.61
        assert "x-ratelimit-reset" in reason


def test_steering_by_headers_never_triggers_a_429() -> None:
    waits: list[tuple[float, str]] = []
    with RemoteFake(company(), rate_limit_per_minute=4, window_seconds=0.3, today=TODAY) as fake:
        client = RemoteClient(fake.base_url, FULL_TOKEN, on_wait=lambda s, r: waits.append((s, r)))

        for _ in range(13):
            client.identity()

        assert fake.rate_limited_count == 0
        assert fake.request_count() == 13
        assert len(waits) >= 1
        assert all("rate limit" in reason for _, reason in waits)


def test_fallback_limit_applies_until_remote_sends_headers() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    budget = RateBudget(2, sleep=sleep, clock=lambda: now[0])
    for _ in range(3):
        budget.before_request()

    assert slept == [60.0]
    budget.after_response({"x-ratelimit-remaining": "5", "x-ratelimit-reset": "1000"})
    budget.before_request()
    budget.before_request()
    assert slept == [60.0]


def test_field_map_errors_are_parsed_with_nested_keys_dotted() -> None:
    body = {
        "errors": {
            "email": ["has already been taken"],
            "basic_information": {"name": ["can't be blank"]},
        }
    }

    assert parse_field_errors(body) == [
        RemoteFieldError("email", "has already been taken"),
        RemoteFieldError("basic_information.name", "can't be blank"),
    ]


def test_schema_string_errors_are_parsed_into_field_and_message() -> None:
    body = {"errors": ["provisional_start_date: cannot be in a holiday", "something odd happened"]}

    assert parse_field_errors(body) == [
        RemoteFieldError("provisional_start_date", "cannot be in a holiday"),
        RemoteFieldError("(profile)", "something odd happened"),
    ]


def test_message_bodies_are_parsed_as_request_level_errors() -> None:
    assert parse_field_errors({"message": "bad"}) == [RemoteFieldError("(request)", "bad")]
    assert parse_field_errors({"message": {"param": "country_code", "message": "unknown"}}) == [
        RemoteFieldError("country_code", "unknown")
    ]
    assert parse_field_errors("<html>") == [RemoteFieldError("(response)", "<html>")]


def test_cut_off_answers_are_retried_and_never_crash_the_sync(tmp_path: Path) -> None:
    with RemoteFake(company(), rate_limit_per_minute=100_000, today=TODAY, seed=3) as fake:
        fake.truncate_rate = 0.3
        config = make_config(fake, tmp_path / "ledger.sqlite", lookup_strategy="per_email")
        events = [offer_event(f"cut{number}@example.test") for number in range(20)]

        write(config, records_then_state(events))

        truncated_gets = fake.request_count("GET") - 20
        assert truncated_gets > 0
        assert len(fake.employments) == 20
        assert {len(fake.employments_by_email(f"cut{n}@example.test")) for n in range(20)} == {1}
