"""A call whose selector is in neither the bundled table nor the user's ABIs: shown as unknown, never guessed."""

from __future__ import annotations

from heistguard.findings import Finding, Rule, Severity
from heistguard.txguard.context import Context
from heistguard.txguard.hexdata import short
from heistguard.txguard.model import Request
from heistguard.txguard.rules._shared import evidence

RULE = Rule(
    id="tx.unknown-function",
    severity=Severity.LOW,
    title="Calls a function the guard cannot decode",
    rationale="What an unknown function does cannot be shown to the signer; supply the contract's ABI "
    "(profile txguard.abi_files) to decode it rather than trusting a wallet's guess.",
)


def check(request: Request, ctx: Context) -> list[Finding]:
    return [
        RULE.finding(
            f"unknown function {call.decoded.selector} on {short(call.to)}",
            evidence=[
                evidence(call.path, f"selector {call.decoded.selector}, {len(call.data)} bytes of calldata", "data")
            ],
        )
        for call in request.calls
        if call.decoded is not None and call.decoded.signature is None
    ]
