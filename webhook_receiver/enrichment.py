"""Harvest v3 look-ups for ``offer_created`` deliveries, which lack the candidate.

All offers waiting in one worker round are enriched together: one ``ids=`` query per resource
for the whole round (the client splits it into batches of ≤ 50), and records already fetched in
the last few minutes come from a small cache.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from webhook_receiver.normaliser import OfferLookup

logger = logging.getLogger(__name__)

Record = Mapping[str, Any]


class HarvestRecords(Protocol):
    """What the receiver needs from the Harvest v3 client (``HarvestClient.get_many``)."""

    def get_many(self, resource: str, ids: list[int]) -> Mapping[int, Any]: ...


class RecordCache:
    """Records by (resource, id), forgotten after ``ttl_seconds`` so edits show up again."""

    def __init__(self, ttl_seconds: float = 300.0, max_entries: int = 10_000) -> None:
        self._ttl = ttl_seconds
        self._max_entries = max_entries
        self._entries: dict[tuple[str, int], tuple[float, Record]] = {}

    def get(self, resource: str, record_id: int) -> Record | None:
        entry = self._entries.get((resource, record_id))
        if entry is None or time.monotonic() - entry[0] > self._ttl:
            return None
        return entry[1]

    def put(self, resource: str, record_id: int, record: Record) -> None:
        if len(self._entries) >= self._max_entries:
            # Oldest first: dicts keep insertion order.
            for key in list(self._entries)[: self._max_entries // 10 or 1]:
                del self._entries[key]
        self._entries[(resource, record_id)] = (time.monotonic(), record)


class OfferEnricher:
    """Finds application, candidate and job for many application ids at once."""

    def __init__(self, harvest: HarvestRecords, cache: RecordCache | None = None) -> None:
        self._harvest = harvest
        self._cache = cache or RecordCache()

    def lookup(self, application_ids: Iterable[int]) -> dict[int, OfferLookup]:
        """One ``OfferLookup`` per application id; missing records are ``None``."""
        wanted = sorted(set(application_ids))
        applications = self._fetch("applications", wanted)
        candidates = self._fetch("candidates", _ids(applications.values(), "candidate_id"))
        jobs = self._fetch("jobs", _ids(applications.values(), "job_id"))
        lookups = {}
        for application_id in wanted:
            application = applications.get(application_id)
            candidate_id = application.get("candidate_id") if application else None
            job_id = application.get("job_id") if application else None
            lookups[application_id] = OfferLookup(
                application=application,
                candidate=candidates.get(candidate_id) if candidate_id is not None else None,
                job=jobs.get(job_id) if job_id is not None else None,
            )
        return lookups

    def _fetch(self, resource: str, ids: list[int]) -> dict[int, Record]:
        found: dict[int, Record] = {}
        missing = []
        for record_id in ids:
            cached = self._cache.get(resource, record_id)
            if cached is None:
                missing.append(record_id)
            else:
                found[record_id] = cached
        if missing:
            fetched = self._harvest.get_many(resource, missing)
            logger.debug("fetched %s of %s %s from Harvest", len(fetched), len(missing), resource)
            for record_id, record in fetched.items():
                self._cache.put(resource, int(record_id), record)
                found[int(record_id)] = record
        return found


def _ids(records: Iterable[Record], key: str) -> list[int]:
    return sorted({value for record in records if isinstance(value := record.get(key), int)})
