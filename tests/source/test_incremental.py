"""Incremental reads across syncs: no hire event is lost between windows, re-runs or versions."""

from __future__ import annotations

from typing import Any

from airbyte_cdk.test.state_builder import StateBuilder

from integration_tests.fakes.base import Reply, Request, json_reply
from tests.source import harvest_data as data
from tests.source.conftest import final_state, records_of


def _state(stream: str, value: dict[str, Any]) -> Any:
    return StateBuilder().with_stream_state(stream, value).build()


def _fail_follow_up_pages(harvest, path: str) -> None:
    """Every follow-up page (a cursor request) of ``path`` answers 503."""
    serve = harvest.fake.route

    def route(request: Request) -> Reply:
        if request.path == path and "cursor" in request.query:
            return json_reply(503, {"message": "injected failure on a follow-up page"})
        return serve(request)

    harvest.fake.route = route


def test_failed_page_mid_window_keeps_the_saved_state_and_the_rerun_reads_it_all(harvest_with):
    # Pages come id-descending, so the first page holds the newest updated_at: a state taken
    # from it before the window is read to the end would skip the older offers for good.
    offers = [
        data.offer(3, 13, updated_at=data.stamp(9)),
        data.offer(2, 12, updated_at=data.stamp(5)),
        data.offer(1, 11, updated_at=data.stamp(3)),
    ]
    harvest = harvest_with(data.tenant(offers))
    config = harvest.config(page_size=1, max_retries=0)
    saved = {"updated_at": "2026-10-01T00:00:00.000000+0000"}
    _fail_follow_up_pages(harvest, "/v3/offers")

    failed = harvest.read(config, streams=("offers",), state=_state("offers", saved))
    harvest.fake.route = type(harvest.fake).route.__get__(harvest.fake)
    rerun = harvest.read(
        config, streams=("offers",), state=_state("offers", final_state(failed, "offers") or saved)
    )

    assert failed.errors
    assert final_state(failed, "offers") in ({}, saved)
    assert sorted(event["offer"]["id"] for event in records_of(rerun, "offers")) == [1, 2, 3]
    assert final_state(rerun, "offers") == {"updated_at": "2026-10-09T10:00:00.000000+0000"}


def test_newer_offer_version_replaces_the_event_and_the_older_never_returns(harvest_with):
    harvest = harvest_with(data.tenant([data.offer(11, 101, version=1)]))
    config = harvest.config()
    first = harvest.read(config, streams=("offers",))
    deprecated = data.offer(11, 101, version=1, status="Deprecated", updated_at=data.stamp(6))
    harvest.fake.upsert("offers", deprecated)
    harvest.fake.upsert("offers", data.offer(12, 101, version=2, updated_at=data.stamp(6)))

    second = harvest.read(
        config, streams=("offers",), state=_state("offers", final_state(first, "offers"))
    )

    assert [event["offer"]["version"] for event in records_of(first, "offers")] == [1]
    assert [
        (event["offer"]["id"], event["offer"]["version"]) for event in records_of(second, "offers")
    ] == [(12, 2)]


def test_offer_updated_in_a_later_sync_carries_the_candidates_current_email(harvest_with):
    harvest = harvest_with(data.tenant([data.offer(21, 201)]))
    config = harvest.config()
    first = harvest.read(config, streams=("offers",))
    candidate = {
        **data.candidate(10_201),
        "email_addresses": [{"value": "new@example.invalid", "type": "personal"}],
        "updated_at": data.stamp(7),
    }
    harvest.fake.upsert("candidates", candidate)
    harvest.fake.upsert("offers", data.offer(21, 201, updated_at=data.stamp(8)))

    second = harvest.read(
        config, streams=("offers",), state=_state("offers", final_state(first, "offers"))
    )

    emails = [e["candidate"]["email_addresses"][0]["value"] for e in records_of(second, "offers")]
    assert emails == ["new@example.invalid"]


def test_candidate_email_change_alone_sends_no_event_again(harvest_with):
    # Events follow the offer's and the application's updated_at; a candidate edit moves neither.
    harvest = harvest_with(
        data.tenant([data.offer(31, 301, status="Accepted")], [data.application(301)])
    )
    config = harvest.config()
    first = harvest.read(config)
    candidate = {
        **data.candidate(10_301),
        "email_addresses": [{"value": "new@example.invalid", "type": "personal"}],
        "updated_at": data.stamp(7),
    }
    harvest.fake.upsert("candidates", candidate)
    state = [
        *_state("offers", final_state(first, "offers")),
        *_state("hires", final_state(first, "hires")),
    ]

    second = harvest.read(config, state=state)

    assert len(first.records) == 2
    assert second.records == []


def _ignore_window_end(harvest) -> None:
    """The fake answers as if the window had no upper bound (a lax server-side filter)."""
    serve = harvest.fake.route

    def route(request: Request) -> Reply:
        window = request.query.get("updated_at")
        if window:
            request.query["updated_at"] = ["|".join(window[0].split("|")[:2])]
        return serve(request)

    harvest.fake.route = route


def test_event_updated_after_the_window_end_waits_for_the_next_sync(harvest_with):
    offers = [data.offer(1, 11), data.offer(2, 12, updated_at="2099-01-01T00:00:00.000Z")]
    harvest = harvest_with(data.tenant(offers))
    _ignore_window_end(harvest)

    output = harvest.read(harvest.config(), streams=("offers",))

    assert [event["offer"]["id"] for event in records_of(output, "offers")] == [1]
    assert final_state(output, "offers") == {"updated_at": "2026-10-02T10:00:00.000000+0000"}
