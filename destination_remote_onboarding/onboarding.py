"""Per-event onboarding logic, shared by the destination, the webhook receiver and ``hires``.

For each hire event: ask the rule for a decision, look the person up in Remote by normalised
personal e-mail, then create, recognise our own work, or apply the rule's conflict policy. Remote
has no idempotency key, so a create whose answer was lost is followed by a fresh look-up before any
retry. Outcomes of a batch are committed to the ledger in one transaction before ``process``
returns; the ledger only makes re-runs cheap, it never decides correctness.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Final

import jsonschema

import hire_events
import rules
from destination_remote_onboarding.config import LookupStrategy, Settings, read_settings
from destination_remote_onboarding.errors import (
    ConfigError,
    ConflictPolicyError,
    EmailTakenError,
    RecordError,
    RemoteRejectedError,
    TransientError,
    UncertainWriteError,
)
from destination_remote_onboarding.ledger import (
    KnownHire,
    Ledger,
    RefusedProfile,
    email_sha256,
    ledger_problem,
    normalise_email,
    profile_sha256,
    resolve_ledger_path,
)
from destination_remote_onboarding.outcomes import (
    Outcome,
    OutcomeKind,
    count_outcomes,
    summary_table,
)
from destination_remote_onboarding.remote_client import (
    LIST_PAGE_SIZE,
    EmploymentPage,
    RemoteClient,
    WaitCallback,
    employment_emails,
)
from rules import Rule

logger = logging.getLogger(__name__)

_CREATE_ATTEMPTS: Final = 3
_DIRECTORY_MAX_AGE_SECONDS: Final = 600.0
# Remote lets basic_information change only while the employment is still being created.
_EDITABLE_STATUSES: Final = frozenset(
    {"created", "created_awaiting_reserve", "created_reserve_paid"}
)
_WORK_EMAIL_STATUSES: Final = frozenset({"invited", "active"})

Employment = dict[str, Any]


@dataclass(frozen=True)
class Progress:
    """What a progress display needs: events read, outcomes so far, and any current wait."""

    events_read: int
    counts: dict[str, int]
    waiting: tuple[float, str] | None = None


ProgressCallback = Callable[[Progress], None]


@dataclass
class _Hire:
    """An event the rule says to send, still to be matched against Remote."""

    index: int
    event_id: str
    application_id: int
    trigger: str
    email: str
    profile: dict[str, Any]
    email_hash: str = field(init=False)
    profile_hash: str = field(init=False)

    def __post_init__(self) -> None:
        self.email_hash = email_sha256(self.email)
        self.profile_hash = profile_sha256(self.profile)

    @property
    def external_id(self) -> str:
        return hire_events.external_id_for(self.application_id)


class _Directory:
    """Everyone in the company, listed once and indexed by normalised e-mail."""

    def __init__(self, employments: Iterable[Employment]) -> None:
        self.built_at = time.monotonic()
        self._by_email: dict[str, list[Employment]] = {}
        self._by_external_id: dict[str, Employment] = {}
        for employment in employments:
            self.add(employment)

    def add(self, employment: Employment) -> None:
        for email in employment_emails(employment):
            self._by_email.setdefault(email, []).append(employment)
        external_id = employment.get("external_id")
        if isinstance(external_id, str):
            self._by_external_id[external_id] = employment

    def find_ours(self, external_id: str) -> Employment | None:
        return self._by_external_id.get(external_id)

    def find(self, email: str) -> list[Employment]:
        return list(self._by_email.get(normalise_email(email), []))

    @property
    def stale(self) -> bool:
        return time.monotonic() - self.built_at > _DIRECTORY_MAX_AGE_SECONDS


@cache
def _event_validator() -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(hire_events.hire_event_schema())


class Onboarder:
    """Turns hire events into Remote employments, exactly once, by one customer's rule."""

    def __init__(
        self,
        rule: Rule,
        client: RemoteClient,
        ledger: Ledger,
        *,
        dry_run: bool = False,
        lookup_strategy: LookupStrategy = "auto",
        sync_id: str | None = None,
        on_progress: ProgressCallback | None = None,
        on_wait: WaitCallback | None = None,
    ) -> None:
        self.rule = rule
        self.client = client
        self.ledger = ledger
        self.dry_run = dry_run
        self.lookup_strategy = lookup_strategy
        self.sync_id = sync_id or uuid.uuid4().hex
        self.outcomes: list[Outcome] = []
        self.events_read = 0
        self._on_progress = on_progress
        self._on_wait = on_wait
        self._directory: _Directory | None = None
        self._known_now: dict[tuple[int, str], str] = {}
        self._ours_by_application: dict[int, str] = {}
        self._stop: ConflictPolicyError | None = None
        self._refused: list[RefusedProfile] = []
        self._batch: dict[int, Outcome] = {}
        client.budget.on_wait = self._waited
        ledger.start_sync(self.sync_id, rule.customer, dry_run=dry_run)

    @classmethod
    def from_config(
        cls,
        config: Mapping[str, Any],
        *,
        sync_id: str | None = None,
        on_progress: ProgressCallback | None = None,
        on_wait: WaitCallback | None = None,
    ) -> Onboarder:
        """An onboarder from the destination config dict; raises ConfigError on a bad one."""
        return cls.from_settings(
            read_settings(config), sync_id=sync_id, on_progress=on_progress, on_wait=on_wait
        )

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        sync_id: str | None = None,
        on_progress: ProgressCallback | None = None,
        on_wait: WaitCallback | None = None,
    ) -> Onboarder:
        client = RemoteClient(
            settings.base_url,
            settings.api_token,
            rate_limit_per_minute=settings.rate_limit_per_minute,
            timeout_seconds=settings.request_timeout_seconds,
            backoff_seconds=settings.retry_backoff_seconds,
        )
        path = resolve_ledger_path(settings.ledger_path)
        problem = ledger_problem(path)
        if problem is not None:
            raise ConfigError(problem)
        ledger = Ledger(path)
        return cls(
            settings.rule,
            client,
            ledger,
            dry_run=settings.dry_run,
            lookup_strategy=settings.lookup_strategy,
            sync_id=sync_id,
            on_progress=on_progress,
            on_wait=on_wait,
        )

    def close(self) -> None:
        self.client.close()
        self.ledger.close()

    def __enter__(self) -> Onboarder:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def counts(self) -> dict[str, int]:
        return count_outcomes(self.outcomes)

    def log_summary(self) -> str:
        """Log the counts per outcome of everything this onboarder processed, and return them."""
        table = summary_table(self.counts)
        logger.info(
            "sync %s for %s%s, %s Remote requests, outcomes:\n%s",
            self.sync_id,
            self.rule.customer,
            " (dry run)" if self.dry_run else "",
            self.client.request_count,
            table,
        )
        return table

    def process(self, events: Iterable[Any]) -> list[Outcome]:
        """One outcome per event, in order, durable in the ledger when this returns.

        A config error (401/403, ``on_conflict: fail``) stops the batch: the outcomes reached
        so far are recorded first, then the error is raised.
        """
        results: dict[int, Outcome] = {}
        known: list[KnownHire] = []
        self._batch = results
        try:
            hires = self._triage(events, results)
            self._prepare_lookup(hires)
            for hire in hires:
                results[hire.index] = self._onboard(hire, known)
                self._progress()
                if self._stop is not None:
                    stop, self._stop = self._stop, None
                    raise stop
        finally:
            done = [results[index] for index in sorted(results)]
            refused, self._refused = self._refused, []
            self.ledger.record(self.sync_id, done, known, refused)
            self.outcomes += done
            self._batch = {}
        return done

    def _triage(self, events: Iterable[Any], results: dict[int, Outcome]) -> list[_Hire]:
        """Outcomes for every event that needs no Remote call; the rest as hires to match."""
        hires: list[_Hire] = []
        for index, event in enumerate(events):
            self.events_read += 1
            result = self._decide(index, event)
            if isinstance(result, Outcome):
                results[index] = result
                self._progress()
            else:
                hires.append(result)
        return hires

    def _decide(self, index: int, event: Any) -> Outcome | _Hire:
        decision = self._screen(index, event)
        if isinstance(decision, Outcome):
            return decision
        if decision.action == "skip":
            return self._outcome(event, "skipped", str(decision.reason), index=index)
        if decision.action != "send":
            return self._outcome(event, "invalid", _decision_errors(decision), index=index)
        email = _personal_email(decision)
        if email is None:
            reason = "basic_information.email: the rule gave no personal e-mail to send"
            return self._outcome(event, "invalid", reason, index=index)
        hire = _Hire(
            index=index,
            event_id=event["event_id"],
            application_id=event["application_id"],
            trigger=event["trigger"],
            email=email,
            profile=dict(decision.profile),
        )
        return self._warm(hire) or hire

    def _screen(self, index: int, event: Any) -> Any:
        """The rule's decision, or an outcome when the record is bad or for another trigger."""
        problem = _record_problem(index, event)
        if problem is not None:
            return self._outcome(event, "invalid", problem, index=index)
        if event["trigger"] != self.rule.trigger:
            reason = f"trigger {event['trigger']} is not this rule's trigger {self.rule.trigger}"
            return self._outcome(event, "skipped", reason, index=index)
        try:
            return rules.decide(self.rule, event)
        except Exception as error:  # a rules bug must not end the sync for every other hire
            logger.warning("rules.decide failed on %s: %r", event["event_id"], error)
            reason = f"the rule could not be applied ({type(error).__name__}: {error})"
            return self._outcome(event, "invalid", reason, index=index)

    def _warm(self, hire: _Hire) -> Outcome | None:
        """already_synced without any Remote call when the ledger knows this hire and e-mail."""
        employment_id = self.ledger.known_employment(
            self.client.base_url, self.rule.customer, hire.application_id, hire.email_hash
        )
        if employment_id is not None:
            reason = f"the ledger says employment {employment_id} is ours; e-mail unchanged"
            return self._hire_outcome(hire, "already_synced", reason, employment_id)
        refusal = self.ledger.refusal(
            self.client.base_url, self.rule.customer, hire.application_id, hire.profile_hash
        )
        if refusal is None:
            return None
        reason = (
            f"{refusal} (this same profile was refused before; it is sent again once it changes)"
        )
        return self._hire_outcome(hire, "invalid", reason)

    def _prepare_lookup(self, hires: list[_Hire]) -> None:
        """Choose per-e-mail look-ups or one listing of everyone, whichever costs fewer calls."""
        if not hires or self.lookup_strategy == "per_email":
            return
        if self._directory is not None and not self._directory.stale:
            return
        self._directory = None
        try:
            first = self.client.list_employments(page=1, page_size=LIST_PAGE_SIZE)
            unknown = len({hire.email for hire in hires})
            # Page 1 is paid for already: listing costs total_pages - 1 more calls, look-ups K.
            if self.lookup_strategy == "listing" or unknown >= first.total_pages:
                self._directory = self._list_everyone(first)
                return
        except TransientError as error:
            # Outside _onboard this would end the batch with no outcome for any hire in it;
            # per-e-mail look-ups give each hire its own outcome (failed at worst).
            logger.warning("listing employments failed, looking up one by one: %s", error)
            return
        logger.info(
            "looking up %s people one by one (cheaper than listing %s pages)",
            unknown,
            first.total_pages,
        )

    def _list_everyone(self, first: EmploymentPage) -> _Directory:
        directory = _Directory(first.employments)
        for page_number in range(2, first.total_pages + 1):
            page = self.client.list_employments(page=page_number, page_size=LIST_PAGE_SIZE)
            for employment in page.employments:
                directory.add(employment)
        logger.info(
            "listed %s employments in %s pages to match hires by e-mail",
            first.total_count,
            first.total_pages,
        )
        return directory

    def _lookup(self, hire: _Hire) -> list[Employment]:
        if self._directory is not None:
            return self._directory.find(hire.email)
        return self.client.find_by_email(hire.email)

    def _onboard(self, hire: _Hire, known: list[KnownHire]) -> Outcome:
        try:
            mine = self._known_now.get((hire.application_id, hire.email_hash))
            if mine is not None:
                reason = f"employment {mine} was created or found for it earlier in this sync"
                return self._hire_outcome(hire, "already_synced", reason, mine)
            found = self._lookup(hire)
            moved = None if found else self._ours_under_another_email(hire)
            if moved is not None:
                outcome = self._email_changed(hire, moved, known)
            else:
                outcome = self._match(hire, found, known)
        except RecordError as error:
            outcome = self._hire_outcome(hire, "invalid", str(error))
        except TransientError as error:
            outcome = self._hire_outcome(hire, "failed", str(error))
        logger.debug("%s: %s (%s)", hire.event_id, outcome.outcome, outcome.reason)
        return outcome

    def _ours_under_another_email(self, hire: _Hire) -> Employment | None:
        """Our employment for this application, made when the candidate had another e-mail.

        Remote cannot be searched by external_id, so the candidates come from this sync, the
        ledger, or the listing of everyone; each is confirmed with Remote before it counts.
        """
        employment_id = self._ours_by_application.get(
            hire.application_id
        ) or self.ledger.employment_of_application(
            self.client.base_url, self.rule.customer, hire.application_id
        )
        if employment_id is None and self._directory is not None:
            listed = self._directory.find_ours(hire.external_id)
            employment_id = str(listed["id"]) if listed and listed.get("id") else None
        if employment_id is None:
            return None
        employment = self.client.get_employment(employment_id)
        if employment is None or employment.get("external_id") != hire.external_id:
            return None  # deleted in Remote, or no longer ours: a new employment is right
        return employment

    def _email_changed(
        self, hire: _Hire, employment: Employment, known: list[KnownHire]
    ) -> Outcome:
        """The candidate's e-mail changed in Greenhouse after we created their employment."""
        employment_id = employment.get("id")
        status = str(employment.get("status") or "unknown")
        if status not in _EDITABLE_STATUSES:
            reason = (
                f"employment {employment_id} is ours but was made with the candidate's earlier "
                f"e-mail; its status {status} no longer lets the API change it: change the "
                "e-mail in Remote"
            )
            self._remember(hire, employment, known)
            return self._hire_outcome(hire, "already_synced", reason, employment_id)
        if self.dry_run:
            reason = f"dry run: would move employment {employment_id} to the new e-mail"
            return self._hire_outcome(hire, "updated", reason, employment_id)
        body = {"basic_information": hire.profile.get("basic_information") or {}}
        try:
            self.client.update_employment(str(employment_id), body)
        except UncertainWriteError:
            # A PATCH sets values rather than adding anything, so repeating it is harmless.
            self.client.update_employment(str(employment_id), body)
        self._remember(hire, employment, known)
        reason = (
            f"the candidate's e-mail changed in Greenhouse: updated employment {employment_id} "
            "(ours) to the new e-mail instead of creating another"
        )
        return self._hire_outcome(hire, "updated", reason, employment_id)

    def _match(self, hire: _Hire, found: list[Employment], known: list[KnownHire]) -> Outcome:
        """Classify what Remote holds for this e-mail, then create or apply the policy."""
        for employment in found:
            if employment.get("external_id") == hire.external_id:
                self._remember(hire, employment, known)
                reason = (
                    f"employment {employment.get('id')} in Remote already carries our "
                    f"external_id {hire.external_id}"
                )
                return self._hire_outcome(hire, "already_synced", reason, employment.get("id"))
        for employment in found:
            other = hire_events.application_id_from_external_id(employment.get("external_id"))
            if other is not None:
                self._remember(hire, employment, known)
                reason = (
                    f"the same person already has employment {employment.get('id')}, created "
                    f"for application {other}; no duplicate created"
                )
                return self._hire_outcome(hire, "already_synced", reason, employment.get("id"))
        if found:
            return self._conflict(hire, found[0])
        return self._create(hire, known)

    def _create(self, hire: _Hire, known: list[KnownHire]) -> Outcome:
        if self.dry_run:
            return self._hire_outcome(hire, "created", "dry run: would create")
        body = {**hire.profile, "external_id": hire.external_id}
        last_error = ""
        for _attempt in range(_CREATE_ATTEMPTS):
            try:
                employment = self.client.create_employment(body)
            except EmailTakenError:
                return self._after_email_taken(hire, known)
            except RemoteRejectedError as error:
                self._remember_refusal(hire, str(error))
                return self._hire_outcome(hire, "invalid", str(error))
            except UncertainWriteError as error:
                last_error = str(error)
                logger.info("%s: create unanswered, looking up again: %s", hire.event_id, error)
                confirmed = self._confirm_after_uncertain(hire, known, last_error)
                if confirmed is not None:
                    return confirmed
                continue
            employment.setdefault("external_id", hire.external_id)
            employment.setdefault("personal_email", hire.email)
            self._remember(hire, employment, known)
            if self._directory is not None:
                self._directory.add(employment)
            employment_id = employment.get("id")
            reason = f"created employment {employment_id}"
            return self._hire_outcome(hire, "created", reason, employment_id)
        reason = f"create did not get through after {_CREATE_ATTEMPTS} attempts: {last_error}"
        return self._hire_outcome(hire, "failed", reason)

    def _confirm_after_uncertain(
        self, hire: _Hire, known: list[KnownHire], error: str
    ) -> Outcome | None:
        """After an unanswered create: ours now present → created; someone else → policy."""
        found = self.client.find_by_email(hire.email)
        for employment in found:
            if employment.get("external_id") == hire.external_id:
                self._remember(hire, employment, known)
                if self._directory is not None:
                    self._directory.add(employment)
                reason = (
                    f"created employment {employment.get('id')} "
                    f"(confirmed by a look-up after: {error})"
                )
                return self._hire_outcome(hire, "created", reason, employment.get("id"))
        return self._match(hire, found, known) if found else None

    def _after_email_taken(self, hire: _Hire, known: list[KnownHire]) -> Outcome:
        found = self.client.find_by_email(hire.email)
        if found:
            return self._match(hire, found, known)
        reason = (
            "Remote says the personal e-mail is already taken, but no employment of this "
            "company is listed with it (perhaps deleted, or in another company); nothing created"
        )
        return self._hire_outcome(hire, "conflict", reason)

    def _conflict(self, hire: _Hire, employment: Employment) -> Outcome:
        """Someone else's employment holds this e-mail: the rule's on_conflict decides."""
        described = (
            f"employment {employment.get('id')} (external_id "
            f"{employment.get('external_id')!r}, not ours) already uses the personal e-mail"
        )
        policy = self.rule.on_conflict
        if policy == "update":
            return self._update(hire, employment, described)
        outcome = self._hire_outcome(
            hire, "conflict", f"{described}; rule says on_conflict: {policy}"
        )
        if policy == "fail":
            self._stop = ConflictPolicyError(
                f"{hire.event_id}: {described} and rule {self.rule.customer} says "
                "on_conflict: fail. Resolve the conflict in Remote, or set on_conflict to skip "
                "or update in the rule"
            )
        return outcome

    def _update(self, hire: _Hire, employment: Employment, described: str) -> Outcome:
        status = str(employment.get("status") or "unknown")
        body, changed, unchanged = plan_update(status, hire.profile)
        kept = (
            f"; not changed (status {status} forbids): {', '.join(unchanged)}" if unchanged else ""
        )
        if not body:
            reason = f"{described}; on_conflict update, but status {status} allows no change{kept}"
            return self._hire_outcome(hire, "conflict", reason, employment.get("id"))
        if self.dry_run:
            reason = f"dry run: would update {', '.join(changed)}{kept}"
            return self._hire_outcome(hire, "updated", reason, employment.get("id"))
        try:
            self.client.update_employment(str(employment.get("id")), body)
        except UncertainWriteError:
            # A PATCH sets values rather than adding anything, so repeating it is harmless.
            self.client.update_employment(str(employment.get("id")), body)
        reason = f"updated employment {employment.get('id')}: {', '.join(changed)}{kept}"
        return self._hire_outcome(hire, "updated", reason, employment.get("id"))

    def _remember(self, hire: _Hire, employment: Employment, known: list[KnownHire]) -> None:
        employment_id = employment.get("id")
        if self.dry_run or not employment_id:
            return
        self._known_now[(hire.application_id, hire.email_hash)] = str(employment_id)
        self._ours_by_application[hire.application_id] = str(employment_id)
        known.append(
            KnownHire(
                self.client.base_url,
                self.rule.customer,
                hire.application_id,
                hire.email_hash,
                str(employment_id),
            )
        )

    def _remember_refusal(self, hire: _Hire, reason: str) -> None:
        # Remote refuses for what the profile says (a holiday, a bad e-mail); the same profile
        # would be refused again, so a re-run does not send it until the profile changes.
        self._refused.append(
            RefusedProfile(
                self.client.base_url,
                self.rule.customer,
                hire.application_id,
                hire.profile_hash,
                reason,
            )
        )

    def _hire_outcome(
        self, hire: _Hire, kind: OutcomeKind, reason: str, employment_id: Any = None
    ) -> Outcome:
        return Outcome(
            event_id=hire.event_id,
            outcome=kind,
            reason=reason,
            application_id=hire.application_id,
            trigger=hire.trigger,
            employment_id=str(employment_id) if employment_id else None,
            customer=self.rule.customer,
            dry_run=self.dry_run,
        )

    def _outcome(self, event: Any, kind: OutcomeKind, reason: str, *, index: int) -> Outcome:
        record = event if isinstance(event, Mapping) else {}
        application_id = record.get("application_id")
        return Outcome(
            event_id=str(record.get("event_id") or f"record #{index + 1}"),
            outcome=kind,
            reason=reason,
            application_id=application_id if isinstance(application_id, int) else None,
            trigger=record.get("trigger") if isinstance(record.get("trigger"), str) else None,
            customer=self.rule.customer,
            dry_run=self.dry_run,
        )

    def _waited(self, seconds: float, reason: str) -> None:
        if self._on_wait is not None:
            self._on_wait(seconds, reason)
        if self._on_progress is not None:
            counts = count_outcomes([*self.outcomes, *self._batch.values()])
            self._on_progress(Progress(self.events_read, counts, (seconds, reason)))

    def _progress(self) -> None:
        if self._on_progress is not None:
            counts = count_outcomes([*self.outcomes, *self._batch.values()])
            self._on_progress(Progress(self.events_read, counts))


