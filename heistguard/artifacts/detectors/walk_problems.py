"""The rules the safe walk's refusals become: hostile archive names, bombs, limits, links out of the
tree, special and unreadable files. One unit, because they are one concern: what the walk refused."""

from __future__ import annotations

from heistguard.artifacts import walk
from heistguard.artifacts.detectors import encrypted_member
from heistguard.findings import Evidence, Finding, Location, Rule, Severity

TRAVERSAL = Rule(
    id="artifacts.archive-path-traversal",
    severity=Severity.HIGH,
    title="Archive member climbs out of its folder (path traversal)",
    rationale="A member named `../../.bashrc` or `/etc/cron.d/x` overwrites files outside the target folder "
    "when extracted by a naive tool (Zip Slip); no honest archive needs it. The member is scanned under "
    "a cleaned name and nothing is ever extracted.",
    attack=("T1222", "T1574"),
    references=("https://security.snyk.io/research/zip-slip-vulnerability",),
)
BOMB = Rule(
    id="artifacts.archive-bomb",
    severity=Severity.MEDIUM,
    title="Archive expands far beyond its size (decompression bomb)",
    rationale="A few kilobytes that expand to gigabytes exhaust disk and memory of scanners and extractors, "
    "and hide whatever lies past the point where they give up. A member is one when it expands both more than "
    "200:1 and past 100 MiB (a few megabytes of zeros or log lines compress that far honestly), or when an "
    "archive unpacks past the total limit; the walk stops there.",
    attack=("T1499", "T1027"),
)
LIMIT = Rule(
    id="artifacts.archive-limit",
    severity=Severity.LOW,
    title="Archive exceeds a scan limit (members or nesting); the rest was not scanned",
    rationale="Tens of thousands of members or archives nested many deep are rare in honest artifacts and "
    "are used to tire scanners; what is beyond the limit has not been looked at.",
    attack=("T1027",),
)
LINK_OUT = Rule(
    id="artifacts.link-out-of-tree",
    severity=Severity.MEDIUM,
    title="Link points out of the tree, loops or dangles",
    rationale="A symbolic or hard link to `~/.ssh`, `/etc` or a parent folder makes tools that follow it read "
    "or write outside the repo; the walk never follows one.",
    attack=("T1083",),
)
SPECIAL = Rule(
    id="artifacts.special-file",
    severity=Severity.LOW,
    title="Device file, named pipe or socket in the tree",
    rationale="Such entries have no place in a repo or package; reading a FIFO can hang a scanner and a "
    "device node can read live hardware. They are reported and never opened.",
)
UNREADABLE = Rule(
    id="artifacts.unreadable-file",
    severity=Severity.LOW,
    title="File or archive could not be read completely",
    rationale="A truncated or corrupt archive or an unreadable file may hide content; it is reported so the "
    "gap in the scan is visible, and the rest of the tree is still scanned.",
)
TOO_LARGE = Rule(
    id="artifacts.file-too-large",
    severity=Severity.LOW,
    title="File over the size limit: only its head was scanned",
    rationale="Padding a payload to hundreds of megabytes is a known way past scanners' size limits; the "
    "file is hashed and its head scanned, the rest is not.",
    attack=("T1027.001",),
)

RULE_FOR_PROBLEM = {
    walk.TRAVERSAL: TRAVERSAL,
    walk.BOMB: BOMB,
    walk.LIMIT: LIMIT,
    walk.LINK_OUT: LINK_OUT,
    walk.SPECIAL: SPECIAL,
    walk.UNREADABLE: UNREADABLE,
    walk.TOO_LARGE: TOO_LARGE,
    walk.ENCRYPTED: encrypted_member.RULE,
}
RULES = tuple(RULE_FOR_PROBLEM.values())


def finding_for(problem: walk.Problem) -> Finding:
    if problem.kind == walk.ENCRYPTED:
        return encrypted_member.finding(problem.path, problem.detail)
    rule = RULE_FOR_PROBLEM[problem.kind]
    return rule.finding(
        f"{problem.path.rsplit('/', 1)[-1] or problem.path}: {problem.detail}",
        [Evidence(location=Location(path=problem.path), text=problem.detail)],
    )
