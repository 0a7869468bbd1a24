"""Raw transactions of every type, built and signed here with eth-account, decoded back field by field."""

from __future__ import annotations

from typing import Any

import pytest
import rlp
from eth_account.signers.local import LocalAccount

from heistguard.errors import BadInput
from heistguard.txguard.rawtx import decode_raw
from tests.txguard.conftest import BYBIT_SAFE, BYBIT_TX_HASH, RECIPIENT, fixture_text

BASE: dict[str, Any] = {"nonce": 7, "gas": 50_000, "to": RECIPIENT, "value": 10**17, "data": b"\x12\x34"}
ACCESS = [{"address": RECIPIENT, "storageKeys": ["0x" + "00" * 31 + "01"]}]
FEES = {"maxFeePerGas": 2 * 10**9, "maxPriorityFeePerGas": 10**9}

CASES: dict[str, tuple[dict[str, Any], int, int | None]] = {
    "legacy pre-EIP-155": ({**BASE, "gasPrice": 10**9}, 0, None),
    "legacy EIP-155": ({**BASE, "gasPrice": 10**9, "chainId": 137}, 0, 137),
    "EIP-2930": ({**BASE, "gasPrice": 10**9, "chainId": 1, "accessList": ACCESS, "type": 1}, 1, 1),
    "EIP-1559": ({**BASE, **FEES, "chainId": 10, "accessList": ACCESS}, 2, 10),
    "EIP-4844": (
        {**BASE, **FEES, "chainId": 1, "maxFeePerBlobGas": 7, "blobVersionedHashes": ["0x01" + "ab" * 31], "type": 3},
        3,
        1,
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_every_type_decodes_with_sender_and_hash(name: str, signer: LocalAccount) -> None:
    fields, kind, chain = CASES[name]
    signed = signer.sign_transaction(fields)
    tx = decode_raw(bytes(signed.raw_transaction))
    assert tx.type == kind
    assert tx.chain_id == chain
    assert tx.sender == signer.address
    assert tx.tx_hash == bytes(signed.hash)
    assert (tx.nonce, tx.gas_limit, tx.to, tx.value, tx.data) == (7, 50_000, RECIPIENT, 10**17, b"\x12\x34")
    if kind == 3:
        assert tx.max_fee_per_blob_gas == 7 and tx.blob_hashes == (bytes.fromhex("01" + "ab" * 31),)
    if kind in (1, 2):
        assert tx.access_list == ((RECIPIENT, (bytes(31) + b"\x01",)),)


def test_eip7702_authorization_list_recovers_each_authority(signer: LocalAccount) -> None:
    from eth_account import Account

    other = Account.from_key("0x" + "22" * 32)
    auth_own = signer.sign_authorization({"chainId": 1, "address": RECIPIENT, "nonce": 8})
    auth_other = other.sign_authorization({"chainId": 0, "address": BYBIT_SAFE, "nonce": 0})
    fields = {**BASE, **FEES, "chainId": 1, "authorizationList": [auth_own, auth_other], "type": 4}
    signed = signer.sign_transaction(fields)
    tx = decode_raw(bytes(signed.raw_transaction))
    assert tx.type == 4 and tx.sender == signer.address and tx.tx_hash == bytes(signed.hash)
    assert [(a.chain_id, a.address, a.nonce, a.authority) for a in tx.authorizations] == [
        (1, RECIPIENT, 8, signer.address),
        (0, BYBIT_SAFE, 0, other.address),
    ]


def test_unsigned_transactions_give_the_signing_hash(signer: LocalAccount) -> None:
    # An unsigned EIP-1559 payload: the same fields without y_parity, r, s.
    signed = signer.sign_transaction({**BASE, **FEES, "chainId": 1})
    fields = rlp.decode(bytes(signed.raw_transaction)[1:])
    unsigned = b"\x02" + rlp.encode(fields[:9])
    tx = decode_raw(unsigned)
    assert not tx.signed and tx.sender is None and tx.tx_hash is None
    assert tx.chain_id == 1 and tx.to == RECIPIENT
    # eth-account signs exactly this hash: recovering from it gives the signer.
    from eth_keys import keys

    y, r, s = (int.from_bytes(f, "big") for f in fields[9:])
    assert keys.Signature(vrs=(y, r, s)).recover_public_key_from_msg_hash(tx.signing_hash).to_checksum_address() == (
        signer.address
    )


def test_unsigned_eip155_legacy_carries_chain_id() -> None:
    fields = [b"\x01", b"\x3b\x9a\xca\x00", b"\x52\x08", bytes.fromhex(RECIPIENT[2:]), b"", b"", b"\x01", b"", b""]
    tx = decode_raw(rlp.encode(fields))
    assert tx.chain_id == 1 and not tx.signed


def test_real_bybit_transaction_decodes_to_its_published_hash_and_sender() -> None:
    tx = decode_raw(bytes.fromhex(fixture_text("bybit_malicious_exec.rawtx.hex")[2:]))
    assert tx.tx_hash is not None and tx.tx_hash.hex() == BYBIT_TX_HASH
    assert tx.sender == "0x0fa09C3A328792253f8dee7116848723b72a6d2e"
    assert (tx.type, tx.chain_id, tx.nonce, tx.to, tx.gas_limit) == (0, 1, 42, BYBIT_SAFE, 200_000)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "no bytes"),
        (b"\x05\xc0", "not 0x01-0x04"),
        (b"\x02\xc3\x01\x02\x03", "fields"),
        (b"\xf8\xff\x00", "RLP"),
        (b"\x02" + rlp.encode([b"\x01"] * 12), "bytes, expected 20"),
        (rlp.encode([b"\x00\x01", b"", b"", b"", b"", b""]), "leading zero"),
    ],
)
def test_malformed_raw_transactions_are_bad_input(raw: bytes, reason: str) -> None:
    with pytest.raises(BadInput) as caught:
        decode_raw(raw)
    assert reason in caught.value.one_line()
    assert "\n" not in caught.value.one_line()
