"""`heistguard tx check` and `heistguard tx safe-hash` end to end: real inputs, exit codes, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eth_abi import encode
from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from heistguard.cli import main
from tests.txguard.conftest import RECIPIENT, USDC, fixture_text, safe_vectors, sign

BYBIT = fixture_text("bybit_malicious_exec.rawtx.hex")


@pytest.fixture(autouse=True)
def _bundled_store(store_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every command reads a ready copy of the bundled intel instead of building a store each time."""
    from heistguard.intel.store import DB_ENV

    monkeypatch.setenv(DB_ENV, str(store_path))


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_bybit_raw_transaction_is_blocked_with_hash_and_owners(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "tx", "check", "--raw", BYBIT, "--safe-nonce", "71", "--safe-version", "1.1.1", "-f", "json"
    )
    assert code == 1
    [verdict] = [json.loads(line) for line in out.splitlines()]
    assert verdict["verdict"] == "block"
    rules = {f["rule_id"] for f in verdict["findings"]}
    assert {"tx.delegatecall-untrusted", "tx.decoded", "tx.policy-decision"} <= rules
    decoded = next(f for f in verdict["findings"] if f["rule_id"] == "tx.decoded")
    assert decoded["title"].startswith(
        "DELEGATECALL from Safe 0x1Db9…FCF4 (nonce 71) to an unverified contract 0x9622…7242"
    )
    lines = "\n".join(e["text"] for e in decoded["evidence"])
    assert "safeTxHash 0xb3476d061aeb8fc1d605a873c483a2402d88a68a9cdd1a8b47655dd55ba004f8" in lines
    assert "-> 0x1F4EB0a903619ac168b19A82F1a6e2e426522211" in lines
    assert "transaction hash 0x46deef0f52e3a983b67abf4714448a41dd7ffd6d32d32da69d62081c68ad7882" in lines


def test_table_output_leads_with_the_plain_sentence(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "tx", "check", "--raw", BYBIT)
    assert code == 1
    first = out.splitlines()[0]
    assert first.startswith(
        "DELEGATECALL from Safe 0x1Db9…FCF4 to an unverified contract 0x9622…7242, running transfer("
    )
    assert "this can replace the wallet's code" in first
    assert out.splitlines()[1].startswith("Decision: BLOCK")


def test_without_version_every_domain_variant_is_shown(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "tx", "check", "--raw", BYBIT, "--safe-nonce", "71", "-f", "json")
    text = out
    for label in ("Safe 0.1.0 (dataGas, no chainId)", "Safe 1.0.0-1.2.0 (no chainId in domain)", "Safe 1.3.0+"):
        assert label in text


def test_sarif_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "tx", "check", "--raw", BYBIT, "-f", "sarif")
    assert code == 1
    sarif = json.loads(out)
    assert any(r["ruleId"] == "tx.delegatecall-untrusted" for r in sarif["runs"][0]["results"])


def test_ordinary_eth_transfer_passes(capsys: pytest.CaptureFixture[str], signer: LocalAccount) -> None:
    code, out, _ = run(capsys, "tx", "check", "--raw", sign(signer, to=RECIPIENT, value=10**18))
    assert code == 0
    assert out.splitlines()[0] == f"{signer.address[:6]}…{signer.address[-4:]} sends 1 ETH to 0x255C…8cc5"


def test_erc20_transfer_to_allowlisted_address_passes_policy(
    capsys: pytest.CaptureFixture[str], signer: LocalAccount, tmp_path: Path
) -> None:
    profile = tmp_path / "heistguard.toml"
    profile.write_text(f'[txguard]\nallowlist = ["{RECIPIENT}"]\n')
    policy = tmp_path / "policy.toml"
    policy.write_text(
        '[[rule]]\nname = "allowlisted"\naction = "allow"\ndestination = "allowlist"\n\n'
        '[[rule]]\nname = "rest"\naction = "block"\n'
    )
    data = keccak(text="transfer(address,uint256)")[:4] + encode(["address", "uint256"], [RECIPIENT, 10**6])
    raw = sign(signer, to=USDC, data=data)
    code, out, _ = run(capsys, "--config", str(profile), "tx", "check", "--raw", raw, "--policy", str(policy))
    assert code == 0 and "Decision: ALLOW (allowlisted" in out
    other = keccak(text="transfer(address,uint256)")[:4] + encode(["address", "uint256"], [USDC, 1])
    code, out, _ = run(capsys, "--config", str(profile), "tx", "check", "--raw", sign(signer, to=USDC, data=other),
                       "--policy", str(policy))  # fmt: skip
    assert code == 1 and "Decision: BLOCK (rest" in out


