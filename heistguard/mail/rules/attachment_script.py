"""mail.script-attachment: a script, HTML application or compiled help file is attached (judged by the bytes,
not the name)."""

from __future__ import annotations

from heistguard.artifacts.filetype import Kind, extension
from heistguard.findings import Finding, Rule, Severity
from heistguard.mail.context import MailContext
from heistguard.mail.message import Message
from heistguard.mail.rules._attachments import MAX_FINDINGS, attachment_finding, items

RULE = Rule(
    id="mail.script-attachment",
    severity=Severity.HIGH,
    title="a script, HTML application or compiled help file is attached",
    rationale="JavaScript, VBScript, WSF, PowerShell, batch, HTA and CHM files run code through Windows' own "
    "hosts (wscript, mshta, hh) when opened; compiled AppleScript does the same on macOS.",
    attack=("T1566.001", "T1204.002", "T1059"),
)

KINDS = frozenset({Kind.SCRIPT, Kind.HTA, Kind.CHM, Kind.APPLESCRIPT})
# Text that merely looks like code (a patch, a source file, a log) is not a script host's input.
_WINDOWS_HOSTED = frozenset({"javascript", "vbscript", "wsf", "powershell", "batch"})
_TEXT_EXTENSIONS = frozenset(
    {"txt", "csv", "log", "md", "patch", "diff", "c", "h", "cc", "cpp", "py", "rs", "go", "java", "json", "xml",
     "yml", "yaml", "ini", "cfg", "conf", "asc", "sig", "rst", "tex", "toml", "sql", "rb", "pl", "php", "ts"}
)  # fmt: skip


def check(message: Message, context: MailContext) -> list[Finding]:
    findings = []
    for item in items(message, KINDS):
        # Windows runs its script hosts on a double click; a shebang script needs a shell to be started.
        windows = item.filetype.kind is not Kind.SCRIPT or item.filetype.detail in _WINDOWS_HOSTED
        if item.filetype.kind is Kind.SCRIPT and extension(item.name) in _TEXT_EXTENSIONS:
            continue
        findings.append(attachment_finding(RULE, message, item, severity=None if windows else Severity.MEDIUM))
    return findings[:MAX_FINDINGS]
