"""Custom components for the manifest, only where the low-code framework cannot say it.

- ``HarvestTokenAuthenticator``: a client-credentials token whose expiry comes from
  ``expires_at`` and is renewed before it runs out, shared with the look-up client, plus pacing
  by ``X-RateLimit-Remaining`` / ``X-RateLimit-Reset`` with every wait logged.
- ``OfferEventExtractor`` / ``HireEventExtractor``: turn one page of offers or hired
  applications into hire events, enriching the whole page with batched, cached look-ups.
- ``HireEventSchemaLoader``: the stream schema is the hire event contract, defined once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import InitVar, dataclass
from datetime import datetime
from typing import Any

import requests
from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.declarative.auth.declarative_authenticator import (
    DeclarativeAuthenticator,
)
from airbyte_cdk.sources.declarative.extractors.record_extractor import RecordExtractor
from airbyte_cdk.sources.declarative.extractors.record_filter import RecordFilter
from airbyte_cdk.sources.declarative.schema.schema_loader import SchemaLoader
from airbyte_cdk.sources.types import StreamSlice, StreamState
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from hire_events import hire_event_schema, hired_event, offer_event
from source_greenhouse_hires.harvest_client import (
    MAX_IDS_PER_REQUEST,
    HarvestConfigError,
    HarvestError,
    JsonDict,
    RecordRejectedError,
    parse_timestamp,
)
from source_greenhouse_hires.sync_context import LegacyCredentialsError, SyncContext, context_for

logger = logging.getLogger(__name__)


def _as_traced(error: Exception) -> AirbyteTracedException:
    """An Airbyte error whose message is ours and whose failure type says who must act."""
    if isinstance(error, HarvestConfigError | LegacyCredentialsError):
        failure_type = FailureType.config_error
    else:
        failure_type = FailureType.transient_error
    return AirbyteTracedException(
        message=str(error), internal_message=str(error), failure_type=failure_type
    )


@dataclass
class HarvestTokenAuthenticator(DeclarativeAuthenticator):
    """Bearer token from the sync's shared ``TokenManager``, paced by its ``RateGovernor``."""

    config: Mapping[str, Any]
    parameters: InitVar[Mapping[str, Any]]

    @property
    def _context(self) -> SyncContext:
        try:
            return context_for(self.config)
        except LegacyCredentialsError as error:
            raise _as_traced(error) from error

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        self._context.client.governor.wait_turn()
        return super().__call__(request)

    @property
    def auth_header(self) -> str:
        return "Authorization"

    @property
    def token(self) -> str:
        try:
            return f"Bearer {self._context.client.tokens.token()}"
        except HarvestError as error:
            raise _as_traced(error) from error

    def refresh_and_set_access_token(self) -> None:
        """Called by the CDK on a 401 (REFRESH_TOKEN_THEN_RETRY): mint once, retry once."""
        current = self.token.removeprefix("Bearer ")
        try:
            self._context.client.tokens.renew(current)
        except HarvestError as error:
            raise _as_traced(error) from error

    def update_from_response(
        self, request: requests.PreparedRequest, response: requests.Response
    ) -> None:
        """The CDK hands every response here (``ResponseAwareAuthenticator``)."""
        self._context.client.governor.observe(response.headers)


@dataclass
class HireEventSchemaLoader(SchemaLoader):
    """Serves ``hire_events.hire_event_schema()`` so the contract has one definition."""

    config: Mapping[str, Any]
    parameters: InitVar[Mapping[str, Any]]

    def get_json_schema(self) -> Mapping[str, Any]:
        return hire_event_schema()


@dataclass
class _PageExtractor(RecordExtractor):
    """Reads one page (a bare JSON array) and builds hire events for the whole page at once."""

    config: Mapping[str, Any]
    parameters: InitVar[Mapping[str, Any]]

    def extract_records(self, response: requests.Response) -> Iterable[Mapping[str, Any]]:
        page = response.json()
        if not isinstance(page, list):
            raise AirbyteTracedException(
                message=f"Harvest answered {response.url} with a non-array body; report this",
                failure_type=FailureType.system_error,
            )
        try:
            return list(self._events(context_for(self.config), page))
        except (HarvestError, LegacyCredentialsError) as error:
            raise _as_traced(error) from error

    def _events(self, context: SyncContext, page: list[Any]) -> Iterator[JsonDict]:
        raise NotImplementedError

    def _valid(self, page: list[Any], kind: str, id_field: str) -> list[JsonDict]:
        valid = []
        for record in page:
            try:
                valid.append(_checked(record, kind, id_field))
            except RecordRejectedError as error:
                logger.warning("Skipping a record: %s", error)
        return valid


@dataclass
class OfferEventExtractor(_PageExtractor):
    """``offer_created`` events: one per application, from its current offer version."""

    def _events(self, context: SyncContext, page: list[Any]) -> Iterator[JsonDict]:
        offers = _newest_per_application(self._valid(page, "offer", "application_id"))
        offers = [
            offer
            for offer in offers
            if context.keep_newest_offer(offer["application_id"], _version(offer))
        ]
        applications: dict[int, JsonDict] = {}
        if self.config.get("include_application_details", True):
            applications = context.records_by_id("applications", _ids(offers, "application_id"))
        candidate_ids = {
            offer.get("candidate_id")
            or (applications.get(offer["application_id"]) or {}).get("candidate_id")
            for offer in offers
        }
        candidates = context.records_by_id("candidates", _present(candidate_ids))
        jobs = context.records_by_id("jobs", _ids(offers, "job_id"))
        field_names = context.offer_field_names()

        for offer in offers:
            application = applications.get(offer["application_id"])
            candidate_id = offer.get("candidate_id") or (application or {}).get("candidate_id")
            job_id = offer.get("job_id")
            yield offer_event(
                _with_current_field_names(offer, field_names),
                application=application,
                candidate=candidates.get(candidate_id) if isinstance(candidate_id, int) else None,
                job=jobs.get(job_id) if isinstance(job_id, int) else None,
                origin="harvest_v3",
            )


