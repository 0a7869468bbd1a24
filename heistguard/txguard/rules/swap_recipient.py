"""A swap whose proceeds go to someone other than the account paying for it."""

from __future__ import annotations

from heistguard.findings import Finding, Rule, Severity
from heistguard.txguard.context import Context
from heistguard.txguard.hexdata import short
from heistguard.txguard.model import EffectKind, Request
from heistguard.txguard.rules._shared import address_ref, evidence

RULE = Rule(
    id="tx.swap-recipient-other",
    severity=Severity.HIGH,
    title="Swap proceeds go to an address other than the payer",
    rationale="Phishing front ends and compromised signing flows keep the swap a user expects and change only "
    "its recipient, so the bought tokens land with the attacker (Rabby rule 1069). The payer itself, its own "
    "wallets and address-book entries are expected recipients; anything else is not.",
    attack=("T1657",),
)


def check(request: Request, ctx: Context) -> list[Finding]:
    out = []
    for effect in request.effects:
        if effect.kind is not EffectKind.SWAP or not effect.party:
            continue
        key = effect.party.lower()
        payer = (effect.owner or "").lower()
        if key == payer or key in ctx.wallets or key in ctx.address_book:
            continue
        out.append(
            RULE.finding(
                f"{effect.via} pays its proceeds to {short(effect.party)}, not to the payer {short(effect.owner)}",
                evidence=[evidence(effect.path, f"{effect.via}: recipient {effect.party}", "recipient")],
                indicators=[address_ref(effect.party)],
            )
        )
    return out