def plan_update(
    status: str, profile: Mapping[str, Any]
) -> tuple[dict[str, Any], list[str], list[str]]:
    """The PATCH body Remote's status allows, with the fields changed and those left alone.

    Remote: status ``created`` accepts basic_information; ``invited`` and ``active`` accept
    only ``work_email``; the login e-mail is never changed since it is how the match was made.
    """
    basic = {
        key: value
        for key, value in (profile.get("basic_information") or {}).items()
        if key != "email"
    }
    wanted = [f"basic_information.{key}" for key in basic]
    if status in _EDITABLE_STATUSES and basic:
        return {"basic_information": basic}, wanted, []
    if status in _WORK_EMAIL_STATUSES and basic.get("work_email"):
        others = [name for name in wanted if name != "basic_information.work_email"]
        return {"work_email": basic["work_email"]}, ["work_email"], others
    return {}, [], wanted


def _record_problem(index: int, event: Any) -> str | None:
    """Why a record is not a hire event, naming the record and the field; None when it is."""
    if not isinstance(event, Mapping):
        return f"record #{index + 1} is not a JSON object but {type(event).__name__}"
    errors = sorted(_event_validator().iter_errors(event), key=lambda error: list(error.path))
    if not errors:
        return None
    name = event.get("event_id") if isinstance(event.get("event_id"), str) else None
    where = name or f"record #{index + 1}"
    error = errors[0]
    field_name = ".".join(str(part) for part in error.absolute_path) or "(record)"
    return f"{where} is not a valid hire event: {field_name}: {error.message}"


def _decision_errors(decision: Any) -> str:
    errors = getattr(decision, "errors", None) or []
    listed = "; ".join(f"{error.field}: {error.message}" for error in errors)
    return listed or str(getattr(decision, "reason", "the rule found the event invalid"))


def _personal_email(decision: Any) -> str | None:
    email = getattr(decision, "personal_email", None)
    if not email:
        email = ((decision.profile or {}).get("basic_information") or {}).get("email")
    if isinstance(email, str) and email.strip():
        return normalise_email(email)
    return None
