"""Root pytest configuration: the airbyte-cdk standard-test plugin must be registered here."""

from __future__ import annotations

import pytest

pytest_plugins = ["airbyte_cdk.test.standard_tests.pytest_hooks"]

# The standard suites generate spec, discover and read tests for every scenario and then skip
# those whose config is listed only under `connection` (a config meant to fail `check`). They
# never apply, so they are left out of the run instead of being reported as skipped.
_CHECK_ONLY_SCENARIO = "['invalid_config' Test Scenario]"
_NOT_FOR_CHECK_ONLY = ("test_config_matches_spec", "test_discover", "test_basic_read",
                       "test_fail_read_with_bad_catalog")  # fmt: skip


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    kept, dropped = [], []
    for item in items:
        not_applicable = _CHECK_ONLY_SCENARIO in item.name and item.name.startswith(
            _NOT_FOR_CHECK_ONLY
        )
        (dropped if not_applicable else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
