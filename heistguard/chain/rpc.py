"""Ingest from nodes: Ethereum JSON-RPC (blocks, receipts' Transfer logs, `trace_block` / `debug_traceBlockByNumber`)
and Bitcoin Core answers (`getblock` verbosity 2), turned into the same rows as the ethereum-etl / bitcoin-etl exports.

Every answer is checked for shape before use: a malformed answer is one clear error naming the
method and the field, never a half-written block.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import Any, TypeVar

from heistguard.chain.ingest import IngestResult, _drop_block, _one, _run, _set_progress, write_blocks
from heistguard.chain.rows import (
    NATIVE,
    BlockRows,
    as_int,
    as_time,
    bitcoin_transaction,
    evm_address,
    token_transfer,
    trace_transfer,
    transaction_transfer,
)
from heistguard.chain.store import ensure_chain_schema
from heistguard.errors import BadInput
from heistguard.intel.store import IntelStore

TRANSFER_TOPIC = (
    "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"  # Transfer(address,address,uint256)
)
TRANSFER_SINGLE_TOPIC = "0xc3d58168c5ae7397731d063d5bbf3d657854427343f4c083240f7aacaa2d0f62"  # ERC-1155 TransferSingle
MAX_REORG_DEPTH = 64


class RpcError(BadInput):
    """A node that cannot be reached or answered something we cannot use."""


@dataclass
class JsonRpc:
    """A minimal JSON-RPC 2.0 client over HTTP (urllib: nothing to install, nothing to configure)."""

    url: str
    timeout: float = 30.0
    _next_id: int = field(default=1, init=False)

    def call(self, method: str, params: list[Any]) -> Any:
        body = json.dumps({"jsonrpc": "2.0", "id": self._next_id, "method": method, "params": params}).encode()
        self._next_id += 1
        request = urllib.request.Request(self.url, body, {"Content-Type": "application/json"})
        where = f"{self.url} {method}"
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            raise RpcError("node refused the call", where, f"HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise RpcError("cannot reach the node", where, str(getattr(exc, "reason", exc))) from None
        try:
            answer = json.loads(raw, parse_float=Decimal)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise RpcError("malformed RPC answer", where, "not JSON") from None
        if not isinstance(answer, dict):
            raise RpcError("malformed RPC answer", where, "not a JSON-RPC object")
        if answer.get("error"):
            error = answer["error"]
            message = error.get("message") if isinstance(error, dict) else str(error)
            raise RpcError("node returned an error", where, str(message))
        if "result" not in answer:
            raise RpcError("malformed RPC answer", where, "no result")
        return answer["result"]


def _field(obj: Any, key: str, where: str) -> Any:
    if not isinstance(obj, dict) or key not in obj:
        raise RpcError("malformed RPC answer", where, f"missing field {key!r}")
    return obj[key]


# --- Ethereum ----------------------------------------------------------------------------------------


def _topic_address(topic: str, where: str) -> str:
    if not isinstance(topic, str) or len(topic) != 66:
        raise RpcError("malformed RPC answer", where, f"bad address topic {topic!r}")
    address = evm_address("0x" + topic[-40:], "topic", where)
    assert address is not None
    return address


def _hex_word(text: str, where: str) -> int:
    try:
        return int(text, 16)
    except ValueError:
        raise RpcError("malformed RPC answer", where, f"log data {text[:20]!r} is not hex") from None


def log_transfers(log: Mapping[str, Any], chain: str, block: int, time: Any, where: str) -> list[tuple[Any, ...]]:
    """ERC-20/721 `Transfer` and ERC-1155 `TransferSingle` logs -> transfer rows (other logs -> none)."""
    topics = _field(log, "topics", where)
    if not isinstance(topics, list) or not topics:
        return []
    token = evm_address(_field(log, "address", where), "log address", where)
    log_index = as_int(_field(log, "logIndex", where), "logIndex", where)
    tx = str(_field(log, "transactionHash", where)).lower()
    data = str(log.get("data") or "0x")
    if topics[0] == TRANSFER_TOPIC and len(topics) in (3, 4):
        sender, receiver = _topic_address(topics[1], where), _topic_address(topics[2], where)
        if len(topics) == 3:  # ERC-20: the amount is the first data word
            value = _hex_word(data[2:66], where) if len(data) > 2 else 0
            kind = "token"
        else:  # ERC-721: one token, identified by the fourth topic
            value, kind = 1, "erc721"
    elif topics[0] == TRANSFER_SINGLE_TOPIC and len(topics) == 4 and len(data) >= 2 + 128:
        sender, receiver = _topic_address(topics[2], where), _topic_address(topics[3], where)
        value, kind = _hex_word(data[2 + 64 : 2 + 128], where), "erc1155"
    else:
        return []
    row = {
        "token_address": token,
        "from_address": sender,
        "to_address": receiver,
        "value": value,
        "transaction_hash": tx,
        "log_index": log_index,
        "block_number": block,
        "block_timestamp": time,
    }
    _, transfer = token_transfer(row, chain, where, {})
    return [(*transfer[:10], None, kind, transfer[12])]  # decimals come from the token table (record_tokens)


def _status(receipt: Mapping[str, Any] | None, where: str) -> int | None:
    if receipt is None or receipt.get("status") in (None, ""):
        return None
    return as_int(receipt["status"], "status", where)


def trace_rows(traces: list[Any], block: Mapping[str, Any], where: str) -> list[dict[str, Any]]:
    """A `trace_block` answer -> rows of the ethereum-etl `traces` table (the fields our transfers need)."""
    if not isinstance(traces, list):
        raise RpcError("malformed RPC answer", where, "trace_block result is not a list")
    number = as_int(_field(block, "number", where), "number", where)
    out: list[dict[str, Any]] = []
    failed: dict[str, list[tuple[int, ...]]] = {}
    rewards = 0
    for index, trace in enumerate(traces):
        tw = f"{where} trace {index}"
        action = _field(trace, "action", tw)
        kind = str(_field(trace, "type", tw))
        result = trace.get("result") or {}
        path = tuple(int(p) for p in trace.get("traceAddress") or [])
        tx = trace.get("transactionHash")
        error = trace.get("error")
        if error and tx:
            failed.setdefault(tx, []).append(path)
        # A frame fails with its parent: ethereum-etl marks the whole subtree status 0.
        inherited = any(path[: len(p)] == p for p in failed.get(tx or "", []))
        row: dict[str, Any] = {
            "transaction_index": trace.get("transactionPosition"),
            "trace_type": kind,
            "call_type": action.get("callType"),
            "reward_type": action.get("rewardType"),
            "gas": as_int(action["gas"], "gas", tw) if action.get("gas") is not None else None,
            "gas_used": as_int(result["gasUsed"], "gasUsed", tw) if result.get("gasUsed") is not None else None,
            "subtraces": int(trace.get("subtraces") or 0),
            "trace_address": list(path),
            "error": error,
            "status": 0 if (error or inherited) else 1,
            "transaction_hash": tx,
            "block_number": number,
            "block_timestamp": as_int(_field(block, "timestamp", where), "timestamp", where),
            "block_hash": block.get("hash"),
            "trace_index": index,
            "value": as_int(action.get("value") or action.get("balance") or 0, "value", tw),
        }
        if kind == "call":
            row["from_address"], row["to_address"] = action.get("from"), action.get("to")
        elif kind == "create":
            row["from_address"], row["to_address"] = action.get("from"), result.get("address")
        elif kind == "suicide":
            row["from_address"], row["to_address"] = action.get("address"), action.get("refundAddress")
        elif kind == "reward":
            row["from_address"], row["to_address"] = None, action.get("author")
            row["trace_id"] = f"reward_{number}_{rewards}"
            rewards += 1
        else:
            row["from_address"], row["to_address"] = action.get("from"), action.get("to")
        out.append(row)
    return out


def _call_tracer_rows(frames: list[Any], block: Mapping[str, Any], txs: list[str], where: str) -> list[dict[str, Any]]:
    """`debug_traceBlockByNumber` with the callTracer -> the same rows as `trace_block` gives (calls only)."""
    number = as_int(_field(block, "number", where), "number", where)
    out: list[dict[str, Any]] = []

    def walk(frame: Mapping[str, Any], tx: str, path: tuple[int, ...], parent_failed: bool) -> None:
        failed = parent_failed or bool(frame.get("error"))
        kind = str(frame.get("type", "CALL")).lower()
        trace_type = "create" if kind.startswith("create") else "suicide" if kind == "selfdestruct" else "call"
        out.append(
            {
                "trace_type": trace_type,
                "call_type": kind if trace_type == "call" else None,
                "trace_address": list(path),
                "error": frame.get("error"),
                "status": 0 if failed else 1,
                "transaction_hash": tx,
                "block_number": number,
                "block_timestamp": as_int(_field(block, "timestamp", where), "timestamp", where),
                "block_hash": block.get("hash"),
                "trace_index": len(out),
                "from_address": frame.get("from"),
                "to_address": frame.get("to"),
                "value": as_int(frame.get("value") or 0, "value", where),
            }
        )
        for i, child in enumerate(frame.get("calls") or []):
            walk(child, tx, (*path, i), failed)

    for i, item in enumerate(frames):
        frame = item.get("result", item) if isinstance(item, dict) else None
        if not isinstance(frame, dict):
            raise RpcError("malformed RPC answer", where, f"trace {i} is not a call frame")
        walk(frame, txs[i] if i < len(txs) else str(item.get("txHash")), (), False)
    return out


@dataclass
class EvmBlockAnswer:
    """What the node said about one block."""

    block: dict[str, Any]
    receipts: dict[str, dict[str, Any]]
    traces: list[dict[str, Any]] | None  # None: the node offers no tracing


def evm_block_rows(answer: EvmBlockAnswer, chain: str, where: str) -> BlockRows:
    """One node block (full transactions, receipts, traces) -> the block's transfer rows."""
    block = answer.block
    if not isinstance(block, dict):
        raise RpcError("malformed RPC answer", where, "block is not an object")
    number = as_int(_field(block, "number", where), "number", where)
    timestamp = as_int(_field(block, "timestamp", where), "timestamp", where)
    rows = BlockRows(chain, number, _field(block, "hash", where), block.get("parentHash"), as_time(timestamp, where))
    txs = _field(block, "transactions", where)
    if not isinstance(txs, list):
        raise RpcError("malformed RPC answer", where, "transactions is not a list")
    for i, tx in enumerate(txs):
        tw = f"{where} tx {i}"
        if not isinstance(tx, dict):
            raise RpcError(
                "malformed RPC answer", tw, "transactions must be full objects (eth_getBlockByNumber with true)"
            )
        tx_hash = str(_field(tx, "hash", tw)).lower()
        receipt = answer.receipts.get(tx_hash)
        row = {
            "hash": tx_hash,
            "block_number": number,
            "block_timestamp": timestamp,
            "from_address": _field(tx, "from", tw),
            "to_address": tx.get("to"),
            "value": _field(tx, "value", tw),
            "receipt_status": _status(receipt, tw),
            "receipt_contract_address": (receipt or {}).get("contractAddress"),
        }
        _, transfer = transaction_transfer(row, chain, tw)
        if transfer is not None:
            rows.transfers.append(transfer)
        if receipt is not None and _status(receipt, tw) != 0:
            for log in receipt.get("logs") or []:
                rows.transfers.extend(log_transfers(log, chain, number, timestamp, tw))
    if answer.traces is not None:
        for t in answer.traces:
            _, transfer = trace_transfer(t, chain, where)
            if transfer is not None:
                rows.transfers.append(transfer)
    return rows


