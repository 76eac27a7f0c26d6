"""Faithful local fakes of Greenhouse Harvest v3 and Remote, for tests, the demo and benchmarks.

```python
from integration_tests.fakes import HarvestFake, RemoteFake
with HarvestFake("integration_tests/sample_data/greenhouse_tenant.json") as harvest:
    harvest.base_url, harvest.token_url, harvest.request_count("/v3/offers")
```
"""

from integration_tests.fakes.base import FakeServer, RecordedRequest
from integration_tests.fakes.harvest import HarvestFake
from integration_tests.fakes.remote import RemoteFake

__all__ = ["FakeServer", "HarvestFake", "RecordedRequest", "RemoteFake"]
