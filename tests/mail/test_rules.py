"""Every mail rule, both ways: it fires on a message built to show the trick, and is silent on its honest twin."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heistguard.findings import Severity
from heistguard.mail.rules import RULE_MODULES, RULES, lure_account_action, lure_callback
from heistguard.mail.rules._links import _OBFUSCATED_IP, ip_literal
from tests.mail.build import CHM, DMG, HTA, ISO, LNK, PASS, PDF, PE, SHELL, VBS, VHDX, context, mail, parsed, zipped

MEETING = "Looking forward to our call on Thursday. Please join the meeting with the link below.\n"
SMUGGLER = (
    "<html><body><script>var b64 = '" + "QUJD" * 800 + "';"
    "var bin = atob(b64); var bytes = new Uint8Array(bin.length);"
    "for (var i = 0; i < bin.length; i++) { bytes[i] = bin.charCodeAt(i); }"
    "var blob = new Blob([bytes], {type: 'application/octet-stream'});"
    "var a = document.createElement('a'); a.href = URL.createObjectURL(blob);"
    "a.download = 'invoice.iso'; a.click();</script></body></html>"
)

# rule id -> (message that must fire it, honest message that must not)
CASES: dict[str, tuple[bytes, bytes]] = {
    "mail.auth-failure": (
        mail(
            headers=(
                (
                    "Authentication-Results",
                    "mx.acme-capital.com; spf=fail smtp.mailfrom=partner.example.org; "
                    "dkim=none; dmarc=fail (p=REJECT) header.from=partner.example.org",
                ),
            )
        ),
        mail(headers=(("Authentication-Results", PASS.format(d="partner.example.org")),)),
    ),
    "mail.arc-broken": (
        mail(headers=(("ARC-Seal", "i=2; a=rsa-sha256; d=relay.example.net; s=arc; cv=fail; b=AAAA"),)),
        mail(headers=(("ARC-Seal", "i=1; a=rsa-sha256; d=relay.example.net; s=arc; cv=none; b=AAAA"),)),
    ),
    "mail.reply-to-divert": (
        mail(sender="Acme Capital <ir@acme-capital.com>", headers=(("Reply-To", "acme.ir.desk@gmail.com"),)),
        mail(sender="Acme Capital <ir@acme-capital.com>", headers=(("Reply-To", "desk@acme-capital.com"),)),
    ),
    "mail.envelope-mismatch": (
        mail(
            sender="Kraken Support <support@kraken.com>",
            headers=(
                ("Return-Path", "<bounce@bulk-sender.example.net>"),
                ("Authentication-Results", "mx.acme-capital.com; spf=pass smtp.mailfrom=bulk-sender.example.net"),
            ),
        ),
        mail(
            sender="Kraken Support <support@kraken.com>",
            headers=(
                ("Return-Path", "<bounce@bulk-sender.example.net>"),
                ("Authentication-Results", PASS.format(d="kraken.com")),
            ),
        ),
    ),
    "mail.sender-mismatch": (
        mail(sender="Jane Doe <jane@acme-capital.com>", headers=(("Sender", "agent@outsider.example.net"),)),
        mail(sender="Jane Doe <jane@acme-capital.com>", headers=(("Sender", "assistant@acme-capital.com"),)),
    ),
    "mail.display-name-impersonation": (
        mail(sender="Jane Doe <jane.doe.ceo@outlook-mail.example.net>"),
        mail(sender="Jane Doe <jane@acme-capital.com>"),
    ),
    "mail.invalid-sender": (
        mail(sender="Correios <contato@correios>"),
        mail(sender="Correios <contato@correios.com.br>"),
    ),
    "mail.lookalike-domain": (
        mail(sender="Ken <ken@acme-capita1.com>"),
        mail(sender="Ken <ken@acme-capital.com>"),
    ),
    "mail.link-text-mismatch": (
        mail(html='<p>Sign in at <a href="https://login.evil.example.net/b">https://www.binance.com/login</a></p>'),
        mail(html='<p>Sign in at <a href="https://accounts.binance.com/login">https://www.binance.com/login</a></p>'),
    ),
    "mail.link-ip-literal": (
        mail(text="Your document: http://203.0.113.77/doc/view.php\n"),
        mail(text="Your document: https://docs.partner.example.org/view\n"),
    ),
    "mail.link-shortener": (
        mail(text="Slides: https://bit.ly/3xYzAbc\n"),
        mail(text="Slides: https://partner.example.org/slides/q4.pdf\n"),
    ),
    "mail.link-punycode": (
        mail(text="Claim: https://xn--bnance-bwa.com/claim\n"),
        mail(text="Claim: https://www.binance.com/en/activity\n"),
    ),
    "mail.credential-harvest": (
        mail(html='<form action="https://collect.example.net/p.php"><input type="password" name="p"></form>'),
        mail(html='<form action="https://www.example.org/search"><input type="text" name="q"></form>'),
    ),
    "mail.fake-meeting-link": (
        mail(text=MEETING + "https://us05web-zoom.example.net/j/8812345?pwd=abc\n"),
        mail(text=MEETING + "https://us05web.zoom.us/j/8812345?pwd=abc\n"),
    ),
    "mail.fake-cloud-drive": (
        mail(
            subject="Jane shared a document with you",
            html='<p>Jane shared a document with you on OneDrive.</p><a href="https://view-doc.example.net/">Open</a>',
        ),
        mail(
            subject="Jane shared a document with you",
            html='<p>Jane shared a document with you on OneDrive.</p><a href="https://1drv.ms/w/s!Abc">Open</a>',
        ),
    ),
    "mail.executable-attachment": (
        mail(attachments=(("setup.zip", zipped({"setup.exe": PE})),)),
        mail(attachments=(("report.zip", zipped({"report.pdf": PDF})),)),
    ),
    "mail.shortcut-attachment": (
        mail(attachments=(("Job Description.pdf.lnk", LNK),)),
        mail(attachments=(("Job Description.pdf", PDF),)),
    ),
    "mail.disk-image-attachment": (
        mail(attachments=(("invoice.iso", ISO), ("disk.vhdx", VHDX), ("Meeting SDK.dmg", DMG))),
        mail(attachments=(("invoice.pdf", PDF),)),
    ),
    "mail.script-attachment": (
        mail(attachments=(("update.vbs", VBS), ("help.chm", CHM), ("viewer.hta", HTA))),
        mail(attachments=(("notes.txt", b"Just notes: Dim the lights at 6.\n"),)),
    ),
    "mail.macos-app-attachment": (
        mail(attachments=(("Pitch Deck.zip", zipped({"Pitch Deck.app/Contents/MacOS/Pitch Deck": SHELL})),)),
        mail(attachments=(("Pitch Deck.zip", zipped({"Pitch Deck.pdf": PDF})),)),
    ),
    "mail.encrypted-archive": (
        mail(
            text="The assignment is attached. Password: Tokyo2025\n",
            attachments=(("assignment.zip", zipped({"task.js": b"console.log(1)"}, password_flag=True)),),
        ),
        mail(
            text="The assignment is attached.\n",
            attachments=(("assignment.zip", zipped({"task.md": b"Write a parser."})),),
        ),
    ),
    "mail.deceptive-attachment-name": (
        mail(attachments=(("invoice\u202efdp.exe", PE), ("statement.pdf", PE))),
        mail(attachments=(("statement.pdf", PDF),)),
    ),
    "mail.html-smuggling": (
        mail(attachments=(("invoice.html", SMUGGLER.encode()),)),
        mail(attachments=(("invoice.html", b"<html><body><p>Invoice 42: 1,980 JPY</p></body></html>"),)),
    ),
    "mail.lure-recruiter": (
        mail(
            subject="Job offer: Senior Solidity engineer",
            text="I am a recruiter at a VC-backed DeFi firm. Your profile stands out; the salary is 250k.\n",
            html='<p>Details: <a href="http://203.0.113.5/jd">job description</a></p>',
        ),
        mail(subject="Notes from Tuesday", text="Here are the notes from Tuesday.\n"),
    ),
    "mail.lure-coding-test": (
        mail(
            subject="Technical assessment",
            text="Please clone the repo and run npm install, then fix the bug: https://github.com/dev-hire/test-app\n",
        ),
        mail(subject="Release notes", text="The release notes are at https://github.com/example/project/releases\n"),
    ),
    "mail.lure-investment": (
        mail(
            sender="Acme Capital <partner@acme-capital-ventures.example>",
            text="We are a venture capital fund and see an investment opportunity in your seed round. "
            "Please schedule a call with our partner.\n",
        ),
        mail(text="The quarterly board pack is attached.\n"),
    ),
    "mail.lure-urgent-wallet": (
        mail(text="URGENT: your wallet will be suspended within 24 hours. Verify your recovery phrase now.\n"),
        mail(text="Your monthly statement is ready in the app.\n"),
    ),
    "mail.lure-token-claim": (
        mail(
            sender="Lido Finance <noreply@lido-rewards.example>",
            subject="You're eligible for stETH rewards",
            text="Exclusive update: claim your staking rewards now. Connect your wallet to check eligibility.\n",
        ),
        # a genuine staking statement names rewards but asks for no claim or wallet connection
        mail(subject="Your October staking statement", text="Your staking rewards for October were 0.042 ETH.\n"),
    ),
    "mail.lure-account-action": (
        mail(
            subject="Ihr Konto wurde gesperrt",
            text="Sehr geehrter Kunde, Ihr Konto wurde gesperrt. Bitte bestätigen Sie Ihre Daten.\n",
        ),
        mail(subject="Ihr Kontoauszug", text="Ihr Kontoauszug für Oktober steht im Online-Banking bereit.\n"),
    ),
    "mail.lure-prize": (
        mail(
            subject="Parabéns! Você foi selecionado",
            text="Parabéns! Seu cartão-presente de R$ 500 aguarda. Seus pontos vencem hoje.\n",
        ),
        mail(subject="Quarterly offsite", text="Congratulations on the launch, team. Dinner is on Friday.\n"),
    ),
    "mail.lure-advance-fee": (
        mail(
            sender="Mrs. Wathiqa <wathiqa.office@consultant.example>",
            headers=(("Reply-To", "wathiqa.private@gmail.com"),),
            subject="My dear beloved friend",
            text="I am the widow of a late client who left an inheritance of 7.5 million USD. I wish to "
            "make you the beneficiary; the bank will release the funds once you reply.\n",
        ),
        mail(
            subject="Series A closing",
            text="The round closed at 12 million USD; wire instructions come from legal on the usual channel.\n",
        ),
    ),
    "mail.lure-callback": (
        mail(
            sender="Paid Customer <billing.dept4471@gmail.com>",
            subject="Thank you for your order (#375829)",
            text="Your payment has been received: USD 503.00. Your membership will renew automatically and you "
            "will be charged again. To cancel the subscription call us at +1 (833) 317-4505.\n",
        ),
        mail(
            sender="Acme Software <billing@acme-software.example>",
            subject="Your receipt",
            text="Your payment has been received: USD 49.00. Manage or cancel your subscription in your account "
            "settings at https://acme-software.example/billing.\n",
        ),
    ),
    "mail.spoofed-sender": (
        mail(
            sender="Coinbase <no-reply@coinbase.com>",
            headers=(
                (
                    "Authentication-Results",
                    "mx.acme-capital.com; dkim=pass header.d=bulk-mailer.example header.s=s1; "
                    "spf=pass smtp.mailfrom=bulk-mailer.example; dmarc=none header.from=coinbase.com",
                ),
            ),
        ),
        mail(
            sender="Coinbase <no-reply@coinbase.com>",
            headers=(("Authentication-Results", PASS.format(d="coinbase.com")),),
        ),
    ),
    "mail.recipient-in-subject": (
        mail(subject="aiko@acme-capital.com, your mailbox storage is almost full", to="aiko@acme-capital.com"),
        mail(
            subject="Invitation: Board call @ Tue 4 Nov 2025 (aiko@acme-capital.com)",
            to="aiko@acme-capital.com",
        ),
    ),
    "mail.hidden-text": (
        mail(subject="Update", text="Your Pa\u200byPal account needs ver\u200bifi\u200bcation today.\n"),
        # invisible padding between words, as newsletters put in their preheader, is not hiding anything
        mail(subject="News", text="November news \u200c \u200c \u200c \u200c from the team.\n"),
    ),
    "mail.lookalike-letters": (
        mail(subject="Y\u043eur \u0430cc\u043eunt h\u0430s been l\u043ecked"),  # Cyrillic o and a
        mail(subject="\u0412\u0441\u0442\u0440\u0435\u0447\u0430 \u0432 Zoom"),  # Russian and a Latin name
    ),
    "mail.paste-and-run": (
        mail(
            subject="Verify you are human",
            text="To finish the verification:\n1. Press Windows Key + R\n2. Press CTRL + V\n3. Press Enter\n",
        ),
        mail(
            subject="This week in Rust",
            text="To try the new release, open a terminal and run:\n\n"
            "    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh\n",
        ),
    ),
    "mail.crypto-payment-ask": (
        mail(text="Transfer $900 in Bitcoin to my wallet within 48 hours:\n1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa\n"),
        mail(text="Please send the signed term sheet to my address in Lisbon by Friday.\n"),
    ),
    "mail.macro-document": (b"", b""),  # built from a real document in test_attachments.py
    "mail.dkim-invalid": (b"", b""),  # needs a signing key: test_authentication.py
}
ELSEWHERE = {"mail.macro-document", "mail.dkim-invalid"}


def test_every_rule_has_a_case_both_ways() -> None:
    assert {rule.id for rule in RULES} == set(CASES)


@pytest.mark.parametrize("rule_id", sorted(set(CASES) - ELSEWHERE))
def test_rule_fires_on_bad_and_is_silent_on_good(rule_id: str) -> None:
    bad, good = CASES[rule_id]
    module = next(m for m in RULE_MODULES if m.RULE.id == rule_id)
    ctx = context()
    fired = module.check(parsed(bad), ctx)
    assert fired, f"{rule_id} did not fire on its bad sample"
    assert all(f.rule_id == rule_id for f in fired)
    assert all(f.evidence for f in fired if f.severity.rank >= Severity.LOW.rank)
    assert module.check(parsed(good), ctx) == [], f"{rule_id} fired on its good sample"


def test_rules_carry_attack_ids_and_rationale() -> None:
    for rule in RULES:
        assert rule.rationale and len(rule.rationale) > 60, rule.id
        assert rule.attack, rule.id


def test_brand_display_name_without_any_address_is_impersonation() -> None:
    from heistguard.mail.rules import display_name_impersonation

    raw = mail().replace(b"From: Bob Lee <bob@partner.example.org>", b"From: PayPal Service Team")
    (finding,) = display_name_impersonation.check(parsed(raw), context())
    assert "no sender address" in finding.title


def test_account_pretext_is_silent_when_the_sender_vouches_and_links_stay_home() -> None:
    text = "Your account logged in from a new device. If this was not you, secure your account.\n"
    link = '<p><a href="https://www.binance.com/en/my/security">secure your account</a></p>'
    genuine = mail(
        sender="Binance <do-not-reply@ses.binance.com>",
        headers=(("Authentication-Results", PASS.format(d="binance.com")),),
        text=text,
        html=link,
    )
    elsewhere = mail(
        sender="Binance <do-not-reply@ses.binance.com>",
        headers=(("Authentication-Results", PASS.format(d="binance.com")),),
        text=text,
        html=link.replace("www.binance.com", "binance-security.example"),
    )
    unvouched = mail(sender="Binance <do-not-reply@ses.binance.com>", text=text, html=link)
    ctx = context()
    assert lure_account_action.check(parsed(genuine), ctx) == []
    assert lure_account_action.check(parsed(elsewhere), ctx)
    assert lure_account_action.check(parsed(unvouched), ctx)


def test_callback_scam_is_high_from_a_free_mailbox_and_low_on_a_linked_receipt() -> None:
    text = (
        "Your subscription has been renewed and you will be charged USD 399. Questions or concerns about your "
        "order? Call us at (856)633-1822.\n"
    )
    scam = mail(sender="McAfee Billing <renewals.desk77@gmail.com>", text=text)
    receipt = mail(
        sender="Acme Software <billing@acme-software.example>",
        text=text,
        html='<p><a href="https://acme-software.example/account">Manage your subscription</a></p>',
    )
    ctx = context()
    assert [f.severity for f in lure_callback.check(parsed(scam), ctx)] == [Severity.HIGH]
    assert [f.severity for f in lure_callback.check(parsed(receipt), ctx)] == [Severity.LOW]
    # an order number is not a phone number
    assert lure_callback.check(parsed(mail(text=text.replace("(856)633-1822", "order 8566331822"))), ctx) == []


def test_callback_without_links_fires_even_from_a_domain_that_signs_its_mail() -> None:
    # attackers register and sign their own domains; a callback scam carries nothing to click
    text = (
        "Your subscription has been renewed and you will be charged USD 399. "
        "To cancel the renewal call us at (856)633-1822.\n"
    )
    signed = mail(
        sender="Billing <billing@secure-renewals.example>",
        headers=(("Authentication-Results", PASS.format(d="secure-renewals.example")),),
        text=text,
    )
    linked = mail(
        sender="Billing <billing@secure-renewals.example>",
        headers=(("Authentication-Results", PASS.format(d="secure-renewals.example")),),
        text=text,
        html='<p><a href="https://secure-renewals.example/account">Your account</a></p>',
    )
    ctx = context()
    assert [f.severity for f in lure_callback.check(parsed(signed), ctx)] == [Severity.MEDIUM]
    assert lure_callback.check(parsed(linked), ctx) == []


def test_callback_number_printed_as_a_support_contact_label() -> None:
    # the 2025 "order confirmation" shape: no "call us", only a label and a number under the renewal
    text = (
        "Your Ultimate Plus subscription has been successfully renewed.\nInvoice Number: #NP0931\n"
        "Total Amount: $299.99 USD\n\nSupport Contact:\n\U0001f4de +1 843-602-3984\n"
    )
    (finding,) = lure_callback.check(parsed(mail(sender="E-Receipt <w3@renewals.example>", text=text)), context())
    assert finding.severity is Severity.MEDIUM and "support contact: +1 843-602-3984" in finding.title


def test_direction_marks_inside_words_are_hidden_text_but_not_at_the_edge_of_right_to_left_text() -> None:
    from heistguard.mail.rules import hidden_text

    # the shape of real Coinbase-brand phishing of early 2023: a pop-directional-isolate between letters
    split = mail(subject="Verify", text="V\u2069e\u2069r\u2069if\u2069y yo\u2069ur in\u2069f\u2069o by Friday.\n")
    (finding,) = hidden_text.check(parsed(split), context())
    assert finding.title.startswith("7 words")
    # a right-to-left mark at the edge of Hebrew, beside Latin words, is how mixed-direction text is written
    hebrew = "\u05e4\u05d2\u05d9\u05e9\u05d4\u200f Zoom \u200f\u05de\u05d7\u05e8 at 10:00 "
    hebrew += "\u200eOK\u200e \u200eok\u200e."
    assert hidden_text.check(parsed(mail(subject="Meeting", text=hebrew + "\n")), context()) == []


@pytest.mark.parametrize(
    ("display", "brand"),
    [
        # the shape of 2025 "Microsoft Support" mail: a variation selector from the supplement block between
        # letters, which renders as nothing and hides the name from a keyword match
        ("Mi\U000e0139cr\U000e0139oso\U000e0139ft Sup\U000e0139port", "Microsoft"),
        ("Magic-Eden (Demeter ICT Co. Ltd.)", "Magic Eden"),  # a dash between the words of the name
        ("TrustWallet Security", "Trust Wallet"),  # no space at all
        ("\U0001d401\U0001d422\U0001d427\U0001d41a\U0001d427\U0001d41c\U0001d41e Support", "Binance"),  # bold
        ("\u0421oinbase Support", "Coinbase"),  # a Cyrillic capital Es
        ("\u041c\u0435ta\u041cask", "MetaMask"),  # Cyrillic capital Em, whose small letter looks nothing like m
        ("Bin\u00adance Card", "Binance"),  # a soft hyphen
        ("A\u073fm\u073fa\u073fz\u073fo\u073fn.com", "Amazon"),  # a Syriac mark on every letter (2025 mail)
    ],
)
def test_display_names_are_read_as_a_reader_sees_them(display: str, brand: str) -> None:
    from heistguard.mail.rules import display_name_impersonation

    raw = mail(sender=f'"{display}" <alerts@datamart-notices.example>')
    (finding,) = display_name_impersonation.check(parsed(raw), context())
    assert f"claims {brand!r}" in finding.title


@pytest.mark.parametrize(
    "sender",
    [
        "Microsoft Support <support@microsoft.com>",
        '"Magic-Eden" <hello@magiceden.io>',
        "Edenfield Magic Shop <shop@edenfield.example>",  # the words, not the name
        '"\u30b3\u30a4\u30f3\u30c1\u30a7\u30c3\u30af\u9023\u643a\u306e\u3054\u6848\u5185" <a@b.example>',
    ],
)
def test_honest_display_names_stay_silent(sender: str) -> None:
    from heistguard.mail.rules import display_name_impersonation

    assert display_name_impersonation.check(parsed(mail(sender=sender)), context()) == []


def test_a_display_name_broken_up_by_invisible_characters_is_hidden_text_but_emoji_selectors_are_not() -> None:
    from heistguard.mail.rules import hidden_text

    broken = mail(sender='"Le\u200bdg\u200ber Support" <support@ledger-notices.example>')
    (finding,) = hidden_text.check(parsed(broken), context())
    assert finding.severity is Severity.MEDIUM and "display name" in finding.title
    # an emoji's presentation selector, and the tag characters that spell a subdivision flag, follow a symbol
    flag = "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
    honest = mail(sender=f'"Acme \u2764\ufe0f Team {flag}" <team@acme-capital.com>', subject=f"Meetup {flag}")
    assert hidden_text.check(parsed(honest), context()) == []


def _ip_literal_by_definition(host: str) -> bool:
    bare = host.strip("[]")
    try:
        ipaddress.ip_address(bare)
        return True
    except ValueError:
        return bool(_OBFUSCATED_IP.match(bare))


@settings(max_examples=400, deadline=None)
@given(st.text("0123456789.abcdefxX:[]%٣", max_size=24))
def test_ip_literal_skips_only_hosts_ipaddress_cannot_read(host: str) -> None:
    assert ip_literal(host) == _ip_literal_by_definition(host)


@pytest.mark.parametrize("host", ["192.0.2.1", "[2001:db8::1]", "0xC0000201", "3221225985", "0300.0000.0002.0001"])
def test_ip_literals_in_every_form_browsers_accept(host: str) -> None:
    assert ip_literal(host)
