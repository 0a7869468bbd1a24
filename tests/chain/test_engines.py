"""Parity: screening and tracing give identical answers on DuckDB and on a local Spark session (started once)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from heistguard.chain.clustering import build_clusters
from heistguard.chain.engine import Engine, duckdb_engine, export_parquet, spark_engine, spark_session
from heistguard.chain.ingest import ingest_file
from heistguard.chain.labels import Labeller
from heistguard.chain.rules import trace_findings
from heistguard.chain.rules.context import TraceContext
from heistguard.chain.screen import screen
from heistguard.chain.trace import Direction, Model, TraceRequest, TraceResult, trace
from heistguard.intel.store import IntelStore
from tests.chain import heist
from tests.chain.conftest import ETH, graphsense_as_bitcoin_etl
from tests.chain.heist import A


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    session = spark_session("local[2]")
    yield session
    session.stop()


@pytest.fixture
def engines(store: IntelStore, tmp_path: Path, spark: Any) -> tuple[Engine, Engine]:
    for path in heist.write_files(tmp_path / "heist"):
        ingest_file(store, path)
    ingest_file(store, ETH / "expected_token_transfers.json")  # real transfers around the generated ones
    heist.add_labels(store, {**heist.LABELS, "thief": ("attributed-theft", "Test: heist thief")})
    ingest_file(store, graphsense_as_bitcoin_etl(tmp_path), chain="bitcoin")  # for the clustering parity
    parquet = export_parquet(store, tmp_path / "parquet")
    return duckdb_engine(store), spark_engine(parquet, session=spark)


def _summary(result: TraceResult, engine: Engine) -> dict[str, Any]:
    return {
        "stolen": result.stolen,
        "entities": [(t.entity, t.category, t.amounts, t.share, sorted(t.addresses)) for t in result.by_entity()],
        "unresolved": result.unresolved,
        "decoys": [(d.reason, d.edge["tx"]) for d in result.decoys],
        "nodes": result.nodes,
        "edges": [(e["tx"], e["position"], e["taint"]) for e in result.edges],
        "findings": [f.model_dump() for f in trace_findings(TraceContext(result, engine))],
    }


def test_trace_and_screen_are_identical_on_duckdb_and_spark(store: IntelStore, engines: tuple[Engine, Engine]) -> None:
    duck, spark = engines
    assert spark.name == "spark" and duck.name == "duckdb"
    for model in Model:
        request = TraceRequest(A["thief"], model=model)
        answers = [_summary(trace(e, Labeller(store), request), e) for e in (duck, spark)]
        assert answers[0] == answers[1]
        assert answers[0]["entities"]  # a parity of two empty answers would prove nothing
    backward = TraceRequest(A["p3"], direction=Direction.BACKWARD)
    assert _summary(trace(duck, Labeller(store), backward), duck) == _summary(
        trace(spark, Labeller(store), backward), spark
    )
    screened = [A["p1"], A["p2"], A["p3"], A["clean"], "0x6b75d8af000000e20b7a7ddf000ba900b4009a80"]
    results = [screen(e, store, screened, hops=3) for e in (duck, spark)]
    flat = [[(r.address, [(x.direction, x.hops, x.listed, x.path) for x in r.exposures]) for r in rs] for rs in results]
    assert flat[0] == flat[1]
    assert any(exposures for _, exposures in flat[0])


def test_bitcoin_clusters_are_identical_on_duckdb_and_spark(engines: tuple[Engine, Engine]) -> None:
    duck, spark = engines
    on_duck, on_spark = build_clusters(duck, "bitcoin"), build_clusters(spark, "bitcoin")
    assert on_duck.of == on_spark.of and len(set(on_duck.of.values())) >= 3
