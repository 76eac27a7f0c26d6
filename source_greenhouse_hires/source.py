"""``SourceGreenhouseHires``: the declarative manifest plus a check that says what to fix."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator, Mapping
from importlib import resources
from typing import Any, Final

from airbyte_cdk.models import (
    AirbyteConnectionStatus,
    AirbyteMessage,
    AirbyteStateMessage,
    ConfiguredAirbyteCatalog,
    Status,
)
from airbyte_cdk.sources.declarative.yaml_declarative_source import YamlDeclarativeSource

from source_greenhouse_hires.harvest_client import HarvestError, HarvestTransientError
from source_greenhouse_hires.sync_context import (
    LEGACY_MESSAGE,
    SYNC_KEY,
    SyncContext,
    forget_context,
    has_legacy_api_key,
)

logger = logging.getLogger(__name__)

# Every resource the streams read, in the order check probes them for a missing scope.
CHECKED_RESOURCES: Final = (
    "offers",
    "applications",
    "candidates",
    "jobs",
    "custom_fields",
    "users",
)


def _manifest_path() -> str:
    # Package data, never the working directory: a stray manifest.yaml there must not win.
    return str(resources.files(__package__).joinpath("manifest.yaml"))


class SourceGreenhouseHires(YamlDeclarativeSource):
    """Greenhouse Harvest v3 offers and hires as hire events."""

    def __init__(
        self,
        catalog: ConfiguredAirbyteCatalog | None = None,
        config: Mapping[str, Any] | None = None,
        state: list[AirbyteStateMessage] | None = None,
        config_path: str | None = None,
    ) -> None:
        # A fresh key per instance gives each sync its own token, budget and look-up caches.
        self._sync_config = {**(config or {}), SYNC_KEY: uuid.uuid4().hex}
        super().__init__(
            path_to_yaml=_manifest_path(),
            catalog=catalog,
            config=self._sync_config,
            state=state,
            config_path=config_path,
        )

    def check(self, logger: logging.Logger, config: Mapping[str, Any]) -> AirbyteConnectionStatus:
        """Succeeds only if a token can be minted and every resource the streams read answers."""
        problem = _connection_problem(config)
        if problem is None:
            return AirbyteConnectionStatus(status=Status.SUCCEEDED)
        logger.error("Check failed: %s", problem)
        return AirbyteConnectionStatus(status=Status.FAILED, message=problem)

    def read(
        self,
        logger: logging.Logger,
        config: Mapping[str, Any],
        catalog: ConfiguredAirbyteCatalog,
        state: list[AirbyteStateMessage] | None = None,
    ) -> Iterator[AirbyteMessage]:
        try:
            yield from super().read(logger, config, catalog, state)
        finally:
            forget_context(self._sync_config)


def _connection_problem(config: Mapping[str, Any]) -> str | None:
    """What is wrong with ``config`` and what to do about it, or None when all is well."""
    if has_legacy_api_key(config) and not config.get("client_id"):
        return LEGACY_MESSAGE
    for key, title in (("client_id", "Client ID"), ("client_secret", "Client Secret")):
        if not str(config.get(key) or "").strip():
            return (
                f"{key} is empty: enter the {title} of a Harvest V3 (OAuth) credential from "
                "Greenhouse Configure → Dev Center → API Credential Management"
            )
    try:
        client = SyncContext(config).client
        client.tokens.token()
        for resource in CHECKED_RESOURCES:
            next(iter(client.list(resource, {"per_page": "1"})), None)
        user_id = str(config.get("user_id") or "").strip()
        if user_id and not list(client.list("users", {"ids": user_id})):
            return (
                f"Greenhouse user {user_id} is not a Site Admin (Harvest v3 lists nothing for "
                "other users): enter the user id of a Site Admin, or leave it empty to use "
                "the credential's integration user"
            )
    except HarvestTransientError as error:
        return f"Greenhouse could not be reached reliably: {error}"
    except HarvestError as error:
        return str(error)
    return None
