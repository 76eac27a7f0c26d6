"""``SourceGreenhouseHires``: the declarative manifest plus a check that says what to fix."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator, Mapping
from importlib import resources
from typing import Any, Final

from airbyte_cdk.models import (
    AirbyteConnectionStatus,
    AirbyteErrorTraceMessage,
    AirbyteMessage,
    AirbyteStateMessage,
    ConfiguredAirbyteCatalog,
    Status,
    Type,
)
from airbyte_cdk.sources.declarative.yaml_declarative_source import YamlDeclarativeSource
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_greenhouse_hires.config_checks import (
    SourceConfigError,
    check_retry_policy,
    describe_harvest_error,
    normalized_config,
    preflight,
    preflight_admin,
    preflight_for_airbyte,
    without_sync_key,
)
from source_greenhouse_hires.harvest_client import HarvestError
from source_greenhouse_hires.sync_context import SYNC_KEY, SyncContext, forget_context

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
        self._sync_config = {**normalized_config(config or {}), SYNC_KEY: uuid.uuid4().hex}
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
        """The CDK's read, after the same config checks as ``check``, failing with our words."""
        preflight_for_airbyte(without_sync_key(self._sync_config))
        first_error: AirbyteErrorTraceMessage | None = None
        try:
            for message in super().read(logger, config, catalog, state):
                if first_error is None and message.type == Type.TRACE and message.trace:
                    first_error = message.trace.error
                yield message
        except AirbyteTracedException as error:
            raise _with_stream_message(error, first_error) from error
        finally:
            forget_context(self._sync_config)


def _with_stream_message(
    error: AirbyteTracedException, first_error: AirbyteErrorTraceMessage | None
) -> AirbyteTracedException:
    """The CDK ends a failed read with a summary of exception reprs; the first stream error
    already says what to do, so its message becomes the one a caller shows."""
    if first_error is None or not first_error.message:
        return error
    return AirbyteTracedException(
        message=first_error.message,
        internal_message=error.message,
        failure_type=first_error.failure_type or error.failure_type,
    )


def _connection_problem(config: Mapping[str, Any]) -> str | None:
    """What is wrong with ``config`` and what to do about it, or None when all is well."""
    try:
        preflight(config)
        client = SyncContext(config, retry=check_retry_policy(config)).client
        client.tokens.token()
        for resource in CHECKED_RESOURCES:
            next(iter(client.list(resource, {"per_page": "1"})), None)
        preflight_admin(config)
    except SourceConfigError as error:
        return str(error)
    except HarvestError as error:
        return describe_harvest_error(error)
    return None
