"""EIP-712 typed data (the spec's Mail vector, permits, Permit2, EIP-3009, Seaport, SafeMessage, SafeTx) and
eth_sign / personal_sign requests."""

from __future__ import annotations

import json
from typing import Any

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_hash.auto import keccak

from heistguard.errors import BadInput
from heistguard.txguard import TxGuard
from heistguard.txguard.typed_data import load_request, parse_typed
from tests.txguard.conftest import USDC, fixture_text

DOMAIN_TYPE = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]
PERMIT2 = "0x000000000022D473030F116dDEE9F6B43aC78BA3"
UNIVERSAL_ROUTER = "0x3fC91A3afd70395Cd496C647d5a6CC9D4B2b7FAD"
DRAINER = "0x000000000000000000000000000000000000dEaD"
OWNER = "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"
SEAPORT = "0x0000000000000068F116a894984e2DB1123eB395"


def permit(spender: str, value: int) -> dict[str, Any]:
    return {
        "types": {
            "EIP712Domain": DOMAIN_TYPE,
            "Permit": [
                {"name": "owner", "type": "address"},
                {"name": "spender", "type": "address"},
                {"name": "value", "type": "uint256"},
                {"name": "nonce", "type": "uint256"},
                {"name": "deadline", "type": "uint256"},
            ],
        },
        "primaryType": "Permit",
        "domain": {"name": "USD Coin", "version": "2", "chainId": 1, "verifyingContract": USDC},
        "message": {"owner": OWNER, "spender": spender, "value": value, "nonce": 0, "deadline": 1_900_000_000},
    }


def permit2_single(spender: str, amount: int) -> dict[str, Any]:
    return {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            "PermitSingle": [
                {"name": "details", "type": "PermitDetails"},
                {"name": "spender", "type": "address"},
                {"name": "sigDeadline", "type": "uint256"},
            ],
            "PermitDetails": [
                {"name": "token", "type": "address"},
                {"name": "amount", "type": "uint160"},
                {"name": "expiration", "type": "uint48"},
                {"name": "nonce", "type": "uint48"},
            ],
        },
        "primaryType": "PermitSingle",
        "domain": {"name": "Permit2", "chainId": 1, "verifyingContract": PERMIT2},
        "message": {
            "details": {"token": USDC, "amount": amount, "expiration": 1_900_000_000, "nonce": 0},
            "spender": spender,
            "sigDeadline": 1_900_000_000,
        },
    }


def permit2_batch(spender: str) -> dict[str, Any]:
    single = permit2_single(spender, 5)
    single["types"]["PermitBatch"] = [
        {"name": "details", "type": "PermitDetails[]"},
        {"name": "spender", "type": "address"},
        {"name": "sigDeadline", "type": "uint256"},
    ]
    del single["types"]["PermitSingle"]
    details = single["message"]["details"]
    single["primaryType"] = "PermitBatch"
    single["message"]["details"] = [details, {**details, "token": PERMIT2, "amount": 2**160 - 1}]
    return single


def eip3009(to: str) -> dict[str, Any]:
    fields = [
        "from:address",
        "to:address",
        "value:uint256",
        "validAfter:uint256",
        "validBefore:uint256",
        "nonce:bytes32",
    ]
    return {
        "types": {
            "EIP712Domain": DOMAIN_TYPE,
            "TransferWithAuthorization": [{"name": f.split(":")[0], "type": f.split(":")[1]} for f in fields],
        },
        "primaryType": "TransferWithAuthorization",
        "domain": {"name": "USD Coin", "version": "2", "chainId": 1, "verifyingContract": USDC},
        "message": {
            "from": OWNER,
            "to": to,
            "value": 10**6,
            "validAfter": 0,
            "validBefore": 1_900_000_000,
            "nonce": "0x" + "00" * 32,
        },
    }


def seaport(consideration_to: str) -> dict[str, Any]:
    item = [
        {"name": "itemType", "type": "uint8"},
        {"name": "token", "type": "address"},
        {"name": "identifierOrCriteria", "type": "uint256"},
        {"name": "startAmount", "type": "uint256"},
        {"name": "endAmount", "type": "uint256"},
    ]
    return {
        "types": {
            "EIP712Domain": DOMAIN_TYPE,
            "OrderComponents": [
                {"name": "offerer", "type": "address"},
                {"name": "offer", "type": "OfferItem[]"},
                {"name": "consideration", "type": "ConsiderationItem[]"},
                {"name": "salt", "type": "uint256"},
            ],
            "OfferItem": item,
            "ConsiderationItem": [*item, {"name": "recipient", "type": "address"}],
        },
        "primaryType": "OrderComponents",
        "domain": {"name": "Seaport", "version": "1.6", "chainId": 1, "verifyingContract": SEAPORT},
        "message": {
            "offerer": OWNER,
            "offer": [{"itemType": 2, "token": "0xBC4CA0EdA7647A8aB7C2061c2E118A18a936f13D", "identifierOrCriteria": 1,
                       "startAmount": 1, "endAmount": 1}],
            "consideration": [{"itemType": 0, "token": "0x0000000000000000000000000000000000000000",
                               "identifierOrCriteria": 0, "startAmount": 10**18, "endAmount": 10**18,
                               "recipient": consideration_to}],
            "salt": 1,
        },
    }  # fmt: skip


