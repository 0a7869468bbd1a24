"""Shared txguard test helpers: fixture files, a signing key, guards with and without the intel store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount

from heistguard.config import TxguardConfig
from heistguard.intel import IntelStore
from heistguard.txguard import TxGuard
from heistguard.txguard.context import Context, IntelScreen

FIXTURES = Path(__file__).parent.parent / "fixtures" / "txguard"
BYBIT_SAFE = "0x1Db92e2EeBC8E0c075a02BeA49a2935BcD2dFCF4"
BYBIT_TX_HASH = "46deef0f52e3a983b67abf4714448a41dd7ffd6d32d32da69d62081c68ad7882"
RECIPIENT = "0x255C3912f91eF11bFDadd405F13144a823Da8cc5"
USDC = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text("utf-8").strip()


def safe_vectors() -> list[dict[str, Any]]:
    data = json.loads((FIXTURES / "safe_hash_vectors.json").read_text("utf-8"))
    vectors: list[dict[str, Any]] = data["vectors"]
    for vector in vectors:
        if vector["data"].startswith("from "):
            calldata = bytes.fromhex(fixture_text("safe_multisendcallonly_exec.calldata.hex")[2:])
            from heistguard.txguard.calldata import decode_args
            from heistguard.txguard.safe import EXEC_TYPES

            inner = decode_args(EXEC_TYPES, calldata[4:], "fixture")[2]
            assert isinstance(inner, bytes)
            vector["data"] = "0x" + inner.hex()
    return vectors


@pytest.fixture(scope="session")
def signer() -> LocalAccount:
    key: LocalAccount = Account.from_key("0x" + "4c" * 32)
    return key


def make_guard(**config: Any) -> TxGuard:
    return TxGuard(Context.build(TxguardConfig(**config)))


@pytest.fixture
def guard() -> TxGuard:
    return make_guard()


@pytest.fixture
def intel_guard(store: IntelStore) -> Iterator[TxGuard]:
    yield TxGuard(Context.build(TxguardConfig(), IntelScreen(store)))


def sign(account: LocalAccount, **tx: Any) -> str:
    """A raw signed EIP-1559 mainnet transaction with sensible defaults."""
    fields: dict[str, Any] = {
        "nonce": 1,
        "gas": 100_000,
        "maxFeePerGas": 30 * 10**9,
        "maxPriorityFeePerGas": 10**9,
        "chainId": 1,
        "value": 0,
        "data": b"",
    }
    fields.update(tx)
    return "0x" + bytes(account.sign_transaction(fields).raw_transaction).hex()
