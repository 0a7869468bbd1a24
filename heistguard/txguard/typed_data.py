"""EIP-712 typed data and eth_sign / personal_sign requests: validation, hashes (with eth-account), and
what the signature would authorise (permits, Permit2, EIP-3009, Seaport orders, SafeMessage, SafeTx)."""

from __future__ import annotations

import json
import re

from eth_account.messages import encode_typed_data
from eth_hash.auto import keccak

from heistguard.errors import BadInput
from heistguard.txguard.hexdata import hex_bytes
from heistguard.txguard.model import SignRequest, TypedMessage

_ATOMIC = re.compile(
    r"^(bool|address|string|bytes([1-9]|[12][0-9]|3[0-2])?|u?int(8|16|24|32|40|48|56|64|72|80|88|96|104|112|120|128|136|144|152|160|168|176|184|192|200|208|216|224|232|240|248|256)?)$"
)
_ARRAY = re.compile(r"\[\d*\]$")
_IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*\Z")
_SIGN_METHODS = ("eth_sign", "personal_sign")
_TYPED_METHODS = ("eth_signTypedData", "eth_signTypedData_v3", "eth_signTypedData_v4")


def _base(type_str: str) -> str:
    while _ARRAY.search(type_str):
        type_str = _ARRAY.sub("", type_str)
    return type_str


def validate_types(types: object, primary: object, where: str) -> dict[str, list[dict[str, str]]]:
    """Every struct type defined, every field well formed, no cycles; the types, checked."""
    if not isinstance(types, dict) or not types:
        raise BadInput("malformed typed data", where, "'types' is not an object of struct definitions")
    if not isinstance(primary, str) or primary not in types:
        raise BadInput("malformed typed data", where, f"primaryType {primary!r} is not defined in 'types'")
    checked: dict[str, list[dict[str, str]]] = {}
    for name, fields in types.items():
        if not _IDENTIFIER.match(name):
            raise BadInput("malformed typed data", f"{where} types", f"type name {name!r} is not an identifier")
        if not isinstance(fields, list):
            raise BadInput("malformed typed data", f"{where} types.{name}", "expected a list of fields")
        for n, field in enumerate(fields):
            if not (
                isinstance(field, dict) and isinstance(field.get("name"), str) and isinstance(field.get("type"), str)
            ):
                raise BadInput("malformed typed data", f"{where} types.{name}[{n}]", "a field needs a name and a type")
            if not _IDENTIFIER.match(field["name"]):
                raise BadInput(
                    "malformed typed data",
                    f"{where} types.{name}[{n}]",
                    f"field name {field['name']!r} is not an identifier",
                )
            base = _base(field["type"])
            if not _ATOMIC.match(base) and base not in types:
                raise BadInput(
                    "missing type in typed data",
                    f"{where} types.{name}.{field['name']}",
                    f"type {base!r} is not defined",
                )
        checked[name] = fields
    _reject_cycles(checked, where)
    return checked


def _reject_cycles(types: dict[str, list[dict[str, str]]], where: str) -> None:
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(name: str, trail: list[str]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            cycle = " -> ".join([*trail[trail.index(name) :], name])
            raise BadInput("cyclic type in typed data", where, cycle)
        state[name] = 1
        for field in types[name]:
            base = _base(field["type"])
            if base in types:
                visit(base, [*trail, name])
        state[name] = 2

    for name in types:
        visit(name, [])


def _kind(primary: str, message: dict[str, object]) -> str:
    if primary == "Permit":
        return "permit"
    if primary in ("PermitSingle", "PermitBatch") or primary.startswith(
        ("PermitTransferFrom", "PermitBatchTransferFrom")
    ):
        return "permit2"
    if primary.startswith(("PermitWitnessTransferFrom", "PermitBatchWitnessTransferFrom")):
        return "permit2"
    if primary in ("TransferWithAuthorization", "ReceiveWithAuthorization"):
        return "eip3009"
    if primary == "OrderComponents" or ("offer" in message and "consideration" in message):
        return "seaport"
    if primary == "SafeMessage":
        return "safe-message"
    if primary == "SafeTx":
        return "safe-tx"
    return "other"


def parse_typed(obj: dict[str, object], where: str) -> TypedMessage:
    types = validate_types(obj.get("types"), obj.get("primaryType"), where)
    domain = obj.get("domain", {})
    message = obj.get("message")
    if not isinstance(domain, dict) or not isinstance(message, dict):
        raise BadInput("malformed typed data", where, "'domain' and 'message' must be objects")
    primary = str(obj["primaryType"])
    full = {"types": types, "primaryType": primary, "domain": domain, "message": message}
    if "EIP712Domain" not in types:
        raise BadInput("missing type in typed data", f"{where} types", "EIP712Domain is not defined")
    try:
        signable = encode_typed_data(full_message=full)
    except BadInput:
        raise
    except Exception as exc:  # eth-account raises ValueError, TypeError, KeyError... for data that misfits its type
        raise BadInput(
            "typed data does not fit its types", where, f"{type(exc).__name__}: {exc}".split("\n")[0]
        ) from None
    sign_hash = keccak(b"\x19" + signable.version + signable.header + signable.body)
    return TypedMessage(primary, domain, message, signable.header, signable.body, sign_hash, _kind(primary, message))


def parse_message(method: str, payload_text: str, where: str) -> SignRequest:
    """eth_sign / personal_sign: hex payloads are bytes, anything else is UTF-8 text."""
    text = payload_text.strip()
    payload = hex_bytes(text, where) if text.startswith("0x") else text.encode("utf-8")
    prefixed = keccak(b"\x19Ethereum Signed Message:\n" + str(len(payload)).encode() + payload)
    # Wallets send personal_sign text hex-encoded: 32 bytes that read as text are a message, not a hash.
    blind = method == "eth_sign" or (len(payload) == 32 and not _readable_text(payload))
    return SignRequest(method, payload, prefixed, blind)


def _readable_text(payload: bytes) -> bool:
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(c.isprintable() or c in "\r\n\t" for c in text)


def load_request(text: str, where: str) -> TypedMessage | SignRequest:
    """A typed-data file: the EIP-712 object itself, or a JSON-RPC request that carries it (or an eth_sign)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInput("malformed JSON", f"{where}:{exc.lineno}:{exc.colno}", exc.msg) from None
    if not isinstance(data, dict):
        raise BadInput("malformed typed data", where, "expected a JSON object")
    method = data.get("method")
    if isinstance(method, str):
        params = data.get("params")
        if not isinstance(params, list) or len(params) < 2:
            raise BadInput("malformed signing request", where, f"{method} needs [account, payload] params")
        if method in _SIGN_METHODS:
            # eth_sign takes (account, data); personal_sign takes (data, account).
            payload = params[1] if method == "eth_sign" else params[0]
            if not isinstance(payload, str):
                raise BadInput("malformed signing request", where, "the payload is not a string")
            return parse_message(method, payload, where)
        if method in _TYPED_METHODS:
            inner = params[1]
            if isinstance(inner, str):
                try:
                    inner = json.loads(inner)
                except json.JSONDecodeError as exc:
                    raise BadInput("malformed typed data", where, f"params[1] is not JSON: {exc.msg}") from None
            if not isinstance(inner, dict):
                raise BadInput("malformed typed data", where, "params[1] is not an object")
            return parse_typed(inner, where)
        raise BadInput("unsupported signing method", where, f"{method!r}")
    return parse_typed(data, where)
