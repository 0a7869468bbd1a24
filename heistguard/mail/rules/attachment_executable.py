"""mail.executable-attachment: an executable program is attached (judged by the bytes, not the name)."""

from __future__ import annotations

from heistguard.artifacts.filetype import Kind
from heistguard.findings import Finding, Rule, Severity
from heistguard.mail.context import MailContext
from heistguard.mail.message import Message
from heistguard.mail.rules._attachments import kind_findings

RULE = Rule(
    id="mail.executable-attachment",
    severity=Severity.CRITICAL,
    title="an executable program is attached",
    rationale="Mail has no business carrying programs. A Windows, macOS or Linux executable, installer or Java "
    "archive, sent directly or inside a ZIP, runs with the reader's rights the moment it is opened.",
    attack=("T1566.001", "T1204.002"),
)

KINDS = frozenset({Kind.PE, Kind.ELF, Kind.MACHO, Kind.MSI, Kind.JAR, Kind.JAVA_CLASS})


def check(message: Message, context: MailContext) -> list[Finding]:
    return kind_findings(RULE, message, KINDS)
