"""Safe multisig: execTransaction calldata, Safe transaction JSON, the domain / message / safeTxHash of
every Safe version, and the owner each signature recovers to.

Hashing rules (Safe contracts, GnosisSafe.sol of each release): the domain has no chainId before
1.3.0, and the SafeTx type names its gas field `dataGas` before 1.0.0 (`baseGas` from 1.0.0).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from eth_hash.auto import keccak

from heistguard.errors import BadInput
from heistguard.txguard.calldata import decode_args
from heistguard.txguard.hexdata import ZERO_ADDRESS, address, address_word, checksum, hex_bytes, integer, word
from heistguard.txguard.model import Operation, SafeHashes, SafeSignature, SafeTx
from heistguard.txguard.rawtx import recover

EXEC_TRANSACTION = "0x6a761202"
EXEC_TYPES = ("address", "uint256", "bytes", "uint8", "uint256", "uint256", "uint256", "address", "address", "bytes")
APPROVE_HASH = "0xd4d9bdcd"

DOMAIN_TYPEHASH = keccak(b"EIP712Domain(uint256 chainId,address verifyingContract)")
DOMAIN_TYPEHASH_OLD = keccak(b"EIP712Domain(address verifyingContract)")
_SAFE_TX_FIELDS = (
    "address to,uint256 value,bytes data,uint8 operation,uint256 safeTxGas,uint256 {gas},uint256 gasPrice,"
    "address gasToken,address refundReceiver,uint256 nonce"
)
SAFE_TX_TYPEHASH = keccak(("SafeTx(" + _SAFE_TX_FIELDS.format(gas="baseGas") + ")").encode())
SAFE_TX_TYPEHASH_OLD = keccak(("SafeTx(" + _SAFE_TX_FIELDS.format(gas="dataGas") + ")").encode())
SAFE_MSG_TYPEHASH = keccak(b"SafeMessage(bytes message)")

VERSIONS = ("0.1.0", "1.0.0", "1.1.0", "1.1.1", "1.2.0", "1.3.0", "1.4.0", "1.4.1", "1.5.0")


@dataclass(frozen=True, slots=True)
class HashVariant:
    label: str
    with_chain_id: bool
    data_gas: bool


VARIANT_OLDEST = HashVariant("Safe 0.1.0 (dataGas, no chainId)", False, True)
VARIANT_OLD = HashVariant("Safe 1.0.0-1.2.0 (no chainId in domain)", False, False)
VARIANT_CURRENT = HashVariant("Safe 1.3.0+ (chainId in domain)", True, False)


def parse_version(text: str, where: str = "--safe-version") -> tuple[int, int, int]:
    core = text.strip().lstrip("vV").split("+", 1)[0]
    parts = core.split(".")
    if len(parts) not in (2, 3) or not all(p.isdigit() for p in parts):
        raise BadInput("malformed Safe version", where, f"{text!r} is not like 1.3.0")
    major, minor, patch = (int(p) for p in [*parts, "0"][:3])
    return major, minor, patch


def variant_for(version: str) -> HashVariant:
    v = parse_version(version)
    if v < (1, 0, 0):
        return HashVariant(f"Safe {version}", False, True)
    if v < (1, 3, 0):
        return HashVariant(f"Safe {version}", False, False)
    return HashVariant(f"Safe {version}", True, False)


def domain_hash(safe: str, chain_id: int | None, variant: HashVariant) -> bytes:
    if variant.with_chain_id:
        if chain_id is None:
            raise BadInput("chain id needed", "Safe domain", f"{variant.label} hashes include the chain id")
        return keccak(DOMAIN_TYPEHASH + word(chain_id) + address_word(safe))
    return keccak(DOMAIN_TYPEHASH_OLD + address_word(safe))


def message_hash(tx: SafeTx, nonce: int, variant: HashVariant) -> bytes:
    typehash = SAFE_TX_TYPEHASH_OLD if variant.data_gas else SAFE_TX_TYPEHASH
    return keccak(
        typehash
        + address_word(tx.to)
        + word(tx.value)
        + keccak(tx.data)
        + word(int(tx.operation))
        + word(tx.safe_tx_gas)
        + word(tx.base_gas)
        + word(tx.gas_price)
        + address_word(tx.gas_token)
        + address_word(tx.refund_receiver)
        + word(nonce)
    )


def hashes_for(tx: SafeTx, variant: HashVariant) -> SafeHashes:
    if tx.nonce is None:
        raise BadInput("Safe nonce needed", "--safe-nonce", "the nonce is not in the calldata")
    domain = domain_hash(tx.safe, tx.chain_id, variant)
    message = message_hash(tx, tx.nonce, variant)
    return SafeHashes(variant.label, domain, message, keccak(b"\x19\x01" + domain + message))


def candidate_variants(tx: SafeTx) -> list[HashVariant]:
    """The given version's variant, or every variant the transaction could belong to, labelled."""
    if tx.version:
        return [variant_for(tx.version)]
    variants = [VARIANT_OLDEST, VARIANT_OLD]
    if tx.chain_id is not None:
        variants.append(VARIANT_CURRENT)
    return variants


