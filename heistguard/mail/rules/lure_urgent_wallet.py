"""mail.lure-urgent-wallet: pressure to act now on a wallet, seed phrase, KYC check or account security."""

from __future__ import annotations

from heistguard.findings import Finding, Rule, Severity
from heistguard.mail.context import MailContext, at
from heistguard.mail.message import Message
from heistguard.mail.rules._lures import hits, phrases

RULE = Rule(
    id="mail.lure-urgent-wallet",
    severity=Severity.MEDIUM,
    title="urgent wallet / KYC / security action",
    rationale="'Your wallet will be suspended', 'complete KYC within 24 hours', 'verify your recovery phrase': "
    "urgency plus a wallet or account action is how crypto phishing makes people skip their checks. "
    "No legitimate service asks for a seed phrase, ever.",
    attack=("T1566", "T1598"),
)

URGENT = phrases(
    (
        r"\b(?:urgent(?:ly)?|immediately|right away|as soon as possible|asap|final (?:notice|warning|reminder))\b",
        r"\b(?:action required|immediate action|required action|act now|data breach|last chance)\b",
        r"\bwithin (?:24|48|72) hours\b|\b(?:will be|has been|is) (?:suspended|locked|restricted|frozen|"
        r"disabled|terminated)\b",
        r"\bunusual (?:activity|sign-?in|login)\b|\bsecurity (?:alert|breach|incident)\b|\bunauthori[sz]ed\b",
        r"至急|緊急|直ちに|24時間以内|停止され|凍結|不正(?:アクセス|ログイン)",
    )
)
ACTION = phrases(
    (
        r"\b(?:wallet|metamask|ledger|trezor|seed phrase|recovery phrase|secret (?:recovery )?phrase|"
        r"private key|mnemonic)\b",
        r"\bkyc\b|\bidentity verification\b|\bverify your (?:identity|account|wallet)\b",
        r"\b(?:withdrawal|deposit)s? (?:pending|on hold|suspended)\b|\bclaim (?:your )?(?:airdrop|tokens|reward)\b",
        r"ウォレット|秘密鍵|リカバリーフレーズ|シードフレーズ|本人確認|出金",
    )
)
SECRET = phrases(
    (
        r"\b(?:seed|recovery|secret(?: recovery)?) phrase\b|\bprivate key\b|\bmnemonic\b",
        r"秘密鍵|リカバリーフレーズ|シードフレーズ",
    )
)


def check(message: Message, context: MailContext) -> list[Finding]:
    urgent, action = hits(URGENT, message), hits(ACTION, message)
    if not urgent or not action:
        return []
    secret = hits(SECRET, message)
    return [
        RULE.finding(
            f"urgent ({urgent[0]}) wallet / account action ({action[0]})",
            [at(message, "body", "; ".join((urgent + action)[:6]))],
            severity=Severity.HIGH if secret and len(urgent) >= 2 else None,
        )
    ]
