"""``hires serve`` / ``hires inbox`` and the receiver config file."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from tests.webhook.deliveries import encode, hire_document
from webhook_receiver import cli
from webhook_receiver.config import load_settings, settings_from_dict
from webhook_receiver.errors import ReceiverConfigError
from webhook_receiver.inbox import Inbox
from webhook_receiver.normaliser import read_keys


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="hires")
    commands = parser.add_subparsers(dest="command", required=True)
    cli.register(commands)
    args = parser.parse_args(argv)
    status: int = args.handler(args)
    return status


def filled_inbox(path: Path) -> tuple[int, int]:
    inbox = Inbox(path)
    for number in (1, 2):
        body = encode(hire_document(number))
        inbox.store(f"evt-{number}", body, read_keys(body))
    first, second = inbox.due(10)
    inbox.finish(first.id, "failed", reason="gave up after 6 attempts: Remote down")
    inbox.finish(second.id, "done", outcome="created", event_id="candidate_hired:2")
    return first.id, second.id


def test_inbox_list_shows_status_and_reason_without_personal_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "inbox.sqlite"
    filled_inbox(path)
    assert run(["inbox", "list", "--inbox", str(path), "--status", "failed"]) == 0
    out = capsys.readouterr().out
    assert "failed" in out and "Remote down" in out
    assert "candidate_hired:2" not in out
    assert "@example.test" not in out


def test_inbox_list_json_is_one_object_per_delivery(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "inbox.sqlite"
    filled_inbox(path)
    assert run(["inbox", "list", "--inbox", str(path), "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(row["status"], row["outcome"]) for row in rows] == [
        ("done", "created"),
        ("failed", None),
    ]
    assert all("body" not in row for row in rows)


def test_inbox_replay_by_id_and_all_failed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "inbox.sqlite"
    failed_id, done_id = filled_inbox(path)
    assert run(["inbox", "replay", "--inbox", str(path), str(done_id)]) == 0
    assert run(["inbox", "replay", "--inbox", str(path), "--failed"]) == 0
    assert {d.id for d in Inbox(path).due(10)} == {failed_id, done_id}
    assert run(["inbox", "replay", "--inbox", str(path), "999"]) == 1
    assert "no delivery 999" in capsys.readouterr().err


def test_inbox_commands_read_the_inbox_path_from_the_config(tmp_path: Path) -> None:
    path = tmp_path / "inbox.sqlite"
    failed_id, _ = filled_inbox(path)
    config = tmp_path / "receiver.yaml"
    config.write_text(f"inbox_path: {path}\n")
    assert run(["inbox", "replay", "--config", str(config), "--failed"]) == 0
    assert [d.id for d in Inbox(path).due(10)] == [failed_id]


def test_serve_with_a_bad_config_says_what_to_change(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HIRES_WEBHOOK_SECRET", raising=False)
    config = tmp_path / "receiver.yaml"
    config.write_text("inbox_path: ./inbox.sqlite\ndestination: {}\n")
    assert run(["serve", "--config", str(config)]) == 2
    assert "'webhook_secret' is missing" in capsys.readouterr().err


def test_secrets_come_from_the_environment_and_never_show_in_repr(tmp_path: Path) -> None:
    config = tmp_path / "receiver.json"
    config.write_text(
        json.dumps(
            {
                "inbox_path": str(tmp_path / "inbox.sqlite"),
                "harvest": {"client_id": "abc", "user_id": 5},
                "destination": {"api_token": "from-file"},
            }
        )
    )
    environ = {
        "HIRES_WEBHOOK_SECRET": "webhook-key-from-env",
        "HIRES_HARVEST_CLIENT_SECRET": "harvest-secret-from-env",
        "HIRES_REMOTE_API_TOKEN": "remote-token-from-env",
    }
    settings = load_settings(config, environ=environ)
    assert settings.webhook_secret == "webhook-key-from-env"
    assert settings.harvest is not None
    assert settings.harvest.client_secret == "harvest-secret-from-env"
    assert settings.destination["api_token"] == "remote-token-from-env"
    assert settings.host == "127.0.0.1" and settings.max_body_bytes == 1024 * 1024
    shown = repr(settings)
    assert not any(secret in shown for secret in environ.values())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"port": 70000}, "'port' is 70000; expected at most 65535"),
        ({"max_body_bytes": 0}, "'max_body_bytes' is 0"),
        ({"destination": "sandbox"}, "'destination' is missing or not a mapping"),
        ({"harvest": {"client_id": "x"}}, "harvest.client_secret is missing"),
        ({"harvest": {"client_id": "x", "client_secret": "y", "user_id": "me"}}, "user_id"),
        ({"worker": {"backoff_seconds": -1}}, "'backoff_seconds' is -1"),
    ],
)
def test_config_errors_name_the_key(change: dict[str, object], message: str) -> None:
    raw = {"webhook_secret": "k", "destination": {}, **change}
    with pytest.raises(ReceiverConfigError, match=message):
        settings_from_dict(raw, environ={})


def test_purge_deletes_only_old_finished_deliveries(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "inbox.sqlite"
    failed_id, _ = filled_inbox(path)
    assert run(["inbox", "purge", "--inbox", str(path), "--older-than-days", "1"]) == 0
    assert len(Inbox(path).recent()) == 2  # both received just now
    assert run(["inbox", "purge", "--inbox", str(path), "--older-than-days", "0"]) == 0
    assert [d.id for d in Inbox(path).recent()] == [failed_id]
    assert "deleted 1 finished deliveries" in capsys.readouterr().out
