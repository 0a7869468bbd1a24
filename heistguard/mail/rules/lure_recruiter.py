"""mail.lure-recruiter: a recruiter or job-offer approach, the opening of DPRK's "Operation Dream Job" and its
successors."""

from __future__ import annotations

from heistguard.findings import Finding, Rule, Severity
from heistguard.mail.context import MailContext, at
from heistguard.mail.message import Message
from heistguard.mail.rules._lures import hits, phrases

RULE = Rule(
    id="mail.lure-recruiter",
    severity=Severity.INFO,
    title="recruiter / job-offer lure",
    rationale="Lazarus approaches developers and finance staff of crypto firms as recruiters with attractive "
    "offers, then moves them to a 'job description' file or a coding test. Real recruiters write the "
    "same words, so this is a theme marker that other signs make strong.",
    attack=("T1566", "T1656"),
    references=("https://www.npa.go.jp/bureau/cyber/koho/caution/caution20241224.html",),
)

PATTERN = phrases(
    (
        r"\bjob (?:offer|opportunity|description|opening)\b",
        r"\b(?:recruiter|recruiting|headhunter|talent acquisition|hiring manager)\b",
        r"\b(?:position|role) (?:of|as|at|for)\b",
        r"\bcompensation\b|\bsalary\b|\bremote (?:position|role|work)\b",
        r"\byour (?:profile|resume|cv|background|experience)\b",
        r"\binterview\b",
        r"求人|採用|転職|年収|面接|スカウト|職務内容|ポジション",
    )
)


def check(message: Message, context: MailContext) -> list[Finding]:
    found = hits(PATTERN, message)
    if len(found) < 2:
        return []
    return [RULE.finding(f"recruiting language: {', '.join(found[:4])}", [at(message, "body", "; ".join(found[:6]))])]
