"""Safe hashes for every version (published vectors), signatures, execTransaction and Safe JSON."""

from __future__ import annotations

import json
from typing import Any

import pytest
from eth_account import Account
from eth_utils import keccak

from heistguard.errors import BadInput
from heistguard.txguard import TxGuard
from heistguard.txguard import safe as safe_mod
from heistguard.txguard.decode import Options
from heistguard.txguard.model import Operation, SafeTx
from tests.txguard.conftest import BYBIT_SAFE, fixture_text, safe_vectors

VECTORS = safe_vectors()


def _tx(v: dict[str, Any], version: str | None) -> SafeTx:
    return SafeTx(
        v["safe"], v["to"], v["value"], bytes.fromhex(v["data"][2:]), Operation(v["operation"]), v["safe_tx_gas"],
        v["base_gas"], v["gas_price"], v["gas_token"], v["refund_receiver"], v["nonce"], v["chain_id"], version,
    )  # fmt: skip


@pytest.mark.parametrize("vector", VECTORS, ids=[v["id"] for v in VECTORS])
def test_published_safe_hashes_for_every_version(vector: dict[str, Any]) -> None:
    tx = safe_mod.compute(_tx(vector, vector["version"]))
    [hashes] = tx.hashes
    assert "0x" + hashes.safe_tx_hash.hex() == vector["safe_tx_hash"]
    if "domain_hash" in vector:
        assert "0x" + hashes.domain_hash.hex() == vector["domain_hash"]
        assert "0x" + hashes.message_hash.hex() == vector["message_hash"]


@pytest.mark.parametrize("vector", VECTORS, ids=[v["id"] for v in VECTORS])
def test_unknown_version_lists_every_variant_and_one_is_right(vector: dict[str, Any]) -> None:
    tx = safe_mod.compute(_tx(vector, None))
    labels = [h.label for h in tx.hashes]
    assert labels[:2] == [safe_mod.VARIANT_OLDEST.label, safe_mod.VARIANT_OLD.label]
    assert (safe_mod.VARIANT_CURRENT.label in labels) == (vector["chain_id"] is not None)
    assert sum("0x" + h.safe_tx_hash.hex() == vector["safe_tx_hash"] for h in tx.hashes) == 1


@pytest.mark.parametrize("field", ["value", "operation", "gas_price", "nonce", "safe_tx_gas", "data"])
def test_tampering_any_field_changes_the_hash(field: str) -> None:
    vector = dict(VECTORS[0])
    vector[field] = vector[field] + 1 if field != "data" else vector["data"] + "00"
    tx = safe_mod.compute(_tx(vector, "1.3.0"))
    assert "0x" + tx.hashes[0].safe_tx_hash.hex() != VECTORS[0]["safe_tx_hash"]


def test_domain_has_no_chain_id_before_1_3_0_and_data_gas_before_1_0_0() -> None:
    v = VECTORS[0]
    old = safe_mod.compute(_tx({**v, "chain_id": 1}, "1.2.0")).hashes[0]
    same = safe_mod.compute(_tx({**v, "chain_id": 5}, "1.2.0")).hashes[0]
    assert old.domain_hash == same.domain_hash  # no chainId in the domain
    oldest = safe_mod.compute(_tx(v, "0.1.0")).hashes[0]
    assert oldest.domain_hash == old.domain_hash and oldest.message_hash != old.message_hash  # dataGas typehash
    with pytest.raises(BadInput, match="chain id"):
        safe_mod.compute(_tx({**v, "chain_id": None}, "1.3.0"))


