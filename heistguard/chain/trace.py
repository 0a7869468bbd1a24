"""Follow stolen value through transfers and swaps, in time, to the services where it can be frozen.

The engine (DuckDB or Spark) answers "what left / reached these addresses", hop by hop; the few
thousand transfers a trace touches are then replayed here in time order under a taint model:

- poison: everything an address sends after it received any stolen value is stolen;
- haircut: each payment carries the stolen share of the sender's balance at that moment;
- fifo: coins leave in the order they arrived (first in, first out).

A trace stops at services (exchanges, mixers, bridges from the intel labels, and unlabelled
exchange deposit addresses recognised by their sweeps), never follows poisoning decoys, and on
Bitcoin follows entities (clusters) rather than single addresses.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections import defaultdict, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from heistguard.chain.clustering import Clusters
from heistguard.chain.decoys import DecoyJudge
from heistguard.chain.engine import Engine
from heistguard.chain.labels import Label, Labeller
from heistguard.errors import BadInput

# An unlabelled address that passes at least this share of what it sends to one exchange's wallets is
# that exchange's deposit address (exchanges sweep deposits into their hot wallets).
DEPOSIT_SWEEP_SHARE = Fraction(9, 10)


class Model(enum.StrEnum):
    POISON = "poison"
    HAIRCUT = "haircut"
    FIFO = "fifo"


class Direction(enum.StrEnum):
    FORWARD = "forward"
    BACKWARD = "backward"


Share = dict[str, Fraction]  # origin asset -> share of the stolen amount of that asset


def _add(into: Share, more: Mapping[str, Fraction], factor: Fraction = Fraction(1)) -> None:
    for key, value in more.items():
        if value:
            into[key] = into.get(key, Fraction(0)) + value * factor


def _position_key(position: str) -> tuple[Any, ...]:
    parts = position.split(":")
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts)


def edge_key(edge: Mapping[str, Any]) -> tuple[Any, ...]:
    """Time order, then the order of the rows inside a block."""
    return (edge["time"], edge["block"], edge["tx"] or "", edge["origin"], _position_key(edge["position"]))


def edge_id(edge: Mapping[str, Any]) -> tuple[str, int, str, str]:
    return (edge["chain"], edge["block"], edge["origin"], edge["position"])


@dataclass
class Endpoint:
    """Where stolen value stopped: a service's address (or an exchange deposit address) and what reached it."""

    address: str
    entity: str
    category: str
    statement: str
    deposit_of: str | None = None  # the labelled exchange wallet a deposit address sweeps into
    amounts: dict[str, Fraction] = field(default_factory=dict)  # asset -> stolen base units that reached it
    share: Share = field(default_factory=dict)
    first_time: dt.datetime | None = None
    last_time: dt.datetime | None = None
    txs: list[str] = field(default_factory=list)
    path: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class EntityTotal:
    """Everything that reached one entity (all its addresses), which is what a freeze request names."""

    entity: str
    category: str
    amounts: dict[str, Fraction]
    share: Share
    addresses: list[str]


@dataclass
class Decoy:
    edge: dict[str, Any]
    reason: str


@dataclass
class TraceResult:
    start: str
    direction: Direction
    model: Model
    hops: int
    stolen: dict[str, int]  # asset -> base units that left the start
    endpoints: dict[str, Endpoint]
    unresolved: dict[str, dict[str, Fraction]]  # address -> asset -> stolen amount still there at the hop limit
    decoys: list[Decoy]
    edges: list[dict[str, Any]]  # every transfer replayed, with its 'taint' (base units) and 'followed'
    nodes: dict[str, dict[str, Any]]  # address -> hop, label, role
    swaps: list[dict[str, Any]]
    truncated_at_hop: int | None = None  # the hop where --max-nodes stopped the expansion
    asset_names: dict[str, tuple[str | None, int | None]] = field(default_factory=dict)  # token -> symbol, decimals

    def by_entity(self) -> list[EntityTotal]:
        totals: dict[tuple[str, str], EntityTotal] = {}
        for end in self.endpoints.values():
            key = (end.entity, end.category)
            total = totals.setdefault(key, EntityTotal(end.entity, end.category, {}, {}, []))
            _add(total.amounts, end.amounts)
            _add(total.share, end.share)
            total.addresses.append(end.address)
        return sorted(totals.values(), key=lambda t: (-sum(t.share.values()), t.entity))


# --- taint models ----------------------------------------------------------------------------------


