"""Triage one message: parse, run every rule, add the model's opinion, and sum it all into a verdict."""

from __future__ import annotations

from heistguard.findings import Finding, Verdict, error_verdict, verdict_of
from heistguard.mail.context import MailContext
from heistguard.mail.message import parse_message
from heistguard.mail.model import PhishingModel
from heistguard.mail.rules import CHECKS
from heistguard.mail.sources import MailItem

GUARD = "mail"
VERDICT_WORDS = ("phishing", "suspicious", "clean")


def triage(item: MailItem, context: MailContext, model: PhishingModel | None = None) -> Verdict:
    """The verdict on one message; a message that cannot be read gets an error verdict, never an exception."""
    if item.error:
        return error_verdict(item.name, GUARD, item.error)
    try:
        message = parse_message(item.raw, item.name)
    except Exception as exc:  # the stdlib parser has corners that raise odd types on hostile input
        return error_verdict(item.name, GUARD, f"cannot parse {item.name}: {type(exc).__name__}: {exc}")
    findings: list[Finding] = []
    for check in CHECKS:
        try:
            findings.extend(check(message, context))
        except Exception as exc:  # one hostile message must not stop the batch, whatever a parser library raises
            rule = check.__module__.rsplit(".", 1)[-1]
            return error_verdict(item.name, GUARD, f"cannot analyse {item.name} ({rule}): {type(exc).__name__}: {exc}")
    if model is not None:
        model_finding = model.finding(model.opinion(message, findings))
        if model_finding is not None:
            findings.append(model_finding)
    return verdict_of(item.name, GUARD, findings, VERDICT_WORDS)
