"""mail.macro-document: an Office document attached with VBA or Excel 4 macros (found with oletools, never run)."""

from __future__ import annotations

import warnings

from heistguard.artifacts.filetype import Kind
from heistguard.findings import Finding, IndicatorRef, Rule, Severity
from heistguard.mail.context import MailContext, at
from heistguard.mail.message import Message
from heistguard.mail.rules._attachments import items

RULE = Rule(
    id="mail.macro-document",
    severity=Severity.HIGH,
    title="Office document with macros",
    rationale="Macros run code when the reader clicks 'Enable content'; macros that start themselves "
    "(AutoOpen, Document_Open, Workbook_Open) and call shells or downloaders are how lure documents "
    "drop their first stage.",
    attack=("T1566.001", "T1204.002", "T1137"),
    references=("https://github.com/decalage2/oletools",),
)

KINDS = frozenset({Kind.OLE, Kind.OOXML, Kind.RTF, Kind.ODF})
MAX_DOCUMENT = 25 * 1024 * 1024


def macro_summary(data: bytes, name: str) -> tuple[bool, list[str]]:
    """(has macros, notable keywords) from oletools' VBA parser; a broken document has none."""
    with warnings.catch_warnings():  # oletools' pyparsing grammar warns about deprecated names on import
        warnings.simplefilter("ignore")
        from oletools.olevba import VBA_Parser

    try:
        parser = VBA_Parser(name, data=data)
    except Exception:  # oletools raises bare Exceptions on files it cannot parse
        return False, []
    try:
        if not parser.detect_vba_macros():
            return False, []
        notable = []
        for kind, keyword, _ in parser.analyze_macros():
            if kind in ("AutoExec", "Suspicious", "IOC") and keyword not in notable:
                notable.append(keyword)
        return True, notable
    except Exception:  # a macro stream oletools cannot decompress still means macros are there
        return True, []
    finally:
        parser.close()


def check(message: Message, context: MailContext) -> list[Finding]:
    findings = []
    for item in items(message, KINDS):
        data = item.attachment.data
        if "!" in item.name or len(data) > MAX_DOCUMENT:
            continue  # members of archives are judged by the artifact scanner
        if item.filetype.kind is Kind.OOXML and item.filetype.detail != "macro-enabled":
            continue
        has_macros, notable = macro_summary(data, item.name)
        if not has_macros:
            continue
        autoexec = any(k.lower().startswith(("auto", "document_", "workbook_")) for k in notable)
        findings.append(
            RULE.finding(
                f"{item.name} carries macros" + (f" ({', '.join(notable[:6])})" if notable else ""),
                [
                    at(
                        message,
                        f"attachment {item.name}",
                        f"{item.filetype}; sha256 {item.attachment.sha256}",
                    )
                ],
                [IndicatorRef(type="sha256", value=item.attachment.sha256)],
                severity=Severity.CRITICAL if autoexec else None,
            )
        )
    return findings
