"""Write the committed sample data: ``greenhouse_tenant.json`` (a Harvest v3 tenant),
``remote_company.json`` (a Remote sandbox company) and the table in ``README.md``.

Deterministic: no clock, no randomness. Every person is invented and every address uses a
reserved ``example.*`` domain. Run ``python -m integration_tests.sample_data.build_samples``.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Final

HERE: Final = Path(__file__).resolve().parent
SEND_KEY: Final = "send_new_hire_information_to_remote_for_onboarding"
SEND_NAME: Final = "Send New Hire information to Remote for Onboarding"
COUNTRY_KEY: Final = "country_of_employment"
COUNTRY_NAME: Final = "Country of Employment"
SITE_ADMIN_ID: Final = 5001122
NON_ADMIN_ID: Final = 5009999
ID_NAMESPACE: Final = uuid.UUID("6f1f3c1e-2b7a-4c55-9d0e-0a1b2c3d4e5f")
ALL_READ_SCOPES: Final = [
    f"harvest:{resource}:list"
    for resource in (
        "offers",
        "applications",
        "candidates",
        "jobs",
        "users",
        "custom_fields",
        "custom_field_options",
    )
]
Json = dict[str, Any]


@dataclass(frozen=True)
class OfferVersion:
    status: str
    send: Any
    country: str
    starts_on: str | None
    offer_id: int | None = None


@dataclass(frozen=True)
class Hire:
    """One application of the sample tenant with its candidate and offer versions."""

    application_id: int
    candidate_id: int
    first_name: str
    last_name: str
    job_id: int
    status: str
    offers: list[OfferVersion]
    special: str
    emails: list[tuple[str, str]] = field(default_factory=list)
    private: bool = False
    offset_stamp: bool = False


JOBS: Final = [
    (4410032, "Senior Data Engineer", "ENG-0412", 7712003, [6601002, 6601009]),
    (4410045, "Product Designer", "DES-0107", 7712011, [6601002]),
    (4410051, "Backend Engineer", "ENG-0420", 7712003, [6601009, 6601015]),
    (4410060, "Customer Success Manager", "CS-0033", 7712020, [6601021]),
    (4410072, "Site Reliability Engineer", "ENG-0431", 7712003, [6601015]),
    (4410088, "Finance Analyst", "FIN-0012", 7712034, [6601002]),
    (4410093, "Engineering Manager", "ENG-0440", 7712003, [6601009]),
    (4410107, "Technical Writer", "DOC-0005", 7712041, [6601021, 6601002]),
]


def _personal(first: str, last: str, domain: str = "example.test") -> list[tuple[str, str]]:
    local = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
    return [(f"{local}@{domain}", "personal")]


HIRES: Final = [
    Hire(
        90214477,
        77341290,
        "Ines",
        "Carvalho-Moreau",
        4410032,
        "hired",
        [
            OfferVersion("Deprecated", None, "Portugal", "2027-01-04", 48120877),
            OfferVersion("Accepted", True, "Portugal", "2027-01-11", 48120931),
        ],
        "several e-mails (work, personal, other); already in Remote as ours (status created)",
        [
            ("ines.cm@work-example.test", "work"),
            ("ines.personal@example.test", "personal"),
            ("ines.old@example.test", "other"),
        ],
    ),
    Hire(
        90214501,
        77341301,
        "Oliver",
        "Pritchard",
        4410045,
        "hired",
        [OfferVersion("Accepted", True, "Portugal", "2027-01-18")],
        "e-mail taken in Remote by an employment not ours (external_id hris-4471, active)",
        _personal("oliver", "pritchard", "example.net"),
    ),
    Hire(
        90214522,
        77341322,
        "Zoë",
        "Ångström-Núñez",
        4410051,
        "hired",
        [
            OfferVersion("Deprecated", True, "Germany", "2027-02-01"),
            OfferVersion("Deprecated", True, "Germany", "2027-02-08"),
            OfferVersion("Accepted", True, "Germany", "2027-02-15"),
        ],
        "accented name; three offer versions",
        [("zoe.angstrom@example.test", "personal")],
    ),
    Hire(
        90214533,
        77350001,
        "Kofi",
        "Mensah",
        4410032,
        "hired",
        [OfferVersion("Accepted", True, "United Kingdom", "2027-01-25")],
        "candidate has no e-mail at all",
        [],
    ),
    Hire(
        90214544,
        77341344,
        "Priya",
        "Raman",
        4410060,
        "in_process",
        [OfferVersion("Created", True, "Canada", "2027-03-01")],
        "eligible offer, not hired yet",
        [("priya.raman@work-example.test", "work"), ("priya.raman@example.test", "personal")],
    ),
    Hire(
        90214555,
        77341355,
        "Lucas",
        "Ferreira",
        4410072,
        "hired",
        [OfferVersion("Accepted", True, "Brazil", "2027-02-01")],
        "plain eligible hire; offer updated_at has a +02:00 offset",
        _personal("lucas", "ferreira"),
        offset_stamp=True,
    ),
    Hire(
        90214566,
        77341366,
        "Hannah",
        "Vogel",
        4410051,
        "hired",
        [OfferVersion("Accepted", False, "Germany", "2027-01-11")],
        "yes/no answered false",
        _personal("hannah", "vogel"),
    ),
    Hire(
        90214577,
        77341377,
        "Aoife",
        "Byrne",
        4410088,
        "in_process",
        [OfferVersion("Created", None, "United Kingdom", "2027-02-22")],
        "yes/no not answered (null)",
        _personal("aoife", "byrne"),
    ),
    Hire(
        90214588,
        77341388,
        "Mateo",
        "Rossi",
        4410093,
        "hired",
        [OfferVersion("Accepted", "Yes", "Portugal", "2027-03-01")],
        'yes/no is the legacy string "Yes"; offer updated_at has a +02:00 offset',
        _personal("mateo", "rossi"),
        offset_stamp=True,
    ),
    Hire(
        90214599,
        77341399,
        "Noah",
        "Tremblay",
        4410107,
        "hired",
        [OfferVersion("Accepted", True, "Atlantis", "2027-02-01")],
        'unknown country "Atlantis"',
        _personal("noah", "tremblay"),
    ),
    Hire(
        90214610,
        77341410,
        "Sofia",
        "Almeida",
        4410032,
        "hired",
        [OfferVersion("Accepted", True, "Portugal", "2026-12-25")],
        "start date on a holiday (2026-12-25): Remote answers 422",
        _personal("sofia", "almeida"),
    ),
    Hire(
        90214621,
        77341421,
        "Emeka",
        "Obi",
        4410072,
        "in_process",
        [OfferVersion("Created", True, "United Kingdom", None)],
        "offer has no start date (starts_on null)",
        _personal("emeka", "obi"),
    ),
    Hire(
        90214632,
        77341432,
        "Grace",
        "Lindqvist",
        4410060,
        "rejected",
        [
            OfferVersion("Deprecated", True, "Canada", "2027-01-18"),
            OfferVersion("Rejected", True, "Canada", "2027-01-25"),
        ],
        "candidate declined: current offer Rejected, application rejected",
        _personal("grace", "lindqvist"),
    ),
    Hire(
        90214643,
        77341443,
        "Yuki",
        "Tanaka",
        4410051,
        "hired",
        [OfferVersion("Accepted", True, "Germany", "2027-02-08")],
        "only e-mail is typed other",
        [("yuki.tanaka@example.test", "other")],
    ),
    Hire(
        90214654,
        77341454,
        "Camille",
        "Laurent",
        4410045,
        "hired",
        [OfferVersion("Accepted", True, "Portugal", "2027-01-18")],
        "private candidate (private: true)",
        _personal("camille", "laurent"),
        private=True,
    ),
    Hire(
        90214665,
        77341465,
        "Arjun",
        "Mehta",
        4410088,
        "in_process",
        [
            OfferVersion("Deprecated", None, "Brazil", "2027-02-15"),
            OfferVersion("Created", True, "Brazil", "2027-03-01"),
        ],
        "old version unanswered, new version yes",
        _personal("arjun", "mehta"),
    ),
    Hire(
        90214676,
        77341476,
        "Elena",
        "Petrova",
        4410093,
        "hired",
        [
            OfferVersion("Deprecated", False, "Canada", "2027-01-25"),
            OfferVersion("Accepted", True, "Canada", "2027-02-01"),
        ],
        "answer flipped from false to true on the new version",
        _personal("elena", "petrova"),
    ),
    Hire(
        90214687,
        77341487,
        "Tomás",
        "García",
        4410107,
        "in_process",
        [
            OfferVersion("Deprecated", True, "United Kingdom", "2027-03-08"),
            OfferVersion("Created", False, "United Kingdom", "2027-03-15"),
        ],
        "answer flipped from true to false on the new version",
        [("tomas.garcia@example.test", "personal")],
    ),
    Hire(
        90214698,
        77341498,
        "Fatima",
        "Benali",
        4410032,
        "in_process",
        [
            OfferVersion("Deprecated", True, "Portugal", "2027-01-11"),
            OfferVersion("Deprecated", True, "Portugal", "2027-01-18"),
            OfferVersion("Created", True, "Portugal", "2027-01-25"),
        ],
        "three versions, current one Created",
        _personal("fatima", "benali"),
    ),
]

REMOTE_OTHERS: Final = [
    ("Marta Figueiredo Sousa", "marta.sousa@example.org", "PRT", "Backend Engineer", "active"),
    ("Jonas Becker", "jonas.becker@example.org", "DEU", "Data Analyst", "active"),
    ("Chloé Martin", "chloe.martin@example.org", "FRA", "Account Executive", "invited"),
    ("Rafael Souza", "rafael.souza@example.org", "BRA", "QA Engineer", "active"),
    ("Emily Clarke", "emily.clarke@example.org", "GBR", "People Partner", "created"),
    ("Liam O'Connor", "liam.oconnor@example.org", "IRL", "Support Engineer", "active"),
    ("Sara Nilsson", "sara.nilsson@example.org", "SWE", "Frontend Engineer", "offboarding"),
    ("Daniel Kowalski", "daniel.kowalski@example.org", "POL", "DevOps Engineer", "active"),
]


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _offset_stamp(moment: datetime) -> str:
    return moment.astimezone(timezone(timedelta(hours=2))).isoformat(timespec="milliseconds")


def _moment(index: int, days: int = 0, hours: int = 0) -> datetime:
    """Spread the tenant's history over 2026-09..2026-11, a few days per application."""
    start = datetime(2026, 9, 2, 9, 15, 0, tzinfo=UTC)
    return start + timedelta(days=index * 4 + days, hours=hours, milliseconds=index * 37 + 11)


