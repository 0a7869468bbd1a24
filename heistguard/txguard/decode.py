"""From an input to a `Request`: decode the transaction, unpack Safe and MultiSend layers recursively,
and read the asset effects (transfers, approvals, orders) out of calls and typed data."""

from __future__ import annotations

from heistguard.errors import BadInput
from heistguard.txguard import safe as safe_mod
from heistguard.txguard.calldata import decode_call
from heistguard.txguard.context import Context
from heistguard.txguard.hexdata import MAX_UINT256, ZERO_ADDRESS, address, checksum, integer, short
from heistguard.txguard.model import (
    Call,
    DecodedCall,
    Effect,
    EffectKind,
    Operation,
    Request,
    SafeTx,
    SignRequest,
    TypedMessage,
)
from heistguard.txguard.multisend import unpack
from heistguard.txguard.rawtx import decode_raw

MULTISEND = "0x8d80ff0a"
# multicall(bytes[]) and multicall(uint256 deadline, bytes[]): each item is a call of the same contract,
# made on the caller's behalf (the router delegatecalls itself, so msg.sender stays the caller).
SELF_MULTICALLS = {"0xac9650d8": 0, "0x5ae401dc": 1}
# Multicall3-style aggregators: the aggregator itself calls each target (the caller's tokens are not touched).
AGGREGATES = {"0x252dba42", "0xbce38bd7", "0x82ad56cb", "0x174dea71"}
MAX_DEPTH = 8
# Uniswap Universal Router execute(commands, inputs[, deadline]): one command byte per input.
UNIVERSAL_ROUTER_EXECUTE = {"0x3593564c", "0x24856bc3"}
_SELF_RECIPIENTS = {"0x0000000000000000000000000000000000000001", "0x0000000000000000000000000000000000000002"}


class Options:
    """What the user tells us that is not in the input: Safe nonce / version, chain id."""

    def __init__(self, safe_nonce: int | None = None, safe_version: str | None = None, chain_id: int | None = None):
        self.safe_nonce = safe_nonce
        self.safe_version = safe_version
        self.chain_id = chain_id
        if safe_version:
            safe_mod.parse_version(safe_version)


def _version_for(safe: str, opts: Options, ctx: Context) -> str | None:
    if opts.safe_version:
        return opts.safe_version
    for key, version in ctx.config.safe_versions.items():
        if key.lower() == safe.lower():
            return version
    return None


def expand(call: Call, ctx: Context, opts: Options, request: Request) -> None:
    """Decode `call`, append it and every call it carries (Safe inner call, batch items) to the request."""
    if call.depth > MAX_DEPTH:
        raise BadInput("transaction nested too deep", call.path, f"more than {MAX_DEPTH} levels of Safe/MultiSend")
    call.decoded = decode_call(call.data, ctx.selectors, call.path)
    request.calls.append(call)
    decoded = call.decoded
    if decoded is None or call.to is None:
        return
    if decoded.selector == safe_mod.EXEC_TRANSACTION:
        if decoded.error:
            raise BadInput("Safe execTransaction does not decode", call.path, decoded.error)
        chain_id = request.chain_id if request.chain_id is not None else opts.chain_id or ctx.config.chain_id
        # The nonce given applies to the outermost Safe; a nested one's nonce is not known.
        nonce = opts.safe_nonce if not request.safes else None
        values = tuple(arg.value for arg in decoded.args)  # decoded once, by decode_call above
        version = _version_for(call.to, opts, ctx)
        tx = safe_mod.from_exec_args(call.to, values, chain_id, nonce, version, call.path)
        add_safe(tx, call.path + ">safe", call.depth + 1, ctx, opts, request)
    elif decoded.selector == MULTISEND:
        if decoded.error:
            raise BadInput("MultiSend batch does not decode", call.path, decoded.error)
        packed = decoded.arg(0)
        assert isinstance(packed, bytes)
        # Run by DELEGATECALL (the normal way), every item acts as the calling account itself.
        sender = call.sender if call.operation is Operation.DELEGATECALL else call.to
        for index, (op, to, value, data) in enumerate(unpack(packed, call.path)):
            item = Call(f"{call.path}>multisend[{index}]", sender, to, value, data, op, depth=call.depth + 1)
            expand(item, ctx, opts, request)
    elif decoded.selector in SELF_MULTICALLS and not decoded.error:
        inner = decoded.arg(SELF_MULTICALLS[decoded.selector])
        for index, data in enumerate(inner if isinstance(inner, tuple) else ()):
            item = Call(f"{call.path}>multicall[{index}]", call.sender, call.to, 0, bytes(data), depth=call.depth + 1)
            expand(item, ctx, opts, request)
    elif decoded.selector in AGGREGATES and not decoded.error:
        entries = decoded.arg(1 if decoded.selector == "0xbce38bd7" else 0)
        for index, entry in enumerate(entries if isinstance(entries, tuple) else ()):
            target, data = str(entry[0]), bytes(entry[-1])
            value = int(entry[2]) if decoded.selector == "0x174dea71" else 0
            item = Call(f"{call.path}>aggregate[{index}]", call.to, target, value, data, depth=call.depth + 1)
            expand(item, ctx, opts, request)


