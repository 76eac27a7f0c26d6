"""No duplicates under retries and re-runs; STATE only after durable outcomes; cheap re-runs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from airbyte_cdk.models import AirbyteMessage, Type

from destination_remote_onboarding.destination import DestinationRemoteOnboarding
from destination_remote_onboarding.onboarding import Onboarder
from integration_tests.fakes.remote import RemoteFake
from tests.destination.builders import (
    TODAY,
    catalog,
    company,
    make_config,
    offer_event,
    outcomes_of,
    record,
    records_then_state,
    state,
    write,
)


def test_server_error_after_commit_on_create_makes_no_duplicate(
    remote: RemoteFake, ledger_path: Path
) -> None:
    remote.fail_after_commit_next(1, status=500)

    write(make_config(remote, ledger_path), records_then_state([offer_event("c@example.test")]))

    assert len(remote.employments_by_email("c@example.test")) == 1
    assert remote.request_count("POST") == 1
    [row] = outcomes_of(ledger_path)
    [employment] = remote.employments_by_email("c@example.test")
    assert row["outcome"] == "created"
    assert str(row["reason"]).startswith(
        f"created employment {employment['id']} (confirmed by a look-up after:"
    )


def test_dropped_connection_after_commit_on_create_makes_no_duplicate(
    remote: RemoteFake, ledger_path: Path
) -> None:
    remote.fail_after_commit_next(1, status=None, hang_seconds=0.1)

    write(make_config(remote, ledger_path), records_then_state([offer_event("t@example.test")]))

    assert len(remote.employments_by_email("t@example.test")) == 1
    assert remote.request_count("POST") == 1
    assert outcomes_of(ledger_path)[0]["outcome"] == "created"


def test_timeout_after_commit_on_create_makes_no_duplicate(
    remote: RemoteFake, ledger_path: Path
) -> None:
    remote.fail_after_commit_next(1, status=None, hang_seconds=1.0)
    config = make_config(remote, ledger_path, request_timeout_seconds=0.3)

    write(config, records_then_state([offer_event("slow@example.test")]))

    assert len(remote.employments_by_email("slow@example.test")) == 1
    assert remote.request_count("POST") == 1
    assert outcomes_of(ledger_path)[0]["outcome"] == "created"


def test_server_error_before_commit_is_retried_after_a_look_up(
    remote: RemoteFake, ledger_path: Path
) -> None:
    remote.fail_next(502, count=1, method="POST", path="/v1/employments")
    config = make_config(remote, ledger_path, lookup_strategy="per_email")

    write(config, records_then_state([offer_event("r@example.test")]))

    assert len(remote.employments_by_email("r@example.test")) == 1
    assert remote.request_count("POST") == 2
    assert remote.request_count("GET") == 2  # the first look-up and the one before the retry
    assert outcomes_of(ledger_path)[0]["outcome"] == "created"


def test_email_taken_on_create_is_looked_up_and_recognised_as_ours(
    remote: RemoteFake, ledger_path: Path
) -> None:
    config = make_config(remote, ledger_path, lookup_strategy="listing")
    with Onboarder.from_config(config) as onboarder:
        onboarder.process([offer_event("first@example.test")])
        # Created by an earlier, crashed run after this sync listed everyone.
        remote.add_employment(
            personal_email="late@example.test", external_id="greenhouse-application-9301"
        )
        [outcome] = onboarder.process([offer_event("late@example.test", application_id=9301)])

    assert outcome.outcome == "already_synced"
    assert len(remote.employments_by_email("late@example.test")) == 1
    assert remote.request_count("GET", "/v1/employments") == 2  # the listing, then a look-up


def test_state_is_echoed_only_after_the_outcomes_before_it_are_in_the_ledger(
    remote: RemoteFake, ledger_path: Path
) -> None:
    messages = [
        record(offer_event("s1@example.test")),
        record(offer_event("s2@example.test")),
        state("cursor-1"),
        record(offer_event("s3@example.test")),
        state("cursor-2"),
        record(offer_event("s4@example.test")),
    ]
    seen: list[tuple[object, int]] = []

    for message in write_lazily(make_config(remote, ledger_path), iter(messages)):
        assert message.type == Type.STATE
        assert message.state is not None and message.state.stream is not None
        cursor = getattr(message.state.stream.stream_state, "updated_at", None)
        seen.append((cursor, len(outcomes_of(ledger_path))))

    assert seen == [("cursor-1", 2), ("cursor-2", 3)]
    assert len(outcomes_of(ledger_path)) == 4


def test_a_full_buffer_is_flushed_without_echoing_any_state_early(
    remote: RemoteFake, ledger_path: Path
) -> None:
    destination = DestinationRemoteOnboarding()
    destination.flush_size = 2
    events = [offer_event(f"b{number}@example.test") for number in range(5)]
    durable_when_read: list[int] = []
    yielded: list[AirbyteMessage] = []

    def source() -> Iterator[AirbyteMessage]:
        for event in events:
            durable_when_read.append(len(outcomes_of(ledger_path)))
            yield record(event)
        durable_when_read.append(len(outcomes_of(ledger_path)))
        yield state("end")

    for message in destination.write(make_config(remote, ledger_path), catalog(), source()):
        yielded.append(message)

    assert durable_when_read == [0, 0, 2, 2, 4, 4]
    assert [message.type for message in yielded] == [Type.STATE]
    assert len(outcomes_of(ledger_path)) == 5


def test_ledger_warm_re_run_makes_zero_remote_calls(remote: RemoteFake, ledger_path: Path) -> None:
    events = [offer_event(f"w{number}@example.test") for number in range(3)]
    config = make_config(remote, ledger_path)
    write(config, records_then_state(events))
    before = remote.request_count()

    write(config, records_then_state(events))

    assert remote.request_count() == before
    rows = outcomes_of(ledger_path)
    assert [row["outcome"] for row in rows[3:]] == ["already_synced"] * 3
    assert len(remote.employments) == 3


def test_re_run_with_a_fresh_ledger_recognises_its_own_work(
    remote: RemoteFake, tmp_path: Path
) -> None:
    events = [offer_event(f"f{number}@example.test") for number in range(3)]
    write(make_config(remote, tmp_path / "first.sqlite"), records_then_state(events))

    write(make_config(remote, tmp_path / "second.sqlite"), records_then_state(events))

    rows = outcomes_of(tmp_path / "second.sqlite")
    assert [row["outcome"] for row in rows] == ["already_synced"] * 3
    assert remote.request_count("POST") == 3
    assert len(remote.employments) == 3


def test_changed_email_moves_our_employment_instead_of_creating_another(
    remote: RemoteFake, ledger_path: Path
) -> None:
    config = make_config(remote, ledger_path)
    write(config, records_then_state([offer_event("old@example.test", application_id=9401)]))

    write(config, records_then_state([offer_event("new@example.test", application_id=9401)]))

    rows = outcomes_of(ledger_path)
    assert [row["outcome"] for row in rows] == ["created", "updated"]
    assert "e-mail changed in Greenhouse" in rows[1]["reason"]
    [employment] = remote.employments_by_email("new@example.test")
    assert employment["external_id"] == "greenhouse-application-9401"
    assert remote.employments_by_email("old@example.test") == []
    assert remote.request_count("POST") == 1
    assert remote.request_count("PATCH") == 1


def test_changed_email_is_recognised_from_the_listing_without_a_ledger(
    remote: RemoteFake, tmp_path: Path
) -> None:
    first = make_config(remote, tmp_path / "first.sqlite", lookup_strategy="listing")
    write(first, records_then_state([offer_event("old@example.test", application_id=9402)]))

    fresh = make_config(remote, tmp_path / "fresh.sqlite", lookup_strategy="listing")
    write(fresh, records_then_state([offer_event("new@example.test", application_id=9402)]))

    assert [row["outcome"] for row in outcomes_of(tmp_path / "fresh.sqlite")] == ["updated"]
    assert remote.request_count("POST") == 1
    assert len(remote.employments) == len(company()["employments"]) + 1


def test_changed_email_of_an_active_employment_is_reported_not_duplicated(
    remote: RemoteFake, ledger_path: Path
) -> None:
    config = make_config(remote, ledger_path)
    write(config, records_then_state([offer_event("old@example.test", application_id=9403)]))
    [employment] = remote.employments_by_email("old@example.test")
    remote.set_status(employment["id"], "active")

    write(config, records_then_state([offer_event("new@example.test", application_id=9403)]))

    second = outcomes_of(ledger_path)[1]
    assert second["outcome"] == "already_synced"
    assert "status active no longer lets the API change it" in second["reason"]
    assert remote.request_count("POST") == 1
    assert remote.request_count("PATCH") == 0


def test_changed_email_after_our_employment_was_deleted_creates_a_new_one(
    remote: RemoteFake, ledger_path: Path
) -> None:
    config = make_config(remote, ledger_path)
    write(config, records_then_state([offer_event("old@example.test", application_id=9404)]))
    [employment] = remote.employments_by_email("old@example.test")
    remote.set_status(employment["id"], "deleted")

    write(config, records_then_state([offer_event("new@example.test", application_id=9404)]))

    assert [row["outcome"] for row in outcomes_of(ledger_path)] == ["created", "created"]
    assert len(remote.employments_by_email("new@example.test")) == 1


def test_auto_strategy_lists_everyone_for_a_big_batch(ledger_path: Path) -> None:
    with big_company(employments=250) as fake:
        events = [offer_event(f"n{number}@example.test") for number in range(5)]

        write(make_config(fake, ledger_path), records_then_state(events))

        listing = [request for request in fake.requests if request.method == "GET"]
        assert len(listing) == 3  # 250 employments in pages of 100
        assert all("email" not in request.query for request in listing)
        assert fake.request_count("POST") == 5


def test_auto_strategy_looks_up_one_by_one_for_a_small_batch(ledger_path: Path) -> None:
    with big_company(employments=250) as fake:
        taken = fake.employments[200]["personal_email"]
        write(make_config(fake, ledger_path), records_then_state([offer_event(taken)]))

        gets = [request for request in fake.requests if request.method == "GET"]
        assert len(gets) == 2  # page 1 to learn the page count, then one look-up
        assert "email" in gets[1].query
        assert outcomes_of(ledger_path)[0]["outcome"] == "conflict"


def big_company(employments: int) -> RemoteFake:
    existing = [
        {"personal_email": f"existing{number}@example.test", "external_id": f"hris-{number}"}
        for number in range(employments)
    ]
    return RemoteFake(company(existing), rate_limit_per_minute=100_000, today=TODAY)


def write_lazily(
    config: dict[str, object], messages: Iterator[AirbyteMessage]
) -> Iterator[AirbyteMessage]:
    yield from DestinationRemoteOnboarding().write(config, catalog(), messages)


def test_flaky_remote_never_gets_a_duplicate_and_re_runs_finish_the_job(
    ledger_path: Path,
) -> None:
    events = [offer_event(f"flaky{number}@example.test") for number in range(40)]
    with RemoteFake(company(), rate_limit_per_minute=100_000, today=TODAY, seed=11) as fake:
        fake.error_rate = 0.25
        config = make_config(fake, ledger_path, lookup_strategy="per_email")
        runs = 0
        while len(fake.employments) < len(events) and runs < 6:
            fake.fail_after_commit_next(2, status=503)
            write(config, records_then_state(events))
            runs += 1
            emails = [employment["personal_email"] for employment in fake.employments]
            assert len(emails) == len(set(emails))

        assert len(fake.employments) == len(events)
        assert runs > 1
