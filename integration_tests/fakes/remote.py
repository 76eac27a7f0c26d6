"""A local fake of Remote's API for one company: identity, countries, and employments (create,
list by login e-mail, read, patch), with Remote's per-company fixed rate-limit window.

Behaviour follows the team's reference notes (remote-api.md §1–6): customer tokens whose prefix
names the environment, 201 on create with the employment under ``data.employment``, 422 bodies
in either the field map or the list-of-strings shape, ``x-ratelimit-reset`` in milliseconds, and
no idempotency key, so :meth:`RemoteFake.fail_after_commit_next` can store and still fail.
"""

from __future__ import annotations

import json
import math
import re
import string
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Final, Literal

import pycountry

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

SUPPORTED_COUNTRIES: Final = (
    "ARE",
    "ARG",
    "AUS",
    "AUT",
    "BEL",
    "BGR",
    "BRA",
    "CAN",
    "CHE",
    "CHL",
    "COL",
    "CZE",
    "DEU",
    "DNK",
    "ESP",
    "EST",
    "FIN",
    "FRA",
    "GBR",
    "GRC",
    "HRV",
    "HUN",
    "IND",
    "IRL",
    "ISR",
    "ITA",
    "JPN",
    "KOR",
    "LTU",
    "LVA",
    "MEX",
    "NLD",
    "NOR",
    "NZL",
    "PHL",
    "POL",
    "PRT",
    "ROU",
    "SGP",
    "SWE",
    "USA",
    "ZAF",
)
EMPLOYMENT_TYPES: Final = ("employee", "contractor", "global_payroll_employee", "hris")
REQUIRED_BASIC: Final = (
    "name",
    "email",
    "job_title",
    "provisional_start_date",
    "has_seniority_date",
)
OPTIONAL_BASIC: Final = (
    "work_email",
    "department",
    "manager",
    "mobile_number",
    "tax_servicing_countries",
    "tax_job_category",
    "seniority_date",
)
CREATE_KEYS: Final = frozenset({"country_code", "basic_information", "type", "external_id"})
# Accepted and ignored, as the real API does for these deprecated or billing-only keys.
IGNORED_CREATE_KEYS: Final = frozenset(
    {"company_id", "engaged_by_legal_entity_id", "bill_to_legal_entity_id"}
)
FORM_KEYS: Final = frozenset(
    {
        "address_details",
        "administrative_details",
        "bank_account_details",
        "billing_address_details",
        "contract_details",
        "emergency_contact_details",
        "personal_details",
        "pricing_plan_details",
        "manager_id",
        "department_id",
        "work_email",
    }
)
# What PATCH may change in each status (remote-api.md §4); external_id is allowed in every one.
PATCHABLE_BY_STATUS: Final[dict[str, frozenset[str]]] = {
    "created": frozenset({"basic_information", "country_code", "type"}) | FORM_KEYS,
    "invited": frozenset({"work_email"}),
    "active": frozenset(
        {"work_email", "manager_id", "address_details", "emergency_contact_details"}
    ),
}
MAX_PAGE_SIZE: Final = 100
DEFAULT_PAGE_SIZE: Final = 20
DATE_PATTERN: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")
EMAIL_PATTERN: Final = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ErrorShape = Literal["map", "list"]


@dataclass(frozen=True)
class FieldError:
    """One validation failure, renderable in both of Remote's 422 shapes."""

    key: str
    message: str
    schema_message: str


@dataclass
class _CommitFaults:
    remaining: int = 0
    status: int | None = 500
    hang_seconds: float = 1.0


@dataclass
class _Company:
    info: JsonDict
    environment: str
    tokens: dict[str, str]
    user: JsonDict
    today: date
    min_onboarding_days: int
    holidays: frozenset[str]
    employments: list[JsonDict] = field(default_factory=list)


def normalise_email(email: object) -> str:
    return str(email or "").strip().casefold()


