"""Stolen value reached a service: an exchange (freeze it there), a mixer, or a bridge (it left this chain)."""

from __future__ import annotations

from fractions import Fraction

from heistguard.chain.rules.context import TraceContext, address_refs, readable
from heistguard.chain.trace import Endpoint
from heistguard.findings import Evidence, Finding, Location, Rule, Severity

EXCHANGE_ENDPOINT = Rule(
    id="chain.exchange-endpoint",
    severity=Severity.CRITICAL,
    title="Stolen funds reached an exchange: ask it to freeze them",
    rationale="Exchanges can freeze deposits, but only when told in time and precisely (deposit address, amount, "
    "time); this is where most heist proceeds are recovered.",
    attack=("T1657",),
)
MIXER_DEPOSIT = Rule(
    id="chain.mixer-deposit",
    severity=Severity.HIGH,
    title="Stolen funds were deposited into a mixer",
    rationale="DPRK launderers put heist proceeds through Tornado Cash, Blender and Sinbad to break the trail.",
    attack=("T1657",),
    references=("https://home.treasury.gov/news/press-releases/jy1933",),
)
BRIDGE_EXIT = Rule(
    id="chain.bridge-exit",
    severity=Severity.HIGH,
    title="Stolen funds left the chain through a bridge",
    rationale="Bridges (THORChain, Avalanche bridge, cBridge) move proceeds to another chain; the trace must "
    "continue there from the bridge's release transaction.",
    attack=("T1657",),
)
RULES = (EXCHANGE_ENDPOINT, MIXER_DEPOSIT, BRIDGE_EXIT)
MAX_ADDRESSES_SHOWN = 20
_RULE_FOR = {"exchange": EXCHANGE_ENDPOINT, "mixer": MIXER_DEPOSIT, "bridge": BRIDGE_EXIT}


def _amounts(amounts: dict[str, Fraction], names: dict[str, tuple[str | None, int | None]]) -> str:
    return ", ".join(readable(asset, v, names) for asset, v in sorted(amounts.items()))


def detect(ctx: TraceContext) -> list[Finding]:
    """One finding per entity (an exchange is one freeze request), each address it was reached at as evidence."""
    groups: dict[tuple[str, str], list[Endpoint]] = {}
    for end in ctx.result.endpoints.values():
        if end.category in _RULE_FOR:
            groups.setdefault((end.entity, end.category), []).append(end)
    findings = []
    for (entity, category), ends in sorted(groups.items()):
        rule = _RULE_FOR[category]
        amounts: dict[str, Fraction] = {}
        share = Fraction(0)
        for end in ends:
            for asset, value in end.amounts.items():
                amounts[asset] = amounts.get(asset, Fraction(0)) + value
            share += sum(end.share.values(), Fraction(0))
        ends.sort(key=lambda e: (-sum(e.amounts.values(), Fraction(0)), e.address))
        deposits = sum(1 for e in ends if e.deposit_of)
        where = f"{len(ends)} address(es)" + (f", {deposits} of them deposit addresses" if deposits else "")
        title = (
            f"{entity} ({category}) received {_amounts(amounts, ctx.result.asset_names)} of the stolen funds at {where}"
        )
        if share:
            title += f": {float(share):.2%} of the total"
        evidence = [
            Evidence(
                location=Location(logical=f"{'deposit address' if e.deposit_of else category} {e.address}"),
                text=f"{_amounts(e.amounts, ctx.result.asset_names)} from {e.first_time} to {e.last_time}"
                + (f", swept into {e.deposit_of}" if e.deposit_of else "")
                + f" (tx {', '.join(e.txs[:3])}{' ...' if len(e.txs) > 3 else ''})",
            )
            for e in ends[:MAX_ADDRESSES_SHOWN]
        ]
        if len(ends) > MAX_ADDRESSES_SHOWN:
            evidence.append(
                Evidence(
                    location=Location(logical="more"),
                    text=f"{len(ends) - MAX_ADDRESSES_SHOWN} more addresses: see `chain freeze-list`",
                )
            )
        evidence += [
            Evidence(
                location=Location(logical=f"path to {ends[0].address}, hop {n} tx {step['tx']}"),
                text=f"{step['time']} {step['from']} -> {step['to']} "
                + readable(str(step["asset"]), Fraction(str(step["amount"])), ctx.result.asset_names),
            )
            for n, step in enumerate(ends[0].path, 1)
        ]
        evidence.append(Evidence(location=Location(logical="label"), text=ends[0].statement))
        addresses = [a for e in ends for a in (e.address, e.deposit_of)]
        findings.append(rule.finding(title=title, evidence=evidence, indicators=address_refs(addresses)))
    return findings
