"""Console entry point ``source-greenhouse-hires`` (spec, check, discover, read)."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from typing import Any

from airbyte_cdk.entrypoint import PRINT_BUFFER, AirbyteEntrypoint
from airbyte_cdk.models import ConnectorSpecification, FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_greenhouse_hires.config_checks import preflight_for_airbyte
from source_greenhouse_hires.source import SourceGreenhouseHires

PROGRAM = "source-greenhouse-hires"


class InputFileError(Exception):
    """A file named on the command line is missing or is not the JSON it should be."""


class _Entrypoint(AirbyteEntrypoint):
    """The CDK entry point, with our config checks worded for people before the CDK's own."""

    @staticmethod
    def validate_connection(
        source_spec: ConnectorSpecification, config: Mapping[str, Any]
    ) -> None:
        preflight_for_airbyte(config)
        AirbyteEntrypoint.validate_connection(source_spec, config)


def run() -> None:
    """Run the source with the Airbyte protocol arguments on the command line."""
    args = sys.argv[1:]
    try:
        source = _source_for(args)
    except InputFileError as error:
        # The protocol's way to fail (a TRACE on stdout) plus one line for a person.
        AirbyteTracedException(
            message=str(error), internal_message=str(error), failure_type=FailureType.config_error
        ).emit_message()
        print(f"{PROGRAM}: {error}", file=sys.stderr)
        raise SystemExit(1) from None
    entrypoint = _Entrypoint(source)
    parsed_args = entrypoint.parse_args(args)
    with PRINT_BUFFER:
        for message in entrypoint.run(parsed_args):
            print(f"{message}\n", end="")


def _source_for(args: list[str]) -> SourceGreenhouseHires:
    config_path = AirbyteEntrypoint.extract_config(args)
    catalog_path = AirbyteEntrypoint.extract_catalog(args)
    state_path = AirbyteEntrypoint.extract_state(args)
    for path, what, kind in (
        (config_path, "config", dict),
        (catalog_path, "catalog", dict),
        (state_path, "state", (list, dict)),
    ):
        if path:
            _require_json(path, what, kind)
    return SourceGreenhouseHires(
        catalog=SourceGreenhouseHires.read_catalog(catalog_path) if catalog_path else None,
        config=SourceGreenhouseHires.read_config(config_path) if config_path else None,
        state=SourceGreenhouseHires.read_state(state_path) if state_path else None,
        config_path=config_path,
    )


def _require_json(path: str, what: str, kind: type | tuple[type, ...]) -> None:
    """Raise ``InputFileError`` unless ``path`` holds JSON of ``kind`` (object or array)."""
    try:
        with open(path, encoding="utf-8") as file:
            content = json.load(file)
    except FileNotFoundError:
        raise InputFileError(
            f"{what} file {path} does not exist: pass the path of an existing file"
        ) from None
    except OSError as error:
        raise InputFileError(f"{what} file {path} cannot be read: {error.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise InputFileError(
            f"{what} file {path} is not valid JSON ({error}): fix the file"
        ) from None
    if not isinstance(content, kind):
        expected = "an object" if kind is dict else "an array or an object"
        raise InputFileError(
            f"{what} file {path} holds {type(content).__name__}, not {expected}: fix the file"
        )


if __name__ == "__main__":
    run()
