"""Chain guard fixtures: real ethereum-etl, bitcoin-etl and GraphSense files (sources: fixtures/chain/SOURCES.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

CHAIN_FIXTURES = Path(__file__).parent.parent / "fixtures" / "chain"
ETH = CHAIN_FIXTURES / "ethereum_etl"
BTC = CHAIN_FIXTURES / "bitcoin_etl" / "stream_50001_50002"
GRAPHSENSE = CHAIN_FIXTURES / "graphsense_utxo"


def json_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.fixture
def chain_fixtures() -> Path:
    return CHAIN_FIXTURES


def graphsense_as_bitcoin_etl(tmp_path: Path) -> Path:
    """GraphSense's test transactions rewritten in the crypto_bitcoin shape (nested inputs and outputs)."""
    rows = []
    for tx in json_lines(GRAPHSENSE / "test_txs.json"):
        rows.append(
            {
                "hash": tx["txHash"],
                "block_number": tx["blockId"],
                "block_timestamp": tx["timestamp"],
                "is_coinbase": tx["coinbase"],
                "coinjoin": tx["coinjoin"],
                "inputs": [
                    {"index": i, "addresses": x["address"], "value": x["value"]} for i, x in enumerate(tx["inputs"])
                ],
                "outputs": [
                    {"index": i, "addresses": x["address"], "value": x["value"]} for i, x in enumerate(tx["outputs"])
                ],
            }
        )
    path = tmp_path / "graphsense_transactions.json"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


# Deprecations inside third-party code (ibis on DuckDB 2, PySpark on pandas 3), not actionable here.
_THIRD_PARTY_DEPRECATIONS = (
    r"ignore:fetch_arrow_table\(\) is deprecated",
    "ignore:The copy keyword is deprecated",
    "ignore:The 'future.infer_string' option is deprecated",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            for rule in _THIRD_PARTY_DEPRECATIONS:
                item.add_marker(pytest.mark.filterwarnings(rule))
