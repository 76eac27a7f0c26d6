"""Airbyte declarative source for Greenhouse Harvest v3 offers and hires, as hire events."""

from source_greenhouse_hires.config_checks import SourceConfigError, preflight, preflight_admin
from source_greenhouse_hires.source import SourceGreenhouseHires

__all__ = ["SourceConfigError", "SourceGreenhouseHires", "preflight", "preflight_admin"]