def fetch_evm_block(rpc: JsonRpc, number: int, traces: str = "auto") -> tuple[EvmBlockAnswer, str]:
    """Ask the node for one block, its receipts and (when it offers them) its traces. Returns the answer and
    which tracing method was used ('trace_block', 'debug_traceBlockByNumber' or 'none')."""
    tag = hex(number)
    where = f"{rpc.url} block {number}"
    block = rpc.call("eth_getBlockByNumber", [tag, True])
    if block is None:
        raise RpcError("block not found", where, "the node does not have it (yet)")
    if not isinstance(block, dict):
        raise RpcError("malformed RPC answer", where, "eth_getBlockByNumber result is not an object")
    receipts: dict[str, dict[str, Any]] = {}
    txs = _field(block, "transactions", where)
    if txs:
        try:
            listed = rpc.call("eth_getBlockReceipts", [tag])
        except RpcError:
            listed = [rpc.call("eth_getTransactionReceipt", [t["hash"] if isinstance(t, dict) else t]) for t in txs]
        if not isinstance(listed, list):
            raise RpcError("malformed RPC answer", where, "receipts are not a list")
        for receipt in listed:
            if not isinstance(receipt, dict):
                raise RpcError("malformed RPC answer", where, "a receipt is not an object")
            receipts[str(_field(receipt, "transactionHash", where)).lower()] = receipt
    used = "none"
    trace_list: list[dict[str, Any]] | None = None
    if traces in ("auto", "trace_block"):
        try:
            trace_list = trace_rows(rpc.call("trace_block", [tag]), block, where)
            used = "trace_block"
        except RpcError as exc:
            if traces == "trace_block" or "malformed" in exc.what:
                raise
    if trace_list is None and traces in ("auto", "debug"):
        try:
            frames = rpc.call("debug_traceBlockByNumber", [tag, {"tracer": "callTracer"}])
            hashes = [t["hash"] for t in txs if isinstance(t, dict)]
            trace_list = _call_tracer_rows(frames, block, hashes, where)
            used = "debug_traceBlockByNumber"
        except RpcError as exc:
            if traces == "debug" or "malformed" in exc.what:
                raise
    return EvmBlockAnswer(block, receipts, trace_list), used


