"""Normalising the values a rule maps: dates, countries, e-mails and names.

Each function takes whatever a hire event holds and returns either a clean value or a
:class:`Problem` that says, in words, why there is none. A problem is falsy, so templates can
fall back with ``{{ a or b }}`` or ``| default(...)``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

import pycountry


@dataclass(frozen=True, slots=True)
class Problem:
    """No usable value: ``missing`` (nothing there) or ``invalid`` (something unusable)."""

    kind: str
    message: str

    def __bool__(self) -> bool:
        return False

    def __str__(self) -> str:
        # Rendered inside text, a problem reads as nothing; its message is for the decision.
        return ""


def missing(message: str) -> Problem:
    return Problem("missing", message)


def invalid(message: str) -> Problem:
    return Problem("invalid", message)


def is_empty(value: Any) -> bool:
    """True for what a rule treats as no value: None, a problem, blank text, empty list."""
    if value is None or isinstance(value, Problem):
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, list | dict | tuple) and not value


def show(value: Any, limit: int = 60) -> str:
    """A short, quoted rendering of a value for messages."""
    text = "null" if value is None else repr(value) if isinstance(value, str) else str(value)
    if isinstance(value, bool):
        text = "true" if value else "false"
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


# --- dates ---------------------------------------------------------------------------------

_US_DATE: Final = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO_DATE: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATE_FORMATS: Final = "YYYY-MM-DD, YYYY-MM-DDThh:mm:ss… or MM/DD/YYYY"


def to_date(value: Any) -> str | Problem:
    """A calendar date as ``YYYY-MM-DD``.

    Greenhouse dates have no time zone: a ``…T00:00:00.000Z`` form keeps its first 10
    characters and is never converted through UTC, which could move it by a day.
    """
    if isinstance(value, Problem):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()[:10]
    if is_empty(value):
        return missing("no date given")
    if not isinstance(value, str):
        return invalid(f"{show(value)} is not a date (expected {DATE_FORMATS})")
    return _parse_date_text(value.strip())


@cache
def _parse_date_text(text: str) -> str | Problem:
    us = _US_DATE.match(text)
    if us:
        month, day, year = (int(part) for part in us.groups())
        return _checked_date(year, month, day, text)
    head = text[:10]
    if _ISO_DATE.match(head) and (len(text) == 10 or text[10] in "T "):
        return _checked_date(int(head[:4]), int(head[5:7]), int(head[8:10]), text)
    return invalid(f"{show(text)} is not a date (expected {DATE_FORMATS})")


def _checked_date(year: int, month: int, day: int, text: str) -> str | Problem:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return invalid(f"{show(text)} is not a calendar date")


# --- countries -----------------------------------------------------------------------------

# Short forms people write that ISO 3166 (and so pycountry) does not list as names.
_COUNTRY_ALIASES: Final = {
    "uk": "GBR",
    "great britain": "GBR",
    "britain": "GBR",
    "england": "GBR",
    "scotland": "GBR",
    "wales": "GBR",
    "northern ireland": "GBR",
    "ivory coast": "CIV",
    "russia": "RUS",
    "turkey": "TUR",
    "holland": "NLD",
    "the netherlands": "NLD",
    "brunei": "BRN",
    "macedonia": "MKD",
    "palestine": "PSE",
    "cape verde": "CPV",
    "swaziland": "SWZ",
    "burma": "MMR",
    "the bahamas": "BHS",
    "the gambia": "GMB",
}


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'"))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(plain.casefold().split())


@cache
def _folded_country_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for country in pycountry.countries:
        for attribute in ("name", "official_name", "common_name"):
            name = getattr(country, attribute, None)
            if name:
                names[_fold(name)] = country.alpha_3
    return names


@cache
def _country_text(text: str) -> str | Problem:
    folded = _fold(text)
    if folded in _COUNTRY_ALIASES:
        return _COUNTRY_ALIASES[folded]
    try:
        return str(pycountry.countries.lookup(text.strip()).alpha_3)
    except LookupError:
        pass
    found = _folded_country_names().get(folded)
    if found:
        return found
    return invalid(f"{show(text)} is not a known country (give an ISO code or English name)")


def to_country(value: Any) -> str | Problem:
    """An ISO 3166-1 alpha-3 code from an alpha-2, alpha-3 or English country name."""
    if isinstance(value, Problem):
        return value
    if is_empty(value):
        return missing("no country given")
    if not isinstance(value, str):
        return invalid(f"{show(value)} is not a country")
    return _country_text(value)


# --- e-mails -------------------------------------------------------------------------------

_EMAIL: Final = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")


def normalise_email(value: Any) -> str | Problem:
    """An e-mail address trimmed and lower-cased; a problem when absent or malformed."""
    if isinstance(value, Problem):
        return value
    if is_empty(value):
        return missing("no e-mail given")
    if not isinstance(value, str):
        return invalid(f"{show(value)} is not an e-mail address")
    address = unicodedata.normalize("NFC", value.strip()).lower()
    if len(address) > 254 or not _EMAIL.match(address):
        return invalid(f"{show(address)} is not a valid e-mail address")
    return address


def pick_email(candidate: Any, preference: Iterable[str]) -> str | Problem:
    """The candidate's first e-mail of the most preferred type, normalised.

    Greenhouse has no primary flag on candidate e-mails, so the order of types decides, and
    within a type the first address listed.
    """
    order = list(preference)
    addresses = _addresses(candidate)
    for wanted in order:
        for address in addresses:
            if address.get("type") == wanted and not is_empty(address.get("value")):
                return normalise_email(address.get("value"))
    who = _candidate_label(candidate)
    return missing(f"{who} has no {_or_list(order)} e-mail")


def email_of_type(candidate: Any, kind: str) -> str | Problem:
    """The candidate's first e-mail of one type (personal, work or other), normalised."""
    return pick_email(candidate, [kind])