class RemoteFake(FakeServer):
    """Remote for one company on 127.0.0.1. ``company`` is a dict or a path to a JSON file."""

    name = "remote"

    def __init__(
        self,
        company: JsonDict | str | Path,
        *,
        rate_limit_per_minute: int | None = None,
        window_seconds: float = 60.0,
        send_retry_after: bool = False,
        validation_error_shape: ErrorShape = "map",
        today: date | str | None = None,
        seed: int = 0,
        port: int = 0,
    ) -> None:
        super().__init__(port=port, seed=seed)
        data = load_json_dataset(company)
        settings: JsonDict = data.get("settings", {})
        limit = rate_limit_per_minute or settings.get("rate_limit_per_minute", 20)
        self.send_retry_after = send_retry_after
        self.validation_error_shape: ErrorShape = validation_error_shape
        self.rate_limited_count = 0
        self._window = FixedWindow(limit, window_seconds)
        self._commit_faults = _CommitFaults()
        self._company = _Company(
            info=data.get("company", {"id": str(uuid.uuid4()), "name": "Example Company"}),
            environment=data.get("environment", "sandbox"),
            tokens=dict(data.get("tokens", {})),
            user=data.get("user", {"id": "u-1", "name": "API token", "email": None}),
            today=_as_date(today or settings.get("today") or date.today().isoformat()),
            min_onboarding_days=int(settings.get("min_onboarding_days", 5)),
            holidays=frozenset(settings.get("holidays", [])),
        )
        for employment in data.get("employments", []):
            self.add_employment(**employment)

    @property
    def rate_limit_per_minute(self) -> int | None:
        return self._window.limit

    @rate_limit_per_minute.setter
    def rate_limit_per_minute(self, limit: int | None) -> None:
        with self._lock:
            self._window.limit = limit

    @property
    def employments(self) -> list[JsonDict]:
        """Stored employments (full records), deleted ones excluded, in creation order."""
        with self._lock:
            return [_copy(item) for item in self._company.employments if _is_listed(item)]

    def employments_by_email(self, email: str) -> list[JsonDict]:
        """Stored employments whose personal or login e-mail matches, ignoring case and blanks."""
        wanted = normalise_email(email)
        return [
            item
            for item in self.employments
            if wanted
            in (normalise_email(item["personal_email"]), normalise_email(item["login_email"]))
        ]

    def add_employment(self, **fields: Any) -> JsonDict:
        """Store an employment directly (no validation); returns the full record."""
        with self._lock:
            record = _full_employment(self._company, fields, self._now())
            self._company.employments.append(record)
            return _copy(record)

    def set_status(self, employment_id: str, status: str) -> None:
        with self._lock:
            record = self._find(employment_id, include_deleted=True)
            if record is None:
                raise KeyError(f"no employment {employment_id!r} in the Remote fake")
            record["status"] = status
            record["updated_at"] = self._now()

    def fail_after_commit_next(
        self, count: int = 1, status: int | None = 500, hang_seconds: float = 1.0
    ) -> None:
        """The next ``count`` valid creates are stored, then answered ``status``; with
        ``status=None`` the fake waits ``hang_seconds`` and closes the socket without answering.
        """
        with self._lock:
            self._commit_faults = _CommitFaults(count, status, hang_seconds)

    def reset_counts(self) -> None:
        with self._lock:
            super().reset_counts()
            self.rate_limited_count = 0

    def route(self, request: Request) -> Reply:
        access = self._company.tokens.get(request.bearer_token() or "")
        if access is None or not self._environment_accepts(request.bearer_token() or ""):
            return json_reply(401, {"message": "Unauthorized"})
        state = self._window.take()
        headers = {
            "x-ratelimit-count": str(state.count),
            "x-ratelimit-remaining": str(state.remaining),
            "x-ratelimit-reset": str(math.ceil(state.seconds_left(time.time()) * 1000)),
        }
        if not state.allowed:
            self.rate_limited_count += 1
            if self.send_retry_after:
                headers["Retry-After"] = str(max(1, math.ceil(state.seconds_left(time.time()))))
            return json_reply(429, {"message": "Too many requests"}, headers)
        if request.method in ("POST", "PATCH", "PUT") and access != "full":
            reply = json_reply(
                403,
                {
                    "message": "this token is read-only; create a Full Access "
                    "token to change employments"
                },
            )
        else:
            reply = self._dispatch(request)
        reply.headers.update(headers)
        return reply

    def _environment_accepts(self, token: str) -> bool:
        # ra_live_ works only on production and ra_test_ only on the sandbox (remote-api.md §1.2).
        wrong = "ra_live_" if self._company.environment == "sandbox" else "ra_test_"
        return not token.startswith(wrong)

    def _dispatch(self, request: Request) -> Reply:
        method, path = request.method, request.path.rstrip("/")
        if (method, path) == ("GET", "/v1/identity/current"):
            return json_reply(
                200, {"data": {"company": self._company.info, "user": self._company.user}}
            )
        if (method, path) == ("GET", "/v1/countries"):
            return json_reply(200, {"data": [_country(code, full=True) for code in _countries()]})
        if path == "/v1/employments":
            if method == "POST":
                return self._create(request)
            return self._list(request) if method == "GET" else _not_found(path)
        if path.startswith("/v1/employments/") and path.count("/") == 3:
            employment_id = path.rsplit("/", 1)[1]
            if method == "GET":
                return self._show(employment_id)
            if method in ("PATCH", "PUT"):
                return self._patch(employment_id, request)
        return _not_found(path)

    def _create(self, request: Request) -> Reply:
        body = _json_object(request)
        if body is None:
            return json_reply(400, {"message": "the body must be a JSON object"})
        errors = _create_errors(body, self._company)
        errors += self._email_taken(body.get("basic_information"), exclude_id=None)
        if errors:
            return self._unprocessable(errors)

        fields = {key: body[key] for key in CREATE_KEYS if key in body}
        record = _full_employment(self._company, fields, self._now())
        self._company.employments.append(record)

        if self._commit_faults.remaining > 0:
            self._commit_faults.remaining -= 1
            if self._commit_faults.status is None:
                return Reply(0, drop_after_seconds=self._commit_faults.hang_seconds)
            status = self._commit_faults.status
            return json_reply(status, {"message": f"internal error (HTTP {status})"})
        return json_reply(201, {"data": {"employment": _created_view(record)}})

    def _list(self, request: Request) -> Reply:
        errors, page, page_size = _paging(request)
        if errors:
            return self._unprocessable(errors)
        matches = [item for item in self._company.employments if _list_filter(request)(item)]
        chunk = matches[(page - 1) * page_size : page * page_size]
        return json_reply(
            200,
            {
                "data": {
                    "employments": [_minimal(item) for item in chunk],
                    "current_page": page,
                    "total_pages": math.ceil(len(matches) / page_size),
                    "total_count": len(matches),
                }
            },
        )

    def _show(self, employment_id: str) -> Reply:
        record = self._find(employment_id)
        if record is None:
            return json_reply(404, {"message": f"employment {employment_id} not found"})
        return json_reply(200, {"data": {"employment": _copy(record)}})

    def _patch(self, employment_id: str, request: Request) -> Reply:
        record = self._find(employment_id)
        if record is None:
            return json_reply(404, {"message": f"employment {employment_id} not found"})
        body = _json_object(request)
        if body is None:
            return json_reply(400, {"message": "the body must be a JSON object"})
        errors = _patch_status_errors(body, record["status"])
        if not errors:
            merged = _merged_for_patch(record, body)
            errors = _create_errors(
                merged,
                self._company,
                check_dates="provisional_start_date" in (body.get("basic_information") or {}),
            )
            errors += self._email_taken(merged["basic_information"], exclude_id=employment_id)
        if errors:
            return self._unprocessable(errors)
        _apply_patch(record, body, self._now())
        return json_reply(200, {"data": {"employment": _copy(record)}})

    def _email_taken(self, basic: Any, exclude_id: str | None) -> list[FieldError]:
        if not isinstance(basic, dict) or not isinstance(basic.get("email"), str):
            return []
        wanted = normalise_email(basic["email"])
        for item in self._company.employments:
            owned = (normalise_email(item["personal_email"]), normalise_email(item["login_email"]))
            if _is_listed(item) and item["id"] != exclude_id and wanted in owned:
                return [
                    FieldError("email", "has already been taken", "email: has already been taken")
                ]
        return []

    def _unprocessable(self, errors: list[FieldError]) -> Reply:
        if self.validation_error_shape == "list":
            return json_reply(422, {"errors": [error.schema_message for error in errors]})
        grouped: dict[str, list[str]] = {}
        for error in errors:
            grouped.setdefault(error.key, []).append(error.message)
        return json_reply(422, {"errors": grouped})

    def _find(self, employment_id: str, include_deleted: bool = False) -> JsonDict | None:
        for item in self._company.employments:
            if item["id"] == employment_id and (include_deleted or _is_listed(item)):
                return item
        return None

    def _now(self) -> str:
        return datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds")


