"""The airbyte-cdk standard test suite for the Remote onboarding destination."""

from __future__ import annotations

from pathlib import Path

from airbyte_cdk.test.standard_tests import DestinationTestSuiteBase

from destination_remote_onboarding.destination import DestinationRemoteOnboarding


class TestDestinationRemoteOnboarding(DestinationTestSuiteBase):
    connector = DestinationRemoteOnboarding

    @classmethod
    def get_connector_root_dir(cls) -> Path:
        return Path(__file__).parent
