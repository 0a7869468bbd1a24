"""Approvals and permits for an unlimited (or practically unlimited) amount."""

from __future__ import annotations

from heistguard.findings import Finding, Rule, Severity
from heistguard.txguard.context import Context
from heistguard.txguard.hexdata import short
from heistguard.txguard.model import EffectKind, Request
from heistguard.txguard.rules._shared import evidence
from heistguard.txguard.semantics import UNLIMITED

RULE = Rule(
    id="tx.approval-unlimited",
    severity=Severity.MEDIUM,
    title="Approval or permit for an unlimited amount",
    rationale="An unlimited allowance outlives the trade it was given for: if the spender is ever compromised "
    "or was malicious, every token of that kind the wallet will ever hold can be taken.",
    attack=("T1657",),
)


def check(request: Request, ctx: Context) -> list[Finding]:
    out = []
    for effect in request.effects:
        if effect.kind is not EffectKind.APPROVE or effect.amount is None or effect.amount < UNLIMITED:
            continue
        out.append(
            RULE.finding(
                f"{effect.via} grants {short(effect.party)} an unlimited allowance of token {short(effect.asset)}",
                evidence=[evidence(effect.path, f"amount {effect.amount}", "amount")],
            )
        )
    return out
