"""Any change of who controls a wallet or contract: implementation / masterCopy / proxy upgrades, owners,
threshold, modules, guards, fallback handler, ownership transfers and role grants."""

from __future__ import annotations

from heistguard.findings import Finding, Rule, Severity
from heistguard.txguard.context import Context
from heistguard.txguard.hexdata import short
from heistguard.txguard.model import Request
from heistguard.txguard.rules._shared import call_text, evidence
from heistguard.txguard.semantics import CONTROL_CATEGORIES, CRITICAL_CONTROL, HIGH_CONTROL

RULE = Rule(
    id="tx.change-of-control",
    severity=Severity.CRITICAL,
    title="Transaction changes who controls a wallet or contract",
    rationale="Upgrading an implementation, swapping a Safe's masterCopy, adding owners or modules, setting a "
    "guard or fallback handler, transferring ownership or granting a role hands control to someone: the "
    "last step of the Bybit, WazirX and Radiant heists. It must never pass as a routine payment.",
    attack=("T1098",),
    references=("https://docs.safe.global/advanced/smart-account-concepts",),
)


def check(request: Request, ctx: Context) -> list[Finding]:
    out = []
    for call in request.calls:
        decoded = call.decoded
        if decoded is None or not decoded.name or decoded.error:
            continue
        name = decoded.name
        if name in CRITICAL_CONTROL:
            severity, what = Severity.CRITICAL, CRITICAL_CONTROL[name]
        elif name in HIGH_CONTROL:
            severity, what = Severity.HIGH, HIGH_CONTROL[name]
        elif decoded.category in CONTROL_CATEGORIES:
            severity, what = Severity.HIGH, decoded.category
        else:
            continue
        target = (
            "the wallet itself"
            if call.to and call.sender and call.to.lower() == call.sender.lower()
            else short(call.to)
        )
        out.append(
            RULE.finding(
                f"{decoded.render()} on {target} changes {what}",
                evidence=[evidence(call.path, call_text(call), "data")],
                severity=severity,
            )
        )
    return out
