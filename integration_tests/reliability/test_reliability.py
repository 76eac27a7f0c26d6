"""The reliability suite at small sizes: each scenario must report no violation at all."""

from __future__ import annotations

from pathlib import Path

from integration_tests.fakes.remote import RemoteFake
from integration_tests.reliability import (
    bad_input,
    crash,
    fuzz,
    harness,
    secrets,
    storms,
    webhooks,
)
from integration_tests.reliability.results import ScenarioResult
from integration_tests.reliability.suite import QUICK


def _assert_kept(result: ScenarioResult) -> None:
    assert (result.duplicates, result.missing) == (0, 0), result
    assert (result.leaked_secrets, result.unhandled_errors) == (0, 0), result
    assert result.problems == []


def test_a_sync_killed_at_any_create_resumes_with_every_hire_exactly_once(tmp_path: Path):
    result = crash.run(tmp_path, QUICK.hires, QUICK.kill_points)

    _assert_kept(result)
    assert result.created == QUICK.hires * QUICK.kill_points


def test_every_hire_lands_once_through_a_fault_storm(tmp_path: Path):
    result = storms.run(tmp_path, QUICK.storm_hires, QUICK.storm_seeds)

    _assert_kept(result)
    assert result.created == QUICK.storm_hires
    assert result.details["harvest_5xx"] > 0 and result.details["remote_5xx"] > 0
    assert result.details["harvest_401"] >= 1


def test_repeated_webhooks_create_once_and_forged_ones_create_nothing(tmp_path: Path):
    result = webhooks.run(tmp_path, QUICK.webhook_hires)

    _assert_kept(result)
    assert result.created == QUICK.webhook_hires
    assert result.details["remote_posts"] == QUICK.webhook_hires
    assert result.details["attacks_refused"] == result.details["attacks"]


def test_malformed_events_rules_and_configs_get_clear_errors(tmp_path: Path):
    result = bad_input.run(tmp_path, full=False)

    _assert_kept(result)
    assert result.details["outcome_invalid"] >= 20
    assert result.created == result.details["outcome_created"]


def test_generated_events_each_get_exactly_one_outcome(tmp_path: Path):
    result = fuzz.run(tmp_path, QUICK.generated_batches)

    _assert_kept(result)
    assert result.details.get("outcome_invalid", 0) > 0


def test_no_secret_appears_in_any_connector_output_even_at_debug(tmp_path: Path):
    result = secrets.run(tmp_path, QUICK.webhook_hires)

    _assert_kept(result)
    assert result.created == QUICK.webhook_hires
    assert result.details["commands"] == 9


def test_records_that_failed_are_read_again_by_the_next_sync(tmp_path: Path):
    workspace = harness.make_workspace(tmp_path, 60)
    with (
        harness.QuietHarvest(workspace.tenant_path, rate_limit=None) as harvest,
        RemoteFake(harness.company(), rate_limit_per_minute=100_000) as remote,
    ):
        harness.write_configs(
            workspace,
            harness.source_config(harvest.base_url, harvest.token_url, page_size=20),
            harness.destination_config(remote.base_url, workspace.ledger_path),
        )
        remote.fail_next(503, count=30, method="POST", path="/v1/employments")
        first = harness.run_sync(workspace, "first")
        second = harness.run_sync(workspace, "second")
        result = ScenarioResult("failed then re-run")
        harness.check_exactly_once(workspace, remote, result)

    assert (first.returncode, second.returncode) == (1, 0)
    assert "failed" in first.stdout.partition("totals:")[2]
    _assert_kept(result)
    assert result.created == 60