def _copy(record: JsonDict) -> JsonDict:
    copied: JsonDict = json.loads(json.dumps(record))
    return copied


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _is_listed(record: JsonDict) -> bool:
    return record.get("status") != "deleted"


def _not_found(path: str) -> Reply:
    return json_reply(404, {"message": f"no route for {path}"})


def _json_object(request: Request) -> JsonDict | None:
    try:
        body = request.json_body()
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


def _countries() -> list[str]:
    return sorted(SUPPORTED_COUNTRIES, key=lambda code: _country(code)["name"])


def _country(code: str, full: bool = False) -> JsonDict:
    found = pycountry.countries.get(alpha_3=code)
    name = getattr(found, "common_name", None) or getattr(found, "name", code)
    country: JsonDict = {
        "code": code,
        "alpha_2_code": getattr(found, "alpha_2", None),
        "name": name,
    }
    if full:
        country |= {
            "eor_onboarding": True,
            "country_subdivisions": [],
            "supported_json_schemas": [
                "employment_basic_information",
                "contract_details",
                "address_details",
            ],
        }
    return country


def _create_errors(
    body: JsonDict, company: _Company, check_dates: bool = True
) -> list[FieldError]:
    errors = [
        FieldError(key, "is not allowed", f"should NOT have additional properties - {key}")
        for key in sorted(set(body) - CREATE_KEYS - IGNORED_CREATE_KEYS)
    ]
    country = body.get("country_code")
    if country is None:
        errors.append(_required("country_code", top_level=True))
    elif country not in SUPPORTED_COUNTRIES:
        errors.append(
            FieldError(
                "country_code",
                f"is not a supported country: {country!r}",
                f"country_code: {country!r} is not a supported country",
            )
        )
    if body.get("type", "employee") not in EMPLOYMENT_TYPES:
        errors.append(
            FieldError(
                "type",
                f"must be one of {', '.join(EMPLOYMENT_TYPES)}",
                "type: should be equal to one of the allowed values",
            )
        )
    external_id = body.get("external_id")
    if external_id is not None and not isinstance(external_id, str):
        errors.append(
            FieldError("external_id", "must be a string", "external_id: should be string")
        )
    basic = body.get("basic_information")
    if not isinstance(basic, dict):
        errors.append(_required("basic_information", top_level=True))
        return errors
    return errors + _basic_errors(basic, company, check_dates)