# Chains tried when a Safe JSON states its safeTxHash but not its chain (Ethereum, its testnets and the
# chains the Safe Transaction Service serves most; chainlist.org ids).
COMMON_CHAIN_IDS = (1, 11155111, 17000, 10, 56, 100, 137, 324, 1101, 5000, 8453, 42161, 42220, 43114, 59144, 534352)


def chain_of_claimed_hash(tx: SafeTx) -> int | None:
    """The common chain under which the transaction's fields hash to its stated safeTxHash, if any."""
    if tx.claimed_hash is None or tx.nonce is None:
        return None
    if tx.version and not variant_for(tx.version).with_chain_id:
        return None
    message = message_hash(tx, tx.nonce, VARIANT_CURRENT)
    for chain_id in COMMON_CHAIN_IDS:
        domain = keccak(DOMAIN_TYPEHASH + word(chain_id) + address_word(tx.safe))
        if keccak(b"\x19\x01" + domain + message) == tx.claimed_hash:
            return chain_id
    return None


def safe_message_hash(safe: str, chain_id: int, message: bytes) -> tuple[bytes, bytes, bytes]:
    """(domain hash, message hash, Safe message hash) of an off-chain SafeMessage (Safe 1.3.0+)."""
    domain = domain_hash(safe, chain_id, VARIANT_CURRENT)
    msg = keccak(SAFE_MSG_TYPEHASH + keccak(message))
    return domain, msg, keccak(b"\x19\x01" + domain + msg)


def eip191_hash(message: bytes) -> bytes:
    return keccak(b"\x19Ethereum Signed Message:\n" + str(len(message)).encode() + message)


def split_signatures(blob: bytes, where: str) -> list[tuple[int, int, int]]:
    """(v, r, s) of each 65-byte static part; contract signatures' dynamic data follows the static parts."""
    out: list[tuple[int, int, int]] = []
    end = len(blob)
    pos = 0
    while pos + 65 <= end:
        r = int.from_bytes(blob[pos : pos + 32], "big")
        s = int.from_bytes(blob[pos + 32 : pos + 64], "big")
        v = blob[pos + 64]
        if v == 0:  # contract signature: s is the offset of its dynamic part, which ends the static area
            if s > len(blob) - 32:
                raise BadInput("malformed Safe signatures", where, f"signature {len(out)} points past the end")
            end = min(end, s)
        out.append((v, r, s))
        pos += 65
    if pos < end and not out:
        raise BadInput("malformed Safe signatures", where, f"{len(blob)} bytes hold no 65-byte signature")
    return out


def recover_owners(blob: bytes, safe_tx_hash: bytes, where: str) -> list[SafeSignature]:
    """The owner each signature stands for under `safe_tx_hash` (ECDSA, eth_sign, approved hash, contract)."""
    out = []
    for index, (v, r, s) in enumerate(split_signatures(blob, where)):
        if v == 0:
            owner = checksum(r.to_bytes(32, "big")[12:])
            out.append(SafeSignature(index, "contract", owner, "EIP-1271 contract signature: not verifiable offline"))
        elif v == 1:
            owner = checksum(r.to_bytes(32, "big")[12:])
            out.append(
                SafeSignature(index, "approved-hash", owner, "valid if approveHash was called or owner executes")
            )
        elif v > 30:
            try:
                owner = recover(eip191_hash(safe_tx_hash), v - 31, r, s, where)
                out.append(SafeSignature(index, "eth_sign", owner))
            except BadInput as exc:
                out.append(SafeSignature(index, "invalid", None, exc.why or ""))
        elif v in (27, 28):
            try:
                out.append(SafeSignature(index, "ecdsa", recover(safe_tx_hash, v - 27, r, s, where)))
            except BadInput as exc:
                out.append(SafeSignature(index, "invalid", None, exc.why or ""))
        else:
            out.append(SafeSignature(index, "invalid", None, f"v={v} is no Safe signature type"))
    return out


