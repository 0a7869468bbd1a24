"""A transaction that deploys code (no recipient, or a Safe CREATE operation)."""

from __future__ import annotations

from heistguard.findings import Finding, Rule, Severity
from heistguard.txguard.context import Context
from heistguard.txguard.model import Operation, Request
from heistguard.txguard.rules._shared import evidence

RULE = Rule(
    id="tx.contract-creation",
    severity=Severity.MEDIUM,
    title="Transaction deploys a contract",
    rationale="Deployment bytecode cannot be read by a signer; a deployment from a treasury wallet is rare "
    "and should be expected by name.",
)


def check(request: Request, ctx: Context) -> list[Finding]:
    return [
        RULE.finding(
            f"deploys a contract from {call.sender or 'the signer'} with {len(call.data)} bytes of init code",
            evidence=[evidence(call.path, f"{len(call.data)} bytes of init code", "to")],
        )
        for call in request.calls
        if call.operation is Operation.CREATE or (call.to is None and call.path == "tx")
    ]
