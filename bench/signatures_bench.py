"""Signatures per second (PAdES B-T, local TSA) for 1-page and 50-page PDFs, egov beside pyHanko.

    DJANGO_SETTINGS_MODULE=egov.config.test_settings .venv/bin/python bench/signatures_bench.py [--n 20]

Starts the throwaway dev PKI (TSA/OCSP on loopback) in-process and signs the same frozen draft
(``pades.freeze``) N times in one opening of the key, as ``services.sign_batch`` does:

- ``egov``: ``pades.sign`` into the frozen signer field with the Decree 30 image appearance;
- ``pyhanko-visible``: ``PdfSigner`` called directly with the same stamp style and field;
- ``pyhanko-invisible``: ``PdfSigner`` directly, invisible new field (the floor).

Then validation time per file (``validation.validate_pdf``), with OCSP/CRL fetched from the local
responder and offline. Key: PKCS#12 (RSA-2048 in process).
"""

from __future__ import annotations

import argparse
import io
import logging
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from time import perf_counter

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import django

django.setup()

from django.test import override_settings  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter  # noqa: E402
from pyhanko.sign import fields, signers, timestamps  # noqa: E402
from weasyprint import HTML  # noqa: E402

from egov.signatures import appearances, pades  # noqa: E402
from egov.signatures import signers as egov_signers  # noqa: E402
from egov.signatures.appearances import Placement  # noqa: E402
from egov.signatures.devpki import DEV_PFX_PASSPHRASE, DevPkiServer  # noqa: E402
from egov.signatures.validation import TrustAnchors, validate_pdf  # noqa: E402

LAYOUT = pades.FreezeLayout(signer=Placement(page=0, box=(330.0, 240.0, 530.0, 320.0)))


def document(pages: int) -> bytes:
    body = "".join(
        f'<section style="page-break-after: always"><h1>QUYẾT ĐỊNH số {n}</h1>'
        + "<p>Về việc ban hành Quy chế làm việc của Ủy ban nhân dân tỉnh Thử Nghiệm.</p>" * 25
        + "</section>"
        for n in range(1, pages + 1)
    )
    return HTML(string=f"<html lang='vi'><body>{body}</body></html>").write_pdf()


def signature_image() -> bytes:
    image = Image.new("RGBA", (300, 120), (0, 0, 0, 0))
    ImageDraw.Draw(image).line((10, 100, 290, 20), fill=(0, 0, 200, 255), width=6)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def timed(n: int, action: Callable[[], bytes]) -> tuple[float, list[float], bytes]:
    action()  # warm-up: font subsetting caches, TLS-free HTTP keep-alive, imports
    durations = []
    result = b""
    for _ in range(n):
        start = perf_counter()
        result = action()
        durations.append(perf_counter() - start)
    return n / sum(durations), durations, result


def main() -> None:
    logging.disable(logging.INFO)  # pyHanko logs every OCSP/CRL fetch
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server = DevPkiServer(Path(tmp) / "keys")
        pki = server.start()
        try:
            run(pki, Path(tmp), args.n)
        finally:
            server.stop()


def run(pki: object, tmp: Path, n: int) -> None:
    from egov.signatures.devpki import DevPki

    assert isinstance(pki, DevPki)
    p12 = pki.write_pkcs12("official", tmp / "official.p12")
    policy = pades.SigningPolicy(tsa_url=pki.tsa_url)
    image = signature_image()
    anchors = TrustAnchors(roots=(pki.cert("root"),), intermediates=(pki.cert("ica"),))
    print(f"{'pages':>5} {'variant':<20} {'sig/s':>7} {'median ms':>10} {'p95 ms':>8}")
    for pages in (1, 50):
        frozen = pades.freeze(
            document(pages), verification_url="https://x.example/ky-so/x/abc/", layout=LAYOUT
        )
        with (
            override_settings(EGOV_SIGNING_ALLOW_PKCS12=True),
            egov_signers.open_signer(egov_signers.Pkcs12Key(path=p12), pin=DEV_PFX_PASSPHRASE) as signer,
        ):
            style = appearances.signer_style(image)
            tsa = timestamps.HTTPTimeStamper(pki.tsa_url)

            def egov(signer: signers.Signer = signer, style: object = style, frozen: bytes = frozen) -> bytes:
                return pades.sign(
                    frozen, signer=signer, policy=policy, field_name=pades.SIGNER_FIELD, style=style
                )  # type: ignore[arg-type]

            def direct(
                visible: bool,
                signer: signers.Signer = signer,
                frozen: bytes = frozen,
                tsa: timestamps.TimeStamper = tsa,
            ) -> bytes:
                meta = signers.PdfSignatureMetadata(
                    field_name=pades.SIGNER_FIELD if visible else "Invisible",
                    subfilter=fields.SigSeedSubFilter.PADES,
                    md_algorithm="sha256",
                )
                pdf_signer = signers.PdfSigner(
                    meta,
                    signer=signer,
                    timestamper=tsa,
                    stamp_style=appearances.signer_style(image) if visible else None,
                    new_field_spec=None if visible else fields.SigFieldSpec("Invisible"),
                )
                out = io.BytesIO()
                pdf_signer.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(frozen)), output=out)
                return out.getvalue()

            rows = [
                ("egov", egov),
                ("pyhanko-visible", lambda: direct(True)),
                ("pyhanko-invisible", lambda: direct(False)),
            ]
            rates: dict[str, float] = {}
            signed = b""
            for name, action in rows:
                rate, durations, result = timed(n if pages == 1 else max(3, n // 2), action)
                rates[name] = rate
                signed = result if name == "egov" else signed
                p95 = sorted(durations)[max(0, int(len(durations) * 0.95) - 1)]
                median_ms = statistics.median(durations) * 1000
                print(f"{pages:>5} {name:<20} {rate:>7.2f} {median_ms:>10.0f} {p95 * 1000:>8.0f}")
            ratio = rates["pyhanko-visible"] / rates["egov"]
            print(f"{pages:>5} overhead egov / pyhanko-visible = {ratio:.2f}x time")
        for label, fetch in (("validation (OCSP/CRL fetched)", True), ("validation (offline)", False)):
            current = TrustAnchors(
                roots=anchors.roots, intermediates=anchors.intermediates, allow_fetching=fetch
            )
            start = perf_counter()
            runs = 5
            for _ in range(runs):
                report = validate_pdf(signed, anchors=current)
            elapsed = (perf_counter() - start) / runs
            print(f"{pages:>5} {label:<30} {elapsed * 1000:>7.0f} ms/file  (ok={report.ok})")


if __name__ == "__main__":
    main()
