"""A marketplace order whose proceeds go to someone other than the signer (or nowhere)."""

from __future__ import annotations

from heistguard.findings import Finding, Rule, Severity
from heistguard.txguard.context import Context
from heistguard.txguard.hexdata import short
from heistguard.txguard.model import EffectKind, Request
from heistguard.txguard.rules._shared import evidence

RULE = Rule(
    id="tx.order-pays-others",
    severity=Severity.CRITICAL,
    title="Order gives assets away: the signer receives nothing",
    rationale="Phishing sites ask for a Seaport-style listing whose consideration goes to the attacker, so the "
    "signer's NFTs or tokens are 'sold' for nothing (Rabby rules 1082/1115/1144).",
    attack=("T1657",),
)


def check(request: Request, ctx: Context) -> list[Finding]:
    orders = [e for e in request.effects if e.kind is EffectKind.ORDER]
    offers = [e for e in orders if e.via == "offer"]
    if not offers:
        return []
    offerer = offers[0].owner
    to_self = [
        e for e in orders if e.via == "consideration" and e.party and offerer and e.party.lower() == offerer.lower()
    ]
    if any(e.amount for e in to_self):
        return []
    others = sorted({short(e.party) for e in orders if e.via == "consideration" and e.party})
    return [
        RULE.finding(
            f"order offers {len(offers)} item(s) from {short(offerer)} and pays nothing back to it"
            + (f"; proceeds go to {', '.join(others)}" if others else ""),
            evidence=[
                evidence(
                    "typed", f"offer {len(offers)} item(s), consideration to {others or 'nobody'}", "consideration"
                )
            ],
        )
    ]
