"""Hostile archive attachments: a decompression bomb or members that climb out of their folder, as the
artifact scanner's safe walk reports them (findings use its `artifacts.archive-*` rules)."""

from __future__ import annotations

from heistguard.artifacts import walk
from heistguard.artifacts.detectors.walk_problems import RULE_FOR_PROBLEM
from heistguard.findings import Finding, IndicatorRef
from heistguard.mail.attachments import listing
from heistguard.mail.context import MailContext, at
from heistguard.mail.message import Message

# Only what an archive does on purpose: an honest attachment may be truncated or have many members,
# but it is never built to expand a thousandfold or to write outside its folder.
KINDS = (walk.BOMB, walk.TRAVERSAL)
MAX_FINDINGS = 5


def check(message: Message, context: MailContext) -> list[Finding]:
    findings = []
    for attachment in message.attachments:
        for problem in listing(attachment).problems:
            if problem.kind not in KINDS:
                continue
            rule = RULE_FOR_PROBLEM[problem.kind]
            findings.append(
                rule.finding(
                    f"{problem.path}: {problem.detail}",
                    [at(message, f"attachment {attachment.name}", f"{problem.path}: {problem.detail}")],
                    [IndicatorRef(type="sha256", value=attachment.sha256)],
                )
            )
    return findings[:MAX_FINDINGS]
