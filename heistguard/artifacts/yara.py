"""YARA with yara-x: the bundled rules HeistGuard writes for DPRK tooling families, plus any rule
folder the user passes with `--rules DIR`; matches become findings with file and line."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yara_x

from heistguard.artifacts.detectors.base import Target
from heistguard.errors import BadInput
from heistguard.findings import Finding, Rule, Severity

BEAVERTAIL = Rule(
    id="artifacts.yara-beavertail",
    severity=Severity.CRITICAL,
    title="Matches HeistGuard's YARA rule for BeaverTail-style JavaScript loaders",
    rationale="BeaverTail, the JavaScript stealer/loader of the 'Contagious Interview' fake job tests, "
    "steals browser wallet stores and fetches Python (InvisibleFerret) from fixed URL paths on port "
    "1224/1244/1245 servers; the rule needs both the URL layout and the wallet stores.",
    attack=("T1195.002", "T1555.003", "T1059.007", "G0032"),
    references=("https://unit42.paloaltonetworks.com/two-campaigns-by-north-korea-bad-actors-target-job-hunters/",),
)
INVISIBLEFERRET = Rule(
    id="artifacts.yara-invisibleferret",
    severity=Severity.CRITICAL,
    title="Matches HeistGuard's YARA rule for InvisibleFerret-style Python backdoors",
    rationale="InvisibleFerret, the Python backdoor BeaverTail installs, has a fixed table of ssh_* remote "
    "commands and is fetched by a small stager into the home folder; the DMM Bitcoin theft started with "
    "such a Python 'pre-employment test'.",
    attack=("T1059.006", "T1105", "G0032"),
    references=("https://unit42.paloaltonetworks.com/two-campaigns-by-north-korea-bad-actors-target-job-hunters/",),
)
USER_RULE = Rule(
    id="artifacts.yara-user-rule",
    severity=Severity.MEDIUM,
    title="Matches a YARA rule from the user's --rules folder",
    rationale="Rules a team adds with `--rules DIR`; a rule's `severity` meta (info..critical) sets the "
    "finding's severity, its `description` the title.",
)
RULES = (BEAVERTAIL, INVISIBLEFERRET, USER_RULE)
_BY_ID = {rule.id: rule for rule in RULES}
_BUNDLED_NAMESPACE = "heistguard"


@dataclass(frozen=True, slots=True)
class _Meta:
    rule: Rule
    severity: Severity
    title: str


def bundled_sources() -> dict[str, str]:
    folder = resources.files("heistguard.artifacts.yara_rules")
    return {
        entry.name: entry.read_text("utf-8")
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith((".yar", ".yara"))
    }


def _severity(value: object, default: Severity) -> Severity:
    try:
        return Severity(str(value).lower())
    except ValueError:
        return default


TRIGGERS_NAMESPACE = "triggers"


class YaraRules:
    """Compiled rules in one yara-x scanner: the detectors' trigger words, the bundled rules and the
    user's; one pass per file answers all three."""

    def __init__(
        self, user_dirs: tuple[Path, ...] = (), triggers_source: str | None = None, bundled: bool = True
    ) -> None:
        compiler = yara_x.Compiler()
        if triggers_source:
            compiler.new_namespace(TRIGGERS_NAMESPACE)
            compiler.add_source(triggers_source, origin="detector trigger words")
        if bundled:
            compiler.new_namespace(_BUNDLED_NAMESPACE)
            for name, source in bundled_sources().items():
                compiler.add_source(source, origin=name)
        for directory in user_dirs:
            if not directory.is_dir():
                raise BadInput("not a rule folder", str(directory), "--rules takes a directory of .yar files")
            files = sorted(p for p in directory.rglob("*") if p.suffix.lower() in (".yar", ".yara") and p.is_file())
            if not files:
                raise BadInput("no YARA rules", str(directory), "no .yar or .yara files in the folder")
            for index, path in enumerate(files):
                compiler.new_namespace(f"user{index}")
                try:
                    compiler.add_source(path.read_text("utf-8", "replace"), origin=str(path))
                except yara_x.CompileError as exc:
                    first = str(exc).splitlines()
                    where = next((line.strip().lstrip("-> ").strip() for line in first if "-->" in line), str(path))
                    raise BadInput("YARA rule does not compile", where, first[0] if first else "") from None
        self.rules = compiler.build()
        self.scanner = yara_x.Scanner(self.rules)
        self.scanner.set_timeout(10)

    def scan(self, data: bytes) -> tuple[yara_x.Rule, ...] | str:
        """The matching rules, or why the scan did not finish."""
        try:
            return tuple(self.scanner.scan(data).matching_rules)
        except (yara_x.ScanError, yara_x.TimeoutError) as exc:
            return str(exc) or type(exc).__name__

    def findings(self, target: Target, matches: tuple[yara_x.Rule, ...] | str | None = None) -> Iterator[Finding]:
        matches = self.scan(target.data) if matches is None else matches
        if isinstance(matches, str):
            yield USER_RULE.finding(
                f"YARA scan of {target.name} did not finish: {matches}",
                [target.evidence(None, matches)],
                severity=Severity.LOW,
            )
            return
        for match in matches:
            if match.namespace == TRIGGERS_NAMESPACE:
                continue
            meta = dict(match.metadata)
            info = self._meta(match.namespace, match.identifier, meta)
            offset = min((m.offset for p in match.patterns for m in p.matches), default=None)
            evidence = []
            if offset is not None and target.is_text:
                char_offset = len(target.data[:offset].decode("utf-8", "replace"))
                evidence.append(target.evidence(char_offset, f"YARA {match.identifier} matched"))
            else:
                evidence.append(
                    target.evidence(
                        None, f"YARA {match.identifier} matched" + (f" at byte {offset}" if offset is not None else "")
                    )
                )
            yield info.rule.finding(info.title, evidence, severity=info.severity)

    def _meta(self, namespace: str, identifier: str, meta: dict[str, object]) -> _Meta:
        if namespace == _BUNDLED_NAMESPACE:
            rule = _BY_ID.get(str(meta.get("hg_rule")), USER_RULE)
            severity = _severity(meta.get("hg_severity"), rule.severity)
        else:
            rule = USER_RULE
            severity = _severity(meta.get("severity"), USER_RULE.severity)
        description = meta.get("description")
        title = f"YARA {identifier}" + (f": {description}" if description else "")
        return _Meta(rule, severity, title)
