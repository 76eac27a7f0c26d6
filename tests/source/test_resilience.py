"""How the source behaves when Harvest pages, expires tokens, rate-limits and fails."""

from __future__ import annotations

import logging

from airbyte_cdk.models import FailureType

from source_greenhouse_hires.harvest_client import HarvestClient
from tests.source import harvest_data as data
from tests.source.conftest import records_of


def _three_offers() -> dict:
    return data.tenant([data.offer(1, 11), data.offer(2, 12), data.offer(3, 13)])


def _offer_stream_requests(harvest) -> list:
    # The stream's own requests carry updated_at or a cursor; look-ups carry application_ids.
    return [
        seen
        for seen in harvest.fake.requests
        if seen.path == "/v3/offers" and "application_ids" not in seen.query
    ]


def test_follow_up_pages_send_the_next_url_alone(harvest_with):
    harvest = harvest_with(_three_offers())

    output = harvest.read(harvest.config(page_size=1), streams=("offers",))

    pages = _offer_stream_requests(harvest)
    assert len(records_of(output, "offers")) == 3
    assert [sorted(page.query) for page in pages] == [
        ["current_only", "per_page", "updated_at"],
        ["cursor"],
        ["cursor"],
    ]
    assert pages[0].query["per_page"] == ["1"]
    assert all(page.status == 200 for page in pages)


def test_rejected_token_is_dropped_reminted_once_and_the_request_retried(harvest_with):
    harvest = harvest_with(_three_offers())
    harvest.fake.fail_next(401, path="/v3/offers")

    output = harvest.read(harvest.config(), streams=("offers",))

    assert len(records_of(output, "offers")) == 3
    assert harvest.fake.request_count("POST", "/token") == 2
    assert [page.status for page in _offer_stream_requests(harvest)] == [401, 200]


def test_server_error_is_retried_with_the_same_url(harvest_with):
    harvest = harvest_with(_three_offers())
    harvest.fake.fail_next(503, path="/v3/offers")

    output = harvest.read(harvest.config(), streams=("offers",))

    pages = _offer_stream_requests(harvest)
    assert len(records_of(output, "offers")) == 3
    assert [page.status for page in pages] == [503, 200]
    assert pages[0].query == pages[1].query


def test_cut_off_body_is_retried_with_the_same_url(harvest_with):
    harvest = harvest_with(_three_offers())
    harvest.fake.fail_next(200, path="/v3/offers", body='[{"id": 1, "applicat')

    output = harvest.read(harvest.config(), streams=("offers",))

    pages = _offer_stream_requests(harvest)
    assert len(records_of(output, "offers")) == 3
    assert len(pages) == 2
    assert pages[0].query == pages[1].query


def test_exhausted_retry_budget_ends_the_stream_with_a_transient_error(harvest_with):
    harvest = harvest_with(_three_offers())
    harvest.fake.fail_next(503, count=10, path="/v3/offers")

    output = harvest.read(harvest.config(max_retries=1), streams=("offers",))

    errors = [message.trace.error for message in output.errors]
    assert records_of(output, "offers") == []
    assert len(_offer_stream_requests(harvest)) == 2  # the first try and one retry
    assert errors[0].failure_type == FailureType.transient_error
    assert "server errors" in errors[0].message


def test_429_retry_after_is_honoured_then_the_read_goes_on(harvest_with, caplog):
    harvest = harvest_with(_three_offers())
    harvest.fake.fail_next(429, path="/v3/offers", headers={"Retry-After": "1"})

    with caplog.at_level(logging.INFO, logger="airbyte"):
        output = harvest.read(harvest.config(), streams=("offers",))

    statuses = [page.status for page in _offer_stream_requests(harvest)]
    assert len(records_of(output, "offers")) == 3
    assert statuses == [429, 200]
    # The CDK waits Retry-After plus its own one-second margin, and logs the wait.
    assert "Rate limit exceeded (HTTP 429). Retrying in 2.0 seconds" in caplog.text


def test_pace_slows_before_the_window_is_spent_and_never_hits_429(harvest_with, caplog):
    harvest = harvest_with(_three_offers(), rate_limit=3, window_seconds=1)
    client = HarvestClient(
        harvest.fake.base_url,
        harvest.fake.token_url,
        data.CLIENT_ID,
        data.CLIENT_SECRET,
        page_size=1,
    )

    with caplog.at_level(logging.INFO):
        offers = [offer["id"] for _ in range(2) for offer in client.list("offers")]

    assert offers == [3, 2, 1, 3, 2, 1]
    assert all(seen.status == 200 for seen in harvest.fake.requests)
    assert client.governor.waits
    assert "calls left in this window; waiting" in caplog.text


def test_missing_scope_during_a_read_is_a_config_error_naming_the_scope(harvest_with):
    harvest = harvest_with(_three_offers())
    config = harvest.config(client_id="no-candidates-id", client_secret="no-candidates-secret")

    output = harvest.read(config, streams=("offers",))

    errors = [message.trace.error for message in output.errors]
    assert records_of(output, "offers") == []
    assert errors[0].failure_type == FailureType.config_error
    assert "tick the scope harvest:candidates:list" in errors[0].message