def _required(key: str, top_level: bool = False) -> FieldError:
    where = "" if top_level else "basic_information"
    return FieldError(key, "can't be blank", f"{where}: Should have required property {key}")


def _basic_errors(basic: JsonDict, company: _Company, check_dates: bool) -> list[FieldError]:
    errors = [
        FieldError(
            key,
            "is not allowed",
            f"basic_information: should NOT have additional properties - {key}",
        )
        for key in sorted(set(basic) - set(REQUIRED_BASIC) - set(OPTIONAL_BASIC))
    ]
    for key in REQUIRED_BASIC:
        value = basic.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            errors.append(_required(key))
        elif not isinstance(value, str) or len(value) > 255:
            errors.append(
                FieldError(
                    key,
                    "must be a string of at most 255 characters",
                    f"{key}: should be string, maxLength 255",
                )
            )
    for key in ("email", "work_email"):
        value = basic.get(key)
        if isinstance(value, str) and value.strip() and not EMAIL_PATTERN.match(value.strip()):
            errors.append(
                FieldError(
                    key, "is not a valid e-mail address", f'{key}: should match format "email"'
                )
            )
    errors += _seniority_errors(basic)
    start = basic.get("provisional_start_date")
    if isinstance(start, str) and start.strip() and check_dates:
        errors += _start_date_errors(start, company)
    return errors


