"""One set of config rules for check, read, the console script and ``hires sync``'s preflight."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from airbyte_cdk.models import Status, SyncMode, Type
from airbyte_cdk.sources.utils.schema_helpers import check_config_against_spec_or_exit
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_greenhouse_hires import (
    SourceConfigError,
    SourceGreenhouseHires,
    preflight,
    preflight_admin,
)
from source_greenhouse_hires import harvest_client as harvest_client_module
from source_greenhouse_hires.sync_context import LEGACY_MESSAGE
from tests.source import harvest_data as data
from tests.source.conftest import records_of

SCRIPT = Path(sys.executable).with_name("source-greenhouse-hires")
UNREACHABLE = "http://127.0.0.1:1"  # nothing listens on port 1 of this machine


def bad_start_date_message(value: str) -> str:
    return (
        f"start_date {value!r} is not a date and time: write it like 2026-01-01T00:00:00Z "
        "(UTC), with an offset like 2026-01-01T00:00:00+02:00, or as a bare date like "
        "2026-01-01 (midnight UTC); leave it empty to read all history"
    )


def valid_config(**overrides: Any) -> dict[str, Any]:
    return {"client_id": data.CLIENT_ID, "client_secret": data.CLIENT_SECRET, **overrides}


def _tenant() -> dict[str, Any]:
    return data.tenant(
        [
            data.offer(1, 11, updated_at=data.stamp(2)),
            data.offer(2, 12, updated_at=data.stamp(5)),
        ]
    )


def _read_as_hires_sync_does(config: dict[str, Any], stream: str = "offers") -> int:
    """Iterate the source's own ``read`` (no entrypoint), as ``hires sync`` does; count records."""
    catalog = CatalogBuilder().with_stream(stream, SyncMode.incremental).build()
    source = SourceGreenhouseHires(config=config, catalog=catalog)
    messages = source.read(logging.getLogger("test"), config, catalog, None)
    return sum(1 for message in messages if message.type == Type.RECORD)


def _run_script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *args], capture_output=True, text=True, timeout=60, check=False
    )


def _connection_status(completed: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    lines = [json.loads(line) for line in completed.stdout.splitlines() if line.startswith("{")]
    return next(m["connectionStatus"] for m in lines if m["type"] == "CONNECTION_STATUS")


@pytest.mark.parametrize("value", ["garbage", "01/01/2030", "2030-01-01T00:00:00", "2030-13-45"])
def test_start_date_that_is_not_a_date_and_time_is_named_with_the_expected_form(value):
    with pytest.raises(SourceConfigError) as raised:
        preflight(valid_config(start_date=value))

    assert str(raised.value) == bad_start_date_message(value)


def test_check_and_read_reject_a_bad_start_date_with_the_same_message_and_no_request(
    harvest_with,
):
    harvest = harvest_with(_tenant())
    config = harvest.config(start_date="garbage")

    status = harvest.check(config)
    with pytest.raises(AirbyteTracedException) as raised:
        _read_as_hires_sync_does(config)

    assert status.status == Status.FAILED
    assert status.message == bad_start_date_message("garbage")
    assert raised.value.message == bad_start_date_message("garbage")
    assert harvest.fake.requests == []


def test_bare_start_date_means_midnight_utc_in_check_and_read(harvest_with):
    harvest = harvest_with(_tenant())
    config = harvest.config(start_date="2026-10-03")

    status = harvest.check(config)
    events = records_of(harvest.read(config, streams=("offers",)), "offers")

    assert status.status == Status.SUCCEEDED
    assert [event["event_id"] for event in events] == ["offer_created:12"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"client_id": "", "api_key": "old-v1-key"}, LEGACY_MESSAGE),
        (
            {"client_secret": "  "},
            "client_secret is empty or not text: enter the Client Secret of a Harvest V3 "
            "(OAuth) credential from Greenhouse Configure → Dev Center → API Credential "
            "Management",
        ),
        (
            {"user_id": "abc"},
            "user_id 'abc' is not a Greenhouse user id: enter the digits of a Site Admin's "
            "user id (the number in the URL of their user page), or leave it empty",
        ),
        (
            {"user_id": 5001122},
            "user_id 5001122 is not a Greenhouse user id: enter the digits of a Site Admin's "
            "user id (the number in the URL of their user page), write it in quotes as text, "
            'e.g. "5001122", or leave it empty',
        ),
        (
            {"page_size": 0},
            "page_size 0 is not allowed: enter a whole number from 1 to 500 (Page size), or "
            "remove the field to use the default 500",
        ),
        (
            {"page_size": "abc"},
            "page_size 'abc' is not allowed: enter a whole number from 1 to 500 (Page size), "
            "or remove the field to use the default 500",
        ),
        (
            {"consistency_lag_minutes": 2000},
            "consistency_lag_minutes 2000 is not allowed: enter a whole number from 0 to 1440 "
            "(Consistency lag (minutes)), or remove the field to use the default 5",
        ),
        (
            {"api_url": "harvest.greenhouse.io"},
            "api_url 'harvest.greenhouse.io' is not an http(s) URL: enter one like "
            "https://harvest.greenhouse.io, or remove the field to use that default",
        ),
        (
            {"include_application_details": "yes"},
            "include_application_details 'yes' is not allowed: enter true or false",
        ),
    ],
)
def test_preflight_names_the_field_the_value_and_what_to_enter(overrides, message):
    with pytest.raises(SourceConfigError) as raised:
        preflight(valid_config(**overrides))

    assert str(raised.value) == message


