"""What is wrong with a source config and what to change, said once for check, read and the CLI.

``preflight`` needs no network and runs first everywhere: in ``check``, at the start of
``read``, before the CDK's own spec validation in the console script, and in ``hires sync``.
``preflight_admin`` asks Harvest whether ``user_id`` is a Site Admin. Both raise only
``SourceConfigError``, whose text is the message for the user.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from importlib import resources
from typing import Any, Final

import jsonschema
import yaml
from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_greenhouse_hires.harvest_client import (
    HarvestConfigError,
    HarvestError,
    HarvestUnreachableError,
    RetryPolicy,
)
from source_greenhouse_hires.sync_context import (
    LEGACY_MESSAGE,
    SYNC_KEY,
    SyncContext,
    has_legacy_api_key,
)

START_DATE_EXAMPLE: Final = "2026-01-01T00:00:00Z"
# A bare date is read as midnight UTC; a time needs an explicit zone (Z or ±HH:MM).
_START_DATE_FORM: Final = re.compile(
    r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2}))?$"
)
_BARE_DATE: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_URL_FIELDS: Final = ("api_url", "token_url")
_SECRET_FIELDS: Final = frozenset({"client_secret"})


class SourceConfigError(HarvestConfigError):
    """The source config cannot work as it is; the text says which field and what to change."""


def parse_start_date(value: Any) -> datetime | None:
    """The instant ``start_date`` names (a bare date is midnight UTC), None when it is empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = value if isinstance(value, str) else ""
    if _START_DATE_FORM.match(text):
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            parsed = None
        if parsed is not None:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    raise SourceConfigError(
        f"start_date {value!r} is not a date and time: write it like {START_DATE_EXAMPLE} "
        "(UTC), with an offset like 2026-01-01T00:00:00+02:00, or as a bare date like "
        "2026-01-01 (midnight UTC); leave it empty to read all history"
    )


def normalized_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """``config`` with a bare-date ``start_date`` written as midnight UTC for the manifest."""
    normalized = dict(config)
    start_date = normalized.get("start_date")
    if isinstance(start_date, str) and _BARE_DATE.match(start_date):
        normalized["start_date"] = f"{start_date}T00:00:00Z"
    return normalized


def preflight(config: Mapping[str, Any]) -> None:
    """Raise ``SourceConfigError`` for the first thing in ``config`` that must change.

    Offline: the same rules ``check`` applies before it calls Greenhouse.
    """
    if has_legacy_api_key(config) and not config.get("client_id"):
        raise SourceConfigError(LEGACY_MESSAGE)
    for key, title in (("client_id", "Client ID"), ("client_secret", "Client Secret")):
        value = config.get(key)
        if not isinstance(value, str) or not value.strip():
            raise SourceConfigError(
                f"{key} is empty or not text: enter the {title} of a Harvest V3 (OAuth) "
                "credential from Greenhouse Configure → Dev Center → API Credential Management"
            )
    parse_start_date(config.get("start_date"))
    _check_user_id(config.get("user_id"))
    for name, field in _spec_properties().items():
        if name in config and name not in ("client_id", "client_secret", "start_date", "user_id"):
            _check_field(name, field, config[name])
    _check_against_spec(config)


def preflight_for_airbyte(config: Mapping[str, Any]) -> None:
    """``preflight``, with its error raised as the Airbyte config error the platform shows."""
    try:
        preflight(config)
    except SourceConfigError as error:
        raise AirbyteTracedException(
            message=str(error), internal_message=str(error), failure_type=FailureType.config_error
        ) from None


def preflight_admin(config: Mapping[str, Any]) -> None:
    """Raise ``SourceConfigError`` unless the ``user_id`` in ``config`` is a Site Admin.

    Calls Greenhouse: mints a token as the user and asks ``/v3/users?ids=<user_id>``, which
    Harvest v3 answers with nothing for a user who is not a Site Admin.
    """
    user_id = str(config.get("user_id") or "").strip()
    if not user_id:
        return
    try:
        client = SyncContext(config, retry=check_retry_policy(config)).client
        admins = list(client.list("users", {"ids": user_id}))
    except HarvestError as error:
        raise SourceConfigError(describe_harvest_error(error)) from error
    if not admins:
        raise SourceConfigError(
            f"Greenhouse user {user_id} is not a Site Admin (Harvest v3 lists nothing for "
            "other users): enter the user id of a Site Admin, or leave it empty to use "
            "the credential's integration user"
        )


