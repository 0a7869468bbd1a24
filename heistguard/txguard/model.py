"""What the decoders produce: calls, their decoded arguments, the effects they have, and the request."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from functools import cached_property


class Operation(enum.IntEnum):
    CALL = 0
    DELEGATECALL = 1
    CREATE = 2  # only Safes before 1.0.0 accept it


@dataclass(frozen=True, slots=True)
class Arg:
    name: str
    type: str
    value: object


@dataclass(frozen=True)
class DecodedCall:
    """A function call read from calldata: its selector and, when the selector is known, its arguments."""

    selector: str
    signature: str | None = None
    category: str = "unknown"
    args: tuple[Arg, ...] = ()
    source: str = "bundled"
    error: str | None = None  # the data does not fit the known signature

    @property
    def name(self) -> str | None:
        return self.signature.split("(", 1)[0] if self.signature else None

    def arg(self, index: int) -> object:
        return self.args[index].value if index < len(self.args) else None

    def render(self) -> str:
        return self._rendered

    @cached_property
    def _rendered(self) -> str:  # rules and the description all show the call; build the text once
        if not self.signature:
            return f"unknown function {self.selector}"
        if self.error:
            return f"{self.signature} (data does not fit: {self.error})"
        shown = ", ".join(_show(a.value) for a in self.args)
        return f"{self.name}({shown})"


def _show(value: object) -> str:
    if isinstance(value, bytes):
        return "0x" + value.hex() if len(value) <= 36 else f"0x{value[:16].hex()}…({len(value)} bytes)"
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return str(value)


@dataclass(slots=True)
class Call:
    """One call the transaction makes, at any depth: the top-level call, a Safe's inner call, a batch item."""

    path: str  # where it sits, e.g. "tx", "tx>safe", "tx>safe>multisend[1]"
    sender: str | None  # the account whose storage and balance it runs with
    to: str | None
    value: int
    data: bytes
    operation: Operation = Operation.CALL
    decoded: DecodedCall | None = None
    depth: int = 0
    claimed: str | None = None  # the function a batch file or UI says this call runs


class EffectKind(enum.StrEnum):
    TRANSFER = "transfer"  # an asset leaves for a recipient
    APPROVE = "approve"  # a spender may take an amount of a token
    APPROVE_ALL = "approve-all"  # an operator may take every token of a collection
    ORDER = "order"  # a marketplace order (offer for consideration)
    SWAP = "swap"  # a swap whose proceeds go to `party` (asset: the router)


@dataclass(frozen=True, slots=True)
class Effect:
    """What a call or signature does to assets, whatever function or message carries it."""

    kind: EffectKind
    asset: str  # token contract, or "ETH" for the native coin
    party: str | None  # recipient / spender / operator
    amount: int | None
    path: str
    owner: str | None = None
    expiry: int | None = None
    via: str = ""  # the function or typed-data type that carries it


@dataclass(frozen=True, slots=True)
class SafeHashes:
    """The three hashes a signer compares on a hardware wallet, for one Safe version range."""

    label: str
    domain_hash: bytes
    message_hash: bytes
    safe_tx_hash: bytes


@dataclass(frozen=True, slots=True)
class SafeSignature:
    """One owner signature in a Safe signature blob, and the owner it stands for under one hash."""

    index: int
    kind: str  # ecdsa | eth_sign | approved-hash | contract | invalid
    owner: str | None
    note: str = ""


@dataclass(slots=True)
class SafeTx:
    """A Safe multisig transaction: the fields the owners sign."""

    safe: str
    to: str
    value: int
    data: bytes
    operation: Operation
    safe_tx_gas: int
    base_gas: int
    gas_price: int
    gas_token: str
    refund_receiver: str
    nonce: int | None
    chain_id: int | None
    version: str | None
    signatures: bytes = b""  # one blob as execTransaction carries it
    confirmations: list[bytes] = field(default_factory=list)  # or one signature per owner, as the Safe API lists them
    claimed_hash: bytes | None = None  # safeTxHash as the JSON states it
    hashes: list[SafeHashes] = field(default_factory=list)
    signers: dict[str, list[SafeSignature]] = field(default_factory=dict)  # hash label -> signatures


@dataclass(frozen=True, slots=True)
class Authorization:
    """An EIP-7702 authorization: `authority` lets its account run `address`'s code."""

    chain_id: int
    address: str
    nonce: int
    authority: str | None
    error: str | None = None


@dataclass(slots=True)
class RawTx:
    """Every field of a raw EVM transaction, with what is derived from it."""

    type: int
    type_name: str
    chain_id: int | None
    nonce: int
    gas_limit: int
    to: str | None
    value: int
    data: bytes
    gas_price: int | None = None
    max_fee_per_gas: int | None = None
    max_priority_fee_per_gas: int | None = None
    max_fee_per_blob_gas: int | None = None
    blob_hashes: tuple[bytes, ...] = ()
    access_list: tuple[tuple[str, tuple[bytes, ...]], ...] = ()
    authorizations: tuple[Authorization, ...] = ()
    signed: bool = False
    sender: str | None = None
    signing_hash: bytes = b""
    tx_hash: bytes | None = None
    v: int | None = None
    r: int | None = None
    s: int | None = None


@dataclass(slots=True)
class TypedMessage:
    """An EIP-712 request: what it is, who it names, and its hashes."""

    primary_type: str
    domain: dict[str, object]
    message: dict[str, object]
    domain_hash: bytes
    struct_hash: bytes
    sign_hash: bytes
    kind: str  # permit | permit2 | eip3009 | seaport | safe-message | safe-tx | other


@dataclass(slots=True)
class SignRequest:
    """eth_sign / personal_sign of raw bytes or text."""

    method: str
    payload: bytes
    sign_hash: bytes
    blind: bool  # a bare 32-byte hash: the signer cannot know what it authorises


@dataclass(slots=True)
class Request:
    """Everything decoded from one input, in the shape every rule reads."""

    kind: str  # raw-tx | safe-tx | typed-data | message
    label: str
    chain_id: int | None = None
    signer: str | None = None
    calls: list[Call] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)
    raw: RawTx | None = None
    safes: list[SafeTx] = field(default_factory=list)  # outermost first; nested Safes follow
    typed: TypedMessage | None = None
    message: SignRequest | None = None
    summary: str = ""
    details: list[str] = field(default_factory=list)

    @property
    def safe(self) -> SafeTx | None:
        return self.safes[0] if self.safes else None
