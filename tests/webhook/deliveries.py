"""Builders of Greenhouse webhook bodies and of matching fake-Harvest / fake-Remote data."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import requests

from webhook_receiver.signature import sign

# Invented payloads in the shapes the reference notes document; kept in the repository.
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "greenhouse"
SECRET = "test-webhook-secret-not-real"
HARVEST_CLIENT_ID = "webhook-test-client"
HARVEST_CLIENT_SECRET = "webhook-test-client-secret"
SITE_ADMIN_ID = 5001122


def fixture(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / name).read_text("utf-8"))
    return loaded


def encode(document: dict[str, Any]) -> bytes:
    return json.dumps(document, separators=(",", ":")).encode("utf-8")


def hire_document(
    application_id: int,
    *,
    candidate_id: int | None = None,
    email: str | None = None,
    offer_id: int | None = None,
    starts_at: str = "2027-02-01",
) -> dict[str, Any]:
    """A hire_candidate body shaped like the documented example, for one application."""
    document = copy.deepcopy(fixture("webhook-hire-candidate-docs-based.json"))
    application = document["payload"]["application"]
    candidate_id = candidate_id or application_id + 1_000_000
    application["id"] = application_id
    application["candidate"]["id"] = candidate_id
    application["candidate"]["email_addresses"] = [
        {"value": email or f"hire{application_id}@example.test", "type": "personal"}
    ]
    application["offer"]["id"] = offer_id or application_id + 2_000_000
    application["offer"]["starts_at"] = starts_at
    return document


def offer_document(
    offer_id: int, application_id: int, version: int, *, start_date: str = "02/01/2027"
) -> dict[str, Any]:
    """An offer_created body shaped like the documented example."""
    document = copy.deepcopy(fixture("webhook-offer-created-new-version-with-boolean.json"))
    payload = document["payload"]
    payload.update(
        id=offer_id, application_id=application_id, version=version, start_date=start_date
    )
    return document


def post(
    base_url: str,
    body: bytes,
    event_id: str | None,
    *,
    signature: str | None = "valid",
    session: requests.Session | None = None,
) -> requests.Response:
    """POST a delivery the way Greenhouse does; ``signature="valid"`` signs it properly."""
    headers = {"Content-Type": "application/json"}
    if event_id is not None:
        headers["Greenhouse-Event-ID"] = event_id
    if signature == "valid":
        headers["Signature"] = sign(body, SECRET)
    elif signature is not None:
        headers["Signature"] = signature
    sender = session or requests
    return sender.post(f"{base_url}/webhooks/greenhouse", data=body, headers=headers, timeout=10)


def harvest_dataset(application_ids: list[int]) -> dict[str, Any]:
    """Harvest v3 records for the given applications: one candidate and one shared job."""
    job = fixture("job-v3.json")
    template_application = fixture("application-v3-hired.json")
    template_candidate = fixture("candidate-v3-several-emails.json")
    applications, candidates = [], []
    for application_id in application_ids:
        candidate_id = application_id + 1_000_000
        applications.append(
            {**template_application, "id": application_id, "candidate_id": candidate_id,
             "job_id": job["id"]}
        )  # fmt: skip
        candidates.append(
            {
                **template_candidate,
                "id": candidate_id,
                "email_addresses": [
                    {"value": f"hire{application_id}@example.test", "type": "personal"}
                ],
            }
        )
    return {
        "clients": {
            HARVEST_CLIENT_ID: {
                "secret": HARVEST_CLIENT_SECRET,
                "scopes": [f"harvest:{name}:list" for name in ("applications", "candidates",
                                                                 "jobs", "offers")],
            }
        },
        "users": [{"id": SITE_ADMIN_ID, "site_admin": True, "first_name": "Site",
                   "last_name": "Admin"}],
        "applications": applications,
        "candidates": candidates,
        "jobs": [job],
    }  # fmt: skip


SAMPLE_DATA = Path(__file__).resolve().parents[2] / "integration_tests" / "sample_data"


def sample_tenant() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SAMPLE_DATA / "greenhouse_tenant.json").read_text())
    return loaded


def sample_company() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SAMPLE_DATA / "remote_company.json").read_text())
    return loaded


def _webhook_custom_fields(fields: dict[str, Any] | None) -> dict[str, Any]:
    # Webhooks label yes/no fields "boolean" (reference notes §6).
    return {
        key: {**entry, "type": "boolean" if entry.get("type") == "yes_no" else entry.get("type")}
        for key, entry in (fields or {}).items()
    }


def offer_webhook_from_v3(offer: dict[str, Any]) -> dict[str, Any]:
    """The offer_created body Greenhouse would send for a v3 offer record."""
    starts_on = offer.get("starts_on")
    year, month, day = starts_on.split("-") if starts_on else ("", "", "")
    return {
        "action": "offer_created",
        "payload": {
            "id": offer["id"],
            "application_id": offer["application_id"],
            "job_id": offer["job_id"],
            "user_id": SITE_ADMIN_ID,
            "version": offer["version"],
            "sent_on": offer.get("sent_on"),
            "resolved_at": offer.get("resolved_at"),
            "start_date": f"{month}/{day}/{year}" if starts_on else None,
            "notes": None,
            "offer_status": offer["status"],
            "custom_fields": _webhook_custom_fields(offer.get("custom_fields")),
        },
    }


def hire_webhook_from_v3(
    application: dict[str, Any],
    candidate: dict[str, Any],
    job: dict[str, Any],
    offer: dict[str, Any],
) -> dict[str, Any]:
    """The hire_candidate body Greenhouse would send for these v3 records (v1 names)."""
    return {
        "action": "hire_candidate",
        "payload": {
            "application": {
                "id": application["id"],
                "status": "hired",
                "prospect": False,
                "source": {"id": application.get("source_id"), "public_name": "Referral"},
                "candidate": {
                    "id": candidate["id"],
                    "first_name": candidate["first_name"],
                    "last_name": candidate["last_name"],
                    "title": candidate.get("title"),
                    "is_private": candidate.get("private", False),
                    "can_email": True,
                    "email_addresses": candidate.get("email_addresses", []),
                    "phone_numbers": candidate.get("phone_numbers", []),
                    "addresses": candidate.get("addresses", []),
                    "attachments": [],
                    "custom_fields": {},
                },
                "jobs": [
                    {
                        "id": job["id"],
                        "name": job["name"],
                        "requisition_id": job.get("requisition_id"),
                        "confidential": False,
                        "departments": [{"id": job.get("department_id"), "name": "Dept"}],
                        "offices": [{"id": office} for office in job.get("office_ids", [])],
                        "custom_fields": {},
                    }
                ],
                "custom_fields": {},
                "offer": {
                    "id": offer["id"],
                    "version": offer["version"],
                    "created_at": offer.get("created_at"),
                    "sent_at": offer.get("sent_on"),
                    "resolved_at": offer.get("resolved_at"),
                    "starts_at": offer.get("starts_on"),
                    "custom_fields": _webhook_custom_fields(offer.get("custom_fields")),
                },
            }
        },
    }


def generated_hire(number: int) -> dict[str, Any]:
    """A hire_candidate body for an invented, eligible Portuguese hire number ``number``."""
    application_id = 93000000 + number
    return hire_webhook_from_v3(
        {"id": application_id, "source_id": 1},
        {
            "id": 94000000 + number,
            "first_name": "Load",
            "last_name": f"Tester {number}",
            "email_addresses": [{"value": f"load{number}@example.test", "type": "personal"}],
        },
        {"id": 4410032, "name": "Senior Data Engineer", "department_id": 7, "office_ids": [1]},
        {
            "id": 95000000 + number,
            "version": 1,
            "starts_on": "2027-02-01",
            "resolved_at": "2026-12-01T10:00:00Z",
            "custom_fields": {
                "send_new_hire_information_to_remote_for_onboarding": {
                    "name": "Send New Hire information to Remote for Onboarding",
                    "type": "yes_no",
                    "value": True,
                },
                "country_of_employment": {
                    "name": "Country of Employment",
                    "type": "single_select",
                    "value": "Portugal",
                },
            },
        },
    )
