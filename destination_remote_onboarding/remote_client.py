"""A small client for the parts of Remote's API the destination needs.

It steers by Remote's rate-limit headers (``x-ratelimit-remaining`` and ``x-ratelimit-reset``,
the latter in milliseconds until the window resets), honours ``Retry-After`` (seconds) when a 429
carries one, retries reads on 5xx and timeouts with a bounded backoff, and never retries a write
blindly: Remote has no idempotency key, so an unanswered create raises ``UncertainWriteError`` and
the caller looks the person up before trying again.
"""

from __future__ import annotations

import logging
import re
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import requests

from destination_remote_onboarding.errors import (
    EmailTakenError,
    RemoteAuthError,
    RemoteFieldError,
    RemoteRejectedError,
    TransientError,
    UncertainWriteError,
)
from destination_remote_onboarding.ledger import normalise_email

logger = logging.getLogger(__name__)

ENVIRONMENTS: Final = {
    "production": "https://gateway.remote.com",
    "sandbox": "https://gateway.remote-sandbox.com",
}
TOKEN_PREFIXES: Final = {"production": "ra_live_", "sandbox": "ra_test_"}
LIST_PAGE_SIZE: Final = 100  # the largest page Remote's list endpoints document
_MAX_RATE_LIMITED_RETRIES: Final = 6
_EMAIL_TAKEN = re.compile(r"taken|already|exists|registered", re.IGNORECASE)

WaitCallback = Callable[[float, str], None]


@dataclass(frozen=True)
class EmploymentPage:
    """One page of ``GET /v1/employments``."""

    employments: list[dict[str, Any]]
    current_page: int
    total_pages: int
    total_count: int


def environment_of_token(token: str) -> str | None:
    """Which environment a customer token was issued for, read from its prefix."""
    for environment, prefix in TOKEN_PREFIXES.items():
        if token.startswith(prefix):
            return environment
    return None


def environment_of_url(base_url: str) -> str | None:
    for environment, url in ENVIRONMENTS.items():
        if base_url.rstrip("/") == url:
            return environment
    return None


