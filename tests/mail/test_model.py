"""The shipped model: a versioned artifact with its training data named, that calls mail phishing on its words alone
only when very likely, and never on a notice the sender vouches for."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from heistguard.config import MailConfig
from heistguard.errors import BadInput
from heistguard.findings import Severity
from heistguard.mail.context import MailContext
from heistguard.mail.model import MODEL_RULE, Opinion, PhishingModel, load_model
from heistguard.mail.rules import RULES
from heistguard.mail.sources import MailItem
from heistguard.mail.triage import rule_findings, triage
from tests.mail.build import PASS, context, mail, parsed


def test_artifact_is_versioned_and_names_its_data() -> None:
    model = load_model()
    assert model is not None
    meta = model.meta
    assert meta["version"] and meta["trained"]
    assert "phishing_pot" in meta["training_data"]["phishing"]
    assert "SpamAssassin" in meta["training_data"]["ham_2002"]
    assert meta["rule_features"] == [r.id for r in RULES]  # trained on this release's rules
    assert 0.0 < meta["threshold_medium"] <= meta["threshold_high"] <= meta["threshold_very"] < 1.0
    oof = meta["out_of_fold"]  # what training measured on its own split, out of fold
    assert 0.0 < oof["verdict"]["recall"] <= 1.0 and 0.0 <= oof["verdict"]["fpr"] < 0.01
    assert "phishing" not in model.vocabulary and "pot" not in model.vocabulary  # the victim token is gone
    # function words only say which language (the training ham is English): dropped in every language
    assert {"para", "und", "vous", "het"} <= model.terms.stop_words and "para" not in model.vocabulary


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


def test_words_alone_make_phishing_only_when_very_likely() -> None:
    model = load_model()
    assert model is not None
    likely = Opinion(probability=(model.high + model.very) / 2, reasons=("word 'verify'",))
    alone = model.finding(likely, [])
    assert alone is not None and alone.severity is Severity.LOW  # worth a look, never a block
    very = model.finding(Opinion(probability=model.very, reasons=("word 'verify'",)), [])
    assert very is not None and very.severity is Severity.HIGH and "very likely on its own" in very.title
    with_sign = model.finding(likely, rule_findings(parsed(mail(text="https://bit.ly/x https://bit.ly/y")), context())
                              + rule_findings(parsed(mail(sender="Jane Doe <ceo@gmail.com>")), context()))  # fmt: skip
    assert with_sign is not None and with_sign.severity is Severity.HIGH
    assert with_sign.rule_id == MODEL_RULE.id
    assert model.finding(Opinion(probability=model.high * 0.99, reasons=()), []) is None


def _artifact(**changes: Any) -> dict[str, Any]:
    model = load_model()
    assert model is not None
    return {**model.meta, **changes}


def test_a_model_without_a_very_likely_threshold_never_calls_phishing_on_words_alone() -> None:
    artifact = _artifact()
    del artifact["threshold_very"]  # a version 2 artifact
    old = PhishingModel(artifact)
    alone = old.finding(Opinion(probability=0.9999, reasons=()), [])
    assert alone is not None and alone.severity is Severity.LOW


def test_a_very_likely_threshold_below_the_likely_one_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    artifact = _artifact(threshold_very=0.1)
    path.write_text(json.dumps(artifact), "utf-8")
    with pytest.raises(BadInput, match="very-likely threshold"):
        load_model(path)


# A plain invoice notice: no rule finds anything in it, but its words are those of fake invoices.
_INVOICE = mail(
    subject="Invoice #88213 attached",
    text="Hello,\n\nPlease find the attached invoice for your recent order. Kindly review the payment details and "
    "confirm receipt of this email today.\n\nRegards,\nBilling department\n",
)


def test_a_very_likely_message_is_phishing_unless_its_sender_vouches_for_it() -> None:
    model = load_model()
    assert model is not None
    assert not rule_findings(parsed(_INVOICE), context())  # no rule sees anything: the model decides alone
    unvouched = triage(MailItem(name="invoice.eml", raw=_INVOICE), context(), model)
    assert unvouched.verdict == "phishing"
    assert [f.rule_id for f in unvouched.findings] == [MODEL_RULE.id]
    assert "very likely on its own" in unvouched.findings[0].title
    # the same words from a domain that authenticates itself, no link elsewhere: its own invoice, not a fake
    signed = _INVOICE.replace(b"From:", b"Authentication-Results: " + PASS.format(d="partner.example.org").encode()
                              + b"\nFrom:", 1)  # fmt: skip
    vouched = triage(MailItem(name="signed.eml", raw=signed), context(), model)
    assert vouched.verdict == "clean", vouched.findings


def test_a_likely_score_alone_says_nothing_on_a_notice_the_sender_vouches_for() -> None:
    model = load_model()
    assert model is not None
    likely = Opinion(probability=0.999, reasons=("word 'invoice'",))
    assert model.finding(likely, [], vouched=True) is None
    alone = model.finding(likely, [], vouched=False)
    assert alone is not None and alone.severity is Severity.HIGH  # very likely
    # a rule's sign of deceit still counts on a vouched notice: an attacker can own and sign a domain
    with_sign = model.finding(likely, rule_findings(parsed(mail(text="https://bit.ly/x")), context()), vouched=True)
    assert with_sign is not None and with_sign.severity is Severity.HIGH


def test_the_demo_receipt_from_an_authenticated_sender_is_clean() -> None:
    path = Path(__file__).resolve().parents[2] / "samples" / "mail" / "legit-receipt.eml"
    item = MailItem(name=str(path), raw=path.read_bytes())
    verdict = triage(item, MailContext(MailConfig()), load_model())
    assert verdict.verdict == "clean", verdict.findings


def test_the_shipped_model_reads_words_as_scikit_learn_did_when_training() -> None:
    from sklearn.feature_extraction.text import CountVectorizer

    from heistguard.mail.features import TOKEN_PATTERN

    model = load_model()
    assert model is not None
    documents = [
        "Please verify your account now: your account will be suspended. Click here to verify your account.",
        "Sua conta será bloqueada. Clique para atualizar seus dados e confirmar a senha da sua conta.",
        "Bitte bestätigen Sie Ihr Konto, sonst wird Ihr Konto gesperrt. Klicken Sie hier.",
        "Votre colis est en attente: payez les frais de livraison pour le recevoir.",
        "Uw pakket wacht op betaling van de verzendkosten. Klik hier om te betalen.",
    ]
    expected = CountVectorizer(
        binary=True,
        token_pattern=TOKEN_PATTERN,
        stop_words=sorted(model.terms.stop_words),
        ngram_range=tuple(model.meta["ngram_range"]),
        vocabulary=model.vocabulary,
    )
    for document in documents:
        found = model.terms.columns(document)
        assert found == list(expected.transform([document]).indices)
        assert found  # each document shares terms with the vocabulary, so the comparison says something
