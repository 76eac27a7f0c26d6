"""Generated bad events (hypothesis) straight into ``Onboarder.process``: whatever the content,
each event gets exactly one outcome with a reason, and nothing raises."""

from __future__ import annotations

import copy
import time
from pathlib import Path
from typing import Any, Final

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from destination_remote_onboarding.onboarding import Onboarder
from integration_tests.fakes.remote import RemoteFake
from integration_tests.reliability import harness
from integration_tests.reliability.bad_input import valid_event
from integration_tests.reliability.results import ScenarioResult
from integration_tests.sample_data.build_samples import COUNTRY_KEY, SEND_KEY

OUTCOMES: Final = frozenset(
    {"created", "already_synced", "updated", "skipped", "conflict", "invalid", "failed"}
)
PATHS: Final = (
    ("event_id",),
    ("trigger",),
    ("application_id",),
    ("updated_at",),
    ("candidate",),
    ("candidate", "first_name"),
    ("candidate", "last_name"),
    ("candidate", "email_addresses"),
    ("offer",),
    ("offer", "starts_on"),
    ("offer", "status"),
    ("offer", "custom_fields"),
    ("offer", "custom_fields", COUNTRY_KEY, "value"),
    ("offer", "custom_fields", SEND_KEY, "value"),
    ("job",),
    ("job", "name"),
)
# Any code point, surrogates included: names and e-mails arrive from people's keyboards.
ODD_TEXT = st.text(st.characters(exclude_categories=()), max_size=40)
LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    ODD_TEXT,
    st.sampled_from(["", "2027-02-30", "31/12/2027", "Portugal", "x@y", "@", "9" * 400]),
)
VALUE = st.recursive(LEAF, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    ODD_TEXT, inner, max_size=3), max_leaves=8)  # fmt: skip
MUTATION = st.tuples(st.sampled_from(PATHS), st.one_of(st.just("drop"), VALUE))


def mutated(number: int, mutations: list[tuple[tuple[str, ...], Any]]) -> dict[str, Any]:
    """A valid event with each mutation applied where its path still leads somewhere."""
    event = valid_event(number)
    for path, value in mutations:
        target: Any = event
        for key in path[:-1]:
            target = target.get(key) if isinstance(target, dict) else None
        if not isinstance(target, dict):
            continue
        if isinstance(value, str) and value == "drop":
            target.pop(path[-1], None)
        else:
            target[path[-1]] = copy.deepcopy(value)
    return event


def run(folder: Path, examples: int = 200) -> ScenarioResult:
    """``examples`` batches of one to four generated events through one Onboarder."""
    started = time.monotonic()
    result = ScenarioResult(f"generated events ({examples} batches)")
    folder.mkdir(parents=True, exist_ok=True)
    with RemoteFake(harness.company(), rate_limit_per_minute=1_000_000) as remote:
        config = harness.destination_config(remote.base_url, folder / "ledger.sqlite")
        with Onboarder.from_config(config) as onboarder:
            try:
                _property(onboarder, examples, result)
            except Exception as error:
                result.unhandled_errors += 1
                result.problem(f"{type(error).__name__}: {str(error)[:300]}")
        harness.check_exactly_once_by_email(remote, result)
    harness.scan_for_leaks([], [folder / "ledger.sqlite"], result)
    result.seconds = time.monotonic() - started
    return result


def _property(onboarder: Onboarder, examples: int, result: ScenarioResult) -> None:
    counter = iter(range(10**9))

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.lists(st.lists(MUTATION, min_size=0, max_size=3), min_size=1, max_size=4))
    def every_event_gets_one_outcome(batch: list[list[tuple[tuple[str, ...], Any]]]) -> None:
        events = [mutated(next(counter), mutations) for mutations in batch]
        outcomes = onboarder.process(events)
        assert len(outcomes) == len(events), f"{len(outcomes)} outcomes for {len(events)}"
        for outcome in outcomes:
            assert outcome.outcome in OUTCOMES, outcome.outcome
            assert isinstance(outcome.reason, str) and outcome.reason.strip()
            result.details[f"outcome_{outcome.outcome}"] = (
                result.details.get(f"outcome_{outcome.outcome}", 0) + 1
            )

    every_event_gets_one_outcome()