def from_exec_calldata(
    safe: str, data: bytes, chain_id: int | None, nonce: int | None, version: str | None, where: str
) -> SafeTx:
    """The Safe transaction inside execTransaction calldata sent to `safe`."""
    if data[:4].hex() != EXEC_TRANSACTION[2:]:
        raise BadInput("not a Safe execTransaction", where, f"selector 0x{data[:4].hex()} is not {EXEC_TRANSACTION}")
    return from_exec_args(safe, decode_args(EXEC_TYPES, data[4:], where), chain_id, nonce, version, where)


def from_exec_args(
    safe: str, values: tuple[object, ...], chain_id: int | None, nonce: int | None, version: str | None, where: str
) -> SafeTx:
    """The Safe transaction from already decoded execTransaction arguments."""
    to, value, inner, op, safe_gas, base_gas, gas_price, gas_token, refund, sigs = values
    ints = [v if isinstance(v, int) else 0 for v in (value, op, safe_gas, base_gas, gas_price)]
    if ints[1] not in (0, 1, 2):
        raise BadInput("malformed Safe transaction", where, f"operation {ints[1]} is not 0, 1 or 2")
    return SafeTx(
        safe=safe,
        to=str(to),
        value=ints[0],
        data=inner if isinstance(inner, bytes) else b"",
        operation=Operation(ints[1]),
        safe_tx_gas=ints[2],
        base_gas=ints[3],
        gas_price=ints[4],
        gas_token=str(gas_token),
        refund_receiver=str(refund),
        nonce=nonce,
        chain_id=chain_id,
        version=version,
        signatures=sigs if isinstance(sigs, bytes) else b"",
    )


def _field(obj: dict[str, object], names: tuple[str, ...], default: object = None) -> object:
    for name in names:
        if name in obj and obj[name] is not None:
            return obj[name]
    return default


def from_json_object(
    obj: dict[str, object], where: str, chain_id: int | None, nonce: int | None, version: str | None
) -> SafeTx:
    """A Safe transaction as the Safe Transaction Service API and the Safe UI export it."""
    if not isinstance(obj, dict):
        raise BadInput("malformed Safe transaction JSON", where, "expected an object")
    safe_value = _field(obj, ("safe", "safeAddress", "address"))
    if safe_value is None:
        raise BadInput("malformed Safe transaction JSON", where, "no 'safe' address")
    to_value = _field(obj, ("to",))
    if to_value is None:
        raise BadInput("malformed Safe transaction JSON", where, "no 'to' address")
    data_value = _field(obj, ("data",), "0x")
    if not isinstance(data_value, str):
        raise BadInput("malformed Safe transaction JSON", where, "'data' is not a hex string")
    json_nonce = _field(obj, ("nonce",))
    json_chain = _field(obj, ("chainId", "chain_id"))
    json_version = _field(obj, ("version", "safeVersion"))
    claimed = _field(obj, ("safeTxHash", "safe_tx_hash", "contractTransactionHash"))
    op = integer(_field(obj, ("operation",), 0), f"{where} operation", 8)
    if op > 2:
        raise BadInput("malformed Safe transaction", f"{where} operation", f"operation {op} is not 0, 1 or 2")
    tx = SafeTx(
        safe=address(safe_value, f"{where} safe"),
        to=address(to_value, f"{where} to"),
        value=integer(_field(obj, ("value",), 0), f"{where} value"),
        data=hex_bytes(data_value, f"{where} data"),
        operation=Operation(op),
        safe_tx_gas=integer(_field(obj, ("safeTxGas",), 0), f"{where} safeTxGas"),
        base_gas=integer(_field(obj, ("baseGas", "dataGas"), 0), f"{where} baseGas"),
        gas_price=integer(_field(obj, ("gasPrice",), 0), f"{where} gasPrice"),
        gas_token=address(_field(obj, ("gasToken",), ZERO_ADDRESS), f"{where} gasToken"),
        refund_receiver=address(_field(obj, ("refundReceiver",), ZERO_ADDRESS), f"{where} refundReceiver"),
        nonce=nonce
        if nonce is not None
        else (integer(json_nonce, f"{where} nonce") if json_nonce is not None else None),
        chain_id=chain_id
        if chain_id is not None
        else (integer(json_chain, f"{where} chainId") if json_chain else None),
        version=version or (str(json_version) if json_version else None),
    )
    if tx.version:
        parse_version(tx.version, f"{where} version")
    if claimed is not None:
        claimed_bytes = hex_bytes(str(claimed), f"{where} safeTxHash")
        if len(claimed_bytes) != 32:
            raise BadInput("malformed Safe transaction JSON", f"{where} safeTxHash", "not 32 bytes")
        tx.claimed_hash = claimed_bytes
    parts = _signatures_of(obj, where)
    tx.signatures = parts[0] if len(parts) == 1 else b""
    tx.confirmations = parts if len(parts) > 1 else []
    return tx