Progress = Callable[[int, int | None], None]
T = TypeVar("T")


def _guarded(step: Callable[[], T], where: str) -> T:
    """Any shape the checks above did not foresee is still one clear line, never a traceback."""
    try:
        return step()
    except (AttributeError, TypeError, ValueError, KeyError, IndexError) as exc:
        raise RpcError("malformed RPC answer", where, f"{type(exc).__name__}: {exc}") from None


_SYMBOL, _NAME, _DECIMALS = "0x95d89b41", "0x06fdde03", "0x313ce567"  # symbol(), name(), decimals()


def _abi_text(data: Any) -> str | None:
    """An ABI `string` return, or a `bytes32` one (old tokens such as MKR); None for anything else."""
    if not isinstance(data, str) or not data.startswith("0x"):
        return None
    try:
        raw = bytes.fromhex(data[2:])
    except ValueError:
        return None
    if len(raw) == 32:
        text = raw.rstrip(b"\0")
    elif len(raw) >= 64:
        offset = int.from_bytes(raw[:32], "big")
        if offset + 32 > len(raw):
            return None
        length = int.from_bytes(raw[offset : offset + 32], "big")
        text = raw[offset + 32 : offset + 32 + length]
    else:
        return None
    decoded = text.decode("utf-8", errors="replace").strip()
    return decoded[:64] if decoded and decoded.isprintable() else None


