"""The plain sentence that leads every result ("what does this transaction do?") and the decoded details
a signer compares with the hardware wallet (hashes, fields, the owners signatures recover to)."""

from __future__ import annotations

from decimal import Decimal

from heistguard.txguard.context import Context
from heistguard.txguard.decode import call_effects
from heistguard.txguard.hexdata import short
from heistguard.txguard.model import Call, Effect, EffectKind, Operation, Request
from heistguard.txguard.semantics import CRITICAL_CONTROL, HIGH_CONTROL, KNOWN_TOKENS, UNLIMITED


def scaled(amount: int, decimals: int) -> str:
    text = f"{Decimal(amount) / Decimal(10**decimals):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def ether(wei: int) -> str:
    return scaled(wei, 18)


def _who(addr: str | None, ctx: Context) -> str:
    if not addr:
        return "(unknown)"
    name = ctx.name_of(addr)
    return f"{name} ({short(addr)})" if name else short(addr)


def _amount(effect: Effect, chain_id: int | None = None) -> str:
    if effect.amount is None:
        return "an amount"
    if effect.asset == "ETH":
        return f"{ether(effect.amount)} ETH"
    if effect.kind is EffectKind.APPROVE and effect.amount >= UNLIMITED:
        return f"an UNLIMITED amount of token {short(effect.asset)}"
    known = KNOWN_TOKENS.get(effect.asset.lower()) if chain_id in (1, None) else None
    if known:
        symbol, decimals = known
        return f"{scaled(effect.amount, decimals)} {symbol} ({short(effect.asset)})"
    return f"{effect.amount} units of token {short(effect.asset)}"


def _effect_phrase(effect: Effect, ctx: Context, chain_id: int | None = None) -> str:
    if effect.kind is EffectKind.TRANSFER:
        return f"sends {_amount(effect, chain_id)} to {_who(effect.party, ctx)}"
    if effect.kind is EffectKind.APPROVE:
        return f"lets {_who(effect.party, ctx)} spend {_amount(effect, chain_id)}"
    if effect.kind is EffectKind.SWAP:
        return f"swaps through {_who(effect.asset, ctx)}, paying the proceeds to {_who(effect.party, ctx)}"
    if effect.kind is EffectKind.APPROVE_ALL:
        return f"lets {_who(effect.party, ctx)} move every token of collection {short(effect.asset)}"
    return f"{effect.via} {_amount(effect, chain_id)}"


def _children(call: Call, request: Request) -> list[Call]:
    prefix = call.path + ">"
    return [c for c in request.calls if c.path.startswith(prefix) and c.depth == call.depth + 1]


def action(call: Call, request: Request, ctx: Context) -> str:
    """What one call does, in a few words."""
    d = call.decoded
    if call.operation is Operation.CREATE or call.to is None:
        return f"deploys a contract ({len(call.data)} bytes of init code)"
    if call.operation is Operation.DELEGATECALL and call.to.lower() not in ctx.trusted_delegates:
        what = d.render() if d else "its code"
        return (
            f"DELEGATECALLs an unverified contract {short(call.to)}, running {what} in the wallet's own storage: "
            "this can replace the wallet's code"
        )
    if d and d.name in ("multiSend",) and not d.error:
        items = _children(call, request)
        via = ctx.name_of(call.to) or f"unverified batch contract {short(call.to)}"
        parts = "; ".join(f"{n + 1}) {action(item, request, ctx)}" for n, item in enumerate(items))
        return f"runs a batch of {len(items)} call(s) through {via}: {parts}"
    if d and d.name == "execTransaction" and not d.error:
        inner = _children(call, request)
        tx = next((s for s in request.safes if s.safe.lower() == call.to.lower()), None)
        nonce = f" (nonce {tx.nonce})" if tx and tx.nonce is not None else ""
        return f"executes a transaction of Safe {short(call.to)}{nonce} that " + (
            action(inner[0], request, ctx) if inner else "does nothing"
        )
    if d and d.name in ("multicall", "aggregate", "aggregate3", "aggregate3Value", "tryAggregate") and not d.error:
        items = _children(call, request)
        parts = "; ".join(f"{n + 1}) {action(item, request, ctx)}" for n, item in enumerate(items))
        return f"calls {d.name} on {_who(call.to, ctx)}, which runs {len(items)} call(s): {parts}"
    if d and d.name == "approveHash" and not d.error:
        return f"approves Safe transaction hash {d.render()[12:-1]} on Safe {short(call.to)} (nested Safe signature)"
    if d and d.name and not d.error and (d.name in CRITICAL_CONTROL or d.name in HIGH_CONTROL):
        what = CRITICAL_CONTROL.get(d.name) or HIGH_CONTROL[d.name]
        target = "the wallet itself" if call.sender and call.to.lower() == call.sender.lower() else short(call.to)
        return f"calls {d.render()} on {target}, changing {what}"
    effects = [e for e in call_effects(call) if e.via != "value"] or call_effects(call)
    if effects:
        return " and ".join(_effect_phrase(e, ctx, request.chain_id) for e in effects)
    if d is None:
        return f"sends an empty call to {_who(call.to, ctx)}" if not call.value else f"sends {ether(call.value)} ETH"
    if d.signature is None:
        return f"calls unknown function {d.selector} on {_who(call.to, ctx)}"
    return f"calls {d.render()} on {_who(call.to, ctx)}"


