"""Every party a request names (targets, recipients, spenders, refund receivers, delegates) looked up in
the intel store; findings carry the intel guard's own rules (`intel.sanctioned`, `intel.attributed-theft`...)."""

from __future__ import annotations

from heistguard.findings import Finding
from heistguard.txguard.context import Context
from heistguard.txguard.hexdata import ZERO_ADDRESS
from heistguard.txguard.model import Request
from heistguard.txguard.rules._shared import at

RULE = None  # findings use the rules of heistguard.intel.rules


def parties(request: Request) -> list[tuple[str, str]]:
    """(address, where) for everything a request would pay, approve, call or trust."""
    seen: list[tuple[str, str]] = []
    for call in request.calls:
        if call.to:
            seen.append((call.to, f"{call.path} to"))
    for effect in request.effects:
        if effect.party:
            seen.append((effect.party, f"{effect.path} {effect.kind.value}"))
        if effect.asset.startswith("0x"):
            seen.append((effect.asset, f"{effect.path} asset"))
    for index, tx in enumerate(request.safes):
        if tx.refund_receiver != ZERO_ADDRESS:
            seen.append((tx.refund_receiver, f"safe[{index}] refundReceiver"))
    if request.raw:
        seen.extend((a.address, f"authorization[{n}] address") for n, a in enumerate(request.raw.authorizations))
    return seen


def check(request: Request, ctx: Context) -> list[Finding]:
    if ctx.intel is None:
        return []
    out: list[Finding] = []
    done: set[str] = set()
    for addr, where in parties(request):
        key = addr.lower()
        if key in done:
            continue
        done.add(key)
        out.extend(ctx.intel.findings(addr, at(where)))
    return out
