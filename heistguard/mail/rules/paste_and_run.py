"""mail.paste-and-run: the reader is told to open the Run box and paste a command ("ClickFix"), or is sent a command
that fetches and runs code the way downloaders do."""

from __future__ import annotations

import re

from heistguard.artifacts.filetype import Kind
from heistguard.findings import Finding, IndicatorRef, Rule, Severity
from heistguard.mail.context import MailContext, at
from heistguard.mail.message import Attachment, Message, html_to_text
from heistguard.mail.rules._lures import own_notice
from heistguard.mail.textscan import fold

RULE = Rule(
    id="mail.paste-and-run",
    severity=Severity.HIGH,
    title="paste-and-run instructions or a downloader command",
    rationale="No genuine service fixes a camera, a captcha or a document by having the reader press Win+R and "
    "paste a command: that is how ClickFix and DPRK's ClickFake Interview (2025) get their downloader run "
    "by the victim's own hand, past every attachment filter. A hidden or encoded PowerShell line, an "
    "mshta / certutil / regsvr32 fetch, or a curl that skips certificate checks and runs what it fetched is "
    "the same payload spelled out.",
    attack=("T1204.004", "T1059", "T1566"),
    references=("https://attack.mitre.org/techniques/T1204/004/",),
)

SCAN = 20_000  # characters of text read: the instructions come on the first screen
MAX_PAGE = 2_000_000  # characters of an attached page read

# The Run box: Win+R (however the key is written), or "press the Windows key".
_RUN_BOX = re.compile(
    r"(?:\bwin(?:dows)?(?:[ -]?(?:key|logo key|button))?|[⊞❖])\s*\+\s*[\"'“]?r\b"
    r"|\bpress (?:and hold )?(?:the )?windows(?: logo)? key\b",
    re.I,
)
# Somewhere else a command runs: a terminal, PowerShell, the command prompt.
_TERMINAL = re.compile(
    r"\b(?:open|launch|start|search for|type)\s+(?:the\s+|a\s+|your\s+)?(?:windows\s+)?"
    r"(?:terminal|powershell|command prompt|cmd(?:\.exe)?)\b",
    re.I,
)
# Pasting: the shortcut, or the words.
_PASTE = re.compile(
    r"\b(?:ctrl|control|cmd|command)\s*\+\s*[\"'“]?v\b|⌘\s*\+?\s*v\b|\bright[- ]click to paste\b"
    r"|\bpaste (?:it|this|the (?:code|command|text|script|fix|verification(?: code)?|line))\b",
    re.I,
)
# A command that fetches code and runs it (each shape needs the fetch, not just a shell's name, so "run ipconfig
# in PowerShell" is not one).
_CRADLE = re.compile(
    r"\bpowershell(?:\.exe)?\b[^\n]{0,240}?(?:\s-e(?:nc(?:odedcommand)?)?\s+[A-Za-z0-9+/=]{20,}|\biex\b"
    r"|invoke-expression|invoke-webrequest|\biwr\b|\birm\b|invoke-restmethod|downloadstring|downloadfile"
    r"|net\.webclient|start-bitstransfer|\s-w(?:indowstyle)?\s+h(?:idden)?\b)"
    r"|\bmshta(?:\.exe)?\s+[\"']?(?:https?:|vbscript:|javascript:)"
    r"|\bcertutil(?:\.exe)?\b[^\n]{0,60}\s-urlcache\b"
    r"|\bbitsadmin(?:\.exe)?\b[^\n]{0,60}\s/transfer\b"
    r"|\bregsvr32(?:\.exe)?\b[^\n]{0,80}/i:\s*https?:"
    r"|\brundll32(?:\.exe)?\b[^\n]{0,80}(?:javascript:|https?://)"
    r"|\b(?:curl|wget)\b[^\n|]{0,240}\|\s*(?:sudo\s+)?(?:ba|z)?sh\b"
    r"|\b(?:curl|wget)\b[^\n]{0,240}(?:&&|;)\s*(?:sudo\s+)?chmod\s+\+x\b"
    r"|\b(?:ba|z)?sh\s+-c\s+[\"']?\$\((?:curl|wget)\b"
    r"|\bosascript\s+-e\b[^\n]{0,240}\bdo shell script\b",
    re.I,
)
# What installers in genuine mail never do: hide or encode the command, fetch through a Windows binary, skip the
# certificate check, decode a blob into a shell, or fetch from a bare IP address.
_STRONG = re.compile(
    r"\s-e(?:nc(?:odedcommand)?)?\s+[A-Za-z0-9+/=]{20,}|\s-w(?:indowstyle)?\s+h(?:idden)?\b|mshta|certutil"
    r"|bitsadmin|regsvr32|rundll32|\s(?:-k|--insecure|--no-check-certificate)\b|base64\s+(?:-d|--decode)"
    r"|https?://\d{1,3}(?:\.\d{1,3}){3}\b|do shell script",
    re.I,
)
# Every downloader shape names one of these, and every Run-box or paste instruction holds one of these groups:
# plain substring tests on the lower-cased text rule out nearly every message before a regex runs.
_COMMANDS = ("powershell", "mshta", "certutil", "bitsadmin", "regsvr32", "rundll32", "curl", "wget", "osascript")
_PLUS_R = re.compile(r"\+\s*[\"'“]?r\b")  # on the lower-cased text: a key combination ending in R
_PLUS_V = re.compile(r"\+\s*[\"'“]?v\b")
_CLIPBOARD = re.compile(r"clipboard\.writeText\s*\(|execCommand\s*\(\s*[\"']copy[\"']", re.I)


