"""mail.lure-token-claim: "claim your airdrop / rewards / allocation", the opener of wallet-drainer phishing."""

from __future__ import annotations

from heistguard.findings import Finding, Rule, Severity
from heistguard.mail.context import MailContext
from heistguard.mail.message import Message
from heistguard.mail.rules._lures import phrases, theme_finding

RULE = Rule(
    id="mail.lure-token-claim",
    severity=Severity.MEDIUM,
    title="token airdrop / reward claim lure",
    rationale="Drainer kits are sent as 'you are eligible, claim your airdrop / staking rewards / token "
    "allocation': the claim page asks the reader to connect a wallet and sign an approval or permit that "
    "empties it. Real projects announce airdrops on their own channels, not by mail that asks for a signature.",
    attack=("T1566.002", "T1656"),
)

PATTERN = phrases(
    (
        r"\bclaim(?:ing)? (?:your |the |my )?(?:free |exclusive |bonus )?(?:\$?\w{2,8} )?"
        r"(?:airdrops?|tokens?|rewards?|allocations?|nfts?|coins?|bonus|eth|btc|usdt|usdc)\b",
        r"\bairdrops?\b",
        r"\b(?:you(?:'re| are) )?eligib(?:le|ility) (?:for|to claim|check)\b|\bcheck (?:your )?eligibility\b",
        r"\b(?:token|reward|staking|airdrop) (?:allocation|distribution|claim)\b",
        r"\bconnect (?:your )?wallet\b|\bwallet (?:connect|verification|validation|synchroni[sz]ation)\b",
        r"\b(?:staking|unclaimed) rewards?\b|\b(?:presale|pre-sale|whitelist) (?:spot|access|allocation)\b",
        r"(?-i:\$[A-Z]{2,6}\b) (?:tokens?|coins?|rewards?|airdrop)",
        r"エアドロップ|報酬を受け取|トークンを(?:受け取|請求)|ウォレットを接続",
    )
)


def check(message: Message, context: MailContext) -> list[Finding]:
    return theme_finding(RULE, PATTERN, message, context, "token-claim language")
