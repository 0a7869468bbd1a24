"""Triage one message: parse, run every rule, add the model's opinion, and sum it all into a verdict."""

from __future__ import annotations

import gc

from heistguard.findings import Finding, Severity, Verdict, error_verdict, verdict_of
from heistguard.mail.authentication import vouched_notice
from heistguard.mail.context import MailContext
from heistguard.mail.message import Message, parse_message
from heistguard.mail.model import PhishingModel
from heistguard.mail.rules import CHECKS
from heistguard.mail.sources import MailItem

GUARD = "mail"
VERDICT_WORDS = ("phishing", "suspicious", "clean")


# A lure theme is ordinary business language on its own; beside a sign of deceit it is the pretext.
_THEMES = frozenset({"mail.lure-recruiter", "mail.lure-investment"})


def with_lures_weighed(findings: list[Finding]) -> list[Finding]:
    """Raise recruiter / investor themes from info to medium when another rule found deceit (low or worse)."""
    deceit = any(f.severity.rank >= Severity.LOW.rank and f.rule_id not in _THEMES for f in findings)
    if not deceit:
        return findings
    return [
        f.model_copy(update={"severity": Severity.MEDIUM, "title": f.title + " (with other signs of deceit)"})
        if f.rule_id in _THEMES
        else f
        for f in findings
    ]


class RuleFailure(Exception):
    def __init__(self, rule: str, reason: str) -> None:
        super().__init__(f"{rule}: {reason}")
        self.rule = rule
        self.reason = reason


def rule_findings(message: Message, context: MailContext) -> list[Finding]:
    """Every rule's findings on one parsed message, lure themes weighed against the other signs."""
    findings: list[Finding] = []
    for check in CHECKS:
        try:
            findings.extend(check(message, context))
        except Exception as exc:  # a library bug on hostile bytes is reported for this message only
            raise RuleFailure(check.__module__.rsplit(".", 1)[-1], f"{type(exc).__name__}: {exc}") from exc
    return with_lures_weighed(findings)


def freeze_loaded() -> None:
    """Put what was loaded once (the rules' patterns, the model, the intel keys) out of the garbage collector's
    sight before a batch: otherwise every full collection walks it all again while a mailbox is triaged (about
    3 % of the time a message takes)."""
    gc.collect()
    gc.freeze()


def triage(item: MailItem, context: MailContext, model: PhishingModel | None = None) -> Verdict:
    """The verdict on one message; a message that cannot be read gets an error verdict, never an exception."""
    if item.error:
        return error_verdict(item.name, GUARD, item.error)
    try:
        message = parse_message(item.raw, item.name, outlook_sender=item.outlook_sender)
    except Exception as exc:  # the stdlib parser has corners that raise odd types on hostile input
        return error_verdict(item.name, GUARD, f"cannot parse {item.name}: {type(exc).__name__}: {exc}")
    try:
        findings = rule_findings(message, context)
    except RuleFailure as exc:  # one hostile message must not stop the batch, whatever a parser library raises
        return error_verdict(item.name, GUARD, f"cannot analyse {item.name} ({exc.rule}): {exc.reason}")
    if model is not None:
        opinion = model.opinion(message, findings)
        # only a likely score alone can be silenced by a vouched sender: look at authentication only then
        vouched = opinion.probability >= model.high and vouched_notice(message, context.config.trusted_authserv_ids)
        model_finding = model.finding(opinion, findings, vouched)
        if model_finding is not None:
            findings.append(model_finding)
    return verdict_of(item.name, GUARD, findings, VERDICT_WORDS)
