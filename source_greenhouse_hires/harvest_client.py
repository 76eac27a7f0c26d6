"""A small synchronous Greenhouse Harvest v3 client.

It knows the four rules every Harvest v3 caller must follow: OAuth2 client credentials with the
client id and secret in an HTTP Basic header and an optional ``sub``; tokens that expire at the
ISO time in ``expires_at``; Link-header paging where every follow-up request is exactly the
``rel="next"`` URL; and a per-window rate limit read from ``X-RateLimit-*`` headers.

The source's custom components share a ``TokenManager`` and a ``RateGovernor`` with this client,
so the declarative streams and the batched look-ups spend one token and one rate-limit budget.

Exceptions, grouped by what the caller does::

    HarvestError
    ├── HarvestConfigError           fatal: the config must change (credentials, scope, user)
    │   ├── CredentialsRejectedError the token endpoint refused the client id/secret
    │   ├── ScopeMissingError        a resource answered 403: a scope is not ticked
    │   └── RequestRejectedError     Harvest refused the request (4xx but 401/403/429)
    ├── HarvestTransientError        the retry budget ran out: run again later
    │   └── HarvestUnreachableError  no connection at all: check api_url / token_url
    └── RecordRejectedError          per record: this record is skipped, the others go on
"""

from __future__ import annotations

import base64
import logging
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

import requests

logger = logging.getLogger(__name__)

DEFAULT_API_URL: Final = "https://harvest.greenhouse.io"
DEFAULT_OAUTH_URL: Final = "https://auth.greenhouse.io/token"
MAX_IDS_PER_REQUEST: Final = 50  # Harvest v3: `ids` and parent-id filters take at most 50
MAX_PAGE_SIZE: Final = 500  # Harvest v3: per_page is 1..500
REQUEST_TIMEOUT_SECONDS: Final = 60
CREDENTIALS_HELP: Final = (
    "create Harvest V3 (OAuth) credentials in Greenhouse under Configure → Dev Center → "
    "API Credential Management"
)

JsonDict = dict[str, Any]
Page = tuple[requests.Response, list[JsonDict]]  # a response and the records it carried


class HarvestError(Exception):
    """Anything this client raises."""


class HarvestConfigError(HarvestError):
    """The configuration must change before a sync can work."""


class CredentialsRejectedError(HarvestConfigError):
    """The token endpoint refused the client id and secret."""


class ScopeMissingError(HarvestConfigError):
    """A Harvest resource answered 403: the credential lacks the scope for it."""

    def __init__(self, resource: str) -> None:
        self.resource = resource
        self.scope = scope_for(resource)
        super().__init__(
            f"Greenhouse refused access to /v3/{resource} (HTTP 403): tick the scope "
            f"{self.scope} on this credential in Configure → Dev Center → "
            "API Credential Management"
        )


class RequestRejectedError(HarvestConfigError):
    """Harvest refused a request as malformed or not allowed."""


class HarvestTransientError(HarvestError):
    """Harvest kept failing within the retry budget; a later run may succeed."""


