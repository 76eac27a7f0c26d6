"""The ``destination-remote-onboarding`` command as a person or the platform runs it."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from airbyte_cdk.models import Type

from destination_remote_onboarding.destination import DestinationRemoteOnboarding
from integration_tests.fakes.remote import RemoteFake
from tests.destination.builders import make_config

ROOT = Path(__file__).resolve().parents[2]


def run_destination(*argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AIRBYTE_OFFLINE_MODE": "1", "DO_NOT_TRACK": "1"}
    code = "from destination_remote_onboarding.run import run; run()"
    return subprocess.run(
        [sys.executable, "-c", code, *argv],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
        check=False,
    )


def messages(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]


def test_check_with_a_missing_config_file_says_so_in_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"

    result = run_destination("check", "--config", str(missing))

    expected = f"config file {missing} does not exist: pass the path of an existing file"
    assert result.returncode == 1
    assert result.stderr == f"destination-remote-onboarding: {expected}\n"
    [trace] = messages(result.stdout)
    assert trace["trace"]["error"] == {"message": expected, "failure_type": "config_error"}


def test_check_with_a_config_file_that_is_not_json_names_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "config.json"
    broken.write_text('{"environment": ', encoding="utf-8")

    result = run_destination("check", "--config", str(broken))

    assert result.returncode == 1
    assert result.stderr == (
        f"destination-remote-onboarding: config file {broken} is not JSON (line 1 column 17: "
        "Expecting value); fix it or copy examples/destination.json\n"
    )
    assert "Traceback" not in result.stdout + result.stderr


def test_write_with_an_unknown_environment_is_one_config_error_line(tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"environment": "staging", "api_token": "ra_test_abc"}))
    catalog = tmp_path / "catalog.json"
    catalog.write_text('{"streams": []}')

    result = run_destination("write", "--config", str(config), "--catalog", str(catalog))

    assert result.returncode == 1
    assert result.stderr == (
        "destination-remote-onboarding: environment 'staging' is unknown; choose production, "
        "sandbox or custom (with base_url)\n"
    )
    assert "Traceback" not in result.stdout


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"environment": {"environment": "staging"}},
            "environment 'staging' is unknown; choose production, sandbox or custom "
            "(with base_url)",
        ),
        (
            {"environment": {"environment": "custom"}},
            "environment.base_url must be an http(s) URL such as http://127.0.0.1:8080 "
            "when the environment is 'custom'",
        ),
        (
            {"rule": "nortwind.yaml"},
            "rule_file 'nortwind.yaml' does not exist (did you mean 'northwind.yaml'?); give a "
            "path to a YAML file or the name of one in rules/customers/ (for example "
            "northwind.yaml)",
        ),
        (
            {"api_token": None, "api_key": "ra_test_abc"},
            "api_token is missing (found api_key: the Remote setting is called api_token)",
        ),
    ],
)
def test_check_command_shows_the_settings_message_not_raw_jsonschema(
    remote: RemoteFake,
    tmp_path: Path,
    change: dict[str, Any],
    message: str,
) -> None:
    config_file = tmp_path / "config.json"
    config = {**make_config(remote, tmp_path / "l.sqlite"), **change}
    # A None in ``change`` means the setting is left out of the config file.
    config_file.write_text(json.dumps({k: v for k, v in config.items() if v is not None}))

    result = run_destination("check", "--config", str(config_file))

    [status] = messages(result.stdout)
    assert result.returncode == 0
    assert status["connectionStatus"] == {"status": "FAILED", "message": message}


def test_check_command_accepts_the_plain_string_shorthands(
    remote: RemoteFake, tmp_path: Path
) -> None:
    config = {**make_config(remote, tmp_path / "l.sqlite"), "rule": "northwind.yaml"}
    config_file = tmp_path / "config.json"
    config_file.write_text(json.dumps(config))

    result = run_destination("check", "--config", str(config_file))

    assert messages(result.stdout)[-1]["connectionStatus"] == {"status": "SUCCEEDED"}


@pytest.mark.parametrize(
    ("environment", "rule"),
    [
        ("sandbox", "northwind.yaml"),
        ({"environment": "custom", "base_url": "http://127.0.0.1:1"}, "globex.yaml"),
        ({"environment": "production"}, {"rule_source": "yaml", "rule_yaml": "version: 1"}),
    ],
)
def test_spec_accepts_every_form_read_settings_accepts(environment: Any, rule: Any) -> None:
    spec = DestinationRemoteOnboarding().spec(logging.getLogger("test"))
    config = {"environment": environment, "api_token": "ra_test_x", "rule": rule}

    jsonschema.validate(config, spec.connectionSpecification)


def test_spec_refuses_an_unknown_environment_name() -> None:
    spec = DestinationRemoteOnboarding().spec(logging.getLogger("test"))
    config = {"environment": "staging", "api_token": "ra_test_x", "rule": "northwind.yaml"}

    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(config, spec.connectionSpecification)


def test_input_line_that_is_not_a_message_is_skipped_without_echoing_it(caplog) -> None:
    good = '{"type": "STATE", "state": {"type": "LEGACY", "data": {"cursor": 1}}}'
    broken = '{"type": "RECORD", "record": {"data": {"email": "ada@example.test"'
    lines = io.StringIO(f"{broken}\n{good}\n")

    with caplog.at_level(logging.WARNING):
        parsed = list(DestinationRemoteOnboarding()._parse_input_stream(lines))

    assert [message.type for message in parsed] == [Type.STATE]
    assert "input line 1 (" in caplog.text and "was skipped" in caplog.text
    assert "ada@example.test" not in caplog.text


def test_write_with_a_missing_catalog_file_says_so_in_one_line(tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text("{}", encoding="utf-8")
    missing = tmp_path / "catalog.json"

    result = run_destination("write", "--config", str(config), "--catalog", str(missing))

    assert result.returncode == 1
    assert result.stderr == (
        f"destination-remote-onboarding: catalog file {missing} does not exist: "
        "pass the path of an existing file\n"
    )