def _typed_sentence(request: Request, ctx: Context) -> str:
    typed = request.typed
    assert typed is not None
    contract = typed.domain.get("verifyingContract")
    name = typed.domain.get("name")
    where = f" for {name!s}" if name else ""
    where += f" ({short(str(contract))})" if isinstance(contract, str) else ""
    labels = {
        "permit": "an EIP-2612 permit",
        "permit2": f"a Permit2 {typed.primary_type}",
        "eip3009": f"an EIP-3009 {typed.primary_type}",
        "seaport": "a marketplace order",
        "safe-message": "a Safe off-chain message",
        "other": f"typed data {typed.primary_type}",
    }
    if typed.kind == "seaport":
        offers = [e for e in request.effects if e.via == "offer"]
        paid = [e for e in request.effects if e.via == "consideration"]
        gives = ", ".join(_amount(e, request.chain_id) for e in offers) or "nothing"
        gets = ", ".join(f"{_amount(e, request.chain_id)} to {_who(e.party, ctx)}" for e in paid) or "nothing"
        return f"Signs a marketplace order{where}: gives {gives}; pays {gets}"
    effects = [_effect_phrase(e, ctx, request.chain_id) for e in request.effects]
    tail = (": it " + " and ".join(effects)) if effects else ""
    return f"Signs {labels.get(typed.kind, typed.primary_type)}{where}{tail}"


def summary(request: Request, ctx: Context) -> str:
    """One plain sentence saying what the request does, the most dangerous part first."""
    if request.message:
        m = request.message
        if m.blind:
            return (
                f"Signs a bare {len(m.payload)}-byte value blindly with {m.method}: "
                "the signer cannot see what the signature authorises"
            )
        text = m.payload.decode("utf-8", "replace")
        preview = text[:80].encode("unicode_escape").decode("ascii") + ("…" if len(text) > 80 else "")
        return f'Signs the {len(m.payload)}-byte message "{preview}" with {m.method} (no transaction, no approval)'
    if request.typed and request.typed.kind != "safe-tx":
        return _typed_sentence(request, ctx)
    if not request.calls:
        return "Does nothing"
    raw = request.raw
    submitted = f" (submitted by {short(raw.sender)})" if raw and raw.sender and request.safes else ""
    for call in request.calls:
        if call.operation is Operation.DELEGATECALL and call.to and call.to.lower() not in ctx.trusted_delegates:
            tx = next((s for s in request.safes if call.sender and s.safe.lower() == call.sender.lower()), None)
            origin = f"Safe {short(call.sender)}" if tx else short(call.sender)
            nonce = f" (nonce {tx.nonce})" if tx and tx.nonce is not None else ""
            what = call.decoded.render() if call.decoded else "its code"
            return (
                f"DELEGATECALL from {origin}{nonce} to an unverified contract {short(call.to)}, running {what} "
                f"in the {'Safe' if tx else 'wallet'}'s own storage: this can replace the wallet's code{submitted}"
            )
    if request.kind == "safe-batch":
        items = [c for c in request.calls if c.depth == 1]
        sender = items[0].sender if items else None
        parts = "; ".join(f"{n + 1}) {action(c, request, ctx)}" for n, c in enumerate(items))
        return f"Transaction Builder batch for Safe {short(sender)} runs {len(items)} call(s): {parts}"
    if request.safes:
        tx = request.safes[0]
        inner = next(c for c in request.calls if c.path.endswith("safe"))
        nonce = f" (nonce {tx.nonce})" if tx.nonce is not None else ""
        signs = "Signs an EIP-712 SafeTx: " if request.kind == "typed-data" else ""
        return f"{signs}Safe {short(tx.safe)}{nonce} {action(inner, request, ctx)}{submitted}"
    top = request.calls[0]
    who = _who(top.sender, ctx) if top.sender else "An unsigned transaction"
    text = action(top, request, ctx)
    if raw and raw.authorizations:
        delegates = ", ".join(short(a.address) for a in raw.authorizations)
        text = f"hands its account code to {delegates} (EIP-7702) and {text}"
    return f"{who} {text}"


