"""mail.crypto-payment-ask: an ask to pay an address the message prints, in the shapes extortion, presales and
giveaways take, and silence on deposit notices, tracking codes and addresses nobody is asked to pay."""

from __future__ import annotations

from pathlib import Path

import pytest

from heistguard.config import MailConfig
from heistguard.findings import Severity
from heistguard.intel import IntelLookup, open_store
from heistguard.mail.context import MailContext
from heistguard.mail.rules import crypto_payment_ask
from heistguard.mail.rules.crypto_payment_ask import addresses_in
from tests.mail.build import PASS, context, mail, parsed

GENESIS = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"  # the address of Bitcoin's first block, checksum valid
SEGWIT = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"  # BIP-173's own example address
RONIN_EXPLOITER = "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"  # OFAC SDN list, Lazarus Group, 2022-04-14
SOLANA = "DdVkfkwC4kwh2GDEH1cMaFH9tcmaCRrPrVkHSyh6ZXj5"  # a 32-byte key, as a presale printed it (2025)


@pytest.mark.parametrize(
    "text",
    [
        # extortion: the amount, then the person's own wallet
        f"I will erase the video if you transfer $1490 in Bitcoin to this BTC wallet:\n\n{GENESIS}\n",
        f"My Bitcoin (BTC) address is:\n\n {SEGWIT}\n\nYou have 48 hours.\n",
        f"O meu endereço Bitcoin (Carteira BTC) é: {GENESIS}\n",
        # a fake presale
        f"To reserve your tokens, send SOL to the official presale address:\n{SOLANA}\n",
        "ウォレットアドレスに0.1 ETHを送金してください。\n" + RONIN_EXPLOITER + "\n",
    ],
)
def test_asks_to_pay_an_address(text: str) -> None:
    (finding,) = crypto_payment_ask.check(parsed(mail(sender="x <x@mailer.example>", text=text)), context())
    assert finding.severity is Severity.MEDIUM
    assert finding.indicators and finding.indicators[0].type == "address"


@pytest.mark.parametrize(
    "text",
    [
        # no address, or nothing asked
        "Please send the signed contract to my address in Lisbon.\n",
        f"Block explorer trivia: the genesis coinbase paid {GENESIS}.\n",
        # an address-shaped code that fails its checksum (the genesis address with two letters swapped)
        "Send the deposit to my bitcoin wallet: 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivNfa\n",
        # an address inside a link is the link's business, not an ask
        f"Send feedback to my wallet page https://explorer.example/address/{GENESIS}\n",
    ],
)
def test_silent_without_an_ask_and_a_valid_address(text: str) -> None:
    assert crypto_payment_ask.check(parsed(mail(text=text)), context()) == []


def test_a_signed_deposit_notice_that_links_home_is_only_low() -> None:
    text = f"To top up, send USDT (TRC-20) to your deposit address: {GENESIS}\n"
    link = '<p><a href="https://www.kraken.com/u/funding">Funding</a></p>'
    signed = mail(
        sender="Kraken <noreply@kraken.com>", headers=(("Authentication-Results", PASS.format(d="kraken.com")),)
    )
    notice = mail(
        sender="Kraken <noreply@kraken.com>",
        headers=(("Authentication-Results", PASS.format(d="kraken.com")),),
        text=text,
        html=link,
    )
    assert crypto_payment_ask.check(parsed(signed), context()) == []
    (finding,) = crypto_payment_ask.check(parsed(notice), context())
    assert finding.severity is Severity.LOW


def test_a_sanctioned_address_in_the_ask_is_named_from_the_intel_store(store_path: Path) -> None:
    text = f"Giveaway! Send 0.5 ETH to our ETH wallet address and get 1 ETH back:\n{RONIN_EXPLOITER}\n"
    with open_store(store_path, read_only=True) as store:
        ctx = MailContext(MailConfig(), intel=IntelLookup(store))
        findings = crypto_payment_ask.check(parsed(mail(text=text)), ctx)
    ask, *intel = findings
    assert ask.rule_id == "mail.crypto-payment-ask"
    assert any(f.rule_id.startswith("intel.") and "LAZARUS" in f.title.upper() for f in intel), [f.title for f in intel]


def test_addresses_are_read_once_each_and_checked() -> None:
    text = f"{GENESIS} and again {GENESIS}, {SEGWIT.upper()}, {RONIN_EXPLOITER.lower()}, 1234567890123456789012345678"
    assert addresses_in(text) == [GENESIS, SEGWIT, RONIN_EXPLOITER.lower()]