def _sign_all_ways(safe_tx_hash: bytes) -> tuple[bytes, list[str]]:
    ecdsa_key = Account.from_key("0x" + "a1" * 32)
    eth_sign_key = Account.from_key("0x" + "b2" * 32)
    sig1 = ecdsa_key.unsafe_sign_hash(safe_tx_hash)
    sig2 = eth_sign_key.unsafe_sign_hash(safe_mod.eip191_hash(safe_tx_hash))
    approver = "0x" + "33" * 20
    contract = "0x" + "44" * 20
    blob = (
        sig1.r.to_bytes(32, "big") + sig1.s.to_bytes(32, "big") + bytes([sig1.v])
        + sig2.r.to_bytes(32, "big") + sig2.s.to_bytes(32, "big") + bytes([sig2.v + 4])
        + bytes(12) + bytes.fromhex(approver[2:]) + bytes(32) + b"\x01"
        + bytes(12) + bytes.fromhex(contract[2:]) + (4 * 65).to_bytes(32, "big") + b"\x00"
        + (3).to_bytes(32, "big") + b"abc"
    )  # fmt: skip
    return blob, [ecdsa_key.address, eth_sign_key.address, approver, contract]


def test_signatures_of_every_kind_recover_to_their_owner() -> None:
    digest = bytes.fromhex(VECTORS[2]["safe_tx_hash"][2:])
    blob, owners = _sign_all_ways(digest)
    found = safe_mod.recover_owners(blob, digest, "test")
    assert [s.kind for s in found] == ["ecdsa", "eth_sign", "approved-hash", "contract"]
    assert [s.owner.lower() for s in found if s.owner] == [o.lower() for o in owners]


def test_malformed_signature_blob_is_bad_input() -> None:
    with pytest.raises(BadInput, match="points past the end"):
        safe_mod.split_signatures(bytes(12) + b"\x11" * 20 + (10_000).to_bytes(32, "big") + b"\x00", "test")


def test_multisendcallonly_calldata_vector_v6(guard: TxGuard) -> None:
    """V6: trusted DELEGATECALL to MultiSendCallOnly 1.4.1, batch unpacked, signature recovers to the trace's signer."""
    calldata = fixture_text("safe_multisendcallonly_exec.calldata.hex")
    safe = "0x5EA1d9A6dDC3A0329378a327746D71A2019eC332"
    from heistguard.txguard import decode
    from heistguard.txguard.model import Call, Request

    request = Request("raw-tx", "v6", chain_id=1)
    opts = Options(safe_nonce=6, safe_version="1.4.1")
    decode.expand(
        Call("tx", "0xD5AEB612f43919FCbfFd0eEa734D0E9130D14b2e", safe, 0, bytes.fromhex(calldata[2:])),
        guard.ctx,
        opts,
        request,
    )
    decode.finish(request)
    tx = request.safes[0]
    assert tx.hashes[0].safe_tx_hash.hex() == "27a0c4abf624b15b776f544a4b31ed4d50dee2b677c6497fbadf4f7a73be705e"
    assert [s.owner for s in tx.signers[tx.hashes[0].label]] == ["0xD5AEB612f43919FCbfFd0eEa734D0E9130D14b2e"]
    paths = [c.path for c in request.calls]
    assert paths == ["tx", "tx>safe", "tx>safe>multisend[0]", "tx>safe>multisend[1]"]
    delegate = request.calls[2].decoded
    assert delegate is not None
    assert delegate.render() == "removeDelegate(0xf46c6d6e62f59D9222F3812874211dF07cF7b318, True)"
    usdc = request.calls[3]
    assert usdc.sender == safe and usdc.decoded is not None
    assert usdc.decoded.render() == "transfer(0x1FE27A73Cd9f0b3C53b6E936D0b4F9B2f8ca3367, 800000000)"
    check = guard.check_request(request)
    assert check.decision.action == "allow"
    assert not any(f.rule_id == "tx.delegatecall-untrusted" for f in check.findings)
    assert "MultiSendCallOnly 1.4.1" in check.request.summary


