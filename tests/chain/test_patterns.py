"""Every laundering-pattern rule fires on the shape it names and stays silent on an ordinary one."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from heistguard.chain.engine import duckdb_engine
from heistguard.chain.labels import Labeller
from heistguard.chain.rules import trace_findings
from heistguard.chain.rules.context import TraceContext
from heistguard.chain.trace import Direction, TraceRequest, TraceResult, trace
from heistguard.intel.store import IntelStore
from tests.chain.builder import GraphBuilder

ETH = 10**18
DAY = 24 * 60


def _run(store: IntelStore, tmp_path: Path, g: GraphBuilder, start: str = "thief") -> tuple[TraceResult, set[str]]:
    g.load(store, tmp_path / g.name)
    engine = duckdb_engine(store)
    result = trace(engine, Labeller(store), TraceRequest(g.a(start)))
    return result, {f.rule_id for f in trace_findings(TraceContext(result, engine))}


def test_peel_chain_fires_on_small_slices_off_a_shrinking_balance(store: IntelStore, tmp_path: Path) -> None:
    g = GraphBuilder("peel")
    g.pay("thief", "h1", 100 * ETH, 1)
    for i in range(1, 5):
        g.pay(f"h{i}", f"cashout{i}", 5 * ETH, 10 * i)
        g.pay(f"h{i}", f"h{i + 1}", (95 - 5 * (i - 1)) * ETH, 10 * i + 1)
    _, rules = _run(store, tmp_path, g)
    assert "chain.peel-chain" in rules


def test_peel_chain_is_silent_on_even_splits(store: IntelStore, tmp_path: Path) -> None:
    g = GraphBuilder("even")
    g.pay("thief", "h1", 100 * ETH, 1)
    g.pay("h1", "a", 50 * ETH, 10)
    g.pay("h1", "b", 50 * ETH, 11)
    _, rules = _run(store, tmp_path, g)
    assert "chain.peel-chain" not in rules


@pytest.mark.parametrize(("branches", "fires"), [(6, True), (3, False)])
def test_fan_out(store: IntelStore, tmp_path: Path, branches: int, fires: bool) -> None:
    g = GraphBuilder(f"fanout{branches}")
    for i in range(branches):
        g.pay("thief", f"split{i}", 10 * ETH, 1 + i)
    _, rules = _run(store, tmp_path, g)
    assert ("chain.fan-out" in rules) is fires


@pytest.mark.parametrize(("senders", "fires"), [(4, True), (2, False)])
def test_fan_in(store: IntelStore, tmp_path: Path, senders: int, fires: bool) -> None:
    g = GraphBuilder(f"fanin{senders}")
    for i in range(senders):
        g.pay("thief", f"split{i}", 10 * ETH, 1 + i)
        g.pay(f"split{i}", "gather", 10 * ETH, 30 + i)
    _, rules = _run(store, tmp_path, g)
    assert ("chain.fan-in" in rules) is fires


def test_mixer_denominations_with_a_matching_withdrawal(store: IntelStore, tmp_path: Path) -> None:
    g = GraphBuilder("mixer")
    g.label("pool", "mixer", "GraphSense: test mixer 100 ETH pool (testmix)")
    for i in range(3):
        g.pay("thief", "pool", 100 * ETH, 1 + i)
    g.pay("pool", "fresh-withdrawer", 100 * ETH, 300)
    g.pay("pool", "someone-else", 10 * ETH, 301)
    result, rules = _run(store, tmp_path, g)
    assert {"chain.mixer-deposit", "chain.mixer-denominations"} <= rules
    engine = duckdb_engine(store)
    found = [f for f in trace_findings(TraceContext(result, engine)) if f.rule_id == "chain.mixer-denominations"]
    assert "1 withdrawal(s) of the same amount" in found[0].title
    assert any(i.value == g.a("fresh-withdrawer") for i in found[0].indicators)


def test_mixer_denominations_is_silent_on_one_odd_deposit(store: IntelStore, tmp_path: Path) -> None:
    g = GraphBuilder("mixer-odd")
    g.label("pool", "mixer", "GraphSense: test mixer (testmix)")
    g.pay("thief", "pool", 37 * ETH, 1)
    _, rules = _run(store, tmp_path, g)
    assert "chain.mixer-deposit" in rules and "chain.mixer-denominations" not in rules


def test_swaps_carry_the_taint_and_a_quick_chain_of_them_is_reported(store: IntelStore, tmp_path: Path) -> None:
    g = GraphBuilder("swaps")
    g.label("exchange", "exchange", "GraphSense: gamma hot wallet (gamma)")
    g.token("usdt", "thief", "h1", 1000, 1)
    g.swap("h1", "dex", ("usdt", 1000), ("dai", 990), 10)
    g.swap("h1", "dex", ("dai", 990), ("weth", 3), 20)
    g.token("weth", "h1", "exchange", 3, 30)
    result, rules = _run(store, tmp_path, g)
    assert "chain.rapid-swaps" in rules
    gamma = result.by_entity()[0]
    assert (gamma.entity, gamma.amounts, gamma.share) == ("Gamma", {g.a("weth"): 3}, {g.a("usdt"): Fraction(1)})
    assert g.a("dex") not in result.nodes  # the swap venue is not where the money went


def test_one_swap_is_not_a_swap_chain(store: IntelStore, tmp_path: Path) -> None:
    g = GraphBuilder("oneswap")
    g.token("usdt", "thief", "h1", 1000, 1)
    g.swap("h1", "dex", ("usdt", 1000), ("dai", 990), 10)
    _, rules = _run(store, tmp_path, g)
    assert "chain.rapid-swaps" not in rules


@pytest.mark.parametrize(("idle_days", "fires"), [(45, True), (1, False)])
def test_dormant_then_move(store: IntelStore, tmp_path: Path, idle_days: int, fires: bool) -> None:
    g = GraphBuilder(f"dormant{idle_days}")
    g.pay("thief", "h1", 10 * ETH, 1)
    g.pay("h1", "h2", 10 * ETH, 1 + idle_days * DAY)
    _, rules = _run(store, tmp_path, g)
    assert ("chain.dormant-then-move" in rules) is fires


def test_bridge_exit_and_exchange_endpoint(store: IntelStore, tmp_path: Path) -> None:
    g = GraphBuilder("endpoints")
    g.label("bridge", "bridge", "Etherscan: Testbridge: Router")
    g.label("exchange", "exchange", "GraphSense: delta hot wallet (delta)")
    g.pay("thief", "bridge", 10 * ETH, 1)
    g.pay("thief", "exchange", 5 * ETH, 2)
    _, rules = _run(store, tmp_path, g)
    assert {"chain.bridge-exit", "chain.exchange-endpoint"} <= rules


def test_no_endpoint_rules_when_funds_go_nowhere_known(store: IntelStore, tmp_path: Path) -> None:
    g = GraphBuilder("nowhere")
    g.pay("thief", "h1", 10 * ETH, 1)
    _, rules = _run(store, tmp_path, g)
    assert rules == set()


@pytest.mark.parametrize(("labelled", "fires"), [(True, True), (False, False)])
def test_tainted_source_on_a_backward_trace(store: IntelStore, tmp_path: Path, labelled: bool, fires: bool) -> None:
    g = GraphBuilder(f"backward{labelled}")
    if labelled:
        g.label("thief", "attributed-theft", "Test: heist thief")
    g.pay("thief", "h1", 30 * ETH, 1)
    g.pay("salary", "h1", 10 * ETH, 2)
    g.pay("h1", "deposit", 40 * ETH, 3)
    g.load(store, tmp_path / g.name)
    engine = duckdb_engine(store)
    result = trace(engine, Labeller(store), TraceRequest(g.a("deposit"), direction=Direction.BACKWARD))
    found = [f for f in trace_findings(TraceContext(result, engine)) if f.rule_id == "chain.tainted-source"]
    assert bool(found) is fires
    if fires:
        assert found[0].title.startswith("75.00% of the value")


def test_money_spent_before_the_theft_does_not_dilute_it(store: IntelStore, tmp_path: Path) -> None:
    g = GraphBuilder("history")
    g.label("exchange", "exchange", "GraphSense: epsilon hot wallet (epsilon)")
    g.pay("salary", "h1", 1000 * ETH, 1)  # h1's own history: received and spent before the heist
    g.pay("h1", "landlord", 1000 * ETH, 2)
    g.pay("thief", "h1", 100 * ETH, 10)
    g.pay("h1", "h2", 100 * ETH, 11)
    g.pay("h2", "exchange", 100 * ETH, 12)  # h2 sweeps into the exchange: its deposit address
    g.load(store, tmp_path / g.name)
    result = trace(duckdb_engine(store), Labeller(store), TraceRequest(g.a("thief")))
    assert {t.entity: t.amounts["ETH"] for t in result.by_entity()} == {"Epsilon": 100 * ETH}


def test_token_amounts_are_shown_in_whole_tokens(store: IntelStore, tmp_path: Path) -> None:
    g = GraphBuilder("tokens")
    g.token_meta("stable", "TST", 6)
    g.label("exchange", "exchange", "GraphSense: zeta hot wallet (zeta)")
    g.token("stable", "thief", "exchange", 1_250_000 * 10**6, 1)
    result, _ = _run(store, tmp_path, g)
    engine = duckdb_engine(store)
    (found,) = [f for f in trace_findings(TraceContext(result, engine)) if f.rule_id == "chain.exchange-endpoint"]
    assert "received 1,250,000 TST (" in found.title