def offer_id(hire: Hire, version: int) -> int:
    explicit = hire.offers[version - 1].offer_id
    return (
        explicit if explicit is not None else 48121000 + (hire.application_id % 1000) * 4 + version
    )


def build_offers(hire: Hire, index: int) -> list[Json]:
    offers = []
    for version, offer in enumerate(hire.offers, start=1):
        created = _moment(index, days=(version - 1) * 3)
        resolved = None if offer.status == "Created" else created + timedelta(days=2, hours=3)
        updated = resolved or created + timedelta(hours=1)
        last = version == len(hire.offers)
        offers.append(
            {
                "id": offer_id(hire, version),
                "version": version,
                "application_id": hire.application_id,
                "job_id": hire.job_id,
                "candidate_id": hire.candidate_id,
                "opening_id": 5523000 + index if last else None,
                "status": offer.status,
                "sent_on": (created + timedelta(days=1)).date().isoformat(),
                "starts_on": offer.starts_on,
                "resolved_at": _stamp(resolved) if resolved else None,
                "created_at": _stamp(created),
                "updated_at": (_offset_stamp if hire.offset_stamp and last else _stamp)(updated),
                "custom_fields": {
                    SEND_KEY: {"name": SEND_NAME, "type": "yes_no", "value": offer.send},
                    COUNTRY_KEY: {
                        "name": COUNTRY_NAME,
                        "type": "single_select",
                        "value": offer.country,
                    },
                    "employment_type": {
                        "name": "Employment Type",
                        "type": "single_select",
                        "value": "Full-time",
                    },
                },
            }
        )
    return offers


