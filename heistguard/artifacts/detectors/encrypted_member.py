"""artifacts.encrypted-member: an archive member is encrypted, so its bytes cannot be scanned; its name,
size and what the name claims to be are reported instead."""

from __future__ import annotations

from heistguard.artifacts.filetype import name_suggests
from heistguard.findings import Evidence, Finding, Location, Rule, Severity

RULE = Rule(
    id="artifacts.encrypted-member",
    severity=Severity.LOW,
    title="Archive member is encrypted: its content could not be scanned",
    rationale="A password-protected member (ZipCrypto or AES) hides its bytes from every scanner, which is "
    "why droppers travel that way with the password written beside them. Honest packages and repos rarely "
    "need one. Only the name and size can be read without the password; a name that claims to be a "
    "program, script, shortcut or disk image raises the finding to medium.",
    attack=("T1027.013",),
    references=("https://attack.mitre.org/techniques/T1027/013/",),
)


def finding(path: str, detail: str) -> Finding:
    """The finding for one encrypted member at `path` (`archive.zip!setup.exe`)."""
    runnable = name_suggests(path.rsplit("!", 1)[-1])
    return RULE.finding(
        f"{path.rsplit('/', 1)[-1] or path}: encrypted, not scanned",
        [Evidence(location=Location(path=path), text=detail)],
        severity=Severity.MEDIUM if runnable else None,
    )