def _seniority_errors(basic: JsonDict) -> list[FieldError]:
    answer = basic.get("has_seniority_date")
    if answer is not None and answer not in ("yes", "no"):
        return [
            FieldError(
                "has_seniority_date",
                "must be yes or no",
                "has_seniority_date: should be equal to one of the allowed values",
            )
        ]
    if answer == "yes" and not _is_date(basic.get("seniority_date")):
        return [
            FieldError(
                "seniority_date",
                "can't be blank when has_seniority_date is yes",
                "basic_information: Should have required property seniority_date",
            )
        ]
    if answer != "yes" and "seniority_date" in basic:
        # Conditionally forbidden keys must be omitted; even null fails (remote-api.md §2.2).
        return [
            FieldError(
                "seniority_date",
                "must be omitted when has_seniority_date is no",
                "seniority_date: boolean schema is false",
            )
        ]
    return []


def _start_date_errors(start: str, company: _Company) -> list[FieldError]:
    if not _is_date(start):
        return [
            FieldError(
                "provisional_start_date",
                "must be a date in YYYY-MM-DD format",
                'provisional_start_date: should match format "date"',
            )
        ]
    earliest = company.today + timedelta(days=company.min_onboarding_days)
    if date.fromisoformat(start) < earliest:
        message = f"must be at least {company.min_onboarding_days} working days from today"
        return [
            FieldError("provisional_start_date", message, f"provisional_start_date: {message}")
        ]
    if start in company.holidays:
        return [
            FieldError(
                "provisional_start_date",
                "cannot be in a holiday",
                "provisional_start_date: cannot be in a holiday",
            )
        ]
    return []