def build_application(hire: Hire, index: int) -> Json:
    finished = _moment(index, days=(len(hire.offers) - 1) * 3 + 2, hours=4)
    open_stage = hire.status == "in_process"
    return {
        "id": hire.application_id,
        "candidate_id": hire.candidate_id,
        "job_id": hire.job_id,
        "job_post_id": 5120000 + hire.job_id % 1000,
        "status": hire.status,
        "prospect": False,
        "stage_id": 310884000 + index if open_stage else None,
        "stage_name": "Offer" if open_stage else None,
        "job_interview_stage_id": 11925559000 + index if open_stage else None,
        "recruiter_id": SITE_ADMIN_ID,
        "coordinator_id": NON_ADMIN_ID if index % 2 else None,
        "referrer_id": None,
        "source_id": 4000142,
        "needs_decision": True if open_stage else None,
        "rejected_at": _stamp(finished) if hire.status == "rejected" else None,
        "last_activity_at": _stamp(finished),
        "location_address": None,
        "answers": [],
        "prospective_job_ids": [],
        "custom_fields": {},
        "agency_note_id": None,
        "created_at": _stamp(_moment(index, days=-20)),
        "updated_at": _stamp(finished + timedelta(milliseconds=6)),
    }


def build_candidate(hire: Hire, index: int) -> Json:
    return {
        "id": hire.candidate_id,
        "first_name": hire.first_name,
        "last_name": hire.last_name,
        "preferred_name": None,
        "company": None,
        "title": None,
        "time_zone": None,
        "last_activity_at": _stamp(_moment(index, days=len(hire.offers) * 3)),
        "private": hire.private,
        "can_email": bool(hire.emails),
        "tags": [],
        "linked_user_ids": [],
        "phone_numbers": [],
        "addresses": [],
        "email_addresses": [{"value": value, "type": kind} for value, kind in hire.emails],
        "website_addresses": [],
        "social_media_addresses": [],
        "custom_fields": {},
        "created_at": _stamp(_moment(index, days=-20, hours=-1)),
        "updated_at": _stamp(_moment(index, days=len(hire.offers) * 3, hours=2)),
    }


