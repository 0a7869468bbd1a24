"""Approvals, operator approvals and permits that name a spender the guard cannot vouch for."""

from __future__ import annotations

from heistguard.findings import Finding, Rule, Severity
from heistguard.txguard.context import Context
from heistguard.txguard.hexdata import short
from heistguard.txguard.model import EffectKind, Request
from heistguard.txguard.rules._shared import address_ref, evidence

RULE = Rule(
    id="tx.approval-unknown-spender",
    severity=Severity.HIGH,
    title="Approval or permit names a spender that is not a known contract",
    rationale="Drainers collect approvals and permit signatures to their own accounts or fresh contracts. "
    "Offline, a spender cannot be shown to be a reputable contract unless it is a well-known router, "
    "marketplace or Permit2, or the profile trusts it; an externally owned spender is the classic theft "
    "pattern (Rabby rules 1022/1043/1053/1071/1077/1109).",
    attack=("T1657",),
)


def check(request: Request, ctx: Context) -> list[Finding]:
    out = []
    for effect in request.effects:
        if effect.kind not in (EffectKind.APPROVE, EffectKind.APPROVE_ALL) or not effect.party:
            continue
        key = effect.party.lower()
        if key in ctx.trusted_spenders or key in ctx.wallets:
            continue
        booked = ctx.address_book.get(key)
        note = f" (address-book entry {booked!r}, not marked as a trusted spender)" if booked else ""
        out.append(
            RULE.finding(
                f"{effect.via} lets unknown spender {short(effect.party)}{note} take token {short(effect.asset)}",
                evidence=[
                    evidence(effect.path, f"{effect.via}: spender {effect.party}, amount {effect.amount}", "spender")
                ],
                indicators=[address_ref(effect.party)],
            )
        )
    return out
