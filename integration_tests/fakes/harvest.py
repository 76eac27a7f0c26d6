"""A local fake of Greenhouse Harvest v3: client-credentials tokens and the list endpoints the
connector reads (offers, applications, candidates, jobs, custom_fields, users).

Behaviour follows the team's reference notes (greenhouse-harvest-v3.md §1–4): bare JSON arrays
sorted by id descending, an opaque cursor that must be the only query parameter, pipe-syntax
range filters, ``X-RateLimit-*`` headers with a 30 s fixed window, and empty lists for a token
minted for a user who is not a site admin.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import json
import math
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Final
from urllib.parse import parse_qs

from integration_tests.fakes.base import (
    FakeServer,
    FixedWindow,
    JsonDict,
    Reply,
    Request,
    json_reply,
    load_json_dataset,
    run_standalone,
)

RESOURCES: Final = ("offers", "applications", "candidates", "jobs", "custom_fields", "users")
COMMON_PARAMS: Final = frozenset({"per_page", "ids", "created_at", "updated_at"})
RESOURCE_PARAMS: Final[dict[str, frozenset[str]]] = {
    "offers": frozenset({"current_only", "status", "application_ids", "candidate_ids", "job_ids"}),
    "applications": frozenset({"status", "candidate_ids", "job_ids"}),
    "candidates": frozenset({"email"}),
    "jobs": frozenset(),
    "custom_fields": frozenset({"field_type", "name", "name_key"}),
    "users": frozenset(),
}
ID_LIST_PARAMS: Final = ("ids", "application_ids", "candidate_ids", "job_ids")
ID_LIST_FIELDS: Final = {
    "ids": "id",
    "application_ids": "application_id",
    "candidate_ids": "candidate_id",
    "job_ids": "job_id",
}
OFFER_STATUSES: Final = ("Created", "Accepted", "Rejected", "Deprecated")
# The applications query enum says `active`; records say `in_process` (reference §2.3).
APPLICATION_STATUS_QUERY: Final = {
    "active": "in_process",
    "rejected": "rejected",
    "hired": "hired",
    "converted": "converted",
}
RANGE_OPERATORS: Final[dict[str, Callable[[datetime, datetime], bool]]] = {
    "gt": lambda value, bound: value > bound,
    "gte": lambda value, bound: value >= bound,
    "lt": lambda value, bound: value < bound,
    "lte": lambda value, bound: value <= bound,
}
MAX_IDS: Final = 50
DEFAULT_PER_PAGE: Final = 100
MAX_PER_PAGE: Final = 500


class QueryError(Exception):
    """A query parameter the real API would refuse with 422; the message names it."""


@dataclass
class TokenGrant:
    client_id: str
    scopes: frozenset[str]
    sub: int | None
    expires_at: float


@dataclass(frozen=True)
class ListQuery:
    """A validated list request: what to filter on and where the page starts."""

    resource: str
    filters: dict[str, str]
    per_page: int
    before_id: int | None


class HarvestFake(FakeServer):
    """Harvest v3 on 127.0.0.1. ``dataset`` is a dict or a path to a JSON file."""

    name = "harvest"

    def __init__(
        self,
        dataset: JsonDict | str | Path,
        *,
        rate_limit: int | None = 50,
        window_seconds: float = 30.0,
        token_ttl_seconds: float = 3600,
        seed: int = 0,
        port: int = 0,
    ) -> None:
        super().__init__(port=port, seed=seed)
        data = load_json_dataset(dataset)
        self.clients: dict[str, JsonDict] = data.get("clients", {})
        self.token_ttl_seconds = token_ttl_seconds
        self.tokens_issued = 0
        self._window = FixedWindow(rate_limit, window_seconds)
        self._tokens: dict[str, TokenGrant] = {}
        self._records: dict[str, list[JsonDict]] = {}
        self._sort_keys: dict[str, list[int]] = {}
        self._current_offer_ids: set[int] | None = None
        for resource in RESOURCES:
            self._store(resource, data.get(resource, []))

    @property
    def token_url(self) -> str:
        return f"{self.base_url}/token"

    def announced_urls(self) -> dict[str, str]:
        return {**super().announced_urls(), "token_url": self.token_url}

    @property
    def rate_limit(self) -> int | None:
        return self._window.limit

    @rate_limit.setter
    def rate_limit(self, limit: int | None) -> None:
        with self._lock:
            self._window.limit = limit

    def expire_tokens(self) -> None:
        """Every token minted so far now answers 401."""
        with self._lock:
            for grant in self._tokens.values():
                grant.expires_at = 0.0

    def upsert(self, resource: str, record: JsonDict) -> None:
        """Insert or replace a record by id (a new offer version is a new record)."""
        if resource not in self._records:
            raise ValueError(f"unknown resource {resource!r}; expected one of {RESOURCES}")
        with self._lock:
            records = [kept for kept in self._records[resource] if kept["id"] != record["id"]]
            records.append(json.loads(json.dumps(record)))
            self._store(resource, records)

    def _store(self, resource: str, records: list[JsonDict]) -> None:
        self._records[resource] = sorted(records, key=lambda record: -int(record["id"]))
        self._sort_keys[resource] = [-int(record["id"]) for record in self._records[resource]]
        self._current_offer_ids = None

    def records(self, resource: str) -> list[JsonDict]:
        """A copy of one resource's records, id descending."""
        with self._lock:
            copied: list[JsonDict] = json.loads(json.dumps(self._records[resource]))
            return copied

    def route(self, request: Request) -> Reply:
        if request.path == "/token":
            return self._token(request) if request.method == "POST" else _method_not_allowed()
        resource = request.path.removeprefix("/v3/")
        if request.path.startswith("/v3/") and resource in RESOURCES:
            if request.method != "GET":
                return _method_not_allowed()
            return self._list_with_rate_limit(request, resource)
        return json_reply(404, {"message": f"no route for {request.path}"})

    def _token(self, request: Request) -> Reply:
        client_id = _basic_client_id(request, self.clients)
        if client_id is None:
            return json_reply(
                401,
                {"error": "invalid_client", "error_description": "client authentication failed"},
            )
        form = parse_qs(request.body.decode("utf-8", "replace"), keep_blank_values=True)
        if form.get("grant_type", [""])[-1] != "client_credentials":
            return json_reply(
                400,
                {
                    "error": "unsupported_grant_type",
                    "error_description": "use grant_type=client_credentials",
                },
            )
        sub = form.get("sub", [""])[-1] or None
        if sub is not None and self._user(sub) is None:
            return json_reply(
                400, {"error": "invalid_grant", "error_description": f"unknown user {sub} for sub"}
            )
        return self._mint(client_id, int(sub) if sub is not None else None)

    def _mint(self, client_id: str, sub: int | None) -> Reply:
        token = secrets.token_urlsafe(24)
        expires_at = time.time() + self.token_ttl_seconds
        scopes = frozenset(self.clients[client_id].get("scopes", []))
        self._tokens[token] = TokenGrant(client_id, scopes, sub, expires_at)
        self.tokens_issued += 1
        stamp = datetime.fromtimestamp(expires_at, UTC).isoformat(timespec="milliseconds")
        return json_reply(
            200,
            {
                "access_token": token,
                "token_type": "Bearer",
                "expires_at": stamp.replace("+00:00", "Z"),
            },
        )

    def _user(self, sub: str) -> JsonDict | None:
        if not sub.isdigit():
            return None
        return next((user for user in self._records["users"] if user["id"] == int(sub)), None)

    def _list_with_rate_limit(self, request: Request, resource: str) -> Reply:
        state = self._window.take()
        headers = {
            "X-RateLimit-Limit": str(self._window.limit if self._window.limit else 1_000_000),
            "X-RateLimit-Remaining": str(state.remaining),
            "X-RateLimit-Reset": str(math.ceil(state.resets_at)),
        }
        if not state.allowed:
            headers["Retry-After"] = str(max(1, math.ceil(state.seconds_left(time.time()))))
            return json_reply(429, {"message": "rate limit exceeded"}, headers)
        reply = self._list(request, resource)
        reply.headers.update(headers)
        return reply

    def _list(self, request: Request, resource: str) -> Reply:
        grant = self._tokens.get(request.bearer_token() or "")
        if grant is None or grant.expires_at <= time.time():
            return json_reply(401, {"message": "missing, unknown or expired access token"})
        if f"harvest:{resource}:list" not in grant.scopes:
            return json_reply(
                403, {"message": f"this credential lacks the scope harvest:{resource}:list"}
            )
        try:
            query = _list_query(request, resource)
            if grant.sub is not None and not (self._user(str(grant.sub)) or {}).get("site_admin"):
                return json_reply(200, [])
            page, next_before = self._page(query)
        except QueryError as error:
            return json_reply(422, {"message": str(error)})
        headers = {}
        if next_before is not None:
            cursor = _encode_cursor(
                ListQuery(resource, query.filters, query.per_page, next_before)
            )
            headers["Link"] = f'<{self.base_url}/v3/{resource}?cursor={cursor}>; rel="next"'
        return json_reply(200, page, headers)

    def _page(self, query: ListQuery) -> tuple[list[JsonDict], int | None]:
        """One page of matching records, and the id the next page starts below (or None)."""
        records = self._records[query.resource]
        keep = _record_filter(query, self._current_offers())
        start = 0
        if query.before_id is not None:
            start = bisect.bisect_right(self._sort_keys[query.resource], -query.before_id)
        page: list[JsonDict] = []
        for record in _from(records, start):
            if not keep(record):
                continue
            if len(page) == query.per_page:
                return page, int(page[-1]["id"])
            page.append(record)
        return page, None

    def _current_offers(self) -> set[int]:
        if self._current_offer_ids is None:
            newest: dict[Any, JsonDict] = {}
            for offer in self._records["offers"]:
                known = newest.get(offer.get("application_id"))
                if known is None or int(offer.get("version") or 0) > int(
                    known.get("version") or 0
                ):
                    newest[offer.get("application_id")] = offer
            self._current_offer_ids = {int(offer["id"]) for offer in newest.values()}
        return self._current_offer_ids