def add_safe(
    tx: SafeTx, path: str, depth: int, ctx: Context, opts: Options, request: Request, claimed: str | None = None
) -> None:
    safe_mod.compute(tx)
    request.safes.append(tx)
    inner = Call(path, tx.safe, tx.to, tx.value, tx.data, tx.operation, depth=depth, claimed=claimed)
    expand(inner, ctx, opts, request)


def from_raw(raw: bytes, ctx: Context, opts: Options, label: str) -> Request:
    tx = decode_raw(raw, label)
    request = Request("raw-tx", label, chain_id=tx.chain_id, signer=tx.sender, raw=tx)
    operation = Operation.CREATE if tx.to is None else Operation.CALL
    expand(Call("tx", tx.sender, tx.to, tx.value, tx.data, operation), ctx, opts, request)
    finish(request)
    return request


def from_safe_object(obj: dict[str, object], ctx: Context, opts: Options, label: str) -> Request:
    tx = safe_mod.from_json_object(obj, label, opts.chain_id or ctx.config.chain_id, opts.safe_nonce, None)
    if not tx.version:
        tx.version = _version_for(tx.safe, opts, ctx)
    if tx.chain_id is None:
        # The Safe API leaves the chain out; the stated hash tells which chain it was made for.
        tx.chain_id = safe_mod.chain_of_claimed_hash(tx)
    request = Request("safe-tx", label, chain_id=tx.chain_id, signer=None)
    # The service's own decoding (what a UI shows); ours is made independently and compared with it.
    shown = obj.get("dataDecoded")
    claimed = str(shown["method"]) if isinstance(shown, dict) and isinstance(shown.get("method"), str) else None
    add_safe(tx, "safe", 1, ctx, opts, request, claimed)
    finish(request)
    return request


def from_batch_file(obj: dict[str, object], ctx: Context, opts: Options, label: str) -> Request:
    """A Transaction Builder batch: calls the Safe will make once the batch is proposed (no nonce yet)."""
    from heistguard.txguard.txbuilder import batch_calls

    safe, chain_id, items = batch_calls(obj, label)
    request = Request("safe-batch", label, chain_id=chain_id if chain_id is not None else opts.chain_id)
    for index, (to, value, data, claimed) in enumerate(items):
        expand(
            Call(f"batch[{index}]", safe, to, value, data, Operation.CALL, depth=1, claimed=claimed), ctx, opts, request
        )
    finish(request)
    return request


