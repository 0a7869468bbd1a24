"""Office documents with VBA or Excel 4 macros, read with oletools' olevba (parsed, never run):
auto-run macros that also shell out or download are the classic attachment stage."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator

from heistguard.artifacts.detectors.base import Detector, Sample, ScanContext, Target
from heistguard.artifacts.filetype import Kind
from heistguard.findings import Evidence, Finding, Location, Rule, Severity

RULE = Rule(
    id="artifacts.office-macro",
    severity=Severity.MEDIUM,
    title="Office document carries macros",
    rationale="Macros run when the user enables content; lures pair an auto-run entry point (AutoOpen, "
    "Document_Open, Workbook_Open) with Shell, CreateObject or a download. Macros alone are medium; "
    "auto-run plus suspicious calls is high.",
    attack=("T1204.002", "T1137", "T1059.005"),
    references=("https://github.com/decalage2/oletools/wiki/olevba",),
)


def _check(target: Target, ctx: ScanContext) -> Iterator[Finding]:
    with warnings.catch_warnings():  # oletools uses deprecated pyparsing names
        warnings.simplefilter("ignore")
        from oletools import olevba  # heavy import, only for documents

    logging.getLogger("olevba").setLevel(logging.CRITICAL)
    olevba.log.setLevel(logging.CRITICAL)
    try:
        parser = olevba.VBA_Parser(target.name, data=target.data, relaxed=True)
    except Exception:  # oletools raises bare exceptions on documents it cannot read
        return
    try:
        if not parser.detect_vba_macros():
            return
        results = parser.analyze_macros() or []
    except Exception:
        results = []
    finally:
        parser.close()
    autoexec = sorted({kw for kind, kw, _ in results if kind == "AutoExec"})
    suspicious = sorted({kw for kind, kw, _ in results if kind == "Suspicious"})
    evidence = [
        Evidence(location=Location(path=target.path, logical="VBA"), text=f"{kind}: {kw} — {desc}")
        for kind, kw, desc in results
        if kind in ("AutoExec", "Suspicious", "IOC")
    ][:8]
    if autoexec and suspicious:
        title = f"auto-run macro ({', '.join(autoexec[:3])}) with {', '.join(suspicious[:4])}"
        yield RULE.finding(title, evidence, severity=Severity.HIGH)
    else:
        yield RULE.finding(
            "document carries macros",
            evidence or [Evidence(location=Location(path=target.path), text="VBA project present")],
        )


DETECTOR = Detector(
    rule=RULE,
    applies=lambda t: t.kind in (Kind.OLE, Kind.OOXML, Kind.RTF) or (t.is_text and b"<w:wordDocument" in t.data[:4096]),
    check=_check,
    bad=(),  # real macro documents are tests/fixtures/artifacts/macros/ (see the test)
    good=(Sample("report.docx", b"PK\x03\x04not really a document"),),
)
