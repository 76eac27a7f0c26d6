"""Deciding what one customer's rule says about one hire event.

Pure: no network, no clock, no Remote, no Greenhouse. :func:`decide` never raises on the content
of an event; whatever the event holds, the answer is ``send``, ``skip`` or ``invalid``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from rules import model, values
from rules.conditions import CompiledCondition, ConditionResult
from rules.expressions import CompiledTemplate
from rules.values import Problem

logger = logging.getLogger(__name__)

Action = Literal["send", "skip", "invalid"]
Normaliser = Callable[[Any], Any]
MAX_TEXT: Final = 255


@dataclass(frozen=True, slots=True)
class FieldError:
    """Why one profile field has no usable value; ``field`` is a dotted path in the profile."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


@dataclass(frozen=True, slots=True)
class Decision:
    """What a rule says about one hire event."""

    action: Action
    reason: str
    profile: dict[str, Any] | None = None
    errors: list[FieldError] = field(default_factory=list)
    checks: list[ConditionResult] = field(default_factory=list)
    personal_email: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view, for ``hires rules explain`` and logs at DEBUG."""
        return {
            "action": self.action,
            "reason": self.reason,
            "profile": self.profile,
            "errors": [{"field": e.field, "message": e.message} for e in self.errors],
            "checks": [
                {"description": c.description, "passed": c.passed, "detail": c.detail}
                for c in self.checks
            ],
        }


@dataclass(frozen=True, slots=True)
class FieldMapping:
    """One profile field: where it goes, its template(s), how its value is cleaned."""

    target: str
    templates: tuple[CompiledTemplate, ...]
    normalise: Normaliser
    required: bool
    many: bool = False


@dataclass(frozen=True)
class Rule:
    """A loaded, validated and compiled customer rule."""

    customer: str
    trigger: str
    on_conflict: str
    source: str
    model: model.RuleModel
    conditions: tuple[CompiledCondition, ...]
    mappings: tuple[FieldMapping, ...]


def decide(rule: Rule, event: Any) -> Decision:
    """The decision of ``rule`` for ``event``: send a profile, skip it, or call it invalid."""
    try:
        return _decide(rule, event)
    except Exception as error:  # the engine's promise: bad event content never raises
        logger.warning(
            "rule %s could not evaluate an event (%s); recorded as invalid",
            rule.source,
            type(error).__name__,
        )
        return Decision(
            action="invalid",
            reason=f"the rule could not evaluate this event: {type(error).__name__}",
            errors=[FieldError("event", f"evaluation failed with {type(error).__name__}")],
        )


def _decide(rule: Rule, event: Any) -> Decision:
    if not isinstance(event, Mapping):
        reason = f"the hire event is {type(event).__name__}, not a JSON object"
        return Decision("invalid", reason, errors=[FieldError("event", reason)])
    trigger = event.get("trigger")
    if trigger != rule.trigger:
        return Decision("skip", f"trigger {trigger} is not this rule's trigger {rule.trigger}")

    names = dict(event)
    names["event"] = event
    checks: list[ConditionResult] = []
    failures = [
        condition.reason(detail)
        for condition in rule.conditions
        for passed, detail in [condition.evaluate(names, checks)]
        if not passed
    ]
    if failures:
        return Decision("skip", failures[0], checks=checks)
    return _profile_decision(rule, names, checks)


def _profile_decision(
    rule: Rule, names: Mapping[str, Any], checks: list[ConditionResult]
) -> Decision:
    profile: dict[str, Any] = {}
    errors: list[FieldError] = []
    for mapping in rule.mappings:
        value = _mapped_value(mapping, names)
        if isinstance(value, Problem):
            if mapping.required or value.kind == "invalid":
                errors.append(FieldError(mapping.target, value.message))
            continue
        _place(profile, mapping.target, value)

    _drop_unused_seniority(profile, errors)
    email = profile["basic_information"].get("email")
    if errors:
        reason = "; ".join(str(error) for error in errors)
        return Decision("invalid", reason, errors=errors, checks=checks, personal_email=email)
    passed = (
        f"all {len(rule.conditions)} conditions passed" if rule.conditions else "no conditions"
    )
    return Decision("send", f"eligible ({passed})", profile, [], checks, email)


def _mapped_value(mapping: FieldMapping, names: Mapping[str, Any]) -> Any:
    if not mapping.many:
        return mapping.normalise(_evaluate(mapping.templates[0], names))
    raw: list[Any] = []
    for template in mapping.templates:
        produced = _evaluate(template, names)
        raw.extend(produced if isinstance(produced, list) else [produced])
    cleaned = [mapping.normalise(item) for item in raw if not values.is_empty(item)]
    problem = next((item for item in cleaned if isinstance(item, Problem)), None)
    if problem is not None:
        return problem
    return cleaned or values.missing("no value")


def _evaluate(template: CompiledTemplate, names: Mapping[str, Any]) -> Any:
    try:
        return template.evaluate(names)
    except Exception as error:  # a filter given data it cannot take: that field is invalid
        return values.invalid(f"{template.source.strip()} failed: {type(error).__name__}")


def _place(profile: dict[str, Any], target: str, value: Any) -> None:
    if target.startswith("basic_information."):
        basic = profile.setdefault("basic_information", {})
        basic[target.removeprefix("basic_information.")] = value
    else:
        profile[target] = value


def _drop_unused_seniority(profile: dict[str, Any], errors: list[FieldError]) -> None:
    # Remote rejects seniority_date unless has_seniority_date is "yes" (null fails too).
    basic = profile.setdefault("basic_information", {})
    target = "basic_information.seniority_date"
    if basic.get("has_seniority_date") != "yes":
        basic.pop("seniority_date", None)
        errors[:] = [e for e in errors if e.field != target]
    elif "seniority_date" not in basic and all(e.field != target for e in errors):
        # A rule without seniority_date whose has_seniority_date template rendered "yes".
        message = "is required because has_seniority_date is yes; map seniority_date in the rule"
        errors.append(FieldError(target, message))


# --- normalisers, one per kind of Remote field -----------------------------------------------


def as_text(value: Any) -> Any:
    text = values.clean_text(value)
    if isinstance(text, str) and len(text) > MAX_TEXT:
        return values.invalid(f"is {len(text)} characters long; Remote accepts at most {MAX_TEXT}")
    if isinstance(text, Problem) and text.kind == "missing" and isinstance(value, Problem):
        return value
    return text


def as_email(value: Any) -> Any:
    return values.normalise_email(value)


def as_date(value: Any) -> Any:
    return values.to_date(value)


def as_country(value: Any) -> Any:
    return values.to_country(value)


def as_yes_no(value: Any) -> Any:
    if isinstance(value, Problem):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and value.strip().lower() in ("yes", "no"):
        return value.strip().lower()
    return values.invalid(f"{values.show(value)} is not yes or no")


def as_employment_type(value: Any) -> Any:
    if isinstance(value, Problem):
        return value
    text = value.strip().lower() if isinstance(value, str) else value
    if text in model.EMPLOYMENT_TYPES:
        return text
    expected = ", ".join(model.EMPLOYMENT_TYPES)
    return values.invalid(f"{values.show(value)} is not one of {expected}")


FIELD_KINDS: Final[dict[str, tuple[Normaliser, bool]]] = {
    "type": (as_employment_type, True),
    "country_code": (as_country, True),
    "basic_information.name": (as_text, True),
    "basic_information.email": (as_email, True),
    "basic_information.job_title": (as_text, True),
    "basic_information.provisional_start_date": (as_date, True),
    "basic_information.has_seniority_date": (as_yes_no, True),
    "basic_information.seniority_date": (as_date, True),
    "basic_information.work_email": (as_email, False),
    "basic_information.department": (as_text, False),
    "basic_information.manager": (as_text, False),
    "basic_information.mobile_number": (as_text, False),
    "basic_information.tax_servicing_countries": (as_country, False),
    "basic_information.tax_job_category": (as_text, False),
}
