"""mail.lure-coding-test: a skills test or coding assignment to clone, install or run, the step where the
implant is delivered."""

from __future__ import annotations

import re

from heistguard.artifacts.filetype import Kind
from heistguard.findings import Finding, IndicatorRef, Rule, Severity
from heistguard.mail.context import MailContext, at
from heistguard.mail.domains import host_of, registrable
from heistguard.mail.message import Message
from heistguard.mail.rules._lures import hits, phrases

RULE = Rule(
    id="mail.lure-coding-test",
    severity=Severity.MEDIUM,
    title="coding-test lure with a repository or project to run",
    rationale="DPRK fake recruiters send a 'technical assessment': a repository or zipped project whose npm "
    "or Python dependencies carry the backdoor (Contagious Interview / BeaverTail, 2023-25). Asking a "
    "candidate to clone and run code is exactly the delivery step.",
    attack=("T1566.002", "T1204.002", "T1195.002"),
    references=("https://unit42.paloaltonetworks.com/two-campaigns-by-north-korea-bad-actors-target-job-hunters/",),
)

PATTERN = phrases(
    (
        r"\b(?:coding|technical|skills?|take[- ]home|programming) (?:test|assessment|assignment|challenge|task|"
        r"exercise)\b",
        r"\b(?:clone|fork|download) (?:the|this|our) (?:repo|repository|project|code)\b",
        r"\bnpm (?:install|i|start|run)\b|\byarn (?:install|start)\b|\bpip install\b|\bnode \S+\.js\b",
        r"\brun the (?:project|app|code|application)\b|\bfix (?:the|a) bug\b",
        r"コーディングテスト|技術課題|課題|リポジトリ",
    )
)
REPO_HOSTS = frozenset({"github.com", "gitlab.com", "bitbucket.org", "gitea.com", "codeberg.org", "dev.azure.com"})


def check(message: Message, context: MailContext) -> list[Finding]:
    found = hits(PATTERN, message)
    if not found:
        return []
    repos = [
        link.url
        for link in message.links
        if registrable(host_of(link.url)) in REPO_HOSTS or re.search(r"\.git$", link.url)
    ]
    archives = [
        a for a in message.attachments if a.filetype.kind in (Kind.ZIP, Kind.RAR, Kind.SEVENZIP, Kind.TAR, Kind.GZIP)
    ]
    if not repos and not archives:
        return []
    what = repos[0] if repos else archives[0].name
    evidence = [at(message, "body", "; ".join(found[:4]))]
    evidence.append(at(message, "link" if repos else f"attachment {what}", what))
    indicators = (
        [IndicatorRef(type="url", value=repos[0][:300])]
        if repos
        else [IndicatorRef(type="sha256", value=archives[0].sha256)]
    )
    return [RULE.finding(f"coding test ({found[0]}) with {what}", evidence, indicators)]