def _from(records: list[JsonDict], start: int) -> Iterator[JsonDict]:
    for index in range(start, len(records)):
        yield records[index]


def _method_not_allowed() -> Reply:
    return json_reply(405, {"message": "method not allowed"})


def _basic_client_id(request: Request, clients: dict[str, JsonDict]) -> str | None:
    scheme, _, encoded = (request.headers.get("Authorization") or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, _, secret = decoded.partition(":")
    client = clients.get(client_id)
    if client is None or not secrets.compare_digest(str(client.get("secret", "")), secret):
        return None
    return client_id


def _list_query(request: Request, resource: str) -> ListQuery:
    if "cursor" in request.query:
        if len(request.query) > 1:
            raise QueryError("cursor must be the only query parameter")
        return _decode_cursor(request.param("cursor") or "", resource)
    filters = {name: values[-1] for name, values in request.query.items()}
    unknown = sorted(set(filters) - COMMON_PARAMS - RESOURCE_PARAMS[resource])
    if unknown:
        raise QueryError(f"unknown query parameter(s) for /v3/{resource}: {', '.join(unknown)}")
    per_page = _per_page(filters.pop("per_page", None))
    for name, value in filters.items():
        _validate_filter(resource, name, value)
    return ListQuery(resource, filters, per_page, None)


def _per_page(value: str | None) -> int:
    if value is None:
        return DEFAULT_PER_PAGE
    if not value.isdigit() or not 1 <= int(value) <= MAX_PER_PAGE:
        raise QueryError(f"per_page must be an integer from 1 to {MAX_PER_PAGE}, got {value!r}")
    return int(value)


def _validate_filter(resource: str, name: str, value: str) -> None:
    if name in ID_LIST_PARAMS:
        _id_list(name, value)
    elif name in ("created_at", "updated_at"):
        _range(name, value)
    elif name == "current_only" and value not in ("true", "false"):
        raise QueryError(f"current_only must be true or false, got {value!r}")
    elif name == "status" and resource == "offers" and value not in OFFER_STATUSES:
        raise QueryError(f"status must be one of {', '.join(OFFER_STATUSES)}, got {value!r}")
    elif name == "status" and resource == "applications" and value not in APPLICATION_STATUS_QUERY:
        allowed = ", ".join(APPLICATION_STATUS_QUERY)
        raise QueryError(f"status must be one of {allowed}, got {value!r}")


def _id_list(name: str, value: str) -> set[int]:
    parts = [part.strip() for part in value.split(",")]
    if not all(part.isdigit() for part in parts):
        raise QueryError(f"{name} must be comma-separated integer ids, got {value!r}")
    if len(parts) > MAX_IDS:
        raise QueryError(f"{name} takes at most {MAX_IDS} ids, got {len(parts)}")
    return {int(part) for part in parts}


def _range(name: str, value: str) -> list[tuple[str, datetime]]:
    """Pipe syntax ``op|timestamp[|op|timestamp]`` (reference §2.1), as real instants."""
    parts = value.split("|")
    if len(parts) % 2 or len(parts) > 4:
        raise QueryError(
            f"{name} must look like gte|<timestamp> or gt|<ts>|lte|<ts>, got {value!r}"
        )
    bounds = []
    for operator, stamp in zip(parts[::2], parts[1::2], strict=True):
        if operator not in RANGE_OPERATORS:
            raise QueryError(f"{name} has unknown operator {operator!r}; use gt, gte, lt or lte")
        instant = _instant(stamp)
        if instant is None:
            raise QueryError(
                f"{name} has an invalid timestamp {stamp!r}; use ISO-8601 with Z or "
                f"an offset (URL-encode '+' as %2B)"
            )
        bounds.append((operator, instant))
    return bounds


@lru_cache(maxsize=65536)
def _instant(stamp: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _record_filter(query: ListQuery, current_offer_ids: set[int]) -> Callable[[JsonDict], bool]:
    checks: list[Callable[[JsonDict], bool]] = []
    for name, value in query.filters.items():
        checks.append(_check_for(query.resource, name, value, current_offer_ids))
    return lambda record: all(check(record) for check in checks)


def _check_for(
    resource: str, name: str, value: str, current_offer_ids: set[int]
) -> Callable[[JsonDict], bool]:
    if name in ID_LIST_PARAMS:
        wanted, field = _id_list(name, value), ID_LIST_FIELDS[name]
        return lambda record: record.get(field) in wanted
    if name in ("created_at", "updated_at"):
        bounds = _range(name, value)
        return lambda record: _in_range(record.get(name), bounds)
    if name == "current_only":
        return lambda record: value == "false" or int(record["id"]) in current_offer_ids
    if name == "status" and resource == "applications":
        return lambda record: record.get("status") == APPLICATION_STATUS_QUERY[value]
    if name == "email":
        wanted_email = value.strip().casefold()
        return lambda record: any(
            str(entry.get("value", "")).strip().casefold() == wanted_email
            for entry in record.get("email_addresses") or []
        )
    return lambda record: record.get(name) == value


def _in_range(stamp: Any, bounds: list[tuple[str, datetime]]) -> bool:
    instant = _instant(stamp) if isinstance(stamp, str) else None
    if instant is None:
        return False
    return all(RANGE_OPERATORS[operator](instant, bound) for operator, bound in bounds)


def _encode_cursor(query: ListQuery) -> str:
    payload = {"r": query.resource, "f": query.filters, "n": query.per_page, "b": query.before_id}
    raw = json.dumps(payload, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _decode_cursor(cursor: str, resource: str) -> ListQuery:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
        query = ListQuery(payload["r"], dict(payload["f"]), int(payload["n"]), int(payload["b"]))
    except (binascii.Error, ValueError, KeyError, TypeError) as error:
        raise QueryError("cursor is not valid; follow the Link header exactly") from error
    if query.resource != resource:
        raise QueryError(f"cursor belongs to /v3/{query.resource}, not /v3/{resource}")
    return query


def main() -> None:
    def build(data: Path, port: int, rate_limit: int | None) -> FakeServer:
        return HarvestFake(data, port=port, rate_limit=rate_limit or 50)

    run_standalone("Serve a local fake of Greenhouse Harvest v3.", build)


if __name__ == "__main__":
    main()
