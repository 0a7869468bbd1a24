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