def _token_metadata(rpc: JsonRpc, token: str, block: int) -> tuple[str | None, str | None, int | None]:
    """(symbol, name, decimals) by `eth_call`; a contract that reverts or answers oddly gives None, not an error."""
    answers: list[Any] = []
    for selector in (_SYMBOL, _NAME, _DECIMALS):
        try:
            answers.append(rpc.call("eth_call", [{"to": token, "data": selector}, hex(block)]))
        except RpcError as exc:
            if "reach" in exc.what:
                raise
            answers.append(None)
    decimals = None
    if isinstance(answers[2], str) and len(answers[2]) == 66:
        value = int(answers[2], 16)
        decimals = value if value <= 255 else None
    return _abi_text(answers[0]), _abi_text(answers[1]), decimals


_TOKEN_KINDS = ("token", "erc721", "erc1155")


def record_tokens(store: IntelStore, rpc: JsonRpc, rows: BlockRows) -> None:
    """Look up symbol and decimals of token contracts seen for the first time (fake-token detection needs them),
    and give the block's token transfers their decimals."""
    tokens = sorted({t[7] for t in rows.transfers if t[11] in _TOKEN_KINDS})
    if not tokens:
        return
    held: dict[str, int | None] = {
        str(r[0]): r[1]
        for r in store.conn.execute(
            "SELECT address, decimals FROM chain.tokens WHERE chain = ? AND address IN (SELECT unnest(?))",
            [rows.chain, tokens],
        ).fetchall()
    }
    for token in tokens:
        if token in held:
            continue
        symbol, name, decimals = _token_metadata(rpc, token, rows.number)
        held[token] = decimals
        _run(
            store,
            "INSERT OR REPLACE INTO chain.tokens VALUES (?, ?, ?, ?, ?)",
            [rows.chain, token, symbol, name, decimals],
        )
    rows.transfers = [(*t[:10], held.get(t[7]), *t[11:]) if t[11] in _TOKEN_KINDS else t for t in rows.transfers]


