"""Safe gas refunds paid in a custom token or to a third party: a way to hide a payment in the gas fields."""

from __future__ import annotations

from heistguard.findings import Finding, Rule, Severity
from heistguard.txguard.context import Context
from heistguard.txguard.hexdata import ZERO_ADDRESS, short
from heistguard.txguard.model import Request
from heistguard.txguard.rules._shared import address_ref, evidence

RULE = Rule(
    id="tx.safe-gas-refund",
    severity=Severity.HIGH,
    title="Safe transaction pays its gas refund in a custom token or to a third party",
    rationale="execTransaction refunds gasPrice x gas in gasToken to refundReceiver. A custom gas token "
    "together with a custom refund receiver can reroute funds through the refund while the call itself "
    "looks harmless; signers rarely read these fields.",
    attack=("T1657",),
    references=("https://github.com/pcaversaccio/safe-tx-hashes-util",),
)


def check(request: Request, ctx: Context) -> list[Finding]:
    out = []
    for index, tx in enumerate(request.safes):
        odd = []
        if tx.gas_token != ZERO_ADDRESS:
            odd.append(f"gas token {tx.gas_token}")
        if tx.refund_receiver != ZERO_ADDRESS and tx.refund_receiver.lower() not in ctx.wallets:
            odd.append(f"refund receiver {tx.refund_receiver}")
        if not odd:
            continue
        paid = tx.gas_price > 0
        indicators = [address_ref(tx.refund_receiver)] if tx.refund_receiver != ZERO_ADDRESS else []
        out.append(
            RULE.finding(
                f"Safe {short(tx.safe)} sets {' and '.join(odd)}"
                + (
                    f" with gasPrice {tx.gas_price}: the refund moves funds"
                    if paid
                    else " (gasPrice 0: no refund paid now)"
                ),
                evidence=[evidence(f"safe[{index}]", f"gasPrice={tx.gas_price} {'; '.join(odd)}", "refund")],
                indicators=indicators,
                severity=None if paid else Severity.MEDIUM,
            )
        )
    return out
