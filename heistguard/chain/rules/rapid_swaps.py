"""Rapid swap chain: stolen funds swapped from asset to asset several times within an hour."""

from __future__ import annotations

import datetime as dt
from itertools import pairwise

from heistguard.chain.rules.context import TraceContext, address_refs
from heistguard.findings import Evidence, Finding, Location, Rule, Severity

RAPID_SWAPS = Rule(
    id="chain.rapid-swaps",
    severity=Severity.MEDIUM,
    title="Stolen funds were swapped through several assets in quick succession",
    rationale="Swapping stolen tokens (often frozen-able stablecoins) into ETH and other assets within minutes "
    "is how thieves get ahead of issuers' freezes, as after the Bybit and Ronin heists.",
    attack=("T1657",),
)
RULES = (RAPID_SWAPS,)
MIN_SWAPS = 2
WINDOW = dt.timedelta(hours=1)


def detect(ctx: TraceContext) -> list[Finding]:
    times = {e["tx"]: e["time"] for e in ctx.result.edges if e.get("tx")}
    swaps = sorted(
        ({**s, "time": times[s["tx"]]} for s in ctx.result.swaps if s["taint"] > 0 and s["tx"] in times),
        key=lambda s: s["time"],
    )
    quick = [b for a, b in pairwise(swaps) if b["time"] - a["time"] <= WINDOW]
    if len(quick) + 1 < MIN_SWAPS:
        return []
    return [
        RAPID_SWAPS.finding(
            title=f"{len(swaps)} swaps of stolen funds, {len(quick)} within an hour of the previous one",
            evidence=[
                Evidence(
                    location=Location(logical=f"tx {s['tx']}"),
                    text=f"{s['time']} {s['node']} swapped {s['amount']} {s['gave']}",
                )
                for s in swaps[:20]
            ],
            indicators=address_refs(s["node"] for s in swaps),
        )
    ]
