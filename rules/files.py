"""Where customer rule files live, and how a bare rule name such as ``northwind.yaml`` is found.

The destination config, ``hires rules check`` and ``hires rules explain`` all resolve names the
same way: the path as given, else the project's ``./rules/customers/``, else the packaged one.
"""

from __future__ import annotations

import difflib
from importlib import resources
from pathlib import Path
from typing import Final

PACKAGED_CUSTOMERS_DIR: Final = Path(str(resources.files("rules").joinpath("customers")))
PROJECT_CUSTOMERS_DIR: Final = Path("rules", "customers")


def customers_dir() -> Path:
    """The project's ``./rules/customers/`` when the current folder has one, else the packaged."""
    return PROJECT_CUSTOMERS_DIR if PROJECT_CUSTOMERS_DIR.is_dir() else PACKAGED_CUSTOMERS_DIR


def find_rule_file(name: str | Path) -> Path | None:
    """The rule file a name means (path, project folder, packaged folder), or None."""
    given = Path(name).expanduser()
    if given.is_file():
        return given
    for folder in (PROJECT_CUSTOMERS_DIR, PACKAGED_CUSTOMERS_DIR):
        candidate = folder / given.name
        if candidate.is_file():
            return candidate
    return None


def available_rule_files() -> list[str]:
    """The names of the rule files a bare name can mean, project folder first, no repeats."""
    names: list[str] = []
    for folder in (PROJECT_CUSTOMERS_DIR, PACKAGED_CUSTOMERS_DIR):
        if folder.is_dir():
            names.extend(p.name for p in sorted(folder.glob("*.yaml")) if p.name not in names)
    return names


def closest_rule_file(name: str | Path) -> str | None:
    """The available rule file name closest to a misspelt ``name``, or None."""
    close = difflib.get_close_matches(Path(name).name, available_rule_files(), n=1)
    return close[0] if close else None
