"""What can go wrong while onboarding hires into Remote, grouped by what the caller does.

::

    OnboardingError
    ├── ConfigError            fatal: stop the sync, a person must change the config or rule
    │   ├── RemoteAuthError    401/403 from Remote (wrong token or environment, read-only)
    │   └── ConflictPolicyError  ``on_conflict: fail`` and a conflict happened
    ├── TransientError         Remote did not answer usefully within the retry budget
    │   └── UncertainWriteError  a create/update that may have happened (5xx, timeout)
    └── RecordError            this one record cannot be onboarded; the others go on
        └── RemoteRejectedError  Remote refused the profile (400/409/422), with field errors
            └── EmailTakenError  422 "has already been taken" on the personal e-mail

Every message is built before the exception is raised and never contains a token or e-mail.
"""

from __future__ import annotations

from dataclasses import dataclass


class OnboardingError(Exception):
    """Root of every error this package raises on purpose."""


class ConfigError(OnboardingError):
    """Fatal: the sync stops; the message says what to change in the config or rule."""


class RemoteAuthError(ConfigError):
    """Remote refused the token (401) or the permission (403)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class ConflictPolicyError(ConfigError):
    """A conflict met a rule whose ``on_conflict`` is ``fail``."""


class TransientError(OnboardingError):
    """Remote kept failing (5xx, timeouts, 429) past the retry budget; the record is failed."""


class UncertainWriteError(TransientError):
    """A write was sent but its fate is unknown: look the person up before trying again."""


@dataclass(frozen=True)
class RemoteFieldError:
    """One field Remote complained about, as ``basic_information.provisional_start_date``."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class RecordError(OnboardingError):
    """This record cannot be onboarded; it gets an ``invalid`` outcome and the sync goes on."""


class RemoteRejectedError(RecordError):
    """Remote answered 400/409/422: the profile itself is wrong, retrying will not help."""

    def __init__(self, status: int, errors: list[RemoteFieldError]) -> None:
        self.status = status
        self.errors = errors
        detail = "; ".join(str(error) for error in errors) or "no detail given"
        super().__init__(f"Remote refused the employment (HTTP {status}): {detail}")


class EmailTakenError(RemoteRejectedError):
    """The personal e-mail is already used by an employment in Remote."""
