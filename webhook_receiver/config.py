"""The receiver's settings, from a JSON or YAML file plus environment overrides for secrets.

```yaml
webhook_secret: ...            # or HIRES_WEBHOOK_SECRET
inbox_path: ./var/inbox.sqlite
host: 127.0.0.1
port: 8080
max_body_bytes: 1048576
harvest: {api_url, token_url, client_id, client_secret, user_id}  # client_secret: or
                                                                    # HIRES_HARVEST_CLIENT_SECRET
destination: {...}             # the Remote destination's config; api_token: or
                                 # HIRES_REMOTE_API_TOKEN
worker: {batch_size, max_attempts, backoff_seconds, max_backoff_seconds, poll_seconds}
```
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import yaml

from webhook_receiver.errors import ReceiverConfigError

# Environment variables that override the secrets of the config file.
ENV_OVERRIDES: Final = {
    "webhook_secret": "HIRES_WEBHOOK_SECRET",
    "harvest.client_secret": "HIRES_HARVEST_CLIENT_SECRET",
    "destination.api_token": "HIRES_REMOTE_API_TOKEN",
}
ENV_WEBHOOK_SECRET: Final = ENV_OVERRIDES["webhook_secret"]
ENV_HARVEST_CLIENT_SECRET: Final = ENV_OVERRIDES["harvest.client_secret"]
ENV_REMOTE_API_TOKEN: Final = ENV_OVERRIDES["destination.api_token"]
DEFAULT_MAX_BODY_BYTES: Final = 1024 * 1024
DEFAULT_INBOX_PATH: Final = "./webhook-inbox.sqlite"


@dataclass(frozen=True)
class HarvestSettings:
    api_url: str
    token_url: str
    client_id: str
    client_secret: str = field(repr=False)
    user_id: int | None = None


@dataclass(frozen=True)
class WorkerSettings:
    """How the background worker batches and retries."""

    batch_size: int = 200
    max_attempts: int = 6
    backoff_seconds: float = 2.0
    max_backoff_seconds: float = 600.0
    poll_seconds: float = 1.0


@dataclass(frozen=True)
class ReceiverSettings:
    webhook_secret: str = field(repr=False)
    inbox_path: Path
    harvest: HarvestSettings | None
    destination: Mapping[str, Any] = field(repr=False)
    host: str = "127.0.0.1"
    port: int = 8080
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    worker: WorkerSettings = field(default_factory=WorkerSettings)


def load_settings(path: str | Path, environ: Mapping[str, str] | None = None) -> ReceiverSettings:
    """Read the config file and apply secret overrides from the environment."""
    source = Path(path)
    raw = _read(source)
    return settings_from_dict(
        raw, environ=os.environ if environ is None else environ, source=str(source)
    )


def inbox_path_of(path: str | Path) -> Path:
    """Only the inbox path of a config file, so ``hires inbox`` needs no secrets."""
    source = Path(path)
    return Path(_text(_read(source), "inbox_path", str(source), default=DEFAULT_INBOX_PATH))


def harvest_settings_of(
    path: str | Path, environ: Mapping[str, str] | None = None
) -> HarvestSettings | None:
    """Only the ``harvest`` section of a config file (None when absent), with its env secret."""
    source = Path(path)
    return _harvest(_read(source), os.environ if environ is None else environ, str(source))


def _read(source: Path) -> Mapping[str, Any]:
    try:
        text = source.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        raise ReceiverConfigError(
            f"config {source}: cannot be read ({reason}); pass an existing file with --config"
        ) from error
    return _parse(text, source)


def _parse(text: str, source: Path) -> Mapping[str, Any]:
    try:
        raw = json.loads(text) if source.suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        raise ReceiverConfigError(f"config {source}: not valid JSON/YAML ({error})") from error
    if not isinstance(raw, Mapping):
        raise ReceiverConfigError(f"config {source}: expected a mapping of settings at the top")
    return raw


def settings_from_dict(
    raw: Mapping[str, Any], *, environ: Mapping[str, str], source: str = "<config>"
) -> ReceiverSettings:
    """Validate a settings mapping; every error names the key to change."""
    secret = environ.get(ENV_WEBHOOK_SECRET) or raw.get("webhook_secret")
    if not isinstance(secret, str) or not secret:
        raise ReceiverConfigError(
            f"config {source}: 'webhook_secret' is missing; set it to the secret key of the "
            f"Greenhouse web hook, or set {ENV_WEBHOOK_SECRET}"
        )
    destination = dict(_section(raw, "destination", source))
    if environ.get(ENV_REMOTE_API_TOKEN):
        destination["api_token"] = environ[ENV_REMOTE_API_TOKEN]
    return ReceiverSettings(
        webhook_secret=secret,
        inbox_path=Path(_text(raw, "inbox_path", source, default=DEFAULT_INBOX_PATH)),
        harvest=_harvest(raw, environ, source),
        destination=destination,
        host=_text(raw, "host", source, default="127.0.0.1"),
        port=_integer(raw, "port", source, 8080, low=0, high=65535),
        max_body_bytes=_integer(
            raw, "max_body_bytes", source, DEFAULT_MAX_BODY_BYTES, low=1, high=None
        ),
        worker=_worker(raw, source),
    )


def _harvest(
    raw: Mapping[str, Any], environ: Mapping[str, str], source: str
) -> HarvestSettings | None:
    if "harvest" not in raw:
        return None
    section = _section(raw, "harvest", source)
    where = f"{source}: harvest"
    secret = environ.get(ENV_HARVEST_CLIENT_SECRET) or section.get("client_secret")
    if not isinstance(secret, str) or not secret:
        raise ReceiverConfigError(
            f"config {where}.client_secret is missing; set it or {ENV_HARVEST_CLIENT_SECRET}"
        )
    user_id = _user_id(section.get("user_id"), where)
    return HarvestSettings(
        api_url=_text(section, "api_url", where, default="https://harvest.greenhouse.io"),
        token_url=_text(section, "token_url", where, default="https://auth.greenhouse.io/token"),
        client_id=_text(section, "client_id", where, default=None),
        client_secret=secret,
        user_id=user_id,
    )


def _user_id(value: Any, where: str) -> int | None:
    """The Site Admin's numeric id; the source's form gives it as text, so digits are accepted."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ReceiverConfigError(
        f"config {where}.user_id is {value!r}; expected the numeric Greenhouse user id "
        "of a Site Admin"
    )