def test_trusted_multisendcallonly_batch_passes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    v6 = next(v for v in safe_vectors() if v["id"].startswith("V6"))
    obj = {k: v6[k] for k in ("safe", "to", "value", "data", "operation", "nonce")}
    path = tmp_path / "v6.json"
    path.write_text(json.dumps({**obj, "safeTxHash": v6["safe_tx_hash"]}))
    code, out, _ = run(capsys, "tx", "check", "--safe-json", str(path), "--chain-id", "1", "--safe-version", "1.4.1")
    assert code == 0
    assert "runs a batch of 2 call(s) through Safe MultiSendCallOnly 1.4.1" in out.splitlines()[0]


def test_safe_hash_command(capsys: pytest.CaptureFixture[str]) -> None:
    v2 = safe_vectors()[0]
    code, out, _ = run(
        capsys, "tx", "safe-hash", "--safe", v2["safe"], "--to", v2["to"], "--data", v2["data"],
        "--nonce", "234", "--chain-id", "42161", "--safe-version", "1.3.0",
    )  # fmt: skip
    assert code == 0
    assert "Domain hash:  0x1CF7F9B1EFE3BC47FE02FD27C649FEA19E79D66040683A1C86C7490C80BF7291" in out
    assert "Message hash: 0xD9109EA63C50ECD3B80B6B27ED5C5A9FD3D546C2169DFB69BFA7BA24CD14C7A5" in out
    assert "0x0cb7250b8becd7069223c54e2839feaed4cee156363fbfe5dd0a48e75c4e25b3" in out
    code, out, _ = run(
        capsys, "tx", "safe-hash", "--safe", "0x657ff0D4eC65D82b2bC1247b0a558bcd2f80A0f1", "--chain-id", "11155111",
        "--message", "hello", "-f", "json",
    )  # fmt: skip
    assert code == 0 and json.loads(out)["variant"].startswith("SafeMessage")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--raw", "0xzz"], "not hexadecimal"),
        (["--raw", "0x123"], "odd number"),
        (["--raw", "0xf8ff00"], "malformed RLP"),
        (["--raw", "0x05c0"], "unsupported transaction type"),
        (["--safe-json", "/nonexistent/tx.json"], "cannot read Safe JSON"),
        (["--raw", "0x", "--message", "x"], "exactly one input"),
        (["--raw", BYBIT, "--safe-version", "one"], "malformed Safe version"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str], args: list[str], fragment: str) -> None:
    code, _, err = run(capsys, "tx", "check", *args)
    assert code == 2
    assert fragment in err and err.count("\n") == 1 and "Traceback" not in err


def test_lying_abi_offsets_in_exec_transaction_are_exit_2(
    capsys: pytest.CaptureFixture[str], signer: LocalAccount
) -> None:
    calldata = bytearray(bytes.fromhex(fixture_text("safe_multisendcallonly_exec.calldata.hex")[2:]))
    calldata[4 + 2 * 32 + 28 : 4 + 3 * 32] = (0xFFFFFF00).to_bytes(4, "big")  # the data offset points far away
    raw = sign(signer, to="0x5EA1d9A6dDC3A0329378a327746D71A2019eC332", data=bytes(calldata))
    code, _, err = run(capsys, "tx", "check", "--raw", raw)
    assert code == 2 and "Safe execTransaction does not decode" in err and err.count("\n") == 1


def test_cyclic_typed_data_file_is_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    obj = json.loads(fixture_text("eip712_mail.json"))
    obj["types"]["Person"].append({"name": "mail", "type": "Mail"})
    path = tmp_path / "cyclic.json"
    path.write_text(json.dumps(obj))
    code, _, err = run(capsys, "tx", "check", "--typed-data", str(path))
    assert code == 2 and "cyclic type" in err and "Person -> Mail -> Person" in err


