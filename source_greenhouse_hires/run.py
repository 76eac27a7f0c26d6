"""Console entry point ``source-greenhouse-hires`` (spec, check, discover, read)."""

from __future__ import annotations

import sys

from airbyte_cdk.entrypoint import AirbyteEntrypoint, launch

from source_greenhouse_hires.source import SourceGreenhouseHires


def run() -> None:
    """Run the source with the Airbyte protocol arguments on the command line."""
    args = sys.argv[1:]
    config_path = AirbyteEntrypoint.extract_config(args)
    catalog_path = AirbyteEntrypoint.extract_catalog(args)
    state_path = AirbyteEntrypoint.extract_state(args)
    source = SourceGreenhouseHires(
        catalog=SourceGreenhouseHires.read_catalog(catalog_path) if catalog_path else None,
        config=SourceGreenhouseHires.read_config(config_path) if config_path else None,
        state=SourceGreenhouseHires.read_state(state_path) if state_path else None,
        config_path=config_path,
    )
    launch(source, args)


if __name__ == "__main__":
    run()
