"""A signed legacy transaction without EIP-155 chain protection: valid on every EVM chain."""

from __future__ import annotations

from heistguard.findings import Finding, Rule, Severity
from heistguard.txguard.context import Context
from heistguard.txguard.model import Request
from heistguard.txguard.rules._shared import evidence

RULE = Rule(
    id="tx.replayable-signature",
    severity=Severity.MEDIUM,
    title="Signed transaction has no chain id (replayable on every chain)",
    rationale="A pre-EIP-155 signature names no chain, so anyone can replay it on any EVM chain where the "
    "sender's nonce matches.",
    references=("https://eips.ethereum.org/EIPS/eip-155",),
)


def check(request: Request, ctx: Context) -> list[Finding]:
    raw = request.raw
    if raw is None or not raw.signed or raw.type != 0 or raw.chain_id is not None:
        return []
    return [
        RULE.finding(f"legacy signature v={raw.v} carries no chain id", evidence=[evidence("tx", f"v={raw.v}", "v")])
    ]
