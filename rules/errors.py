"""The one exception of the rules package.

The engine never raises on the content of a hire event: a bad event becomes an ``invalid`` or
``skip`` decision. Only a bad rule raises, and it raises :class:`RuleError` while loading, so a
sync fails fast before any record is read::

    Exception
    └── RuleError      fatal configuration error: fix the rule file and run again
"""

from __future__ import annotations


class RuleError(Exception):
    """A rule file that cannot be used, with every problem found in it.

    Each entry of ``errors`` reads ``file:line:col: message``; ``str()`` joins them by lines.
    """

    def __init__(self, errors: list[str]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))
