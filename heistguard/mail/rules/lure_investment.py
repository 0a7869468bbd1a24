"""mail.lure-investment: an investor, VC or partnership approach asking for a call, the fake-investor opening."""

from __future__ import annotations

from heistguard.findings import Finding, Rule, Severity
from heistguard.mail.context import MailContext, at
from heistguard.mail.message import Message
from heistguard.mail.rules._lures import hits, phrases

RULE = Rule(
    id="mail.lure-investment",
    severity=Severity.INFO,
    title="investment / VC / partnership meeting lure",
    rationale="DPRK operators impersonate venture capital firms and business partners (the 'SnatchCrypto' and "
    "fake-VC-meeting campaigns) to get founders and executives on a call or to open a 'term sheet'. "
    "Genuine investors write alike, so this marks the theme for other signs to weigh.",
    attack=("T1566", "T1656"),
    references=("https://securelist.com/the-bluenoroff-cryptocurrency-hunt-is-still-on/105488/",),
)

PATTERN = phrases(
    (
        r"\b(?:venture capital|vc fund|seed round|series [ab]|term sheet|due diligence|cap table|tokenomics)\b",
        r"\b(?:invest(?:ment|or|ing)?|fund(?:ing|raise)) (?:opportunity|proposal|in your|interest)\b",
        r"\b(?:strategic )?partnership (?:proposal|opportunity)\b|\bpartner with (?:you|your)\b",
        r"\bschedule a (?:call|meeting)\b|\b(?:book|set up) a (?:call|meeting)\b|\bcalendly\.com\b",
        r"投資|出資|資金調達|提携|ベンチャーキャピタル|打ち合わせ",
    )
)


def check(message: Message, context: MailContext) -> list[Finding]:
    found = hits(PATTERN, message)
    if len(found) < 2:
        return []
    return [
        RULE.finding(
            f"investor / partnership approach: {', '.join(found[:4])}", [at(message, "body", "; ".join(found[:6]))]
        )
    ]
