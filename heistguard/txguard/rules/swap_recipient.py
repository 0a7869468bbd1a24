"""A swap whose proceeds go to someone other than the account paying for it."""

from __future__ import annotations

from heistguard.findings import Finding, Rule, Severity
from heistguard.txguard.context import Context
from heistguard.txguard.hexdata import short
from heistguard.txguard.model import DecodedCall, Request
from heistguard.txguard.rules._shared import address_ref, call_text, evidence

RULE = Rule(
    id="tx.swap-recipient-other",
    severity=Severity.HIGH,
    title="Swap proceeds go to an address other than the payer",
    rationale="Phishing front ends and compromised signing flows keep the swap a user expects and change only "
    "its recipient, so the bought tokens land with the attacker (Rabby rule 1069). The payer itself, its own "
    "wallets and address-book entries are expected recipients; anything else is not.",
    attack=("T1657",),
)
# Router constants meaning "the caller" / "the router itself" (Uniswap SwapRouter02 / Universal Router).
_SELF_MARKERS = {"0x0000000000000000000000000000000000000001", "0x0000000000000000000000000000000000000002"}


def recipient_of(decoded: DecodedCall) -> str | None:
    """The recipient argument of a Uniswap V2 / V3 / SwapRouter02 swap."""
    name, sig = decoded.name, decoded.signature or ""
    if name in ("swapExactETHForTokens", "swapETHForExactTokens"):
        value = decoded.arg(2)
    elif name and name.startswith("swap") and sig.endswith(",address[],address,uint256)"):
        value = decoded.arg(3)
    elif name in ("exactInputSingle", "exactInput"):
        params = decoded.arg(0)
        value = params[3 if name == "exactInputSingle" else 1] if isinstance(params, tuple) else None
    else:
        return None
    return value if isinstance(value, str) else None


def check(request: Request, ctx: Context) -> list[Finding]:
    out = []
    for call in request.calls:
        if call.decoded is None or call.decoded.error or call.decoded.category != "swap":
            continue
        recipient = recipient_of(call.decoded)
        if recipient is None:
            continue
        key = recipient.lower()
        payer = (call.sender or "").lower()
        if key in (payer, *_SELF_MARKERS) or key in ctx.wallets or key in ctx.address_book:
            continue
        out.append(
            RULE.finding(
                f"{call.decoded.name} pays its proceeds to {short(recipient)}, not to the payer {short(call.sender)}",
                evidence=[evidence(call.path, call_text(call), "recipient")],
                indicators=[address_ref(recipient)],
            )
        )
    return out
