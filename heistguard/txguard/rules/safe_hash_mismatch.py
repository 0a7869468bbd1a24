"""A Safe transaction whose stated safeTxHash is not the hash of its own fields."""

from __future__ import annotations

from heistguard.findings import Finding, Rule, Severity
from heistguard.txguard.context import Context
from heistguard.txguard.model import Request
from heistguard.txguard.rules._shared import evidence

RULE = Rule(
    id="tx.safe-hash-mismatch",
    severity=Severity.CRITICAL,
    title="Stated safeTxHash does not match the transaction's fields",
    rationale="Signers approve the safeTxHash. When the hash a service or UI shows is not the hash of the "
    "fields it shows, what is signed is something else: the Bybit interface showed one transaction and "
    "had another signed.",
    attack=("T1565.003",),
)


def check(request: Request, ctx: Context) -> list[Finding]:
    out = []
    for index, tx in enumerate(request.safes):
        if tx.claimed_hash is None or not tx.hashes:
            continue
        if any(h.safe_tx_hash == tx.claimed_hash for h in tx.hashes):
            continue
        computed = ", ".join(f"{h.label}: 0x{h.safe_tx_hash.hex()}" for h in tx.hashes)
        # Without the chain id a Safe 1.3.0+ hash on an uncommon chain cannot be recomputed: say so, less loudly.
        unsure = tx.chain_id is None and not tx.version
        out.append(
            RULE.finding(
                f"stated safeTxHash 0x{tx.claimed_hash.hex()} matches none of the computed hashes"
                + (" (chain id unknown: give --chain-id)" if unsure else ""),
                evidence=[evidence(f"safe[{index}]", f"computed {computed}", "safeTxHash")],
                severity=Severity.HIGH if unsure else None,
            )
        )
    return out