def _safe_tx_from_typed(typed: TypedMessage, where: str) -> SafeTx:
    m, d = typed.message, typed.domain
    contract = d.get("verifyingContract")
    if contract is None:
        raise BadInput("malformed SafeTx typed data", where, "the domain has no verifyingContract (the Safe)")
    op = integer(m.get("operation", 0), f"{where} operation", 8)
    if op > 2:
        raise BadInput("malformed SafeTx typed data", f"{where} operation", f"operation {op} is not 0, 1 or 2")
    data = m.get("data", b"")
    data_bytes = data if isinstance(data, bytes) else bytes.fromhex(str(data or "0x")[2:])
    chain = d.get("chainId")
    return SafeTx(
        safe=address(contract, f"{where} domain.verifyingContract"),
        to=address(m.get("to"), f"{where} to"),
        value=integer(m.get("value", 0), f"{where} value"),
        data=data_bytes,
        operation=Operation(op),
        safe_tx_gas=integer(m.get("safeTxGas", 0), f"{where} safeTxGas"),
        base_gas=integer(m.get("baseGas", m.get("dataGas", 0)), f"{where} baseGas"),
        gas_price=integer(m.get("gasPrice", 0), f"{where} gasPrice"),
        gas_token=address(m.get("gasToken", ZERO_ADDRESS), f"{where} gasToken"),
        refund_receiver=address(m.get("refundReceiver", ZERO_ADDRESS), f"{where} refundReceiver"),
        nonce=integer(m.get("nonce", 0), f"{where} nonce"),
        chain_id=integer(chain, f"{where} chainId") if chain is not None else None,
        version=None if chain is None else "1.3.0",
    )


def from_typed(req: TypedMessage | SignRequest, ctx: Context, opts: Options, label: str) -> Request:
    if isinstance(req, SignRequest):
        request = Request("message", label, message=req)
        finish(request)
        return request
    chain = req.domain.get("chainId")
    request = Request("typed-data", label, typed=req)
    if chain is not None:
        request.chain_id = integer(chain, f"{label} domain.chainId")
    if req.kind == "safe-tx":
        tx = _safe_tx_from_typed(req, label)
        if opts.safe_version:
            tx.version = opts.safe_version
        add_safe(tx, "safe", 1, ctx, opts, request)
    request.effects.extend(typed_effects(req))
    finish(request)
    return request


def finish(request: Request) -> None:
    for call in request.calls:
        request.effects.extend(call_effects(call))


# --- effects ------------------------------------------------------------------------------------


def _addr(value: object) -> str | None:
    return value if isinstance(value, str) and value.startswith("0x") and len(value) == 42 else None


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def call_effects(call: Call) -> list[Effect]:
    """Transfers and approvals a call makes, read from its decoded arguments."""
    out: list[Effect] = []
    if call.value and call.operation is Operation.CALL and call.to:
        out.append(Effect(EffectKind.TRANSFER, "ETH", call.to, call.value, call.path, call.sender, via="value"))
    d = call.decoded
    if d is None or d.error or not d.signature or call.to is None:
        return out
    sig, a, token = d.signature, d.arg, call.to
    if sig == "transfer(address,uint256)":
        out.append(
            Effect(EffectKind.TRANSFER, token, _addr(a(0)), _int(a(1)), call.path, call.sender, via=d.name or "")
        )
    elif sig == "transferFrom(address,address,uint256)" or sig.startswith("safeTransferFrom(address,address,uint256"):
        amount = _int(a(3)) if sig.startswith("safeTransferFrom(address,address,uint256,uint256") else _int(a(2))
        out.append(Effect(EffectKind.TRANSFER, token, _addr(a(1)), amount, call.path, _addr(a(0)), via=d.name or ""))
    elif sig in ("approve(address,uint256)", "increaseAllowance(address,uint256)"):
        out.append(Effect(EffectKind.APPROVE, token, _addr(a(0)), _int(a(1)), call.path, call.sender, via=d.name or ""))
    elif sig == "setApprovalForAll(address,bool)" and a(1) is True:
        out.append(Effect(EffectKind.APPROVE_ALL, token, _addr(a(0)), None, call.path, call.sender, via=d.name or ""))
    elif sig == "approve(address,address,uint160,uint48)":  # Permit2 allowance
        out.append(
            Effect(
                EffectKind.APPROVE,
                str(a(0)),
                _addr(a(1)),
                _int(a(2)),
                call.path,
                call.sender,
                _int(a(3)),
                "Permit2.approve",
            )
        )
    elif sig == "permit(address,address,uint256,uint256,uint8,bytes32,bytes32)":
        out.append(
            Effect(EffectKind.APPROVE, token, _addr(a(1)), _int(a(2)), call.path, _addr(a(0)), _int(a(3)), "permit")
        )
    elif sig == "permit(address,address,uint256,uint256,bool,uint8,bytes32,bytes32)" and a(4) is True:
        out.append(
            Effect(EffectKind.APPROVE, token, _addr(a(1)), MAX_UINT256, call.path, _addr(a(0)), _int(a(3)), "permit")
        )
    elif sig == "setAllowance(address,address,uint96,uint16,uint32)":  # Safe AllowanceModule
        out.append(
            Effect(EffectKind.APPROVE, str(a(1)), _addr(a(0)), _int(a(2)), call.path, call.sender, via="setAllowance")
        )
    elif d.category == "swap" and (recipient := swap_recipient(d)):
        out.append(
            Effect(EffectKind.SWAP, token, _payee(recipient, call), None, call.path, call.sender, via=d.name or "")
        )
    elif d.selector in UNIVERSAL_ROUTER_EXECUTE:
        out.extend(router_effects(call, d))
    elif d.name in ("transferWithAuthorization", "receiveWithAuthorization"):
        out.append(
            Effect(EffectKind.TRANSFER, token, _addr(a(1)), _int(a(2)), call.path, _addr(a(0)), via=d.name or "")
        )
    return out


