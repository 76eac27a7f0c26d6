"""``hires inbox event``: a stored delivery's hire event, ready for ``hires rules explain``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from hires_cli.main import main
from integration_tests.fakes.harvest import HarvestFake
from integration_tests.fakes.remote import RemoteFake
from integration_tests.local_configs import destination_config, source_config
from tests.webhook.conftest import FAST_WORKER, RecordingOnboarding
from tests.webhook.deliveries import (
    SECRET,
    encode,
    fixture,
    hire_document,
    offer_webhook_from_v3,
    post,
    sample_company,
)
from tests.webhook.test_end_to_end import TENANT, current_offer, hire_body
from webhook_receiver.app import create_app
from webhook_receiver.config import harvest_settings_of
from webhook_receiver.enrichment import OfferEnricher
from webhook_receiver.inbox import Inbox
from webhook_receiver.receiver import harvest_client_of
from webhook_receiver.server import serve_in_thread
from webhook_receiver.worker import UNHIRE_REASON, InboxWorker

# Inbox ids of the deliveries stored by the `config` fixture, in the order they arrive.
PING, OFFER_UPDATED, UNHIRE, NOT_JSON, BAD_START_DATE, OFFER, HIRE = range(1, 8)
LUCAS = 90214555  # Lucas Ferreira in the sample tenant: eligible for globex and northwind


def deliveries() -> list[tuple[str, bytes]]:
    unhire = fixture("webhook-hire-candidate-docs-based.json")
    unhire["action"] = "unhire_candidate"
    return [
        ("evt-ping", encode(fixture("webhook-ping.json"))),
        ("evt-offer-updated", encode(fixture("webhook-offer-updated-deprecated.json"))),
        ("evt-unhire", encode(unhire)),
        ("evt-not-json", b"<html>not a web hook</html>"),
        ("evt-bad-date", encode(hire_document(90219999, starts_at="next spring"))),
        ("evt-offer", encode(offer_webhook_from_v3(current_offer(LUCAS)))),
        ("evt-hire", hire_body(LUCAS)),
    ]


@pytest.fixture
def harvest() -> Iterator[HarvestFake]:
    with HarvestFake(TENANT, rate_limit=None) as fake:
        yield fake


@pytest.fixture
def config(tmp_path: Path, harvest: HarvestFake) -> Iterator[Path]:
    """A receiver config on the fakes; its inbox holds the signed ``deliveries()``, unprocessed."""
    inbox_path = tmp_path / "inbox.sqlite"
    inbox = Inbox(inbox_path)
    with serve_in_thread(create_app(webhook_secret=SECRET, inbox=inbox)) as server:
        for event_id, body in deliveries():
            assert post(server.url, body, event_id).status_code == 200
    assert inbox.recent(limit=1)[0].id == HIRE
    with RemoteFake(sample_company()) as remote:
        path = tmp_path / "receiver.yaml"
        settings = {
            "webhook_secret": SECRET,
            "inbox_path": str(inbox_path),
            "harvest": source_config(harvest, user_id="5001122"),
            "destination": destination_config(
                remote, rule="globex.yaml", ledger_path=tmp_path / "ledger.sqlite"
            ),
        }
        path.write_text(yaml.safe_dump(settings))
        yield path


def hires(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def worker_events(config: Path) -> dict[str, dict[str, Any]]:
    """The events the receiver's worker sends to onboarding for the same inbox, by event id."""
    settings = harvest_settings_of(config)
    client = harvest_client_of(settings)
    assert client is not None
    inbox_path = Path(yaml.safe_load(config.read_text())["inbox_path"])
    onboarding = RecordingOnboarding()
    InboxWorker(
        Inbox(inbox_path), onboarding, enricher=OfferEnricher(client), settings=FAST_WORKER
    ).run_once()
    return {event["event_id"]: event for event in onboarding.events}


