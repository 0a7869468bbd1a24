"""Package-manager config files that send installs to a registry other than the public ones or the
firm's own: the way a repo swaps in its own copies of well-known packages."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from heistguard.artifacts.detectors.base import Detector, Sample, ScanContext, Target
from heistguard.findings import Finding, Rule, Severity

RULE = Rule(
    id="artifacts.odd-registry",
    severity=Severity.MEDIUM,
    title="Package manager pointed at an unknown registry",
    rationale="`.npmrc`, `.yarnrc(.yml)` and `pip.conf` in a repo decide where `npm install` and `pip install` "
    "fetch from. A registry that is neither public nor listed in the profile's `allowed_registries` can "
    "serve trojanised copies of real packages; plain HTTP or a raw IP address makes it high.",
    attack=("T1195.002",),
)

PUBLIC_REGISTRIES = frozenset(
    {
        "registry.npmjs.org",
        "registry.yarnpkg.com",
        "registry.npmjs.com",
        "npm.pkg.github.com",
        "pypi.org",
        "files.pythonhosted.org",
    }
)
_SETTING = re.compile(
    r"^\s*(?:@[\w.-]+:)?(?:registry|npmRegistryServer|index-url|extra-index-url|index_url|extra_index_url)\s*[=:]\s*[\"']?([^\s\"']+)",
    re.M,
)


def _check(target: Target, ctx: ScanContext) -> Iterator[Finding]:
    allowed = PUBLIC_REGISTRIES | {h.lower() for h in ctx.config.allowed_registries}
    for match in _SETTING.finditer(target.text):
        url = match.group(1)
        host = (urlsplit(url).hostname or "").lower()
        if not host or host in allowed or any(host.endswith("." + a) for a in allowed):
            continue
        try:
            raw_ip = ipaddress.ip_address(host) is not None
        except ValueError:
            raw_ip = False
        if host in ("localhost", "127.0.0.1", "::1"):
            continue  # a local cache (verdaccio), visible to the user
        severity = Severity.HIGH if raw_ip or url.startswith("http://") else Severity.MEDIUM
        why = "a raw IP address" if raw_ip else "plain HTTP" if url.startswith("http://") else "not a known registry"
        yield RULE.finding(
            f"{target.name} sends installs to {host} ({why})", [target.evidence(match.start(1))], severity=severity
        )


DETECTOR = Detector(
    rule=RULE,
    applies=lambda t: t.name in (".npmrc", ".yarnrc", ".yarnrc.yml", "pip.conf", "pip.ini", ".pypirc") and t.is_text,
    check=_check,
    bad=(
        Sample(".npmrc", b"registry=http://198.51.100.23:4873/\n"),
        Sample(".yarnrc.yml", b'npmRegistryServer: "https://npm-mirror.example.invalid"\n'),
        Sample("pip.conf", b"[global]\nextra-index-url = https://pypi.example.invalid/simple\n"),
    ),
    good=(
        Sample(".npmrc", b"registry=https://registry.npmjs.org/\nsave-exact=true\n"),
        Sample(".npmrc", b"@acme:registry=https://npm.pkg.github.com\n"),
    ),
)
