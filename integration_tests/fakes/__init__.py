"""Faithful local fakes of Greenhouse Harvest v3 and Remote, for tests, the demo and benchmarks.

```python
from integration_tests.fakes import HarvestFake, RemoteFake
with HarvestFake("integration_tests/sample_data/greenhouse_tenant.json") as harvest:
    harvest.base_url, harvest.token_url, harvest.request_count("/v3/offers")
```

The classes are imported on first use, so ``python -m integration_tests.fakes.harvest`` runs the
module once, as ``__main__``, and not also as a package import.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from integration_tests.fakes.base import FakeServer, RecordedRequest
    from integration_tests.fakes.harvest import HarvestFake
    from integration_tests.fakes.remote import RemoteFake

__all__ = ["FakeServer", "HarvestFake", "RecordedRequest", "RemoteFake"]

_HOMES = {
    "FakeServer": "base",
    "RecordedRequest": "base",
    "HarvestFake": "harvest",
    "RemoteFake": "remote",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{home}"), name)
