"""Turn rows of the public ethereum-etl / BigQuery `crypto_ethereum` and `crypto_bitcoin` schemas into our rows.

One function per source table; each returns plain tuples in the column order of the chain tables,
so a batch goes into DuckDB as one Arrow table.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from heistguard.errors import BadInput

TRANSFER_COLUMNS = (
    "chain",
    "tx",
    "block",
    "time",
    "position",
    "from_address",
    "to_address",
    "asset",
    "amount",
    "amount_text",
    "decimals",
    "kind",
    "origin",
)
OUTPUT_COLUMNS = ("chain", "tx", "idx", "block", "time", "address", "addresses", "script_type", "value")
INPUT_COLUMNS = ("chain", "tx", "idx", "block", "time", "spent_tx", "spent_idx", "address", "addresses", "value")
UTXO_TX_COLUMNS = (
    "chain",
    "tx",
    "block",
    "time",
    "is_coinbase",
    "coinjoin",
    "input_count",
    "output_count",
    "input_value",
    "output_value",
    "fee",
)
NATIVE = {"ethereum": ("ETH", 18), "bitcoin": ("BTC", 8)}
# DECIMAL(38, 0) holds every real balance; larger values (spam tokens) keep only their exact text.
_MAX_DECIMAL = 10**38 - 1


@dataclass
class BlockRows:
    """Everything one block contributes from one input table."""

    chain: str
    number: int
    hash: str | None
    parent_hash: str | None
    time: dt.datetime
    transfers: list[tuple[Any, ...]] = field(default_factory=list)
    outputs: list[tuple[Any, ...]] = field(default_factory=list)
    inputs: list[tuple[Any, ...]] = field(default_factory=list)
    utxo_txs: list[tuple[Any, ...]] = field(default_factory=list)


class RowError(BadInput):
    """A row that cannot be read; `where` names the file and row."""


def as_int(value: Any, name: str, where: str) -> int:
    """An exact integer from an int, a decimal string, a hex string or an integral float/Decimal."""
    if isinstance(value, bool):
        raise RowError(f"bad {name}", where, f"{value!r} is not an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal):
        if value != value.to_integral_value():
            raise RowError(f"bad {name}", where, f"{value} is not a whole number of base units")
        return int(value)
    if isinstance(value, float):
        # JSON numbers past 2**53 lose digits in floats: only accept what is exact.
        if not value.is_integer() or abs(value) > 2**53:
            raise RowError(f"bad {name}", where, f"{value!r} is not an exact integer")
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            if text[:2] in ("0x", "0X"):
                return int(text, 16)
            number = Decimal(text)
        except (ValueError, InvalidOperation, IndexError):
            raise RowError(f"bad {name}", where, f"{value!r} is not a number") from None
        if not number.is_finite() or number != number.to_integral_value():
            raise RowError(f"bad {name}", where, f"{value!r} is not a whole number of base units")
        return int(number)
    raise RowError(f"bad {name}", where, f"{value!r} is not a number")


def opt_int(value: Any, name: str, where: str) -> int | None:
    return None if value is None or value == "" else as_int(value, name, where)


def as_time(value: Any, where: str) -> dt.datetime:
    """Unix seconds (ethereum-etl) or an ISO / BigQuery 'YYYY-MM-DD HH:MM:SS UTC' timestamp, as naive UTC."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return dt.datetime.fromtimestamp(int(value), dt.UTC).replace(tzinfo=None)
    if isinstance(value, str) and value.strip():
        text = value.strip()
        if text.isdigit():
            return dt.datetime.fromtimestamp(int(text), dt.UTC).replace(tzinfo=None)
        text = text.removesuffix(" UTC").replace("Z", "+00:00")
        try:
            parsed = dt.datetime.fromisoformat(text)
        except ValueError:
            raise RowError("bad block_timestamp", where, f"{value!r} is not a time") from None
        return parsed.astimezone(dt.UTC).replace(tzinfo=None) if parsed.tzinfo else parsed
    raise RowError("bad block_timestamp", where, f"{value!r} is not a time")


def evm_address(value: Any, name: str, where: str, required: bool = True) -> str | None:
    """A 20-byte hex address in lower case (the form ethereum-etl writes and intel lookups use)."""
    if value is None or value == "":
        if required:
            raise RowError(f"missing {name}", where, "an address is required here")
        return None
    text = str(value).strip()
    body = text[2:] if text[:2] in ("0x", "0X") else ""
    if len(body) != 40 or any(c not in "0123456789abcdefABCDEF" for c in body):
        raise RowError(f"bad {name}", where, f"{text!r} is not a 0x-prefixed 20-byte hex address")
    return "0x" + body.lower()


