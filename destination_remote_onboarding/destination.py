"""The Airbyte destination: hire events in, Remote employments out, STATE echoed when durable."""

from __future__ import annotations

import argparse
import io
import logging
from collections.abc import Iterable, Mapping, MutableMapping
from pathlib import Path
from typing import Any, Final

import orjson
from airbyte_cdk.destinations import Destination
from airbyte_cdk.models import (
    AirbyteConnectionStatus,
    AirbyteMessage,
    AirbyteStateStats,
    ConfiguredAirbyteCatalog,
    FailureType,
    Status,
    Type,
)
from airbyte_cdk.models.airbyte_protocol_serializers import AirbyteMessageSerializer
from airbyte_cdk.utils.airbyte_secrets_utils import get_secrets, update_secrets
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from destination_remote_onboarding.config import Settings, read_config_file, read_settings
from destination_remote_onboarding.errors import (
    ConfigError,
    RecordError,
    RemoteAuthError,
    TransientError,
)
from destination_remote_onboarding.ledger import ledger_problem, resolve_ledger_path
from destination_remote_onboarding.onboarding import Onboarder
from destination_remote_onboarding.outcomes import Outcome
from destination_remote_onboarding.remote_client import RemoteClient

logger = logging.getLogger(__name__)

FLUSH_SIZE: Final = 500


class DestinationRemoteOnboarding(Destination):
    """Creates one Remote employment per new hire, exactly once, by one customer's rule."""

    flush_size: int = FLUSH_SIZE
    # read_settings validates every config with messages naming the setting to change; the
    # CDK's jsonschema check would answer first with raw "not valid under any of the schemas".
    check_config_against_spec = False

    @staticmethod
    def read_config(config_path: str) -> MutableMapping[str, Any]:
        """The config file as a dict; raises ConfigError naming the file when it is unusable."""
        return read_config_file(Path(config_path))

    def run_cmd(self, parsed_args: argparse.Namespace) -> Iterable[AirbyteMessage]:
        """As the CDK's, except that ``check`` too validates through read_settings only."""
        if parsed_args.command != "check":
            yield from super().run_cmd(parsed_args)
            return
        config = self.read_config(config_path=parsed_args.config)
        spec = self.spec(logger)
        update_secrets(get_secrets(spec.connectionSpecification, config))
        yield self._run_check(config=config)

    def check(self, logger: logging.Logger, config: Mapping[str, Any]) -> AirbyteConnectionStatus:
        """Token, environment, permission, rule and ledger, told apart, creating nothing."""
        try:
            settings = read_settings(config)
            problem = ledger_problem(resolve_ledger_path(settings.ledger_path))
            problem = problem or _remote_problem(settings)
        except ConfigError as error:
            problem = str(error)
        if problem is not None:
            return AirbyteConnectionStatus(status=Status.FAILED, message=problem)
        return AirbyteConnectionStatus(status=Status.SUCCEEDED)

    def _parse_input_stream(self, input_stream: io.TextIOWrapper) -> Iterable[AirbyteMessage]:
        """Airbyte messages from stdin; a line that is not one is skipped without echoing it.

        The CDK's own reader logs such a line whole at INFO, and a record line holds names
        and e-mails; here only its position and length are logged.
        """
        for number, line in enumerate(input_stream, start=1):
            try:
                yield AirbyteMessageSerializer.load(orjson.loads(line))
            except (orjson.JSONDecodeError, ValueError, TypeError, KeyError) as error:
                logger.warning(
                    "input line %s (%s characters) is not an Airbyte message and was skipped: %s",
                    number,
                    len(line),
                    type(error).__name__,
                )

    def write(
        self,
        config: Mapping[str, Any],
        configured_catalog: ConfiguredAirbyteCatalog,
        input_messages: Iterable[AirbyteMessage],
    ) -> Iterable[AirbyteMessage]:
        """Buffer records; at each STATE onboard them, commit their outcomes, then echo it."""
        try:
            onboarder = Onboarder.from_config(config)
        except ConfigError as error:
            raise _config_error(error) from None
        with onboarder:
            try:
                yield from self.write_events(onboarder, input_messages)
            except ConfigError as error:
                raise _config_error(error) from None
            finally:
                onboarder.log_summary()

    def write_events(
        self, onboarder: Onboarder, input_messages: Iterable[AirbyteMessage]
    ) -> Iterable[AirbyteMessage]:
        """The write loop on a ready onboarder; raises ConfigError as is (``hires sync``).

        Once a record has failed (transiently), no later STATE is echoed: a cursor past it
        would make the next sync skip it, so the next sync starts from the last clean state.
        A dry run echoes no STATE at all, so the real sync after a preview reads it all again.
        """
        buffer: list[Any] = []
        since_state = 0
        holding = False
        if onboarder.dry_run:
            logger.info("dry run: no state is confirmed; the next real sync reads these events")
        for message in input_messages:
            if message.type == Type.RECORD and message.record is not None:
                buffer.append(message.record.data)
                since_state += 1
                if len(buffer) >= self.flush_size:
                    holding = _has_failed(onboarder.process(buffer)) or holding
                    buffer = []
            elif message.type == Type.STATE and message.state is not None:
                if buffer:
                    holding = _has_failed(onboarder.process(buffer)) or holding
                    buffer = []
                message.state.destinationStats = AirbyteStateStats(recordCount=since_state)
                since_state = 0
                if holding:
                    logger.warning(
                        "state not saved: some records failed; the next sync reads them again"
                    )
                    continue
                if onboarder.dry_run:
                    continue
                yield message
        if buffer:
            onboarder.process(buffer)


def _has_failed(outcomes: Iterable[Outcome]) -> bool:
    return any(outcome.outcome == "failed" for outcome in outcomes)


def _remote_problem(settings: Settings) -> str | None:
    """What is wrong with the token for this environment, or None; raises ConfigError on 401."""
    client = RemoteClient(
        settings.base_url,
        settings.api_token,
        timeout_seconds=settings.request_timeout_seconds,
        max_attempts=2,
        backoff_seconds=min(settings.retry_backoff_seconds, 1.0),
    )
    try:
        client.identity()
        client.list_employments(page=1, page_size=1)
        if not settings.dry_run and not client.can_write():
            return (
                "The API token is read-only: it can list employments but not create them. "
                "Create a Full Access token in Remote (Company Settings → Integrations → "
                "Remote API), or turn on dry_run"
            )
    except TransientError as error:
        return f"Could not reach Remote at {settings.base_url}: {error}"
    except RecordError as error:
        return f"Remote at {settings.base_url} answered unexpectedly: {error}"
    finally:
        client.close()
    return None


def _config_error(error: ConfigError) -> AirbyteTracedException:
    internal = (
        f"HTTP {error.status}" if isinstance(error, RemoteAuthError) else type(error).__name__
    )
    return AirbyteTracedException(
        message=str(error), internal_message=internal, failure_type=FailureType.config_error
    )