@dataclass
class HireEventExtractor(_PageExtractor):
    """``candidate_hired`` events: one per hired application, with its accepted offer."""

    def _events(self, context: SyncContext, page: list[Any]) -> Iterator[JsonDict]:
        applications = self._valid(page, "application", "id")
        offers = _accepted_offers(context, [application["id"] for application in applications])
        candidates = context.records_by_id("candidates", _ids(applications, "candidate_id"))
        job_ids = {
            application.get("job_id") or (offers.get(application["id"]) or {}).get("job_id")
            for application in applications
        }
        jobs = context.records_by_id("jobs", _present(job_ids))
        field_names = context.offer_field_names() if offers else {}

        for application in applications:
            offer = offers.get(application["id"])
            job_id = application.get("job_id") or (offer or {}).get("job_id")
            yield hired_event(
                application,
                offer=_with_current_field_names(offer, field_names) if offer else None,
                candidate=candidates.get(application.get("candidate_id") or 0),
                job=jobs.get(job_id) if job_id else None,
                origin="harvest_v3",
            )


@dataclass
class WindowEndFilter(RecordFilter):
    """Drops events whose ``updated_at`` lies after the end of the window that was asked for.

    The state moves to the newest ``updated_at`` emitted; an event past the window's end (a
    record changed while pages were read, or a lax server-side filter) would move it beyond
    records Greenhouse has not made visible yet (reference §7.12). Dropped events come back
    with the next window.
    """

    def filter_records(
        self,
        records: Iterable[Mapping[str, Any]],
        stream_state: StreamState,
        stream_slice: StreamSlice | None = None,
        next_page_token: Mapping[str, Any] | None = None,
    ) -> Iterable[Mapping[str, Any]]:
        end = _instant(stream_slice.get("end_time") if stream_slice is not None else None)
        for record in records:
            updated_at = _instant(record.get("updated_at"))
            if end is not None and updated_at is not None and updated_at > end:
                logger.info(
                    "Leaving %s for the next sync: updated at %s, after this window's end %s",
                    record.get("event_id"),
                    record.get("updated_at"),
                    end.isoformat(),
                )
                continue
            yield record


def _instant(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return parse_timestamp(value)
    except ValueError:
        return None


def _accepted_offers(context: SyncContext, application_ids: list[int]) -> dict[int, JsonDict]:
    """The current Accepted offer of each application, highest version first."""
    accepted: dict[int, JsonDict] = {}
    for start in range(0, len(application_ids), MAX_IDS_PER_REQUEST):
        batch = application_ids[start : start + MAX_IDS_PER_REQUEST]
        params = {"application_ids": ",".join(map(str, batch)), "current_only": "true"}
        for offer in context.client.list("offers", params):
            application_id = offer.get("application_id")
            if offer.get("status") != "Accepted" or not isinstance(application_id, int):
                continue
            known = accepted.get(application_id)
            if known is None or _version(offer) > _version(known):
                accepted[application_id] = offer
    return accepted


def _checked(record: Any, kind: str, id_field: str) -> JsonDict:
    if not isinstance(record, dict):
        raise RecordRejectedError(f"{kind} entry {record!r:.80} is not a JSON object")
    if not isinstance(record.get(id_field), int):
        raise RecordRejectedError(
            f"{kind} {record.get('id')!r} has no integer {id_field!r} "
            f"(got {record.get(id_field)!r:.40}); it cannot become a hire event"
        )
    if not isinstance(record.get("updated_at") or record.get("created_at"), str):
        raise RecordRejectedError(f"{kind} {record.get('id')!r} has no 'updated_at' timestamp")
    return record


def _version(offer: Mapping[str, Any]) -> int:
    version = offer.get("version")
    return version if isinstance(version, int) else 0


def _newest_per_application(offers: list[JsonDict]) -> list[JsonDict]:
    """One offer per application: an older version never overrides a newer one."""
    newest: dict[int, JsonDict] = {}
    for offer in offers:
        known = newest.get(offer["application_id"])
        if known is None or _version(offer) > _version(known):
            newest[offer["application_id"]] = offer
    return list(newest.values())


def _ids(records: Iterable[Mapping[str, Any]], id_field: str) -> set[int]:
    return _present(record.get(id_field) for record in records)


def _present(values: Iterable[Any]) -> set[int]:
    return {value for value in values if isinstance(value, int)}


def _with_current_field_names(offer: JsonDict, field_names: Mapping[str, str]) -> JsonDict:
    """The offer with each custom field's ``name`` set to the definition's current name.

    Values stay exactly as Greenhouse sent them; keys are the immutable ``name_key``.
    """
    custom_fields = offer.get("custom_fields")
    if not isinstance(custom_fields, dict):
        return offer
    renamed: dict[str, Any] = {}
    for key, entry in custom_fields.items():
        if isinstance(entry, dict):
            renamed[key] = {**entry, "name": field_names.get(key, entry.get("name"))}
        else:
            renamed[key] = {"name": field_names.get(key), "type": None, "value": entry}
    return {**offer, "custom_fields": renamed}