def test_policy_error_names_file_and_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    policy = tmp_path / "p.toml"
    policy.write_text('[[rule]]\naction = "allow"\nwallet = "mine"\n')
    code, _, err = run(capsys, "tx", "check", "--raw", BYBIT, "--policy", str(policy))
    assert code == 2 and f"{policy}:3" in err


def test_a_bad_item_in_a_safe_json_list_is_reported_and_the_rest_checked(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    good = {"safe": "0x657ff0D4eC65D82b2bC1247b0a558bcd2f80A0f1", "to": RECIPIENT, "value": "1", "nonce": 4}
    bad = {**good, "to": "0x12"}
    path = tmp_path / "queue.json"
    path.write_text(json.dumps({"results": [good, bad]}))
    code, out, err = run(capsys, "tx", "check", "--safe-json", str(path), "--chain-id", "11155111", "-f", "json")
    assert code == 2
    verdicts = [json.loads(line) for line in out.splitlines()]
    assert [v["verdict"] for v in verdicts] == ["allow", "error"]
    assert f"{path}[1] to" in err and err.count("\n") == 1


def test_profile_with_a_bad_address_names_the_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    profile = tmp_path / "heistguard.toml"
    profile.write_text(
        '[txguard]\nallowlist = ["0x255C3912f91eF11bFDadd405F13144a823Da8cc5"]\nwallets = ["treasury"]\n'
    )
    code, _, err = run(capsys, "--config", str(profile), "tx", "check", "--raw", BYBIT)
    assert code == 2 and f"{profile}:3" in err and "not an EVM address" in err


def test_a_file_of_raw_transactions_is_a_batch(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, signer: LocalAccount
) -> None:
    path = tmp_path / "outbox.txt"
    path.write_text(f"# outgoing\n{sign(signer, to=RECIPIENT, value=1)}\n0xf8ff00\n{BYBIT}\n")
    code, out, err = run(capsys, "tx", "check", "--raw", f"@{path}", "-f", "json")
    assert code == 1
    assert [json.loads(line)["verdict"] for line in out.splitlines()] == ["allow", "error", "block"]
    assert f"{path}:3" in err and err.count("\n") == 1


def test_record_keeps_rolling_window_state_in_the_store(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, signer: LocalAccount, store_path: Path
) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text(
        '[[rule]]\nname = "daily limit"\naction = "allow"\nasset = ["ETH"]\n'
        'window = { hours = 24, amount_at_most = "1500000000000000000" }\n\n[[rule]]\nname = "over"\naction = "block"\n'
    )
    profile = tmp_path / "heistguard.toml"
    profile.write_text(f'[txguard]\npolicy = "{policy}"\n')
    first = sign(signer, to=RECIPIENT, value=10**18, nonce=1)
    second = sign(signer, to=RECIPIENT, value=10**18, nonce=2)
    assert run(capsys, "--config", str(profile), "tx", "check", "--raw", first)[0] == 0  # a dry check records nothing
    assert run(capsys, "--config", str(profile), "tx", "check", "--raw", first, "--record")[0] == 0
    code, out, _ = run(capsys, "--config", str(profile), "tx", "check", "--raw", second, "--record")
    assert code == 1 and "Decision: BLOCK (over" in out  # 2 ETH in 24 h is over the 1.5 ETH window
    import duckdb

    with duckdb.connect(str(store_path), read_only=True) as conn:
        assert conn.execute("SELECT count(*) FROM txguard_spend").fetchall() == [(1,)]


def test_safe_hash_from_safe_json_without_version_lists_every_variant(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    v7a = next(v for v in safe_vectors() if v["id"].startswith("V7a"))
    obj = {k: v7a[k] for k in ("safe", "to", "value", "data", "operation", "nonce")}
    obj |= {"safeTxGas": v7a["safe_tx_gas"], "baseGas": v7a["base_gas"], "gasPrice": v7a["gas_price"]}
    path = tmp_path / "old.json"
    path.write_text(json.dumps(obj))
    code, out, err = run(capsys, "tx", "safe-hash", "--safe-json", str(path), "-f", "json")
    assert code == 0 and "need --chain-id" in err
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["variant"] for r in rows] == [
        "Safe 0.1.0 (dataGas, no chainId)",
        "Safe 1.0.0-1.2.0 (no chainId in domain)",
    ]
    assert rows[0]["hash"] == v7a["safe_tx_hash"]