def ingest_evm_rpc(
    store: IntelStore,
    rpc: JsonRpc,
    start: int | None = None,
    end: int | None = None,
    chain: str = "ethereum",
    traces: str = "auto",
    progress: Progress | None = None,
) -> tuple[IngestResult, str]:
    """Ingest blocks start..end (default: from the last stop to the head), one transaction per block."""
    ensure_chain_schema(store)
    key = f"rpc:{chain}:{rpc.url}"
    stored = _one(store, "SELECT position FROM chain.ingest_progress WHERE source = ?", [key])
    head = as_int(rpc.call("eth_blockNumber", []), "eth_blockNumber", rpc.url)
    number = start if start is not None else (int(stored[0]) if stored else 0)
    # The node may have reorganised (or rolled back) below where we stopped: step back to the fork.
    rewound = 0
    while number > 0 and rewound < MAX_REORG_DEPTH:
        held = _one(store, "SELECT hash FROM chain.blocks WHERE chain = ? AND number = ?", [chain, number - 1])
        if held is None:
            break
        theirs = rpc.call("eth_getBlockByNumber", [hex(number - 1), False]) if number - 1 <= head else None
        if isinstance(theirs, dict) and theirs.get("hash") == held[0]:
            break
        number -= 1
        rewound += 1
    if rewound:
        # What we held from the fork up is not on the node's chain any more.
        orphaned = store.conn.execute(
            "SELECT number FROM chain.blocks WHERE chain = ? AND number >= ? ORDER BY number", [chain, number]
        ).fetchall()
        with store.transaction():
            for (height,) in orphaned:
                _drop_block(store, chain, int(height))
        result_reorged = [int(h) for (h,) in orphaned]
    else:
        result_reorged = []
    last = min(end, head) if end is not None else head
    result = IngestResult(rpc.url, "rpc", reorged_blocks=result_reorged)
    used = "none"
    while number <= last:
        answer, used = _guarded(partial(fetch_evm_block, rpc, number, traces), f"{rpc.url} block {number}")
        parent = answer.block.get("parentHash")
        before = _one(store, "SELECT hash FROM chain.blocks WHERE chain = ? AND number = ?", [chain, number - 1])
        if before and parent and before[0] != parent and rewound < MAX_REORG_DEPTH:
            # The node's chain forked below us: step back until its parent is what we hold.
            number -= 1
            rewound += 1
            continue
        where = f"{rpc.url} block {number}"
        rows = _guarded(partial(evm_block_rows, answer, chain, where), where)
        with store.transaction():
            record_tokens(store, rpc, rows)
            write_blocks(store, [rows], result)
            _set_progress(store, key, number + 1, False)
        result.rows_read += len(rows.transfers)
        if progress:
            progress(number - (start or 0) + 1, last - (start or 0) + 1)
        number += 1
    return result, used


# --- Bitcoin -----------------------------------------------------------------------------------------


def _satoshi(value: Any, where: str) -> int:
    amount = Decimal(str(value)) * 100_000_000
    if amount != amount.to_integral_value():
        raise RpcError("malformed RPC answer", where, f"{value} BTC is not a whole number of satoshi")
    return int(amount)


def _output(vout: Mapping[str, Any], where: str) -> dict[str, Any]:
    script = _field(vout, "scriptPubKey", where)
    addresses = script.get("addresses") or ([script["address"]] if script.get("address") else [])
    return {
        "index": as_int(_field(vout, "n", where), "n", where),
        "script_asm": script.get("asm"),
        "script_hex": script.get("hex"),
        "required_signatures": script.get("reqSigs"),
        "type": script.get("type"),
        "addresses": addresses,
        "value": _satoshi(_field(vout, "value", where), where),
    }


PrevoutLookup = Callable[[str, int], dict[str, Any]]


