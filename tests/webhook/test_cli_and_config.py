"""``hires serve`` / ``hires inbox`` and the receiver config file."""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.webhook.deliveries import FIXTURES, encode, hire_document
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
    assert capsys.readouterr().out.splitlines()[-1] == (
        "deleted 1 finished delivery older than 0 days (including bodies that failed on "
        "arrival); pending and replayable failed ones are kept"
    )


def test_purge_deletes_an_old_body_that_failed_on_arrival(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "inbox.sqlite"
    failed_id, _ = filled_inbox(path)
    Inbox(path).store("evt-bad", b"not json", read_keys(b"not json"))
    assert run(["inbox", "purge", "--inbox", str(path), "--older-than-days", "0"]) == 0
    assert [d.id for d in Inbox(path).recent()] == [failed_id]
    assert capsys.readouterr().out.startswith("deleted 2 finished deliveries older than 0 days")


def test_replay_failed_refuses_a_body_that_failed_on_arrival(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "inbox.sqlite"
    failed_id, _ = filled_inbox(path)
    inbox = Inbox(path)
    bad_id = inbox.store("evt-bad", b"not json", read_keys(b"not json")).delivery_id
    assert run(["inbox", "replay", "--inbox", str(path), "--failed"]) == 0
    captured = capsys.readouterr()
    assert captured.err == (
        f"hires inbox replay: delivery {bad_id} (evt-bad) failed on arrival: body is not JSON "
        "(Expecting value); replaying cannot help, so it stays failed; find out what sent it "
        "to the endpoint\n"
    )
    assert captured.out == (
        "1 delivery is pending again (1 failed on arrival and stay failed); a running "
        "`hires serve` on this inbox processes it within its poll interval\n"
    )
    assert [d.id for d in inbox.due(10)] == [failed_id]
    assert inbox.counts()["failed"] == 1


def test_replay_by_id_of_a_body_that_failed_on_arrival_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "inbox.sqlite"
    inbox = Inbox(path)
    bad_id = inbox.store("evt-bad", b"[]", read_keys(b"[]")).delivery_id
    assert run(["inbox", "replay", "--inbox", str(path), str(bad_id)]) == 1
    assert "failed on arrival: body has no string 'action'" in capsys.readouterr().err
    assert inbox.due(10) == []


@pytest.mark.parametrize("command", [["list"], ["replay", "--failed"], ["purge"]])
def test_inbox_commands_on_a_missing_inbox_say_so_and_create_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    missing = tmp_path / "typo" / "inbox.sqlite"
    assert run(["inbox", command[0], "--inbox", str(missing), *command[1:]]) == 1
    assert capsys.readouterr().err == (
        f"hires inbox {command[0]}: no inbox at {missing} (the receiver creates it when "
        "`hires serve` starts); check --inbox\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_inbox_list_with_a_config_whose_inbox_does_not_exist_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "webhooks.yaml"
    config.write_text("inbox_path: ./var/inbox.sqlite\n")
    assert run(["inbox", "list", "--config", str(config)]) == 1
    assert capsys.readouterr().err == (
        "hires inbox list: no inbox at var/inbox.sqlite (the receiver creates it when "
        f"`hires serve` starts); check 'inbox_path' in {config}\n"
    )
    assert [p.name for p in tmp_path.iterdir()] == ["webhooks.yaml"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- a list\n", "expected a mapping of settings at the top"),
        ("inbox_path: 5\n", "'inbox_path' is 5; expected a string"),
    ],
)
def test_inbox_commands_with_a_bad_config_name_the_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    config = tmp_path / "webhooks.yaml"
    config.write_text(text)
    assert run(["inbox", "list", "--config", str(config)]) == 2
    assert capsys.readouterr().err == f"hires inbox list: config {config}: {message}\n"


def test_serve_on_a_port_in_use_says_so_in_one_line_and_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "webhooks.yaml"
    config.write_text(
        f"webhook_secret: k\ndestination: {{}}\ninbox_path: {tmp_path / 'i.sqlite'}\n"
    )
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert run(["serve", "--config", str(config), "--port", str(port)]) == 2
    assert capsys.readouterr().err == (
        f"hires serve: port {port} on 127.0.0.1 is in use; choose another with --port\n"
    )
    assert [p.name for p in tmp_path.iterdir()] == ["webhooks.yaml"]


def test_serve_prints_the_full_webhook_endpoint_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "webhooks.yaml"
    config.write_text("webhook_secret: k\ndestination: {}\n")
    served: list[int] = []
    monkeypatch.setattr(cli, "build_receiver", lambda settings: SimpleNamespace(app=None))
    monkeypatch.setattr(
        cli, "serve_forever", lambda app, sock: served.append(sock.getsockname()[1])
    )
    assert run(["serve", "--config", str(config), "--port", "0"]) == 0
    [port] = served
    assert capsys.readouterr().out == (
        f"receiving Greenhouse webhooks at http://127.0.0.1:{port}/webhooks/greenhouse\n"
    )


def test_inbox_list_into_a_reader_that_stops_early_exits_quietly(tmp_path: Path) -> None:
    path = tmp_path / "inbox.sqlite"
    inbox = Inbox(path)
    for number in range(300):  # ~90 kB of JSON lines: more than a pipe buffer holds
        body = encode(hire_document(number + 1))
        inbox.store(f"evt-{number}", body, read_keys(body))
    command = [sys.executable, "-m", "hires_cli.main", "inbox", "list", "--inbox", str(path)]
    process = subprocess.Popen(
        [*command, "--json", "--limit", "300"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()  # what `head -1` does after its line
    stderr = process.stderr.read()
    assert process.wait(timeout=60) == 0
    assert json.loads(first)["greenhouse_event_id"] == "evt-299"
    assert stderr == b""


@pytest.mark.parametrize(
    ("outcome", "reason", "employment_id", "shown"),
    [
        ("created", "created", "emp-1", "created (employment emp-1)"),
        ("created", "created employment emp-1", "emp-1", "created employment emp-1"),
        (
            "already_synced",
            "the ledger says employment emp-2 is ours; e-mail unchanged",
            "emp-2",
            "already_synced: the ledger says employment emp-2 is ours; e-mail unchanged",
        ),
        (
            "skipped",
            "offer field 'Remote hire' is No",
            None,
            "skipped: offer field 'Remote hire' is No",
        ),
        (
            None,
            "gave up after 6 attempts: Remote down",
            None,
            "gave up after 6 attempts: Remote down",
        ),
        ("created", None, None, "created"),
    ],
)
def test_inbox_list_says_the_outcome_once(
    tmp_path: Path,
    outcome: str | None,
    reason: str | None,
    employment_id: str | None,
    shown: str,
) -> None:
    inbox = Inbox(tmp_path / "inbox.sqlite")
    body = encode(hire_document(1))
    stored = inbox.store("evt-1", body, read_keys(body))
    inbox.finish(
        stored.delivery_id, "done", outcome=outcome, reason=reason, employment_id=employment_id
    )
    [delivery] = inbox.recent()
    assert cli.describe_result(delivery) == shown


def test_test_fixtures_live_inside_the_repository() -> None:
    repository = Path(__file__).resolve().parents[2]
    assert FIXTURES.is_relative_to(repository)
    assert (FIXTURES / "webhook-hire-candidate-docs-based.json").is_file()


def test_replay_previewed_makes_dry_run_previews_pending_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "inbox.sqlite"
    filled_inbox(path)
    inbox = Inbox(path)
    for number in (3, 4):
        body = encode(hire_document(number))
        inbox.store(f"evt-{number}", body, read_keys(body))
    for delivery in inbox.due(10):
        inbox.finish(delivery.id, "previewed", outcome="created", reason="dry run: would create")
    assert run(["inbox", "replay", "--inbox", str(path), "--previewed"]) == 0
    assert capsys.readouterr().out == (
        "2 deliveries are pending again; a running `hires serve` on this inbox processes them "
        "within its poll interval\n"
    )
    assert [d.greenhouse_event_id for d in inbox.due(10)] == ["evt-3", "evt-4"]
    assert inbox.counts() == {"pending": 2, "failed": 1, "done": 1}


def test_inbox_list_shows_the_attempts_a_processed_delivery_took(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "inbox.sqlite"
    _, done_id = filled_inbox(path)
    assert run(["inbox", "list", "--inbox", str(path), "--status", "done"]) == 0
    [header, row, _] = capsys.readouterr().out.splitlines()
    assert header.split()[:5] == ["id", "status", "action", "received_at", "tries"]
    assert row.split()[:2] == [str(done_id), "done"] and row.split()[4] == "1"
