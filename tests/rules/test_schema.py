"""The committed JSON Schema is the one the model generates, and the samples satisfy it."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from rules import schema
from tests.rules.events import RULES_DIR

RULE_FILES = sorted((RULES_DIR / "customers").glob("*.yaml")) + sorted(
    (RULES_DIR / "examples").glob("*.yaml")
)


def test_committed_schema_equals_the_generated_one() -> None:
    committed = (RULES_DIR / "rule.schema.json").read_text(encoding="utf-8")

    assert committed == schema.rendered_schema(), "run: python -m rules.schema"


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda path: path.name)
def test_every_shipped_rule_validates_against_the_editor_schema(path: Path) -> None:
    rule_schema = json.loads((RULES_DIR / "rule.schema.json").read_text(encoding="utf-8"))
    document = yaml.safe_load(path.read_text(encoding="utf-8"))

    jsonschema.Draft202012Validator(rule_schema).validate(document)


def test_schema_offers_every_basic_information_key_for_autocomplete() -> None:
    keys = schema.rule_schema()["$defs"]["BasicInformation"]["properties"]

    assert set(keys) == {
        "name",
        "email",
        "job_title",
        "provisional_start_date",
        "has_seniority_date",
        "seniority_date",
        "work_email",
        "department",
        "manager",
        "mobile_number",
        "tax_servicing_countries",
        "tax_job_category",
    }


def test_schema_refuses_unknown_keys_for_editors() -> None:
    rule_schema = schema.rule_schema()
    bad = {
        "version": 1,
        "customer": "a",
        "trigger": "offer_created",
        "profile": {"country_code": "PRT"},
        "on_conflcit": "skip",
    }

    errors = list(jsonschema.Draft202012Validator(rule_schema).iter_errors(bad))

    assert [error.validator for error in errors] == ["additionalProperties"]