class HarvestUnreachableError(HarvestTransientError):
    """No connection could be made to a Harvest URL, as opposed to Harvest answering badly."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(
            f"could not connect to {url} ({reason}): check api_url / token_url in the source "
            "config, and that this machine can reach them"
        )


class RecordRejectedError(HarvestError):
    """One record cannot become a hire event; the message names the record and the field."""


def scope_for(resource: str) -> str:
    """The read scope a Harvest v3 list endpoint needs, e.g. ``harvest:offers:list``."""
    return f"harvest:{resource}:list"


def parse_timestamp(value: str) -> datetime:
    """An aware datetime for an ISO-8601 timestamp such as ``2026-12-04T16:05:00.000Z``."""
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass(frozen=True)
class RetryPolicy:
    """How long a request may keep failing before it becomes a transient error."""

    max_retries: int = 5
    max_total_wait_seconds: float = 300.0
    backoff_base_seconds: float = 1.0
    max_single_wait_seconds: float = 120.0
    # `check` gives up on an unreachable URL after one retry instead of backing off for long.
    max_connection_retries: int | None = None

    def connection_exhausted(self, connection_failures: int) -> bool:
        """Whether ``connection_failures`` failed connects in a row are all this policy allows."""
        limit = (
            self.max_retries
            if self.max_connection_retries is None
            else (self.max_connection_retries)
        )
        return connection_failures > limit

    def exhausted(self, attempt: int, waited: float, next_wait: float) -> bool:
        """Whether attempt number ``attempt`` was the last one this policy allows."""
        return (
            attempt > self.max_retries
            or next_wait > self.max_single_wait_seconds
            or waited + next_wait > self.max_total_wait_seconds
        )

    def backoff(self, attempt: int) -> float:
        return min(self.backoff_base_seconds * 2 ** (attempt - 1), self.max_single_wait_seconds)


class TokenManager:
    """Mints and caches one access token, renewing it shortly before ``expires_at``.

    Thread-safe: the CDK reads streams concurrently and all of them share one token.
    """

    RENEW_MARGIN_SECONDS: Final = 60.0

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        user_id: str | int | None = None,
        *,
        session: requests.Session | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._token_url = token_url
        self._client_id = client_id
        self._client_secret = client_secret
        self._user_id = str(user_id) if user_id not in (None, "") else None
        self._session = session or requests.Session()
        self._retry = retry or RetryPolicy()
        self._lock = threading.Lock()
        self._token: str | None = None
        self._renew_at = 0.0
        self.mint_count = 0

    def token(self) -> str:
        """A token valid for at least a little while longer."""
        with self._lock:
            if self._token is None or time.time() >= self._renew_at:
                self._mint()
            assert self._token is not None
            return self._token

    def renew(self, rejected_token: str | None = None) -> str:
        """A fresh token; mints only if ``rejected_token`` is still the current one."""
        with self._lock:
            if rejected_token is None or self._token in (None, rejected_token):
                self._mint()
            assert self._token is not None
            return self._token

    def _mint(self) -> None:
        response = self._post_token_request()
        body = response.json()
        minted_at = time.time()
        self._token = str(body["access_token"])
        expires_at = _expiry_epoch(body, minted_at)
        margin = min(self.RENEW_MARGIN_SECONDS, (expires_at - minted_at) / 10)
        self._renew_at = expires_at - margin
        self.mint_count += 1
        logger.info(
            "Minted a Harvest access token valid for %.0f s", max(expires_at - minted_at, 0)
        )

    def _post_token_request(self) -> requests.Response:
        basic = base64.b64encode(f"{self._client_id}:{self._client_secret}".encode()).decode()
        form = {"grant_type": "client_credentials"}
        if self._user_id is not None:
            form["sub"] = self._user_id
        headers = {"Authorization": f"Basic {basic}"}
        attempt, connection_failures = 0, 0
        while True:
            attempt += 1
            try:
                response = self._session.post(
                    self._token_url, data=form, headers=headers, timeout=REQUEST_TIMEOUT_SECONDS
                )
            except requests.RequestException as error:
                reason = f"{type(error).__name__} from the token endpoint"
                unreachable = connection_failure(error)
                connection_failures = connection_failures + 1 if unreachable else 0
                if unreachable and self._retry.connection_exhausted(connection_failures):
                    raise HarvestUnreachableError(self._token_url, unreachable) from error
            else:
                if response.status_code in (400, 401, 403):
                    raise CredentialsRejectedError(_refusal_message(response, self._user_id))
                if response.ok and _is_token_body(response):
                    return response
                reason = f"HTTP {response.status_code} from the token endpoint"
            if attempt > self._retry.max_retries:
                raise HarvestTransientError(
                    f"could not get a Harvest access token after {attempt} attempts ({reason}); "
                    "Greenhouse may be degraded, run the sync again later"
                )
            wait = self._retry.backoff(attempt)
            logger.info("Waiting %.1f s before retrying the token request: %s", wait, reason)
            time.sleep(wait)


def connection_failure(error: requests.RequestException) -> str | None:
    """Why no connection was made (``connection refused`` …), or None for other failures."""
    if not isinstance(error, requests.ConnectionError):
        return None
    text = str(error)
    if "refused" in text.lower() or "Errno 111" in text:
        return "connection refused"
    if "NameResolution" in text or "not known" in text or "getaddrinfo" in text:
        return "host name not found"
    if isinstance(error, requests.ConnectTimeout):
        return "connection timed out"
    return "connection failed"


def _without_query(url: str) -> str:
    return url.split("?", 1)[0]


def _is_token_body(response: requests.Response) -> bool:
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and isinstance(body.get("access_token"), str)


def _expiry_epoch(body: Mapping[str, Any], minted_at: float) -> float:
    # Greenhouse answers with an absolute `expires_at`; `expires_in` is only a fallback.
    expires_at = body.get("expires_at")
    if isinstance(expires_at, str):
        try:
            return parse_timestamp(expires_at).timestamp()
        except ValueError:
            logger.warning("Token expires_at %r is not ISO-8601; assuming one hour", expires_at)
    expires_in = body.get("expires_in")
    if isinstance(expires_in, int | float):
        return minted_at + float(expires_in)
    return minted_at + 3600.0


def _refusal_message(response: requests.Response, user_id: str | None) -> str:
    try:
        body = response.json()
        code = body.get("error") if isinstance(body, dict) else None
    except ValueError:
        code = None
    detail = f"HTTP {response.status_code}" + (f" {code}" if code else "")
    if code == "invalid_grant" and user_id is not None:
        # RFC 6749 invalid_grant: the client is fine, the grant (here the `sub`) is not.
        return (
            f"Greenhouse refused to issue a token for user {user_id} ({detail}): enter the "
            "numeric id of an existing Site Admin user, or leave the user id empty"
        )
    return (
        f"Greenhouse refused client id/secret ({detail}): check the Client ID and Client Secret, "
        f"or {CREDENTIALS_HELP}"
    )


class RateGovernor:
    """Steers request pace by Harvest's ``X-RateLimit-Remaining`` / ``X-RateLimit-Reset``.

    When the window is nearly spent, callers wait for the reset instead of running into a 429.
    Thread-safe; one governor is shared by every request of a sync.
    """

    def __init__(self, reserve: int = 1, max_wait_seconds: float = 60.0) -> None:
        self._reserve = reserve
        self._max_wait = max_wait_seconds
        self._lock = threading.Lock()
        self._remaining: int | None = None
        self._reset_epoch: float | None = None
        self.waits: list[float] = []

    def wait_turn(self) -> None:
        """Block until a request may be sent without exhausting the window."""
        with self._lock:
            wait = self._wait_needed()
            if wait > 0:
                logger.info(
                    "Harvest rate limit: %s calls left in this window; waiting %.1f s for it "
                    "to reset",
                    self._remaining,
                    wait,
                )
                self.waits.append(wait)
                time.sleep(wait)
                self._remaining, self._reset_epoch = None, None
            elif self._remaining is not None:
                self._remaining -= 1

    def observe(self, headers: Mapping[str, str]) -> None:
        """Take the server's view of the window from a response."""
        remaining, reset = headers.get("X-RateLimit-Remaining"), headers.get("X-RateLimit-Reset")
        with self._lock:
            if remaining is not None and remaining.strip().isdigit():
                self._remaining = int(remaining)
            if reset is not None:
                try:
                    self._reset_epoch = float(reset)
                except ValueError:
                    logger.debug("Ignoring unreadable X-RateLimit-Reset %r", reset)

    def _wait_needed(self) -> float:
        if self._remaining is None or self._remaining > self._reserve:
            return 0.0
        if self._reset_epoch is None:
            return 0.0
        return min(max(self._reset_epoch - time.time(), 0.0), self._max_wait)