def _accepted_by_preflight(config: dict[str, Any]) -> bool:
    try:
        preflight(config)
    except SourceConfigError:
        return False
    return True


def _accepted_by_the_cdk_spec_check(config: dict[str, Any]) -> bool:
    spec = SourceGreenhouseHires().spec(logging.getLogger("test"))
    try:
        check_config_against_spec_or_exit(config, spec)
    except AirbyteTracedException:
        return False
    return True


@pytest.mark.parametrize(
    ("overrides", "accepted"),
    [
        (
            {
                "user_id": "5001122",
                "start_date": "2026-01-01T00:00:00.000+02:00",
                "page_size": 500,
                "consistency_lag_minutes": 0,
                "max_retries": 0,
                "include_application_details": False,
                "api_url": "http://127.0.0.1:8080",
            },
            True,
        ),
        ({"start_date": "2026-01-01"}, True),
        ({"start_date": ""}, True),
        ({"start_date": "01/01/2030"}, False),
        ({"user_id": "abc"}, False),
        ({"page_size": 501}, False),
    ],
)
def test_preflight_and_the_spec_accept_the_same_configs(overrides, accepted):
    config = valid_config(**overrides)

    assert _accepted_by_preflight(config) is accepted
    assert _accepted_by_the_cdk_spec_check(config) is accepted


def test_preflight_admin_names_a_user_who_is_not_a_site_admin(harvest_with):
    harvest = harvest_with(_tenant())

    with pytest.raises(SourceConfigError) as raised:
        preflight_admin(harvest.config(user_id=str(data.NOT_ADMIN)))

    assert str(raised.value) == (
        f"Greenhouse user {data.NOT_ADMIN} is not a Site Admin (Harvest v3 lists nothing for "
        "other users): enter the user id of a Site Admin, or leave it empty to use the "
        "credential's integration user"
    )


def test_preflight_admin_passes_a_site_admin_and_skips_the_network_without_user_id(
    harvest_with,
):
    harvest = harvest_with(_tenant())

    preflight_admin(harvest.config())
    requests_without_user = len(harvest.fake.requests)
    preflight_admin(harvest.config(user_id=str(data.SITE_ADMIN)))

    assert requests_without_user == 0
    assert harvest.fake.request_count(path="/v3/users") == 1


def test_preflight_admin_turns_a_refused_token_into_the_same_error_type(harvest_with):
    harvest = harvest_with(_tenant())

    with pytest.raises(SourceConfigError) as raised:
        preflight_admin(harvest.config(user_id="424242"))

    assert str(raised.value).startswith("Greenhouse refused to issue a token for user 424242")


def test_check_gives_up_on_an_unreachable_api_url_after_one_retry(harvest_with, monkeypatch):
    harvest = harvest_with(_tenant())
    waits: list[float] = []
    monkeypatch.setattr(harvest_client_module.time, "sleep", waits.append)

    status = harvest.check(harvest.config(api_url=UNREACHABLE))

    assert status.status == Status.FAILED
    assert status.message == (
        f"could not connect to {UNREACHABLE}/v3/offers (connection refused): check api_url / "
        "token_url in the source config, and that this machine can reach them"
    )
    assert waits == [1.0]


def test_check_names_an_unreachable_token_url(harvest_with, monkeypatch):
    harvest = harvest_with(_tenant())
    waits: list[float] = []
    monkeypatch.setattr(harvest_client_module.time, "sleep", waits.append)

    status = harvest.check(harvest.config(token_url=f"{UNREACHABLE}/token"))

    assert status.message.startswith(
        f"could not connect to {UNREACHABLE}/token (connection refused): check api_url / token_url"
    )
    assert waits == [1.0]


