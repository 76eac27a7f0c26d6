"""The rules engine: one YAML rule per customer, and a pure ``(rule, hire event) → decision``.

rule = load_rule("rules/customers/northwind.yaml")    # raises RuleError
decision = decide(rule, event)                         # never raises on event content
decision.action                                        # "send" | "skip" | "invalid"
"""

from __future__ import annotations

from rules.conditions import ConditionResult
from rules.engine import Decision, FieldError, Rule, decide
from rules.errors import RuleError
from rules.files import closest_rule_file, customers_dir, find_rule_file
from rules.loader import load_rule, load_rule_text

__all__ = [
    "ConditionResult",
    "Decision",
    "FieldError",
    "Rule",
    "RuleError",
    "closest_rule_file",
    "customers_dir",
    "decide",
    "find_rule_file",
    "load_rule",
    "load_rule_text",
]