def _signatures_of(obj: dict[str, object], where: str) -> list[bytes]:
    """The executed transaction's signature blob, or each confirmation's signature on its own (a contract
    signature carries its own dynamic part, so confirmations cannot simply be concatenated)."""
    blob = _field(obj, ("signatures",))
    if isinstance(blob, str) and blob not in ("", "0x"):
        return [hex_bytes(blob, f"{where} signatures")]
    single = _field(obj, ("signature",))  # a proposal body (POST .../propose) carries the proposer's signature
    if isinstance(single, str) and single not in ("", "0x"):
        return [hex_bytes(single, f"{where} signature")]
    confirmations = _field(obj, ("confirmations",), [])
    if not isinstance(confirmations, list):
        raise BadInput("malformed Safe transaction JSON", f"{where} confirmations", "expected a list")
    parts = []
    for n, confirmation in enumerate(confirmations):
        if not isinstance(confirmation, dict):
            raise BadInput("malformed Safe transaction JSON", f"{where} confirmations[{n}]", "expected an object")
        signature = confirmation.get("signature")
        if signature is None:  # confirmed on chain (approveHash): the service lists no signature bytes
            owner = confirmation.get("owner")
            if isinstance(owner, str):
                owner_bytes = hex_bytes(address(owner, f"{where} confirmations[{n}].owner"), f"{where} owner")
                parts.append(bytes(12) + owner_bytes + bytes(32) + b"\x01")
            continue
        if not isinstance(signature, str):
            raise BadInput(
                "malformed Safe transaction JSON", f"{where} confirmations[{n}]", "signature is not a string"
            )
        parts.append(hex_bytes(signature, f"{where} confirmations[{n}].signature"))
    return parts


def load_safe_json(text: str, where: str) -> list[dict[str, object]]:
    """One transaction object, a list of them, or the API's paged {"results": [...]}."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInput("malformed JSON", f"{where}:{exc.lineno}:{exc.colno}", exc.msg) from None
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        data = data["results"]
    items = data if isinstance(data, list) else [data]
    if not items:
        raise BadInput("no Safe transaction", where, "the JSON holds an empty list")
    for n, item in enumerate(items):
        if not isinstance(item, dict):
            raise BadInput("malformed Safe transaction JSON", f"{where}[{n}]", "expected an object")
    return items


def compute(tx: SafeTx) -> SafeTx:
    """Fill in the hashes (one per candidate variant) and the owners each signature recovers to."""
    if tx.nonce is None:
        return tx
    tx.hashes = [hashes_for(tx, variant) for variant in candidate_variants(tx)]
    for hashes in tx.hashes:
        found: list[SafeSignature] = []
        if tx.signatures:
            found = recover_owners(tx.signatures, hashes.safe_tx_hash, "Safe signatures")
        for n, part in enumerate(tx.confirmations):
            first = recover_owners(part, hashes.safe_tx_hash, f"Safe confirmation {n}")[:1]
            found.extend(SafeSignature(n, sig.kind, sig.owner, sig.note) for sig in first)
        if found:
            tx.signers[hashes.label] = found
    return tx