def test_read_with_a_legacy_api_key_fails_with_the_shutdown_message_itself(harvest_with):
    harvest = harvest_with(_tenant())

    with pytest.raises(AirbyteTracedException) as raised:
        _read_as_hires_sync_does({"api_key": "old-v1-key", "api_url": harvest.fake.base_url})

    assert raised.value.message == LEGACY_MESSAGE
    assert harvest.fake.requests == []


def test_read_with_a_missing_look_up_scope_fails_naming_that_scope(harvest_with):
    harvest = harvest_with(_tenant())
    config = harvest.config(client_id="no-candidates-id", client_secret="no-candidates-secret")

    with pytest.raises(AirbyteTracedException) as raised:
        _read_as_hires_sync_does(config)

    assert raised.value.message == (
        "Greenhouse refused access to /v3/candidates (HTTP 403): tick the scope "
        "harvest:candidates:list on this credential in Configure → Dev Center → "
        "API Credential Management"
    )


def test_read_with_a_missing_stream_scope_fails_naming_that_scope(harvest_with):
    tenant = _tenant()
    tenant["clients"]["no-offers-id"] = {
        "secret": "no-offers-secret",
        "scopes": [scope for scope in data.SCOPES if scope != "harvest:offers:list"],
    }
    harvest = harvest_with(tenant)
    config = harvest.config(client_id="no-offers-id", client_secret="no-offers-secret")

    with pytest.raises(AirbyteTracedException) as raised:
        _read_as_hires_sync_does(config)

    assert raised.value.message == (
        f"Greenhouse refused access to {harvest.fake.base_url}/v3/offers (HTTP 403): tick the "
        "scope harvest:offers:list on this credential in Configure → Dev Center → API "
        "Credential Management."
    )


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "does not exist: pass the path of an existing file"),
        ("{not json", "is not valid JSON (Expecting property name enclosed in double quotes: "),
        ("[1, 2]", "holds list, not an object: fix the file"),
    ],
)
def test_console_script_reports_an_unusable_config_file_in_one_line(tmp_path, content, problem):
    config_path = tmp_path / "config.json"
    if content is not None:
        config_path.write_text(content, "utf-8")

    completed = _run_script("check", "--config", str(config_path))

    assert completed.returncode == 1
    assert "Traceback" not in completed.stderr
    assert completed.stderr.count("\n") == 1
    assert completed.stderr.startswith(f"source-greenhouse-hires: config file {config_path} ")
    assert problem in completed.stderr
    trace = json.loads(completed.stdout.splitlines()[0])
    assert trace["trace"]["error"]["failure_type"] == "config_error"


def test_console_check_words_spec_violations_for_people(tmp_path):
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(valid_config(user_id="abc")), "utf-8")

    status = _connection_status(_run_script("check", "--config", str(config_path)))

    assert status["status"] == "FAILED"
    assert status["message"] == (
        "user_id 'abc' is not a Greenhouse user id: enter the digits of a Site Admin's user "
        "id (the number in the URL of their user page), or leave it empty"
    )


def test_spec_describes_the_forms_of_start_date_and_user_id():
    spec = SourceGreenhouseHires().spec(logging.getLogger("test"))
    properties = spec.connectionSpecification["properties"]

    start_date = properties["start_date"]
    assert start_date["pattern_descriptor"] == "YYYY-MM-DDTHH:mm:ssZ or YYYY-MM-DD"
    assert "a bare date such as 2026-01-01 means midnight UTC" in start_date["description"]
    assert properties["user_id"]["pattern_descriptor"] == "digits only, e.g. 5001122"


def test_source_tests_read_nothing_outside_the_repository():
    sources = sorted(Path(__file__).parent.glob("*.py"))
    outside = [
        path.name
        for path in sources
        if path.name != Path(__file__).name
        and ("/work/" in path.read_text("utf-8") or "shared/fixtures" in path.read_text("utf-8"))
    ]

    assert outside == []


class _MintedToken(harvest_client_module.TokenManager):
    """A token already in hand, so only the Harvest API URL is tried."""

    def token(self) -> str:
        return "token"


def test_sync_look_ups_report_an_unreachable_api_url_after_their_retry_budget(monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr(harvest_client_module.time, "sleep", waits.append)
    tokens = _MintedToken(f"{UNREACHABLE}/token", "id", "secret")
    client = harvest_client_module.HarvestClient(
        UNREACHABLE,
        f"{UNREACHABLE}/token",
        "id",
        "secret",
        retry=harvest_client_module.RetryPolicy(max_retries=2),
        tokens=tokens,
    )

    with pytest.raises(harvest_client_module.HarvestUnreachableError) as raised:
        client.get_many("candidates", [1])

    assert str(raised.value).startswith(
        f"could not connect to {UNREACHABLE}/v3/candidates (connection refused)"
    )
    assert waits == [1.0, 2.0]
