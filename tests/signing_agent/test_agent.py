"""The agent over HTTP, against a SoftHSM2 token: what a browser on the egov page can and cannot do."""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import secrets

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, utils

from signing_agent.client import AgentClient

from .conftest import ORIGIN, TOKEN_PIN, RunningAgent, StartAgent, TestPki

HASHES = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha512": hashes.SHA512()}


def new_id() -> str:
    return "req-" + secrets.token_hex(12)


def verify(certificate: x509.Certificate, signature: bytes, digest: bytes, algorithm: str = "sha256") -> None:
    key = certificate.public_key()
    prehashed = utils.Prehashed(HASHES[algorithm])
    if isinstance(key, ec.EllipticCurvePublicKey):
        key.verify(signature, digest, ec.ECDSA(prehashed))
    else:
        key.verify(signature, digest, padding.PKCS1v15(), prehashed)  # type: ignore[union-attr]


def raw_request(
    agent: RunningAgent, method: str, path: str, headers: dict[str, str], body: bytes = b""
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", agent.port, timeout=30)
    connection.request(method, path, body=body or None, headers=headers)
    response = connection.getresponse()
    result = response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    connection.close()
    return result


def test_status_lists_the_token_and_its_certificates_for_the_egov_origin(agent, pki: TestPki):
    response = agent.client.status()
    assert response.status == 200
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert response.body["protocol"] == 1
    assert response.body["token"]["present"] is True
    by_serial = {c["serial"]: c for c in response.body["certificates"]}
    official = pki.certificates["rsa"]
    described = by_serial[format(official.serial_number, "x")]
    assert "Nguyễn Văn An" in described["subject"]
    assert x509.load_pem_x509_certificate(described["pem"].encode()) == official
    assert described["not_after"].startswith(official.not_valid_after_utc.date().isoformat())
    assert by_serial[format(pki.root.serial_number, "x")]["is_ca"] is True


@pytest.mark.parametrize("algorithm", ["sha256", "sha384", "sha512"])
def test_an_rsa_signature_over_the_digest_verifies_with_the_certificate(agent, pki, algorithm):
    certificate = pki.certificates["rsa"]
    digest = hashlib.new(algorithm, b"SignedAttributes of a PAdES signature").digest()
    response = agent.client.sign(
        request_id=new_id(), digest=digest, certificate_serial=certificate.serial_number,
        title="Quyết định số 15/QĐ-UBND", digest_algorithm=algorithm,
    )  # fmt: skip
    assert response.status == 200, response.body
    assert response.body["cms_signature_algorithm"] == f"{algorithm}_rsa"
    verify(certificate, base64.b64decode(response.body["signature"]), digest, algorithm)
    assert x509.load_pem_x509_certificate(response.body["certificate"].encode()) == certificate
    assert [x509.load_pem_x509_certificate(p.encode()) for p in response.body["chain"]] == [pki.root]


def test_an_ecdsa_p256_signature_is_returned_der_encoded_and_verifies(agent, pki):
    certificate = pki.certificates["ec"]
    digest = hashlib.sha256(b"attributes").digest()
    response = agent.client.sign(
        request_id=new_id(), digest=digest, certificate_serial=certificate.serial_number, title="Tờ trình"
    )
    assert response.status == 200, response.body
    assert response.body["cms_signature_algorithm"] == "sha256_ecdsa"
    signature = base64.b64decode(response.body["signature"])
    utils.decode_dss_signature(signature)  # DER ECDSA-Sig-Value, as CMS needs
    verify(certificate, signature, digest)


def test_a_tampered_digest_does_not_verify_against_the_returned_signature(agent, pki):
    certificate = pki.certificates["rsa"]
    digest = hashlib.sha256(b"original").digest()
    response = agent.client.sign(
        request_id=new_id(), digest=digest, certificate_serial=certificate.serial_number, title="Văn bản"
    )
    with pytest.raises(InvalidSignature):
        verify(certificate, base64.b64decode(response.body["signature"]), hashlib.sha256(b"changed").digest())


def test_a_batch_of_n_digests_gives_n_valid_signatures_after_one_pin_entry(agent, pki):
    certificate = pki.certificates["rsa"]
    documents = [
        (f"doc-{i}", hashlib.sha256(f"văn bản {i}".encode()).digest(), f"Công văn {i}") for i in range(5)
    ]
    response = agent.client.sign_batch(
        request_id=new_id(), documents=documents, certificate_serial=certificate.serial_number
    )
    assert response.status == 200, response.body
    results = response.body["results"]
    assert [r["item_id"] for r in results] == [d[0] for d in documents]
    for result, (_, digest, _) in zip(results, documents, strict=True):
        assert result["status"] == "signed"
        verify(certificate, base64.b64decode(result["signature"]), digest)
    log = agent.log_text()
    assert log.count(f"pin prompt request_id={response.body['request_id']} documents=5") == 1
    assert log.count(f"signed request_id={response.body['request_id']} ") == 1


def test_a_batch_larger_than_allowed_is_refused_before_asking_for_the_pin(agent, pki):
    documents = [(str(i), bytes(32), "x") for i in range(101)]
    response = agent.client.sign_batch(
        request_id=new_id(), documents=documents, certificate_serial=pki.certificates["rsa"].serial_number
    )
    assert response.status == 400
    assert response.body["error"]["code"] == "invalid_request"


def test_a_replayed_request_id_is_refused(agent, pki):
    request_id = new_id()
    serial = pki.certificates["rsa"].serial_number
    first = agent.client.sign(
        request_id=request_id, digest=bytes(32), certificate_serial=serial, title="Lần 1"
    )
    again = agent.client.sign(
        request_id=request_id, digest=bytes(32), certificate_serial=serial, title="Lần 2"
    )
    assert first.status == 200
    assert again.status == 409
    assert again.body["error"]["code"] == "replayed_request"
    assert "signature" not in again.body


@pytest.mark.parametrize(
    "origin", ["https://evil.example", "https://egov.example.evil.example", "null", "http://egov.example"]
)
def test_requests_from_another_origin_are_forbidden_and_unreadable(agent, pki, origin):
    other = AgentClient(agent.base_url, origin=origin)
    status = other.status()
    signing = other.sign(
        request_id=new_id(),
        digest=bytes(32),
        certificate_serial=pki.certificates["rsa"].serial_number,
        title="x",
    )
    for response in (status, signing):
        assert response.status == 403
        assert response.body["error"]["code"] == "forbidden_origin"
        assert "Access-Control-Allow-Origin" not in response.headers


def test_a_request_without_an_origin_is_forbidden(agent):
    status, _, body = raw_request(agent, "GET", "/v1/status", {"Host": f"127.0.0.1:{agent.port}"})
    assert status == 403
    assert json.loads(body)["error"]["code"] == "forbidden_origin"


def test_a_request_with_a_foreign_host_header_is_forbidden_against_dns_rebinding(agent):
    status, _, body = raw_request(
        agent, "GET", "/v1/status", {"Host": f"attacker.example:{agent.port}", "Origin": ORIGIN}
    )
    assert status == 403
    assert json.loads(body)["error"]["code"] == "forbidden_host"


def test_the_cors_preflight_is_answered_for_the_egov_origin_only(agent):
    preflight = {
        "Host": f"127.0.0.1:{agent.port}",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
        "Access-Control-Request-Private-Network": "true",
    }
    status, headers, _ = raw_request(agent, "OPTIONS", "/v1/sign", {**preflight, "Origin": ORIGIN})
    assert status == 204
    assert headers["access-control-allow-origin"] == ORIGIN
    assert headers["access-control-allow-methods"] == "POST"
    assert headers["access-control-allow-headers"] == "Content-Type"
    assert headers["access-control-allow-private-network"] == "true"
    status, headers, _ = raw_request(
        agent, "OPTIONS", "/v1/sign", {**preflight, "Origin": "https://evil.example"}
    )
    assert status == 403
    assert "access-control-allow-origin" not in headers
    status, _, _ = raw_request(
        agent,
        "OPTIONS",
        "/v1/sign",
        {**preflight, "Origin": ORIGIN, "Access-Control-Request-Headers": "x-pin"},
    )
    assert status == 403


def test_only_json_bodies_within_the_size_limit_are_read(agent):
    base = {"Host": f"127.0.0.1:{agent.port}", "Origin": ORIGIN}
    status, _, _ = raw_request(agent, "POST", "/v1/sign", {**base, "Content-Type": "text/plain"}, b"{}")
    assert status == 415
    big = json.dumps({"padding": "x" * 300_000}).encode()
    status, _, body = raw_request(
        agent, "POST", "/v1/sign", {**base, "Content-Type": "application/json"}, big
    )
    assert status == 413
    assert json.loads(body)["error"]["code"] == "payload_too_large"
    status, _, _ = raw_request(
        agent, "POST", "/v1/sign", {**base, "Content-Type": "application/json"}, b"{not json"
    )
    assert status == 400


def test_wrong_methods_and_unknown_paths_are_refused(agent):
    assert agent.client.request("POST", "/v1/status", {}).status == 405
    assert agent.client.request("GET", "/v1/sign").status == 405
    assert agent.client.request("GET", "/v2/status").status == 404


def test_an_unknown_or_expired_certificate_is_refused(agent, pki):
    unknown = agent.client.sign(request_id=new_id(), digest=bytes(32), certificate_serial=0xABCDEF, title="x")
    assert unknown.status == 404
    assert unknown.body["error"]["code"] == "certificate_not_found"
    expired = agent.client.sign(
        request_id=new_id(),
        digest=bytes(32),
        certificate_serial=pki.certificates["expired"].serial_number,
        title="x",
    )
    assert expired.status == 422
    assert expired.body["error"]["code"] == "certificate_not_valid"
    assert "hết hạn" in expired.body["error"]["message"]


def test_a_wrong_pin_signs_nothing_and_says_so_in_vietnamese(start_agent: StartAgent, pki):
    wrong = start_agent(pin="0000")
    response = wrong.client.sign(
        request_id=new_id(),
        digest=bytes(32),
        certificate_serial=pki.certificates["rsa"].serial_number,
        title="x",
    )
    assert response.status == 401
    assert response.body["error"]["code"] == "pin_incorrect"
    assert response.body["error"]["message"].startswith("Mã PIN không đúng. Chưa văn bản nào được ký.")
    assert "signature" not in response.body
    assert "signed request_id" not in wrong.log_text()


def test_a_cancelled_pin_prompt_or_a_refused_confirmation_signs_nothing(start_agent: StartAgent, pki):
    serial = pki.certificates["rsa"].serial_number
    cancelled = start_agent(pin=None).client.sign(
        request_id=new_id(), digest=bytes(32), certificate_serial=serial, title="x"
    )
    assert cancelled.status == 403
    assert cancelled.body["error"]["code"] == "user_cancelled"
    refusing = start_agent("--confirm", approve=False)
    refused = refusing.client.sign(
        request_id=new_id(), digest=bytes(32), certificate_serial=serial, title="x"
    )
    assert refused.status == 403
    assert refused.body["error"]["code"] == "user_refused"
    assert refusing.client.status().body["confirm_each_request"] is True


def test_signing_requests_beyond_the_rate_limit_are_refused(start_agent: StartAgent, pki):
    limited = start_agent("--rate", "2")
    serial = pki.certificates["rsa"].serial_number
    codes = [
        limited.client.sign(
            request_id=new_id(), digest=bytes(32), certificate_serial=serial, title="x"
        ).status
        for _ in range(3)
    ]
    assert codes == [200, 200, 429]
    refused = limited.client.sign(request_id=new_id(), digest=bytes(32), certificate_serial=serial, title="x")
    assert int(refused.headers["Retry-After"]) >= 1


def test_without_the_token_status_says_absent_and_signing_asks_to_plug_it_in(start_agent: StartAgent, pki):
    absent = start_agent(token_label="not-plugged-in")
    assert absent.client.status().body["token"]["present"] is False
    response = absent.client.sign(
        request_id=new_id(),
        digest=bytes(32),
        certificate_serial=pki.certificates["rsa"].serial_number,
        title="x",
    )
    assert response.status == 503
    assert "cắm token" in response.body["error"]["message"]


def test_the_log_never_holds_the_pin_nor_whole_digests(agent, pki):
    digest = hashlib.sha256(b"secret document").digest()
    agent.client.sign(
        request_id=new_id(),
        digest=digest,
        certificate_serial=pki.certificates["rsa"].serial_number,
        title="Mật",
    )
    text = agent.log_text()
    assert "signed request_id" in text
    assert digest[:4].hex() in text
    assert digest.hex() not in text
    assert base64.b64encode(digest).decode() not in text
    assert TOKEN_PIN not in text