def _amount(value: int) -> tuple[Decimal | None, str]:
    return (Decimal(value) if 0 <= value <= _MAX_DECIMAL else None), str(value)


def get(row: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in row:
        raise RowError(f"missing column {key}", where, "the row does not have the ethereum-etl column")
    return row[key]


# --- crypto_ethereum ---------------------------------------------------------------------------------


def _status_ok(row: Mapping[str, Any], key: str, where: str) -> bool:
    status = row.get(key)
    # Before Byzantium receipts had no status: a transaction that was mined moved its value.
    return status is None or status == "" or as_int(status, key, where) == 1


def transaction_transfer(row: Mapping[str, Any], chain: str, where: str) -> tuple[int, tuple[Any, ...] | None]:
    """A `transactions` row -> (block, native transfer or None when it moved no value or failed)."""
    block = as_int(get(row, "block_number", where), "block_number", where)
    value = as_int(get(row, "value", where), "value", where)
    if value == 0 or not _status_ok(row, "receipt_status", where):
        return block, None
    tx = str(get(row, "hash", where)).lower()
    sender = evm_address(get(row, "from_address", where), "from_address", where)
    receiver = evm_address(row.get("to_address"), "to_address", where, required=False) or evm_address(
        row.get("receipt_contract_address"), "receipt_contract_address", where
    )
    symbol, decimals = NATIVE.get(chain, ("ETH", 18))
    amount, text = _amount(value)
    time = as_time(get(row, "block_timestamp", where), where)
    return block, (
        chain,
        tx,
        block,
        time,
        "tx",
        sender,
        receiver,
        symbol,
        amount,
        text,
        decimals,
        "native",
        "transactions",
    )


def token_transfer(
    row: Mapping[str, Any], chain: str, where: str, decimals: Mapping[str, int | None]
) -> tuple[int, tuple[Any, ...]]:
    """A `token_transfers` row (ERC-20/721 Transfer log) -> (block, transfer); zero values kept (poisoning)."""
    block = as_int(get(row, "block_number", where), "block_number", where)
    token = evm_address(get(row, "token_address", where), "token_address", where)
    assert token is not None
    value = as_int(get(row, "value", where), "value", where)
    if value < 0:
        raise RowError("bad value", where, "a transfer amount cannot be negative")
    amount, text = _amount(value)
    log_index = as_int(get(row, "log_index", where), "log_index", where)
    return block, (
        chain,
        str(get(row, "transaction_hash", where)).lower(),
        block,
        as_time(get(row, "block_timestamp", where), where),
        f"log:{log_index}",
        evm_address(get(row, "from_address", where), "from_address", where),
        evm_address(get(row, "to_address", where), "to_address", where),
        token,
        amount,
        text,
        decimals.get(token),
        "token",
        "token_transfers",
    )


_VALUE_CALLS = {"call", ""}


def trace_transfer(row: Mapping[str, Any], chain: str, where: str) -> tuple[int, tuple[Any, ...] | None]:
    """A `traces` row -> (block, internal transfer or reward, or None).

    Top-level calls and creates repeat the transaction's own value (the transactions table has it),
    delegate/static calls move nothing, and failed frames moved nothing.
    """
    block = as_int(get(row, "block_number", where), "block_number", where)
    value = as_int(row.get("value") or 0, "value", where)
    trace_type = str(get(row, "trace_type", where) or "")
    call_type = str(row.get("call_type") or "")
    trace_address = row.get("trace_address")
    if isinstance(trace_address, str):
        trace_address = [p for p in trace_address.replace(";", ",").split(",") if p.strip()]
    top_level = not trace_address
    ok = _status_ok(row, "status", where) and not row.get("error")
    if value == 0 or not ok:
        return block, None
    if trace_type == "reward":
        kind = "reward"
    elif trace_type in ("call", "create", "suicide") and not top_level:
        if trace_type == "call" and call_type not in _VALUE_CALLS:
            return block, None
        kind = "internal"
    else:
        return block, None
    index = row.get("trace_index")
    position = f"trace:{as_int(index, 'trace_index', where)}" if index not in (None, "") else f"trace:{row['trace_id']}"
    symbol, decimals = NATIVE.get(chain, ("ETH", 18))
    amount, text = _amount(value)
    tx = row.get("transaction_hash")
    return block, (
        chain,
        str(tx).lower() if tx else None,
        block,
        as_time(get(row, "block_timestamp", where), where),
        position,
        evm_address(row.get("from_address"), "from_address", where, required=kind != "reward"),
        evm_address(get(row, "to_address", where), "to_address", where),
        symbol,
        amount,
        text,
        decimals,
        kind,
        "traces",
    )


# --- crypto_bitcoin -----------------------------------------------------------------------------------


def _btc_address(addresses: Sequence[str] | None) -> str | None:
    """One spendable address, or a name for a bare multisig; None when the script pays nobody (OP_RETURN)."""
    if not addresses:
        return None
    if len(addresses) == 1:
        return str(addresses[0])
    return "multisig(" + ",".join(sorted(str(a) for a in addresses)) + ")"


def is_coinjoin_shaped(input_addresses: Sequence[str | None], output_values: Sequence[int]) -> bool:
    """Several owners paying into equal-valued outputs: the shape of Wasabi, Whirlpool and JoinMarket rounds.

    Common-input ownership does not hold in such a transaction, so clustering must not cross it.
    """
    owners = {a for a in input_addresses if a}
    if len(owners) < 2 or len(output_values) < 3:
        return False
    value, count = Counter(output_values).most_common(1)[0]
    return value > 0 and count >= 2 and len(owners) >= count


def split_by_inputs(input_values: Mapping[str, int], output_value: int) -> list[tuple[str, int]]:
    """Share one output among the input addresses in proportion to what each put in, in whole base
    units that add up exactly (largest remainder, ties by address)."""
    total = sum(input_values.values())
    if total <= 0:
        return []
    wholes: dict[str, int] = {}
    rests: dict[str, int] = {}
    for address, value in sorted(input_values.items()):
        wholes[address], rests[address] = divmod(output_value * value, total)
    for address in sorted(rests, key=lambda a: (-rests[a], a))[: output_value - sum(wholes.values())]:
        wholes[address] += 1
    return [(a, v) for a, v in wholes.items() if v > 0]


def bitcoin_transaction(
    row: Mapping[str, Any], chain: str, where: str, coinjoin: bool | None = None
) -> tuple[int, BlockRows]:
    """A `crypto_bitcoin.transactions` row with nested inputs and outputs -> its UTXO rows and transfers."""
    block = as_int(get(row, "block_number", where), "block_number", where)
    time = as_time(get(row, "block_timestamp", where), where)
    tx = str(get(row, "hash", where))
    rows = BlockRows(chain, block, row.get("block_hash"), None, time)
    inputs = get(row, "inputs", where) or []
    outputs = get(row, "outputs", where) or []
    in_values: dict[str, int] = defaultdict(int)
    in_addresses: list[str | None] = []
    for n, item in enumerate(inputs):
        iw = f"{where} input {n}"
        address = _btc_address(item.get("addresses"))
        value = opt_int(item.get("value"), "input value", iw)
        idx = as_int(item.get("index", n), "input index", iw)
        spent_tx = item.get("spent_transaction_hash")
        spent_idx = opt_int(item.get("spent_output_index"), "spent_output_index", iw)
        rows.inputs.append(
            (chain, tx, idx, block, time, spent_tx, spent_idx, address, list(item.get("addresses") or []), value)
        )
        in_addresses.append(address)
        if address and value:
            in_values[address] += value
    out_values: list[int] = []
    symbol, decimals = NATIVE.get(chain, ("BTC", 8))
    coinbase = bool(row.get("is_coinbase")) or not inputs
    for n, item in enumerate(outputs):
        ow = f"{where} output {n}"
        idx = as_int(item.get("index", n), "output index", ow)
        value = as_int(get(item, "value", ow), "output value", ow)
        address = _btc_address(item.get("addresses"))
        rows.outputs.append(
            (chain, tx, idx, block, time, address, list(item.get("addresses") or []), item.get("type"), Decimal(value))
        )
        out_values.append(value)
        if address is None or value == 0:
            continue
        if coinbase:
            rows.transfers.append(
                (
                    chain,
                    tx,
                    block,
                    time,
                    f"out:{idx}",
                    None,
                    address,
                    symbol,
                    Decimal(value),
                    str(value),
                    decimals,
                    "reward",
                    "utxo",
                )
            )
            continue
        for source, share in split_by_inputs(in_values, value):
            rows.transfers.append(
                (
                    chain,
                    tx,
                    block,
                    time,
                    f"out:{idx}:{source}",
                    source,
                    address,
                    symbol,
                    Decimal(share),
                    str(share),
                    decimals,
                    "utxo",
                    "utxo",
                )
            )
    input_value = sum(in_values.values()) if not coinbase else 0
    output_value = sum(out_values)
    joined = is_coinjoin_shaped(in_addresses, out_values) if coinjoin is None else coinjoin
    rows.utxo_txs.append(
        (
            chain,
            tx,
            block,
            time,
            coinbase,
            joined,
            len(inputs),
            len(outputs),
            Decimal(input_value),
            Decimal(output_value),
            Decimal(input_value - output_value) if not coinbase else Decimal(0),
        )
    )
    return block, rows
