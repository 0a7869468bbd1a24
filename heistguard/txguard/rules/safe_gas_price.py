"""A non-zero Safe gasPrice: the Safe itself pays whoever executes the transaction."""

from __future__ import annotations

from heistguard.findings import Finding, Rule, Severity
from heistguard.txguard.context import Context
from heistguard.txguard.hexdata import short
from heistguard.txguard.model import Request
from heistguard.txguard.rules._shared import evidence

RULE = Rule(
    id="tx.safe-gas-price",
    severity=Severity.MEDIUM,
    title="Safe transaction refunds gas from the Safe (non-zero gasPrice)",
    rationale="With gasPrice above zero the Safe pays gas x gasPrice to the refund receiver (or the executor): "
    "the amount is set by the signed fields, not by the network, and can be inflated.",
    attack=("T1657",),
)


def check(request: Request, ctx: Context) -> list[Finding]:
    return [
        RULE.finding(
            f"Safe {short(tx.safe)} pays a gas refund at gasPrice {tx.gas_price} (baseGas {tx.base_gas}, "
            f"safeTxGas {tx.safe_tx_gas})",
            evidence=[evidence(f"safe[{index}]", f"gasPrice={tx.gas_price}", "gasPrice")],
        )
        for index, tx in enumerate(request.safes)
        if tx.gas_price > 0
    ]