def _payee(recipient: str, call: Call) -> str:
    """Router constants for "the caller" / "the router" stand for the paying account itself."""
    return call.sender or recipient if recipient.lower() in _SELF_RECIPIENTS else recipient


def swap_recipient(decoded: DecodedCall) -> str | None:
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


def _word_address(data: bytes, index: int) -> str | None:
    chunk = data[32 * index : 32 * index + 32]
    return checksum(chunk[12:]) if len(chunk) == 32 and not any(chunk[:12]) else None


def _word_int(data: bytes, index: int) -> int | None:
    chunk = data[32 * index : 32 * index + 32]
    return int.from_bytes(chunk, "big") if len(chunk) == 32 else None


def router_effects(call: Call, decoded: DecodedCall) -> list[Effect]:
    """Universal Router commands that move the payer's assets. Only the leading static words of each input
    are read (recipient, token, amount), which every router version lays out the same way (Dispatcher.sol);
    an input too short for its command is skipped, as it would revert on chain."""
    commands, inputs = decoded.arg(0), decoded.arg(1)
    if not isinstance(commands, bytes) or not isinstance(inputs, tuple):
        return []
    out: list[Effect] = []
    for index, (command, data) in enumerate(zip(commands, inputs, strict=False)):
        kind, path = command & 0x7F, f"{call.path}>command[{index}]"
        data = bytes(data)
        if kind in (0x00, 0x01, 0x08, 0x09, 0x0B, 0x0C):  # swaps, WRAP_ETH, UNWRAP_WETH: recipient first
            recipient = _word_address(data, 0)
            if recipient:
                out.append(Effect(EffectKind.SWAP, call.to or "?", _payee(recipient, call), None, path, call.sender,
                                  via=f"router command 0x{kind:02x}"))  # fmt: skip
        elif kind in (0x02, 0x04, 0x05):  # PERMIT2_TRANSFER_FROM, SWEEP, TRANSFER: token, recipient, amount
            token, recipient = _word_address(data, 0), _word_address(data, 1)
            if token and recipient:
                out.append(Effect(EffectKind.TRANSFER, token, _payee(recipient, call), _word_int(data, 2), path,
                                  call.sender, via=f"router command 0x{kind:02x}"))  # fmt: skip
        elif kind == 0x0A:  # PERMIT2_PERMIT: PermitSingle (token, amount, expiration, nonce, spender, deadline)
            token, spender = _word_address(data, 0), _word_address(data, 4)
            if token and spender:
                out.append(Effect(EffectKind.APPROVE, token, spender, _word_int(data, 1), path, call.sender,
                                  _word_int(data, 2), "router Permit2 permit"))  # fmt: skip
    return out


