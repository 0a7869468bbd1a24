"""mail.crypto-payment-ask: the message tells the reader to send cryptocurrency to an address it prints
(extortion, fake presales and "send 1, get 2 back" giveaways)."""

from __future__ import annotations

import re

from heistguard.errors import BadInput
from heistguard.findings import Finding, IndicatorRef, Location, Rule, Severity
from heistguard.intel import IndicatorType
from heistguard.intel.indicators import normalise_address
from heistguard.mail.context import MailContext, at
from heistguard.mail.message import Message
from heistguard.mail.rules._lures import MAX_SCAN, own_notice
from heistguard.mail.textscan import Needs

RULE = Rule(
    id="mail.crypto-payment-ask",
    severity=Severity.MEDIUM,
    title="asks the reader to send cryptocurrency to an address in the message",
    rationale="Extortion ('transfer $1,300 in Bitcoin to my wallet'), fake token presales ('send SOL to the "
    "official presale address') and giveaways that promise twice back all end in one ask: pay this address. "
    "There is nothing to click, so link checks stay silent, and a payment on chain cannot be called back. "
    "The address must pass its checksum, so an order number or a tracking code is not one. A sender that "
    "signs its mail and links only home (an exchange's deposit notice, a payment processor's invoice) is "
    "let off to low.",
    attack=("T1566", "T1656"),
)

# Compiled here, not through the lure themes' shared index: their words ("my", "our", "send") are in most
# messages and would slow that index for every one, while this rule reads only the rare text that names a wallet.
ASK = re.compile(
    "|".join(
        (
            # "send 0.5 BTC to the address below", "transfer $1490 in Bitcoin to this wallet", "pay into my wallet"
            r"\b(?:send|transfer|pay|wire)\b[^.\n]{0,80}?\b(?:to|into|on)\b[^.\n]{0,40}?\b(?:address|wallet)\b",
            r"\b(?:my|our|the official|the following|this) (?:btc|bitcoin|eth|ethereum|usdt|sol|solana|"
            r"crypto(?:currency)?|trc-?20|erc-?20)? ?(?:wallet|deposit|payment|pre-?sale) address\b",
            # "my Bitcoin (BTC) address is:", "here is my bitcoin wallet": a person's own wallet, which no firm has
            r"\b(?:my|our) (?:bitcoin|btc|eth(?:ereum)?|usdt|litecoin|ltc|monero|xmr|crypto(?:currency)?)(?: \(\w+\))? "
            r"(?:wallet|address)\b",
            r"\b(?:address|wallet) for (?:the |your )?payment\b|\bsend (?:that|the|this) (?:amount|sum)\b",
            r"\b(?:meu endereço|minha carteira|mi dirección|mi (?:billetera|cartera)|mon (?:adresse|portefeuille)) "
            r"(?:de |da |du )?(?:bitcoin|btc)\b|\bmeine (?:bitcoin|btc)[- ]?(?:adresse|wallet)\b",
            r"(?:ビットコイン|暗号資産|仮想通貨)?(?:アドレス|ウォレット)(?:に|へ)[^。\n]{0,30}(?:送金|振り?込|送って|支払)",
        )
    ),
    re.I,
)
# Every ask names the wallet or address it wants paid, in one of these words: a message without one is passed
# over before any regex runs. The words are rare enough to join the shared index, which then answers for free.
WALLET_WORDS = ("wallet", "address", "adresse", "endereço", "dirección", "carteira", "cartera", "billetera",
                "portefeuille", "アドレス", "ウォレット")  # fmt: skip
_NAMES_A_WALLET = Needs(re.compile("|".join(WALLET_WORDS), re.I))
_B58 = "1-9A-HJ-NP-Za-km-z"
# an address standing alone: bech32, EVM hex, or base58 (Bitcoin, Tron, Solana...); checked by `normalise_address`
_ADDRESS = re.compile(
    rf"(?<![\w/=.+@-])(?:(?i:bc1[02-9ac-hj-np-z]{{11,87}})|0x[0-9a-fA-F]{{40}}|[{_B58}]{{25,44}})(?![\w/=@-])"
)
MAX_ADDRESSES = 20


def addresses_in(text: str) -> list[str]:
    """The cryptocurrency addresses written in `text` that pass their checksum (or, for keys without one,
    their length), in order, normalised, each once."""
    found: dict[str, None] = {}
    for match in _ADDRESS.finditer(text):
        candidate = match.group(0)
        if candidate.isalpha() or candidate.isdigit():
            continue  # a long word or number, never an address
        try:
            found.setdefault(normalise_address(candidate).value, None)
        except BadInput:
            continue
        if len(found) >= MAX_ADDRESSES:
            break
    return list(found)


def check(message: Message, context: MailContext) -> list[Finding]:
    text, folded = message.head(MAX_SCAN)
    if not _NAMES_A_WALLET.may_match(folded):
        return []
    addresses = addresses_in(text)  # rarer than an ask's words, and cheaper to look for
    if not addresses:
        return []
    found = ASK.search(text)
    if found is None:
        return []
    ask = " ".join(found.group(0).split())
    # a deposit notice or an invoice links to its sender; an extortion note or a presale carries nothing to click
    severity = Severity.LOW if message.links and own_notice(message, context) else None
    indicators = [IndicatorRef(type=IndicatorType.ADDRESS.value, value=a) for a in addresses]
    evidence = [at(message, "body", f"{ask} ... {', '.join(addresses[:3])}")]
    title = f"asks to send cryptocurrency ({ask}) to {addresses[0]}"
    findings = [RULE.finding(title, evidence, indicators, severity=severity)]
    if context.intel is not None:  # the address it asks for may already be a known one (sanctions, thefts)
        for address, result in zip(addresses, context.intel.lookup_many(addresses, IndicatorType.ADDRESS), strict=True):
            location = Location(path=message.source, logical=f"address {address} in body")
            findings.extend(context.intel.findings(result.matches, location))
    return findings
