"""Stolen value reached a service: an exchange (freeze it there), a mixer, or a bridge (it left this chain)."""

from __future__ import annotations

from fractions import Fraction

from heistguard.chain.rules.context import TraceContext, address_refs, readable
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
_RULE_FOR = {"exchange": EXCHANGE_ENDPOINT, "mixer": MIXER_DEPOSIT, "bridge": BRIDGE_EXIT}


def _amounts(amounts: dict[str, Fraction]) -> str:
    return ", ".join(readable(asset, v) for asset, v in sorted(amounts.items()))


def detect(ctx: TraceContext) -> list[Finding]:
    findings = []
    for end in sorted(ctx.result.endpoints.values(), key=lambda e: (e.entity, e.address)):
        rule = _RULE_FOR.get(end.category)
        if rule is None:
            continue
        share = sum(end.share.values(), Fraction(0))
        where = f"deposit address {end.address} (sweeps into {end.deposit_of})" if end.deposit_of else end.address
        title = f"{end.entity} ({end.category}) received {_amounts(end.amounts)} of the stolen funds at {where}"
        if share:
            title += f": {float(share):.2%} of the total"
        evidence = [
            Evidence(
                location=Location(logical=f"hop {n} tx {step['tx']}"),
                text=f"{step['time']} {step['from']} -> {step['to']} {step['amount']} {step['asset']}",
            )
            for n, step in enumerate(end.path, 1)
        ]
        evidence.append(Evidence(location=Location(logical="label"), text=end.statement))
        findings.append(
            rule.finding(title=title, evidence=evidence, indicators=address_refs([end.address, end.deposit_of]))
        )
    return findings
