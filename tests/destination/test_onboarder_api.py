"""The Onboarder as the webhook receiver and ``hires sync`` use it: progress, ledger, privacy."""

from __future__ import annotations

from pathlib import Path

from destination_remote_onboarding.ledger import Ledger
from destination_remote_onboarding.onboarding import Onboarder, Progress
from integration_tests.fakes.remote import RemoteFake
from tests.destination.builders import TODAY, company, make_config, offer_event


def test_progress_reports_events_outcomes_and_rate_limit_waits(ledger_path: Path) -> None:
    progress: list[Progress] = []
    waits: list[tuple[float, str]] = []
    with RemoteFake(company(), rate_limit_per_minute=2, window_seconds=0.3, today=TODAY) as fake:
        config = make_config(fake, ledger_path)
        with Onboarder.from_config(
            config, on_progress=progress.append, on_wait=lambda s, r: waits.append((s, r))
        ) as onboarder:
            outcomes = onboarder.process([offer_event(f"p{n}@example.test") for n in range(3)])

        assert [outcome.outcome for outcome in outcomes] == ["created"] * 3
        assert fake.rate_limited_count == 0
    assert progress[-1].events_read == 3
    assert progress[-1].counts["created"] == 3
    waiting = [update.waiting for update in progress if update.waiting is not None]
    assert waiting and waiting == waits
    assert all("rate limit" in reason for _, reason in waiting)


def test_outcomes_are_durable_when_process_returns(remote: RemoteFake, ledger_path: Path) -> None:
    config = make_config(remote, ledger_path)
    with Onboarder.from_config(config, sync_id="webhook-1") as onboarder:
        [outcome] = onboarder.process([offer_event("d@example.test", application_id=9601)])

        with Ledger(ledger_path) as reader:
            [row] = reader.outcomes(sync_id="webhook-1")
    assert (row["event_id"], row["outcome"]) == ("offer_created:9601", outcome.outcome)
    assert row["employment_id"] == outcome.employment_id


def test_the_ledger_file_holds_no_email_address_and_no_token(
    remote: RemoteFake, ledger_path: Path
) -> None:
    config = make_config(remote, ledger_path)
    remote.add_employment(personal_email="taken.person@example.test", external_id="hris-9")
    with Onboarder.from_config(config) as onboarder:
        onboarder.process(
            [offer_event("private.person@example.test"), offer_event("taken.person@example.test")]
        )

    stored = b"".join(path.read_bytes() for path in ledger_path.parent.glob("ledger.sqlite*"))
    assert b"private.person" not in stored and b"taken.person" not in stored
    assert b"example.test" not in stored
    assert str(config["api_token"]).encode() not in stored
