"""Every txguard rule both ways: it fires on the bad input and stays silent on the good one."""

from __future__ import annotations

import json
from typing import Any

from eth_abi import encode
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from heistguard.catalog import all_rules
from heistguard.findings import Finding, Severity
from heistguard.txguard import TxGuard
from heistguard.txguard.catalog import RULES
from heistguard.txguard.decode import Options
from heistguard.txguard.selectors import split_types
from tests.txguard.conftest import BYBIT_SAFE, RECIPIENT, USDC, fixture_text, make_guard, safe_vectors, sign

VECTORS = {v["id"][:3]: v for v in safe_vectors()}
UNIVERSAL_ROUTER = "0x3fC91A3afd70395Cd496C647d5a6CC9D4B2b7FAD"
STRANGER = "0x1111111111111111111111111111111111111112"


def call(signature: str, *args: Any) -> bytes:
    return keccak(text=signature)[:4] + encode(list(split_types(signature)), list(args))


def found(findings: list[Finding], rule_id: str) -> list[Finding]:
    return [f for f in findings if f.rule_id == rule_id]


def raw_findings(guard: TxGuard, account: LocalAccount, **tx: Any) -> list[Finding]:
    return guard.check_raw(sign(account, **tx)).findings


def safe_findings(guard: TxGuard, vector: dict[str, Any], **changes: Any) -> list[Finding]:
    v = {**vector, **changes}
    obj = {
        "safe": v["safe"], "to": v["to"], "value": v["value"], "data": v["data"], "operation": v["operation"],
        "safeTxGas": v["safe_tx_gas"], "baseGas": v["base_gas"], "gasPrice": v["gas_price"],
        "gasToken": v["gas_token"], "refundReceiver": v["refund_receiver"], "nonce": v["nonce"],
    }  # fmt: skip
    [check] = guard.check_safe_json(json.dumps(obj), Options(chain_id=v["chain_id"] or 1, safe_version=v["version"]))
    return check.findings


def test_every_rule_is_in_the_catalogue_with_a_rationale() -> None:
    catalogue = all_rules()
    for rule in RULES:
        assert catalogue[rule.id] is rule
        assert rule.id.startswith("tx.") and len(rule.rationale) > 40


def test_delegatecall_untrusted(guard: TxGuard) -> None:
    bybit = guard.check_raw(fixture_text("bybit_malicious_exec.rawtx.hex"))
    [hit] = found(bybit.findings, "tx.delegatecall-untrusted")
    assert hit.severity is Severity.CRITICAL and "0x9622…7242" in hit.title
    multisend = safe_findings(guard, VECTORS["V6 "])
    assert not found(multisend, "tx.delegatecall-untrusted")
    trusted = make_guard(trusted_delegatecall=["0x96221423681A6d52E184D440a8eFCEbB105C7242"])
    assert not found(
        trusted.check_raw(fixture_text("bybit_malicious_exec.rawtx.hex")).findings, "tx.delegatecall-untrusted"
    )


def test_change_of_control(guard: TxGuard, signer: LocalAccount) -> None:
    [owners] = found(safe_findings(guard, VECTORS["V2 "]), "tx.change-of-control")
    assert (
        owners.severity is Severity.HIGH and "addOwnerWithThreshold" in owners.title and "wallet itself" in owners.title
    )
    upgrade = raw_findings(guard, signer, to=BYBIT_SAFE, data=call("upgradeTo(address)", STRANGER))
    assert found(upgrade, "tx.change-of-control")[0].severity is Severity.CRITICAL
    master = raw_findings(guard, signer, to=BYBIT_SAFE, data=call("changeMasterCopy(address)", STRANGER))
    assert found(master, "tx.change-of-control")[0].severity is Severity.CRITICAL
    role = raw_findings(guard, signer, to=USDC, data=call("grantRole(bytes32,address)", b"\x00" * 32, STRANGER))
    assert found(role, "tx.change-of-control")
    assert not found(safe_findings(guard, VECTORS["V4 "]), "tx.change-of-control")


def test_approval_unknown_spender(guard: TxGuard, signer: LocalAccount) -> None:
    bad = raw_findings(guard, signer, to=USDC, data=call("approve(address,uint256)", STRANGER, 100))
    assert found(bad, "tx.approval-unknown-spender")
    good = raw_findings(guard, signer, to=USDC, data=call("approve(address,uint256)", UNIVERSAL_ROUTER, 100))
    assert not found(good, "tx.approval-unknown-spender")
    trusted = make_guard(trusted_spenders=[STRANGER])
    assert not found(
        raw_findings(trusted, signer, to=USDC, data=call("approve(address,uint256)", STRANGER, 100)),
        "tx.approval-unknown-spender",
    )