def bitcoin_rows_from_block(block: Mapping[str, Any], prevout: PrevoutLookup, where: str) -> list[dict[str, Any]]:
    """A Bitcoin Core `getblock <hash> 2` answer -> `crypto_bitcoin.transactions` rows (nested inputs/outputs).

    Inputs name the output they spend; its value and addresses come from `prevout` (the `prevout`
    field of verbosity 3, or `getrawtransaction` on a node with `-txindex`).
    """
    number = as_int(_field(block, "height", where), "height", where)
    block_hash = str(_field(block, "hash", where))
    time = as_int(_field(block, "time", where), "time", where)
    txs = _field(block, "tx", where)
    if not isinstance(txs, list):
        raise RpcError("malformed RPC answer", where, "tx is not a list")
    out = []
    for index, tx in enumerate(txs):
        tw = f"{where} tx {index}"
        if not isinstance(tx, dict):
            raise RpcError("malformed RPC answer", tw, "transactions must be objects (getblock verbosity 2)")
        outputs = [_output(v, tw) for v in _field(tx, "vout", tw)]
        inputs = []
        coinbase = False
        for n, vin in enumerate(_field(tx, "vin", tw)):
            if "coinbase" in vin:
                coinbase = True
                continue
            spent_tx, spent_idx = str(_field(vin, "txid", tw)), as_int(_field(vin, "vout", tw), "vout", tw)
            spent = _output(vin["prevout"] | {"n": spent_idx}, tw) if "prevout" in vin else prevout(spent_tx, spent_idx)
            inputs.append(
                {
                    "index": n,
                    "spent_transaction_hash": spent_tx,
                    "spent_output_index": spent_idx,
                    "script_asm": (vin.get("scriptSig") or {}).get("asm"),
                    "script_hex": (vin.get("scriptSig") or {}).get("hex"),
                    "sequence": vin.get("sequence"),
                    "required_signatures": spent.get("required_signatures"),
                    "type": spent.get("type"),
                    "addresses": spent.get("addresses") or [],
                    "value": spent["value"],
                }
            )
        input_value = sum(i["value"] for i in inputs)
        output_value = sum(o["value"] for o in outputs)
        out.append(
            {
                "hash": str(_field(tx, "txid", tw)),
                "size": tx.get("size"),
                "virtual_size": tx.get("vsize"),
                "version": tx.get("version"),
                "lock_time": tx.get("locktime"),
                "block_number": number,
                "block_hash": block_hash,
                "block_timestamp": time,
                "is_coinbase": coinbase,
                "index": index,
                "inputs": inputs,
                "outputs": outputs,
                "input_count": len(inputs),
                "output_count": len(outputs),
                "input_value": input_value,
                "output_value": output_value,
                "fee": 0 if coinbase else input_value - output_value,
            }
        )
    return out


def rpc_prevout(rpc: JsonRpc) -> PrevoutLookup:
    """Look spent outputs up with `getrawtransaction <txid> true` (needs a node with -txindex)."""

    def lookup(txid: str, n: int) -> dict[str, Any]:
        tx = rpc.call("getrawtransaction", [txid, True])
        for vout in _field(tx, "vout", f"{rpc.url} getrawtransaction {txid}"):
            if vout.get("n") == n:
                return _output(vout, txid)
        raise RpcError("malformed RPC answer", f"{rpc.url} getrawtransaction {txid}", f"no output {n}")

    return lookup


def bitcoin_block_rows(block: Mapping[str, Any], prevout: PrevoutLookup, chain: str, where: str) -> BlockRows:
    number = as_int(_field(block, "height", where), "height", where)
    rows = BlockRows(
        chain,
        number,
        str(block.get("hash")),
        block.get("previousblockhash"),
        as_time(_field(block, "time", where), where),
    )
    for item in bitcoin_rows_from_block(block, prevout, where):
        _, tx_rows = bitcoin_transaction(item, chain, where)
        rows.transfers.extend(tx_rows.transfers)
        rows.outputs.extend(tx_rows.outputs)
        rows.inputs.extend(tx_rows.inputs)
        rows.utxo_txs.extend(tx_rows.utxo_txs)
    return rows


def ingest_bitcoin_rpc(
    store: IntelStore, rpc: JsonRpc, start: int, end: int, chain: str = "bitcoin", progress: Progress | None = None
) -> IngestResult:
    """Ingest Bitcoin blocks start..end from Bitcoin Core (getblockhash, getblock 2, getrawtransaction)."""
    ensure_chain_schema(store)
    result = IngestResult(rpc.url, "bitcoin-rpc")
    lookup = rpc_prevout(rpc)
    for number in range(start, end + 1):
        block_hash = rpc.call("getblockhash", [number])
        block = rpc.call("getblock", [block_hash, 2])
        where = f"{rpc.url} block {number}"
        rows = _guarded(partial(bitcoin_block_rows, block, lookup, chain, where), where)
        with store.transaction():
            write_blocks(store, [rows], result)
            _set_progress(store, f"rpc:{chain}:{rpc.url}", number + 1, False)
        if progress:
            progress(number - start + 1, end - start + 1)
    return result


__all__ = [
    "NATIVE",
    "EvmBlockAnswer",
    "JsonRpc",
    "RpcError",
    "bitcoin_block_rows",
    "bitcoin_rows_from_block",
    "evm_block_rows",
    "fetch_evm_block",
    "ingest_bitcoin_rpc",
    "ingest_evm_rpc",
    "log_transfers",
    "trace_rows",
]
