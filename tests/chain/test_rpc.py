"""JSON-RPC ingest against a real local Ethereum node (anvil from the npm registry, installed by the Makefile),
with transactions the test sends: native, internal (from `trace_block`) and token transfers; resume, reorg,
a node without tracing, and malformed answers."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from heistguard.chain.decoys import DecoyJudge
from heistguard.chain.engine import duckdb_engine
from heistguard.chain.rpc import TRANSFER_TOPIC, JsonRpc, RpcError, ingest_evm_rpc
from heistguard.cli import main
from heistguard.intel.store import IntelStore
from tests.chain.conftest import BTC, json_lines

ANVIL = Path(__file__).resolve().parents[2] / ".tools" / "node_modules" / ".bin" / "anvil"
ETH = 10**18


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def anvil_url() -> Iterator[str]:
    binary = str(ANVIL) if ANVIL.exists() else shutil.which("anvil")
    assert binary, "anvil is missing: run `make install` (it installs @foundry-rs/anvil from npm)"
    port = _free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--silent", "--steps-tracing"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                JsonRpc(url, timeout=1).call("eth_chainId", [])
                break
            except RpcError:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def _word(value: int | str) -> str:
    return (value[2:] if isinstance(value, str) else f"{value:x}").rjust(64, "0")


# Runtime: emit Transfer(caller, calldata[0:32], calldata[32:64]), then forward msg.value to calldata[0:32].
_RUNTIME = (
    "602035600052"  # mstore(0, calldataload(32))
    "600035" "33" "7f" + TRANSFER_TOPIC[2:] + "6020" "6000" "a3"  # log3(0, 32, Transfer, caller, to)
    "6000600060006000" "34" "600035" "5a" "f1" "00"  # call(gas, to, callvalue, 0, 0, 0, 0); stop
)  # fmt: skip


def _initcode(runtime: str) -> str:
    size = len(runtime) // 2
    return f"0x60{size:02x}80600b6000396000f3{runtime}"


class Node:
    def __init__(self, url: str) -> None:
        self.rpc = JsonRpc(url)
        self.accounts = self.rpc.call("eth_accounts", [])

    def send(self, **tx: Any) -> dict[str, Any]:
        tx.setdefault("from", self.accounts[0])
        tx_hash = self.rpc.call("eth_sendTransaction", [tx])
        for _ in range(200):  # anvil mines at once, but the receipt can lag a moment on a busy machine
            receipt: dict[str, Any] | None = self.rpc.call("eth_getTransactionReceipt", [tx_hash])
            if receipt is not None:
                return receipt
            time.sleep(0.025)
        raise AssertionError(f"no receipt for {tx_hash}")

    def head(self) -> int:
        return int(self.rpc.call("eth_blockNumber", []), 16)


def _rows(store: IntelStore) -> list[tuple[Any, ...]]:
    return store.conn.execute(
        "SELECT kind, from_address, to_address, asset, amount_text FROM chain.transfers "
        "ORDER BY block, origin, position"
    ).fetchall()


def test_ingest_from_a_real_node_with_native_internal_and_token_transfers(store: IntelStore, anvil_url: str) -> None:
    node = Node(anvil_url)
    start = node.head() + 1
    alice, bob = "0x" + "a1" * 20, "0x" + "b2" * 20
    node.send(to=alice, value=hex(ETH))
    contract = node.send(data=_initcode(_RUNTIME))["contractAddress"].lower()
    node.send(to=contract, value=hex(ETH // 2), data="0x" + _word(bob) + _word(1234))
    sender = node.accounts[0].lower()
    _, used = ingest_evm_rpc(store, node.rpc, start=start)
    assert used == "trace_block"
    assert _rows(store) == [
        ("native", sender, alice, "ETH", str(ETH)),
        ("token", sender, bob, contract, "1234"),
        ("internal", contract, bob, "ETH", str(ETH // 2)),
        ("native", sender, contract, "ETH", str(ETH // 2)),
    ]
    # Run again: nothing new, nothing doubled; then one more block arrives and only it is added.
    ingest_evm_rpc(store, node.rpc)
    assert len(_rows(store)) == 4
    node.send(to=alice, value=hex(3))
    again, _ = ingest_evm_rpc(store, node.rpc)
    assert again.blocks == 1 and len(_rows(store)) == 5


def test_a_reorg_on_the_node_replaces_what_was_ingested(store: IntelStore, anvil_url: str) -> None:
    node = Node(anvil_url)
    carol, dave = "0x" + "c3" * 20, "0x" + "d4" * 20
    start = node.head() + 1
    snapshot = node.rpc.call("evm_snapshot", [])
    node.send(to=carol, value=hex(7))
    ingest_evm_rpc(store, node.rpc, start=start)
    assert [r[2] for r in _rows(store)] == [carol]
    node.rpc.call("evm_revert", [snapshot])  # the block that paid carol is gone from the chain
    node.send(to=dave, value=hex(8))
    result, _ = ingest_evm_rpc(store, node.rpc)
    assert result.reorged_blocks == [start]
    assert [r[2] for r in _rows(store)] == [dave]


def _fake_usdt_runtime() -> str:
    """A token that answers symbol() "USDT" and decimals() 6 like the real one, and otherwise behaves as _RUNTIME."""
    symbol = b"USDT".ljust(32, b"\0").hex()
    dispatch_len = 6 + 10 + 10
    to_symbol = dispatch_len + len(_RUNTIME) // 2
    to_decimals = to_symbol + 52
    dispatch = (
        "600035" "60e0" "1c"  # selector = calldataload(0) >> 224
        f"80" "6395d89b41" "14" f"60{to_symbol:02x}" "57"  # symbol() -> jump
        f"80" "63313ce567" "14" f"60{to_decimals:02x}" "57"  # decimals() -> jump
    )  # fmt: skip
    returns_symbol = "5b" "6020600052" "6004602052" "7f" + symbol + "604052" "60606000f3"  # fmt: skip
    returns_decimals = "5b" "6006600052" "60206000f3"  # fmt: skip
    return dispatch + _RUNTIME + returns_symbol + returns_decimals


def test_token_symbols_come_from_the_node_and_a_fake_usdt_is_recognised(store: IntelStore, anvil_url: str) -> None:
    node = Node(anvil_url)
    start = node.head() + 1
    fake = node.send(data=_initcode(_fake_usdt_runtime()))["contractAddress"].lower()
    node.send(to=fake, data="0x" + _word("0x" + "f6" * 20) + _word(0))
    ingest_evm_rpc(store, node.rpc, start=start)
    tokens = store.conn.execute("SELECT address, symbol, decimals FROM chain.tokens").fetchall()
    assert tokens == [(fake, "USDT", 6)]
    judge = DecoyJudge.from_tokens(duckdb_engine(store).tokens())
    assert judge.fake_token("ethereum", fake) == "0xdac17f958d2ee523a2206206994597c13d831ec7"
    decimals = store.conn.execute("SELECT DISTINCT decimals FROM chain.transfers WHERE asset = ?", [fake]).fetchall()
    assert decimals == [(6,)]


class _Proxy(BaseHTTPRequestHandler):
    """A node that forwards to anvil but answers some methods its own (broken) way."""

    upstream = ""
    override: ClassVar[dict[str, bytes]] = {}

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        method = json.loads(body)["method"]
        if method in self.override:
            answer = self.override[method]
        else:
            request = urllib.request.Request(self.upstream, body, {"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=10) as response:
                answer = response.read()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def proxy(anvil_url: str) -> Iterator[tuple[str, dict[str, bytes]]]:
    override: dict[str, bytes] = {}
    handler = type("Proxy", (_Proxy,), {"upstream": anvil_url, "override": override})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", override
    server.shutdown()


def test_a_node_without_tracing_still_ingests_and_says_so(
    store: IntelStore, anvil_url: str, proxy: tuple[str, dict[str, bytes]]
) -> None:
    url, override = proxy
    missing = b'{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"the method does not exist"}}'
    override.update({"trace_block": missing, "debug_traceBlockByNumber": missing})
    node = Node(anvil_url)
    start = node.head() + 1
    node.send(to="0x" + "e5" * 20, value=hex(9))
    result, used = ingest_evm_rpc(store, JsonRpc(url), start=start)
    assert used == "none" and result.transfers == 1


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (b"<html>502 Bad Gateway</html>", "not JSON"),
        (b'{"jsonrpc":"2.0","id":1,"result":{"number":"0x1","timestamp":"0x5"}}', "missing field 'transactions'"),
        (
            b'{"jsonrpc":"2.0","id":1,"result":{"number":"0x1","hash":"0x1","timestamp":"0x5","transactions":7}}',
            "not a list",
        ),
    ],
)
def test_malformed_answers_are_clear_errors_and_write_nothing(
    store: IntelStore, anvil_url: str, proxy: tuple[str, dict[str, bytes]], answer: bytes, message: str
) -> None:
    url, override = proxy
    override["eth_getBlockByNumber"] = answer
    with pytest.raises(RpcError, match=message):
        ingest_evm_rpc(store, JsonRpc(url), start=1, end=1)
    assert _rows(store) == []


class _RecordedBitcoinNode(BaseHTTPRequestHandler):
    """Replays the real Bitcoin Core answers bitcoin-etl recorded for blocks 50001-50002 (fixtures/chain/SOURCES.md)."""

    def do_POST(self) -> None:
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        method, params = request["method"], request["params"]
        if method == "getblockhash":
            name = f"rpc_response_getblockhash_{params[0]}.json"
        elif method == "getblock":
            name = f"rpc_response_getblock_{params[0]}_{params[1]}.json"
        else:
            name = f"rpc_response_{method}_{params[0]}.json"
        # The recorded answer goes out byte for byte, amounts as the JSON numbers Bitcoin Core writes (50.00000000).
        body = f'{{"jsonrpc": "2.0", "id": {int(request["id"])}, "result": {(BTC / name).read_text()}}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args: Any) -> None:
        pass


def test_bitcoin_core_rpc_ingest_from_recorded_real_answers(
    store_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _RecordedBitcoinNode)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        args = ["--db", str(store_path), "chain", "ingest", "--bitcoin-rpc", url, "--start-block", "50001"]
        assert main([*args, "--end-block", "50002"]) == 0
    finally:
        server.shutdown()
    assert "2 blocks, 5 transfers" in capsys.readouterr().err.replace("\n", " ")
    expected = json_lines(BTC / "expected_transactions.json")
    with IntelStore.open(store_path, read_only=True) as store:
        outputs = store.conn.execute("SELECT tx, idx, value FROM chain.utxo_outputs ORDER BY ALL").fetchall()
    assert outputs == sorted((t["hash"], o["index"], Decimal(o["value"])) for t in expected for o in t["outputs"])


def test_ingest_command_from_the_node(store_path: Path, anvil_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    node = Node(anvil_url)
    start = node.head() + 1
    node.send(to="0x" + "c7" * 20, value=hex(11))
    assert main(["--db", str(store_path), "chain", "ingest", "--rpc", anvil_url, "--start-block", str(start)]) == 0
    assert "traces via trace_block" in capsys.readouterr().err.replace("\n", " ")


def test_a_malformed_trace_answer_is_a_clear_error(
    store: IntelStore, anvil_url: str, proxy: tuple[str, dict[str, bytes]]
) -> None:
    url, override = proxy
    override["trace_block"] = b'{"jsonrpc":"2.0","id":1,"result":[{"type":"call","action":"nonsense"}]}'
    node = Node(anvil_url)
    start = node.head() + 1
    node.send(to="0x" + "d8" * 20, value=hex(5))
    with pytest.raises(RpcError, match="malformed RPC answer"):
        ingest_evm_rpc(store, JsonRpc(url), start=start)
    assert _rows(store) == []


def test_internal_transfers_from_debug_trace_when_the_node_has_no_trace_block(
    store: IntelStore, anvil_url: str, proxy: tuple[str, dict[str, bytes]]
) -> None:
    url, override = proxy
    override["trace_block"] = b'{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"the method does not exist"}}'
    node = Node(anvil_url)
    start = node.head() + 1
    carol = "0x" + "c9" * 20
    contract = node.send(data=_initcode(_RUNTIME))["contractAddress"].lower()
    node.send(to=contract, value=hex(ETH // 4), data="0x" + _word(carol) + _word(1))
    _, used = ingest_evm_rpc(store, JsonRpc(url), start=start)
    assert used == "debug_traceBlockByNumber"
    assert ("internal", contract, carol, "ETH", str(ETH // 4)) in _rows(store)
