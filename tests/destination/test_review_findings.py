"""Exactly-once edge cases found in review: every hire gets an outcome, none twice."""

from __future__ import annotations

from pathlib import Path

from destination_remote_onboarding.onboarding import Onboarder
from integration_tests.fakes.remote import RemoteFake
from tests.destination.builders import make_config, offer_event, outcomes_of


def test_a_listing_that_keeps_failing_leaves_every_hire_failed_not_unaccounted(
    remote: RemoteFake, ledger_path: Path
) -> None:
    remote.fail_next(503, count=4, method="GET", path="/v1/employments")
    events = [offer_event(f"l{number}@example.test") for number in range(2)]

    with Onboarder.from_config(make_config(remote, ledger_path)) as onboarder:
        outcomes = onboarder.process(events)

    assert [outcome.outcome for outcome in outcomes] == ["created", "created"]
    assert [row["outcome"] for row in outcomes_of(ledger_path)] == ["created", "created"]
    assert len(remote.employments) == 2


def test_unanswered_create_whose_look_up_fails_too_is_failed_then_recognised_on_re_run(
    remote: RemoteFake, ledger_path: Path
) -> None:
    remote.fail_after_commit_next(1, status=500)
    remote.fail_next(
        503,
        count=4,
        method="GET",
        path="/v1/employments?page=1&page_size=100&email=u%40example.test",
    )
    config = make_config(remote, ledger_path, lookup_strategy="listing")
    event = offer_event("u@example.test", application_id=9701)

    with Onboarder.from_config(config) as onboarder:
        [first] = onboarder.process([event])
    with Onboarder.from_config(config) as onboarder:
        [second] = onboarder.process([event])

    assert (first.outcome, second.outcome) == ("failed", "already_synced")
    assert remote.request_count("POST") == 1
    assert len(remote.employments_by_email("u@example.test")) == 1