def _addresses(candidate: Any) -> list[Mapping[str, Any]]:
    if not isinstance(candidate, Mapping):
        return []
    listed = candidate.get("email_addresses")
    if not isinstance(listed, list):
        return []
    return [address for address in listed if isinstance(address, Mapping)]


def _candidate_label(candidate: Any) -> str:
    if isinstance(candidate, Mapping) and candidate.get("id") is not None:
        return f"candidate {candidate.get('id')}"
    return "the candidate"


def _or_list(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


# --- names ---------------------------------------------------------------------------------


def clean_text(value: Any) -> str | Problem:
    """Text in Unicode NFC with runs of whitespace collapsed; numbers become text."""
    if isinstance(value, Problem):
        return value
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        if value is None:
            return missing("no value")
        return invalid(f"{show(value)} is not text")
    text = " ".join(unicodedata.normalize("NFC", str(value)).split())
    return text if text else missing("the value is blank")


def full_name(first: Any, last: Any = None) -> str | Problem:
    """``full_name(candidate)`` or ``full_name(first, last)``: the parts joined by a space."""
    if isinstance(first, Mapping):
        first, last = first.get("first_name"), first.get("last_name")
    parts = [clean_text(part) for part in (first, last)]
    words = [part for part in parts if isinstance(part, str)]
    return " ".join(words) if words else missing("the candidate has no first or last name")


def first_name(name: Any) -> str | Problem:
    """The first word of a full name."""
    text = clean_text(name)
    return text.split(" ", 1)[0] if isinstance(text, str) else text


def last_name(name: Any) -> str | Problem:
    """Everything after the first word of a full name ("Maria da Silva" → "da Silva")."""
    text = clean_text(name)
    if not isinstance(text, str):
        return text
    parts = text.split(" ", 1)
    return parts[1] if len(parts) == 2 else missing(f"{show(text)} has no last name")


# --- yes/no --------------------------------------------------------------------------------


def is_yes(value: Any) -> bool:
    """Greenhouse yes/no answers: true, "Yes" and "yes" are yes; anything else is not."""
    if value is True:
        return True
    return isinstance(value, str) and value.strip().lower() == "yes"


def describe_answer(value: Any) -> str:
    """How a yes/no answer reads in a reason: 'is null (not answered)', 'is false'."""
    if isinstance(value, Problem):
        return (
            "is missing"
            if value.message.endswith("is missing")
            else f"is missing ({value.message})"
        )
    if value is None:
        return "is null (not answered)"
    return f"is {show(value)}"
