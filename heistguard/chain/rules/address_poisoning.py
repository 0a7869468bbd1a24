"""Address poisoning around the traced funds: zero-value transfers, fake tokens, look-alike addresses."""

from __future__ import annotations

from heistguard.chain.rules.context import TraceContext, address_refs, transfer_evidence
from heistguard.findings import Finding, Rule, Severity

ADDRESS_POISONING = Rule(
    id="chain.address-poisoning",
    severity=Severity.MEDIUM,
    title="Decoy transfers imitate the traced addresses (address poisoning)",
    rationale="Poisoners send zero-value or fake-token transfers from look-alike addresses so a victim copies the "
    "wrong address from history; a trace that followed them would blame innocent addresses.",
    attack=("T1036",),
    references=("https://www.chainalysis.com/blog/address-poisoning-scam/",),
)
RULES = (ADDRESS_POISONING,)


def detect(ctx: TraceContext) -> list[Finding]:
    decoys = ctx.result.decoys
    if not decoys:
        return []
    return [
        ADDRESS_POISONING.finding(
            title=f"{len(decoys)} decoy transfer(s) reported and not followed",
            evidence=[transfer_evidence(d.edge, d.reason) for d in decoys[:20]],
            indicators=address_refs(d.edge["to_address"] for d in decoys),
        )
    ]