def check_retry_policy(config: Mapping[str, Any]) -> RetryPolicy:
    """Retries for an interactive check: the configured budget, but one retry to connect."""
    max_retries = config.get("max_retries", 5)
    return RetryPolicy(
        max_retries=max_retries if isinstance(max_retries, int) else 5, max_connection_retries=1
    )


def describe_harvest_error(error: HarvestError) -> str:
    """The user message for a Harvest failure met while checking a config."""
    if isinstance(error, HarvestUnreachableError | HarvestConfigError):
        return str(error)
    return f"Greenhouse could not be reached reliably: {error}"


def without_sync_key(config: Mapping[str, Any]) -> dict[str, Any]:
    """The user's config, without the key the source adds to tell syncs apart."""
    return {key: value for key, value in config.items() if key != SYNC_KEY}


def _check_user_id(value: Any) -> None:
    if value is None or value == "":
        return
    if isinstance(value, str) and value.isdigit():
        return
    hint = ', write it in quotes as text, e.g. "5001122"' if isinstance(value, int) else ""
    raise SourceConfigError(
        f"user_id {value!r} is not a Greenhouse user id: enter the digits of a Site Admin's "
        f"user id (the number in the URL of their user page){hint}, or leave it empty"
    )


def _check_field(name: str, field: Mapping[str, Any], value: Any) -> None:
    kind = field.get("type")
    if kind == "integer":
        _check_integer(name, field, value)
    elif kind == "boolean" and not isinstance(value, bool):
        raise SourceConfigError(f"{name} {value!r} is not allowed: enter true or false")
    elif kind == "string" and name in _URL_FIELDS and not _is_http_url(value):
        raise SourceConfigError(
            f"{name} {value!r} is not an http(s) URL: enter one like "
            f"{field.get('default')}, or remove the field to use that default"
        )


def _is_http_url(value: Any) -> bool:
    return isinstance(value, str) and re.match(r"^https?://[^/\s]+", value) is not None


def _check_integer(name: str, field: Mapping[str, Any], value: Any) -> None:
    low, high = field.get("minimum"), field.get("maximum")
    in_range = (
        isinstance(value, int)
        and not isinstance(value, bool)
        and (low is None or value >= low)
        and (high is None or value <= high)
    )
    if not in_range:
        raise SourceConfigError(
            f"{name} {value!r} is not allowed: enter a whole number from {low} to {high} "
            f"({field.get('title')}), or remove the field to use the default "
            f"{field.get('default')}"
        )


def _check_against_spec(config: Mapping[str, Any]) -> None:
    # A safety net for rules the checks above do not word themselves; secrets never shown.
    validator = jsonschema.Draft7Validator(_connection_specification())
    error = next(iter(validator.iter_errors(without_sync_key(config))), None)
    if error is None:
        return
    name = str(error.path[0]) if error.path else "the config"
    field = _spec_properties().get(name, {})
    shown = "" if name in _SECRET_FIELDS else f" {error.instance!r}"
    raise SourceConfigError(
        f"{name}{shown} does not fit the source spec ({error.validator} "
        f"{error.validator_value!r}): {field.get('description', 'see the connector spec')}"
    )


@functools.cache
def _connection_specification() -> dict[str, Any]:
    manifest = resources.files(__package__).joinpath("manifest.yaml").read_text("utf-8")
    specification: dict[str, Any] = yaml.safe_load(manifest)["spec"]["connection_specification"]
    return specification


def _spec_properties() -> dict[str, dict[str, Any]]:
    properties: dict[str, dict[str, Any]] = _connection_specification()["properties"]
    return properties
