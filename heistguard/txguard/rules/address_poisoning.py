"""A recipient that imitates an address-book entry: same leading and trailing characters, different middle."""

from __future__ import annotations

from heistguard.findings import Finding, Rule, Severity
from heistguard.txguard.context import Context
from heistguard.txguard.model import EffectKind, Request
from heistguard.txguard.rules._shared import address_ref, evidence

RULE = Rule(
    id="tx.address-poisoning",
    severity=Severity.CRITICAL,
    title="Recipient imitates an address-book entry (address poisoning)",
    rationale="Poisoners send dust from vanity addresses that share the first and last characters of a real "
    "counterparty, hoping the next payment is copied from history. Wallets show 0x1234…abcd, so a match of "
    "the ends with a different middle is almost never chance (odds below 1 in 250 million per pair).",
    attack=("T1657",),
    references=("https://www.chainalysis.com/blog/address-poisoning-scam/",),
)
MIN_EACH = 3  # hex digits that must match at each end
MIN_TOTAL = 7  # and together


def _common_prefix(a: str, b: str) -> int:
    n = 0
    while n < len(a) and a[n] == b[n]:
        n += 1
    return n


def lookalike(candidate: str, book: dict[str, str]) -> tuple[str, str, int, int] | None:
    """(entry address, name, matching head, matching tail) of the entry `candidate` imitates, if any."""
    body = candidate.lower()[2:]
    if "0x" + body in book:
        return None
    for entry, name in book.items():
        other = entry[2:]
        head = _common_prefix(body, other)
        tail = _common_prefix(body[::-1], other[::-1])
        if head >= MIN_EACH and tail >= MIN_EACH and head + tail >= MIN_TOTAL:
            return entry, name, head, tail
    return None


def check(request: Request, ctx: Context) -> list[Finding]:
    if not ctx.address_book:
        return []
    out = []
    targets = [(e.party, e.path) for e in request.effects if e.party and e.kind is not EffectKind.ORDER]
    targets += [(c.to, c.path) for c in request.calls if c.to]
    seen: set[str] = set()
    for addr, path in targets:
        if addr is None or addr.lower() in seen:
            continue
        seen.add(addr.lower())
        hit = lookalike(addr, ctx.address_book)
        if hit:
            entry, name, head, tail = hit
            out.append(
                RULE.finding(
                    f"{addr} imitates address-book entry {name!r} {entry}: "
                    f"first {head} and last {tail} hex digits match",
                    evidence=[evidence(path, f"{addr} vs {name} {entry}", "recipient")],
                    indicators=[address_ref(addr)],
                )
            )
    return out
