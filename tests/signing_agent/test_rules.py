"""Pure parts of the agent: request parsing, DigestInfo, origins, replay window, rate limit, PIN
messages."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils
from hypothesis import given
from hypothesis import strategies as st

from signing_agent.errors import AgentError
from signing_agent.guards import RateLimiter, ReplayGuard
from signing_agent.protocol import DIGEST_LENGTHS, digest_info, parse_sign, parse_sign_batch
from signing_agent.server import check_allowed_origin, normalise_origin
from signing_agent.token import TokenState, pin_incorrect, pin_locked


def sign_body(**changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "request_id": "req-0123456789abcdef",
        "digest_algorithm": "sha256",
        "digest": base64.b64encode(hashlib.sha256(b"x").digest()).decode(),
        "certificate_serial": "1a2B",
        "document": {"title": "Công văn số 12", "reference": "12/UBND-VP"},
    }
    body.update(changes)
    return body


def test_a_well_formed_sign_request_is_parsed_with_its_serial_read_as_hexadecimal():
    request = parse_sign(sign_body())
    assert request.certificate_serial == 0x1A2B
    assert request.items[0].digest == hashlib.sha256(b"x").digest()
    assert request.items[0].document.title == "Công văn số 12"


@pytest.mark.parametrize("algorithm", ["md5", "sha1", "sha224", "SHA256", "", None])
def test_only_sha256_sha384_and_sha512_are_accepted(algorithm):
    with pytest.raises(AgentError) as raised:
        parse_sign(sign_body(digest_algorithm=algorithm))
    assert raised.value.code == "invalid_request"


@given(st.sampled_from(sorted(DIGEST_LENGTHS)), st.binary(min_size=0, max_size=80))
def test_a_digest_whose_length_does_not_match_its_algorithm_is_refused(algorithm, digest):
    body = sign_body(digest_algorithm=algorithm, digest=base64.b64encode(digest).decode())
    if len(digest) == DIGEST_LENGTHS[algorithm]:
        assert parse_sign(body).items[0].digest == digest
    else:
        with pytest.raises(AgentError):
            parse_sign(body)


@pytest.mark.parametrize(
    "changes",
    [
        {"request_id": "short"},
        {"request_id": "a" * 129},
        {"request_id": "has spaces in it 123"},
        {"digest": "not base64!!"},
        {"certificate_serial": "xyz"},
        {"document": {"title": ""}},
        {"document": {"title": "x" * 301}},
        {"document": {"title": "ok", "colour": "red"}},
        {"pin": "1234"},
    ],
)
def test_malformed_or_unexpected_fields_are_refused(changes):
    with pytest.raises(AgentError):
        parse_sign(sign_body(**changes))


def test_a_batch_is_limited_in_size_and_needs_distinct_item_ids():
    digest = base64.b64encode(bytes(32)).decode()
    batch = {
        "request_id": "batch-0123456789abcdef",
        "digest_algorithm": "sha256",
        "certificate_serial": "01",
        "documents": [{"item_id": str(i), "digest": digest, "title": f"Văn bản {i}"} for i in range(3)],
    }
    assert len(parse_sign_batch(batch, max_items=3).items) == 3
    with pytest.raises(AgentError):
        parse_sign_batch(batch, max_items=2)
    batch["documents"][1]["item_id"] = "0"  # type: ignore[index]
    with pytest.raises(AgentError):
        parse_sign_batch(batch, max_items=3)


@pytest.mark.parametrize("algorithm", sorted(DIGEST_LENGTHS))
def test_digest_info_is_what_a_pkcs1_v15_verifier_expects(algorithm):
    """A raw RSA operation on DigestInfo verifies as a normal RSASSA-PKCS1-v1_5 signature."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    digest = hashlib.new(algorithm, b"signed attributes").digest()
    encoded = digest_info(algorithm, digest)
    k = key.key_size // 8
    padded = b"\x00\x01" + b"\xff" * (k - len(encoded) - 3) + b"\x00" + encoded
    numbers = key.private_numbers()
    signature = pow(int.from_bytes(padded, "big"), numbers.d, numbers.public_numbers.n).to_bytes(k, "big")
    chosen = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha512": hashes.SHA512()}[algorithm]
    key.public_key().verify(signature, digest, padding.PKCS1v15(), utils.Prehashed(chosen))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://EGOV.example", "https://egov.example"),
        ("https://egov.example:443", "https://egov.example"),
        ("https://egov.example:8443/", "https://egov.example:8443"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
    ],
)
def test_origins_are_compared_in_their_normal_form(value, expected):
    assert normalise_origin(value) == expected


@pytest.mark.parametrize(
    "value", ["null", "file://", "https://egov.example/path", "https://u@egov.example", ""]
)
def test_what_is_not_an_origin_is_refused(value):
    with pytest.raises(ValueError):
        normalise_origin(value)


def test_an_allowed_origin_must_be_https_unless_it_is_loopback():
    assert check_allowed_origin("http://localhost:8000") == "http://localhost:8000"
    with pytest.raises(ValueError):
        check_allowed_origin("http://egov.example")


class SteppedClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_request_id_is_refused_again_within_the_window_and_forgotten_after_it():
    clock = SteppedClock()
    guard = ReplayGuard(window=60, clock=clock)
    guard.check_and_remember("request-000000000001")
    clock.now += 59
    with pytest.raises(AgentError) as raised:
        guard.check_and_remember("request-000000000001")
    assert raised.value.code == "replayed_request"
    clock.now += 2
    guard.check_and_remember("request-000000000001")


def test_a_full_replay_memory_refuses_new_requests_rather_than_forgetting_early():
    clock = SteppedClock()
    guard = ReplayGuard(window=60, capacity=2, clock=clock)
    guard.check_and_remember("a" * 16)
    guard.check_and_remember("b" * 16)
    with pytest.raises(AgentError) as raised:
        guard.check_and_remember("c" * 16)
    assert raised.value.code == "busy"
    with pytest.raises(AgentError):
        guard.check_and_remember("a" * 16)


def test_the_rate_limiter_allows_a_burst_then_refills_over_time():
    clock = SteppedClock()
    limiter = RateLimiter(rate=3, per=60, clock=clock)
    for _ in range(3):
        limiter.take()
    with pytest.raises(AgentError) as raised:
        limiter.take()
    assert raised.value.status == 429
    assert raised.value.extra["retry_after"] == 20
    clock.now += 20
    limiter.take()


def test_a_wrong_pin_message_says_what_the_token_reports_about_remaining_tries():
    plain = pin_incorrect(TokenState(present=True))
    assert plain.code == "pin_incorrect"
    assert "Mã PIN không đúng" in plain.message
    assert "không cho biết số lần thử" in plain.message
    assert "MỘT lần thử" in pin_incorrect(TokenState(present=True, pin_final_try=True)).message
    assert "đã thấp" in pin_incorrect(TokenState(present=True, pin_count_low=True)).message
    locked = pin_incorrect(TokenState(present=True, pin_locked=True))
    assert locked.code == "pin_locked"
    assert locked.status == 423
    assert "bị khoá" in pin_locked().message
