"""Mixer deposits in the pool's fixed denominations, and withdrawals of the same amounts that may be their other end."""

from __future__ import annotations

from collections import Counter

from heistguard.chain.rules.context import TraceContext, address_refs, transfer_evidence
from heistguard.findings import Finding, Rule, Severity

MIXER_DENOMINATIONS = Rule(
    id="chain.mixer-denominations",
    severity=Severity.HIGH,
    title="Stolen funds went into a mixer in fixed denominations; matching withdrawals are leads",
    rationale="Tornado Cash-style pools take fixed amounts (0.1, 1, 10, 100 ETH); a run of equal deposits from the "
    "trace and withdrawals of the same amounts soon after is how analysts link both sides of a mixer.",
    attack=("T1657",),
    references=("https://home.treasury.gov/news/press-releases/jy0916",),
)
RULES = (MIXER_DENOMINATIONS,)
MIN_EQUAL_DEPOSITS = 2
MAX_WITHDRAWALS_SHOWN = 20


def detect(ctx: TraceContext) -> list[Finding]:
    mixers = {a for a, end in ctx.result.endpoints.items() if end.category == "mixer"}
    deposits = [e for e in ctx.tainted_edges() if e["to_address"] in mixers]
    counts = Counter((e["to_address"], e["asset"], int(e["amount"])) for e in deposits)
    findings = []
    for (mixer, asset, amount), count in sorted(counts.items()):
        if count < MIN_EQUAL_DEPOSITS:
            continue
        mine = [e for e in deposits if (e["to_address"], e["asset"], int(e["amount"])) == (mixer, asset, amount)]
        evidence = [transfer_evidence(e, "deposit") for e in mine]
        withdrawals = []
        if ctx.engine is not None:
            first = min(e["time"] for e in mine)
            withdrawals = [
                e
                for e in ctx.engine.edges_from([mixer], since=first)
                if e["asset"] == asset and e["amount"] is not None and int(e["amount"]) == amount
            ]
            evidence += [
                transfer_evidence(e, "withdrawal of the same amount") for e in withdrawals[:MAX_WITHDRAWALS_SHOWN]
            ]
        findings.append(
            MIXER_DENOMINATIONS.finding(
                title=f"{count} deposits of {amount} {asset} into mixer {mixer}; "
                f"{len(withdrawals)} withdrawal(s) of the same amount after the first deposit",
                evidence=evidence,
                indicators=address_refs([mixer, *(e["to_address"] for e in withdrawals)]),
            )
        )
    return findings