def build_job(
    job_id: int, name: str, requisition: str, department: int, offices: list[int]
) -> Json:
    return {
        "id": job_id,
        "name": name,
        "requisition_id": requisition,
        "notes": None,
        "confidential": False,
        "status": "open",
        "opened_at": "2026-07-01T09:00:00.000Z",
        "closed_at": None,
        "is_template": False,
        "copied_from_id": None,
        "department_id": department,
        "office_ids": offices,
        "custom_fields": {},
        "created_at": "2026-06-24T15:30:12.000Z",
        "updated_at": _stamp(
            datetime(2026, 9, 1, 8, 0, tzinfo=UTC) + timedelta(hours=job_id % 97)
        ),
    }


def custom_field_definitions() -> list[Json]:
    def definition(field_id: int, name: str, key: str, value_type: str) -> Json:
        return {
            "id": field_id,
            "field_type": "offer",
            "name": name,
            "value_type": value_type,
            "name_key": key,
            "private": False,
            "required": False,
            "internal_type": None,
            "active": True,
            "trigger_new_version": False,
            "created_at": "2026-05-11T10:20:00.000Z",
            "updated_at": "2026-05-11T10:20:00.000Z",
        }

    return [
        definition(11800452, SEND_NAME, SEND_KEY, "yes_no"),
        definition(11800467, COUNTRY_NAME, COUNTRY_KEY, "single_select"),
        definition(11800471, "Employment Type", "employment_type", "single_select"),
    ]