def test_safe_allowance_module_allowance_is_an_approval(guard: TxGuard, signer: LocalAccount) -> None:
    module = "0xCFbFaC74C26F8647cBDb8c5caf80BB5b32E43134"  # Safe AllowanceModule (vector V6's target)
    data = call("setAllowance(address,address,uint96,uint16,uint32)", STRANGER, USDC, 10**12, 0, 0)
    findings = raw_findings(guard, signer, to=module, data=data)
    assert found(findings, "tx.approval-unknown-spender")


def test_approval_unlimited(guard: TxGuard, signer: LocalAccount) -> None:
    bad = raw_findings(guard, signer, to=USDC, data=call("approve(address,uint256)", UNIVERSAL_ROUTER, 2**256 - 1))
    assert found(bad, "tx.approval-unlimited")
    good = raw_findings(guard, signer, to=USDC, data=call("approve(address,uint256)", UNIVERSAL_ROUTER, 10**9))
    assert not found(good, "tx.approval-unlimited")


def test_approval_for_all(guard: TxGuard, signer: LocalAccount) -> None:
    nft = "0xBC4CA0EdA7647A8aB7C2061c2E118A18a936f13D"
    bad = raw_findings(guard, signer, to=nft, data=call("setApprovalForAll(address,bool)", STRANGER, True))
    assert found(bad, "tx.approval-for-all")[0].severity is Severity.HIGH
    revoke = raw_findings(guard, signer, to=nft, data=call("setApprovalForAll(address,bool)", STRANGER, False))
    assert not found(revoke, "tx.approval-for-all")


def test_safe_gas_refund_and_gas_price(guard: TxGuard) -> None:
    tampered = safe_findings(guard, VECTORS["V3 "])  # V3: all three conditions of the published negative
    assert found(tampered, "tx.safe-gas-refund")[0].severity is Severity.HIGH
    assert found(tampered, "tx.safe-gas-price")
    assert found(tampered, "tx.delegatecall-untrusted")
    latent = safe_findings(guard, VECTORS["V7e"])  # gas token + refund receiver, gasPrice 0
    assert found(latent, "tx.safe-gas-refund")[0].severity is Severity.MEDIUM
    assert not found(latent, "tx.safe-gas-price")
    plain = safe_findings(guard, VECTORS["V2 "])
    assert not found(plain, "tx.safe-gas-refund") and not found(plain, "tx.safe-gas-price")


def test_selector_mismatch(guard: TxGuard, signer: LocalAccount) -> None:
    bybit = guard.check_raw(fixture_text("bybit_malicious_exec.rawtx.hex")).findings
    assert "DELEGATECALL" in found(bybit, "tx.selector-mismatch")[0].title
    paid = raw_findings(guard, signer, to=USDC, value=1, data=call("approve(address,uint256)", UNIVERSAL_ROUTER, 1))
    assert found(paid, "tx.selector-mismatch")
    short_data = raw_findings(guard, signer, to=USDC, data=call("transfer(address,uint256)", RECIPIENT, 1)[:20])
    assert "does not decode" in found(short_data, "tx.selector-mismatch")[0].title
    fine = raw_findings(guard, signer, to=USDC, data=call("transfer(address,uint256)", RECIPIENT, 1))
    assert not found(fine, "tx.selector-mismatch")


def test_send_to_token_contract(guard: TxGuard, signer: LocalAccount) -> None:
    assert found(
        raw_findings(guard, signer, to=USDC, data=call("transfer(address,uint256)", USDC, 5)),
        "tx.send-to-token-contract",
    )
    assert not found(
        raw_findings(guard, signer, to=USDC, data=call("transfer(address,uint256)", RECIPIENT, 5)),
        "tx.send-to-token-contract",
    )


def test_address_poisoning(signer: LocalAccount) -> None:
    guard = make_guard(address_book={"treasury": "0x1234567890AbcdEF1234567890aBcdef12345678"})
    lookalike = "0x1234a00000000000000000000000000000045678"
    bad = raw_findings(guard, signer, to=USDC, data=call("transfer(address,uint256)", lookalike, 5))
    [hit] = found(bad, "tx.address-poisoning")
    assert hit.severity is Severity.CRITICAL and "treasury" in hit.title
    real = "0x1234567890AbcdEF1234567890aBcdef12345678"
    assert not found(
        raw_findings(guard, signer, to=USDC, data=call("transfer(address,uint256)", real, 5)), "tx.address-poisoning"
    )
    other = raw_findings(guard, signer, to=RECIPIENT, value=10**18)
    assert not found(other, "tx.address-poisoning")


