"""What the source reads: hire events, their enrichment, and the incremental state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from airbyte_cdk.test.state_builder import StateBuilder

from tests.source import harvest_data as data
from tests.source.conftest import final_state, records_of

SEND_FIELD = {"id": 1, "field_type": "offer", "name": "Send to Remote", "name_key": "send_flag"}


def test_each_application_gives_one_offer_event_from_its_current_version(harvest_with):
    offers = [
        data.offer(11, 101, version=1, status="Deprecated"),
        data.offer(12, 101, version=2, status="Accepted", updated_at=data.stamp(3)),
        data.offer(21, 102),
    ]
    harvest = harvest_with(data.tenant(offers))

    events = records_of(harvest.read(harvest.config(), streams=("offers",)), "offers")

    by_id = {event["event_id"]: event for event in events}
    assert sorted(by_id) == ["offer_created:101", "offer_created:102"]
    assert by_id["offer_created:101"]["offer"]["id"] == 12
    assert by_id["offer_created:101"]["offer"]["version"] == 2
    assert by_id["offer_created:101"]["candidate"]["id"] == 10_101
    assert by_id["offer_created:101"]["job"]["name"] == "Job 700"
    assert by_id["offer_created:101"]["application"]["id"] == 101
    assert by_id["offer_created:101"]["flags"] == []


def test_hired_application_gives_a_hire_event_with_its_accepted_offer(harvest_with):
    offers = [data.offer(31, 301, version=3, status="Accepted")]
    applications = [
        data.application(301, status="hired"),
        data.application(302, status="in_process"),
    ]
    harvest = harvest_with(data.tenant(offers, applications))

    events = records_of(harvest.read(harvest.config(), streams=("hires",)), "hires")

    assert [event["event_id"] for event in events] == ["candidate_hired:301"]
    assert events[0]["offer"]["id"] == 31
    assert events[0]["candidate"]["first_name"] == "First10301"
    assert events[0]["job"]["id"] == 700


def test_hire_long_after_the_application_was_created_is_read_by_its_updated_at(harvest_with):
    applications = [data.application(401, updated_at=data.stamp(20))]
    harvest = harvest_with(data.tenant([data.offer(41, 401, status="Accepted")], applications))
    config = harvest.config(start_date="2026-10-10T00:00:00Z")

    events = records_of(harvest.read(config, streams=("hires",)), "hires")

    assert [event["event_id"] for event in events] == ["candidate_hired:401"]


def test_state_moves_to_newest_updated_at_seen_and_next_read_returns_only_newer(harvest_with):
    harvest = harvest_with(data.tenant([data.offer(51, 501), data.offer(52, 502)]))
    config = harvest.config()

    first = harvest.read(config, streams=("offers",))
    state = final_state(first, "offers")
    harvest.fake.upsert("offers", data.offer(53, 502, version=2, updated_at=data.stamp(9)))
    second = harvest.read(
        config,
        streams=("offers",),
        state=StateBuilder().with_stream_state("offers", state).build(),
    )

    assert len(records_of(first, "offers")) == 2
    assert state == {"updated_at": "2026-10-02T10:00:00.000000+0000"}
    assert [event["offer"]["id"] for event in records_of(second, "offers")] == [53]
    assert final_state(second, "offers") == {"updated_at": "2026-10-09T10:00:00.000000+0000"}


def test_offset_timestamp_is_compared_as_an_instant(harvest_with):
    # 12:30+02:00 is 10:30Z: later than the 10:00Z record, earlier than a naive reading.
    offers = [
        data.offer(61, 601, updated_at="2026-10-02T10:00:00.000Z"),
        data.offer(62, 602, updated_at="2026-10-02T12:30:00.000+02:00"),
    ]
    harvest = harvest_with(data.tenant(offers))
    config = harvest.config()

    first = harvest.read(config, streams=("offers",))
    state = final_state(first, "offers")
    harvest.fake.upsert("offers", data.offer(63, 603, updated_at="2026-10-02T11:00:00.000Z"))
    second = harvest.read(
        config,
        streams=("offers",),
        state=StateBuilder().with_stream_state("offers", state).build(),
    )

    assert state == {"updated_at": "2026-10-02T12:30:00.000000+0200"}
    assert [event["offer"]["id"] for event in records_of(second, "offers")] == [63]
    assert _offer_windows(harvest)[-1].startswith("gt|2026-10-02T10:30:00.000Z|lte|")


def _offer_windows(harvest) -> list[str]:
    return [
        seen.query["updated_at"][0]
        for seen in harvest.fake.requests
        if seen.path == "/v3/offers" and "updated_at" in seen.query
    ]


def test_window_ends_consistency_lag_before_now_and_state_never_jumps_to_now(harvest_with):
    just_now = (datetime.now(UTC) - timedelta(minutes=1)).isoformat().replace("+00:00", "Z")
    offers = [data.offer(71, 701), data.offer(72, 702, updated_at=just_now)]
    harvest = harvest_with(data.tenant(offers))

    output = harvest.read(harvest.config(consistency_lag_minutes=5), streams=("offers",))

    assert [event["offer"]["id"] for event in records_of(output, "offers")] == [71]
    assert final_state(output, "offers") == {"updated_at": "2026-10-02T10:00:00.000000+0000"}


def test_start_date_limits_the_first_read(harvest_with):
    offers = [
        data.offer(81, 801, updated_at=data.stamp(2)),
        data.offer(82, 802, updated_at=data.stamp(8)),
    ]
    harvest = harvest_with(data.tenant(offers))

    output = harvest.read(harvest.config(start_date="2026-10-05T00:00:00Z"), streams=("offers",))

    assert [event["offer"]["id"] for event in records_of(output, "offers")] == [82]
    assert _offer_windows(harvest)[0].startswith("gt|2026-10-05T00:00:00.000Z|lte|")


def test_renamed_custom_field_carries_its_current_name_and_untouched_value(harvest_with):
    old_entry = {"name": "Send to Remote", "type": "yes_no", "value": True}
    offers = [data.offer(91, 901, custom_fields={"send_flag": old_entry, "other": "Yes"})]
    renamed = {**SEND_FIELD, "name": "Onboard in Remote"}
    harvest = harvest_with(data.tenant(offers, custom_fields=[renamed]))

    events = records_of(harvest.read(harvest.config()), "offers")

    fields = events[0]["offer"]["custom_fields"]
    assert fields["send_flag"] == {"name": "Onboard in Remote", "type": "yes_no", "value": True}
    assert fields["other"] == {"name": None, "type": None, "value": "Yes"}
    assert harvest.fake.request_count("GET", "/v3/custom_fields") == 1


def test_lookups_are_batched_by_fifty_and_cached_across_streams(harvest_with):
    offers = [
        data.offer(1000 + n, 2000 + n, status="Accepted", job_id=700 + n % 3) for n in range(120)
    ]
    applications = [data.application(2000 + n, job_id=700 + n % 3) for n in range(120)]
    harvest = harvest_with(data.tenant(offers, applications))

    output = harvest.read(harvest.config())

    assert len(records_of(output, "offers")) == 120
    assert len(records_of(output, "hires")) == 120
    assert harvest.fake.request_count("GET", "/v3/candidates") == 3  # ⌈120/50⌉, once a sync
    assert harvest.fake.request_count("GET", "/v3/jobs") == 1
    assert harvest.fake.request_count("GET", "/v3/offers") == 1 + 3  # stream + accepted offers


def test_lean_offers_skip_application_lookups(harvest_with):
    harvest = harvest_with(data.tenant([data.offer(1, 11), data.offer(2, 12)]))

    output = harvest.read(harvest.config(include_application_details=False), streams=("offers",))

    events = records_of(output, "offers")
    # The CDK leaves top-level None keys out of a record message, so absent means null.
    assert [event.get("application") for event in events] == [None, None]
    assert harvest.fake.request_count("GET", "/v3/applications") == 0


def test_private_candidate_is_carried_and_flagged(harvest_with):
    tenant = data.tenant([data.offer(5, 15)])
    tenant["candidates"] = [{"id": 10_015, "private": True}]
    harvest = harvest_with(tenant)

    events = records_of(harvest.read(harvest.config(), streams=("offers",)), "offers")

    assert events[0]["candidate"] == {"id": 10_015, "private": True}
    assert events[0]["flags"] == ["candidate_private", "candidate_partial"]


def test_offer_without_application_id_is_skipped_and_the_others_go_on(harvest_with, caplog):
    broken = data.offer(6, 16)
    broken["application_id"] = None
    harvest = harvest_with(data.tenant([data.offer(7, 17)]))
    harvest.fake.upsert("offers", broken)

    events = records_of(harvest.read(harvest.config(), streams=("offers",)), "offers")

    assert [event["event_id"] for event in events] == ["offer_created:17"]
    assert "offer 6 has no integer 'application_id'" in caplog.text