def _typed_addr(value: object, where: str) -> str | None:
    if value is None:
        return None
    return address(value, where)


def typed_effects(typed: TypedMessage) -> list[Effect]:
    """What signing the typed data lets someone do with the signer's assets."""
    m, d, p = typed.message, typed.domain, typed.primary_type
    where = f"typed data {p}"
    token = _typed_addr(d.get("verifyingContract"), f"{where} domain.verifyingContract") or "?"
    out: list[Effect] = []
    if typed.kind == "permit":
        if "value" in m:
            amount = integer(m.get("value"), f"{where} value")
            expiry = integer(m.get("deadline", 0), f"{where} deadline")
        else:  # DAI-style: allowed=true is unlimited
            amount = MAX_UINT256 if m.get("allowed") is True else 0
            expiry = integer(m.get("expiry", 0), f"{where} expiry")
        owner = _typed_addr(m.get("owner", m.get("holder")), f"{where} owner")
        spender = _typed_addr(m.get("spender"), f"{where} spender")
        if amount:
            out.append(Effect(EffectKind.APPROVE, token, spender, amount, "typed", owner, expiry, "EIP-2612 permit"))
    elif typed.kind == "permit2":
        spender = _typed_addr(m.get("spender"), f"{where} spender")
        details = m.get("details", m.get("permitted"))
        items = details if isinstance(details, list) else [details]
        for n, item in enumerate(items):
            if not isinstance(item, dict):
                raise BadInput("malformed Permit2 typed data", f"{where} details[{n}]", "expected an object")
            asset = _typed_addr(item.get("token"), f"{where} details[{n}].token") or "?"
            amount = integer(item.get("amount", 0), f"{where} details[{n}].amount")
            expiry = item.get("expiration", m.get("deadline", m.get("sigDeadline")))
            out.append(
                Effect(
                    EffectKind.APPROVE, asset, spender, amount, "typed", None,
                    integer(expiry, f"{where} expiration") if expiry is not None else None, f"Permit2 {p}",
                )
            )  # fmt: skip
    elif typed.kind == "eip3009":
        owner = _typed_addr(m.get("from"), f"{where} from")
        to = _typed_addr(m.get("to"), f"{where} to")
        out.append(
            Effect(EffectKind.TRANSFER, token, to, integer(m.get("value", 0), f"{where} value"), "typed", owner, via=p)
        )
    elif typed.kind == "seaport":
        out.extend(_seaport_effects(m, where))
    return out


def _seaport_effects(m: dict[str, object], where: str) -> list[Effect]:
    offerer = _typed_addr(m.get("offerer"), f"{where} offerer")
    out: list[Effect] = []
    for name in ("offer", "consideration"):
        items = m.get(name, [])
        if not isinstance(items, list):
            raise BadInput("malformed Seaport order", f"{where} {name}", "expected a list")
        for n, item in enumerate(items):
            if not isinstance(item, dict):
                raise BadInput("malformed Seaport order", f"{where} {name}[{n}]", "expected an object")
            token = _typed_addr(item.get("token"), f"{where} {name}[{n}].token") or ZERO_ADDRESS
            amount = integer(item.get("endAmount", item.get("startAmount", 0)), f"{where} {name}[{n}].endAmount")
            asset = "ETH" if token == ZERO_ADDRESS else token
            if name == "offer":
                out.append(Effect(EffectKind.ORDER, asset, None, amount, f"typed offer[{n}]", offerer, via="offer"))
            else:
                recipient = _typed_addr(item.get("recipient"), f"{where} consideration[{n}].recipient")
                out.append(
                    Effect(
                        EffectKind.ORDER,
                        asset,
                        recipient,
                        amount,
                        f"typed consideration[{n}]",
                        offerer,
                        via="consideration",
                    )
                )
    return out


def describe_party(addr: str | None, ctx: Context) -> str:
    if not addr:
        return "(nobody)"
    name = ctx.name_of(addr)
    return f"{name} {short(addr)}" if name else short(checksum(addr.lower()))