def test_bybit_signatures_recover_to_three_ascending_owners_under_nonce_71(guard: TxGuard) -> None:
    check = guard.check_raw(
        fixture_text("bybit_malicious_exec.rawtx.hex"), Options(safe_nonce=71, safe_version="1.1.1")
    )
    tx = check.request.safes[0]
    assert (tx.safe, tx.to, tx.operation, tx.safe_tx_gas) == (
        BYBIT_SAFE, "0x96221423681A6d52E184D440a8eFCEbB105C7242", Operation.DELEGATECALL, 45746,
    )  # fmt: skip
    owners = [s.owner for s in tx.signers[tx.hashes[0].label]]
    assert all(owners) and len(set(owners)) == 3
    # Safe's checkSignatures demands strictly ascending owners: the executed transaction satisfied it.
    assert [int(o, 16) for o in owners if o] == sorted(int(o, 16) for o in owners if o)
    assert owners == [
        "0x1F4EB0a903619ac168b19A82F1a6e2e426522211",
        "0x3Cc3A225769900e003E264dd4CB43E90896BC21A",
        "0xe3dF2cCEAc61B1aFA311372ecC5B40A3A6585a9E",
    ]


def _api_json(v: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "safe": v["safe"], "to": v["to"], "value": str(v["value"]), "data": v["data"] if v["data"] != "0x" else None,
        "operation": v["operation"], "safeTxGas": str(v["safe_tx_gas"]), "baseGas": str(v["base_gas"]),
        "gasPrice": str(v["gas_price"]), "gasToken": v["gas_token"], "refundReceiver": v["refund_receiver"],
        "nonce": v["nonce"], "safeTxHash": v["safe_tx_hash"], "confirmations": [], **extra,
    }  # fmt: skip


def test_safe_api_json_with_confirmations(guard: TxGuard) -> None:
    v = VECTORS[2]
    digest = bytes.fromhex(v["safe_tx_hash"][2:])
    owner = Account.from_key("0x" + "a1" * 32)
    sig = owner.unsafe_sign_hash(digest)
    signature = "0x" + (sig.r.to_bytes(32, "big") + sig.s.to_bytes(32, "big") + bytes([sig.v])).hex()
    blob, owners = _sign_all_ways(digest)
    contract_sig = blob[3 * 65 : 4 * 65 - 33] + (65).to_bytes(32, "big") + b"\x00" + blob[4 * 65 :]
    confirmations = [
        {"owner": owner.address, "signature": signature, "signatureType": "EOA"},
        {"owner": owners[1], "signature": "0x" + blob[65:130].hex(), "signatureType": "ETH_SIGN"},
        {"owner": owners[3], "signature": "0x" + contract_sig.hex(), "signatureType": "CONTRACT_SIGNATURE"},
    ]
    obj = _api_json(v, confirmations=confirmations)
    [check] = guard.check_safe_json(json.dumps(obj), Options(chain_id=11155111, safe_version="1.3.0"))
    tx = check.request.safes[0]
    found = tx.signers[tx.hashes[0].label]
    assert [(s.kind, s.owner) for s in found] == [
        ("ecdsa", owner.address), ("eth_sign", owners[1]), ("contract", owners[3]),
    ]  # fmt: skip
    assert check.decision.action == "allow"
    assert check.request.summary.startswith("Safe 0x657f…A0f1 (nonce 4) sends 0.1 ETH to")


def test_safe_json_whose_stated_hash_lies_is_blocked(guard: TxGuard) -> None:
    obj = _api_json(VECTORS[2], value="100000000000000001")
    [check] = guard.check_safe_json(json.dumps(obj), Options(chain_id=11155111, safe_version="1.3.0"))
    assert any(f.rule_id == "tx.safe-hash-mismatch" for f in check.findings)
    assert check.blocked
    [honest] = guard.check_safe_json(json.dumps(_api_json(VECTORS[2])), Options(chain_id=11155111))
    assert not any(f.rule_id == "tx.safe-hash-mismatch" for f in honest.findings)


