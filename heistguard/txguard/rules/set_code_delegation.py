"""EIP-7702 authorizations: the signer's account will run another contract's code."""

from __future__ import annotations

from heistguard.findings import Finding, Rule, Severity
from heistguard.txguard.context import Context
from heistguard.txguard.hexdata import ZERO_ADDRESS, short
from heistguard.txguard.model import Request
from heistguard.txguard.rules._shared import address_ref, evidence

RULE = Rule(
    id="tx.set-code-delegation",
    severity=Severity.CRITICAL,
    title="EIP-7702 authorization hands the account to a contract's code",
    rationale="A set-code authorization makes the account run the delegate's code for every later call: "
    "whoever controls that code controls the account's funds. Drainers ask for exactly this signature; "
    "chain id 0 makes it valid on every chain.",
    attack=("T1098",),
    references=("https://eips.ethereum.org/EIPS/eip-7702",),
)


def check(request: Request, ctx: Context) -> list[Finding]:
    if request.raw is None:
        return []
    out = []
    for n, auth in enumerate(request.raw.authorizations):
        trusted = auth.address.lower() in ctx.trusted_delegates
        severity: Severity | None
        if auth.address == ZERO_ADDRESS:
            title = f"authorization {n} clears the code delegation of {short(auth.authority)}"
            severity = Severity.LOW
        else:
            scope = "every chain (chain id 0)" if auth.chain_id == 0 else f"chain {auth.chain_id}"
            title = f"authorization {n} lets {short(auth.address)} run as account {short(auth.authority)} on {scope}"
            severity = Severity.MEDIUM if trusted else None
        out.append(
            RULE.finding(
                title,
                evidence=[evidence(f"authorization[{n}]", f"{auth.authority} -> {auth.address} nonce {auth.nonce}")],
                indicators=[address_ref(auth.address)],
                severity=severity,
            )
        )
    return out
