"""A DELEGATECALL to anything outside the pinned official Safe libraries: the target's code runs with the
wallet's own storage and balance, so it can rewrite owners, modules or the implementation (Bybit 2025)."""

from __future__ import annotations

from heistguard.findings import Finding, Rule, Severity
from heistguard.txguard.context import Context
from heistguard.txguard.hexdata import short
from heistguard.txguard.model import Operation, Request
from heistguard.txguard.rules._shared import address_ref, call_text, evidence

RULE = Rule(
    id="tx.delegatecall-untrusted",
    severity=Severity.CRITICAL,
    title="DELEGATECALL to a contract outside the pinned official Safe libraries",
    rationale="A DELEGATECALL runs the target's code in the wallet's own storage: it can replace the Safe's "
    "implementation, owners or modules. Bybit (2025-02-21), WazirX (2024-07-18) and Radiant (2024-10-16) "
    "signers approved exactly this behind a friendly screen. Only Safe's own audited libraries "
    "(MultiSend, MultiSendCallOnly, SignMessageLib, CreateCall...) are ever expected here.",
    attack=("T1565.003",),
    references=(
        "https://www.ic3.gov/PSA/2025/PSA250226",
        "https://github.com/safe-global/safe-deployments",
    ),
)


def check(request: Request, ctx: Context) -> list[Finding]:
    out = []
    for call in request.calls:
        if call.operation is not Operation.DELEGATECALL or not call.to:
            continue
        if call.to.lower() in ctx.trusted_delegates:
            continue
        what = call.decoded.render() if call.decoded else "with no calldata"
        out.append(
            RULE.finding(
                f"DELEGATECALL from {short(call.sender)} to untrusted contract {short(call.to)}, running {what} "
                "in the wallet's own storage",
                evidence=[evidence(call.path, call_text(call), "operation")],
                indicators=[address_ref(call.to)],
            )
        )
    return out
