"""mail.deceptive-attachment-name: an attachment's name hides what it is (double extension, RTL override,
padding, or bytes of another kind)."""

from __future__ import annotations

import re

from heistguard.artifacts.filetype import EXECUTABLE_KINDS, FileType, name_mismatch
from heistguard.findings import Finding, IndicatorRef, Rule, Severity
from heistguard.mail.attachments import members
from heistguard.mail.context import MailContext, at
from heistguard.mail.message import Message

RULE = Rule(
    id="mail.deceptive-attachment-name",
    severity=Severity.HIGH,
    title="attachment name disguises its type",
    rationale="'invoice.pdf.exe', names padded with spaces before the real extension, a right-to-left override "
    "that reverses the extension on screen, or a program named like a document: each exists only to "
    "make a reader open something they would not.",
    attack=("T1036.007", "T1036.002", "T1566.001"),
)

_DOCUMENT_EXT = r"pdf|docx?|xlsx?|pptx?|txt|rtf|jpe?g|png|gif|csv|odt|html?|zip|rar|7z|mp4|mp3|wav"
_RUNNABLE_EXT = (
    r"exe|scr|com|pif|bat|cmd|vbs|vbe|js|jse|wsf|wsh|hta|lnk|msi|ps1|jar|cpl|iso|img|vhdx?|chm|app|scpt|command|dmg|pkg"
)
_DOUBLE = re.compile(rf"\.(?:{_DOCUMENT_EXT})[\s._-]*\.(?:{_RUNNABLE_EXT})$", re.I)
_PADDED = re.compile(r"\s{5,}\.\w{2,5}$|[._]{5,}\w{2,5}$")
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f]")


def _why(name: str) -> str | None:
    if _BIDI.search(name):
        return "contains a right-to-left override that reverses how the extension is shown"
    if _DOUBLE.search(name):
        return "has a document extension followed by a program extension"
    if _PADDED.search(name):
        return "pads the name with blanks to push the real extension out of view"
    return None


def check(message: Message, context: MailContext) -> list[Finding]:
    findings = []
    for attachment in message.attachments:
        names: list[tuple[str, FileType | None]] = [(attachment.name, attachment.filetype)]
        # An encrypted member's bytes are unknown, but its name is in the archive's directory.
        names += [(f"{attachment.name}!{m.name}", m.filetype) for m in members(attachment) if m.filetype or m.encrypted]
        for name, filetype in names:
            why = _why(name.rsplit("!", 1)[-1])
            if (
                why is None
                and filetype is not None
                and filetype.kind in EXECUTABLE_KINDS
                and name_mismatch(name, filetype)
            ):
                why = f"is named like another type but its bytes are a {filetype}"
            if why:
                findings.append(
                    RULE.finding(
                        f"{name!r} {why}",
                        [at(message, f"attachment {name}", f"{name!r}: {filetype or 'encrypted, bytes unknown'}")],
                        [IndicatorRef(type="sha256", value=attachment.sha256)],
                    )
                )
    return findings[:5]
