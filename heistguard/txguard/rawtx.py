"""Raw EVM transactions of every type (legacy/EIP-155, 2930, 1559, 4844, 7702), signed or unsigned:
fields, chain id, signing hash, sender recovered from the signature, transaction hash."""

from __future__ import annotations

import rlp
from coincurve import PublicKey
from eth_hash.auto import keccak
from rlp.codec import encode_raw

from heistguard.errors import BadInput
from heistguard.txguard.hexdata import checksum
from heistguard.txguard.model import Authorization, RawTx

TYPE_NAMES = {
    0: "legacy",
    1: "EIP-2930 access list",
    2: "EIP-1559 dynamic fee",
    3: "EIP-4844 blob",
    4: "EIP-7702 set code",
}
# Number of RLP fields without / with the signature (y_parity, r, s), per type.
_FIELDS = {1: (8, 11), 2: (9, 12), 3: (11, 14), 4: (10, 13)}
_SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def _int(item: object, name: str, where: str) -> int:
    if not isinstance(item, bytes):
        raise BadInput("malformed transaction", where, f"{name} is a list, expected a number")
    if len(item) > 32:
        raise BadInput("malformed transaction", where, f"{name} is {len(item)} bytes, longer than 256 bits")
    if item[:1] == b"\x00":
        raise BadInput("malformed transaction", where, f"{name} has a leading zero byte (non-canonical RLP)")
    return int.from_bytes(item, "big")


def _bytes(item: object, name: str, where: str) -> bytes:
    if not isinstance(item, bytes):
        raise BadInput("malformed transaction", where, f"{name} is a list, expected bytes")
    return item


def _to(item: object, where: str, allow_empty: bool = True) -> str | None:
    data = _bytes(item, "to", where)
    if not data and allow_empty:
        return None
    if len(data) != 20:
        raise BadInput("malformed transaction", where, f"to is {len(data)} bytes, expected 20")
    return checksum(data)


def _list(item: object, name: str, where: str) -> list[object]:
    if not isinstance(item, list):
        raise BadInput("malformed transaction", where, f"{name} is not a list")
    return item


def recover(msg_hash: bytes, y_parity: int, r: int, s: int, where: str) -> str:
    """The address whose key made (r, s, y_parity) over `msg_hash` (libsecp256k1 through coincurve)."""
    if y_parity not in (0, 1):
        raise BadInput("bad signature", where, f"y parity {y_parity} is neither 0 nor 1")
    if not (0 < r < _SECP256K1_N and 0 < s < _SECP256K1_N):
        raise BadInput("bad signature", where, "r or s is outside the secp256k1 range")
    signature = r.to_bytes(32, "big") + s.to_bytes(32, "big") + bytes((y_parity,))
    try:
        public = PublicKey.from_signature_and_message(signature, msg_hash, hasher=None)
    except ValueError as exc:
        raise BadInput("bad signature", where, str(exc) or "it recovers to no key") from None
    return checksum(keccak(public.format(compressed=False)[1:])[12:])


def _access_list(item: object, where: str) -> tuple[tuple[str, tuple[bytes, ...]], ...]:
    out = []
    for entry in _list(item, "access list", where):
        pair = _list(entry, "access list entry", where)
        if len(pair) != 2:
            raise BadInput("malformed transaction", where, "an access list entry is not [address, keys]")
        addr = _to(pair[0], where, allow_empty=False)
        slots = tuple(_bytes(k, "storage key", where) for k in _list(pair[1], "storage keys", where))
        if any(len(k) != 32 for k in slots):
            raise BadInput("malformed transaction", where, "a storage key is not 32 bytes")
        out.append((addr or "", slots))
    return tuple(out)


def _authorizations(item: object, where: str) -> tuple[Authorization, ...]:
    out = []
    for n, entry in enumerate(_list(item, "authorization list", where)):
        fields = _list(entry, "authorization", where)
        if len(fields) != 6:
            raise BadInput("malformed transaction", where, f"authorization {n} has {len(fields)} fields, expected 6")
        chain_id = _int(fields[0], "authorization chain id", where)
        addr = _to(fields[1], where, allow_empty=False) or ""
        nonce = _int(fields[2], "authorization nonce", where)
        y, r, s = (_int(f, "authorization signature", where) for f in fields[3:6])
        digest = keccak(b"\x05" + encode_raw([fields[0], fields[1], fields[2]]))
        try:
            authority: str | None = recover(digest, y, r, s, f"{where} authorization {n}")
            error = None
        except BadInput as exc:
            authority, error = None, exc.why
        out.append(Authorization(chain_id, addr, nonce, authority, error))
    return tuple(out)


def _rlp_decode(payload: bytes, where: str) -> list[object]:
    try:
        decoded = rlp.decode(payload, strict=True)
    except rlp.exceptions.RLPException as exc:
        raise BadInput("malformed RLP", where, str(exc).split("\n")[0] or type(exc).__name__) from None
    if not isinstance(decoded, list):
        raise BadInput("malformed transaction", where, "the RLP payload is a string, not a list of fields")
    return decoded