def test_safe_message_hash_vector_v5() -> None:
    text = (
        "Welcome to OpenSea!\n\nClick to sign in and accept the OpenSea Terms of Service (https://opensea.io/tos) and "
        "Privacy Policy (https://opensea.io/privacy).\n\nThis request will not trigger a blockchain transaction "
        "or cost any gas fees.\n\nWallet address:\n0x657ff0d4ec65d82b2bc1247b0a558bcd2f80a0f1\n\nNonce:\n"
        "ea499f2f-fdbc-4d04-92c4-b60aba887e06"
    )
    assert (
        safe_mod.eip191_hash(text.encode()).hex() == "cb1a9208c1a7c191185938c7d304ed01db68677eea4e689d688469aa72e34236"
    )
    domain, message, final = safe_mod.safe_message_hash(
        "0x657ff0D4eC65D82b2bC1247b0a558bcd2f80A0f1", 11155111, safe_mod.eip191_hash(text.encode())
    )
    assert domain.hex() == "611379c19940caee095cdb12bebe6a9fa9abb74cdb1fbd7377c49a1f198dc24f"
    assert message.hex() == "a5d2f507a16279357446768db4bd47a03bca0b6acac4632a4c2c96af20d6f6e5"
    assert final.hex() == "1866b559f56261ada63528391b93a1fe8e2e33baf7cace94fc6b42202d16ea08"


def test_typehashes_match_the_published_constants() -> None:
    assert safe_mod.SAFE_TX_TYPEHASH.hex() == "bb8310d486368db6bd6f849402fdd73ad53d316b5a4b2644ad6efe0f941286d8"
    assert safe_mod.SAFE_TX_TYPEHASH_OLD.hex() == "14d461bc7412367e924637b363c7bf29b8f47e2f84869f4426e5633d8af47b20"
    assert safe_mod.DOMAIN_TYPEHASH_OLD.hex() == "035aff83d86937d35b32e04f0ddc6ff469290eef2f1b692d8a815c89404d4749"
    assert keccak(text="SafeMessage(bytes message)") == safe_mod.SAFE_MSG_TYPEHASH


def test_nested_safe_approve_hash_is_described(guard: TxGuard) -> None:
    v = next(x for x in VECTORS if "nested" in x["id"])
    obj = {k: v[k] for k in ("safe", "to", "value", "data", "operation", "nonce")}
    [check] = guard.check_safe_json(json.dumps(obj), Options(chain_id=11155111, safe_version="1.3.0"))
    assert check.request.summary == (
        "Safe 0x6bc5…9251 (nonce 4) approves Safe transaction hash "
        "0xcb8bbe7bf8f8a1f3f57658e450d07d4422356ac042d96a87ba425b19e67a78a1 on Safe 0x657f…A0f1 (nested Safe signature)"
    )
    assert check.request.safes[0].hashes[0].safe_tx_hash.hex() == v["safe_tx_hash"][2:]


def _builder_batch(method_name: str, data: str | None) -> dict[str, Any]:
    return {
        "version": "1.0",
        "chainId": "1",
        "createdAt": 1732600000000,
        "meta": {"name": "Transactions Batch", "txBuilderVersion": "1.17.1",
                 "createdFromSafeAddress": BYBIT_SAFE, "createdFromOwnerAddress": "", "checksum": "0x00"},
        "transactions": [
            {"to": "0x255C3912f91eF11bFDadd405F13144a823Da8cc5", "value": "1000000000000000000", "data": None,
             "contractMethod": None, "contractInputsValues": None},
            {"to": "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48", "value": "0", "data": data,
             "contractMethod": {"inputs": [{"name": "to", "type": "address", "internalType": "address"},
                                           {"name": "value", "type": "uint256", "internalType": "uint256"}],
                                "name": method_name, "payable": False},
             "contractInputsValues": {"to": "0x255C3912f91eF11bFDadd405F13144a823Da8cc5", "value": "5000000"}},
        ],
    }  # fmt: skip


def test_transaction_builder_batch_file(guard: TxGuard) -> None:
    [check] = guard.check_safe_json(json.dumps(_builder_batch("transfer", None)))
    assert check.request.kind == "safe-batch" and check.request.chain_id == 1
    assert check.request.summary == (
        "Transaction Builder batch for Safe 0x1Db9…FCF4 runs 2 call(s): 1) sends 1 ETH to 0x255C…8cc5; "
        "2) sends 5 USDC (0xA0b8…eB48) to 0x255C…8cc5"
    )
    assert check.decision.action == "allow"


