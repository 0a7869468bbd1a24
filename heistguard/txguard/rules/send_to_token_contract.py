"""Tokens sent to the token contract itself: lost for good (a pasted-wrong-address mistake or a trick)."""

from __future__ import annotations

from heistguard.findings import Finding, Rule, Severity
from heistguard.txguard.context import Context
from heistguard.txguard.hexdata import short
from heistguard.txguard.model import EffectKind, Request
from heistguard.txguard.rules._shared import evidence

RULE = Rule(
    id="tx.send-to-token-contract",
    severity=Severity.MEDIUM,
    title="Tokens sent to the token contract itself",
    rationale="Most token contracts cannot send tokens out again: a transfer to the token's own address is lost "
    "(Rabby rule 1016).",
)


def check(request: Request, ctx: Context) -> list[Finding]:
    return [
        RULE.finding(
            f"{effect.via} sends token {short(effect.asset)} to the token contract itself",
            evidence=[evidence(effect.path, f"recipient {effect.party}", "recipient")],
        )
        for effect in request.effects
        if effect.kind is EffectKind.TRANSFER
        and effect.party
        and effect.asset != "ETH"
        and effect.party.lower() == effect.asset.lower()
    ]
