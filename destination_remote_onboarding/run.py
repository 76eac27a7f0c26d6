"""Console entry point ``destination-remote-onboarding`` (spec, check, write)."""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

import orjson
from airbyte_cdk.logger import init_logger, is_platform_debug_log_enabled
from airbyte_cdk.models import (
    AirbyteErrorTraceMessage,
    AirbyteMessage,
    AirbyteMessageSerializer,
    AirbyteTraceMessage,
    FailureType,
    TraceType,
    Type,
)
from airbyte_cdk.utils.airbyte_secrets_utils import filter_secrets
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from destination_remote_onboarding.config import read_json_object
from destination_remote_onboarding.destination import DestinationRemoteOnboarding
from destination_remote_onboarding.errors import ConfigError

PROGRAM = "destination-remote-onboarding"


def run() -> None:
    """Run one command; a config problem is one line on stderr, a TRACE on stdout, exit 1."""
    # The CDK only raises its own "airbyte" logger to INFO; ours would stay at WARNING.
    init_logger("airbyte")
    level = logging.DEBUG if is_platform_debug_log_enabled() else logging.INFO
    logging.getLogger("destination_remote_onboarding").setLevel(level)
    try:
        _check_catalog_file(sys.argv[1:])
        DestinationRemoteOnboarding().run(sys.argv[1:])
    except ConfigError as error:
        sys.exit(_fail_on_config(str(error)))
    except AirbyteTracedException as error:
        if error.failure_type != FailureType.config_error:
            raise
        sys.exit(_fail_on_config(error.message or str(error)))


def _check_catalog_file(args: list[str]) -> None:
    """The CDK opens --catalog itself and answers a bad path with a stack; say it in a line."""
    if "--catalog" in args and args.index("--catalog") + 1 < len(args):
        path = Path(args[args.index("--catalog") + 1])
        read_json_object(path, "catalog file", "examples/configured_catalog.json")


def _fail_on_config(message: str) -> int:
    """Report a config error as the platform and a person each expect it; the exit code."""
    message = filter_secrets(message)
    trace = AirbyteMessage(
        type=Type.TRACE,
        trace=AirbyteTraceMessage(
            type=TraceType.ERROR,
            emitted_at=time.time() * 1000,
            error=AirbyteErrorTraceMessage(message=message, failure_type=FailureType.config_error),
        ),
    )
    print(orjson.dumps(AirbyteMessageSerializer.dump(trace)).decode(), flush=True)
    print(f"{PROGRAM}: {message}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    run()