def _worker(raw: Mapping[str, Any], source: str) -> WorkerSettings:
    section = _section(raw, "worker", source) if "worker" in raw else {}
    where = f"{source}: worker"
    defaults = WorkerSettings()
    return WorkerSettings(
        batch_size=_integer(section, "batch_size", where, defaults.batch_size, low=1, high=10_000),
        max_attempts=_integer(
            section, "max_attempts", where, defaults.max_attempts, low=1, high=100
        ),
        backoff_seconds=_number(section, "backoff_seconds", where, defaults.backoff_seconds),
        max_backoff_seconds=_number(
            section, "max_backoff_seconds", where, defaults.max_backoff_seconds
        ),
        poll_seconds=_number(section, "poll_seconds", where, defaults.poll_seconds),
    )


def _section(raw: Mapping[str, Any], key: str, source: str) -> Mapping[str, Any]:
    value = raw.get(key)
    if not isinstance(value, Mapping):
        raise ReceiverConfigError(f"config {source}: '{key}' is missing or not a mapping")
    return value


def _text(raw: Mapping[str, Any], key: str, where: str, default: str | None) -> str:
    value = raw.get(key, default)
    if value is None or value == "":
        raise ReceiverConfigError(f"config {where}: '{key}' is missing; expected a string")
    if not isinstance(value, str):
        raise ReceiverConfigError(f"config {where}: '{key}' is {value!r}; expected a string")
    return value


def _integer(
    raw: Mapping[str, Any], key: str, where: str, default: int, *, low: int, high: int | None
) -> int:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ReceiverConfigError(
            f"config {where}: '{key}' is {value!r}; expected an integer ≥ {low}"
        )
    if high is not None and value > high:
        raise ReceiverConfigError(f"config {where}: '{key}' is {value}; expected at most {high}")
    return value


def _number(raw: Mapping[str, Any], key: str, where: str, default: float) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ReceiverConfigError(
            f"config {where}: '{key}' is {value!r}; expected a positive number of seconds"
        )
    return float(value)