class HarvestClient:
    """Reads Harvest v3 list endpoints with paging, token renewal, retries and rate limits."""

    # The six positional parameters are the client's published signature (webhook receiver).
    def __init__(  # noqa: PLR0917
        self,
        api_url: str,
        token_url: str,
        client_id: str,
        client_secret: str,
        user_id: str | int | None = None,
        session: requests.Session | None = None,
        *,
        retry: RetryPolicy | None = None,
        tokens: TokenManager | None = None,
        governor: RateGovernor | None = None,
        page_size: int = MAX_PAGE_SIZE,
    ) -> None:
        self._api_url = api_url.rstrip("/")
        self._session = session or requests.Session()
        self._retry = retry or RetryPolicy()
        self.tokens = tokens or TokenManager(
            token_url, client_id, client_secret, user_id, session=self._session, retry=self._retry
        )
        self.governor = governor or RateGovernor()
        self._page_size = page_size

    def list(self, resource: str, params: Mapping[str, Any] | None = None) -> Iterator[JsonDict]:
        """Every record of ``GET /v3/<resource>`` matching ``params``, across all pages."""
        first_params = {"per_page": str(self._page_size), **(params or {})}
        url: str | None = f"{self._api_url}/v3/{resource}"
        query: Mapping[str, Any] | None = first_params
        pages = 0
        while url:
            response, records = self._get_page(resource, url, query)
            pages += 1
            yield from records
            # The next URL carries an opaque cursor that must be the only query parameter.
            url = response.links.get("next", {}).get("url")
            query = None
        logger.debug("Read %s page(s) of /v3/%s", pages, resource)

    def get_many(self, resource: str, ids: Iterable[int]) -> dict[int, JsonDict]:
        """Records of ``resource`` by id, fetched with ``ids=`` in batches of 50."""
        wanted = sorted({int(record_id) for record_id in ids})
        found: dict[int, JsonDict] = {}
        for start in range(0, len(wanted), MAX_IDS_PER_REQUEST):
            batch = wanted[start : start + MAX_IDS_PER_REQUEST]
            for record in self.list(resource, {"ids": ",".join(map(str, batch))}):
                if isinstance(record.get("id"), int):
                    found[record["id"]] = record
        return found

    def _get_page(self, resource: str, url: str, query: Mapping[str, Any] | None) -> Page:
        waited, attempt, token_renewed, connection_failures = 0.0, 0, False, 0
        while True:
            attempt += 1
            outcome = self._attempt(resource, url, query)
            if isinstance(outcome, tuple):
                return outcome
            connection_failures = connection_failures + 1 if outcome.unreachable else 0
            if outcome.unreachable and self._retry.connection_exhausted(connection_failures):
                raise HarvestUnreachableError(_without_query(url), outcome.unreachable)
            if outcome.reason == "unauthorized" and not token_renewed:
                token_renewed = True
                self.tokens.renew(outcome.token)
                continue
            if outcome.reason == "unauthorized":
                raise CredentialsRejectedError(
                    f"Harvest rejected a freshly minted token for /v3/{resource} (HTTP 401): "
                    f"check the credential is active, or {CREDENTIALS_HELP}"
                )
            wait = outcome.wait if outcome.wait is not None else self._retry.backoff(attempt)
            if self._retry.exhausted(attempt, waited, wait):
                if outcome.unreachable:
                    raise HarvestUnreachableError(_without_query(url), outcome.unreachable)
                raise HarvestTransientError(
                    f"Harvest GET /v3/{resource} still failed after {attempt} attempts "
                    f"({outcome.reason}); Greenhouse may be degraded or rate limiting hard, "
                    "run the sync again later"
                )
            logger.info(
                "Waiting %.1f s before retrying /v3/%s: %s", wait, resource, outcome.reason
            )
            time.sleep(wait)
            waited += wait

    def _attempt(
        self, resource: str, url: str, query: Mapping[str, Any] | None
    ) -> Page | _Failure:
        self.governor.wait_turn()
        token = self.tokens.token()
        try:
            response = self._session.get(
                url,
                params=query,
                headers={"Authorization": f"Bearer {token}"},
                timeout=REQUEST_TIMEOUT_SECONDS,
            )
        except requests.RequestException as error:
            return _Failure(
                f"{type(error).__name__} while reading the response",
                unreachable=connection_failure(error),
            )
        self.governor.observe(response.headers)
        return _interpret(resource, response, token)


@dataclass(frozen=True)
class _Failure:
    reason: str
    wait: float | None = None
    token: str | None = None
    unreachable: str | None = None  # why no connection was made, for connect failures only


def _interpret(resource: str, response: requests.Response, token: str) -> Page | _Failure:
    status = response.status_code
    if status == 401:
        return _Failure("unauthorized", token=token)
    if status == 403:
        raise ScopeMissingError(resource)
    if status == 429:
        return _Failure("HTTP 429 rate limited", wait=_retry_after(response))
    if status >= 500:
        return _Failure(f"HTTP {status}")
    if status >= 400:
        raise RequestRejectedError(
            f"Harvest refused GET /v3/{resource} with HTTP {status}: {response.text[:200]}"
        )
    try:
        body = response.json()
    except ValueError:
        return _Failure("cut-off or invalid JSON body")
    if not isinstance(body, list):
        return _Failure("response body is not a JSON array")
    return response, body


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        return None