def test_set_code_delegation(guard: TxGuard, signer: LocalAccount) -> None:
    auth = signer.sign_authorization({"chainId": 0, "address": STRANGER, "nonce": 2})
    raw = sign(signer, to=signer.address, authorizationList=[auth], type=4)
    [hit] = found(guard.check_raw(raw).findings, "tx.set-code-delegation")
    assert hit.severity is Severity.CRITICAL and "every chain" in hit.title
    assert not found(raw_findings(guard, signer, to=RECIPIENT, value=1), "tx.set-code-delegation")


def test_unknown_function(guard: TxGuard, signer: LocalAccount) -> None:
    assert found(raw_findings(guard, signer, to=USDC, data=b"\xde\xad\xbe\xef" + bytes(32)), "tx.unknown-function")
    assert not found(
        raw_findings(guard, signer, to=USDC, data=call("transfer(address,uint256)", RECIPIENT, 1)),
        "tx.unknown-function",
    )


def test_user_abi_decodes_an_unknown_function(tmp_path: Any, signer: LocalAccount) -> None:
    abi = [{"type": "function", "name": "removeDelegate", "inputs": [
        {"name": "delegate", "type": "address"}, {"name": "removeAllowances", "type": "bool"}]}]  # fmt: skip
    path = tmp_path / "allowance.json"
    path.write_text(json.dumps({"abi": abi}))
    guard = make_guard(abi_files=[path])
    data = call("removeDelegate(address,bool)", STRANGER, True)
    check = guard.check_raw(sign(signer, to=USDC, data=data))
    assert not found(check.findings, "tx.unknown-function")
    assert "removeDelegate" in check.request.summary


def test_contract_creation_and_replayable_signature(guard: TxGuard, signer: LocalAccount) -> None:
    created = guard.check_raw(sign(signer, data=b"\x60\x00\x60\x00"))  # no "to": a deployment
    assert found(created.findings, "tx.contract-creation")
    legacy = "0x" + bytes(signer.sign_transaction(
        {"nonce": 0, "gas": 21000, "gasPrice": 10**9, "to": RECIPIENT, "value": 1}).raw_transaction).hex()  # fmt: skip
    assert found(guard.check_raw(legacy).findings, "tx.replayable-signature")
    protected = raw_findings(guard, signer, to=RECIPIENT, value=1)
    assert not found(protected, "tx.replayable-signature") and not found(protected, "tx.contract-creation")


def test_safe_nonce_conflict(guard: TxGuard) -> None:
    v = VECTORS["V4 "]
    base = {"safe": v["safe"], "to": v["to"], "value": v["value"], "nonce": 4, "operation": 0}
    twins = json.dumps([base, {**base, "to": STRANGER}])
    checks = guard.check_safe_json(twins, Options(chain_id=11155111, safe_version="1.3.0"))
    assert all(found(c.findings, "tx.safe-nonce-conflict") for c in checks)
    same = guard.check_safe_json(json.dumps([base, base]), Options(chain_id=11155111, safe_version="1.3.0"))
    assert not any(found(c.findings, "tx.safe-nonce-conflict") for c in same)


def test_intel_lookup_of_recipients(intel_guard: TxGuard, signer: LocalAccount) -> None:
    ronin_exploiter = "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"  # OFAC SDN, Lazarus Group (2022-04-14)
    sanctioned = intel_guard.check_raw(
        sign(signer, to=USDC, data=call("transfer(address,uint256)", ronin_exploiter, 5))
    )
    assert found(sanctioned.findings, "intel.sanctioned")
    assert sanctioned.blocked
    clean = intel_guard.check_raw(sign(signer, to=RECIPIENT, value=10**18))
    assert not [f for f in clean.findings if f.rule_id.startswith("intel.")]
    assert clean.decision.action == "allow"


def test_eoa_signer_is_not_a_poisoning_target() -> None:
    # A transfer to an address-book entry itself is fine even when others look alike.
    guard = make_guard(address_book={"a": "0x1234567890AbcdEF1234567890aBcdef12345678"})
    account = Account.from_key("0x" + "77" * 32)
    check = guard.check_raw(sign(account, to="0x1234567890AbcdEF1234567890aBcdef12345678", value=1))
    assert not found(check.findings, "tx.address-poisoning")


