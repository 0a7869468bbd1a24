"""Not a detection: the decoded request itself (plain sentence, fields, hashes, signers) as an info finding,
so every output format carries what the signer must compare."""

from __future__ import annotations

from heistguard.findings import Finding, Rule, Severity
from heistguard.txguard.context import Context
from heistguard.txguard.describe import details
from heistguard.txguard.model import Request
from heistguard.txguard.rules._shared import evidence

RULE = Rule(
    id="tx.decoded",
    severity=Severity.INFO,
    title="What the transaction or signature does, decoded offline",
    rationale="Signers must compare what they sign with an independent decoding, not with the wallet's screen.",
)


def check(request: Request, ctx: Context) -> list[Finding]:
    lines = details(request, ctx)
    return [RULE.finding(request.summary, evidence=[evidence("decoded", line) for line in lines])]
