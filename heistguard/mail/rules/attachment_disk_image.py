"""mail.disk-image-attachment: a disk image (ISO / IMG / VHD / VHDX / DMG) is attached (judged by the bytes, not
the name)."""

from __future__ import annotations

from heistguard.artifacts.filetype import Kind
from heistguard.findings import Finding, Rule, Severity
from heistguard.mail.context import MailContext
from heistguard.mail.message import Message
from heistguard.mail.rules._attachments import kind_findings

RULE = Rule(
    id="mail.disk-image-attachment",
    severity=Severity.HIGH,
    title="a disk image (ISO / IMG / VHD / VHDX / DMG) is attached",
    rationale="Disk images carry executables past mail filters and strip the Mark-of-the-Web from what they "
    "contain; on macOS a DMG is how fake trading apps and 'meeting SDKs' arrive.",
    attack=("T1566.001", "T1553.005"),
)

KINDS = frozenset({Kind.ISO, Kind.UDF, Kind.VHD, Kind.VHDX, Kind.DISK_IMAGE, Kind.DMG, Kind.XAR})


def check(message: Message, context: MailContext) -> list[Finding]:
    return kind_findings(RULE, message, KINDS)