def _is_date(value: Any) -> bool:
    if not isinstance(value, str) or not DATE_PATTERN.match(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _paging(request: Request) -> tuple[list[FieldError], int, int]:
    errors: list[FieldError] = []
    values = {"page": 1, "page_size": DEFAULT_PAGE_SIZE}
    for name, maximum in (("page", None), ("page_size", MAX_PAGE_SIZE)):
        raw = request.param(name)
        if raw is None:
            continue
        if not raw.isdigit() or int(raw) < 1 or (maximum is not None and int(raw) > maximum):
            bound = f" and at most {maximum}" if maximum else ""
            message = f"must be an integer of at least 1{bound}"
            errors.append(FieldError(name, message, f"{name}: {message}"))
        else:
            values[name] = int(raw)
    return errors, values["page"], values["page_size"]


def _list_filter(request: Request) -> Callable[[JsonDict], bool]:
    email = request.param("email")
    statuses = {part.strip() for part in (request.param("status") or "").split(",") if part}
    short_id = request.param("short_id")

    def keep(item: JsonDict) -> bool:
        if not _is_listed(item):
            return False
        if email is not None and normalise_email(item["login_email"]) != normalise_email(email):
            return False
        if short_id is not None and item["short_id"] != short_id:
            return False
        if "incomplete" in statuses and item["status"] != "active":
            return True
        return not statuses or item["status"] in statuses

    return keep


def _patch_status_errors(body: JsonDict, status: str) -> list[FieldError]:
    allowed = PATCHABLE_BY_STATUS.get(status, frozenset()) | {"external_id"}
    known = PATCHABLE_BY_STATUS["created"] | {"external_id"}
    errors = []
    for key in sorted(body):
        if key not in known:
            errors.append(
                FieldError(key, "is not allowed", f"should NOT have additional properties - {key}")
            )
        elif key not in allowed:
            message = f"cannot be changed while the employment is {status}"
            errors.append(FieldError(key, message, f"{key}: {message}"))
    return errors


def _merged_for_patch(record: JsonDict, body: JsonDict) -> JsonDict:
    """The create-shaped body the employment would have after the patch, for validation."""
    basic = dict(record.get("basic_information") or {})
    basic.update(body.get("basic_information") or {})
    return {
        "country_code": body.get("country_code", record["country_code"]),
        "type": body.get("type", record["type"]),
        "external_id": body.get("external_id", record.get("external_id")),
        "basic_information": basic,
    }


def _apply_patch(record: JsonDict, body: JsonDict, now: str) -> None:
    if isinstance(body.get("basic_information"), dict):
        record["basic_information"] = {**record["basic_information"], **body["basic_information"]}
        _sync_flat_fields(record)
    if "country_code" in body:
        record["country_code"] = body["country_code"]
        record["country"] = _country(body["country_code"])
    for key in sorted(set(body) - {"basic_information", "country_code"}):
        record[key] = body[key]
    record["updated_at"] = now


def _sync_flat_fields(record: JsonDict) -> None:
    # Requests say name/email inside basic_information; responses keep the flat names (§2.3).
    basic = record["basic_information"]
    record["full_name"] = basic.get("name")
    record["personal_email"] = basic.get("email")
    record["login_email"] = basic.get("email")
    record["job_title"] = basic.get("job_title")
    record["provisional_start_date"] = basic.get("provisional_start_date")
    record["work_email"] = basic.get("work_email", record.get("work_email"))


def _full_employment(company: _Company, fields: JsonDict, now: str) -> JsonDict:
    """A full employment record from create fields or from a dataset record."""
    basic = dict(fields.get("basic_information") or {})
    basic.setdefault("name", fields.get("full_name"))
    basic.setdefault("email", fields.get("personal_email"))
    basic.setdefault("job_title", fields.get("job_title"))
    basic.setdefault("provisional_start_date", fields.get("provisional_start_date"))
    basic.setdefault("has_seniority_date", "no")
    country_code = fields.get("country_code") or (fields.get("country") or {}).get("code", "PRT")
    record: JsonDict = {
        "id": fields.get("id") or str(uuid.uuid4()),
        "short_id": fields.get("short_id") or _short_id(),
        "company_id": company.info.get("id"),
        "country_code": country_code,
        "country": _country(country_code),
        "type": fields.get("type", "employee"),
        "employment_model": "eor",
        "status": fields.get("status", "created"),
        "employment_lifecycle_stage": fields.get(
            "employment_lifecycle_stage", "employment_creation"
        ),
        "external_id": fields.get("external_id"),
        "department": fields.get("department"),
        "department_id": fields.get("department_id"),
        "manager_id": fields.get("manager_id"),
        "work_address_details": fields.get("work_address_details", {}),
        "address_details": fields.get("address_details"),
        "emergency_contact_details": fields.get("emergency_contact_details"),
        "basic_information": basic,
        "work_email": fields.get("work_email"),
        "created_at": fields.get("created_at", now),
        "updated_at": fields.get("updated_at", now),
    }
    _sync_flat_fields(record)
    return record


def _short_id() -> str:
    alphabet = string.ascii_uppercase + string.digits
    return "".join(alphabet[byte % len(alphabet)] for byte in uuid.uuid4().bytes[:6])


def _created_view(record: JsonDict) -> JsonDict:
    keys = (
        "id",
        "company_id",
        "country_code",
        "type",
        "full_name",
        "personal_email",
        "login_email",
        "job_title",
        "provisional_start_date",
        "employment_lifecycle_stage",
        "status",
        "external_id",
        "basic_information",
        "created_at",
        "updated_at",
    )
    return _copy({key: record[key] for key in keys})


def _minimal(record: JsonDict) -> JsonDict:
    keys = (
        "id",
        "short_id",
        "full_name",
        "personal_email",
        "login_email",
        "work_email",
        "external_id",
        "status",
        "employment_lifecycle_stage",
        "employment_model",
        "type",
        "job_title",
        "country",
        "department",
        "department_id",
        "work_address_details",
    )
    return _copy({key: record[key] for key in keys})


def main() -> None:
    def build(data: Path, port: int, rate_limit: int | None) -> FakeServer:
        return RemoteFake(data, port=port, rate_limit_per_minute=rate_limit)

    run_standalone("Serve a local fake of Remote's employments API for one company.", build)


if __name__ == "__main__":
    main()
