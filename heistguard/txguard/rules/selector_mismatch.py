"""A function that does not fit its target or the way it is called: calldata that runs another function than
the input's own decoding names (Safe API `dataDecoded`, Transaction Builder `contractMethod`), data that does
not decode as its selector's signature, a token function run by DELEGATECALL, Safe admin aimed at another contract,
ETH sent with a non-payable token call."""

from __future__ import annotations

from heistguard.findings import Finding, Rule, Severity
from heistguard.txguard.context import Context
from heistguard.txguard.hexdata import short
from heistguard.txguard.model import Operation, Request
from heistguard.txguard.rules._shared import call_text, evidence

RULE = Rule(
    id="tx.selector-mismatch",
    severity=Severity.HIGH,
    title="Function does not fit its target or the way it is called",
    rationale="A legitimate wallet never DELEGATECALLs a token's transfer(), never sends ETH with approve(), "
    "and calldata that does not decode as its own selector's signature is either broken or built to fool "
    "decoders. Bybit's transaction was a transfer(…, 0) run by DELEGATECALL.",
    attack=("T1565.003",),
)
_TOKEN_CATEGORIES = ("erc20", "erc20/erc721", "erc721", "erc721/erc1155", "erc1155", "weth", "erc20-permit")
_NON_PAYABLE = ("transfer", "transferFrom", "approve", "setApprovalForAll", "increaseAllowance", "permit")


def check(request: Request, ctx: Context) -> list[Finding]:
    out = []
    for call in request.calls:
        d = call.decoded
        if d is None:
            continue
        problem = None
        severity = None
        if call.claimed and d.name and call.claimed != d.name:
            problem = f"the input's own decoding says {call.claimed}() but the calldata runs {d.render()}"
        elif call.claimed and d.signature is None:
            problem = f"the input's own decoding says {call.claimed}() but selector {d.selector} is unknown"
            severity = Severity.MEDIUM
        elif d.error and d.signature:
            problem = f"calldata for {d.signature} does not decode: {d.error}"
        elif d.category in _TOKEN_CATEGORIES and call.operation is Operation.DELEGATECALL:
            problem = f"token function {d.render()} is run by DELEGATECALL, in the caller's storage"
        elif (
            d.category == "safe-admin"
            and call.sender
            and call.to
            and call.to.lower() != call.sender.lower()
            and call.operation is Operation.CALL
            and request.safes
        ):
            problem = f"Safe admin function {d.name} is sent to {short(call.to)}, not to the Safe itself"
            severity = Severity.MEDIUM
        elif call.value and d.name in _NON_PAYABLE and d.category in _TOKEN_CATEGORIES:
            problem = f"{call.value} wei sent with non-payable {d.name}()"
            severity = Severity.MEDIUM
        if problem:
            out.append(
                RULE.finding(problem, evidence=[evidence(call.path, call_text(call), "data")], severity=severity)
            )
    return out
