"""The Harvest v3 client the source's look-ups and the webhook receiver share."""

from __future__ import annotations

import time

import pytest
import requests

from source_greenhouse_hires import harvest_client
from source_greenhouse_hires.harvest_client import (
    CredentialsRejectedError,
    HarvestClient,
    HarvestTransientError,
    RetryPolicy,
)
from tests.source import harvest_data as data

QUICK = RetryPolicy(max_retries=2, backoff_base_seconds=0.01)


def _client(harvest, **options) -> HarvestClient:
    return HarvestClient(
        harvest.fake.base_url,
        harvest.fake.token_url,
        data.CLIENT_ID,
        data.CLIENT_SECRET,
        **options,
    )


def _tenant(n_offers: int = 3) -> dict:
    return data.tenant([data.offer(n, 100 + n) for n in range(1, n_offers + 1)])


def test_token_is_renewed_shortly_before_expires_at(harvest_with, monkeypatch):
    harvest = harvest_with(_tenant())
    client = _client(harvest)
    client.tokens.token()
    client.tokens.token()
    started = time.time()

    monkeypatch.setattr(harvest_client.time, "time", lambda: started + 3600 - 30)
    client.tokens.token()

    assert harvest.fake.request_count("POST", "/token") == 2


def test_token_request_sends_basic_credentials_and_sub(harvest_with):
    harvest = harvest_with(_tenant())

    _client(harvest, user_id=data.SITE_ADMIN).tokens.token()

    assert (
        harvest.fake.requests[0].body
        == f"grant_type=client_credentials&sub={data.SITE_ADMIN}".encode()
    )


def test_expired_token_is_reminted_once_and_the_page_read(harvest_with):
    harvest = harvest_with(_tenant())
    client = _client(harvest)
    client.tokens.token()
    harvest.fake.expire_tokens()

    offers = list(client.list("offers"))

    assert len(offers) == 3
    assert harvest.fake.request_count("POST", "/token") == 2


def test_second_401_after_reminting_is_a_config_error(harvest_with):
    harvest = harvest_with(_tenant())
    harvest.fake.fail_next(401, count=2, path="/v3/offers")

    with pytest.raises(CredentialsRejectedError, match="freshly minted token"):
        list(_client(harvest).list("offers"))
    assert harvest.fake.request_count("POST", "/token") == 2


def test_get_many_fetches_in_batches_of_fifty(harvest_with):
    harvest = harvest_with(_tenant(120))

    found = _client(harvest).get_many("applications", range(101, 221))

    assert sorted(found) == list(range(101, 221))
    assert harvest.fake.request_count("GET", "/v3/applications") == 3


def test_cut_off_bodies_are_retried_until_the_budget_is_spent(harvest_with):
    harvest = harvest_with(_tenant())
    client = _client(harvest, retry=QUICK)
    client.tokens.token()
    harvest.fake.truncate_rate = 1.0

    with pytest.raises(HarvestTransientError, match=r"after 3 attempts \(.*reading the response"):
        list(client.list("offers"))
    reads = [seen for seen in harvest.fake.requests if seen.path == "/v3/offers"]
    assert len(reads) == 3
    assert len({str(seen.query) for seen in reads}) == 1


def test_429_waits_retry_after_then_succeeds(harvest_with):
    harvest = harvest_with(_tenant(), rate_limit=2, window_seconds=2)
    client = _client(harvest, retry=QUICK)
    token = client.tokens.token()
    for _ in range(2):  # another integration spends the window without pacing itself
        requests.get(
            f"{harvest.fake.base_url}/v3/jobs",
            headers={"Authorization": f"Bearer {token}"},
            timeout=5,
        )

    offers = list(client.list("offers"))

    assert len(offers) == 3
    assert [seen.status for seen in harvest.fake.requests if seen.path == "/v3/offers"] == [
        429,
        200,
    ]
