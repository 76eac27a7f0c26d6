"""Airbyte's standard source tests (spec, check, discover, read) against a local Harvest fake.

The fake starts when this module is collected and serves the shared sample tenant; its URL goes
into ``generated/config.json`` (git-ignored), which ``acceptance-test-config.yml`` names.
"""

from __future__ import annotations

import atexit
import json
from pathlib import Path

from airbyte_cdk.test.standard_tests import ConnectorTestScenario, SourceTestSuiteBase

from integration_tests.fakes.harvest import HarvestFake
from source_greenhouse_hires import SourceGreenhouseHires

CONNECTOR_ROOT = Path(__file__).parent
SAMPLE_TENANT = CONNECTOR_ROOT.parent / "sample_data" / "greenhouse_tenant.json"


def _start_fake_and_write_config() -> HarvestFake:
    fake = HarvestFake(SAMPLE_TENANT, rate_limit=10_000).start()
    atexit.register(fake.stop)
    config = {
        "client_id": "demo-client-id",
        "client_secret": "demo-client-secret",
        "user_id": "5001122",
        "api_url": fake.base_url,
        "token_url": fake.token_url,
        "consistency_lag_minutes": 0,
    }
    generated = CONNECTOR_ROOT / "generated"
    generated.mkdir(exist_ok=True)
    (generated / "config.json").write_text(json.dumps(config, indent=2), "utf-8")
    return fake


HARVEST = _start_fake_and_write_config()


class TestSourceGreenhouseHires(SourceTestSuiteBase):
    """Every standard source test, with the connector built from the scenario's config."""

    @classmethod
    def get_connector_root_dir(cls) -> Path:
        return CONNECTOR_ROOT

    @classmethod
    def create_connector(cls, scenario: ConnectorTestScenario | None) -> SourceGreenhouseHires:
        config = (scenario or ConnectorTestScenario()).get_config_dict(
            connector_root=cls.get_connector_root_dir(), empty_if_missing=True
        )
        return SourceGreenhouseHires(config=config)
