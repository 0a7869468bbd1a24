"""mail.crypto-payment-ask: the message tells the reader to send cryptocurrency to an address it prints
(extortion, fake presales and "send 1, get 2 back" giveaways)."""

from __future__ import annotations

import re

from heistguard.errors import BadInput
from heistguard.findings import Finding, IndicatorRef, Rule, Severity
from heistguard.intel import IndicatorType
from heistguard.intel.indicators import normalise_address
from heistguard.mail.context import MailContext, at
from heistguard.mail.message import Message
from heistguard.mail.rules._lures import MAX_SCAN, own_notice
from heistguard.mail.rules.intel_indicators import known_findings
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
# messages and would slow that index for every one, while this rule reads only the rare text that names a
# wallet and a coin.
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
# Every ask names the wallet or address it wants paid and the coin to pay in, in these words: a message without
# both is passed over before any regex runs. They are rare enough to join the shared index, which then answers
# for free ("address" alone is in a fifth of all mail: "e-mail address").
WALLET_WORDS = ("wallet", "address", "adresse", "endereço", "dirección", "carteira", "cartera", "billetera",
                "portefeuille", "アドレス", "ウォレット")  # fmt: skip
# Japanese mail names the remittance (送金, 振込) more often than the coin.
COIN_WORDS = ("bitcoin", "btc", "ethereum", "eth ", "usdt", "usdc", "solana", "sol ", "crypto", "token", "coin",
              "monero", "xmr", "litecoin", "ltc", "tron", "trx", "ビットコイン", "仮想通貨", "暗号資産",
              "送金", "振込", "振り込")  # fmt: skip
_NAMES_A_WALLET = Needs(re.compile("|".join(WALLET_WORDS), re.I))
_NAMES_A_COIN = Needs(re.compile("|".join(COIN_WORDS), re.I))
# A run of ASCII letters and digits as long as an address can be (base58 Bitcoin, Tron and Solana, bech32, EVM
# hex): matched whole, so a long token or a base64 blob costs one pass, not a retry at each of its letters.
_RUN = re.compile(r"[0-9A-Za-z]{25,}")
_LONGEST = 90  # bc1 and 87 bech32 characters
_LONGEST_BASE58 = 44  # a 32-byte key in base58; an EVM address is 42
_NOT_BEFORE = "_/=.+@-"  # a run inside a URL, a path, an e-mail address or an identifier is not written alone
_NOT_AFTER = "_/=@-"
MAX_ADDRESSES = 20


def addresses_in(text: str) -> list[str]:
    """The cryptocurrency addresses written in `text` that pass their checksum (or, for keys without one,
    their length), in order, normalised, each once."""
    found: dict[str, None] = {}
    for match in _RUN.finditer(text):
        candidate = match.group(0)
        start, end = match.span()
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        if before.isalnum() or before in _NOT_BEFORE or after.isalnum() or after in _NOT_AFTER:
            continue  # part of a longer word (non-ASCII letters are alphanumeric too) or of a link
        if len(candidate) > (_LONGEST if candidate[:3].lower() == "bc1" else _LONGEST_BASE58):
            continue  # a blob or a token: only bech32 runs past a base58 or hex address's length
        if candidate.isalpha() or candidate.isdigit():
            continue  # a long word or a long number, never an address
        try:
            found.setdefault(normalise_address(candidate).value, None)
        except BadInput:
            continue
        if len(found) >= MAX_ADDRESSES:
            break
    return list(found)


def check(message: Message, context: MailContext) -> list[Finding]:
    text, folded = message.head(MAX_SCAN)
    if not (_NAMES_A_WALLET.may_match(folded) and _NAMES_A_COIN.may_match(folded)):
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
        asks = [(address, f"address {address} in body") for address in addresses]
        findings += known_findings(message, context.intel, IndicatorType.ADDRESS, asks)
    return findings