def test_multicall_items_are_checked_like_direct_calls(guard: TxGuard, signer: LocalAccount) -> None:
    inner = [call("transferOwnership(address)", STRANGER), call("approve(address,uint256)", STRANGER, 2**256 - 1)]
    data = keccak(text="multicall(bytes[])")[:4] + encode(["bytes[]"], [inner])
    check = guard.check_raw(sign(signer, to=USDC, data=data))
    paths = [c.path for c in check.request.calls]
    assert paths == ["tx", "tx>multicall[0]", "tx>multicall[1]"]
    assert "calls multicall on 0xA0b8…eB48, which runs 2 call(s): 1) calls transferOwnership(" in check.request.summary
    assert {"tx.change-of-control", "tx.approval-unknown-spender"} <= {f.rule_id for f in check.findings}
    multicall3 = "0xcA11bde05977b3631167028862bE2a173976CA11"
    entries = [(USDC, False, call("transfer(address,uint256)", RECIPIENT, 1))]
    data3 = keccak(text="aggregate3((address,bool,bytes)[])")[:4] + encode(["(address,bool,bytes)[]"], [entries])
    check3 = guard.check_raw(sign(signer, to=multicall3, data=data3))
    item = check3.request.calls[1]
    assert (item.path, item.sender, item.to) == ("tx>aggregate[0]", multicall3, USDC)


def test_swap_recipient_other(guard: TxGuard, signer: LocalAccount) -> None:
    router = "0x7a250d5630B4cF539739dF2C5dAcb4c659F2488D"  # Uniswap V2 Router02
    weth = "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2"
    sig = "swapExactTokensForTokens(uint256,uint256,address[],address,uint256)"
    theft = raw_findings(guard, signer, to=router, data=call(sig, 10**6, 1, [USDC, weth], STRANGER, 1_900_000_000))
    assert "pays its proceeds to 0x1111…1112" in found(theft, "tx.swap-recipient-other")[0].title
    own = raw_findings(guard, signer, to=router, data=call(sig, 10**6, 1, [USDC, weth], signer.address, 1_900_000_000))
    assert not found(own, "tx.swap-recipient-other")
    v3 = "exactInputSingle((address,address,uint24,address,uint256,uint256,uint160))"
    params = (USDC, weth, 500, STRANGER, 10**6, 1, 0)
    assert found(raw_findings(guard, signer, to=router, data=call(v3, params)), "tx.swap-recipient-other")
    marker = (USDC, weth, 500, "0x0000000000000000000000000000000000000002", 10**6, 1, 0)
    assert not found(raw_findings(guard, signer, to=router, data=call(v3, marker)), "tx.swap-recipient-other")


def test_ordinary_transactions_raise_nothing_but_the_decoding(guard: TxGuard, signer: LocalAccount) -> None:
    quiet = {"tx.decoded", "tx.policy-decision"}
    eth = raw_findings(guard, signer, to=RECIPIENT, value=10**18)
    erc20 = raw_findings(guard, signer, to=USDC, data=call("transfer(address,uint256)", RECIPIENT, 10**6))
    router = raw_findings(guard, signer, to=USDC, data=call("approve(address,uint256)", UNIVERSAL_ROUTER, 10**6))
    safe_eth = safe_findings(guard, VECTORS["V4 "])
    for findings in (eth, erc20, router, safe_eth):
        assert {f.rule_id for f in findings} == quiet


def test_universal_router_commands(guard: TxGuard, signer: LocalAccount) -> None:
    permit = encode(
        ["((address,uint160,uint48,uint48),address,uint256)", "bytes"],
        [((USDC, 2**160 - 1, 1_900_000_000, 0), STRANGER, 1_900_000_000), b"\x01" * 65],
    )
    swap_to_stranger = encode(
        ["address", "uint256", "uint256", "bytes", "bool"], [STRANGER, 10**6, 1, b"\x00" * 43, True]
    )
    swap_to_self = encode(["address", "uint256", "uint256", "bytes", "bool"], [
        "0x0000000000000000000000000000000000000001", 10**6, 1, b"\x00" * 43, True])  # fmt: skip
    pay = encode(["address", "address", "uint256"], [USDC, RECIPIENT, 5])
    data = call("execute(bytes,bytes[],uint256)", bytes([0x0A, 0x00, 0x00, 0x05]),
                [permit, swap_to_stranger, swap_to_self, pay], 1_900_000_000)  # fmt: skip
    check = guard.check_raw(sign(signer, to=UNIVERSAL_ROUTER, data=data))
    kinds = [(e.kind.value, e.party) for e in check.request.effects]
    assert kinds == [("approve", STRANGER), ("swap", STRANGER), ("swap", signer.address), ("transfer", RECIPIENT)]
    ids = [f.rule_id for f in check.findings]
    assert ids.count("tx.swap-recipient-other") == 1
    assert {"tx.approval-unknown-spender", "tx.approval-unlimited"} <= set(ids)