def details(request: Request, ctx: Context) -> list[str]:
    """The decoded fields and hashes, one line each."""
    lines: list[str] = []
    raw = request.raw
    if raw:
        fee = (
            f"gasPrice {raw.gas_price}"
            if raw.gas_price is not None
            else f"maxFee {raw.max_fee_per_gas} maxPriorityFee {raw.max_priority_fee_per_gas}"
        )
        lines.append(
            f"type {raw.type} ({raw.type_name}), chain {raw.chain_id if raw.chain_id is not None else 'none'}, "
            f"nonce {raw.nonce}, gas {raw.gas_limit}, {fee}, value {raw.value} wei, {len(raw.data)} bytes of data"
        )
        lines.append(f"to {raw.to or '(contract creation)'}")
        if raw.signed:
            lines.append(f"signed by {raw.sender}; transaction hash 0x{raw.tx_hash.hex() if raw.tx_hash else ''}")
        else:
            lines.append(f"unsigned; signing hash 0x{raw.signing_hash.hex()}")
        if raw.max_fee_per_blob_gas is not None:
            lines.append(f"blob fee cap {raw.max_fee_per_blob_gas}, {len(raw.blob_hashes)} blob(s)")
        for n, auth in enumerate(raw.authorizations):
            lines.append(
                f"authorization {n}: {auth.authority or '(unrecoverable: ' + str(auth.error) + ')'} -> code of "
                f"{auth.address}, chain {auth.chain_id}, nonce {auth.nonce}"
            )
    for tx in request.safes:
        lines.append(
            f"Safe {tx.safe}: to {tx.to}, value {tx.value}, operation {int(tx.operation)} ({tx.operation.name}), "
            f"safeTxGas {tx.safe_tx_gas}, baseGas {tx.base_gas}, gasPrice {tx.gas_price}, gasToken {tx.gas_token}, "
            f"refundReceiver {tx.refund_receiver}, "
            f"nonce {tx.nonce if tx.nonce is not None else 'unknown (--safe-nonce)'}, "
            f"data 0x{tx.data.hex()[:200]}{'…' if len(tx.data) > 100 else ''}"
        )
        for h in tx.hashes:
            lines.append(
                f"{h.label}: domain hash 0x{h.domain_hash.hex().upper()}, "
                f"message hash 0x{h.message_hash.hex().upper()}, safeTxHash 0x{h.safe_tx_hash.hex()}"
            )
            for sig in tx.signers.get(h.label, []):
                owner = sig.owner or "nobody"
                lines.append(f"  signature {sig.index} ({sig.kind}) -> {owner}{' — ' + sig.note if sig.note else ''}")
        if tx.nonce is not None and tx.chain_id is None and not tx.version:
            lines.append("Safe 1.3.0+ hashes need the chain id (--chain-id)")
    if request.typed:
        t = request.typed
        lines.append(
            f"EIP-712 {t.primary_type}: domain hash 0x{t.domain_hash.hex().upper()}, message hash "
            f"0x{t.struct_hash.hex().upper()}, signing hash 0x{t.sign_hash.hex()}"
        )
    if request.message:
        lines.append(f"{request.message.method} hash (EIP-191 prefixed) 0x{request.message.sign_hash.hex()}")
    for call in request.calls:
        indent = "  " * call.depth
        what = call.decoded.render() if call.decoded else "(no data)"
        lines.append(f"{indent}{call.path}: {call.operation.name} {call.to or '(create)'} value {call.value}: {what}")
    return lines
