"""Deliveries through the real Onboarder into the Remote fake, with the Harvest fake behind."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests

from destination_remote_onboarding.ledger import Ledger
from integration_tests.fakes.harvest import HarvestFake
from integration_tests.fakes.remote import RemoteFake
from integration_tests.local_configs import destination_config, source_config
from tests.webhook.conftest import wait_until
from tests.webhook.deliveries import (
    SECRET,
    encode,
    fixture,
    generated_hire,
    hire_webhook_from_v3,
    offer_webhook_from_v3,
    post,
    sample_company,
    sample_tenant,
)
from webhook_receiver.config import settings_from_dict
from webhook_receiver.inbox import Inbox
from webhook_receiver.receiver import build_receiver
from webhook_receiver.server import RunningServer, serve_in_thread
from webhook_receiver.worker import UNHIRE_REASON

TENANT = sample_tenant()


def record(resource: str, record_id: int) -> dict[str, Any]:
    return next(item for item in TENANT[resource] if item["id"] == record_id)


def current_offer(application_id: int) -> dict[str, Any]:
    offers = [o for o in TENANT["offers"] if o["application_id"] == application_id]
    return max(offers, key=lambda offer: offer["version"])


def hire_body(application_id: int) -> bytes:
    application = record("applications", application_id)
    return encode(
        hire_webhook_from_v3(
            application,
            record("candidates", application["candidate_id"]),
            record("jobs", application["job_id"]),
            current_offer(application_id),
        )
    )


def ours(remote: RemoteFake, application_id: int) -> list[dict[str, Any]]:
    external_id = f"greenhouse-application-{application_id}"
    return [e for e in remote.employments if e.get("external_id") == external_id]


Serve = Callable[..., Any]


@pytest.fixture
def fakes() -> Iterator[tuple[HarvestFake, RemoteFake]]:
    with HarvestFake(TENANT, rate_limit=None) as harvest, RemoteFake(sample_company()) as remote:
        yield harvest, remote


@pytest.fixture
def serve(tmp_path: Path, fakes: tuple[HarvestFake, RemoteFake]) -> Serve:
    harvest, remote = fakes

    @contextmanager
    def start(
        rule: str | dict[str, str], rate_limit: int = 20, dry_run: bool = False
    ) -> Iterator[tuple[RunningServer, Inbox]]:
        settings = settings_from_dict(
            {
                "webhook_secret": SECRET,
                "inbox_path": str(tmp_path / "inbox.sqlite"),
                "harvest": source_config(harvest, user_id=5001122),
                "destination": {
                    **destination_config(
                        remote,
                        rule="globex.yaml",
                        ledger_path=tmp_path / "ledger.sqlite",
                        rate_limit_per_minute=rate_limit,
                    ),
                    "rule": rule,
                    "dry_run": dry_run,
                },
                "worker": {"backoff_seconds": 0.05, "poll_seconds": 0.05},
            },
            environ={},
        )
        receiver = build_receiver(settings)
        with serve_in_thread(receiver.app) as server:
            yield server, receiver.inbox

    return start


def test_duplicate_offer_deliveries_create_one_employment(
    serve: Serve, fakes: tuple[HarvestFake, RemoteFake]
) -> None:
    harvest, remote = fakes
    body = encode(offer_webhook_from_v3(current_offer(90214555)))
    with serve("northwind.yaml") as (server, inbox):
        for event_id in ("evt-1", "evt-1", "evt-2-same-offer-version"):
            assert post(server.url, body, event_id).status_code == 200
        assert wait_until(lambda: inbox.counts() == {"done": 1, "duplicate": 1})
        [delivery] = inbox.recent(status="done")
    assert (delivery.outcome, delivery.event_id) == ("created", "offer_created:90214555")
    [employment] = ours(remote, 90214555)
    assert employment["country_code"] == "BRA"
    assert employment["provisional_start_date"] == "2027-02-01"
    assert remote.request_count("POST", "/v1/employments") == 1
    assert harvest.request_count("GET", "/v3/applications") == 1


def test_a_hire_already_in_remote_as_ours_is_already_synced(
    serve: Serve, fakes: tuple[HarvestFake, RemoteFake]
) -> None:
    _, remote = fakes
    with serve("globex.yaml") as (server, inbox):
        post(server.url, hire_body(90214477), "evt-ines")
        assert wait_until(lambda: inbox.counts() == {"done": 1})
        [delivery] = inbox.recent()
    assert delivery.outcome == "already_synced"
    assert len(ours(remote, 90214477)) == 1
    assert remote.request_count("POST", "/v1/employments") == 0


def test_hire_candidate_creates_the_employment_without_harvest(
    serve: Serve, fakes: tuple[HarvestFake, RemoteFake]
) -> None:
    harvest, remote = fakes
    with serve("globex.yaml") as (server, inbox):
        post(server.url, hire_body(90214555), "evt-lucas")
        post(server.url, hire_body(90214555), "evt-lucas-again")
        assert wait_until(lambda: inbox.counts() == {"done": 1, "duplicate": 1})
    assert len(ours(remote, 90214555)) == 1
    assert harvest.request_count() == 0


def test_older_offer_version_after_the_newer_one_changes_nothing(
    serve: Serve, fakes: tuple[HarvestFake, RemoteFake]
) -> None:
    _, remote = fakes
    versions = sorted(
        (o for o in TENANT["offers"] if o["application_id"] == 90214698),
        key=lambda offer: offer["version"],
    )
    with serve("northwind.yaml") as (server, inbox):
        post(server.url, encode(offer_webhook_from_v3(versions[-1])), "evt-v3")
        for offer in versions[:-1]:
            post(server.url, encode(offer_webhook_from_v3(offer)), f"evt-v{offer['version']}")
        assert wait_until(lambda: inbox.counts() == {"done": 1, "superseded": 2})
    [employment] = ours(remote, 90214698)
    assert employment["provisional_start_date"] == current_offer(90214698)["starts_on"]


def test_unhire_is_a_skipped_outcome_in_the_ledger(
    serve: Serve, fakes: tuple[HarvestFake, RemoteFake], tmp_path: Path
) -> None:
    _, remote = fakes
    document = fixture("webhook-hire-candidate-docs-based.json")
    document["action"] = "unhire_candidate"
    before = len(remote.employments)
    with serve("globex.yaml") as (server, inbox):
        post(server.url, encode(document), "evt-unhire")
        assert wait_until(lambda: inbox.counts() == {"done": 1})
    with Ledger(tmp_path / "ledger.sqlite") as ledger:
        [row] = ledger.outcomes(outcome="skipped")
    assert (row["event_id"], row["reason"]) == ("candidate_hired:46194062", UNHIRE_REASON)
    assert len(remote.employments) == before


def test_load_of_two_thousand_deliveries_creates_every_hire_exactly_once(
    serve: Serve, fakes: tuple[HarvestFake, RemoteFake]
) -> None:
    _, remote = fakes
    remote.rate_limit_per_minute = 1_000_000
    hires = 300
    bodies = [encode(generated_hire(n)) for n in range(hires)]
    ping = encode(fixture("webhook-ping.json"))
    deliveries = [(body, f"evt-hire-{n}") for n, body in enumerate(bodies)]
    deliveries += [(body, f"evt-hire-{n}") for n, body in enumerate(bodies)]  # retries
    deliveries += [(body, f"evt-resent-{n}") for n, body in enumerate(bodies)]
    deliveries += [(ping, f"evt-ping-{n}") for n in range(2000 - len(deliveries))]

    with serve("globex.yaml", rate_limit=1_000_000) as (server, inbox):
        with ThreadPoolExecutor(max_workers=20) as pool, requests.Session() as session:
            session.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=20))
            statuses = list(
                pool.map(lambda d: post(server.url, d[0], d[1], session=session).status_code,
                         deliveries)
            )  # fmt: skip
        assert statuses == [200] * 2000
        assert wait_until(lambda: inbox.counts().get("done", 0) == hires + 1100, timeout=60)
        assert inbox.counts() == {"done": hires + 1100, "duplicate": hires}

    expected = {f"greenhouse-application-{93000000 + n}" for n in range(hires)}
    created = [e["external_id"] for e in remote.employments if e["external_id"] in expected]
    assert sorted(created) == sorted(expected)  # every hire, each exactly once
    assert remote.request_count("POST", "/v1/employments") == hires


def test_a_conflict_under_on_conflict_fail_does_not_stop_later_deliveries(
    serve: Serve, fakes: tuple[HarvestFake, RemoteFake]
) -> None:
    _, remote = fakes
    strict = (Path(__file__).parents[2] / "rules" / "customers" / "globex.yaml").read_text()
    strict = strict.replace("on_conflict: skip", "on_conflict: fail")
    with serve({"rule_yaml": strict}) as (server, inbox):
        post(server.url, hire_body(90214501), "evt-oliver")  # e-mail held by someone else
        post(server.url, hire_body(90214555), "evt-lucas")
        assert wait_until(lambda: inbox.counts() == {"done": 2})
        outcomes = {d.application_id: d.outcome for d in inbox.recent()}
    assert outcomes == {90214501: "conflict", 90214555: "created"}
    assert len(ours(remote, 90214555)) == 1
    assert ours(remote, 90214501) == []


def test_a_dry_run_preview_does_not_stop_the_real_run_from_creating_the_hire(
    serve: Serve, fakes: tuple[HarvestFake, RemoteFake]
) -> None:
    _, remote = fakes
    with serve("globex.yaml", dry_run=True) as (server, inbox):
        post(server.url, hire_body(90214555), "evt-preview")
        assert wait_until(lambda: inbox.counts() == {"previewed": 1})
        [preview] = inbox.recent()
    assert (preview.outcome, preview.reason) == ("created", "dry run: would create")
    assert ours(remote, 90214555) == []

    with serve("globex.yaml") as (server, inbox):
        post(server.url, hire_body(90214555), "evt-preview")  # a retry of the same delivery
        post(server.url, hire_body(90214555), "evt-real")
        assert wait_until(lambda: inbox.counts() == {"previewed": 1, "done": 1})
        [real] = inbox.recent(status="done")
        assert inbox.replay(status="previewed") == 1  # `hires inbox replay --previewed`
        assert wait_until(lambda: inbox.counts() == {"done": 2})
        outcomes = sorted((d.greenhouse_event_id, d.outcome) for d in inbox.recent())
    assert (real.greenhouse_event_id, real.outcome) == ("evt-real", "created")
    assert outcomes == [("evt-preview", "already_synced"), ("evt-real", "created")]
    assert len(ours(remote, 90214555)) == 1
    assert remote.request_count("POST", "/v1/employments") == 1
