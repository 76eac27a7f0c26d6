"""Specifications of what both fakes share: injected failures, random errors, truncated bodies,
request recording and the standalone command line."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests

from integration_tests.fakes import HarvestFake, RemoteFake
from tests.fakes.conftest import COMPANY_PATH, TENANT_PATH, mint_token

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_fail_next_answers_matching_requests_then_serves_again(
    remote: RemoteFake, remote_session: requests.Session
) -> None:
    remote.fail_next(503, count=2, method="GET", path="/v1/employments")
    url = f"{remote.base_url}/v1/employments"

    statuses = [remote_session.get(url).status_code for _ in range(3)]
    other = remote_session.get(f"{remote.base_url}/v1/countries")

    assert statuses == [503, 503, 200]
    assert other.status_code == 200
    assert remote.request_count("GET", "/v1/employments") == 3


def test_fail_next_can_carry_a_custom_body(harvest: HarvestFake) -> None:
    harvest.fail_next(400, path="/token", body={"error": "invalid_request"})

    response = requests.post(harvest.token_url, data={"grant_type": "client_credentials"})

    assert (response.status_code, response.json()) == (400, {"error": "invalid_request"})
    assert harvest.request_count("POST", "/token") == 1


def test_error_rate_is_reproducible_with_the_same_seed(tenant: dict[str, Any]) -> None:
    def statuses(seed: int) -> list[int]:
        with HarvestFake(tenant, seed=seed, rate_limit=None) as fake:
            headers = {"Authorization": f"Bearer {mint_token(fake)}"}
            fake.error_rate = 0.5
            url = f"{fake.base_url}/v3/jobs"
            return [requests.get(url, headers=headers).status_code for _ in range(20)]

    first, again = statuses(7), statuses(7)

    assert first == again
    assert {status for status in first if status != 200} <= {500, 502, 503}
    assert 0 < first.count(200) < 20


def test_truncated_bodies_break_off_mid_way(
    remote: RemoteFake, remote_session: requests.Session
) -> None:
    remote.truncate_rate = 1.0

    with pytest.raises(requests.exceptions.RequestException):
        remote_session.get(f"{remote.base_url}/v1/countries").json()
    remote.truncate_rate = 0.0
    whole = remote_session.get(f"{remote.base_url}/v1/countries")

    assert whole.status_code == 200
    assert len(whole.json()["data"]) >= 40


def test_latency_delays_answers_without_changing_them(
    remote: RemoteFake, remote_session: requests.Session
) -> None:
    remote.latency_seconds = 0.05

    response = remote_session.get(f"{remote.base_url}/v1/identity/current")

    assert response.status_code == 200
    assert response.elapsed.total_seconds() >= 0.05


def test_every_request_is_recorded_with_its_query_status_and_body(
    remote: RemoteFake, remote_session: requests.Session
) -> None:
    remote_session.post(f"{remote.base_url}/v1/employments?json_schema_version=1", json={})
    [recorded] = remote.requests

    assert recorded.method == "POST"
    assert recorded.path == "/v1/employments"
    assert recorded.query == {"json_schema_version": ["1"]}
    assert recorded.status == 422
    assert recorded.body == b"{}"

    remote.reset_counts()
    assert remote.request_count() == 0


def test_path_counting_matches_whole_segments_only(
    harvest: HarvestFake, harvest_session: requests.Session
) -> None:
    harvest_session.get(f"{harvest.base_url}/v3/custom_fields")
    harvest_session.get(f"{harvest.base_url}/v3/custom_fields_extra")

    assert harvest.request_count("/v3/custom_fields") == 1
    assert harvest.request_count("/v3/custom") == 0
    assert harvest.request_count("/v3/") == 2


@pytest.mark.parametrize(
    ("module", "data", "path"),
    [
        ("integration_tests.fakes.harvest", TENANT_PATH, "/token"),
        ("integration_tests.fakes.remote", COMPANY_PATH, "/v1/identity/current"),
    ],
)
def test_standalone_prints_its_base_url_and_stops_on_sigterm(
    module: str, data: Path, path: str
) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    command = [sys.executable, "-m", module, "--data", str(data), "--port", "0"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env) as process:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        base_url = line.removeprefix("base_url=")
        answer = requests.post(f"{base_url}{path}", timeout=5)
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=10)

    assert line.startswith("base_url=http://127.0.0.1:")
    assert answer.status_code in (401, 405)
    assert code == 0
