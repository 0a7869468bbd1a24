"""Screen counterparties: is an address itself listed, or within N hops of a sanctioned or attributed address?

Exposure is searched from the bad side, which is small (thousands of listed addresses), rather
than from the screened side (up to millions): hop by hop, what the listed addresses paid
(incoming exposure for the receivers) and what paid them (outgoing exposure for the senders),
never through services, whose customers are not each other's counterparties.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from heistguard.chain.decoys import DecoyJudge
from heistguard.chain.engine import Engine
from heistguard.chain.labels import BAD_CATEGORIES, Label, Labeller
from heistguard.chain.trace import edge_key
from heistguard.errors import BadInput
from heistguard.intel import IntelStore, normalise
from heistguard.intel.indicators import IndicatorType


@dataclass
class Exposure:
    """How one screened address is connected to a listed one."""

    address: str
    direction: str  # 'received-from' (value came from the listed address) or 'sent-to'
    hops: int
    listed: str
    label: Label
    path: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ScreenResult:
    input: str
    address: str | None
    direct: list[Label] = field(default_factory=list)
    exposures: list[Exposure] = field(default_factory=list)
    error: str | None = None


_LOWER_EVM = re.compile(r"0x[0-9a-f]{40}")


def address_form(value: str) -> str:
    """The transfers table's form of an address: EVM lower case, others as normalised by intel."""
    value = value.strip()
    if _LOWER_EVM.fullmatch(value):
        return value  # all lower case: no checksum to verify, already the stored form (the 1M-address fast path)
    indicator = normalise(value, IndicatorType.ADDRESS)
    return indicator.value.lower() if indicator.value.startswith("0x") else indicator.value


def _key(value: str) -> str:
    return value.lower() if value.startswith("0x") else value


def listed_addresses(labeller: Labeller) -> tuple[list[str], set[str]]:
    """(every address the intel store currently holds as sanctioned, attributed or otherwise bad; every address
    it holds anything about), so a million screened addresses need a full lookup only where the store knows
    them. Intel decides what is current (a delisting supersedes older sanctions statements)."""
    bad, known = labeller.intel.current_addresses(BAD_CATEGORIES)
    return sorted({_key(a) for a in bad}), {_key(a) for a in known}


def _step(e: dict[str, Any]) -> dict[str, Any]:
    return {
        "tx": e["tx"],
        "from": e["from_address"],
        "to": e["to_address"],
        "asset": e["asset"],
        "amount": str(e["amount"]),
        "time": e["time"].isoformat(sep=" "),
    }


def _reach(
    engine: Engine,
    labeller: Labeller,
    seeds: Sequence[str],
    hops: int,
    forward: bool,
    window: dict[str, Any],
) -> dict[str, tuple[int, str, list[dict[str, Any]]]]:
    """address -> (hops, listed seed, path) for everything within `hops` of the seeds in one direction."""
    judge = DecoyJudge.from_tokens(engine.tokens())
    found: dict[str, tuple[int, str, list[dict[str, Any]]]] = {s: (0, s, []) for s in seeds}
    frontier = list(seeds)
    for hop in range(1, hops + 1):
        rows = engine.edges_from(frontier, **window) if forward else engine.edges_to(frontier, **window)
        best: dict[str, dict[str, Any]] = {}
        for e in sorted(rows, key=edge_key):
            if judge.judge(e):
                continue  # zero-value, fake-token and look-alike transfers are anyone's to fake (address poisoning)
            near, far = (e["from_address"], e["to_address"]) if forward else (e["to_address"], e["from_address"])
            if far is None or far in found:
                continue
            # The largest transfer is the evidence; ties go to the earliest.
            if far not in best or int(e["amount"]) > int(best[far]["amount"]):
                best[far] = {**e, "_near": near}
        labels = labeller.labels(best)
        frontier = []
        for far, e in sorted(best.items()):
            _, seed, path = found[e["_near"]]
            step = _step(e)
            found[far] = (hop, seed, [*path, step] if forward else [step, *path])
            label = labels.get(far)
            if label is None or not label.is_service:
                frontier.append(far)
        if not frontier:
            break
    return found


def screen(
    engine: Engine | None,
    store: IntelStore,
    values: Iterable[str],
    hops: int = 2,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    chain: str | None = None,
) -> list[ScreenResult]:
    """Screen each value; a malformed one is reported in place and the batch carries on."""
    if hops < 0:
        raise BadInput("bad --hops", str(hops), "hops cannot be negative")
    labeller = Labeller(store)
    results: list[ScreenResult] = []
    wanted: dict[str, list[ScreenResult]] = {}
    for value in values:
        try:
            address = address_form(value)
        except BadInput as exc:
            results.append(ScreenResult(value, None, error=exc.one_line()))
            continue
        result = ScreenResult(value, address)
        results.append(result)
        wanted.setdefault(address, []).append(result)
    seeds, known = listed_addresses(labeller)
    direct = labeller.labels([a for a in wanted if a in known])
    for address, label in direct.items():
        for result in wanted[address]:
            result.direct.append(label)
    if hops:
        if engine is None:
            raise BadInput("no engine to search exposure in", "chain screen", "give an engine or --hops 0")
        seed_labels = labeller.labels(seeds)
        window = {"since": since, "until": until, "chain": chain}
        for forward, direction in ((True, "received-from"), (False, "sent-to")):
            reached = _reach(engine, labeller, seeds, hops, forward, window)
            for address, targets in wanted.items():
                if address not in reached or reached[address][0] == 0:
                    continue
                distance, seed, path = reached[address]
                for result in targets:
                    result.exposures.append(Exposure(address, direction, distance, seed, seed_labels[seed], path))
    return results