def check(message: Message, context: MailContext) -> list[Finding]:
    for attachment in message.attachments:
        if attachment.filetype.kind in (Kind.HTML, Kind.SVG) and (found := _in_page(message, attachment)):
            return found
    return _in_body(message, context)


def _in_body(message: Message, context: MailContext) -> list[Finding]:
    text, folded = message.head(SCAN)
    cradle = _CRADLE.search(text) if any(c in folded for c in _COMMANDS) else None
    command = _line(text, cradle) if cradle else ""
    strong = bool(cradle and _STRONG.search(command))
    told = _RUN_BOX.search(text) if _may_open_run_box(folded) else None
    if told is None and strong:  # a terminal is a developer's daily tool: it counts with a downloader only
        told = _TERMINAL.search(text)
    if told is None:
        if not strong:
            return []
        what = f"carries a downloader command: {command[:120]}"
        evidence = [at(message, "body", command)]
        return [RULE.finding(f"the message {what}", evidence, severity=Severity.MEDIUM)]
    paste = _PASTE.search(text) if _may_paste(folded) else None
    if not (paste or cradle):
        return []
    steps = [m.group(0) for m in (told, paste) if m]
    run = f"to run {command[:120]}" if command else "to run what a page put on the clipboard"
    what = f"walks the reader through {', then '.join(steps)}, {run}"
    evidence = [at(message, "body", "; ".join([*steps, *([command] if command else [])]))]
    # Quoted by a sender whose domain vouches for the notice (a security newsletter explaining the trick): worth
    # a look, not a block.
    severity = Severity.MEDIUM if own_notice(message, context) else None
    return [RULE.finding(f"the message {what}", evidence, severity=severity)]


def _may_open_run_box(folded: str) -> bool:
    return "windows key" in folded or "windows logo key" in folded or _PLUS_R.search(folded) is not None


def _may_paste(folded: str) -> bool:
    return "paste" in folded or "⌘" in folded or _PLUS_V.search(folded) is not None


def _in_page(message: Message, attachment: Attachment) -> list[Finding]:
    """An attached page whose script or text holds a downloader, and that tells the reader to run it or puts it
    on the clipboard (the fake error or captcha page of ClickFix)."""
    markup = attachment.data[:MAX_PAGE].decode("utf-8", "replace")
    folded = fold(markup)
    cradle = _CRADLE.search(markup) if any(c in folded for c in _COMMANDS) else None
    if cradle is None:
        return []
    visible = html_to_text(markup)[0]
    if _RUN_BOX.search(visible) or _TERMINAL.search(visible):
        how = "tells the reader to paste and run"
    elif _CLIPBOARD.search(markup):
        how = "copies to the clipboard"
    else:
        return []
    command = _line(markup, cradle)
    return [
        RULE.finding(
            f"{attachment.name} {how} a downloader command: {command[:120]}",
            [at(message, f"attachment {attachment.name}", command)],
            [IndicatorRef(type="sha256", value=attachment.sha256)],
        )
    ]


def _line(text: str, match: re.Match[str]) -> str:
    """The command as written: from the match to the end of its line, at most 300 characters."""
    end = text.find("\n", match.start(), match.start() + 300)
    return text[match.start() : end if end != -1 else match.start() + 300].strip()
