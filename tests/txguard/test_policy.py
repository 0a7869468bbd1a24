"""The signing policy: parsing with line-numbered errors, first match wins, rolling windows in DuckDB."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from eth_abi import encode
from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from heistguard.config import TxguardConfig
from heistguard.errors import BadInput
from heistguard.intel import IntelStore
from heistguard.txguard import TxGuard
from heistguard.txguard.context import Context
from heistguard.txguard.policy import SpendLedger, default_policy, parse_policy
from tests.txguard.conftest import BYBIT_SAFE, RECIPIENT, USDC, fixture_text, sign

POLICY = """\
# treasury signing policy
[[rule]]
name = "small ETH to the allowlist"
action = "allow"
chain = [1]
destination = "allowlist"
asset = ["ETH"]
amount_at_most = "1000000000000000000"
window = { hours = 24, amount_at_most = "2000000000000000000" }

[[rule]]
name = "USDC payroll in office hours"
action = "require-approvals"
approvals = 2
asset = ["0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"]
destination = "address-book"
hours_utc = "08:00-18:00"
weekdays = ["mon", "tue", "wed", "thu", "fri"]

[[rule]]
name = "no delegatecall ever"
action = "block"
operation = ["delegatecall"]

[[rule]]
name = "everything else"
action = "block"
"""
MONDAY_NOON = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
SUNDAY_NOON = dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC)
PAYEE = "0x2222222222222222222222222222222222222223"


def transfer(to: str, amount: int) -> bytes:
    return keccak(text="transfer(address,uint256)")[:4] + encode(["address", "uint256"], [to, amount])


def policy_guard(now: dt.datetime = MONDAY_NOON, ledger: SpendLedger | None = None) -> TxGuard:
    config = TxguardConfig(allowlist=[RECIPIENT], address_book={"payee": PAYEE})
    return TxGuard(Context.build(config), parse_policy(POLICY, "policy.toml"), ledger, record=True, now=lambda: now)


def test_default_policy_blocks_critical_and_asks_for_approvals_on_high(guard: TxGuard, signer: LocalAccount) -> None:
    assert default_policy().rules[0].action == "block"
    assert guard.check_raw(fixture_text("bybit_malicious_exec.rawtx.hex")).decision.action == "block"
    approve = keccak(text="approve(address,uint256)")[:4] + encode(["address", "uint256"], [PAYEE, 5])
    high = guard.check_raw(sign(signer, to=USDC, data=approve))
    assert (high.decision.action, high.decision.approvals) == ("require-approvals", 2)
    assert high.verdict.verdict == "require-approvals 2"
    plain = guard.check_raw(sign(signer, to=RECIPIENT, value=10**18))
    assert plain.decision.action == "allow" and not plain.blocked


def test_first_match_wins_and_names_its_line(signer: LocalAccount) -> None:
    guard = policy_guard()
    ok = guard.check_raw(sign(signer, to=RECIPIENT, value=10**17))
    assert (ok.decision.action, ok.decision.where) == ("allow", "policy.toml:2")
    too_much = guard.check_raw(sign(signer, to=RECIPIENT, value=3 * 10**18))
    assert (too_much.decision.action, too_much.decision.rule) == ("block", "everything else")
    wrong_chain = guard.check_raw(sign(signer, to=RECIPIENT, value=1, chainId=10))
    assert wrong_chain.decision.action == "block"
    payroll = guard.check_raw(sign(signer, to=USDC, data=transfer(PAYEE, 10**6)))
    assert (payroll.decision.action, payroll.decision.approvals) == ("require-approvals", 2)
    stranger = guard.check_raw(sign(signer, to=USDC, data=transfer(BYBIT_SAFE, 10**6)))
    assert stranger.decision.action == "block"


def test_time_window_and_weekdays(signer: LocalAccount) -> None:
    weekend = policy_guard(SUNDAY_NOON).check_raw(sign(signer, to=USDC, data=transfer(PAYEE, 10**6)))
    assert weekend.decision.rule == "everything else"
    night = policy_guard(MONDAY_NOON.replace(hour=22)).check_raw(sign(signer, to=USDC, data=transfer(PAYEE, 10**6)))
    assert night.decision.action == "block"


def test_delegatecall_operation_rule() -> None:
    check = policy_guard().check_raw(fixture_text("bybit_malicious_exec.rawtx.hex"))
    assert check.decision.rule == "no delegatecall ever"


def test_rolling_window_state_lives_in_duckdb(store: IntelStore, signer: LocalAccount) -> None:
    ledger = SpendLedger(store.conn)
    guard = policy_guard(ledger=ledger)
    first = guard.check_raw(sign(signer, to=RECIPIENT, value=9 * 10**17, nonce=1))
    second = guard.check_raw(sign(signer, to=RECIPIENT, value=9 * 10**17, nonce=2))
    assert first.decision.action == second.decision.action == "allow"
    third = guard.check_raw(sign(signer, to=RECIPIENT, value=9 * 10**17, nonce=3))
    assert third.decision.action == "block"  # 2.7 ETH in 24 h is over the 2 ETH window
    rows = store.conn.execute("SELECT count(*), sum(amount) FROM txguard_spend").fetchall()
    assert rows == [(2, 18 * 10**17)]
    tomorrow = policy_guard(MONDAY_NOON + dt.timedelta(hours=25), ledger)
    assert tomorrow.check_raw(sign(signer, to=RECIPIENT, value=9 * 10**17, nonce=4)).decision.action == "allow"


@pytest.mark.parametrize(
    ("text", "where", "why"),
    [
        ('[[rule]]\naction = "allow"\ncolour = "red"\n', "p.toml:3", "colour"),
        ('[[rule]]\naction = "allow"\n\n[[rule]]\nname = "x"\naction = "maybe"\n', "p.toml:6", "maybe"),
        ('[[rule]]\naction = "allow"\nchain = "one"\n', "p.toml:3", "chain ids"),
        ('[[rule]]\naction = "allow"\nhours_utc = "9-5"\n', "p.toml:3", "HH:MM"),
        ('[[rule]]\naction = "block"\ndestination = ["0x12"]\n', "p.toml:3", "40 hex digits"),
        ('[[rule]\naction = "block"\n', "p.toml:1", "TOML"),
        ('[[rule]]\naction = "require-approvals"\napprovals = 0\n', "p.toml:3", "at least 1"),
        ("", "p.toml", "no [[rule]]"),
    ],
)
def test_policy_errors_name_the_line(text: str, where: str, why: str) -> None:
    with pytest.raises(BadInput) as caught:
        parse_policy(text, "p.toml")
    line = caught.value.one_line()
    assert where in line and why in line and "\n" not in line


def test_policy_file_on_disk(tmp_path: Path, signer: LocalAccount) -> None:
    from heistguard.txguard.policy import load_policy

    path = tmp_path / "policy.toml"
    path.write_text(POLICY)
    assert [r.line for r in load_policy(path).rules] == [2, 11, 20, 25]


def test_competing_proposal_seen_in_an_earlier_check(store: IntelStore) -> None:
    import json

    ledger = SpendLedger(store.conn)
    guard = TxGuard(Context.build(TxguardConfig(chain_id=11155111)), ledger=ledger, record=True)
    proposal = {"safe": "0x657ff0D4eC65D82b2bC1247b0a558bcd2f80A0f1", "to": RECIPIENT, "value": "1", "nonce": 9}
    [first] = guard.check_safe_json(json.dumps(proposal))
    [same] = guard.check_safe_json(json.dumps(proposal))
    assert not [f for f in first.findings + same.findings if f.rule_id == "tx.safe-nonce-conflict"]
    [rival] = guard.check_safe_json(json.dumps({**proposal, "value": "2"}))
    [hit] = [f for f in rival.findings if f.rule_id == "tx.safe-nonce-conflict"]
    assert "recorded before" in hit.title
    [other_nonce] = guard.check_safe_json(json.dumps({**proposal, "value": "2", "nonce": 10}))
    assert not [f for f in other_nonce.findings if f.rule_id == "tx.safe-nonce-conflict"]
