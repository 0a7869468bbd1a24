"""Several different proposals for one Safe nonce: only one can ever execute, and a swapped one is how a
malicious transaction reaches signers who believe they are signing the expected one."""

from __future__ import annotations

from collections import defaultdict

from heistguard.findings import Finding, Rule, Severity
from heistguard.txguard.context import Context
from heistguard.txguard.hexdata import short
from heistguard.txguard.model import Request
from heistguard.txguard.rules._shared import evidence

RULE = Rule(
    id="tx.safe-nonce-conflict",
    severity=Severity.HIGH,
    title="Several different proposals for the same Safe nonce",
    rationale="A Safe executes one transaction per nonce. Competing proposals for one nonce are either a "
    "replacement the signers must know about or an attacker's look-alike queued next to the real one.",
    attack=("T1565.003",),
)


def check(request: Request, ctx: Context) -> list[Finding]:
    return []  # needs the batch: see check_batch


def _key(request: Request) -> tuple[str, int] | None:
    tx = request.safe
    if tx is None or tx.nonce is None:
        return None
    return tx.safe.lower(), tx.nonce


def check_batch(requests: list[Request], ctx: Context) -> dict[int, list[Finding]]:
    """Findings per request index, for every request that shares its Safe and nonce with a different one."""
    groups: dict[tuple[str, int], list[int]] = defaultdict(list)
    for index, request in enumerate(requests):
        key = _key(request)
        if key:
            groups[key].append(index)
    out: dict[int, list[Finding]] = {}
    for (safe, nonce), members in groups.items():
        digests: set[bytes] = set()
        for i in members:
            tx = requests[i].safe
            if tx is not None and tx.hashes:
                digests.add(tx.hashes[0].safe_tx_hash)
        if len(digests) < 2:
            continue
        for i in members:
            others = ", ".join(requests[j].label for j in members if j != i)
            out[i] = [
                RULE.finding(
                    f"Safe {short(safe)} nonce {nonce} has {len(digests)} different proposals (also: {others})",
                    evidence=[evidence("safe", f"nonce {nonce}: {len(members)} proposals", "nonce")],
                )
            ]
    return out