def rule_ids(guard: TxGuard, obj: dict[str, Any]) -> set[str]:
    return {f.rule_id for f in guard.check_typed_data(json.dumps(obj)).findings}


def test_eip712_mail_vector_v1() -> None:
    typed = load_request(fixture_text("eip712_mail.json"), "mail")
    assert not isinstance(typed, type(None))
    assert typed.sign_hash.hex() == "be609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2"  # type: ignore[union-attr]
    assert typed.domain_hash.hex() == "f2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f"  # type: ignore[union-attr]
    assert typed.struct_hash.hex() == "c52c0ee5d84264471806290a3f2c4cecfc5490626bf912d01f240d7a274b371e"  # type: ignore[union-attr]
    cow = Account.from_key(bytes.fromhex("c85ef7d79691fe79573b1a7064c19c1a9819ebdbd1faaab1a8ec92344438aaf4"))
    signed = cow.sign_message(encode_typed_data(full_message=json.loads(fixture_text("eip712_mail.json"))))
    assert cow.address == OWNER
    assert (signed.v, hex(signed.r), hex(signed.s)) == (
        28,
        "0x4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d",
        "0x7299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b91562",
    )
    encode_type = b"Mail(Person from,Person to,string contents)Person(string name,address wallet)"
    assert keccak(encode_type).hex() == "a0cedeb2dc280ba39b857546d74f5549c3a1d7bdc2dd96bf881f76108e23dac2"


def test_permit_to_unknown_spender_unlimited_is_flagged(guard: TxGuard) -> None:
    ids = rule_ids(guard, permit(DRAINER, 2**256 - 1))
    assert {"tx.approval-unknown-spender", "tx.approval-unlimited"} <= ids
    check = guard.check_typed_data(json.dumps(permit(DRAINER, 2**256 - 1)))
    assert check.request.summary.startswith("Signs an EIP-2612 permit for USD Coin")
    assert "UNLIMITED" in check.request.summary


def test_small_permit_to_known_router_passes(guard: TxGuard) -> None:
    ids = rule_ids(guard, permit(UNIVERSAL_ROUTER, 10**6))
    assert not ids & {"tx.approval-unknown-spender", "tx.approval-unlimited"}


def test_permit2_single_and_batch(guard: TxGuard) -> None:
    assert "tx.approval-unknown-spender" not in rule_ids(guard, permit2_single(UNIVERSAL_ROUTER, 10))
    assert "tx.approval-unknown-spender" in rule_ids(guard, permit2_single(DRAINER, 10))
    batch = guard.check_typed_data(json.dumps(permit2_batch(DRAINER)))
    assert batch.request.typed is not None and batch.request.typed.kind == "permit2"
    assert len(batch.request.effects) == 2
    assert "tx.approval-unlimited" in {f.rule_id for f in batch.findings}


def test_eip3009_transfer_authorization(guard: TxGuard) -> None:
    check = guard.check_typed_data(json.dumps(eip3009(DRAINER)))
    assert check.request.effects[0].party == DRAINER
    assert "it sends 1 USDC (0xA0b8…eB48) to 0x0000…dEaD" in check.request.summary


def test_seaport_order_paying_someone_else_is_blocked(guard: TxGuard) -> None:
    check = guard.check_typed_data(json.dumps(seaport(DRAINER)))
    assert "tx.order-pays-others" in {f.rule_id for f in check.findings}
    assert check.blocked
    fair = guard.check_typed_data(json.dumps(seaport(OWNER)))
    assert "tx.order-pays-others" not in {f.rule_id for f in fair.findings}


