"""Signature checks over the raw body (reference notes §5.1 and pitfall 1)."""

from __future__ import annotations

import hashlib
import hmac

from tests.webhook.deliveries import fixture
from webhook_receiver.signature import Verdict, check_signature, sign

VECTOR = fixture("webhook-signature-test-vector.json")


def test_the_published_test_vector_verifies() -> None:
    raw = VECTOR["raw_body"].encode("utf-8")
    assert sign(raw, VECTOR["secret"]) == VECTOR["signature_header"]
    assert check_signature(raw, VECTOR["signature_header"], VECTOR["secret"]) is Verdict.VALID


def test_a_reserialised_body_does_not_verify() -> None:
    reserialised = VECTOR["reserialized_body_python_json_dumps"].encode("utf-8")
    verdict = check_signature(reserialised, VECTOR["signature_header"], VECTOR["secret"])
    assert verdict is Verdict.MISMATCH
    expected = VECTOR["signature_of_reserialized_body_DOES_NOT_MATCH"]
    assert sign(reserialised, VECTOR["secret"]) == f"sha256 {expected}"


def test_missing_empty_and_malformed_headers_are_told_apart() -> None:
    raw = b'{"action":"ping"}'
    digest = sign(raw, "k").partition(" ")[2]
    assert check_signature(raw, None, "k") is Verdict.MISSING
    assert check_signature(raw, "", "k") is Verdict.MISSING
    assert check_signature(raw, digest, "k") is Verdict.MALFORMED
    assert check_signature(raw, f"sha1 {digest}", "k") is Verdict.MALFORMED
    assert check_signature(raw, f"sha256 {digest[:-1]}", "k") is Verdict.MALFORMED
    assert check_signature(raw, "sha256 " + "z" * 64, "k") is Verdict.MALFORMED


def test_upper_case_hex_and_scheme_verify() -> None:
    raw = b'{"action":"ping"}'
    digest = sign(raw, "k").partition(" ")[2]
    assert check_signature(raw, f"SHA256 {digest.upper()}", "k") is Verdict.VALID


def test_digest_starting_with_characters_of_sha256_is_not_corrupted() -> None:
    # lstrip("sha256 ") would eat a leading 'a', '2', '5' or '6' of the digest (issue #469).
    body = next(
        candidate
        for n in range(1000)
        if hmac.new(b"k", (candidate := f'{{"n":{n}}}'.encode()), hashlib.sha256)
        .hexdigest()
        .startswith(("a", "2", "5", "6"))
    )
    assert check_signature(body, sign(body, "k"), "k") is Verdict.VALID


def test_wrong_secret_is_a_mismatch() -> None:
    raw = VECTOR["raw_body"].encode("utf-8")
    assert check_signature(raw, VECTOR["signature_header"], "another-secret") is Verdict.MISMATCH
