"""Both connectors' metadata.yaml files are valid Airbyte connector metadata."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from airbyte_connector_models.metadata.v0.connector_metadata_definition_v0 import (
    ConnectorMetadataDefinitionV0,
)

ROOT = Path(__file__).parents[2]
METADATA = ROOT / "metadata.yaml"
DESTINATION_METADATA = ROOT / "destination_remote_onboarding" / "metadata.yaml"


def _without_nested_ids(node: Any, root: bool = True) -> Any:
    # The bundled schema nests sub-schemas with their own $id, which breaks local $refs.
    if isinstance(node, dict):
        return {k: _without_nested_ids(v, False) for k, v in node.items() if root or k != "$id"}
    if isinstance(node, list):
        return [_without_nested_ids(item, False) for item in node]
    return node


def _schema() -> dict[str, Any]:
    package = resources.files("airbyte_connector_models.metadata.v0")
    text = package.joinpath("ConnectorMetadataDefinitionV0.json").read_text("utf-8")
    schema: dict[str, Any] = _without_nested_ids(json.loads(text))
    return schema


@pytest.mark.parametrize(
    ("path", "connector_type"), [(METADATA, "source"), (DESTINATION_METADATA, "destination")]
)
def test_metadata_validates_against_the_connector_metadata_schema(path, connector_type):
    document = yaml.safe_load(path.read_text("utf-8"))
    validator = jsonschema.Draft7Validator(_schema(), format_checker=jsonschema.FormatChecker())

    errors = [
        f"{list(error.absolute_path)}: {error.message}"
        for error in validator.iter_errors(document)
    ]

    assert errors == []
    assert (
        ConnectorMetadataDefinitionV0.model_validate(document).data.connector_type.value
        == connector_type
    )


def test_metadata_names_the_python_low_code_source_and_its_hosts():
    data = yaml.safe_load(METADATA.read_text("utf-8"))["data"]

    assert data["dockerRepository"] == "airbyte/source-greenhouse-hires"
    assert data["tags"] == ["language:python", "cdk:low-code"]
    assert data["allowedHosts"]["hosts"] == ["harvest.greenhouse.io", "auth.greenhouse.io"]