def test_safe_message_of_a_bare_hash_is_flagged(guard: TxGuard) -> None:
    obj = {
        "types": {
            "EIP712Domain": [{"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}],
            "SafeMessage": [{"name": "message", "type": "bytes"}],
        },
        "primaryType": "SafeMessage",
        "domain": {"chainId": 1, "verifyingContract": "0x657ff0D4eC65D82b2bC1247b0a558bcd2f80A0f1"},
        "message": {"message": "0x" + "ab" * 32},
    }
    assert "tx.blind-signature" in rule_ids(guard, obj)
    obj["message"] = {"message": "0x" + b"hello".hex()}
    assert "tx.blind-signature" not in rule_ids(guard, obj)


def test_safe_tx_typed_data_is_checked_like_a_safe_transaction(guard: TxGuard) -> None:
    """What a hardware wallet signs for a Safe (1.3.0+): EIP-712 SafeTx; its hash is the safeTxHash (vector V2)."""
    fields = "to:address value:uint256 data:bytes operation:uint8 safeTxGas:uint256 baseGas:uint256 gasPrice:uint256"
    fields += " gasToken:address refundReceiver:address nonce:uint256"
    obj = {
        "types": {
            "EIP712Domain": [{"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}],
            "SafeTx": [{"name": f.split(":")[0], "type": f.split(":")[1]} for f in fields.split()],
        },
        "primaryType": "SafeTx",
        "domain": {"chainId": 42161, "verifyingContract": "0x111CEEee040739fD91D29C34C33E6B3E112F2177"},
        "message": {
            "to": "0x111CEEee040739fD91D29C34C33E6B3E112F2177", "value": 0,
            "data": "0x0d582f130000000000000000000000000c75fa5a5f1c0997e3eea425cfa13184ed0ec9e5"
            "0000000000000000000000000000000000000000000000000000000000000003",
            "operation": 0, "safeTxGas": 0, "baseGas": 0, "gasPrice": 0,
            "gasToken": "0x0000000000000000000000000000000000000000",
            "refundReceiver": "0x0000000000000000000000000000000000000000", "nonce": 234,
        },
    }  # fmt: skip
    check = guard.check_typed_data(json.dumps(obj))
    assert check.request.typed is not None
    assert check.request.typed.sign_hash.hex() == "0cb7250b8becd7069223c54e2839feaed4cee156363fbfe5dd0a48e75c4e25b3"
    assert check.request.safes[0].hashes[0].safe_tx_hash == check.request.typed.sign_hash
    assert "tx.change-of-control" in {f.rule_id for f in check.findings}
    assert check.request.summary.startswith(
        "Signs an EIP-712 SafeTx: Safe 0x111C…2177 (nonce 234) calls addOwnerWithThreshold("
    )


def test_blind_eth_sign_of_a_hash_and_plain_personal_sign(guard: TxGuard) -> None:
    request = {"method": "eth_sign", "params": [OWNER, "0x" + "46" * 32]}
    check = guard.check_typed_data(json.dumps(request))
    assert "tx.blind-signature" in {f.rule_id for f in check.findings}
    assert check.blocked  # eth_sign of 32 bytes could be any transaction's signing hash
    text = guard.check_message("Sign in to example.org\nNonce: 1", "personal_sign")
    expected = 'Signs the 31-byte message "Sign in to example.org\\nNonce: 1" with personal_sign'
    assert text.request.summary == expected + " (no transaction, no approval)"
    as_hex = guard.check_message("0x" + b"Welcome to our app, sign in now!".hex(), "personal_sign")  # 32 bytes of text
    assert "tx.blind-signature" not in {f.rule_id for f in as_hex.findings}
    raw_hash = guard.check_message("0x" + "46" * 31 + "ff", "personal_sign")
    assert "tx.blind-signature" in {f.rule_id for f in raw_hash.findings}
    assert "tx.blind-signature" not in {f.rule_id for f in text.findings}
    assert text.decision.action == "allow"


def test_json_rpc_wrapped_typed_data(guard: TxGuard) -> None:
    wrapped = {"method": "eth_signTypedData_v4", "params": [OWNER, json.dumps(permit(DRAINER, 5))]}
    assert "tx.approval-unknown-spender" in rule_ids(guard, wrapped)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda o: o["types"].pop("Person"), "missing type"),
        (lambda o: o["types"]["Person"].append({"name": "boss", "type": "Mail"}), "cyclic type"),
        (lambda o: o["types"]["Person"].append({"name": "me", "type": "Person[]"}), "cyclic type"),
        (lambda o: o.update(primaryType="Nope"), "primaryType"),
        (lambda o: o["message"]["from"].update(wallet="0x1234"), "does not fit"),
        (lambda o: o["types"].pop("EIP712Domain"), "EIP712Domain"),
        (lambda o: o["types"]["Mail"].append({"name": "x"}), "needs a name and a type"),
        (lambda o: o["types"].update({"A\n": 5}), "is not an identifier"),  # found by hypothesis
    ],
)
def test_broken_typed_data_is_one_line_bad_input(mutate: Any, message: str) -> None:
    obj = json.loads(fixture_text("eip712_mail.json"))
    mutate(obj)
    with pytest.raises(BadInput) as caught:
        parse_typed(obj, "mail.json")
    assert message in caught.value.one_line() and "\n" not in caught.value.one_line()
