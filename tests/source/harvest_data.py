"""Small Harvest v3 tenants built in code, so each test states exactly what Greenhouse holds."""

from __future__ import annotations

from typing import Any

SCOPES = [
    f"harvest:{resource}:list"
    for resource in ("offers", "applications", "candidates", "jobs", "custom_fields", "users")
]
CLIENT_ID = "test-client-id"
CLIENT_SECRET = "test-client-secret-value"
SITE_ADMIN = 5001122
NOT_ADMIN = 5009999


def stamp(day: int, hour: int = 10) -> str:
    return f"2026-10-{day:02d}T{hour:02d}:00:00.000Z"


def offer(
    offer_id: int,
    application_id: int,
    *,
    version: int = 1,
    status: str = "Created",
    candidate_id: int | None = None,
    job_id: int = 700,
    updated_at: str | None = None,
    custom_fields: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "id": offer_id,
        "version": version,
        "application_id": application_id,
        "candidate_id": candidate_id if candidate_id is not None else application_id + 10_000,
        "job_id": job_id,
        "opening_id": None,
        "status": status,
        "sent_on": "2026-10-01",
        "starts_on": "2026-11-16",
        "resolved_at": stamp(3) if status == "Accepted" else None,
        "created_at": stamp(1),
        "updated_at": updated_at or stamp(2),
        "custom_fields": custom_fields or {},
    }


def application(
    application_id: int,
    *,
    status: str = "hired",
    job_id: int = 700,
    updated_at: str | None = None,
) -> dict[str, Any]:
    return {
        "id": application_id,
        "candidate_id": application_id + 10_000,
        "job_id": job_id,
        "status": status,
        "prospect": False,
        "created_at": "2026-01-05T09:00:00.000Z",
        "updated_at": updated_at or stamp(4),
        "custom_fields": {},
    }


def candidate(candidate_id: int, *, private: bool = False) -> dict[str, Any]:
    return {
        "id": candidate_id,
        "first_name": f"First{candidate_id}",
        "last_name": f"Last{candidate_id}",
        "private": private,
        "email_addresses": [{"value": f"c{candidate_id}@example.invalid", "type": "personal"}],
        "created_at": stamp(1),
        "updated_at": stamp(1),
    }


def job(job_id: int) -> dict[str, Any]:
    return {"id": job_id, "name": f"Job {job_id}", "created_at": stamp(1), "updated_at": stamp(1)}


def tenant(
    offers: list[dict[str, Any]],
    applications: list[dict[str, Any]] | None = None,
    *,
    custom_fields: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A tenant whose applications, candidates and jobs cover every id the offers name."""
    applications = list(applications or [])
    known = {record["id"] for record in applications}
    for record in offers:
        if record["application_id"] not in known:
            applications.append(application(record["application_id"], status="in_process"))
            known.add(record["application_id"])
    candidate_ids = {record["candidate_id"] for record in applications} | {
        record["candidate_id"] for record in offers
    }
    job_ids = {record["job_id"] for record in applications} | {r["job_id"] for r in offers}
    return {
        "clients": {
            CLIENT_ID: {"secret": CLIENT_SECRET, "scopes": SCOPES},
            "no-candidates-id": {
                "secret": "no-candidates-secret",
                "scopes": [scope for scope in SCOPES if scope != "harvest:candidates:list"],
            },
        },
        "users": [
            {"id": SITE_ADMIN, "site_admin": True, "created_at": stamp(1), "updated_at": stamp(1)},
            {"id": NOT_ADMIN, "site_admin": False, "created_at": stamp(1), "updated_at": stamp(1)},
        ],
        "custom_fields": custom_fields or [],
        "offers": offers,
        "applications": applications,
        "candidates": [candidate(candidate_id) for candidate_id in sorted(candidate_ids)],
        "jobs": [job(job_id) for job_id in sorted(job_ids)],
    }
