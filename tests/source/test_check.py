"""`check` tells each kind of broken configuration apart and says what to change."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from airbyte_cdk.models import Status

from tests.source import harvest_data as data


def _tenant() -> dict:
    return data.tenant([data.offer(1, 11)])


def test_working_credentials_pass_check(harvest_with):
    harvest = harvest_with(_tenant())

    status = harvest.check(harvest.config(user_id=str(data.SITE_ADMIN)))

    assert status.status == Status.SUCCEEDED


def test_wrong_secret_is_reported_as_refused_credentials_without_the_secret(harvest_with):
    harvest = harvest_with(_tenant())

    status = harvest.check(harvest.config(client_secret="wrong-secret-value"))

    assert status.status == Status.FAILED
    assert status.message.startswith("Greenhouse refused client id/secret (HTTP 401")
    assert "wrong-secret-value" not in status.message


def test_missing_scope_names_the_scope_to_tick(harvest_with):
    harvest = harvest_with(_tenant())

    config = harvest.config(client_id="no-candidates-id", client_secret="no-candidates-secret")
    status = harvest.check(config)

    assert status.status == Status.FAILED
    assert "tick the scope harvest:candidates:list" in status.message


def test_user_who_is_not_a_site_admin_is_named(harvest_with):
    harvest = harvest_with(_tenant())

    status = harvest.check(harvest.config(user_id=str(data.NOT_ADMIN)))

    assert status.status == Status.FAILED
    assert status.message.startswith(f"Greenhouse user {data.NOT_ADMIN} is not a Site Admin")


def test_legacy_api_key_explains_the_v1_v2_shutdown(harvest_with):
    harvest = harvest_with(_tenant())

    for config in ({"api_key": "old-v1-key"}, {"credentials": {"api_key": "old-v1-key"}}):
        status = harvest.check(config)

        assert status.status == Status.FAILED
        assert "switched v1/v2 off on 2026-08-31" in status.message
        assert "harvest:custom_fields:list" in status.message
    assert harvest.fake.requests == []


def test_unknown_user_id_is_named_instead_of_blaming_the_secret(harvest_with):
    harvest = harvest_with(_tenant())

    status = harvest.check(harvest.config(user_id="424242"))

    assert status.status == Status.FAILED
    assert status.message.startswith("Greenhouse refused to issue a token for user 424242")


def test_empty_client_id_is_named(harvest_with):
    harvest = harvest_with(_tenant())

    status = harvest.check(harvest.config(client_id=""))

    assert status.status == Status.FAILED
    assert status.message.startswith("client_id is empty")
    assert harvest.fake.requests == []


def test_legacy_config_reaches_check_through_the_console_script(tmp_path):
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps({"api_key": "old-v1-key"}), "utf-8")
    script = Path(sys.executable).with_name("source-greenhouse-hires")

    completed = subprocess.run(
        [str(script), "check", "--config", str(config_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    messages = [json.loads(line) for line in completed.stdout.splitlines() if line.startswith("{")]
    status = next(m["connectionStatus"] for m in messages if m["type"] == "CONNECTION_STATUS")
    assert status["status"] == "FAILED"
    assert "switched v1/v2 off on 2026-08-31" in status["message"]
