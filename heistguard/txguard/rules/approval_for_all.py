"""setApprovalForAll(operator, true): an operator may move every NFT of the collection."""

from __future__ import annotations

from heistguard.findings import Finding, Rule, Severity
from heistguard.txguard.context import Context
from heistguard.txguard.hexdata import short
from heistguard.txguard.model import EffectKind, Request
from heistguard.txguard.rules._shared import address_ref, evidence

RULE = Rule(
    id="tx.approval-for-all",
    severity=Severity.HIGH,
    title="Operator approval over a whole collection",
    rationale="setApprovalForAll gives the operator every token of the collection, now and later; NFT "
    "drainers ask for nothing else. Only well-known marketplaces and profile-trusted operators pass quietly.",
    attack=("T1657",),
)


def check(request: Request, ctx: Context) -> list[Finding]:
    out = []
    for effect in request.effects:
        if effect.kind is not EffectKind.APPROVE_ALL or not effect.party:
            continue
        known = effect.party.lower() in ctx.trusted_spenders
        out.append(
            RULE.finding(
                f"setApprovalForAll lets {short(effect.party)} move every token of collection {short(effect.asset)}",
                evidence=[evidence(effect.path, f"operator {effect.party}", "operator")],
                indicators=[address_ref(effect.party)],
                severity=Severity.LOW if known else None,
            )
        )
    return out
