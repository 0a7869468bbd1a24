"""mail.html-smuggling: HTML (attached or in the body) that assembles a file in the browser from an embedded blob."""

from __future__ import annotations

import re

from heistguard.artifacts.filetype import Kind
from heistguard.findings import Finding, IndicatorRef, Rule, Severity
from heistguard.mail.context import MailContext, at
from heistguard.mail.message import Message
from heistguard.mail.textscan import Needs, fold

RULE = Rule(
    id="mail.html-smuggling",
    severity=Severity.HIGH,
    title="HTML smuggling: a file is built in the browser from the page",
    rationale="A page that decodes an embedded blob and hands it to the browser as a download delivers a "
    "payload that no mail gateway ever saw as a file.",
    attack=("T1027.006", "T1566.001"),
)

_MARKERS = (
    re.compile(r"\batob\s*\(", re.I),
    re.compile(r"\bnew\s+Blob\s*\(", re.I),
    re.compile(r"URL\.createObjectURL|msSaveOrOpenBlob|msSaveBlob", re.I),
    re.compile(r"\.download\s*=|\bdownload\s*=\s*[\"'][^\"']+\.\w{2,4}[\"']", re.I),
    re.compile(r"Uint8Array|charCodeAt\s*\(", re.I),
    re.compile(r"\.click\s*\(\s*\)", re.I),
)
_MARKER_NEEDS = tuple((marker, Needs(marker, indexed=False)) for marker in _MARKERS)
_BLOB = re.compile(r"[A-Za-z0-9+/]{2000,}={0,2}")
_DATA_DOWNLOAD = re.compile(r"href\s*=\s*[\"']data:application/[^\"']{1000,}[\"'][^>]*\bdownload\b", re.I)


def smuggles(markup: str) -> bool:
    lowered = markup.lower()  # one C-speed pass spares case-blind regex scans of every page without the words
    if "data:application/" in lowered and _DATA_DOWNLOAD.search(markup):
        return True
    if "<script" not in lowered:
        return False
    # A marker regex runs only when the page holds the words it needs (a case-blind scan of a long page is slow).
    folded = fold(markup)
    hits = sum(1 for marker, need in _MARKER_NEEDS if need.occurs_in(folded) and marker.search(markup))
    return hits >= 3 and (bool(_BLOB.search(markup)) or hits >= 5)


def check(message: Message, context: MailContext) -> list[Finding]:
    for attachment in message.attachments:
        if attachment.filetype.kind in (Kind.HTML, Kind.SVG) and smuggles(
            attachment.data[:5_000_000].decode("utf-8", "replace")
        ):
            return [
                RULE.finding(
                    f"{attachment.name} builds a download from an embedded blob",
                    [at(message, f"attachment {attachment.name}", f"{attachment.filetype}")],
                    [IndicatorRef(type="sha256", value=attachment.sha256)],
                )
            ]
    if message.html and smuggles(message.html):
        return [
            RULE.finding(
                "the HTML body builds a download from an embedded blob",
                [at(message, "html body", "<script> with atob/Blob/createObjectURL")],
            )
        ]
    return []