class RateBudget:
    """Decides how long to wait before the next request so that Remote never has to say 429.

    Remote's window is fixed, per company, and starts with the first request; every response
    says how many requests remain and how many milliseconds until the window resets. Until a
    response has carried those headers, a configured requests-per-minute fallback applies.
    """

    def __init__(
        self,
        per_minute: int,
        *,
        on_wait: WaitCallback | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_minute = max(1, per_minute)
        self.waited_seconds = 0.0
        self.on_wait = on_wait
        self._sleep = sleep
        self._clock = clock
        self._blocked_until = 0.0
        self._headers_seen = False
        self._recent: deque[float] = deque()

    def before_request(self) -> None:
        now = self._clock()
        if self._blocked_until > now:
            self.wait(self._blocked_until - now, "Remote rate limit reached for this window")
        elif not self._headers_seen:
            self._fallback_throttle(now)
        self._recent.append(self._clock())

    def after_response(self, headers: Mapping[str, str]) -> None:
        remaining = _int_header(headers, "x-ratelimit-remaining")
        reset_ms = _int_header(headers, "x-ratelimit-reset")
        if remaining is None or reset_ms is None:
            return
        self._headers_seen = True
        if remaining <= 0:
            # reset counts from when Remote answered, so waiting it from now is never early.
            self._blocked_until = self._clock() + reset_ms / 1000.0

    def wait(self, seconds: float, reason: str) -> None:
        if seconds <= 0:
            return
        logger.info("waiting %.2f s: %s", seconds, reason)
        if self.on_wait is not None:
            self.on_wait(seconds, reason)
        self.waited_seconds += seconds
        self._sleep(seconds)

    def _fallback_throttle(self, now: float) -> None:
        while self._recent and now - self._recent[0] >= 60.0:
            self._recent.popleft()
        if len(self._recent) >= self.per_minute:
            self.wait(
                self._recent[0] + 60.0 - now,
                f"configured limit of {self.per_minute} requests per minute",
            )


def _int_header(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name)
    if value is None:
        return None
    try:
        return int(float(value))
    except ValueError:
        return None


def _retry_after_seconds(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


class RemoteClient:
    """Remote's REST API for one company token. Counts its requests for the benchmarks."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        rate_limit_per_minute: int = 20,
        timeout_seconds: float = 30.0,
        max_attempts: int = 4,
        backoff_seconds: float = 1.0,
        on_wait: WaitCallback | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.request_count = 0
        self.rate_limited_count = 0
        self.budget = RateBudget(rate_limit_per_minute, on_wait=on_wait, sleep=sleep)
        self._timeout = timeout_seconds
        self._max_attempts = max(1, max_attempts)
        self._backoff = backoff_seconds
        self._session = requests.Session()
        self._session.headers.update(
            {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        )
        self._token_environment = environment_of_token(token)

    def close(self) -> None:
        self._session.close()

    def identity(self) -> dict[str, Any]:
        """``GET /v1/identity/current``: any 2xx is fine (the spec oddly declares 201)."""
        body: dict[str, Any] = self._send("GET", "/v1/identity/current").json()
        return body

    def list_employments(
        self, *, page: int = 1, page_size: int = LIST_PAGE_SIZE, email: str | None = None
    ) -> EmploymentPage:
        params: dict[str, str | int] = {"page": page, "page_size": page_size}
        if email is not None:
            params["email"] = normalise_email(email)
        data = self._send("GET", "/v1/employments", params=params).json().get("data") or {}
        return EmploymentPage(
            employments=list(data.get("employments") or []),
            current_page=int(data.get("current_page") or page),
            total_pages=int(data.get("total_pages") or 1),
            total_count=int(data.get("total_count") or 0),
        )

    def find_by_email(self, email: str) -> list[dict[str, Any]]:
        """Every listed employment whose login or personal e-mail is this address."""
        target = normalise_email(email)
        found: list[dict[str, Any]] = []
        page_number, total_pages = 1, 1
        while page_number <= total_pages:
            page = self.list_employments(page=page_number, email=target)
            found += [item for item in page.employments if target in employment_emails(item)]
            page_number, total_pages = page_number + 1, page.total_pages
        return found

    def get_employment(self, employment_id: str) -> dict[str, Any] | None:
        """``GET /v1/employments/{id}``; None when Remote no longer has it (404)."""
        try:
            response = self._send("GET", f"/v1/employments/{employment_id}")
        except RemoteRejectedError as error:
            if error.status == 404:
                return None
            raise
        return _employment_of(response)

    def create_employment(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """``POST /v1/employments``; any 2xx is success (spec says 200, Remote answers 201)."""
        response = self._send("POST", "/v1/employments", json=body, write=True)
        return _employment_of(response)

    def update_employment(self, employment_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        response = self._send("PATCH", f"/v1/employments/{employment_id}", json=body, write=True)
        return _employment_of(response)

    def can_write(self) -> bool:
        """Whether the token may write, learned without changing anything.

        A PATCH on an employment id that cannot exist answers 404 to a token with write
        access and 403 to a read-only one; nothing is created or modified either way.
        """
        try:
            self._send("PATCH", "/v1/employments/00000000-0000-0000-0000-000000000000", json={})
        except RemoteAuthError as error:
            if error.status == 403:
                return False
            raise
        except RemoteRejectedError:
            return True
        return True

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        json: Mapping[str, Any] | None = None,
        write: bool = False,
    ) -> requests.Response:
        attempt, rate_limited = 0, 0
        while True:
            response = self._attempt(method, path, params, json, write=write, attempt=attempt)
            if response is None:
                attempt += 1
                continue
            if response.status_code == 429:
                rate_limited += 1
                self._wait_after_429(response, rate_limited, method, path)
                continue
            if response.status_code >= 500:
                if write:
                    raise UncertainWriteError(
                        f"Remote answered HTTP {response.status_code} to {method} {path}; "
                        "the write may have happened"
                    )
                attempt += 1
                self._backoff_or_give_up(attempt, f"HTTP {response.status_code}", method, path)
                continue
            self._raise_for_client_error(response, method, path)
            return response

    def _attempt(
        self,
        method: str,
        path: str,
        params: Mapping[str, str | int] | None,
        json: Mapping[str, Any] | None,
        *,
        write: bool,
        attempt: int,
    ) -> requests.Response | None:
        """One request; None when a safe request got no readable answer (timeout, cut-off)."""
        self.budget.before_request()
        self.request_count += 1
        try:
            response = self._session.request(
                method, self.base_url + path, params=params, json=json, timeout=self._timeout
            )
            if response.ok:
                response.json()  # a body cut off mid-way is no answer at all
        except (requests.RequestException, ValueError) as error:
            reason = type(error).__name__
            if write:
                raise UncertainWriteError(
                    f"no answer from Remote to {method} {path} ({reason}); "
                    "the write may have happened"
                ) from None
            self._backoff_or_give_up(attempt + 1, reason, method, path)
            return None
        self.budget.after_response(response.headers)
        logger.debug("%s %s -> %s", method, path, response.status_code)
        return response

    def _backoff_or_give_up(self, attempt: int, reason: str, method: str, path: str) -> None:
        if attempt >= self._max_attempts:
            raise TransientError(
                f"Remote kept failing on {method} {path} ({reason}) after {attempt} attempts; "
                "the record will be retried on the next sync"
            )
        self.budget.wait(self._backoff * 2 ** (attempt - 1), f"{reason} from Remote, retrying")

    def _wait_after_429(
        self, response: requests.Response, rate_limited: int, method: str, path: str
    ) -> None:
        self.rate_limited_count += 1
        if rate_limited > _MAX_RATE_LIMITED_RETRIES:
            raise TransientError(
                f"Remote kept answering 429 to {method} {path}; another integration may share "
                "this company's rate limit. Lower rate_limit_per_minute or retry later"
            )
        retry_after = _retry_after_seconds(response)
        reset_ms = _int_header(response.headers, "x-ratelimit-reset")
        if retry_after is not None:
            self.budget.wait(retry_after, "HTTP 429 from Remote (Retry-After)")
        elif reset_ms is not None:
            self.budget.wait(reset_ms / 1000.0, "HTTP 429 from Remote (x-ratelimit-reset)")
        else:
            self.budget.wait(self._backoff * 2 ** (rate_limited - 1), "HTTP 429 from Remote")

    def _raise_for_client_error(self, response: requests.Response, method: str, path: str) -> None:
        status = response.status_code
        if status == 401:
            raise RemoteAuthError(self._unauthorized_message(), 401)
        if status == 403:
            raise RemoteAuthError(
                f"Remote refused {method} {path} with HTTP 403: the API token lacks permission. "
                "Create a token with Full Access (employment write) in Remote: Company Settings "
                "→ Integrations → Remote API, and put it in api_token",
                403,
            )
        if status >= 400:
            errors = parse_field_errors(_json_or_text(response))
            if status == 422 and any(_is_email_taken(error) for error in errors):
                raise EmailTakenError(status, errors)
            raise RemoteRejectedError(status, errors)

    def _unauthorized_message(self) -> str:
        chosen = environment_of_url(self.base_url)
        issued = self._token_environment
        if chosen and issued and chosen != issued:
            return (
                f"Remote refused the API token (HTTP 401): it is a {issued} token but the "
                f"environment chosen is {chosen}. Choose environment '{issued}' or use a "
                f"{TOKEN_PREFIXES[chosen]}… token"
            )
        return (
            "Remote refused the API token (HTTP 401): it is wrong, revoked, or issued for the "
            "other environment. Generate a new token in Remote (Company Settings → "
            "Integrations → Remote API) and put it in api_token"
        )


def employment_emails(employment: Mapping[str, Any]) -> set[str]:
    """The normalised addresses a listed employment can be found by."""
    emails = set()
    for key in ("login_email", "personal_email"):
        value = employment.get(key)
        if isinstance(value, str) and value.strip():
            emails.add(normalise_email(value))
    return emails


def _employment_of(response: requests.Response) -> dict[str, Any]:
    body = _json_or_text(response)
    if isinstance(body, dict):
        data = body.get("data")
        if isinstance(data, dict) and isinstance(data.get("employment"), dict):
            employment: dict[str, Any] = data["employment"]
            return employment
    return {}


def _json_or_text(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


def _is_email_taken(error: RemoteFieldError) -> bool:
    return "email" in error.field.lower() and bool(_EMAIL_TAKEN.search(error.message))


def parse_field_errors(body: Any) -> list[RemoteFieldError]:
    """Field errors from any error body Remote is known to send.

    Shapes: ``{"errors": {field: [msg, ...]}}`` (nested maps flattened with dots),
    ``{"errors": ["field: msg", ...]}`` (JSON-schema style strings), and
    ``{"message": str | {param, message} | [...]}``.
    """
    if not isinstance(body, dict):
        return [RemoteFieldError("(response)", str(body)[:300] or "empty body")]
    found = _errors_value(body.get("errors"), "")
    if not found and "message" in body:
        found = _message_value(body["message"])
    return found or [RemoteFieldError("(response)", str(body)[:300])]


def _errors_value(value: Any, prefix: str) -> list[RemoteFieldError]:
    if isinstance(value, dict):
        found: list[RemoteFieldError] = []
        for key, inner in value.items():
            field = f"{prefix}{key}"
            if isinstance(inner, dict):
                found += _errors_value(inner, field + ".")
            else:
                messages = inner if isinstance(inner, list) else [inner]
                found += [RemoteFieldError(field, str(message)) for message in messages]
        return found
    if isinstance(value, list):
        return [error for item in value for error in _list_item(item, prefix)]
    return []


def _list_item(item: Any, prefix: str) -> list[RemoteFieldError]:
    if isinstance(item, dict):
        return _message_value(item)
    text = str(item)
    field, separator, message = text.partition(": ")
    if separator and " " not in field.strip():
        return [RemoteFieldError(prefix + field.strip(), message)]
    return [RemoteFieldError(prefix.rstrip(".") or "(profile)", text)]


def _message_value(value: Any) -> list[RemoteFieldError]:
    if isinstance(value, list):
        return [error for item in value for error in _message_value(item)]
    if isinstance(value, dict):
        field = value.get("param") or value.get("field") or value.get("action") or "(request)"
        return [RemoteFieldError(str(field), str(value.get("message") or value.get("code")))]
    return [RemoteFieldError("(request)", str(value))]
