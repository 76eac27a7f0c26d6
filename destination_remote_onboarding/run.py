"""Console entry point ``destination-remote-onboarding`` (spec, check, write)."""

from __future__ import annotations

import logging
import sys

from airbyte_cdk.logger import init_logger, is_platform_debug_log_enabled

from destination_remote_onboarding.destination import DestinationRemoteOnboarding


def run() -> None:
    # The CDK only raises its own "airbyte" logger to INFO; ours would stay at WARNING.
    init_logger("airbyte")
    level = logging.DEBUG if is_platform_debug_log_enabled() else logging.INFO
    logging.getLogger("destination_remote_onboarding").setLevel(level)
    DestinationRemoteOnboarding().run(sys.argv[1:])


if __name__ == "__main__":
    run()
