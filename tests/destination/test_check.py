"""check(): token, environment, permission and rule problems told apart, nothing created."""

from __future__ import annotations

import logging
from pathlib import Path

from airbyte_cdk.models import Status

from destination_remote_onboarding.destination import DestinationRemoteOnboarding
from integration_tests.fakes.remote import RemoteFake
from tests.destination.builders import READ_ONLY_TOKEN, make_config

LOG = logging.getLogger("test")


def test_good_config_succeeds_without_writing_anything(
    remote: RemoteFake, ledger_path: Path
) -> None:
    status = DestinationRemoteOnboarding().check(LOG, make_config(remote, ledger_path))

    assert status.status == Status.SUCCEEDED
    assert remote.request_count("POST") == 0
    assert remote.employments == []


def test_wrong_token_fails_saying_what_to_do(remote: RemoteFake, ledger_path: Path) -> None:
    config = make_config(remote, ledger_path, api_token="ra_test_not_a_real_token")

    status = DestinationRemoteOnboarding().check(LOG, config)

    assert status.status == Status.FAILED
    assert "401" in str(status.message) and "api_token" in str(status.message)
    assert "ra_test_not_a_real_token" not in str(status.message)


def test_token_of_the_other_environment_names_the_environment_to_choose(ledger_path: Path) -> None:
    config = {
        "environment": {"environment": "sandbox"},
        "api_token": "ra_live_secret_value",
        "rule": {"rule_source": "file", "rule_file": "northwind.yaml"},
        "ledger_path": str(ledger_path),
    }

    status = DestinationRemoteOnboarding().check(LOG, config)

    assert status.status == Status.FAILED
    assert "choose environment 'production'" in str(status.message)
    assert "secret_value" not in str(status.message)


def test_read_only_token_fails_unless_dry_run(remote: RemoteFake, ledger_path: Path) -> None:
    config = make_config(remote, ledger_path, api_token=READ_ONLY_TOKEN)

    status = DestinationRemoteOnboarding().check(LOG, config)
    dry = DestinationRemoteOnboarding().check(LOG, {**config, "dry_run": True})

    assert status.status == Status.FAILED
    assert "read-only" in str(status.message) and "Full Access" in str(status.message)
    assert dry.status == Status.SUCCEEDED
    assert remote.employments == []


def test_bad_rule_fails_with_the_rule_error_position(
    remote: RemoteFake, ledger_path: Path
) -> None:
    rule = {"rule_source": "yaml", "rule_yaml": "version: 1\ncustomer: x\ntrigger: hired\n"}

    status = DestinationRemoteOnboarding().check(LOG, make_config(remote, ledger_path, rule=rule))

    assert status.status == Status.FAILED
    assert "<pasted rule>:" in str(status.message)
    assert remote.request_count() == 0


def test_unreachable_remote_fails_naming_the_address(ledger_path: Path) -> None:
    with RemoteFake({"tokens": {}}) as fake:
        config = make_config(fake, ledger_path, request_timeout_seconds=0.5)
    status = DestinationRemoteOnboarding().check(LOG, config)

    assert status.status == Status.FAILED
    assert "Could not reach Remote at http://127.0.0.1:" in str(status.message)


def test_unwritable_ledger_path_fails_naming_the_setting(
    remote: RemoteFake, tmp_path: Path
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    config = make_config(remote, blocked / "ledger.sqlite")

    status = DestinationRemoteOnboarding().check(LOG, config)

    assert status.status == Status.FAILED
    assert "ledger_path" in str(status.message)
    assert remote.request_count() == 0