def test_the_event_of_a_hire_delivery_is_what_rules_explain_decides_on(
    config: Path, harvest: HarvestFake, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = hires(["inbox", "event", str(HIRE), "--config", str(config)], capsys)
    assert (status, err) == (0, "")
    event_file = tmp_path / "event.json"
    event_file.write_text(out)

    status, explained, _ = hires(["rules", "explain", "globex.yaml", str(event_file)], capsys)

    assert status == 0
    assert "decision: send" in explained
    assert '"email": "lucas.ferreira@example.test"' in explained
    assert harvest.request_count() == 0  # a hire_candidate carries everything: no network
    event = json.loads(out)
    assert (event["event_id"], event["origin"]) == (f"candidate_hired:{LUCAS}", "webhook")
    assert out.startswith('{\n  "')  # pretty, for people to read and edit
    assert worker_events(config)[event["event_id"]] == event


def test_the_event_of_an_offer_delivery_uses_one_harvest_lookup_per_resource(
    config: Path, harvest: HarvestFake, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = hires(["inbox", "event", str(OFFER), "--config", str(config)], capsys)

    assert status == 0
    lookups = {
        resource: harvest.request_count("GET", f"/v3/{resource}")
        for resource in ("applications", "candidates", "jobs", "offers")
    }
    assert lookups == {"applications": 1, "candidates": 1, "jobs": 1, "offers": 0}
    event = json.loads(out)
    assert event["event_id"] == f"offer_created:{LUCAS}"
    assert event["candidate"]["id"] == event["application"]["candidate_id"]
    event_file = tmp_path / "offer.json"
    event_file.write_text(out)
    status, explained, _ = hires(["rules", "explain", "northwind.yaml", str(event_file)], capsys)
    assert status == 0
    assert "decision: send: eligible" in explained
    assert '"provisional_start_date": "2027-02-01"' in explained
    assert worker_events(config)[event["event_id"]] == event


def test_an_offer_delivery_with_only_the_inbox_asks_for_the_config(
    config: Path, harvest: HarvestFake, capsys: pytest.CaptureFixture[str]
) -> None:
    inbox = yaml.safe_load(config.read_text())["inbox_path"]

    status, out, err = hires(["inbox", "event", str(OFFER), "--inbox", inbox], capsys)

    assert (status, out) == (1, "")
    assert err == (
        f"hires inbox event: delivery {OFFER} (evt-offer) is an offer_created: its hire event "
        "needs the application, candidate and job from Harvest v3; give --config with the "
        "receiver config (its 'harvest' section) instead of --inbox\n"
    )
    assert harvest.request_count() == 0


def test_an_offer_delivery_with_a_config_without_harvest_says_to_add_it(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bare = tmp_path / "no-harvest.yaml"
    settings = yaml.safe_load(config.read_text())
    del settings["harvest"]
    bare.write_text(yaml.safe_dump(settings))

    status, out, err = hires(["inbox", "event", str(OFFER), "--config", str(bare)], capsys)

    assert (status, out) == (1, "")
    assert err == (
        f"hires inbox event: delivery {OFFER} (evt-offer) is an offer_created: its hire event "
        f"needs the application, candidate and job from Harvest v3; add a 'harvest' section "
        f"to {bare}\n"
    )


def test_an_offer_delivery_whose_harvest_credentials_are_refused_names_the_section(
    config: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HIRES_HARVEST_CLIENT_SECRET", "not-the-secret")

    status, out, err = hires(["inbox", "event", str(OFFER), "--config", str(config)], capsys)

    assert (status, out) == (1, "")
    last = err.splitlines()[-1]
    assert last.startswith(
        f"hires inbox event: delivery {OFFER} (evt-offer) is an offer_created: its hire event "
        "needs the application, candidate and job, and the Harvest look-up failed: "
    )
    assert last.endswith(f"; check the 'harvest' section of {config}")
    assert "not-the-secret" not in err


@pytest.mark.parametrize(
    ("delivery_id", "why"),
    [
        (PING, "(evt-ping) is a ping: Greenhouse checking the endpoint, not a hire event"),
        (
            OFFER_UPDATED,
            "(evt-offer-updated) has action 'offer_updated', which the receiver does not act "
            "on: no hire event",
        ),
        (
            UNHIRE,
            f"(evt-unhire) is an unhire_candidate: no hire event; the worker records "
            f"'{UNHIRE_REASON}'",
        ),
        (
            NOT_JSON,
            "(evt-not-json) failed on arrival: body is not JSON (Expecting value); it never "
            "becomes a hire event",
        ),
        (
            BAD_START_DATE,
            "(evt-bad-date) cannot become a hire event: field "
            "'payload.application.offer.starts_at' is 'next spring'; expected MM/DD/YYYY or "
            "YYYY-MM-DD",
        ),
    ],
)
def test_a_delivery_without_a_hire_event_says_which_and_why(
    config: Path, delivery_id: int, why: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = hires(["inbox", "event", str(delivery_id), "--config", str(config)], capsys)

    assert (status, out) == (1, "")
    assert err == f"hires inbox event: delivery {delivery_id} {why}\n"


def test_an_unknown_delivery_id_points_to_inbox_list(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inbox = yaml.safe_load(config.read_text())["inbox_path"]

    status, out, err = hires(["inbox", "event", "99", "--inbox", inbox], capsys)

    assert (status, out) == (1, "")
    assert err == (
        f"hires inbox event: no delivery 99 in {inbox}; see `hires inbox list` for ids\n"
    )