class _Ledger:
    """Per (node, asset): what it holds and how much of that is stolen."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.balance: dict[tuple[str, str], int] = defaultdict(int)
        self.tainted: dict[tuple[str, str], Fraction] = defaultdict(Fraction)
        self.shares: dict[tuple[str, str], Share] = defaultdict(dict)
        self.lots: dict[tuple[str, str], deque[list[Any]]] = defaultdict(deque)  # fifo: [amount, tainted, share]
        self.poisoned: set[str] = set()

    def give(
        self, node: str, asset: str, amount: int, taint: Fraction, share: Share, pieces: list[list[Any]] | None = None
    ) -> None:
        key = (node, asset)
        self.balance[key] += amount
        self.tainted[key] += taint
        _add(self.shares[key], share)
        if self.model is Model.FIFO:
            self.lots[key].extend([list(p) for p in (pieces or [[Fraction(amount), taint, dict(share)]])])
        if taint > 0:
            self.poisoned.add(node)

    def take(self, node: str, asset: str, amount: int) -> tuple[Fraction, Share, list[list[Any]]]:
        """Remove `amount` from the node: (stolen part, its share, and for fifo the lots used, oldest first)."""
        key = (node, asset)
        if self.balance[key] < amount:
            # Funds held before the window: clean, and first in line.
            missing = amount - self.balance[key]
            self.balance[key] += missing
            self.lots[key].appendleft([Fraction(missing), Fraction(0), {}])
        if self.model is Model.POISON:
            self.balance[key] -= amount
            return (Fraction(amount) if node in self.poisoned else Fraction(0)), {}, []
        if self.model is Model.HAIRCUT:
            part = Fraction(amount, self.balance[key]) if self.balance[key] else Fraction(0)
            taint = self.tainted[key] * part
            share = {k: v * part for k, v in self.shares[key].items()}
            self.balance[key] -= amount
            self.tainted[key] -= taint
            for k, v in share.items():
                self.shares[key][k] -= v
            return taint, share, []
        # FIFO
        pieces: list[list[Any]] = []
        need = Fraction(amount)
        taint, share = Fraction(0), {}
        lots = self.lots[key]
        while need > 0 and lots:
            lot = lots[0]
            used = min(need, lot[0])
            part = used / lot[0]
            lot_taint = lot[1] * part
            lot_share = {k: v * part for k, v in lot[2].items()}
            taint += lot_taint
            _add(share, lot_share)
            pieces.append([used, lot_taint, lot_share])
            lot[0] -= used
            lot[1] -= lot_taint
            lot[2] = {k: v - lot_share[k] for k, v in lot[2].items()}
            need -= used
            if lot[0] == 0:
                lots.popleft()
        self.balance[key] -= amount
        self.tainted[key] -= taint
        return taint, share, pieces


# --- the trace --------------------------------------------------------------------------------------


@dataclass
class TraceRequest:
    start: str  # an address or a transaction hash
    direction: Direction = Direction.FORWARD
    hops: int = 6
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    min_amount: int = 0  # base units; smaller transfers are not followed
    model: Model = Model.HAIRCUT
    chain: str | None = None
    # A trace that reaches a hub (a hot wallet, a DEX router) would otherwise grow without bound.
    max_nodes: int = 20_000


def _is_tx_hash(value: str) -> bool:
    body = value[2:] if value.startswith("0x") else value
    return len(body) == 64 and all(c in "0123456789abcdefABCDEF" for c in body)


class Tracer:
    def __init__(self, engine: Engine, labeller: Labeller, clusters: Clusters | None = None) -> None:
        self.engine = engine
        self.labeller = labeller
        self.clusters = clusters
        self.judge = DecoyJudge.from_tokens(engine.tokens())

    def _node(self, address: str | None) -> str | None:
        if address is None or self.clusters is None:
            return address
        return self.clusters.node(address)

    def _members(self, node: str) -> list[str]:
        return self.clusters.members(node) if self.clusters is not None else [node]

    def run(self, request: TraceRequest) -> TraceResult:
        if request.hops < 1:
            raise BadInput("bad --hops", str(request.hops), "follow at least one hop")
        if request.direction is Direction.BACKWARD:
            return self._backward(request)
        return self._forward(request)

    # --- forward ----------------------------------------------------------------------------

    def _window(self, request: TraceRequest) -> dict[str, Any]:
        return {"since": request.since, "until": request.until, "chain": request.chain}

    def _forward(self, request: TraceRequest) -> TraceResult:
        start = request.start.strip()
        window = self._window(request)
        edges: dict[tuple[str, int, str, str], dict[str, Any]] = {}
        nodes: dict[str, dict[str, Any]] = {}
        first_time: dict[str, dt.datetime] = {}
        parent: dict[str, dict[str, Any]] = {}
        decoys: dict[tuple[str, int, str, str], Decoy] = {}
        not_followed: set[tuple[str, int, str, str]] = set()
        outs_cache: dict[str, list[dict[str, Any]]] = {}

        def outs(node_list: Iterable[str]) -> None:
            todo = [n for n in node_list if n not in outs_cache]
            members = {m: n for n in todo for m in self._members(n)}
            for n in todo:
                outs_cache[n] = []
            for e in self.engine.edges_from(members, **window):
                outs_cache[members[e["from_address"]]].append(e)

        if _is_tx_hash(start):
            tx = start.lower() if start.startswith("0x") else start
            seed_edges = [e for e in self.engine.edges_of_tx([tx]) if e["from_address"]]
            if not seed_edges:
                raise BadInput("transaction not in the store", start, "ingest the blocks that hold it first")
            sources = sorted({str(self._node(e["from_address"])) for e in seed_edges})
            seed_ids = {edge_id(e) for e in seed_edges}
            for s in sources:
                outs_cache[s] = [e for e in seed_edges if self._node(e["from_address"]) == s]
        else:
            sources = [str(self._node(_address_form(start)))]
            seed_ids = set()
            outs(sources)
        for s in sources:
            nodes[s] = {"hop": 0, "role": "source"}
            first_time[s] = request.since or dt.datetime.min
        frontier = list(sources)
        stops: dict[str, Label] = {}
        deposits: dict[str, Label] = {}
        swap_txs: set[tuple[str, str]] = set()  # (tx, node) where the node swapped one asset for another
        in_assets: dict[tuple[str, str], set[str]] = defaultdict(set)  # (node, tx) -> assets it received
        truncated: int | None = None
        for hop in range(1, request.hops + 1):
            members = [m for n in frontier for m in self._members(n)]
            for e in self.engine.edges_to(members, **window):
                edges.setdefault(edge_id(e), e)
                if e["tx"]:
                    in_assets[(str(self._node(e["to_address"])), e["tx"])].add(e["asset"])
            candidates: dict[str, dict[str, Any]] = {}
            for node in frontier:
                out_list = sorted(outs_cache.get(node, []), key=edge_key)
                for e in out_list:
                    if seed_ids and node in sources and edge_id(e) not in seed_ids:
                        continue
                    # Every payment counts for the balance, also those made before stolen value arrived.
                    edges.setdefault(edge_id(e), e)
                    if e["time"] < first_time[node]:
                        self.judge.judge(e)  # keeps the sender's real counterparties current (look-alikes)
                        continue
                    reason = self.judge.judge(e)
                    if reason:
                        decoys[edge_id(e)] = Decoy(e, reason)
                        continue
                    target = self._node(e["to_address"])
                    if target is None or target == node:
                        continue
                    if e["tx"] and in_assets.get((node, e["tx"]), set()) - {e["asset"]}:
                        swap_txs.add((e["tx"], node))  # sent one asset, got another back: a swap, not a payment
                        not_followed.add(edge_id(e))
                        continue
                    if int(e["amount"]) < request.min_amount:
                        not_followed.add(edge_id(e))
                        continue
                    if target in nodes:
                        continue
                    if target not in candidates or edge_key(e) < edge_key(candidates[target]):
                        candidates[target] = e
            if not candidates:
                frontier = []
                break
            new = sorted(candidates)
            for target in new:
                nodes[target] = {"hop": hop, "role": "hop"}
                first_time[target] = candidates[target]["time"]
                parent[target] = candidates[target]
            labels = self.labeller.labels(new)
            for target, label in labels.items():
                nodes[target]["label"] = label.statement
                nodes[target]["entity"] = label.entity
                nodes[target]["category"] = label.category
                if label.is_service:
                    stops[target] = label
                    nodes[target]["role"] = "endpoint"
            unlabelled = [t for t in new if t not in stops]
            outs(unlabelled)
            self._find_deposits(unlabelled, outs_cache, first_time, deposits, nodes)
            frontier = [t for t in new if t not in stops and t not in deposits]
            if len(nodes) > request.max_nodes and frontier and hop < request.hops:
                truncated = hop
                break
        result = self._replay(
            request, sources, seed_ids, edges, nodes, stops, deposits, parent, decoys, not_followed, swap_txs
        )
        result.truncated_at_hop = truncated
        result.asset_names = self._asset_names(result.edges)
        return result

    def _asset_names(self, edges: list[dict[str, Any]]) -> dict[str, tuple[str | None, int | None]]:
        """Symbol and decimals of the tokens a trace touched, so amounts can be shown in whole tokens."""
        names: dict[str, tuple[str | None, int | None]] = {}
        for e in edges:
            if e["asset"] in ("ETH", "BTC") or e["asset"] in names:
                continue
            symbol = self.judge.token_symbols.get((e["chain"], e["asset"].lower()))
            names[e["asset"]] = (symbol, e["decimals"])
        return names

    def _find_deposits(
        self,
        candidates: list[str],
        outs_cache: Mapping[str, list[dict[str, Any]]],
        first_time: Mapping[str, dt.datetime],
        deposits: dict[str, Label],
        nodes: dict[str, dict[str, Any]],
    ) -> None:
        receivers = {e["to_address"] for c in candidates for e in outs_cache.get(c, []) if e["to_address"]}
        labels = self.labeller.labels(receivers)
        for c in candidates:
            sent: dict[str, int] = defaultdict(int)
            total = 0
            wallet: dict[str, str] = {}
            for e in outs_cache.get(c, []):
                if e["time"] < first_time[c] or not e["amount"]:
                    continue
                total += int(e["amount"])
                label = labels.get(e["to_address"])
                if label and label.category == "exchange":
                    sent[label.entity] += int(e["amount"])
                    wallet.setdefault(label.entity, e["to_address"])
            if not sent or not total:
                continue
            entity, amount = max(sent.items(), key=lambda kv: (kv[1], kv[0]))
            if Fraction(amount, total) >= DEPOSIT_SWEEP_SHARE:
                exchange = labels[wallet[entity]]
                deposits[c] = exchange
                nodes[c].update(
                    role="endpoint",
                    entity=entity,
                    category="exchange",
                    label=f"deposit address of {entity}: sweeps {float(Fraction(amount, total)):.0%} of what it sends "
                    f"into {wallet[entity]}",
                )

    def _replay(
        self,
        request: TraceRequest,
        sources: list[str],
        seed_ids: set[tuple[str, int, str, str]],
        edges: Mapping[tuple[str, int, str, str], dict[str, Any]],
        nodes: dict[str, dict[str, Any]],
        stops: Mapping[str, Label],
        deposits: Mapping[str, Label],
        parent: Mapping[str, dict[str, Any]],
        decoys: Mapping[tuple[str, int, str, str], Decoy],
        not_followed: set[tuple[str, int, str, str]],
        swap_txs: set[tuple[str, str]],
    ) -> TraceResult:
        ledger = _Ledger(request.model)
        ordered = sorted(edges.values(), key=edge_key)
        source_set = set(sources)
        stolen: dict[str, int] = defaultdict(int)
        for e in ordered:
            node = self._node(e["from_address"])
            counted = node in source_set and edge_id(e) not in decoys and (e["tx"], node) not in swap_txs
            if counted and (not seed_ids or edge_id(e) in seed_ids) and e["time"] >= (request.since or dt.datetime.min):
                stolen[e["asset"]] += int(e["amount"])
        endpoints: dict[str, Endpoint] = {}
        swaps: list[dict[str, Any]] = []
        tracked = {n for n, info in nodes.items() if info["role"] != "endpoint"}
        replayed: list[dict[str, Any]] = []
        # Group by transaction so a swap's outgoing taint is known before its incoming asset is credited.
        i = 0
        while i < len(ordered):
            j = i
            while (
                j < len(ordered) and ordered[j]["tx"] == ordered[i]["tx"] and ordered[j]["block"] == ordered[i]["block"]
            ):
                j += 1
            group = ordered[i:j]
            i = j
            swapped: dict[str, tuple[Fraction, Share, str]] = {}
            for e in group:
                src, dst = self._node(e["from_address"]), self._node(e["to_address"])
                amount = int(e["amount"]) if e["amount"] is not None else 0
                row = {**e, "taint": Fraction(0), "followed": False}
                replayed.append(row)
                if edge_id(e) in decoys or amount == 0 or dst is None or src == dst:
                    continue
                if (e["tx"], dst) in swap_txs:
                    continue  # what a swap paid back is credited below, with the stolen share of what was given
                if src in source_set and (not seed_ids or edge_id(e) in seed_ids) and e["asset"] in stolen:
                    taint, share = Fraction(amount), {e["asset"]: Fraction(amount, stolen[e["asset"]])}
                    pieces: list[list[Any]] = []
                    if request.model is Model.POISON:
                        share = {}
                elif src is not None and src in tracked and src not in source_set:
                    taint, share, pieces = ledger.take(src, e["asset"], amount)
                else:
                    taint, share, pieces = Fraction(0), {}, []
                if src is not None and (e["tx"], src) in swap_txs and edge_id(e) in not_followed:
                    if src in source_set:
                        continue  # the start's own swaps: what it sends afterwards counts as stolen anyway
                    prev = swapped.get(src, (Fraction(0), {}, e["asset"]))
                    merged = dict(prev[1])
                    _add(merged, share)
                    swapped[src] = (prev[0] + (taint / amount if amount else 0), merged, e["asset"])
                    row["taint"] = taint
                    swaps.append({"tx": e["tx"], "node": src, "gave": e["asset"], "amount": amount, "taint": taint})
                    continue
                row["taint"] = taint
                row["followed"] = edge_id(e) not in not_followed and taint > 0
                if dst in stops or dst in deposits:
                    if taint > 0:
                        self._credit(
                            endpoints, dst, stops.get(dst) or deposits[dst], dst in deposits, e, taint, share, parent
                        )
                    continue
                if edge_id(e) in not_followed:
                    continue
                ledger.give(dst, e["asset"], amount, taint, share, pieces)
            # Incoming legs of swaps: the stolen share of what was given becomes a share of what came back.
            for node, (_, share, gave) in swapped.items():
                back = [e for e in group if self._node(e["to_address"]) == node and e["asset"] != gave and e["amount"]]
                total_back = sum(int(e["amount"]) for e in back)
                gave_taint = sum(
                    (s["taint"] for s in swaps if s["tx"] == group[0]["tx"] and s["node"] == node), Fraction(0)
                )
                gave_amount = sum(s["amount"] for s in swaps if s["tx"] == group[0]["tx"] and s["node"] == node)
                for e in back:
                    part = Fraction(int(e["amount"]), total_back)
                    ratio = gave_taint / gave_amount if gave_amount else Fraction(0)
                    ledger.give(
                        node,
                        e["asset"],
                        int(e["amount"]),
                        int(e["amount"]) * ratio,
                        {k: v * part for k, v in share.items()},
                    )
                    if request.model is Model.POISON and ratio > 0:
                        ledger.poisoned.add(node)
        unresolved: dict[str, dict[str, Fraction]] = {}
        for (node, asset), taint in ledger.tainted.items():
            if taint > 0 and node in tracked and node not in source_set:
                unresolved.setdefault(node, {})[asset] = taint
        if request.model is Model.POISON:
            unresolved = {
                n: {a: Fraction(b) for (m, a), b in ledger.balance.items() if m == n and b > 0}
                for n in ledger.poisoned
                if n in tracked and n not in source_set
            }
            unresolved = {n: v for n, v in unresolved.items() if v}
        return TraceResult(
            start=request.start,
            direction=request.direction,
            model=request.model,
            hops=request.hops,
            stolen=dict(stolen),
            endpoints=endpoints,
            unresolved=unresolved,
            decoys=sorted(decoys.values(), key=lambda d: edge_key(d.edge)),
            edges=replayed,
            nodes=nodes,
            swaps=swaps,
        )

    def _credit(
        self,
        endpoints: dict[str, Endpoint],
        address: str,
        label: Label,
        deposit: bool,
        e: Mapping[str, Any],
        taint: Fraction,
        share: Share,
        parent: Mapping[str, dict[str, Any]],
    ) -> None:
        end = endpoints.get(address)
        if end is None:
            end = Endpoint(
                address=address,
                entity=label.entity,
                category=label.category,
                statement=label.statement,
                deposit_of=label.address if deposit else None,
                path=_path_to(address, parent),
            )
            endpoints[address] = end
        end.amounts[e["asset"]] = end.amounts.get(e["asset"], Fraction(0)) + taint
        _add(end.share, share)
        end.first_time = min(filter(None, (end.first_time, e["time"])))
        end.last_time = max(filter(None, (end.last_time, e["time"])))
        if e["tx"] and e["tx"] not in end.txs:
            end.txs.append(e["tx"])

    # --- backward ---------------------------------------------------------------------------

    def _backward(self, request: TraceRequest) -> TraceResult:
        """Where did the value at an address come from? Each hop attributes an address's receipts to its
        senders in proportion to what they sent (before the time it was spent), stopping at services."""
        start = str(self._node(_address_form(request.start.strip())))
        window = self._window(request)
        nodes: dict[str, dict[str, Any]] = {start: {"hop": 0, "role": "source"}}
        weight: dict[str, Fraction] = {start: Fraction(1)}
        latest: dict[str, dt.datetime] = {start: request.until or dt.datetime.max}
        endpoints: dict[str, Endpoint] = {}
        replayed: list[dict[str, Any]] = []
        decoys: list[Decoy] = []
        parent: dict[str, dict[str, Any]] = {}
        origins: dict[str, dict[str, Fraction]] = {}
        frontier = [start]
        for hop in range(1, request.hops + 1):
            members = {m: n for n in frontier for m in self._members(n)}
            incoming = [e for e in self.engine.edges_to(members, **window) if e["from_address"]]
            next_weight: dict[str, Fraction] = defaultdict(Fraction)
            by_node: dict[str, list[dict[str, Any]]] = defaultdict(list)
            for e in sorted(incoming, key=edge_key):
                node = members[e["to_address"]]
                if e["time"] > latest[node]:
                    continue
                reason = self.judge.judge(e)
                if reason:
                    decoys.append(Decoy(e, reason))
                    continue
                if int(e["amount"]) < request.min_amount:
                    continue
                by_node[node].append(e)
            for node in frontier:
                if node not in by_node:
                    origins[node] = {"value": weight[node]}  # nothing came in: where the value was first seen
            for node, received in by_node.items():
                total = sum(int(e["amount"]) for e in received)
                for e in received:
                    sender = str(self._node(e["from_address"]))
                    part = weight[node] * Fraction(int(e["amount"]), total)
                    next_weight[sender] += part
                    replayed.append({**e, "taint": part, "followed": True})
                    if sender not in nodes:
                        nodes[sender] = {"hop": hop, "role": "hop"}
                        parent[sender] = e
                    latest[sender] = max(latest.get(sender, dt.datetime.min), e["time"])
            labels = self.labeller.labels(list(next_weight))
            frontier = []
            for sender, part in sorted(next_weight.items()):
                label = labels.get(sender)
                if label is not None:
                    nodes[sender].update(label=label.statement, entity=label.entity, category=label.category)
                if label is not None and (label.is_service or label.is_bad):
                    nodes[sender]["role"] = "endpoint"
                    end = endpoints.setdefault(
                        sender,
                        Endpoint(sender, label.entity, label.category, label.statement, path=_path_to(sender, parent)),
                    )
                    _add(end.share, {"value": part})
                else:
                    weight[sender] = weight.get(sender, Fraction(0)) + part if sender in weight else part
                    frontier.append(sender)
            if not frontier:
                break
        else:
            frontier = [n for n in frontier if n not in origins]
        unresolved = {**origins, **{n: {"value": weight[n]} for n in frontier}}
        return TraceResult(
            start=request.start,
            direction=request.direction,
            model=request.model,
            hops=request.hops,
            stolen={},
            endpoints=endpoints,
            unresolved=unresolved,
            decoys=decoys,
            edges=replayed,
            nodes=nodes,
            swaps=[],
        )


def _path_to(address: str, parent: Mapping[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The first-found route from the start to `address`: one transfer per hop."""
    path = []
    seen = set()
    node = address
    while node in parent and node not in seen:
        seen.add(node)
        e = parent[node]
        path.append(
            {
                "tx": e["tx"],
                "from": e["from_address"],
                "to": e["to_address"],
                "asset": e["asset"],
                "amount": str(e["amount"]),
                "time": e["time"].isoformat(sep=" "),
            }
        )
        node = e["from_address"]
    return list(reversed(path))


def _address_form(value: str) -> str:
    """The form the transfers table uses: EVM in lower case, Bitcoin exactly as written."""
    if value.startswith(("0x", "0X")):
        body = value[2:]
        if len(body) != 40 or any(c not in "0123456789abcdefABCDEF" for c in body):
            raise BadInput("malformed address", value, "an EVM address is 0x and 40 hex digits")
        return "0x" + body.lower()
    from heistguard.intel import normalise

    return normalise(value, "address").value


def trace(
    engine: Engine,
    labeller: Labeller,
    request: TraceRequest,
    clusters: Clusters | None = None,
) -> TraceResult:
    """Run one trace (see the module docstring for the models)."""
    return Tracer(engine, labeller, clusters).run(request)
