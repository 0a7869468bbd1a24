"""Tracing the generated heist (tests/chain/heist.py): every endpoint and amount exact under each taint model,
decoys reported and never followed, the unlabelled deposit address reported as its exchange."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import pytest

from heistguard.chain.engine import Engine, duckdb_engine
from heistguard.chain.ingest import ingest_file
from heistguard.chain.labels import Labeller
from heistguard.chain.trace import Direction, Model, TraceRequest, trace
from heistguard.errors import BadInput
from heistguard.intel.store import IntelStore
from tests.chain import heist
from tests.chain.heist import ETH, A


@pytest.fixture
def heist_store(store: IntelStore, tmp_path: Path) -> Iterator[IntelStore]:
    for path in heist.write_files(tmp_path / "heist"):
        ingest_file(store, path)
    heist.add_labels(store)
    yield store


@pytest.fixture
def engine(heist_store: IntelStore) -> Engine:
    return duckdb_engine(heist_store)


@pytest.mark.parametrize("model", list(Model))
def test_every_endpoint_and_amount_is_exact_under_each_model(
    heist_store: IntelStore, engine: Engine, model: Model
) -> None:
    result = trace(engine, Labeller(heist_store), TraceRequest(A["thief"], model=model, hops=6))
    assert result.stolen == {"ETH": 1000 * ETH}
    got = {t.entity: t.amounts["ETH"] for t in result.by_entity()}
    assert got == {entity: Fraction(amount * ETH) for entity, amount in heist.EXPECTED[model.value].items()}
    parked = result.unresolved.get(A["parked"], {}).get("ETH", Fraction(0))
    assert parked == heist.PARKED[model.value] * ETH
    if model is not Model.POISON:  # shares are conserved: endpoints plus what is parked is all of it
        shares = sum((sum(t.share.values()) for t in result.by_entity()), Fraction(0))
        assert shares + Fraction(heist.PARKED[model.value], 1000) == 1


def test_the_unlabelled_deposit_address_is_reported_as_its_exchange(heist_store: IntelStore, engine: Engine) -> None:
    result = trace(engine, Labeller(heist_store), TraceRequest(A["thief"]))
    deposit = result.endpoints[A["deposit"]]
    assert (deposit.entity, deposit.category, deposit.deposit_of) == ("Alpha", "exchange", A["alpha-hot"])
    assert A["alpha-hot"] not in result.endpoints  # the trace stopped at the deposit address
    assert [step["to"] for step in deposit.path] == [A["p1"], A["deposit"]]


def test_decoys_are_reported_and_never_followed(heist_store: IntelStore, engine: Engine) -> None:
    result = trace(engine, Labeller(heist_store), TraceRequest(A["thief"]))
    reasons = {(d.edge["to_address"], d.reason.split(":")[0]) for d in result.decoys}
    assert reasons == {
        (A["decoy"], "look-alike address of the real counterparty " + A["p1"]),
        (A["decoy"], "zero-value transfer"),
        (A["p3"], "fake token"),
    }
    assert A["decoy"] not in result.nodes
    assert result.nodes[A["p3"]]["hop"] == 3  # reached through p2, not through the fake token at hop 1


def test_a_clean_address_has_nothing_to_trace(heist_store: IntelStore, engine: Engine) -> None:
    result = trace(engine, Labeller(heist_store), TraceRequest(A["parked"]))
    assert result.endpoints == {} and result.stolen == {}


def test_hop_limit_leaves_the_rest_unresolved(heist_store: IntelStore, engine: Engine) -> None:
    result = trace(engine, Labeller(heist_store), TraceRequest(A["thief"], hops=1))
    assert {t.entity for t in result.by_entity()} == {"Mixpool", "Crossbridge"}
    assert result.unresolved == {A["p1"]: {"ETH": Fraction(600 * ETH)}}


def test_min_amount_stops_small_branches(heist_store: IntelStore, engine: Engine) -> None:
    result = trace(engine, Labeller(heist_store), TraceRequest(A["thief"], min_amount=200 * ETH))
    assert "Mixpool" not in {t.entity for t in result.by_entity()}


def test_trace_from_a_transaction_follows_only_that_payment(heist_store: IntelStore, engine: Engine) -> None:
    tx = heist.TRANSACTIONS[1]["hash"]  # thief -> p1, 600 ETH
    result = trace(engine, Labeller(heist_store), TraceRequest(tx, model=Model.FIFO))
    assert result.stolen == {"ETH": 600 * ETH}
    assert {t.entity: t.amounts["ETH"] for t in result.by_entity()} == {"Alpha": 100 * ETH, "Beta": 500 * ETH}


def test_backward_trace_finds_where_a_deposit_came_from(heist_store: IntelStore, engine: Engine) -> None:
    heist.add_labels(heist_store, {"victim": ("victim", "Test: the victim's hot wallet"), **heist.LABELS})
    result = trace(engine, Labeller(heist_store), TraceRequest(A["p2"], direction=Direction.BACKWARD))
    # p2 received 500 from the heist path and 500 clean: the path back reaches the thief's victim.
    assert set(result.nodes) >= {A["p1"], A["clean"], A["thief"], A["victim"]}
    assert result.unresolved[A["clean"]] == {"value": Fraction(1, 2)}


def test_a_malformed_start_is_a_clear_error(engine: Engine, heist_store: IntelStore) -> None:
    with pytest.raises(BadInput, match="malformed address"):
        trace(engine, Labeller(heist_store), TraceRequest("0x12345"))
    with pytest.raises(BadInput, match="transaction not in the store"):
        trace(engine, Labeller(heist_store), TraceRequest("0x" + "ab" * 32))


def test_max_nodes_stops_a_runaway_trace_and_says_where(heist_store: IntelStore, engine: Engine) -> None:
    result = trace(engine, Labeller(heist_store), TraceRequest(A["thief"], max_nodes=2))
    assert result.truncated_at_hop == 1
    assert result.unresolved == {A["p1"]: {"ETH": Fraction(600 * ETH)}}
    assert trace(engine, Labeller(heist_store), TraceRequest(A["thief"])).truncated_at_hop is None