def users() -> list[Json]:
    def user(user_id: int, first: str, last: str, admin: bool) -> Json:
        email = f"{first}.{last}@acme-example.test".lower()
        return {
            "id": user_id,
            "first_name": first,
            "last_name": last,
            "name": f"{first} {last}",
            "primary_email": email,
            "emails": [email],
            "deactivated": False,
            "site_admin": admin,
            "employee_id": None,
            "office_ids": [],
            "department_ids": [],
            "linked_candidate_ids": [],
            "created_at": "2025-01-06T09:00:00.000Z",
            "updated_at": "2026-09-01T09:00:00.000Z",
        }

    return [
        user(SITE_ADMIN_ID, "Morgan", "Ellis", True),
        user(NON_ADMIN_ID, "Riley", "Chen", False),
    ]


def greenhouse_tenant() -> Json:
    offers, applications, candidates = [], [], []
    for index, hire in enumerate(HIRES):
        offers += build_offers(hire, index)
        applications.append(build_application(hire, index))
        candidates.append(build_candidate(hire, index))
    return {
        "offers": offers,
        "applications": applications,
        "candidates": candidates,
        "jobs": [build_job(*job) for job in JOBS],
        "custom_fields": custom_field_definitions(),
        "users": users(),
        "clients": {
            "demo-client-id": {"secret": "demo-client-secret", "scopes": ALL_READ_SCOPES},
            "limited-client-id": {
                "secret": "limited-client-secret",
                "scopes": [
                    scope for scope in ALL_READ_SCOPES if scope != "harvest:candidates:list"
                ],
            },
        },
    }


def remote_employment(
    name: str,
    email: str,
    country: str,
    title: str,
    status: str,
    start: str,
    external_id: str | None,
) -> Json:
    employment_id = str(uuid.uuid5(ID_NAMESPACE, email))
    stage = "employment_creation" if status == "created" else "onboarded"
    return {
        "id": employment_id,
        "short_id": employment_id.replace("-", "")[:6].upper(),
        "country_code": country,
        "type": "employee",
        "status": status,
        "employment_lifecycle_stage": "employee_self_enrollment" if status == "invited" else stage,
        "external_id": external_id,
        "basic_information": {
            "name": name,
            "email": email,
            "job_title": title,
            "provisional_start_date": start,
            "has_seniority_date": "no",
        },
        "created_at": "2026-10-06T08:00:00",
        "updated_at": "2026-10-06T08:00:00",
    }


def remote_company() -> Json:
    employments = [
        remote_employment(
            "Oliver James Pritchard",
            "oliver.pritchard@example.net",
            "GBR",
            "Product Designer",
            "active",
            "2026-03-02",
            "hris-4471",
        ),
        remote_employment(
            "Ines Carvalho-Moreau",
            "ines.personal@example.test",
            "PRT",
            "Senior Data Engineer",
            "created",
            "2027-01-11",
            "greenhouse-application-90214477",
        ),
    ]
    for number, (name, email, country, title, status) in enumerate(REMOTE_OTHERS):
        start = (date(2026, 4, 6) + timedelta(weeks=3 * number)).isoformat()
        employments.append(remote_employment(name, email, country, title, status, start, None))
    return {
        "company": {"id": "9b1e6f02-54c3-4d7a-8e21-0f6a3c9d5e88", "name": "Acme Example Ltd"},
        "environment": "sandbox",
        "tokens": {"ra_test_demo_token": "full", "ra_test_readonly_token": "read_only"},
        "user": {
            "id": "1d0f3e55-8a8b-4b43-9a7e-3f1f0c2b7d10",
            "name": "Acme API token",
            "email": "people-ops@acme-example.test",
        },
        "settings": {
            "today": "2026-12-04",
            "min_onboarding_days": 5,
            "holidays": ["2026-12-25", "2026-12-26", "2027-01-01", "2027-04-02", "2027-04-05"],
            "rate_limit_per_minute": 20,
        },
        "employments": employments,
    }


