"""Large synthetic datasets for benchmarks: a Harvest tenant of N eligible current offers and a
Remote company with N unrelated employments. Seeded, so a benchmark is repeatable.

The tenant is streamed to disk record by record, so writing a million offers never holds the
lists in memory (the fake that serves the file loads it, of course).
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO, Any, Final

from integration_tests.sample_data.build_samples import (
    ALL_READ_SCOPES,
    COUNTRY_KEY,
    COUNTRY_NAME,
    SEND_KEY,
    SEND_NAME,
    build_job,
    custom_field_definitions,
    users,
)

COUNTRIES: Final = (
    "Portugal",
    "Germany",
    "United Kingdom",
    "Brazil",
    "Canada",
    "Spain",
    "France",
    "Netherlands",
    "Ireland",
    "Poland",
)
TITLES: Final = (
    "Backend Engineer",
    "Product Designer",
    "Data Analyst",
    "Account Executive",
    "Support Engineer",
    "Finance Analyst",
    "Recruiter",
    "Technical Writer",
)
FIRST_NAMES: Final = ("Ana", "Ben", "Chiara", "Dev", "Eva", "Femi", "Greta", "Hugo", "Ilse", "Jun")
LAST_NAMES: Final = ("Silva", "Okafor", "Rossi", "Patel", "Novak", "Berg", "Costa", "Weber")
FIRST_START: Final = date(2027, 1, 11)
FIRST_OFFER_ID: Final = 60_000_000
FIRST_APPLICATION_ID: Final = 70_000_000
FIRST_CANDIDATE_ID: Final = 80_000_000
FIRST_JOB_ID: Final = 5_500_000
Json = dict[str, Any]


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _moment(rng: random.Random) -> datetime:
    """A random instant between 2026-09-01 and 2026-11-30, UTC."""
    start = datetime(2026, 9, 1, tzinfo=UTC)
    return start + timedelta(
        seconds=rng.randrange(90 * 24 * 3600), milliseconds=rng.randrange(1000)
    )


def _candidate_count(n_offers: int, candidates_per_offer: float) -> int:
    return max(1, round(n_offers * candidates_per_offer))


def _offer(index: int, rng: random.Random, n_candidates: int, jobs: int) -> Json:
    created = _moment(rng)
    resolved = created + timedelta(days=2)
    return {
        "id": FIRST_OFFER_ID + index,
        "version": 1,
        "application_id": FIRST_APPLICATION_ID + index,
        "job_id": FIRST_JOB_ID + index % jobs,
        "candidate_id": FIRST_CANDIDATE_ID + index % n_candidates,
        "opening_id": None,
        "status": "Accepted",
        "sent_on": created.date().isoformat(),
        "starts_on": (FIRST_START + timedelta(days=index % 60)).isoformat(),
        "resolved_at": _stamp(resolved),
        "created_at": _stamp(created),
        "updated_at": _stamp(resolved),
        "custom_fields": {
            SEND_KEY: {"name": SEND_NAME, "type": "yes_no", "value": True},
            COUNTRY_KEY: {
                "name": COUNTRY_NAME,
                "type": "single_select",
                "value": COUNTRIES[index % len(COUNTRIES)],
            },
        },
    }


def _application(index: int, rng: random.Random, n_candidates: int, jobs: int) -> Json:
    moment = _stamp(_moment(rng))
    return {
        "id": FIRST_APPLICATION_ID + index,
        "candidate_id": FIRST_CANDIDATE_ID + index % n_candidates,
        "job_id": FIRST_JOB_ID + index % jobs,
        "job_post_id": None,
        "status": "hired",
        "prospect": False,
        "stage_id": None,
        "stage_name": None,
        "job_interview_stage_id": None,
        "recruiter_id": 5001122,
        "coordinator_id": None,
        "referrer_id": None,
        "source_id": None,
        "needs_decision": None,
        "rejected_at": None,
        "last_activity_at": moment,
        "location_address": None,
        "answers": [],
        "prospective_job_ids": [],
        "custom_fields": {},
        "agency_note_id": None,
        "created_at": moment,
        "updated_at": moment,
    }


def _candidate(index: int, rng: random.Random) -> Json:
    moment = _stamp(_moment(rng))
    first, last = FIRST_NAMES[index % len(FIRST_NAMES)], LAST_NAMES[index % len(LAST_NAMES)]
    return {
        "id": FIRST_CANDIDATE_ID + index,
        "first_name": first,
        "last_name": f"{last}-{index}",
        "preferred_name": None,
        "company": None,
        "title": None,
        "time_zone": None,
        "last_activity_at": moment,
        "private": False,
        "can_email": True,
        "tags": [],
        "linked_user_ids": [],
        "phone_numbers": [],
        "addresses": [],
        "email_addresses": [{"value": f"hire{index}@example.test", "type": "personal"}],
        "website_addresses": [],
        "social_media_addresses": [],
        "custom_fields": {},
        "created_at": moment,
        "updated_at": moment,
    }


def _job(index: int) -> Json:
    return build_job(
        FIRST_JOB_ID + index,
        f"{TITLES[index % len(TITLES)]} {index}",
        f"SYN-{index:04d}",
        department=7700000 + index % 5,
        offices=[6600000 + index % 3],
    )


def _write_array(out: IO[str], name: str, records: Iterator[Json], first: bool) -> None:
    out.write(("" if first else ",\n") + json.dumps(name) + ": [")
    for number, record in enumerate(records):
        out.write(("\n" if number == 0 else ",\n") + json.dumps(record, ensure_ascii=False))
    out.write("\n]")


def write_synthetic_tenant(
    path: str | Path,
    n_offers: int,
    seed: int = 0,
    candidates_per_offer: float = 1.0,
    jobs: int = 20,
) -> Path:
    """Write a Harvest dataset of ``n_offers`` current, accepted, eligible offers, one hired
    application each; candidates are shared when ``candidates_per_offer`` is below 1."""
    n_candidates = _candidate_count(n_offers, candidates_per_offer)
    rng = random.Random(seed)
    arrays: list[tuple[str, Callable[[], Iterator[Json]]]] = [
        ("offers", lambda: (_offer(i, rng, n_candidates, jobs) for i in range(n_offers))),
        (
            "applications",
            lambda: (_application(i, rng, n_candidates, jobs) for i in range(n_offers)),
        ),
        ("candidates", lambda: (_candidate(i, rng) for i in range(n_candidates))),
        ("jobs", lambda: (_job(i) for i in range(jobs))),
        ("custom_fields", lambda: iter(custom_field_definitions())),
        ("users", lambda: iter(users())),
    ]
    target = Path(path)
    with target.open("w", encoding="utf-8") as out:
        out.write("{\n")
        for number, (name, records) in enumerate(arrays):
            _write_array(out, name, records(), first=number == 0)
        clients = {"demo-client-id": {"secret": "demo-client-secret", "scopes": ALL_READ_SCOPES}}
        out.write(',\n"clients": ' + json.dumps(clients) + "\n}\n")
    return target


def synthetic_remote_company(n_existing: int, seed: int = 0) -> Json:
    """A sandbox company like ``remote_company.json`` with ``n_existing`` unrelated employments
    (addresses ``existing<i>@example.org``, never colliding with the synthetic tenant)."""
    rng = random.Random(seed)
    employments = []
    for index in range(n_existing):
        email = f"existing{index}@example.org"
        employments.append(
            {
                "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "country_code": rng.choice(("PRT", "DEU", "GBR", "BRA", "CAN", "ESP")),
                "status": rng.choice(("active", "active", "created", "invited")),
                "external_id": None,
                "basic_information": {
                    "name": f"Existing Person {index}",
                    "email": email,
                    "job_title": rng.choice(TITLES),
                    "provisional_start_date": "2026-06-01",
                    "has_seniority_date": "no",
                },
                "created_at": "2026-06-01T08:00:00",
                "updated_at": "2026-06-01T08:00:00",
            }
        )
    return {
        "company": {"id": "0c7d6f1e-1111-4a2b-9c3d-5e6f7a8b9c0d", "name": "Synthetic Co"},
        "environment": "sandbox",
        "tokens": {"ra_test_demo_token": "full", "ra_test_readonly_token": "read_only"},
        "settings": {
            "today": "2026-12-04",
            "min_onboarding_days": 5,
            "holidays": ["2026-12-25", "2026-12-26", "2027-01-01"],
            "rate_limit_per_minute": 20,
        },
        "employments": employments,
    }
