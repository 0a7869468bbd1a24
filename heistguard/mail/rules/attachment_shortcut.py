"""mail.shortcut-attachment: a Windows shortcut (LNK) is attached (judged by the bytes, not the name)."""

from __future__ import annotations

from heistguard.artifacts.filetype import Kind
from heistguard.findings import Finding, Rule, Severity
from heistguard.mail.context import MailContext
from heistguard.mail.message import Message
from heistguard.mail.rules._attachments import kind_findings

RULE = Rule(
    id="mail.shortcut-attachment",
    severity=Severity.CRITICAL,
    title="a Windows shortcut (LNK) is attached",
    rationale="An LNK file runs any command line it holds when double-clicked while showing a document icon; "
    "DPRK and many other actors deliver first-stage loaders this way.",
    attack=("T1566.001", "T1204.002"),
)

KINDS = frozenset({Kind.LNK})


def check(message: Message, context: MailContext) -> list[Finding]:
    return kind_findings(RULE, message, KINDS)
