"""Fixtures shared by the tests of the fakes: the committed sample data, loaded fresh."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from integration_tests.fakes import HarvestFake, RemoteFake

SAMPLE_DATA = Path(__file__).resolve().parents[2] / "integration_tests" / "sample_data"
TENANT_PATH = SAMPLE_DATA / "greenhouse_tenant.json"
COMPANY_PATH = SAMPLE_DATA / "remote_company.json"


@pytest.fixture
def tenant() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(TENANT_PATH.read_text("utf-8"))
    return loaded


@pytest.fixture
def company() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(COMPANY_PATH.read_text("utf-8"))
    return loaded


@pytest.fixture
def harvest(tenant: dict[str, Any]) -> Iterator[HarvestFake]:
    with HarvestFake(tenant, rate_limit=1000) as fake:
        yield fake


@pytest.fixture
def remote(company: dict[str, Any]) -> Iterator[RemoteFake]:
    with RemoteFake(company, rate_limit_per_minute=1000) as fake:
        yield fake


def mint_token(fake: HarvestFake, client: str = "demo-client-id", **form: str) -> str:
    secret = "demo-client-secret" if client == "demo-client-id" else "limited-client-secret"
    response = requests.post(
        fake.token_url,
        auth=(client, secret),
        data={"grant_type": "client_credentials", **form},
        timeout=5,
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


@pytest.fixture
def harvest_session(harvest: HarvestFake) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {mint_token(harvest)}"
    return session


@pytest.fixture
def remote_session() -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = "Bearer ra_test_demo_token"
    return session
