"""Peel chain: each hop sends a small slice somewhere and the bulk on to a fresh address, again and again."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from heistguard.chain.rules.context import TraceContext, address_refs, transfer_evidence
from heistguard.findings import Finding, Rule, Severity

PEEL_CHAIN = Rule(
    id="chain.peel-chain",
    severity=Severity.HIGH,
    title="Stolen funds move through a peel chain",
    rationale="Peeling small amounts off a large balance hop after hop (to exchanges or cash-out accounts) is how "
    "DPRK launderers cashed out Bitcoin heists such as the 2020 KuCoin and 2018 Coincheck proceeds.",
    attack=("T1657",),
)
RULES = (PEEL_CHAIN,)
MIN_LINKS = 3
PEEL_SHARE = Fraction(1, 4)  # a peel is at most a quarter of what the hop sends


def detect(ctx: TraceContext) -> list[Finding]:
    out = ctx.outgoing()
    # node -> (next node carrying the bulk, the peel transfer, the bulk transfer)
    link: dict[str, tuple[str, dict[str, Any], dict[str, Any]]] = {}
    for node, sent in out.items():
        if len(sent) != 2:
            continue
        small, big = sorted(sent, key=lambda e: int(e["amount"]))
        if Fraction(int(small["amount"]), int(small["amount"]) + int(big["amount"])) <= PEEL_SHARE:
            link[node] = (big["to_address"], small, big)
    heads = set(link) - {nxt for nxt, _, _ in link.values()}
    findings = []
    for head in sorted(heads):
        chain: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
        node = head
        while node in link and len(chain) < 1000:
            chain.append(link[node])
            node = link[node][0]
        if len(chain) < MIN_LINKS:
            continue
        evidence = [transfer_evidence(small, "peel") for _, small, _ in chain]
        findings.append(
            PEEL_CHAIN.finding(
                title=f"peel chain of {len(chain)} hops from {head}",
                evidence=evidence,
                indicators=address_refs([head, *(nxt for nxt, _, _ in chain)]),
            )
        )
    return findings