def test_batch_whose_data_runs_another_function_than_it_names(guard: TxGuard) -> None:
    """The file says transfer(to, value); the data it carries is approve(attacker, unlimited)."""
    approve = "0x095ea7b3" + "00" * 12 + "de" * 20 + "ff" * 32
    [check] = guard.check_safe_json(json.dumps(_builder_batch("transfer", approve)))
    mismatch = [f for f in check.findings if f.rule_id == "tx.selector-mismatch"]
    assert mismatch and "own decoding says transfer()" in mismatch[0].title
    assert {"tx.approval-unknown-spender", "tx.approval-unlimited"} <= {f.rule_id for f in check.findings}


def test_batch_value_of_the_wrong_type_is_bad_input(guard: TxGuard) -> None:
    batch = _builder_batch("transfer", None)
    batch["transactions"][1]["contractInputsValues"]["value"] = "lots"
    with pytest.raises(BadInput, match=r"contractInputsValues\.value"):
        guard.check_safe_json(json.dumps(batch))


def test_safe_api_decoding_that_disagrees_with_the_calldata(guard: TxGuard) -> None:
    v = VECTORS[0]  # V2: the calldata is addOwnerWithThreshold
    shown_as_transfer = _api_json(v, dataDecoded={"method": "transfer", "parameters": []})
    [check] = guard.check_safe_json(json.dumps(shown_as_transfer), Options(chain_id=42161, safe_version="1.3.0"))
    [hit] = [f for f in check.findings if f.rule_id == "tx.selector-mismatch"]
    assert "says transfer() but the calldata runs addOwnerWithThreshold(" in hit.title
    honest = _api_json(v, dataDecoded={"method": "addOwnerWithThreshold", "parameters": []})
    [fine] = guard.check_safe_json(json.dumps(honest), Options(chain_id=42161, safe_version="1.3.0"))
    assert not [f for f in fine.findings if f.rule_id == "tx.selector-mismatch"]


def test_api_json_without_chain_id_finds_its_chain_from_the_stated_hash(guard: TxGuard) -> None:
    [check] = guard.check_safe_json(json.dumps(_api_json(VECTORS[0])))  # V2, Arbitrum, no chainId in the JSON
    tx = check.request.safes[0]
    assert tx.chain_id == 42161
    assert "0x" + tx.hashes[-1].safe_tx_hash.hex() == VECTORS[0]["safe_tx_hash"]
    assert not [f for f in check.findings if f.rule_id == "tx.safe-hash-mismatch"]


def test_api_confirmation_made_on_chain_has_no_signature_bytes(guard: TxGuard) -> None:
    owner = "0x3333333333333333333333333333333333333333"
    obj = _api_json(VECTORS[2], confirmations=[{"owner": owner, "signature": None, "signatureType": "APPROVED_HASH"}])
    [check] = guard.check_safe_json(json.dumps(obj), Options(chain_id=11155111, safe_version="1.3.0"))
    tx = check.request.safes[0]
    [sig] = tx.signers[tx.hashes[0].label]
    assert (sig.kind, sig.owner) == ("approved-hash", owner)


def test_proposal_body_with_the_proposers_signature(guard: TxGuard) -> None:
    v = VECTORS[2]
    proposer = Account.from_key("0x" + "c3" * 32)
    sig = proposer.unsafe_sign_hash(bytes.fromhex(v["safe_tx_hash"][2:]))
    body = {**_api_json(v), "sender": proposer.address, "signature": "0x" + bytes(sig.signature).hex()}
    del body["confirmations"]
    [check] = guard.check_safe_json(json.dumps(body), Options(chain_id=11155111, safe_version="1.3.0"))
    tx = check.request.safes[0]
    assert tx.signers[tx.hashes[0].label][0].owner == proposer.address
