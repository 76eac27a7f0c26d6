"""Export the rule model as JSON Schema: ``python -m rules.schema`` rewrites rule.schema.json.

Editors that read a ``# yaml-language-server: $schema=…`` line (VS Code with the YAML
extension, JetBrains IDEs) then complete keys and flag mistakes while a rule is written.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from rules.model import RuleModel

SCHEMA_PATH = Path(__file__).with_name("rule.schema.json")


def rule_schema() -> dict[str, Any]:
    """The JSON Schema of a rule file, generated from :class:`rules.model.RuleModel`."""
    schema = RuleModel.model_json_schema(by_alias=True)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://greenhouse-remote-hires.invalid/schemas/rule.json",
        **schema,
        "title": "Customer rule (Greenhouse hires → Remote onboarding)",
    }


def rendered_schema() -> str:
    """The schema exactly as the committed file holds it."""
    return json.dumps(rule_schema(), indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    SCHEMA_PATH.write_text(rendered_schema(), encoding="utf-8")
    sys.stdout.write(f"wrote {SCHEMA_PATH}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