def decode_raw(raw: bytes, where: str = "--raw") -> RawTx:
    """Every field of a raw transaction; a signed one also gets its sender and transaction hash."""
    if not raw:
        raise BadInput("empty transaction", where, "no bytes were given")
    first = raw[0]
    if first >= 0xC0:
        return _legacy(raw, where)
    if first in _FIELDS:
        return _typed(first, raw, where)
    if first <= 0x7F:
        raise BadInput("unsupported transaction type", where, f"type byte 0x{first:02x} is not 0x01-0x04")
    raise BadInput("malformed transaction", where, f"first byte 0x{first:02x} is neither a type nor an RLP list")


def _legacy(raw: bytes, where: str) -> RawTx:
    fields = _rlp_decode(raw, where)
    if len(fields) not in (6, 9):
        raise BadInput("malformed transaction", where, f"legacy transaction has {len(fields)} fields, expected 6 or 9")
    nonce = _int(fields[0], "nonce", where)
    gas_price = _int(fields[1], "gas price", where)
    gas = _int(fields[2], "gas limit", where)
    to = _to(fields[3], where)
    value = _int(fields[4], "value", where)
    data = _bytes(fields[5], "data", where)
    tx = RawTx(0, TYPE_NAMES[0], None, nonce, gas, to, value, data, gas_price=gas_price)
    if len(fields) == 6:
        tx.signing_hash = keccak(encode_raw(fields))
        return tx
    v, r, s = (_int(f, n, where) for f, n in zip(fields[6:9], ("v", "r", "s"), strict=True))
    if r == 0 and s == 0:  # EIP-155 unsigned form: v carries the chain id
        tx.chain_id = v
        tx.signing_hash = keccak(encode_raw([*fields[:6], fields[6], b"", b""]))
        return tx
    if v in (27, 28):
        tx.signing_hash = keccak(encode_raw(fields[:6]))
        parity = v - 27
    elif v >= 35:
        tx.chain_id = (v - 35) // 2
        tx.signing_hash = keccak(encode_raw([*fields[:6], rlp.sedes.big_endian_int.serialize(tx.chain_id), b"", b""]))
        parity = (v - 35) % 2
    else:
        raise BadInput("bad signature", where, f"legacy v={v} is neither 27/28 nor EIP-155 (35 and up)")
    tx.type_name = "legacy (EIP-155)" if tx.chain_id is not None else "legacy (pre-EIP-155, replayable on any chain)"
    tx.v, tx.r, tx.s = v, r, s
    tx.sender = recover(tx.signing_hash, parity, r, s, where)
    tx.signed = True
    tx.tx_hash = keccak(raw)
    return tx


def _typed(kind: int, raw: bytes, where: str) -> RawTx:
    fields = _rlp_decode(raw[1:], where)
    if kind == 3 and len(fields) == 4 and isinstance(fields[0], list):
        fields = fields[0]  # network form: [tx, blobs, commitments, proofs]; only the tx is signed
    unsigned_n, signed_n = _FIELDS[kind]
    if len(fields) not in (unsigned_n, signed_n):
        raise BadInput(
            "malformed transaction", where, f"type {kind} has {len(fields)} fields, expected {unsigned_n} or {signed_n}"
        )
    chain_id = _int(fields[0], "chain id", where)
    nonce = _int(fields[1], "nonce", where)
    tx = RawTx(kind, TYPE_NAMES[kind], chain_id, nonce, 0, None, 0, b"")
    if kind == 1:
        tx.gas_price = _int(fields[2], "gas price", where)
        rest = fields[3:]
    else:
        tx.max_priority_fee_per_gas = _int(fields[2], "max priority fee", where)
        tx.max_fee_per_gas = _int(fields[3], "max fee", where)
        rest = fields[4:]
    tx.gas_limit = _int(rest[0], "gas limit", where)
    tx.to = _to(rest[1], where, allow_empty=kind in (1, 2))
    tx.value = _int(rest[2], "value", where)
    tx.data = _bytes(rest[3], "data", where)
    tx.access_list = _access_list(rest[4], where)
    if kind == 3:
        tx.max_fee_per_blob_gas = _int(rest[5], "max fee per blob gas", where)
        tx.blob_hashes = tuple(_bytes(h, "blob hash", where) for h in _list(rest[6], "blob hashes", where))
        if any(len(h) != 32 or h[0] != 0x01 for h in tx.blob_hashes):
            raise BadInput("malformed transaction", where, "a blob versioned hash is not 32 bytes of version 0x01")
    if kind == 4:
        tx.authorizations = _authorizations(rest[5], where)
    body = fields[:unsigned_n]
    tx.signing_hash = keccak(bytes([kind]) + encode_raw(body))
    if len(fields) == signed_n:
        y, r, s = (_int(f, n, where) for f, n in zip(fields[unsigned_n:], ("y parity", "r", "s"), strict=True))
        tx.v, tx.r, tx.s = y, r, s
        tx.sender = recover(tx.signing_hash, y, r, s, where)
        tx.signed = True
        tx.tx_hash = keccak(bytes([kind]) + encode_raw(fields))
    return tx
