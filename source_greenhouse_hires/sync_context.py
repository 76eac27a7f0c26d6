"""What one sync shares across its streams and threads: a token, a rate-limit budget, a Harvest
client for look-ups, and the look-up caches.

The CDK builds each custom component on its own from the config, so components find the shared
context through ``context_for(config)``. ``SourceGreenhouseHires`` puts a fresh ``SYNC_KEY`` into
the config it hands the CDK, which makes every source instance (one per sync) its own context.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from typing import Any, Final

from source_greenhouse_hires.harvest_client import (
    DEFAULT_API_URL,
    DEFAULT_OAUTH_URL,
    MAX_PAGE_SIZE,
    HarvestClient,
    JsonDict,
    RetryPolicy,
)

logger = logging.getLogger(__name__)

SYNC_KEY: Final = "__greenhouse_hires_sync"
CACHE_LIMIT_PER_RESOURCE: Final = 5_000


class LegacyCredentialsError(Exception):
    """The config still carries a Harvest v1/v2 API key."""


LEGACY_MESSAGE: Final = (
    "Harvest v1/v2 API keys stopped working when Greenhouse switched v1/v2 off on 2026-08-31. "
    "Create Harvest V3 (OAuth) credentials in Greenhouse under Configure → Dev Center → "
    "API Credential Management, tick the scopes harvest:offers:list, "
    "harvest:applications:list, harvest:candidates:list, harvest:jobs:list, "
    "harvest:custom_fields:list and harvest:users:list, then enter its Client ID and Client "
    "Secret here instead of the API key."
)


def has_legacy_api_key(config: Mapping[str, Any]) -> bool:
    """Whether the config carries a v1/v2 ``api_key`` (top level or under ``credentials``)."""
    credentials = config.get("credentials")
    nested = credentials.get("api_key") if isinstance(credentials, Mapping) else None
    return bool(config.get("api_key") or nested)


class SyncContext:
    """Shared state of one sync. Every method is safe to call from several threads."""

    def __init__(self, config: Mapping[str, Any], retry: RetryPolicy | None = None) -> None:
        if has_legacy_api_key(config) and not config.get("client_id"):
            raise LegacyCredentialsError(LEGACY_MESSAGE)
        retry = retry or RetryPolicy(max_retries=int(config.get("max_retries", 5)))
        self.client = HarvestClient(
            api_url=str(config.get("api_url") or DEFAULT_API_URL),
            token_url=str(config.get("token_url") or DEFAULT_OAUTH_URL),
            client_id=str(config.get("client_id", "")),
            client_secret=str(config.get("client_secret", "")),
            user_id=config.get("user_id"),
            retry=retry,
            page_size=int(config.get("page_size", MAX_PAGE_SIZE)),
        )
        self._caches: dict[str, OrderedDict[int, JsonDict | None]] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self._offer_field_names: dict[str, str] | None = None
        self.emitted_offer_versions: dict[int, int] = {}

    def records_by_id(self, resource: str, ids: Iterable[int]) -> dict[int, JsonDict]:
        """Records by id, from this sync's cache or fetched in batches of 50 and cached."""
        cache, lock = self._cache(resource)
        wanted = {record_id for record_id in ids if isinstance(record_id, int)}
        with lock:
            for record_id in wanted & cache.keys():
                cache.move_to_end(record_id)
            missing = wanted - cache.keys()
            if missing:
                found = self.client.get_many(resource, missing)
                cache.update({record_id: found.get(record_id) for record_id in missing})
                logger.info("Looked up %s %s, %s found", len(missing), resource, len(found))
            result = {rid: record for rid in wanted if (record := cache.get(rid)) is not None}
            # Bounded so memory stays flat however large the tenant; jobs, shared by many
            # events, stay hot, and a page's own look-ups are already in `result`.
            while len(cache) > CACHE_LIMIT_PER_RESOURCE:
                cache.popitem(last=False)
            return result

    def offer_field_names(self) -> dict[str, str]:
        """``name_key`` → current display name of every offer custom field, read once a sync."""
        with self._guard:
            if self._offer_field_names is None:
                self._offer_field_names = {
                    str(field["name_key"]): str(field["name"])
                    for field in self.client.list("custom_fields", {"field_type": "offer"})
                    if field.get("name_key") and field.get("name") is not None
                }
            return self._offer_field_names

    def keep_newest_offer(self, application_id: int, version: int) -> bool:
        """False when a newer version of this application's offer was already emitted."""
        with self._guard:
            emitted = self.emitted_offer_versions.get(application_id)
            if emitted is not None and emitted > version:
                return False
            self.emitted_offer_versions[application_id] = version
            return True

    def _cache(self, resource: str) -> tuple[OrderedDict[int, JsonDict | None], threading.Lock]:
        with self._guard:
            if resource not in self._caches:
                self._caches[resource] = OrderedDict()
                self._locks[resource] = threading.Lock()
            return self._caches[resource], self._locks[resource]


_contexts: dict[str, SyncContext] = {}
_contexts_lock = threading.Lock()


def context_for(config: Mapping[str, Any]) -> SyncContext:
    """The context of the sync ``config`` belongs to, created on first use."""
    key = str(config.get(SYNC_KEY) or _credential_key(config))
    with _contexts_lock:
        if key not in _contexts:
            _contexts[key] = SyncContext(config)
        return _contexts[key]


def forget_context(config: Mapping[str, Any]) -> None:
    """Drop a sync's context (and its caches) once the sync is over."""
    key = str(config.get(SYNC_KEY) or _credential_key(config))
    with _contexts_lock:
        _contexts.pop(key, None)


def _credential_key(config: Mapping[str, Any]) -> str:
    # Without a sync key (a manifest run outside our source class) one context per credential.
    fields = ("api_url", "token_url", "client_id", "user_id")
    secret = hashlib.sha256(str(config.get("client_secret", "")).encode()).hexdigest()[:16]
    return "|".join([*(str(config.get(field, "")) for field in fields), secret])
