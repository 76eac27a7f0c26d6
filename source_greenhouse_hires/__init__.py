"""Airbyte declarative source for Greenhouse Harvest v3 offers and hires, as hire events."""

from source_greenhouse_hires.source import SourceGreenhouseHires

__all__ = ["SourceGreenhouseHires"]
