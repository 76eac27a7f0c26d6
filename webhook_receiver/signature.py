"""Greenhouse webhook signatures: ``Signature: sha256 <hex>``.

The hex is HMAC-SHA256 over the raw request body, keyed with the webhook's secret key. It must be
computed on the bytes as received: Greenhouse escapes characters such as ``<`` as ``\\u003c``
before signing, which a JSON round trip would undo (reference notes §5.1, pitfall 1).
"""

from __future__ import annotations

import hashlib
import hmac
import string
from enum import Enum
from typing import Final

SCHEME: Final = "sha256"
_HEX_DIGITS: Final = frozenset(string.hexdigits)
_DIGEST_LENGTH: Final = 64


class Verdict(Enum):
    """Why a signature was accepted or not (logged; never the digest itself)."""

    VALID = "valid"
    MISSING = "missing"
    MALFORMED = "malformed"
    MISMATCH = "mismatch"


def sign(raw_body: bytes, secret: str) -> str:
    """The ``Signature`` header value Greenhouse would send for this body."""
    digest = hmac.new(secret.encode("utf-8"), raw_body, hashlib.sha256).hexdigest()
    return f"{SCHEME} {digest}"


def check_signature(raw_body: bytes, header: str | None, secret: str) -> Verdict:
    """Compare the header with the HMAC of ``raw_body`` in constant time."""
    if not header:
        return Verdict.MISSING
    # partition, not lstrip("sha256 "): lstrip would eat leading hex digits 2, 5, 6 and a.
    scheme, _, received = header.strip().partition(" ")
    received = received.strip().lower()
    if scheme.lower() != SCHEME or len(received) != _DIGEST_LENGTH:
        return Verdict.MALFORMED
    if not set(received) <= _HEX_DIGITS:
        return Verdict.MALFORMED
    expected = sign(raw_body, secret).partition(" ")[2]
    if hmac.compare_digest(expected.encode("ascii"), received.encode("ascii")):
        return Verdict.VALID
    return Verdict.MISMATCH
