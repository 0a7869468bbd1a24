"""The shipped model: a versioned artifact with its training data named, that never calls mail phishing on words
alone."""

from __future__ import annotations

from pathlib import Path

from heistguard.config import MailConfig
from heistguard.findings import Severity
from heistguard.mail.context import MailContext
from heistguard.mail.model import MODEL_RULE, load_model
from heistguard.mail.rules import RULES
from heistguard.mail.sources import MailItem
from heistguard.mail.triage import rule_findings, triage
from tests.mail.build import context, mail, parsed


def test_artifact_is_versioned_and_names_its_data() -> None:
    model = load_model()
    assert model is not None
    meta = model.meta
    assert meta["version"] and meta["trained"]
    assert "phishing_pot" in meta["training_data"]["phishing"]
    assert "SpamAssassin" in meta["training_data"]["ham_2002"]
    assert meta["rule_features"] == [r.id for r in RULES]  # trained on this release's rules
    assert 0.0 < meta["threshold_medium"] <= meta["threshold_high"] < 1.0
    assert "phishing" not in model.vocabulary and "pot" not in model.vocabulary  # the victim token is gone


def test_the_model_leans_on_the_ask_not_the_era() -> None:
    model = load_model()
    assert model is not None
    lure = parsed(
        mail(
            subject="Action required: verify your account",
            text="Your account will be suspended. Verify your password and confirm your payment details now.\n",
        )
    )
    chat = parsed(mail(subject="Re: lunch", text="Sounds good, see you at noon by the usual place.\n"))
    assert model.opinion(lure, []).probability > model.opinion(chat, []).probability


def test_words_alone_never_make_phishing() -> None:
    model = load_model()
    assert model is not None
    message = parsed(mail(text="Verify your account password now or it will be suspended. Confirm payment.\n"))
    opinion = model.opinion(message, [])
    opinion = type(opinion)(probability=0.999, reasons=("word 'verify'",))
    alone = model.finding(opinion, [])
    assert alone is not None and alone.severity is Severity.LOW
    with_sign = model.finding(opinion, rule_findings(parsed(mail(text="https://bit.ly/x https://bit.ly/y")), context())
                              + rule_findings(parsed(mail(sender="Jane Doe <ceo@gmail.com>")), context()))  # fmt: skip
    assert with_sign is not None and with_sign.severity is Severity.HIGH
    assert with_sign.rule_id == MODEL_RULE.id


def test_a_likely_score_alone_says_nothing_on_a_notice_the_sender_vouches_for() -> None:
    model = load_model()
    assert model is not None
    opinion = model.opinion(parsed(mail()), [])
    likely = type(opinion)(probability=0.999, reasons=("word 'invoice'",))
    assert model.finding(likely, [], vouched=True) is None
    alone = model.finding(likely, [], vouched=False)
    assert alone is not None and alone.severity is Severity.LOW
    # a rule's sign of deceit still counts on a vouched notice: an attacker can own and sign a domain
    with_sign = model.finding(likely, rule_findings(parsed(mail(text="https://bit.ly/x")), context()), vouched=True)
    assert with_sign is not None and with_sign.severity is Severity.HIGH


def test_the_demo_receipt_from_an_authenticated_sender_is_clean() -> None:
    path = Path(__file__).resolve().parents[2] / "samples" / "mail" / "legit-receipt.eml"
    item = MailItem(name=str(path), raw=path.read_bytes())
    verdict = triage(item, MailContext(MailConfig()), load_model())
    assert verdict.verdict == "clean", verdict.findings
