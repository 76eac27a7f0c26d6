"""Eligibility conditions, compiled once per rule into small checking functions.

A check returns ``(passed, detail)``; the detail completes the subject into a sentence a person
can read, e.g. ``offer field 'Send …' `` + ``is null (not answered)``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from rules import model, values
from rules.expressions import custom_field_value, path_steps, walk_path
from rules.values import Problem

Reader = Callable[[Mapping[str, Any]], Any]


@dataclass(frozen=True, slots=True)
class ConditionResult:
    """One eligibility condition for one event: did it pass, and what was seen."""

    description: str
    passed: bool
    detail: str
    depth: int = 0


@dataclass(frozen=True, slots=True)
class CompiledCondition:
    """A condition ready to run against the names of a hire event."""

    description: str
    subject: str
    run: Callable[[Mapping[str, Any], list[ConditionResult], int], tuple[bool, str]]

    def evaluate(
        self, names: Mapping[str, Any], results: list[ConditionResult], depth: int = 0
    ) -> tuple[bool, str]:
        """Run the check, append its result (and its children's) to ``results``."""
        slot = len(results)
        passed, detail = self.run(names, results, depth + 1)
        results.insert(slot, ConditionResult(self.description, passed, detail, depth))
        return passed, detail

    def reason(self, detail: str) -> str:
        """The one line that says why this condition failed."""
        return f"{self.subject} {detail}" if self.subject else detail


def compile_condition(condition: BaseModel) -> CompiledCondition:
    """Turn one validated condition of the rule model into a check."""
    if isinstance(condition, model.AllCondition | model.AnyCondition):
        return _group(condition)
    if isinstance(condition, model.NotCondition):
        return _negation(condition)
    if isinstance(condition, model.JobCondition):
        return _job(condition.job)
    assert isinstance(condition, model.ValueTest)
    subject, read = _subject(condition)
    operator, expected = condition.operator
    description, test = _operator(operator, expected)

    def run(names: Mapping[str, Any], _results: list[ConditionResult], _d: int) -> Any:
        return test(read(names))

    return CompiledCondition(f"{subject} {description}", subject, run)


def _subject(condition: model.ValueTest) -> tuple[str, Reader]:
    if isinstance(condition, model.FieldCondition):
        path = condition.field
        steps = path_steps(path)
        return path, lambda names: walk_path(names, steps, path)
    for kind in model.CUSTOM_FIELD_SUBJECTS:
        name_or_key = getattr(condition, kind, None)
        if name_or_key is not None:
            record = kind.removesuffix("_field")
            label = f"{record} field {values.show(name_or_key)}"
            return label, _field_reader(record, name_or_key)
    raise AssertionError(f"unhandled condition {type(condition).__name__}")


def _field_reader(record: str, name_or_key: str) -> Reader:
    return lambda names: custom_field_value(names.get(record), name_or_key, record)


def _operator(operator: str, expected: Any) -> tuple[str, Callable[[Any], tuple[bool, str]]]:
    if operator == "is":
        return ("is yes" if expected else "is no"), _yes_no(expected)
    if operator == "equals":
        shown = values.show(expected)
        return f"equals {shown}", _failing_adds(
            lambda v: _membership(v, [expected], True), f"not {shown}"
        )
    if operator in ("in", "not_in"):
        listed = ", ".join(str(item) for item in expected)
        wanted = operator == "in"
        # A failed check says what was allowed (or excluded), so the reason stands alone.
        hint = (
            f"not one of {_listed(expected)}"
            if wanted
            else f"excluded by not_in {_listed(expected)}"
        )
        return (
            f"is {'one' if wanted else 'none'} of {listed}",
            _failing_adds(lambda v: _membership(v, expected, wanted), hint),
        )
    if operator == "exists":
        return ("exists" if expected else "does not exist"), _existence(expected)
    pattern = re.compile(expected)
    return f"matches /{expected}/", _failing_adds(
        lambda v: _matching(v, pattern), f"which does not match /{expected}/"
    )


def _listed(items: list[Any]) -> str:
    return "[" + ", ".join(values.show(item) for item in items) + "]"


def _failing_adds(
    test: Callable[[Any], tuple[bool, str]], hint: str
) -> Callable[[Any], tuple[bool, str]]:
    """``test`` whose detail, when it fails, also says what was expected."""

    def checked(value: Any) -> tuple[bool, str]:
        passed, detail = test(value)
        return passed, detail if passed else f"{detail}, {hint}"

    return checked


def _yes_no(want_yes: bool) -> Callable[[Any], tuple[bool, str]]:
    def test(value: Any) -> tuple[bool, str]:
        answered_yes = values.is_yes(value)
        return answered_yes == want_yes, values.describe_answer(value)

    return _failing_adds(test, f"expected {'yes' if want_yes else 'no'}")


def _membership(value: Any, allowed: list[Any], wanted: bool) -> tuple[bool, str]:
    if isinstance(value, Problem):
        return False, _absent_detail(value)
    items = value if isinstance(value, list) else [value]
    found = any(_same(item, choice) for item in items for choice in allowed)
    return found == wanted, f"is {values.show(value)}"


def _same(actual: Any, expected: Any) -> bool:
    # YAML `true` must not equal 1, nor `1` equal True.
    return (type(actual) is type(expected) and actual == expected) or (
        isinstance(actual, int | float)
        and not isinstance(actual, bool)
        and isinstance(expected, int | float)
        and not isinstance(expected, bool)
        and actual == expected
    )


def _existence(wanted: bool) -> Callable[[Any], tuple[bool, str]]:
    def test(value: Any) -> tuple[bool, str]:
        present = value is not None and not isinstance(value, Problem)
        detail = f"is {values.show(value)}" if present else _absent_detail(value)
        return present == wanted, detail

    # "is missing" already says what exists: true wanted; a present value needs the hint.
    return test if wanted else _failing_adds(test, "expected it absent or null")


def _absent_detail(value: Any) -> str:
    if isinstance(value, Problem):
        return "is null" if value.message.endswith("is null") else "is missing"
    return "is null"


def _matching(value: Any, pattern: re.Pattern[str]) -> tuple[bool, str]:
    if isinstance(value, Problem):
        return False, _absent_detail(value)
    if not isinstance(value, str | int | float):
        return False, f"is {values.show(value)}, not text"
    return pattern.search(str(value)) is not None, f"is {values.show(value)}"


def _job(match: model.JobMatch) -> CompiledCondition:
    wanted = {name: getattr(match, name) for name in sorted(match.model_fields_set)}
    shown = "; ".join(
        f"{name} in {', '.join(str(v) for v in allowed)}" for name, allowed in wanted.items()
    )

    def run(names: Mapping[str, Any], _results: list[ConditionResult], _d: int) -> Any:
        job = names.get("job")
        if not isinstance(job, Mapping):
            return False, "is missing"
        for name, allowed in wanted.items():
            passed, detail = _membership(job.get(name), allowed, True)
            if not passed:
                found = detail.removeprefix("is ")
                return False, f"has {name} {found}, not one of {_listed(allowed)}"
        return True, "matches"

    return CompiledCondition(f"job ({shown})", "job", run)


def _group(condition: model.AllCondition | model.AnyCondition) -> CompiledCondition:
    every = isinstance(condition, model.AllCondition)
    members = condition.all if isinstance(condition, model.AllCondition) else condition.any
    children = [compile_condition(child) for child in members]
    word = "all" if every else "any"

    def run(names: Mapping[str, Any], results: list[ConditionResult], depth: int) -> Any:
        outcomes = [child.evaluate(names, results, depth) for child in children]
        failed = [
            child.reason(detail)
            for child, (ok, detail) in zip(children, outcomes, strict=True)
            if not ok
        ]
        passed = not failed if every else len(failed) < len(children)
        if passed:
            return True, f"{len(children) - len(failed)} of {len(children)} passed"
        return False, failed[0] if every else "none passed: " + "; ".join(failed)

    return CompiledCondition(f"{word} of {len(children)} conditions", "", run)


def _negation(condition: model.NotCondition) -> CompiledCondition:
    child = compile_condition(condition.not_)

    def run(names: Mapping[str, Any], results: list[ConditionResult], depth: int) -> Any:
        passed, detail = child.evaluate(names, results, depth)
        return (not passed), f"{child.reason(detail)} (excluded by 'not')"

    return CompiledCondition(f"not ({child.description})", "", run)