def readme_table() -> str:
    lines = [
        "| application | candidate | offers (id v status) | current yes/no | country | "
        "starts_on | application status | special |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for hire in HIRES:
        versions = ", ".join(
            f"{offer_id(hire, number)} v{number} {offer.status}"
            for number, offer in enumerate(hire.offers, start=1)
        )
        current = hire.offers[-1]
        lines.append(
            f"| {hire.application_id} | {hire.candidate_id} {hire.first_name} {hire.last_name} "
            f"| {versions} | `{json.dumps(current.send)}` | {current.country} | "
            f"{current.starts_on or '`null`'} | {hire.status} | {hire.special} |"
        )
    return "\n".join(lines)


README: Final = """# Sample data

Generated by `python -m integration_tests.sample_data.build_samples` (deterministic; do not edit
the JSON or this file by hand: change `build_samples.py` and run it again). Every person is
invented; addresses use reserved `example.*` domains.

## `greenhouse_tenant.json` (Harvest v3 tenant for `HarvestFake`)

- Offer custom fields (`custom_fields`, field_type `offer`):
  `send_new_hire_information_to_remote_for_onboarding` (yes_no, "Send New Hire information to
  Remote for Onboarding"), `country_of_employment` (single_select, "Country of Employment"),
  `employment_type` (single_select).
  In offers each is `{"name", "type", "value"}` keyed by name_key.
- Users: 5001122 Morgan Ellis (site admin), 5009999 Riley Chen (not a site admin: list endpoints
  answer `[]` to a token minted with this `sub`).
- Clients: `demo-client-id` / `demo-client-secret` (all read scopes);
  `limited-client-id` / `limited-client-secret` (lacks `harvest:candidates:list`).
- Jobs: 8, ids 4410032, 4410045, 4410051, 4410060, 4410072, 4410088, 4410093, 4410107.
- Timestamps: UTC with `Z` and milliseconds, except the current offers of applications 90214555
  and 90214588, whose `updated_at` carries a `+02:00` offset.
- Offer ids grow with the version; older versions are `Deprecated`. "current" below means the
  highest `version` of the application (what `current_only=true` returns).

{{APPLICATION_TABLE}}

## `remote_company.json` (Remote sandbox company for `RemoteFake`)

- Tokens: `ra_test_demo_token` (full access), `ra_test_readonly_token` (read only).
- Settings: today 2026-12-04, minimum 5 calendar days before a start date (earliest accepted
  2026-12-09), holidays 2026-12-25, 2026-12-26, 2027-01-01, 2027-04-02, 2027-04-05,
  20 requests per minute.
- Employments: Oliver James Pritchard (`oliver.pritchard@example.net`, external_id
  `hris-4471`, active, not ours); Ines Carvalho-Moreau (`ines.personal@example.test`,
  external_id `greenhouse-application-90214477`, created: ours from an earlier sync); and eight
  unrelated employees on `example.org` addresses with no external_id.
"""


def write_json(path: Path, data: Json) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", "utf-8")


def write_readme(path: Path) -> None:
    path.write_text(README.replace("{{APPLICATION_TABLE}}", readme_table()), "utf-8")


def main() -> None:
    write_json(HERE / "greenhouse_tenant.json", greenhouse_tenant())
    write_json(HERE / "remote_company.json", remote_company())
    write_readme(HERE / "README.md")


if __name__ == "__main__":
    main()
