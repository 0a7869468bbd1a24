"""Property tests: mutated transactions, Safe JSON and typed data never crash the guard; bad input is one
clear line (BadInput, exit 2), never a traceback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from heistguard.errors import BadInput
from heistguard.txguard import TxGuard
from tests.txguard.conftest import fixture_text, make_guard

GUARD: TxGuard = make_guard(address_book={"treasury": "0x1234567890AbcdEF1234567890aBcdef12345678"})
BYBIT = bytes.fromhex(fixture_text("bybit_malicious_exec.rawtx.hex")[2:])
# A signed EIP-1559 transaction carrying a Safe execTransaction with a MultiSend batch (vector V6 calldata).
V6_CALLDATA = bytes.fromhex(fixture_text("safe_multisendcallonly_exec.calldata.hex")[2:])
MAIL = json.loads(fixture_text("eip712_mail.json"))
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check_raw(raw: bytes) -> None:
    try:
        GUARD.check_raw("0x" + raw.hex())
    except BadInput as exc:
        line = exc.one_line()
        assert line and "\n" not in line


@st.composite
def mutated(draw: st.DrawFn, base: bytes) -> bytes:
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 4))):
        choice = draw(st.integers(0, 2))
        pos = draw(st.integers(0, len(data) - 1)) if data else 0
        if choice == 0 and data:
            data[pos] = draw(st.integers(0, 255))
        elif choice == 1:
            data[pos:pos] = draw(st.binary(min_size=1, max_size=8))
        elif data:
            del data[pos : pos + draw(st.integers(1, 40))]
    return bytes(data)


@SETTINGS
@given(mutated(BYBIT))
def test_mutated_bybit_raw_transaction(raw: bytes) -> None:
    _check_raw(raw)


@SETTINGS
@given(st.binary(max_size=200))
def test_random_bytes_as_raw_transaction(raw: bytes) -> None:
    _check_raw(raw)


@SETTINGS
@given(mutated(V6_CALLDATA))
def test_mutated_safe_calldata_inside_a_transaction(calldata: bytes) -> None:
    import rlp

    safe = bytes.fromhex("5EA1d9A6dDC3A0329378a327746D71A2019eC332")
    fields = [b"\x01", b"\x05", b"\x01", b"\x02", b"\x01\x00\x00", safe, b"", calldata, []]
    _check_raw(b"\x02" + rlp.encode(fields))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**260), 2**260) | st.text(max_size=20) | st.just("0x" + "ab" * 20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)


SAFE_KEYS = ["safe", "to", "value", "data", "operation", "nonce", "safeTxGas", "gasToken", "signatures", "safeTxHash"]


@SETTINGS
@given(st.sampled_from(["types", "primaryType", "domain", "message"]), st.text(max_size=12), JSON_VALUES)
def test_mutated_typed_data(section: str, key: str, value: Any) -> None:
    obj = json.loads(json.dumps(MAIL))
    target = obj[section]
    if isinstance(target, dict):
        target[key or "x"] = value
    else:
        obj[section] = value
    try:
        GUARD.check_typed_data(json.dumps(obj))
    except BadInput as exc:
        assert "\n" not in exc.one_line()


@SETTINGS
@given(st.dictionaries(st.sampled_from(SAFE_KEYS), JSON_VALUES, max_size=8))
def test_mutated_safe_json(obj: dict[str, Any]) -> None:
    base = {"safe": "0x657ff0D4eC65D82b2bC1247b0a558bcd2f80A0f1", "to": "0x255C3912f91eF11bFDadd405F13144a823Da8cc5"}
    try:
        GUARD.check_safe_json(json.dumps({**base, **obj}))
    except BadInput as exc:
        assert "\n" not in exc.one_line()


@SETTINGS
@given(st.text(max_size=300))
def test_arbitrary_text_as_typed_data_file(text: str) -> None:
    try:
        GUARD.check_typed_data(text)
    except BadInput as exc:
        assert "\n" not in exc.one_line()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(BYBIT[:200]) | st.text(alphabet="0123456789abcdefxyz ", max_size=80).map(lambda t: "0x" + t))
def test_cli_on_mutated_raw_input_exits_0_1_or_2_with_one_line(_bundled_store_file: Path, raw: bytes | str) -> None:
    import contextlib
    import io
    import os

    from heistguard.cli import main

    text = raw if isinstance(raw, str) else "0x" + raw.hex()
    err = io.StringIO()
    old = os.environ.get("HEISTGUARD_DB")
    os.environ["HEISTGUARD_DB"] = str(_bundled_store_file)
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(["tx", "check", "--raw", text, "-f", "json"])
    finally:
        if old is not None:
            os.environ["HEISTGUARD_DB"] = old
    assert code in (0, 1, 2)
    if code == 2:
        assert err.getvalue().count("\n") == 1 and "Traceback" not in err.getvalue()


@SETTINGS
@given(st.binary(max_size=6), st.lists(st.binary(max_size=200), max_size=6))
def test_random_universal_router_commands(commands: bytes, inputs: list[bytes]) -> None:
    import rlp
    from eth_abi import encode

    data = bytes.fromhex("3593564c") + encode(["bytes", "bytes[]", "uint256"], [commands, inputs, 1])
    router = bytes.fromhex("3fC91A3afd70395Cd496C647d5a6CC9D4B2b7FAD")
    fields = [b"\x01", b"\x05", b"\x01", b"\x02", b"\x01\x00\x00", router, b"", data, []]
    _check_raw(b"\x02" + rlp.encode(fields))
